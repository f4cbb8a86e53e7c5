"""Tests for augury.api.auth: key formats, signature schemes, and the authenticate contract."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import kalshi_python_sync
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st
from kalshi_python_sync.auth import KalshiAuth
from kalshi_python_sync.configuration import Configuration
from nacl.signing import VerifyKey

from augury.api.auth import (
    HEADER_KEY,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    ApiKeyRecord,
    AuthError,
    KeyFormatError,
    KeyRing,
    KeyType,
    PublicKey,
    VerifyingKey,
    authenticate,
    generate_key_pair,
    has_scope,
    load_public_key,
    presign_text,
    sign_message,
    signing_headers,
    verify_signature,
    verifying_key,
)

NOW_MS = 1_795_428_584_963
WINDOW_MS = 30_000
PATH = "/trade-api/v2/portfolio/orders/abc%2Fdef"


@dataclass(frozen=True)
class KeyPair:
    key_type: KeyType
    private_pem: str
    public_pem: str


@pytest.fixture(scope="module")
def rsa_pair() -> KeyPair:
    private_pem, public_pem = generate_key_pair("rsa")
    return KeyPair("rsa", private_pem, public_pem)


@pytest.fixture(scope="module")
def rsa_other() -> KeyPair:
    private_pem, public_pem = generate_key_pair("rsa")
    return KeyPair("rsa", private_pem, public_pem)


@pytest.fixture(scope="module")
def ed_pair() -> KeyPair:
    private_pem, public_pem = generate_key_pair("ed25519")
    return KeyPair("ed25519", private_pem, public_pem)


@pytest.fixture(scope="module", params=["rsa", "ed25519"])
def any_pair(request: pytest.FixtureRequest, rsa_pair: KeyPair, ed_pair: KeyPair) -> KeyPair:
    return rsa_pair if request.param == "rsa" else ed_pair


def _record(
    pair: KeyPair, key_id: str = "key-1", scopes: tuple[str, ...] = ("read",)
) -> ApiKeyRecord:
    return ApiKeyRecord(
        api_key_id=key_id,
        user_id="user-1",
        name="test key",
        scopes=scopes,
        key_type=pair.key_type,
        public_key_pem=pair.public_pem,
        subaccount=None,
    )


def _ring(*pairs: KeyPair) -> KeyRing:
    return KeyRing(_record(pair, f"key-{i}") for i, pair in enumerate(pairs, start=1))


def _rsa_private(pair: KeyPair) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pair.private_pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def _authenticate(
    ring: KeyRing,
    headers: Mapping[str, str | None],
    *,
    method: str = "GET",
    path: str = PATH,
    window_ms: int = WINDOW_MS,
    allow_pkcs1v15: bool = True,
) -> ApiKeyRecord:
    return authenticate(
        ring,
        key_id=headers.get(HEADER_KEY),
        timestamp=headers.get(HEADER_TIMESTAMP),
        signature_b64=headers.get(HEADER_SIGNATURE),
        method=method,
        path=path,
        now_ms=NOW_MS,
        window_ms=window_ms,
        allow_pkcs1v15=allow_pkcs1v15,
    )


def _expect_auth_error(
    ring: KeyRing,
    headers: Mapping[str, str | None],
    code: str,
    details: str | None,
    *,
    method: str = "GET",
    path: str = PATH,
    window_ms: int = WINDOW_MS,
    allow_pkcs1v15: bool = True,
) -> AuthError:
    with pytest.raises(AuthError) as info:
        _authenticate(
            ring,
            headers,
            method=method,
            path=path,
            window_ms=window_ms,
            allow_pkcs1v15=allow_pkcs1v15,
        )
    assert info.value.code == code
    assert info.value.details == details
    assert info.value.status == 401
    return info.value


# ---------------------------------------------------------------------------------------
# Key formats


def test_generated_rsa_pair_uses_kalshi_pem_formats(rsa_pair: KeyPair) -> None:
    assert rsa_pair.private_pem.startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert rsa_pair.public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    key, key_type = load_public_key(rsa_pair.public_pem)
    assert key_type == "rsa"
    assert isinstance(key, rsa.RSAPublicKey)
    assert key.key_size == 2048


def test_generated_ed25519_pair_uses_kalshi_pem_formats(ed_pair: KeyPair) -> None:
    assert ed_pair.private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert ed_pair.public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    key, key_type = load_public_key(ed_pair.public_pem.encode())
    assert key_type == "ed25519"
    assert isinstance(key, ed25519.Ed25519PublicKey)


def test_load_public_key_accepts_pkcs1_rsa_public_pem(rsa_pair: KeyPair) -> None:
    pkcs1 = (
        _rsa_private(rsa_pair)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
    )
    assert pkcs1.startswith(b"-----BEGIN RSA PUBLIC KEY-----")
    key, key_type = load_public_key(pkcs1.decode())
    assert key_type == "rsa"
    message = b"hello"
    signature = base64.b64decode(sign_message(rsa_pair.private_pem, message))
    assert verify_signature(key, key_type, message, signature, allow_pkcs1v15=False)


def test_load_public_key_rejects_1024_bit_rsa() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    pem = small.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(KeyFormatError, match="1024 bits"):
        load_public_key(pem)


@pytest.mark.parametrize(
    "public_key",
    [
        pytest.param(ec.generate_private_key(ec.SECP256R1()).public_key(), id="ec-p256"),
        pytest.param(ed448.Ed448PrivateKey.generate().public_key(), id="ed448"),
    ],
)
def test_load_public_key_rejects_other_key_types(
    public_key: ec.EllipticCurvePublicKey | ed448.Ed448PublicKey,
) -> None:
    pem = public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(KeyFormatError, match="unsupported key type"):
        load_public_key(pem)


@pytest.mark.parametrize(
    "pem", ["", "not a key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"]
)
def test_load_public_key_rejects_garbage(pem: str) -> None:
    with pytest.raises(KeyFormatError, match="not a readable PEM"):
        load_public_key(pem)


def test_key_format_error_is_a_value_error() -> None:
    assert issubclass(KeyFormatError, ValueError)


def test_sign_message_rejects_an_ec_private_key() -> None:
    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    with pytest.raises(KeyFormatError, match="unsupported key type"):
        sign_message(pem, b"x")


# ---------------------------------------------------------------------------------------
# Signature schemes


def test_rsa_pss_digest_salt_round_trip(rsa_pair: KeyPair) -> None:
    key, key_type = load_public_key(rsa_pair.public_pem)
    message = presign_text(str(NOW_MS), "get", PATH)
    signature = base64.b64decode(sign_message(rsa_pair.private_pem, message))
    assert verify_signature(key, key_type, message, signature, allow_pkcs1v15=False)


def test_rsa_pss_uses_digest_length_salt(rsa_pair: KeyPair) -> None:
    # Kalshi's examples sign with salt = 32 bytes; a strict DIGEST_LENGTH verifier must accept.
    message = b"salt check"
    signature = base64.b64decode(sign_message(rsa_pair.private_pem, message))
    strict = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    _rsa_private(rsa_pair).public_key().verify(signature, message, strict, hashes.SHA256())


def test_rsa_pss_max_length_salt_accepted(rsa_pair: KeyPair) -> None:
    key, key_type = load_public_key(rsa_pair.public_pem)
    message = presign_text(str(NOW_MS), "POST", "/trade-api/v2/portfolio/events/orders")
    max_salt = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)
    signature = _rsa_private(rsa_pair).sign(message, max_salt, hashes.SHA256())
    assert verify_signature(key, key_type, message, signature, allow_pkcs1v15=False)


@pytest.mark.parametrize(("allow", "accepted"), [(True, True), (False, False)])
def test_rsa_pkcs1v15_accepted_only_when_allowed(
    rsa_pair: KeyPair, allow: bool, accepted: bool
) -> None:
    key, key_type = load_public_key(rsa_pair.public_pem)
    message = b"legacy client"
    signature = base64.b64decode(sign_message(rsa_pair.private_pem, message, scheme="pkcs1v15"))
    assert verify_signature(key, key_type, message, signature, allow_pkcs1v15=allow) is accepted


def test_pkcs1v15_signature_is_really_pkcs1v15(rsa_pair: KeyPair) -> None:
    message = b"legacy client"
    signature = base64.b64decode(sign_message(rsa_pair.private_pem, message, scheme="pkcs1v15"))
    _rsa_private(rsa_pair).public_key().verify(
        signature, message, padding.PKCS1v15(), hashes.SHA256()
    )


def _both_forms(pair: KeyPair) -> list[tuple[PublicKey | VerifyingKey, KeyType]]:
    """The key as parsed and as a KeyRing holds it: both must verify alike."""
    key, key_type = load_public_key(pair.public_pem)
    return [(key, key_type), (verifying_key(key), key_type)]


def test_ed25519_round_trip_ignores_scheme(ed_pair: KeyPair) -> None:
    message = presign_text(str(NOW_MS), "DELETE", PATH)
    for key, key_type in _both_forms(ed_pair):
        for scheme in ("pss", "pkcs1v15"):
            signature = base64.b64decode(sign_message(ed_pair.private_pem, message, scheme=scheme))
            assert len(signature) == 64
            assert verify_signature(key, key_type, message, signature, allow_pkcs1v15=False)
            flipped = bytes([signature[0] ^ 1]) + signature[1:]
            assert not verify_signature(key, key_type, message, flipped, allow_pkcs1v15=False)


@pytest.mark.parametrize("allow", [True, False])
def test_tampered_message_rejected(any_pair: KeyPair, allow: bool) -> None:
    message = b"1795428584963GET/trade-api/v2/portfolio/balance"
    for key, key_type in _both_forms(any_pair):
        for scheme in ("pss", "pkcs1v15"):
            signature = base64.b64decode(sign_message(any_pair.private_pem, message, scheme=scheme))
            tampered = message.replace(b"GET", b"PUT")
            assert not verify_signature(key, key_type, tampered, signature, allow_pkcs1v15=allow)


def test_wrong_key_rejected(rsa_pair: KeyPair, rsa_other: KeyPair) -> None:
    key, key_type = load_public_key(rsa_other.public_pem)
    message = b"whose key?"
    for scheme in ("pss", "pkcs1v15"):
        signature = base64.b64decode(sign_message(rsa_pair.private_pem, message, scheme=scheme))
        assert not verify_signature(key, key_type, message, signature, allow_pkcs1v15=True)


@pytest.mark.parametrize("signature", [b"", b"\x00" * 64, b"\xff" * 256, b"x" * 1000])
def test_malformed_signature_bytes_return_false(any_pair: KeyPair, signature: bytes) -> None:
    for key, key_type in _both_forms(any_pair):
        assert not verify_signature(key, key_type, b"m", signature, allow_pkcs1v15=True)


def test_verify_signature_rejects_mismatched_key_type(rsa_pair: KeyPair, ed_pair: KeyPair) -> None:
    rsa_key, _ = load_public_key(rsa_pair.public_pem)
    ed_key, _ = load_public_key(ed_pair.public_pem)
    with pytest.raises(TypeError):
        verify_signature(rsa_key, "ed25519", b"m", b"s", allow_pkcs1v15=True)
    with pytest.raises(TypeError):
        verify_signature(ed_key, "rsa", b"m", b"s", allow_pkcs1v15=True)


def test_presign_text_is_timestamp_method_path() -> None:
    assert presign_text("1795428584963", "get", "/trade-api/v2/portfolio/balance") == (
        b"1795428584963GET/trade-api/v2/portfolio/balance"
    )
    # The query string is never signed.
    assert presign_text("1", "GET", "/trade-api/v2/markets?limit=5") == b"1GET/trade-api/v2/markets"


@settings(max_examples=60, deadline=None)
@given(path=st.text(max_size=200), method=st.sampled_from(["GET", "post", "Put", "DELETE"]))
def test_property_signing_headers_round_trip(any_pair: KeyPair, path: str, method: str) -> None:
    ring = KeyRing([_record(any_pair)])
    headers = signing_headers(any_pair.private_pem, "key-1", method, path, NOW_MS)
    record = authenticate(
        ring,
        key_id=headers[HEADER_KEY],
        timestamp=headers[HEADER_TIMESTAMP],
        signature_b64=headers[HEADER_SIGNATURE],
        method=method.upper(),
        path=path,
        now_ms=NOW_MS,
    )
    assert record.api_key_id == "key-1"


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_property_any_single_byte_change_fails(any_pair: KeyPair, data: st.DataObject) -> None:
    key, key_type = load_public_key(any_pair.public_pem)
    message = data.draw(st.binary(min_size=1, max_size=300), label="message")
    signature = base64.b64decode(sign_message(any_pair.private_pem, message))
    index = data.draw(st.integers(0, len(message) - 1), label="index")
    new_byte = data.draw(st.integers(0, 255).filter(lambda b: b != message[index]), label="byte")
    changed = message[:index] + bytes([new_byte]) + message[index + 1 :]
    assert verify_signature(key, key_type, message, signature, allow_pkcs1v15=True)
    assert not verify_signature(key, key_type, changed, signature, allow_pkcs1v15=True)


# ---------------------------------------------------------------------------------------
# The official SDK's signer


class _Captured(Exception):
    """Raised by the stub transport to stop the SDK once it has built the request."""


@dataclass
class _CapturingRest:
    """Stands in for the SDK's urllib3 RESTClientObject and records the outgoing request."""

    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def request(
        self,
        method: str,
        url: str,
        headers: dict[str, str] | None = None,
        body: object = None,
        post_params: object = None,
        _request_timeout: object = None,
    ) -> None:
        self.seen.append((method, url, dict(headers or {})))
        raise _Captured


