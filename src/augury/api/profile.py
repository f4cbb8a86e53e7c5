"""``--profile 2026``: responses carry only the keys of the current contract (SDK 3.34).

The default profile stays the compatible one: besides the 3.34 keys it sends courtesy
keys older clients read (integer cents and counts, ``orderbook``, ``response_price_units``,
``fractional_trading_enabled``, ``liquidity_dollars``, ``available_on_brokers``...). Under the
2026 profile ``contract_body`` renders a response with, for every model the SDK knows,
only the keys ``CONTRACT_KEYS`` lists for it (taken from the digest); objects the SDK does
not model (the error envelope) pass unchanged. It follows msgspec's ``omit_defaults`` rule
(an optional key is left out when it holds its default) so a key is never sent as
``null`` that the default profile would have omitted. The walk costs a little more than a
plain encode, and only the 2026 profile pays it. docs/profiles.md lists what each profile
serves.
"""

from __future__ import annotations

from typing import Any

import msgspec

from augury.api.contract_keys import CONTRACT_KEYS

__all__ = ["contract_body", "contract_view"]


def contract_view(obj: Any) -> Any:
    """Return ``obj`` as builtins holding only the current contract's keys."""
    if isinstance(obj, msgspec.Struct):
        allowed = CONTRACT_KEYS.get(type(obj).__name__)
        out: dict[str, Any] = {}
        for field in msgspec.structs.fields(obj):
            if allowed is not None and field.encode_name not in allowed:
                continue
            value = getattr(obj, field.name)
            if not field.required and value == field.default:
                continue
            out[field.encode_name] = contract_view(value)
        return out
    if isinstance(obj, list | tuple):
        return [contract_view(item) for item in obj]
    return obj


def contract_body(obj: Any) -> bytes:
    """Encode a response under the 2026 profile."""
    return msgspec.json.encode(contract_view(obj))
