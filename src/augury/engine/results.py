"""What applying a command gives back: ``Outcome[R]``, its events and a typed result.

Every command type names its result type in its class (``commands.py``:
``class PlaceOrder(Cmd[OrderUpdate])``), so ``Exchange.apply`` and ``Sequencer.submit``
return an ``Outcome[OrderUpdate]`` for a ``PlaceOrder`` and mypy checks every reader.
An outcome is either accepted (``reject`` is None: its events, in the order they
happened, and its ``value``) or refused (``reject`` says why; no events, no value, and
the state did not change at all).

Results, by command (the contract a second engine implementation returns too):

==========================  =================================================================
command                     ``value`` when accepted
==========================  =================================================================
CreateUser                  ``str``: the user id
RegisterApiKey, RevokeApiKey  ``str``: the key id
SetUserTier                 ``str``: the tier as given (``default`` included)
Deposit, Withdraw           ``int``: the account's available cash afterwards, centi-cents
CreateSubaccount            ``int``: the new subaccount's number
TransferCash                ``str``: the transfer id
AddSeries, AddEvent, AddMarket  ``bool``: True if created, False if it existed (metadata
                            refreshed)
SetMarketState, DetermineMarket, FinalizeMarket  ``str``: the market's status afterwards
SetExchangeState            ``bool``: whether trading is active afterwards
Tick                        ``int``: how many orders were due to expire
PlaceOrder, DecreaseOrder   ``OrderUpdate``: the order's state afterwards
CancelOrder                 ``OrderUpdate``: the order's final state
AmendOrder                  ``Amended``: the order before and after
CancelAll                   ``list[str]``: the ids of the cancelled orders, sorted
CreateOrderGroup            ``str``: the new group's id
OrderGroupAction, UpdateOrderGroupLimit  ``str``: the group id
Batch                       ``list[Outcome]``: one outcome per item, in order
==========================  =================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Never, TypeVar, cast

from augury.domain.rejects import Reject
from augury.engine.events import Event, OrderUpdate

__all__ = ["Amended", "Outcome", "batch_outcomes", "refused"]

R_co = TypeVar("R_co", covariant=True)


@dataclass(frozen=True, slots=True)
class Amended:
    """An amended order: its state just before the amendment and just after it."""

    old: OrderUpdate
    new: OrderUpdate


class Outcome(Generic[R_co]):
    """The result of one command: its events and typed value, or the reason it was refused.

    Attributes:
        events: what the command did, in order (empty when refused).
        reject: why the command was refused, or None when it was accepted.
        ts_ns: the time the command was applied at (its envelope's).
    """

    __slots__ = ("_value", "events", "reject", "ts_ns")

    def __init__(self, events: list[Event], reject: Reject | None, value: R_co, ts_ns: int) -> None:
        self.events = events
        self.reject = reject
        self._value = value
        self.ts_ns = ts_ns

    @property
    def ok(self) -> bool:
        return self.reject is None

    @property
    def value(self) -> R_co:
        """The command's result (see the table above); only an accepted command has one."""
        if self.reject is not None:
            raise AssertionError(f"a refused command has no result ({self.reject!r})")
        return self._value


def batch_outcomes(outcome: Outcome[object]) -> list[Outcome[object]]:
    """Return the item outcomes of an accepted ``Batch``'s outcome (for readers that see
    every command's outcome as an ``Outcome[object]``, such as the sequencer's sinks)."""
    items = outcome.value
    assert isinstance(items, list), "not the outcome of a Batch"
    return items


def refused(reject: Reject, ts_ns: int) -> Outcome[Never]:
    """Return the outcome of a command refused at ``ts_ns`` (it fits every ``Outcome[R]``)."""
    # A refused outcome never hands out its value (``Outcome.value`` raises), so the None
    # stored in its place is never seen as an R.
    return cast("Outcome[Never]", Outcome([], reject, None, ts_ns))