def test_official_sdk_signatures_are_accepted(any_pair: KeyPair) -> None:
    config = Configuration(host="http://augury.invalid/trade-api/v2")
    config.api_key_id = "key-1"
    config.private_key_pem = any_pair.private_pem
    client = kalshi_python_sync.KalshiClient(config)
    transport = _CapturingRest()
    client.rest_client = transport  # type: ignore[assignment]

    with pytest.raises(_Captured):
        client.get_order(order_id="abc/def")
    with pytest.raises(_Captured):
        client.get_markets(tickers="A,B", limit=5)

    ring = KeyRing([_record(any_pair)])
    assert len(transport.seen) == 2
    for method, url, headers in transport.seen:
        parts = urlsplit(url)
        # The request path is what a server sees as raw_path; the query is not signed.
        assert parts.path.startswith("/trade-api/v2/")
        sent_ms = int(headers[HEADER_TIMESTAMP])
        record = authenticate(
            ring,
            key_id=headers[HEADER_KEY],
            timestamp=headers[HEADER_TIMESTAMP],
            signature_b64=headers[HEADER_SIGNATURE],
            method=method,
            path=parts.path,
            now_ms=sent_ms,
            allow_pkcs1v15=False,
        )
        assert record.api_key_id == "key-1"
    assert urlsplit(transport.seen[0][1]).path == PATH


