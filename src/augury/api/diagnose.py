"""Authentication failures that teach: what was wrong with a request's credentials.

``authenticate`` (``augury.api.auth``) stays exactly Kalshi's check and answers Kalshi's
401 codes. When it refuses a request, ``auth_failure`` looks at the request once more
and says, in the error's ``details`` (a string, so strict clients still parse the body),
what the server expected and which common mistake the request matches:

- a bad signature: the exact pre-sign text the server verified; whether the signature
  verifies over the path without ``/trade-api/v2``, with the query string, both, the
  percent-decoded path or a lower-case method; whether it is RSA PKCS#1 v1.5 where PSS
  is required;
- a stale timestamp: whether it looks like seconds or microseconds instead of ms;
- a malformed timestamp: what a well-formed one looks like.

The details start with Kalshi's own sub-code (``INCORRECT_API_KEY_SIGNATURE: ...``), so a
client that matches on its prefix still does. Under ``--compat tutorials`` the first
three path variants are *accepted* instead (``tolerated``), as old tutorials sign them.
The extra verifications run only for requests that already failed; failed-auth
throttling bounds what they can cost. Nothing secret is revealed: the pre-sign text is
made of the request's own timestamp, method and path.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from augury.api.auth import (
    HEADER_TIMESTAMP,
    ApiKeyRecord,
    AuthError,
    KeyRing,
    verify_signature,
)
from augury.api.errors import ApiError

__all__ = ["TOLERATED", "auth_failure"]

PREFIX = "/trade-api/v2"
COMPAT_HINT = "augury serve --compat tutorials accepts this form"
# The variants --compat tutorials accepts (the others are only diagnosed).
TOLERATED = frozenset({"no_prefix", "with_query", "no_prefix_with_query"})
_SECONDS_DIGITS = 10
_MICROS_DIGITS = 16


def _variants(timestamp: str, method: str, path: str, query: str) -> list[tuple[str, str, str]]:
    """(name, what it is, pre-sign text) of each common signing mistake."""
    upper = method.upper()
    out: list[tuple[str, str, str]] = []
    bare = path[len(PREFIX) :] if path.startswith(PREFIX + "/") else None
    if bare is not None:
        out.append(("no_prefix", f"the path without {PREFIX}", timestamp + upper + bare))
    if query:
        out.append(
            ("with_query", "the path with its query string", f"{timestamp}{upper}{path}?{query}")
        )
        if bare is not None:
            out.append(
                (
                    "no_prefix_with_query",
                    f"the path without {PREFIX} and with the query string",
                    f"{timestamp}{upper}{bare}?{query}",
                )
            )
    decoded = unquote(path)
    if decoded != path:
        out.append(("decoded", "the percent-decoded path", timestamp + upper + decoded))
    if method != upper or method.lower() != upper:
        out.append(("lower_method", "a lower-case method", timestamp + method.lower() + path))
    return out


def _signature_details(
    keys: KeyRing,
    key_id: str,
    timestamp: str,
    signature_b64: str,
    method: str,
    path: str,
    query: str,
    allow_pkcs1v15: bool,
    tolerate: bool,
) -> tuple[ApiKeyRecord | None, str]:
    entry = keys.get(key_id)
    expected = timestamp + method.upper() + path
    head = (
        f"INCORRECT_API_KEY_SIGNATURE: the server verified the signature over "
        f"'{expected}' (timestamp + METHOD + path including {PREFIX}, without the query)"
    )
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        return None, f"{head}; the signature header is not standard padded base64"
    if entry is None:
        return None, head
    record, key = entry
    for name, what, text in _variants(timestamp, method, path, query):
        if verify_signature(
            key, record.key_type, text.encode(), signature, allow_pkcs1v15=allow_pkcs1v15
        ):
            if tolerate and name in TOLERATED:
                return record, ""
            fix = "sign the path exactly as sent, with the prefix and without the query"
            return None, f"{head}; yours verifies over {what}: {fix} ({COMPAT_HINT})"
    if (
        record.key_type == "rsa"
        and not allow_pkcs1v15
        and verify_signature(key, "rsa", expected.encode(), signature, allow_pkcs1v15=True)
    ):
        return None, (
            f"{head}; the signature is RSA PKCS#1 v1.5, but RSA-PSS is required "
            "(SHA-256, MGF1 with SHA-256, salt length 32)"
        )
    return None, (
        f"{head}; it matches none of the common mistakes (path without the prefix, "
        "with the query, percent-decoded, lower-case method): check that the private key "
        "belongs to this key id"
    )


def _timestamp_details(code: str, details: str | None, timestamp: str, now_ms: int) -> str:
    digits = len(timestamp) if timestamp.isdigit() else 0
    if code == "header_timestamp_expired" and digits:
        if digits <= _SECONDS_DIGITS:
            return (
                f"{HEADER_TIMESTAMP} {timestamp} looks like Unix seconds; send milliseconds "
                f"(the server's clock reads {now_ms})"
            )
        if digits >= _MICROS_DIGITS:
            return f"{HEADER_TIMESTAMP} {timestamp} looks like microseconds; send milliseconds"
        return f"{HEADER_TIMESTAMP} is {int(timestamp) - now_ms:+d} ms from the server's clock"
    if details == "INVALID_TIMESTAMP":
        return (
            "INVALID_TIMESTAMP: send Unix time in whole milliseconds as ASCII digits, "
            f"e.g. {now_ms}"
        )
    return details or ""


def auth_failure(
    error: AuthError,
    keys: KeyRing,
    *,
    key_id: str | None,
    timestamp: str | None,
    signature_b64: str | None,
    method: str,
    path: str,
    query: str,
    now_ms: int,
    allow_pkcs1v15: bool,
    tolerate: bool,
) -> ApiKeyRecord:
    """Explain ``error`` (raise it as an ``ApiError`` with details), or, under
    ``--compat tutorials`` (``tolerate``), return the key of a request signed in a
    tolerated tutorial form."""
    details = error.details
    if error.details == "INCORRECT_API_KEY_SIGNATURE" and key_id and timestamp and signature_b64:
        record, details = _signature_details(
            keys, key_id, timestamp, signature_b64, method, path, query, allow_pkcs1v15, tolerate
        )
        if record is not None:
            return record
    elif timestamp is not None:
        details = _timestamp_details(error.code, error.details, timestamp, now_ms) or None
    raise ApiError(error.status, error.code, error.message, details)
