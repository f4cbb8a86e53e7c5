"""Uploaded public keys are RSA 2048-4096 or Ed25519, wherever a key is registered.

Issue 10, "Failed-signature work": verification is the most expensive thing an anonymous
client can make the server do, and its cost is set by the key. Kalshi accepts RSA
2048-4096 and Ed25519. Against the real server, through ``POST /api_keys`` (what the
SDK's ``create_api_key`` calls) and the admin API (``augury admin keys create``): an
8192-bit RSA key, a 1024-bit one, an RSA key with a huge public exponent (every
verification as slow as a private-key operation), an EC key and an oversize PEM are
refused with 400 (the PEM is never echoed); RSA-2048, RSA-4096 and Ed25519 are accepted.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from tests.security.net_harness import NetServer, running, signed

pytestmark = pytest.mark.process  # a real server in a subprocess

KEYS = "/trade-api/v2/api_keys"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetServer]:
    with running(NetServer(tmp_path_factory.mktemp("keys") / "data"), catalog=False) as srv:
        yield srv


@pytest.fixture(scope="module")
def owner(server: NetServer) -> tuple[str, str]:
    return server.user("keys-owner", "0")


def spki(key: rsa.RSAPublicKey | ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def rsa_modulus_only(bits: int, exponent: int = 65537) -> str:
    """An RSA public key of ``bits`` bits (no private half: generating 8192 bits is slow)."""
    n = (1 << (bits - 1)) | 1 | (0xC0FFEE << 8)
    return spki(rsa.RSAPublicNumbers(exponent, n).public_key())


def rsa_key(bits: int) -> str:
    return spki(rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key())


REFUSED = {
    "rsa-8192": lambda: rsa_modulus_only(8192),
    "rsa-1024": lambda: rsa_key(1024),
    "rsa-2048-huge-exponent": lambda: rsa_modulus_only(2048, exponent=(1 << 1000) + 1),
    "ec-p256": lambda: spki(ec.generate_private_key(ec.SECP256R1()).public_key()),
    "pem-too-long": lambda: rsa_key(2048).replace("\n", "\n" + " " * 40 + "\n") + "X" * 5000,
}
ACCEPTED = {
    "rsa-2048": lambda: rsa_key(2048),
    "rsa-4096": lambda: rsa_key(4096),
    "ed25519": lambda: spki(ed25519.Ed25519PrivateKey.generate().public_key()),
}


def upload(server: NetServer, owner: tuple[str, str], pem: str) -> tuple[int, str]:
    response = server.http.post(
        KEYS, json={"name": "uploaded", "public_key": pem}, headers=signed(owner, "POST", KEYS)
    )
    return response.status_code, response.text


def admin_upload(server: NetServer, pem: str) -> tuple[int, str]:
    key_id = (server.data / "operator_key_id").read_text().strip()
    operator = (key_id, (server.data / "operator_key.pem").read_text())
    path = "/admin/v1/keys"
    body = {"user": "keys-owner", "public_key": pem}
    response = server.http.post(path, json=body, headers=signed(operator, "POST", path))
    return response.status_code, response.text


@pytest.mark.parametrize("kind", list(REFUSED))
def test_keys_kalshi_would_not_take_are_refused_everywhere(
    server: NetServer, owner: tuple[str, str], kind: str
) -> None:
    pem = REFUSED[kind]()
    for status, text in (upload(server, owner, pem), admin_upload(server, pem)):
        assert status == 400, text
        assert "invalid_parameters" in text
        assert "X" * 100 not in text
        assert pem.splitlines()[1] not in text  # the key material is not echoed


@pytest.mark.parametrize("kind", list(ACCEPTED))
def test_keys_kalshi_takes_are_accepted(
    server: NetServer, owner: tuple[str, str], kind: str
) -> None:
    pem = ACCEPTED[kind]()
    status, text = upload(server, owner, pem)
    assert status == 201, text
    status, text = admin_upload(server, pem)
    assert status == 201, text
