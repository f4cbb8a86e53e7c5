"""Risk limits for a bot, checked before every order, and the kill switch.

Checked in this order, the first failure refuses the order (and is logged with its name):
``killed`` (the kill switch is on), ``order_rate`` (more than ``max_orders_per_min`` in
the last minute), ``position`` (the order could take the market's position beyond
``max_position_c`` if it filled completely), ``exposure`` (the open positions plus all
resting orders could cost more than ``max_exposure_cc``), ``daily_loss`` (today's loss,
realized plus marked, is beyond ``max_daily_loss_cc``). Hitting the daily loss also
trips the kill switch, which cancels everything (the runner does it).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

__all__ = ["RiskGate", "RiskLimits"]

NS_PER_MIN = 60 * 1_000_000_000


@dataclass(frozen=True, slots=True)
class RiskLimits:
    max_position_c: int = 5_000
    max_exposure_cc: int = 10_000_000  # $1,000
    max_daily_loss_cc: int = 1_000_000  # $100
    max_orders_per_min: int = 120


class RiskGate:
    """Decides whether an order may be sent; remembers recent order times."""

    def __init__(self, limits: RiskLimits) -> None:
        self.limits = limits
        self.killed = False
        self.kill_reason = ""
        self._sent: deque[int] = deque()

    def kill(self, reason: str) -> None:
        """Trip the kill switch: no order passes any more."""
        self.killed = True
        self.kill_reason = reason

    def check(
        self, *, now_ns: int, position_after_c: int, exposure_after_cc: int, day_pnl_cc: int
    ) -> str | None:
        """Return the name of the first limit the order breaks, or None if it may go."""
        limits = self.limits
        if self.killed:
            return "killed"
        while self._sent and self._sent[0] <= now_ns - NS_PER_MIN:
            self._sent.popleft()
        if len(self._sent) >= limits.max_orders_per_min:
            return "order_rate"
        if abs(position_after_c) > limits.max_position_c:
            return "position"
        if exposure_after_cc > limits.max_exposure_cc:
            return "exposure"
        if -day_pnl_cc > limits.max_daily_loss_cc:
            self.kill("daily_loss")
            return "daily_loss"
        self._sent.append(now_ns)
        return None
