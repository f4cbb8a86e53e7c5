"""JSON encoding of responses and strict decoding of request bodies.

- ``encode`` uses one shared ``msgspec.json.Encoder``; Structs carry their own presence
  rules (see ``base``), so nothing else is needed to produce the wire bytes.
- ``decode_request`` decodes a body into a request Struct with msgspec's strict rules:
  a JSON number where a string is declared (``"price": 0.56``), a float for an integer,
  a missing required key or an unknown enum value all fail. Unknown keys are ignored.
  An empty body is read as ``{}``, so types whose fields are all optional accept it
  (``POST /portfolio/subaccounts`` may be sent without a body) and the others report the
  first missing field. Failures raise :class:`RequestDecodeError`, whose message names the
  offending field, for the API to answer ``400 invalid_parameters``.
- ``parse_dollars`` / ``parse_count`` turn a decoded dollar or count string into
  integer centi-cents / centi-contracts within their domain (``augury.domain.limits``)
  and report a malformed or out-of-range value the same way, without repeating it.
- A body that is not UTF-8, or nested too deep for the decoder, is a 400 like any other
  malformed body.
"""

import re
from typing import Any, TypeVar, cast

import msgspec

from augury.domain.limits import COUNT_MAX_C, MONEY_MAX_CC
from augury.domain.units import UnitError, count_c_from_str, dollars_cc_from_str

__all__ = [
    "RequestDecodeError",
    "decode_request",
    "encode",
    "parse_count",
    "parse_dollars",
]

T = TypeVar("T")

_ENCODER = msgspec.json.Encoder()
_AT_PATH = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")
_MISSING = re.compile(r"missing required field `(?P<name>[^`]+)`")


class RequestDecodeError(ValueError):
    """A request body is not valid JSON for its schema.

    Attributes:
        field: Dotted path of the offending field (``"orders[0].price"``), or ``None``
            when the body as a whole is at fault (malformed JSON, not an object).
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def encode(obj: object) -> bytes:
    """Encode a response Struct (or any msgspec-encodable value) as JSON bytes.

    Args:
        obj: The value to encode.
    """
    return _ENCODER.encode(obj)


# One decoder per request type, built on first use; the set of request types is fixed,
# so the cache is bounded by the number of Structs in this package.
_DECODERS: dict[object, msgspec.json.Decoder[Any]] = {}


def _decoder(type_: object) -> msgspec.json.Decoder[Any]:
    decoder = _DECODERS.get(type_)
    if decoder is None:
        decoder = _DECODERS[type_] = msgspec.json.Decoder(type_)
    return decoder


def _field_of(message: str) -> str | None:
    at = _AT_PATH.search(message)
    path = at.group("path") if at else ""
    missing = _MISSING.search(message)
    if missing:
        name = missing.group("name")
        return f"{path}.{name}" if path else name
    return path or None


def decode_request(body: bytes, type_: type[T]) -> T:
    """Decode a request body strictly into ``type_``.

    Args:
        body: The raw HTTP body; empty or whitespace-only means ``{}``.
        type_: The request Struct to decode into.

    Raises:
        RequestDecodeError: The body is malformed JSON or does not match the schema.
    """
    data = body if body.strip() else b"{}"
    try:
        if not data.isascii():
            # JSON is UTF-8 (RFC 8259), also inside keys the schema ignores, which the
            # decoder skips unread; an ASCII body (nearly all) needs no check.
            data.decode("utf-8")
        return cast(T, _decoder(type_).decode(data))
    except msgspec.ValidationError as exc:
        text = str(exc)
        raise RequestDecodeError(f"invalid request body: {text}", _field_of(text)) from None
    except msgspec.DecodeError as exc:
        raise RequestDecodeError(f"malformed JSON body: {exc}") from None
    except UnicodeDecodeError:
        raise RequestDecodeError("malformed JSON body: not valid UTF-8") from None
    except RecursionError:
        raise RequestDecodeError("malformed JSON body: nested too deeply") from None


def _bounded(value: int, bound: int, field: str) -> int:
    if not -bound <= value <= bound:
        raise RequestDecodeError(f"invalid `{field}`: out of range (at most {bound})", field)
    return value


def parse_dollars(value: str, field: str, bound_cc: int = MONEY_MAX_CC) -> int:
    """Parse a request dollar string into centi-cents, naming ``field`` on failure.

    Args:
        value: A fixed-point dollar string such as ``"0.56"`` or ``"0.5600"``.
        field: The wire name to report, e.g. ``"price"``.
        bound_cc: The largest magnitude allowed (``PRICE_MAX_CC`` for a price).

    Raises:
        RequestDecodeError: The value is not an exact multiple of $0.0001, or is out of
            range.
    """
    try:
        return _bounded(dollars_cc_from_str(value), bound_cc, field)
    except UnitError as exc:
        raise RequestDecodeError(f"invalid `{field}`: {exc}", field) from None


def parse_count(value: str, field: str) -> int:
    """Parse a request count string into centi-contracts, naming ``field`` on failure.

    Args:
        value: A fixed-point count string such as ``"10"`` or ``"10.00"``.
        field: The wire name to report, e.g. ``"count"``.

    Raises:
        RequestDecodeError: The value is not an exact multiple of 0.01 contract, or its
            magnitude exceeds ``COUNT_MAX_C``.
    """
    try:
        return _bounded(count_c_from_str(value), COUNT_MAX_C, field)
    except UnitError as exc:
        raise RequestDecodeError(f"invalid `{field}`: {exc}", field) from None
