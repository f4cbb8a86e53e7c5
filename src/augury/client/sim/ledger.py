"""A paper ledger: cash and netted positions from simulated fills, and settlement.

Units: cash and costs in micro-dollars (``_fine`` = price_cc x count_c, exact for every
fill), positions in centi-contracts (+YES / -NO). Buying the outcome opposite to a held
position nets pairs at $1 each, as the exchange does. Settlement pays $1 per winning
contract (yes/no), the value per YES and the rest per NO (scalar), or refunds the cost
basis (void). Fees are charged per fill as the fill model computed them.

Known simplification: the exchange floors each balance change to the cent and rebates
whole cents per order; this ledger keeps exact sub-cent amounts (the difference per order
is below one cent).
"""

from __future__ import annotations

from dataclasses import dataclass

from augury.client.sim.fillmodel import ONE_CC, SimFill

__all__ = ["Ledger", "Position"]


@dataclass(slots=True)
class Position:
    position_c: int = 0
    cost_fine: int = 0  # what the open position cost (its basis)
    realized_fine: int = 0
    fees_cc: int = 0
    traded_c: int = 0


class Ledger:
    """Cash and positions of one simulated account."""

    def __init__(self, cash_cc: int) -> None:
        self.cash_fine = cash_cc * 100
        self.start_fine = self.cash_fine
        self.positions: dict[str, Position] = {}
        self.fees_cc = 0

    def position(self, ticker: str) -> Position:
        """Return a market's position (created empty)."""
        return self.positions.setdefault(ticker, Position())

    def apply(self, fill: SimFill) -> None:
        """Book a fill: pay for the outcome bought, net pairs, charge the fee."""
        pos = self.position(fill.ticker)
        buys_yes = fill.side == "bid"
        price = fill.yes_price_cc if buys_yes else ONE_CC - fill.yes_price_cc
        count = fill.count_c
        pos.traded_c += count
        self.cash_fine -= price * count + fill.fee_cc * 100
        pos.fees_cc += fill.fee_cc
        self.fees_cc += fill.fee_cc
        held_other = -pos.position_c if buys_yes else pos.position_c
        pairs = min(count, max(held_other, 0))
        if pairs:
            closed_basis = pos.cost_fine * pairs // held_other
            pos.cost_fine -= closed_basis
            payout = ONE_CC * pairs
            self.cash_fine += payout
            pos.realized_fine += payout - closed_basis - price * pairs
        opened = count - pairs
        pos.cost_fine += price * opened
        signed = count if buys_yes else -count
        pos.position_c += signed
        pos.realized_fine -= fill.fee_cc * 100

    def settle(self, ticker: str, result: str, value_cc: int = 0) -> int:
        """Close a market's position at its result; return the payout in micro-dollars."""
        pos = self.positions.get(ticker)
        if pos is None or not pos.position_c:
            return 0
        held = abs(pos.position_c)
        long_yes = pos.position_c > 0
        if result == "void":
            payout = pos.cost_fine
        elif result == "scalar":
            per = value_cc if long_yes else ONE_CC - value_cc
            payout = per * held
        else:
            wins = (result == "yes") == long_yes
            payout = ONE_CC * held if wins else 0
        self.cash_fine += payout
        pos.realized_fine += payout - pos.cost_fine
        pos.position_c = 0
        pos.cost_fine = 0
        return payout

    def equity_fine(self, marks_cc: dict[str, int]) -> int:
        """Return cash plus open positions marked at YES prices ``marks_cc``."""
        total = self.cash_fine
        for ticker, pos in self.positions.items():
            mark = marks_cc.get(ticker)
            if mark is None or not pos.position_c:
                total += pos.cost_fine if pos.position_c else 0
                continue
            per = mark if pos.position_c > 0 else ONE_CC - mark
            total += per * abs(pos.position_c)
        return total
