"""Order groups: the REST group list and detail, and the ``order_group_updates`` channel
(CONTRACT §4.13).

``contracts_limit_fp`` is the group's limit (absent for a group without one);
``is_auto_cancel_enabled`` is true while the group will cancel its orders when the limit
is reached: it has a limit and has not triggered. The channel carries the limit only on
``created`` and ``limit_updated``.
"""

from __future__ import annotations

import msgspec

from augury.api.render.common import ms
from augury.api.schemas import groups as wg
from augury.api.ws import messages as m
from augury.domain.units import count_c_to_str
from augury.engine.events import OrderGroupUpdate
from augury.queries.views import GroupView

__all__ = ["group", "group_detail", "group_message"]

_encode = msgspec.json.Encoder().encode


def _armed(view: GroupView) -> bool:
    return view.contracts_limit_c is not None and not view.triggered


def _limit_fp(view: GroupView) -> str | None:
    limit = view.contracts_limit_c
    return count_c_to_str(limit) if limit is not None else None


def group(view: GroupView) -> wg.OrderGroup:
    """Render a group as ``GET /portfolio/order_groups`` lists it."""
    return wg.OrderGroup(
        id=view.group_id,
        contracts_limit_fp=_limit_fp(view),
        is_auto_cancel_enabled=_armed(view),
        exchange_index=0,
    )


def group_detail(view: GroupView) -> wg.GetOrderGroupResponse:
    """Render ``GET /portfolio/order_groups/{id}``: the group and its live orders."""
    return wg.GetOrderGroupResponse(
        is_auto_cancel_enabled=_armed(view),
        contracts_limit_fp=_limit_fp(view),
        orders=list(view.order_ids),
        exchange_index=0,
    )


def group_message(update: OrderGroupUpdate) -> bytes:
    """Build a private ``order_group_updates`` WebSocket body."""
    limit = update.contracts_limit_c
    with_limit = update.kind in ("created", "limit_updated") and limit is not None
    return _encode(
        m.OrderGroupMsg(
            event_type=update.kind,
            order_group_id=update.group_id,
            ts_ms=ms(update.ts_ns),
            contracts_limit_fp=count_c_to_str(limit) if with_limit and limit is not None else None,
        )
    )
