"""A request described as data: ``Call[T]`` is what one endpoint call sends and decodes.

``augury.client.endpoints`` (generated) and ``augury.client.legacy`` build Calls;
``Client.send`` and ``AsyncClient.send`` execute them with signing, rate limiting, retries
and the cache. Keeping the request a value makes every client feature testable without a
network, and lets sync and async share one implementation of everything but the I/O.

Invariants:
    - ``path`` is percent-encoded (``/`` in an id becomes ``%2F``) and is exactly what is
      signed; ``template`` is the route (``/markets/{ticker}``) used for billing and
      metrics labels, never the raw path.
    - ``creates`` marks the order-creating endpoints; ``client_order_ids`` lists the ids
      their body carries (``None`` where an order has none). A create is only ever retried
      when every order in it has a client_order_id, so a retry cannot double an order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Generic, TypeVar
from urllib.parse import quote

import msgspec

__all__ = ["CREATE_TEMPLATES", "Call", "make_call"]

T = TypeVar("T")

CREATE_TEMPLATES: Final = frozenset(
    {
        "/portfolio/events/orders",
        "/portfolio/events/orders/batched",
        "/portfolio/orders",
        "/portfolio/orders/batched",
    }
)


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One API request and the type of its success body (``None``: no body)."""

    method: str
    template: str
    path: str
    query: tuple[tuple[str, str], ...]
    body: bytes | None
    response: type[T] | None
    status: int
    signed: bool
    items: int = 1
    creates: bool = False
    client_order_ids: tuple[str | None, ...] = field(default=())

    @property
    def retry_safe(self) -> bool:
        """Whether sending this call twice can never do anything twice."""
        if not self.creates:
            return True
        return bool(self.client_order_ids) and all(self.client_order_ids)


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _query(items: Sequence[tuple[str, Any, str]]) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for name, value, how in items:
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            if how == "multi":
                out += [(name, _query_value(v)) for v in value]
            else:
                out.append((name, ",".join(_query_value(v) for v in value)))
        else:
            out.append((name, _query_value(value)))
    return tuple(out)


def _orders_of(body: Any) -> list[Any] | None:
    orders = body.get("orders") if isinstance(body, dict) else getattr(body, "orders", None)
    return orders if isinstance(orders, list) else None


def _client_order_id(item: Any) -> str | None:
    found = (
        item.get("client_order_id")
        if isinstance(item, dict)
        else getattr(item, "client_order_id", None)
    )
    return found if isinstance(found, str) and found else None


def make_call(
    method: str,
    template: str,
    response: type[T] | None,
    status: int,
    *,
    path: Mapping[str, str],
    query: Sequence[tuple[str, Any, str]],
    body: Any,
    signed: bool,
) -> Call[T]:
    """Build a Call: fill and percent-encode the path, encode the query and the body."""
    filled = template
    for name, value in path.items():
        filled = filled.replace("{" + name + "}", quote(str(value), safe=""))
    orders = _orders_of(body) if body is not None else None
    creates = method == "POST" and template in CREATE_TEMPLATES
    ids: tuple[str | None, ...] = ()
    if creates:
        items_for_ids = orders if orders is not None else [body]
        ids = tuple(_client_order_id(item) for item in items_for_ids)
    return Call(
        method=method,
        template=template,
        path=filled,
        query=_query(query),
        body=None if body is None else msgspec.json.encode(body),
        response=response,
        status=status,
        signed=signed,
        items=max(len(orders), 1) if orders is not None else 1,
        creates=creates,
        client_order_ids=ids,
    )