def test_sdk_signature_does_not_verify_against_decoded_path(rsa_pair: KeyPair) -> None:
    auth = KalshiAuth("key-1", rsa_pair.private_pem)
    headers = auth.create_auth_headers("GET", "http://augury.invalid" + PATH)
    ring = KeyRing([_record(rsa_pair)])
    with pytest.raises(AuthError) as info:
        authenticate(
            ring,
            key_id=headers[HEADER_KEY],
            timestamp=headers[HEADER_TIMESTAMP],
            signature_b64=headers[HEADER_SIGNATURE],
            method="GET",
            path="/trade-api/v2/portfolio/orders/abc/def",
            now_ms=int(headers[HEADER_TIMESTAMP]),
        )
    assert info.value.details == "INCORRECT_API_KEY_SIGNATURE"


# ---------------------------------------------------------------------------------------
# authenticate: success and every error branch


def _headers(pair: KeyPair, ts_ms: int = NOW_MS, key_id: str = "key-1") -> dict[str, str | None]:
    return dict(signing_headers(pair.private_pem, key_id, "GET", PATH, ts_ms))


def test_authenticate_returns_the_record(any_pair: KeyPair) -> None:
    ring = _ring(any_pair)
    record = _authenticate(ring, _headers(any_pair))
    assert record == _record(any_pair)


