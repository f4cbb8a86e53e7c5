"""The double-entry ledger: every cent of the exchange, in integer centi-cents.

Accounts (all ``int`` centi-cents):

- each account's **available** cash and cash **reserved** by its resting orders
  (an account is a user's subaccount: ``(user_id, subaccount)``);
- each market's **escrow**: $1 for every open YES/NO pair;
- the exchange's **fee revenue** (fees, rounding, the house's side of voids);
- the **outside world**: deposits in, withdrawals out. It is the negative of everything
  users ever brought in, so the grand total of all accounts is always zero.

Every movement is posted as a set of legs that sum to zero (``_post`` asserts it). Cash
balances are whole cents: Kalshi floors each balance change toward minus infinity to the
cent and tracks the overpayment per order, rebating a cent whenever it reaches one
(CONTRACT.md §11.1). Positions are netted per account per market (positive = YES held,
negative = NO held): buying NO while long YES merges the pairs and returns $1 each from
escrow, so an account never holds both sides.

Invariants (checked by ``augury.ledger.audit``): the accounts sum to zero; no available or
reserved balance is negative; escrow = $1 x open pairs per market; YES held = NO held per
market; every user cash balance is a whole number of cents.
"""

from __future__ import annotations

from typing import Protocol

from augury.domain.limits import MONEY_MAX_CC
from augury.domain.rejects import Reject, RejectReason
from augury.domain.units import CC_PER_CENT, ONE_DOLLAR_CC
from augury.ledger.collateral import CENT_FINE, OrderGroupSide

__all__ = [
    "Account",
    "AccountKey",
    "FillSide",
    "Ledger",
    "Position",
    "SettlementLine",
    "settlement_payout_cc",
]

AccountKey = tuple[str, int]

# $1 per contract in micro-dollars per centi-contract: 10_000 cc / 100 c * 100 fine/cc.
_DOLLAR_FINE_PER_C = ONE_DOLLAR_CC


class Account:
    """A user's subaccount: its cash and the collateral held by its live orders."""

    __slots__ = ("available_cc", "key", "reserved_cc", "updated_ns")

    def __init__(self, key: AccountKey, ts_ns: int) -> None:
        self.key = key
        self.available_cc = 0
        self.reserved_cc = 0
        self.updated_ns = ts_ns


class Position:
    """An account's netted holding in one market, with its cost basis and P&L."""

    __slots__ = (
        "exposure_fine",
        "fees_paid_cc",
        "position_c",
        "realized_fine",
        "resting_orders",
        "settled",
        "total_traded_fine",
        "traded_c",
        "updated_ns",
    )

    def __init__(self, ts_ns: int) -> None:
        self.position_c = 0  # + YES held, - NO held
        self.exposure_fine = 0  # cost basis of what is held now
        self.total_traded_fine = 0  # gross price x size of every fill
        self.traded_c = 0  # contracts of every fill, either side (the WS ``volume``)
        self.realized_fine = 0
        self.fees_paid_cc = 0
        self.resting_orders = 0
        self.settled = False
        self.updated_ns = ts_ns


class FillSide:
    """One side's share of a fill, as the ledger computed it."""

    __slots__ = ("account", "cash_delta_cc", "closed_c", "group", "position")

    def __init__(
        self,
        account: Account,
        position: Position,
        group: OrderGroupSide,
        cash_delta_cc: int,
        closed_c: int,
    ) -> None:
        self.account = account
        self.position = position
        self.group = group
        self.cash_delta_cc = cash_delta_cc
        self.closed_c = closed_c


class SettlementLine:
    """What settling one market paid one account."""

    __slots__ = ("fee_cost_cc", "key", "no_c", "no_cost_cc", "revenue_cc", "yes_c", "yes_cost_cc")

    def __init__(self, key: AccountKey, position: Position, revenue_cc: int) -> None:
        self.key = key
        held = position.position_c
        cost_cc = position.exposure_fine // 100
        self.yes_c = held if held > 0 else 0
        self.no_c = -held if held < 0 else 0
        self.yes_cost_cc = cost_cc if held > 0 else 0
        self.no_cost_cc = cost_cc if held < 0 else 0
        self.revenue_cc = revenue_cc
        self.fee_cost_cc = position.fees_paid_cc


