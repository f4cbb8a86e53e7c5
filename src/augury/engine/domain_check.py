"""The engine's first check of every command: each field within its domain.

``domain_reject(command)`` looks at the command alone (no state) and returns the
``OUT_OF_DOMAIN`` reject naming the first field outside its bound in
``augury.domain.limits``, or None. ``Exchange.apply`` calls it before anything else, so it
leads the precedence of ``augury.domain.rejects``; the sequencer calls it too, before it
journals, so an out-of-domain command is refused alone and never written (it changes no
state, so leaving it out of the journal cannot change a replay).

``FIELDS`` is the whole rule, and the specification a native engine mirrors: for each
command type, its bounded fields in checking order (the first failure names the field).
Integers are magnitude bounds (``|value| <= bound``); strings are lengths in code points;
a list bounds its length and each item; ``None`` (an absent optional) always passes.
Semantic rules (positive sizes, lot multiples, prices on the grid, expirations in the
future) keep their own reasons and run later; this check only keeps every value
representable and every record small. A ``Batch`` is checked item by item, when each item
is applied.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from augury.domain import limits as lim
from augury.domain.rejects import Reject, RejectReason
from augury.engine import commands as c

__all__ = ["FIELDS", "domain_reject"]

# A field rule: ("int", bound) | ("text", max_len) | ("texts", (max_items, max_len)).
_Rule = tuple[str, str, int | tuple[int, int]]


def _int(name: str, bound: int) -> _Rule:
    return (name, "int", bound)


def _text(name: str, max_len: int) -> _Rule:
    return (name, "text", max_len)


_USER = _text("user_id", lim.USER_ID_MAX_LEN)
_TICKER = _text("ticker", lim.TICKER_MAX_LEN)
_ORDER_ID = _text("order_id", lim.ID_MAX_LEN)
_GROUP_ID = _text("group_id", lim.ID_MAX_LEN)
_SUB = _int("subaccount", lim.SUBACCOUNT_MAX)
_PRICE = _int("price_cc", lim.PRICE_MAX_CC)
_COUNT = _int("count_c", lim.COUNT_MAX_C)
_AMOUNT = _int("amount_cc", lim.MONEY_MAX_CC)
_EXPIRATION = _int("expiration_ts_ns", lim.TIME_MAX_NS)
_CLIENT_ID = _text("client_order_id", lim.ID_MAX_LEN)

FIELDS: Final[dict[type, tuple[_Rule, ...]]] = {
    c.CreateUser: (_USER, _text("name", lim.NAME_MAX_LEN)),
    c.Deposit: (_USER, _AMOUNT, _SUB, _text("transfer_id", lim.TRANSFER_ID_MAX_LEN)),
    c.Withdraw: (_USER, _AMOUNT, _SUB, _text("transfer_id", lim.TRANSFER_ID_MAX_LEN)),
    c.RegisterApiKey: (
        _text("api_key_id", lim.ID_MAX_LEN),
        _USER,
        _text("name", lim.NAME_MAX_LEN),
        _text("public_key_pem", lim.PEM_MAX_LEN),
        _text("key_type", lim.WORD_MAX_LEN),
        ("scopes", "texts", (lim.LIST_MAX_ITEMS, lim.WORD_MAX_LEN)),
        _SUB,
    ),
    c.RevokeApiKey: (_text("api_key_id", lim.ID_MAX_LEN), _USER),
    c.SetUserTier: (_USER, _text("tier", lim.WORD_MAX_LEN)),
    c.CreateSubaccount: (_USER,),
    c.TransferCash: (
        _USER,
        _int("from_subaccount", lim.SUBACCOUNT_MAX),
        _int("to_subaccount", lim.SUBACCOUNT_MAX),
        _AMOUNT,
        _text("transfer_id", lim.TRANSFER_ID_MAX_LEN),
    ),
    c.AddSeries: (
        _TICKER,
        _text("fee_type", lim.WORD_MAX_LEN),
        _int("fee_multiplier_e4", lim.FEE_MULTIPLIER_MAX_E4),
    ),
    c.AddEvent: (
        _text("event_ticker", lim.TICKER_MAX_LEN),
        _text("series_ticker", lim.TICKER_MAX_LEN),
    ),
    c.AddMarket: (
        _TICKER,
        _text("event_ticker", lim.TICKER_MAX_LEN),
        _int("open_ts_ns", lim.TIME_MAX_NS),
        _int("close_ts_ns", lim.TIME_MAX_NS),
        _text("price_level_structure", lim.WORD_MAX_LEN),
        _int("settlement_timer_s", lim.SETTLEMENT_TIMER_MAX_S),
    ),
    c.SetMarketState: (_TICKER,),
    c.DetermineMarket: (_TICKER, _int("value_cc", lim.PRICE_MAX_CC)),
    c.FinalizeMarket: (_TICKER,),
    c.SetExchangeState: (),
    c.Tick: (),
    c.PlaceOrder: (
        _USER,
        _TICKER,
        _PRICE,
        _COUNT,
        _SUB,
        _CLIENT_ID,
        _text("order_group_id", lim.ID_MAX_LEN),
        _EXPIRATION,
        _int("buy_max_cost_cc", lim.MONEY_MAX_CC),
    ),
    c.CancelOrder: (_USER, _ORDER_ID, _SUB),
    c.AmendOrder: (
        _USER,
        _ORDER_ID,
        _TICKER,
        _PRICE,
        _COUNT,
        _SUB,
        _CLIENT_ID,
        _text("updated_client_order_id", lim.ID_MAX_LEN),
        _EXPIRATION,
    ),
    c.DecreaseOrder: (
        _USER,
        _ORDER_ID,
        _int("reduce_by_c", lim.COUNT_MAX_C),
        _int("reduce_to_c", lim.COUNT_MAX_C),
        _SUB,
    ),
    c.CancelAll: (_USER, _SUB, _TICKER),
    c.CreateOrderGroup: (_USER, _SUB, _int("contracts_limit_c", lim.COUNT_MAX_C)),
    c.OrderGroupAction: (_USER, _GROUP_ID),
    c.UpdateOrderGroupLimit: (_USER, _GROUP_ID, _int("contracts_limit_c", lim.COUNT_MAX_C)),
    c.Batch: (),
}


# The table is compiled once, at import, into one plain function per command type: the
# check runs twice per command (sequencer, engine), and straight-line attribute reads and
# comparisons cost about a fifth of walking the rules (0.3 us against 1.5 us for an order,
# measured on the dev VM). The source is built only from this module's own field names
# and integer bounds.
def _compile(command_type: type, rules: tuple[_Rule, ...]) -> Callable[[Any], str | None]:
    lines = ["def check(cmd):"]
    for name, kind, bound in rules:
        lines.append(f"    v = cmd.{name}")
        if kind == "int":
            message = f"{name} is out of range (magnitude at most {bound})"
            lines.append(f"    if v is not None and not -{bound} <= v <= {bound}:")
        elif kind == "text":
            message = f"{name} is too long (at most {bound} characters)"
            lines.append(f"    if v is not None and len(v) > {bound}:")
        else:
            assert isinstance(bound, tuple)
            most, max_len = bound
            message = f"{name} holds too many or too long items"
            lines.append(
                f"    if v is not None and (len(v) > {most} or "
                f"any(len(item) > {max_len} for item in v)):"
            )
        lines.append(f"        return {message!r}")
    lines.append("    return None")
    namespace: dict[str, Any] = {}
    source = compile("\n".join(lines), f"<domain check of {command_type.__name__}>", "exec")
    exec(source, namespace)  # noqa: S102  (our own table, see above)
    check: Callable[[Any], str | None] = namespace["check"]
    return check


_CHECKS: Final[dict[type, Callable[[Any], str | None]]] = {
    command_type: _compile(command_type, rules) for command_type, rules in FIELDS.items()
}


def domain_reject(command: c.Command) -> Reject | None:
    """Return the ``OUT_OF_DOMAIN`` reject for the command's first out-of-bounds field.

    Args:
        command: any single command; a ``Batch`` passes here (its items are checked when
            each is applied).
    """
    message = _CHECKS[type(command)](command)
    if message is None:
        return None
    return Reject(RejectReason.OUT_OF_DOMAIN, message)