def test_signing_headers_has_exactly_three_headers(rsa_pair: KeyPair) -> None:
    headers = signing_headers(rsa_pair.private_pem, "kid", "get", PATH, NOW_MS)
    assert set(headers) == {HEADER_KEY, HEADER_TIMESTAMP, HEADER_SIGNATURE}
    assert headers[HEADER_KEY] == "kid"
    assert headers[HEADER_TIMESTAMP] == str(NOW_MS)


@pytest.mark.parametrize("missing", [HEADER_KEY, HEADER_TIMESTAMP, HEADER_SIGNATURE])
@pytest.mark.parametrize("blank", [None, ""])
def test_missing_header(ed_pair: KeyPair, missing: str, blank: str | None) -> None:
    headers = _headers(ed_pair)
    headers[missing] = blank
    error = _expect_auth_error(
        _ring(ed_pair), headers, "authentication_error", "MISSING_AUTH_HEADERS"
    )
    assert missing in error.message


def test_missing_headers_checked_before_timestamp(ed_pair: KeyPair) -> None:
    headers = _headers(ed_pair)
    headers[HEADER_KEY] = None
    headers[HEADER_TIMESTAMP] = "garbage"
    _expect_auth_error(_ring(ed_pair), headers, "authentication_error", "MISSING_AUTH_HEADERS")