class Ledger:
    """All accounts, positions and escrows; mutated only by the engine's single writer."""

    __slots__ = (
        "accounts",
        "dirty_accounts",
        "dirty_positions",
        "escrow_cc",
        "external_cc",
        "fee_revenue_cc",
        "holders",
        "positions",
    )

    def __init__(self) -> None:
        self.accounts: dict[AccountKey, Account] = {}
        self.positions: dict[tuple[str, int, str], Position] = {}
        self.holders: dict[str, set[AccountKey]] = {}  # ticker -> accounts with a position
        self.escrow_cc: dict[str, int] = {}
        self.fee_revenue_cc = 0
        self.external_cc = 0
        # What changed in the current command, drained by the engine into events.
        self.dirty_accounts: dict[AccountKey, Account] = {}
        self.dirty_positions: dict[tuple[str, int, str], Position] = {}

    # --- accounts and cash ---------------------------------------------------------

    def open_account(self, key: AccountKey, ts_ns: int) -> Account:
        """Return the account, creating it empty on first use."""
        account = self.accounts.get(key)
        if account is None:
            account = self.accounts[key] = Account(key, ts_ns)
        return account

    def deposit(self, account: Account, amount_cc: int, ts_ns: int) -> None:
        """Bring cash in from the outside world, or reject without change: not a positive
        whole cent, or taking the exchange's total (deposits less withdrawals) past
        ``MONEY_MAX_CC`` (decision 0014)."""
        self._check_cents(amount_cc)
        if amount_cc - self.external_cc > MONEY_MAX_CC:
            raise Reject(
                RejectReason.MONEY_LIMIT, "deposit would exceed the exchange's money limit"
            )
        self.external_cc -= amount_cc
        account.available_cc += amount_cc
        self._touch(account, ts_ns)

    def withdraw(self, account: Account, amount_cc: int, ts_ns: int) -> None:
        """Send available cash to the outside world, or reject without change."""
        self._check_cents(amount_cc)
        if amount_cc > account.available_cc:
            raise Reject(RejectReason.INSUFFICIENT_BALANCE, "withdrawal exceeds available balance")
        account.available_cc -= amount_cc
        self.external_cc += amount_cc
        self._touch(account, ts_ns)

    def transfer(self, source: Account, target: Account, amount_cc: int, ts_ns: int) -> None:
        """Move available cash between two accounts (subaccount transfers)."""
        self._check_cents(amount_cc)
        if amount_cc > source.available_cc:
            raise Reject(RejectReason.INSUFFICIENT_BALANCE, "transfer exceeds available balance")
        source.available_cc -= amount_cc
        target.available_cc += amount_cc
        self._touch(source, ts_ns)
        self._touch(target, ts_ns)

    @staticmethod
    def _check_cents(amount_cc: int) -> None:
        if amount_cc <= 0 or amount_cc % CC_PER_CENT:
            raise Reject(RejectReason.INVALID_PARAMETERS, "amount must be a positive whole cent")

    def can_reserve(self, account: Account, group: OrderGroupSide, new_reserve_cc: int) -> bool:
        """Return whether the account can move its group reserve to a new amount."""
        return new_reserve_cc - group.reserve_cc <= account.available_cc

    def set_reserve(
        self, account: Account, group: OrderGroupSide, new_reserve_cc: int, ts_ns: int
    ) -> None:
        """Move cash between available and a group's reserve (caller checked can_reserve)."""
        change = new_reserve_cc - group.reserve_cc
        if change == 0:
            return
        assert change <= account.available_cc, "reserve raised beyond available cash"
        group.reserve_cc = new_reserve_cc
        account.available_cc -= change
        account.reserved_cc += change
        self._touch(account, ts_ns)

    def _touch(self, account: Account, ts_ns: int) -> None:
        account.updated_ns = ts_ns
        self.dirty_accounts[account.key] = account

    # --- positions -------------------------------------------------------------------

    def position(self, key: AccountKey, ticker: str, ts_ns: int) -> Position:
        """Return the account's position in a market, creating a flat one on first use."""
        pkey = (key[0], key[1], ticker)
        position = self.positions.get(pkey)
        if position is None:
            position = self.positions[pkey] = Position(ts_ns)
            self.holders.setdefault(ticker, set()).add(key)
        return position

    def peek_position(self, key: AccountKey, ticker: str) -> Position | None:
        """Return the position if it exists, without creating it."""
        return self.positions.get((key[0], key[1], ticker))

    # --- fills -----------------------------------------------------------------------

    def fill_side(
        self,
        account: Account,
        position: Position,
        group: OrderGroupSide,
        order: _FillingOrder,
        buys_yes: bool,
        outcome_price_cc: int,
        count_c: int,
        fee_cc: int,
        ts_ns: int,
    ) -> FillSide:
        """Book one side of a fill on the position and the order's fee accumulator.

        The side buys ``count_c`` of its outcome at ``outcome_price_cc``; if it holds the
        other outcome, that many pairs merge first (closing needs no cash). Cash is not
        moved here; ``post_fill`` moves it for both sides at once so the legs balance.
        """
        held = position.position_c if buys_yes else -position.position_c
        closed_c = min(count_c, -held) if held < 0 else 0
        opened_c = count_c - closed_c
        if closed_c:
            size = -held
            removed = (
                position.exposure_fine * closed_c // size
                if closed_c < size
                else (position.exposure_fine)
            )
            proceeds = (ONE_DOLLAR_CC - outcome_price_cc) * closed_c
            position.realized_fine += proceeds - removed
            position.exposure_fine -= removed
        position.exposure_fine += outcome_price_cc * opened_c
        position.total_traded_fine += outcome_price_cc * count_c
        position.traded_c += count_c
        position.fees_paid_cc += fee_cc
        position.position_c += count_c if buys_yes else -count_c
        position.updated_ns = ts_ns
        self.dirty_positions[(account.key[0], account.key[1], order.ticker)] = position

        exact_fine = (
            _DOLLAR_FINE_PER_C * closed_c - outcome_price_cc * count_c - fee_cc * CC_PER_CENT
        )
        cents = exact_fine // CENT_FINE  # floor toward -inf: the user never gains a fraction
        order.fee_acc_fine += exact_fine - cents * CENT_FINE
        rebate = order.fee_acc_fine // CENT_FINE
        order.fee_acc_fine -= rebate * CENT_FINE
        cash_delta_cc = (cents + rebate) * CC_PER_CENT
        return FillSide(account, position, group, cash_delta_cc, closed_c)

    def post_fill(self, ticker: str, count_c: int, a: FillSide, b: FillSide, ts_ns: int) -> None:
        """Move the cash of one fill: payers draw on their group reserve, escrow and fees
        take the rest. The legs sum to zero by construction."""
        escrow_delta = (count_c - a.closed_c - b.closed_c) * CC_PER_CENT
        fee_delta = -(a.cash_delta_cc + b.cash_delta_cc) - escrow_delta
        for side in (a, b):
            delta = side.cash_delta_cc
            account = side.account
            if delta < 0:
                side.group.reserve_cc += delta
                account.reserved_cc += delta
                assert side.group.reserve_cc >= 0, "fill exceeded its collateral"
            else:
                account.available_cc += delta
            self._touch(account, ts_ns)
        self.escrow_cc[ticker] = self.escrow_cc.get(ticker, 0) + escrow_delta
        self.fee_revenue_cc += fee_delta

    # --- settlement --------------------------------------------------------------------

    def settle_market(
        self, ticker: str, yes_value_cc: int | None, ts_ns: int
    ) -> list[SettlementLine]:
        """Pay out a market from its escrow and flatten every position in it.

        ``yes_value_cc`` is what one YES contract is worth ($1 for yes, 0 for no, the
        scalar value otherwise); a NO contract is worth the rest. ``None`` voids the market:
        every holder gets back their cost basis, and the house (fee revenue) absorbs the
        difference from escrow, which may be either sign (see docs/decisions).
        Payouts are floored to the cent; the sub-cent remainder goes to fee revenue.
        """
        lines: list[SettlementLine] = []
        paid = 0
        for key in sorted(self.holders.get(ticker, ())):
            position = self.positions[(key[0], key[1], ticker)]
            if position.settled:
                continue
            held = position.position_c
            pkey = (key[0], key[1], ticker)
            if held == 0:
                # Flat accounts (traded out, or only ever had orders) get no payout line.
                position.settled = True
                position.updated_ns = ts_ns
                self.dirty_positions[pkey] = position
                continue
            revenue_cc = settlement_payout_cc(held, position.exposure_fine, yes_value_cc)
            lines.append(SettlementLine(key, position, revenue_cc))
            account = self.accounts[key]
            account.available_cc += revenue_cc
            paid += revenue_cc
            position.realized_fine += revenue_cc * CC_PER_CENT - position.exposure_fine
            position.exposure_fine = 0
            position.position_c = 0
            position.settled = True
            position.updated_ns = ts_ns
            self.dirty_positions[pkey] = position
            self._touch(account, ts_ns)
        escrow = self.escrow_cc.pop(ticker, 0)
        self.fee_revenue_cc += escrow - paid
        return lines


def settlement_payout_cc(position_c: int, exposure_fine: int, yes_value_cc: int | None) -> int:
    """What settling pays one position (centi-cents, floored to the cent).

    ``position_c`` is + YES / - NO held; ``yes_value_cc`` what a YES contract is worth
    (``None``: the market is void and the holder gets back ``exposure_fine``, the cost
    basis). ``Ledger.settle_market`` pays exactly this; the operator's settlement
    confirmation shows it before the operator commits (the native engine's twin is
    ``settle_market`` in native/core/src/ledger.rs).
    """
    if yes_value_cc is None:
        payout_fine = exposure_fine
    elif position_c > 0:
        payout_fine = yes_value_cc * position_c
    else:
        payout_fine = (ONE_DOLLAR_CC - yes_value_cc) * -position_c
    return payout_fine // CENT_FINE * CC_PER_CENT


class _FillingOrder(Protocol):
    """The one order attribute ``fill_side`` mutates: its rounding accumulator."""

    fee_acc_fine: int
    ticker: str
