"""Kalshi-style API-key authentication: key parsing, request signing and verification.

What is signed
    Every authenticated request carries three headers: ``KALSHI-ACCESS-KEY`` (the key id),
    ``KALSHI-ACCESS-TIMESTAMP`` (Unix milliseconds, ASCII decimal) and
    ``KALSHI-ACCESS-SIGNATURE`` (standard, padded base64). The signature covers the
    *pre-sign text* ``timestamp + METHOD + path`` with no separators, UTF-8 encoded:

    - ``METHOD`` is upper-case;
    - ``path`` is the URL path exactly as sent on the wire: percent-encoded (an order id
      ``abc/def`` is signed as ``…/orders/abc%2Fdef``), including ``/trade-api/v2``, and
      without the ``?query``. Host and body are not signed.

    The server must therefore build the text from the *raw* request path (ASGI
    ``scope["raw_path"]``), never from the decoded ``scope["path"]``, or encoded ids fail.

Which schemes are accepted, and why
    - RSA: RSA-PSS, SHA-256, MGF1(SHA-256), verified with ``PSS.AUTO`` salt length. Kalshi's
      SDK and examples sign with salt = digest length; other clients sign with the maximum
      salt. ``AUTO`` accepts both and still rejects tampering (CONTRACT §1.2, ECOSYSTEM §1).
    - RSA PKCS#1 v1.5 with SHA-256, tried only after PSS fails and only when the caller
      allows it: hand-written clients from 2024-2025 use it. It is switchable off.
    - Ed25519: plain Ed25519 over the same text (Kalshi SDK ≥ 3.31). Keys are parsed with
      ``cryptography`` but verified with libsodium (PyNaCl): 102 µs against 200 µs per
      verify here, and verification runs on the event loop for every signed request
      (decision 0012). libsodium is the stricter verifier (it refuses small-order keys and
      non-canonical signatures, which no honest signer produces).

Invariants
    - Pure: no I/O and no clock. The current time is an ``int`` argument (``now_ms``).
    - ``authenticate`` checks in a fixed order and reports the first failure: headers
      present → timestamp is an integer → timestamp within ``±window_ms`` (inclusive) →
      key id known → signature decodes and verifies. Every failure is an ``AuthError``
      with status 401; a bad signature never raises anything else.
    - Public keys are parsed once, when added to a ``KeyRing``; requests only verify.
    - A key uploaded now (``check_uploaded_key``) is RSA of 2048-4096 bits with a public
      exponent below 2**32, or Ed25519, in at most ``PEM_CHARS_MAX`` characters: Kalshi
      accepts RSA 2048-4096 and Ed25519, and verification cost grows with the modulus
      (and, for RSA, with the exponent's bit length). ``load_public_key`` still reads RSA
      keys up to 8192 bits, so keys registered before that limit keep working.

Known limits
    - Replays inside the timestamp window and failed-authentication throttling are
      handled by ``augury.api.auth_guard``, which wraps ``check_request`` and
      ``verify_signature``; ``authenticate`` alone does neither.
    - ``has_scope`` checks only the broad read/write family; finer sub-scope checks
      (``write::transfer`` …) belong to the endpoint that needs them.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
from nacl.exceptions import CryptoError
from nacl.signing import VerifyKey

__all__ = [
    "HEADER_KEY",
    "HEADER_SIGNATURE",
    "HEADER_TIMESTAMP",
    "PEM_CHARS_MAX",
    "RSA_KEY_BITS_MAX",
    "RSA_KEY_BITS_MIN",
    "RSA_PUBLIC_EXPONENT_MAX",
    "RSA_UPLOAD_BITS_MAX",
    "ApiKeyRecord",
    "AuthError",
    "KeyFormatError",
    "KeyRing",
    "KeyType",
    "PublicKey",
    "SignScheme",
    "SignedRequest",
    "VerifyingKey",
    "authenticate",
    "bad_signature",
    "check_request",
    "check_uploaded_key",
    "generate_key_pair",
    "has_scope",
    "load_public_key",
    "presign_text",
    "require_headers",
    "sign_message",
    "signing_headers",
    "verify_signature",
    "verifying_key",
]

KeyType: TypeAlias = Literal["rsa", "ed25519"]
SignScheme: TypeAlias = Literal["pss", "pkcs1v15"]
PublicKey: TypeAlias = rsa.RSAPublicKey | ed25519.Ed25519PublicKey
# What a KeyRing holds: RSA stays a cryptography key; Ed25519 becomes a libsodium key.
VerifyingKey: TypeAlias = rsa.RSAPublicKey | VerifyKey
_PrivateKey: TypeAlias = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey

HEADER_KEY: Final = "KALSHI-ACCESS-KEY"
HEADER_TIMESTAMP: Final = "KALSHI-ACCESS-TIMESTAMP"
HEADER_SIGNATURE: Final = "KALSHI-ACCESS-SIGNATURE"

RSA_KEY_BITS_MIN: Final = 2048
# Verify cost grows with the cube of the modulus size; an 8192-bit key already costs about
# ten times a 2048-bit one, and nothing legitimate needs more.
RSA_KEY_BITS_MAX: Final = 8192
# What a key uploaded now may be (Kalshi accepts RSA 2048-4096 and Ed25519). A large public
# exponent makes every verification as slow as a private-key operation, and OpenSSL only
# bounds it for moduli above 3072 bits; real keys use 65537.
RSA_UPLOAD_BITS_MAX: Final = 4096
RSA_PUBLIC_EXPONENT_MAX: Final = 2**32
# An RSA-4096 SPKI PEM is about 800 characters; the limit is checked before parsing.
PEM_CHARS_MAX: Final = 4096
_RSA_GENERATED_BITS: Final = 2048
_RSA_PUBLIC_EXPONENT: Final = 65537

# A millisecond timestamp has 13 digits until the year 2286; 19 digits is the int64 limit.
# Bounding the length keeps int() from ever parsing a huge attacker-supplied string.
_TIMESTAMP_DIGITS_MAX: Final = 19
# The base64 of an RSA-8192 signature (1,024 bytes) is 1,368 characters.
_SIGNATURE_B64_CHARS_MAX: Final = 1368
# Enough private keys for a load generator driving many users; bounded so a long-lived
# process does not accumulate key material forever.
_PRIVATE_KEY_CACHE_SIZE: Final = 256

_SHA256: Final = hashes.SHA256()
_PSS_VERIFY: Final = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
# AUTO is verify-only; Kalshi's own examples sign with salt = digest length.
_PSS_SIGN: Final = padding.PSS(
    mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH
)
_PKCS1V15: Final = padding.PKCS1v15()


class KeyFormatError(ValueError):
    """A PEM key is malformed, of an unsupported type, or too small or large."""


class AuthError(Exception):
    """An authentication failure, carrying the Kalshi error code the client should see.

    Args:
        code: Kalshi error code (``authentication_error``, ``header_timestamp_expired``,
            ``NOT_FOUND``).
        message: Human-readable explanation.
        details: Machine-readable sub-reason, e.g. ``INCORRECT_API_KEY_SIGNATURE``.
        status: HTTP status; always 401 for authentication.
    """

    def __init__(
        self, code: str, message: str, details: str | None = None, status: int = 401
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details
        self.status = status


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """A registered API key as the exchange stores it."""

    api_key_id: str
    user_id: str
    name: str
    scopes: tuple[str, ...]
    key_type: KeyType
    public_key_pem: str
    subaccount: int | None = None


# ---------------------------------------------------------------------------------------
# Keys


def _check_rsa_size(bits: int) -> None:
    if bits < RSA_KEY_BITS_MIN or bits > RSA_KEY_BITS_MAX:
        raise KeyFormatError(
            f"RSA key is {bits} bits; it must be {RSA_KEY_BITS_MIN}-{RSA_KEY_BITS_MAX} bits"
        )


def _unsupported(key: object) -> KeyFormatError:
    return KeyFormatError(f"unsupported key type {type(key).__name__}; use RSA or Ed25519")


def load_public_key(pem: str | bytes) -> tuple[PublicKey, KeyType]:
    """Parse a PEM public key: SPKI RSA or Ed25519, or PKCS#1 ``RSA PUBLIC KEY``.

    Args:
        pem: The PEM text.

    Raises:
        KeyFormatError: The PEM is malformed, not RSA/Ed25519, or RSA outside 2048-8192 bits.
    """
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data.strip())
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyFormatError(f"not a readable PEM public key: {exc}") from exc
    if isinstance(key, rsa.RSAPublicKey):
        _check_rsa_size(key.key_size)
        return key, "rsa"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key, "ed25519"
    raise _unsupported(key)


def check_uploaded_key(pem: str) -> KeyType:
    """Check a public key a user or the operator registers now; return its type.

    Stricter than ``load_public_key`` (see the module docstring): at most
    ``PEM_CHARS_MAX`` characters, RSA of ``RSA_KEY_BITS_MIN``-``RSA_UPLOAD_BITS_MAX`` bits
    with an odd public exponent below ``RSA_PUBLIC_EXPONENT_MAX``, or Ed25519.

    Raises:
        KeyFormatError: The key is too long, unreadable, of another type or size.
    """
    if len(pem) > PEM_CHARS_MAX:
        raise KeyFormatError(f"public_key is longer than {PEM_CHARS_MAX} characters")
    key, key_type = load_public_key(pem)
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size > RSA_UPLOAD_BITS_MAX:
            raise KeyFormatError(
                f"RSA key is {key.key_size} bits; it must be "
                f"{RSA_KEY_BITS_MIN}-{RSA_UPLOAD_BITS_MAX} bits"
            )
        exponent = key.public_numbers().e
        if exponent >= RSA_PUBLIC_EXPONENT_MAX or exponent % 2 == 0:
            raise KeyFormatError("RSA public exponent must be odd and below 2**32 (use 65537)")
    return key_type


def verifying_key(key: PublicKey) -> VerifyingKey:
    """Return the form of ``key`` that ``verify_signature`` checks fastest."""
    if isinstance(key, ed25519.Ed25519PublicKey):
        return VerifyKey(key.public_bytes_raw())
    return key


def generate_key_pair(key_type: KeyType) -> tuple[str, str]:
    """Create a key pair in the PEM formats Kalshi's ``POST /api_keys/generate`` returns.

    RSA is 2048 bits with the private key in PKCS#1 (``RSA PRIVATE KEY``); Ed25519's private
    key is PKCS#8 (``PRIVATE KEY``). The public key is SPKI (``PUBLIC KEY``) for both.

    Returns:
        ``(private_pem, public_pem)``.
    """
    private_key: _PrivateKey
    if key_type == "rsa":
        private_key = rsa.generate_private_key(
            public_exponent=_RSA_PUBLIC_EXPONENT, key_size=_RSA_GENERATED_BITS
        )
        private_format = serialization.PrivateFormat.TraditionalOpenSSL
    else:
        private_key = ed25519.Ed25519PrivateKey.generate()
        private_format = serialization.PrivateFormat.PKCS8
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM, private_format, serialization.NoEncryption()
    )
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem.decode("ascii"), public_pem.decode("ascii")


@functools.lru_cache(maxsize=_PRIVATE_KEY_CACHE_SIZE)
def _load_private_key(private_key_pem: str) -> _PrivateKey:
    # Parsing costs more than signing with Ed25519, and a load generator signs thousands of
    # requests with the same few keys, so each PEM is parsed once.
    try:
        key = serialization.load_pem_private_key(private_key_pem.encode().strip(), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise KeyFormatError(f"not a readable unencrypted PEM private key: {exc}") from exc
    if isinstance(key, rsa.RSAPrivateKey):
        _check_rsa_size(key.key_size)
        return key
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key
    raise _unsupported(key)


# ---------------------------------------------------------------------------------------
# Signing and verification


def presign_text(timestamp: str, method: str, path: str) -> bytes:
    """Build the bytes a request signature covers: ``timestamp + METHOD + path``.

    Args:
        timestamp: The ``KALSHI-ACCESS-TIMESTAMP`` header value, exactly as sent.
        method: HTTP method, any case.
        path: Raw, percent-encoded URL path. Anything from ``?`` on is dropped, as the
            Kalshi SDK does, since a raw path can only contain ``?`` as the query start.
    """
    return (timestamp + method.upper() + path.partition("?")[0]).encode("utf-8")


def sign_message(private_key_pem: str, message: bytes, *, scheme: SignScheme = "pss") -> str:
    """Sign ``message`` and return the signature as standard padded base64.

    Args:
        private_key_pem: RSA (PKCS#1 or PKCS#8) or Ed25519 (PKCS#8) unencrypted PEM.
        message: The bytes to sign, normally from ``presign_text``.
        scheme: RSA padding: ``"pss"`` (salt = digest length) or ``"pkcs1v15"``.
            Ignored for Ed25519 keys.

    Raises:
        KeyFormatError: The private key cannot be read or is not RSA/Ed25519.
    """
    key = _load_private_key(private_key_pem)
    if isinstance(key, ed25519.Ed25519PrivateKey):
        signature = key.sign(message)
    elif scheme == "pss":
        signature = key.sign(message, _PSS_SIGN, _SHA256)
    else:
        signature = key.sign(message, _PKCS1V15, _SHA256)
    return base64.b64encode(signature).decode("ascii")


def signing_headers(
    private_key_pem: str,
    key_id: str,
    method: str,
    path: str,
    ts_ms: int,
    *,
    scheme: SignScheme = "pss",
) -> dict[str, str]:
    """Return the three ``KALSHI-ACCESS-*`` headers for one request.

    Args:
        private_key_pem: The API key's private key PEM.
        key_id: The API key id.
        method: HTTP method.
        path: Raw URL path as it will be sent, including ``/trade-api/v2``.
        ts_ms: Current Unix time in milliseconds.
        scheme: RSA padding; see ``sign_message``.
    """
    timestamp = str(ts_ms)
    signature = sign_message(private_key_pem, presign_text(timestamp, method, path), scheme=scheme)
    return {HEADER_KEY: key_id, HEADER_TIMESTAMP: timestamp, HEADER_SIGNATURE: signature}


def verify_signature(
    key: PublicKey | VerifyingKey,
    key_type: KeyType,
    message: bytes,
    signature: bytes,
    *,
    allow_pkcs1v15: bool,
) -> bool:
    """Check ``signature`` over ``message``; never raises for a bad signature.

    Args:
        key: A key from ``load_public_key``, or ``verifying_key`` of one.
        key_type: The type ``load_public_key`` reported for ``key``.
        message: The signed bytes.
        signature: The raw (base64-decoded) signature.
        allow_pkcs1v15: For RSA, also accept PKCS#1 v1.5 when PSS does not verify.

    Raises:
        TypeError: ``key`` is not of ``key_type`` (a programming error).
    """
    if key_type == "ed25519":
        if isinstance(key, ed25519.Ed25519PublicKey):
            key = verifying_key(key)
        if not isinstance(key, VerifyKey):
            raise TypeError(f"key_type is ed25519 but key is {type(key).__name__}")
        try:
            key.verify(message, signature)
        except CryptoError:  # a bad signature, or one that is not 64 bytes long
            return False
        return True
    if not isinstance(key, rsa.RSAPublicKey):
        raise TypeError(f"key_type is rsa but key is {type(key).__name__}")
    try:
        key.verify(signature, message, _PSS_VERIFY, _SHA256)
    except InvalidSignature:
        pass
    else:
        return True
    if not allow_pkcs1v15:
        return False
    try:
        key.verify(signature, message, _PKCS1V15, _SHA256)
    except InvalidSignature:
        return False
    return True


# ---------------------------------------------------------------------------------------
# The key ring and request authentication


class KeyRing:
    """In-memory ``api_key_id → (record, verifying key)`` cache for the request path.

    Parsing happens once in ``add``: a long-lived key object verifies about 1.7× faster
    than one parsed per request (ECOSYSTEM §1). A revoked key must be ``remove``-d.
    """

    def __init__(self, records: Iterable[ApiKeyRecord] = ()) -> None:
        self._keys: dict[str, tuple[ApiKeyRecord, VerifyingKey]] = {}
        for record in records:
            self.add(record)

    def add(self, record: ApiKeyRecord) -> None:
        """Parse and store ``record``'s key, replacing any entry with the same id.

        Raises:
            KeyFormatError: The PEM is unusable or its type differs from ``record.key_type``.
        """
        key, key_type = load_public_key(record.public_key_pem)
        if key_type != record.key_type:
            raise KeyFormatError(
                f"API key {record.api_key_id} is declared {record.key_type} "
                f"but its PEM holds a {key_type} key"
            )
        self._keys[record.api_key_id] = (record, verifying_key(key))

    def remove(self, api_key_id: str) -> bool:
        """Forget a key; return whether it was present."""
        return self._keys.pop(api_key_id, None) is not None

    def get(self, api_key_id: str) -> tuple[ApiKeyRecord, VerifyingKey] | None:
        """Return the record and verifying key for ``api_key_id``, or ``None``."""
        return self._keys.get(api_key_id)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, api_key_id: object) -> bool:
        return api_key_id in self._keys


def _bad_signature() -> AuthError:
    return AuthError(
        "authentication_error", "request signature is invalid", "INCORRECT_API_KEY_SIGNATURE"
    )


def require_headers(
    key_id: str | None, timestamp: str | None, signature_b64: str | None
) -> tuple[str, str, str]:
    """Return the three auth header values; raise ``MISSING_AUTH_HEADERS`` if one is empty."""
    # An empty header value carries no credential, so it counts as missing.
    if key_id and timestamp and signature_b64:
        return key_id, timestamp, signature_b64
    given = ((HEADER_KEY, key_id), (HEADER_TIMESTAMP, timestamp), (HEADER_SIGNATURE, signature_b64))
    missing = ", ".join(name for name, value in given if not value)
    raise AuthError(
        "authentication_error",
        f"missing authentication header(s): {missing}",
        "MISSING_AUTH_HEADERS",
    )


def _parse_timestamp(timestamp: str) -> int:
    # int() alone would accept " 12", "+12", "1_2" and non-ASCII digits; a client signs the
    # header text as sent, so only plain ASCII digits are a well-formed timestamp.
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > _TIMESTAMP_DIGITS_MAX:
        raise AuthError(
            "authentication_error",
            f"{HEADER_TIMESTAMP} must be Unix time in milliseconds",
            "INVALID_TIMESTAMP",
        )
    return int(timestamp)


def _decode_signature(signature_b64: str) -> bytes:
    if len(signature_b64) > _SIGNATURE_B64_CHARS_MAX:
        raise _bad_signature()
    try:
        return base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        raise _bad_signature() from None


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """A request whose headers passed every check but the signature itself."""

    record: ApiKeyRecord
    key: VerifyingKey
    message: bytes
    signature: bytes
    ts_ms: int


def check_request(
    ring: KeyRing,
    *,
    key_id: str | None,
    timestamp: str | None,
    signature_b64: str | None,
    method: str,
    path: str,
    now_ms: int,
    window_ms: int = 30_000,
) -> SignedRequest:
    """Do every cheap check of ``authenticate``, in its order, short of verifying.

    Raises:
        AuthError: As ``authenticate``, except ``INCORRECT_API_KEY_SIGNATURE`` for a
            signature that decodes but does not verify (that is ``verify_signature``'s).
    """
    key_id, timestamp, signature_b64 = require_headers(key_id, timestamp, signature_b64)
    ts_ms = _parse_timestamp(timestamp)
    if abs(now_ms - ts_ms) > window_ms:
        raise AuthError(
            "header_timestamp_expired",
            f"{HEADER_TIMESTAMP} is more than {window_ms} ms from the server time",
        )
    entry = ring.get(key_id)
    if entry is None:
        raise AuthError("NOT_FOUND", "API key not found")
    record, key = entry
    signature = _decode_signature(signature_b64)
    return SignedRequest(record, key, presign_text(timestamp, method, path), signature, ts_ms)


def bad_signature() -> AuthError:
    """Return the error of a signature that does not verify."""
    return _bad_signature()


def authenticate(
    ring: KeyRing,
    *,
    key_id: str | None,
    timestamp: str | None,
    signature_b64: str | None,
    method: str,
    path: str,
    now_ms: int,
    window_ms: int = 30_000,
    allow_pkcs1v15: bool = True,
) -> ApiKeyRecord:
    """Authenticate one request from its ``KALSHI-ACCESS-*`` headers.

    Args:
        ring: The registered keys.
        key_id: ``KALSHI-ACCESS-KEY`` header, or ``None`` when absent.
        timestamp: ``KALSHI-ACCESS-TIMESTAMP`` header, or ``None``.
        signature_b64: ``KALSHI-ACCESS-SIGNATURE`` header, or ``None``.
        method: HTTP method of the request.
        path: Raw, percent-encoded request path (ASGI ``raw_path``), without the query.
        now_ms: Current Unix time in milliseconds.
        window_ms: Largest accepted ``|now_ms - timestamp|``, inclusive.
        allow_pkcs1v15: Also accept RSA PKCS#1 v1.5 signatures.

    Returns:
        The record of the key that signed the request.

    Raises:
        AuthError: Checked in this order: ``authentication_error``/``MISSING_AUTH_HEADERS``,
            ``authentication_error``/``INVALID_TIMESTAMP``, ``header_timestamp_expired``,
            ``NOT_FOUND``, ``authentication_error``/``INCORRECT_API_KEY_SIGNATURE``.
    """
    signed = check_request(
        ring,
        key_id=key_id,
        timestamp=timestamp,
        signature_b64=signature_b64,
        method=method,
        path=path,
        now_ms=now_ms,
        window_ms=window_ms,
    )
    record = signed.record
    if not verify_signature(
        signed.key, record.key_type, signed.message, signed.signature, allow_pkcs1v15=allow_pkcs1v15
    ):
        raise _bad_signature()
    return record


def has_scope(record: ApiKeyRecord, required: Literal["read", "write"]) -> bool:
    """Return whether ``record`` grants ``required`` or one of its ``required::…`` sub-scopes.

    ``write`` does not imply ``read``: Kalshi requires a key to list both.
    """
    prefix = required + "::"
    return any(scope == required or scope.startswith(prefix) for scope in record.scopes)