@pytest.mark.parametrize(
    "timestamp",
    ["abc", "1.5", "-1795428584963", " 1795428584963", "+1795428584963", "1_795", "١٢٣", "9" * 20],
)
def test_invalid_timestamp(ed_pair: KeyPair, timestamp: str) -> None:
    headers = _headers(ed_pair)
    headers[HEADER_TIMESTAMP] = timestamp
    _expect_auth_error(_ring(ed_pair), headers, "authentication_error", "INVALID_TIMESTAMP")


@pytest.mark.parametrize("offset_ms", [-WINDOW_MS, -1, 0, 1, WINDOW_MS])
def test_timestamp_inside_window_accepted(ed_pair: KeyPair, offset_ms: int) -> None:
    headers = _headers(ed_pair, ts_ms=NOW_MS + offset_ms)
    assert _authenticate(_ring(ed_pair), headers).api_key_id == "key-1"


@pytest.mark.parametrize("offset_ms", [-WINDOW_MS - 1, WINDOW_MS + 1, -NOW_MS, 10**12])
def test_timestamp_outside_window_expired(ed_pair: KeyPair, offset_ms: int) -> None:
    headers = _headers(ed_pair, ts_ms=NOW_MS + offset_ms)
    _expect_auth_error(_ring(ed_pair), headers, "header_timestamp_expired", None)


def test_window_is_configurable(ed_pair: KeyPair) -> None:
    headers = _headers(ed_pair, ts_ms=NOW_MS - 5_000)
    _expect_auth_error(_ring(ed_pair), headers, "header_timestamp_expired", None, window_ms=4_999)
    assert _authenticate(_ring(ed_pair), headers, window_ms=5_000).api_key_id == "key-1"


def test_expired_checked_before_key_lookup(ed_pair: KeyPair) -> None:
    headers = _headers(ed_pair, ts_ms=NOW_MS - WINDOW_MS - 1, key_id="nobody")
    _expect_auth_error(_ring(ed_pair), headers, "header_timestamp_expired", None)


def test_unknown_key_not_found(ed_pair: KeyPair) -> None:
    headers = _headers(ed_pair, key_id="nobody")
    _expect_auth_error(_ring(ed_pair), headers, "NOT_FOUND", None)


def test_unknown_key_checked_before_signature(ed_pair: KeyPair) -> None:
    headers = _headers(ed_pair, key_id="nobody")
    headers[HEADER_SIGNATURE] = "!!!not base64!!!"
    _expect_auth_error(_ring(ed_pair), headers, "NOT_FOUND", None)


@pytest.mark.parametrize(
    "signature",
    [
        "!!!not base64!!!",
        "AAAA A",
        "AAA",  # unpadded
        "A" * 2000,  # longer than any supported key's signature
        base64.b64encode(b"\x00" * 64).decode(),
    ],
)
def test_bad_signature_encoding_or_value(any_pair: KeyPair, signature: str) -> None:
    headers = _headers(any_pair)
    headers[HEADER_SIGNATURE] = signature
    _expect_auth_error(
        _ring(any_pair), headers, "authentication_error", "INCORRECT_API_KEY_SIGNATURE"
    )


@pytest.mark.parametrize("junk", ["*", " ", "-"])
def test_signature_base64_is_strict(any_pair: KeyPair, junk: str) -> None:
    # A lenient decoder would drop the junk character and accept the signature.
    headers = _headers(any_pair)
    signature = headers[HEADER_SIGNATURE]
    assert signature is not None
    headers[HEADER_SIGNATURE] = signature[:8] + junk + signature[8:]
    _expect_auth_error(
        _ring(any_pair), headers, "authentication_error", "INCORRECT_API_KEY_SIGNATURE"
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("POST", PATH, id="other-method"),
        pytest.param("GET", PATH + "x", id="other-path"),
        pytest.param("GET", "/trade-api/v2/portfolio/orders/abc/def", id="decoded-path"),
        pytest.param("GET", "/portfolio/orders/abc%2Fdef", id="without-prefix"),
    ],
)
def test_signature_over_other_request_rejected(any_pair: KeyPair, method: str, path: str) -> None:
    _expect_auth_error(
        _ring(any_pair),
        _headers(any_pair),
        "authentication_error",
        "INCORRECT_API_KEY_SIGNATURE",
        method=method,
        path=path,
    )


def test_signature_from_another_registered_key_rejected(
    rsa_pair: KeyPair, rsa_other: KeyPair
) -> None:
    ring = _ring(rsa_pair, rsa_other)
    # Signed by key-1's private key but claiming to be key-2.
    headers = _headers(rsa_pair, key_id="key-2")
    _expect_auth_error(ring, headers, "authentication_error", "INCORRECT_API_KEY_SIGNATURE")


