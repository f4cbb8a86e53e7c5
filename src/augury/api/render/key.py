"""API keys as ``GET /api_keys`` lists them (CONTRACT §4.12): id, name, scopes and the
subaccount a key is restricted to. The operator's ``admin`` scope is not a Kalshi scope
and never appears on the wire."""

from __future__ import annotations

from typing import Final, cast, get_args

from augury.api.schemas import keys as wk
from augury.api.schemas.enums import ApiKeyScope
from augury.queries.views import ApiKeyView

__all__ = ["WIRE_SCOPES", "api_key"]

WIRE_SCOPES: Final = frozenset(get_args(ApiKeyScope))


def api_key(view: ApiKeyView) -> wk.ApiKey:
    """Render one API key."""
    return wk.ApiKey(
        api_key_id=view.api_key_id,
        name=view.name,
        scopes=cast(list[ApiKeyScope], [s for s in view.scopes if s in WIRE_SCOPES]),
        subaccount=view.subaccount,
    )
