"""Simulation shared by paper trading and backtests: events, fees, the fill model, a ledger."""

from augury.client.sim.events import BookDelta, BookSnapshot, Event, Lifecycle, Timer, Trade
from augury.client.sim.fees import FeeSchedule
from augury.client.sim.fillmodel import FillModel, SimFill, SimOrder
from augury.client.sim.ledger import Ledger, Position

__all__ = [
    "BookDelta",
    "BookSnapshot",
    "Event",
    "FeeSchedule",
    "FillModel",
    "Ledger",
    "Lifecycle",
    "Position",
    "SimFill",
    "SimOrder",
    "Timer",
    "Trade",
]