def test_timestamp_is_signed(ed_pair: KeyPair) -> None:
    headers = _headers(ed_pair)
    headers[HEADER_TIMESTAMP] = str(NOW_MS + 1)
    _expect_auth_error(
        _ring(ed_pair), headers, "authentication_error", "INCORRECT_API_KEY_SIGNATURE"
    )


@pytest.mark.parametrize(("allow", "accepted"), [(True, True), (False, False)])
def test_authenticate_pkcs1v15_switch(rsa_pair: KeyPair, allow: bool, accepted: bool) -> None:
    headers = dict(
        signing_headers(rsa_pair.private_pem, "key-1", "GET", PATH, NOW_MS, scheme="pkcs1v15")
    )
    ring = _ring(rsa_pair)
    if accepted:
        assert _authenticate(ring, headers, allow_pkcs1v15=allow).api_key_id == "key-1"
    else:
        _expect_auth_error(
            ring,
            headers,
            "authentication_error",
            "INCORRECT_API_KEY_SIGNATURE",
            allow_pkcs1v15=allow,
        )


# ---------------------------------------------------------------------------------------
# KeyRing


def test_keyring_remove_makes_authenticate_not_found(rsa_pair: KeyPair) -> None:
    ring = _ring(rsa_pair)
    headers = _headers(rsa_pair)
    assert _authenticate(ring, headers).api_key_id == "key-1"
    assert ring.remove("key-1") is True
    assert ring.get("key-1") is None
    assert "key-1" not in ring
    _expect_auth_error(ring, headers, "NOT_FOUND", None)
    assert ring.remove("key-1") is False


def test_keyring_get_returns_parsed_key(ed_pair: KeyPair) -> None:
    ring = _ring(ed_pair)
    entry = ring.get("key-1")
    assert entry is not None
    record, key = entry
    assert record == _record(ed_pair)
    # Held in the form that verifies fastest: libsodium's, same raw public key.
    assert isinstance(key, VerifyKey)
    parsed, _ = load_public_key(ed_pair.public_pem)
    assert isinstance(parsed, ed25519.Ed25519PublicKey)
    assert bytes(key) == parsed.public_bytes_raw()
    assert len(ring) == 1


def test_keyring_add_replaces_same_id(rsa_pair: KeyPair, ed_pair: KeyPair) -> None:
    ring = _ring(rsa_pair)
    ring.add(_record(ed_pair, "key-1"))
    assert len(ring) == 1
    assert _authenticate(ring, _headers(ed_pair)).key_type == "ed25519"
    _expect_auth_error(
        ring, _headers(rsa_pair), "authentication_error", "INCORRECT_API_KEY_SIGNATURE"
    )


def test_keyring_add_rejects_declared_type_mismatch(ed_pair: KeyPair) -> None:
    record = ApiKeyRecord(
        api_key_id="key-1",
        user_id="user-1",
        name="liar",
        scopes=("read",),
        key_type="rsa",
        public_key_pem=ed_pair.public_pem,
        subaccount=None,
    )
    ring = KeyRing()
    with pytest.raises(KeyFormatError, match="declared rsa"):
        ring.add(record)
    assert len(ring) == 0


def test_keyring_add_rejects_bad_pem(ed_pair: KeyPair) -> None:
    with pytest.raises(KeyFormatError):
        KeyRing([replace(_record(ed_pair), public_key_pem="nope")])


def test_api_key_record_is_frozen(ed_pair: KeyPair) -> None:
    record = _record(ed_pair)
    with pytest.raises(AttributeError):
        record.name = "changed"  # type: ignore[misc]


# ---------------------------------------------------------------------------------------
# Scopes


@pytest.mark.parametrize(
    ("scopes", "read", "write"),
    [
        ((), False, False),
        (("read",), True, False),
        (("write",), False, True),
        (("read", "write"), True, True),
        (("write::trade",), False, True),
        (("read::portfolio_balance",), True, False),
        (("read::block_trade_accept", "write::transfer"), True, True),
        (("reader", "writes", "read:x"), False, False),
    ],
)
def test_has_scope(ed_pair: KeyPair, scopes: tuple[str, ...], read: bool, write: bool) -> None:
    record = _record(ed_pair, scopes=scopes)
    assert has_scope(record, "read") is read
    assert has_scope(record, "write") is write
