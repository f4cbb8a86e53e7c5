"""Kalshi request signing on the client side (CONTRACT §1.2).

The three headers are ``KALSHI-ACCESS-KEY`` (key id), ``KALSHI-ACCESS-TIMESTAMP`` (Unix
milliseconds) and ``KALSHI-ACCESS-SIGNATURE``: standard base64 of a signature over
``timestamp + METHOD + path``, where ``path`` is the percent-encoded path as sent, with
``/trade-api/v2`` and without the query. RSA keys sign with RSA-PSS, SHA-256, MGF1-SHA-256
and salt = digest length (what Kalshi's examples do and every verifier accepts); Ed25519
keys sign plainly. The key type is read from the PEM.

Unique stamps: the server refuses a signed write or WebSocket handshake it has seen
before (decision 0020), and Ed25519 signatures are deterministic, so two writes to one
path in the same millisecond would sign identically. A ``Signer`` therefore gives every
signed write and handshake its own timestamp: the clock's millisecond, or one past the
previous one when the clock has not moved on. Reads keep the clock's millisecond. Write
rates stay far below 1,000/s per key in every Kalshi tier, so the stamps never run ahead
of the clock for long.

Invariant: the private key is parsed once (``Signer.from_pem``) and validated then: an RSA
key under 2048 bits or any other key type is refused with ``ValueError``, so a bad
credential fails at load, not on the first order.
"""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass, field
from typing import Final

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

__all__ = [
    "HEADER_KEY",
    "HEADER_SIGNATURE",
    "HEADER_TIMESTAMP",
    "Signer",
    "UniqueStamps",
    "generate_private_key_pem",
    "public_key_pem",
]

HEADER_KEY: Final = "KALSHI-ACCESS-KEY"
HEADER_TIMESTAMP: Final = "KALSHI-ACCESS-TIMESTAMP"
HEADER_SIGNATURE: Final = "KALSHI-ACCESS-SIGNATURE"
RSA_BITS_MIN: Final = 2048
_PSS: Final = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)

PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
_READ_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


class UniqueStamps:
    """Strictly increasing millisecond stamps, shared by the threads using one key."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = 0

    def next(self, ts_ms: int) -> int:
        """Return ``ts_ms``, or one past the last stamp when the clock has not moved on."""
        with self._lock:
            self._last_ms = max(ts_ms, self._last_ms + 1)
            return self._last_ms


def _load(pem: str | bytes) -> PrivateKey:
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not an unencrypted PEM private key: {exc}") from None
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < RSA_BITS_MIN:
            raise ValueError(f"RSA key of {key.key_size} bits; at least {RSA_BITS_MIN} needed")
        return key
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key
    raise ValueError(f"unsupported key type {type(key).__name__}: use RSA or Ed25519")


@dataclass(frozen=True, slots=True)
class Signer:
    """An API key id and its loaded private key."""

    key_id: str
    key: PrivateKey
    _stamps: UniqueStamps = field(default_factory=UniqueStamps, compare=False, repr=False)

    @classmethod
    def from_pem(cls, key_id: str, pem: str | bytes) -> Signer:
        """Load and validate a PEM private key (RSA >= 2048 bits, or Ed25519)."""
        if not key_id:
            raise ValueError("the API key id is empty")
        return cls(key_id, _load(pem))

    @property
    def key_type(self) -> str:
        """Return ``"rsa"`` or ``"ed25519"``."""
        return "rsa" if isinstance(self.key, rsa.RSAPrivateKey) else "ed25519"

    def sign(self, text: str) -> str:
        """Return the base64 signature of ``text``."""
        message = text.encode()
        if isinstance(self.key, rsa.RSAPrivateKey):
            raw = self.key.sign(message, _PSS, hashes.SHA256())
        else:
            raw = self.key.sign(message)
        return base64.b64encode(raw).decode("ascii")

    def headers(
        self, method: str, path: str, ts_ms: int, *, unique: bool | None = None
    ) -> dict[str, str]:
        """Return the three Kalshi auth headers for ``METHOD path`` at ``ts_ms``.

        ``unique`` (default: for writes) makes the stamp one this signer never used before
        (see the module docstring); WebSocket handshakes pass True.
        """
        if unique is None:
            unique = method.upper() not in _READ_METHODS
        stamp = str(self._stamps.next(ts_ms) if unique else ts_ms)
        return {
            HEADER_KEY: self.key_id,
            HEADER_TIMESTAMP: stamp,
            HEADER_SIGNATURE: self.sign(stamp + method.upper() + path.split("?", 1)[0]),
        }


def generate_private_key_pem(key_type: str = "ed25519") -> str:
    """Return a new private key as PKCS#8 PEM (``rsa`` 2048 bits or ``ed25519``)."""
    key: PrivateKey
    if key_type == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif key_type == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
    else:
        raise ValueError(f"key type must be rsa or ed25519, got {key_type!r}")
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_key_pem(private_pem: str) -> str:
    """Return the SubjectPublicKeyInfo PEM of a private key (to register it as an API key)."""
    return (
        _load(private_pem)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
