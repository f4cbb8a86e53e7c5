"""Bots: the Strategy API, the risk gate, the runner, and example strategies."""

from augury.client.bots.risk import RiskGate, RiskLimits
from augury.client.bots.runner import Broker, DecisionLog, Runner
from augury.client.bots.strategies import STRATEGIES, MarketMaker, MeanReversion
from augury.client.bots.strategy import BotContext, Strategy

__all__ = [
    "STRATEGIES",
    "BotContext",
    "Broker",
    "DecisionLog",
    "MarketMaker",
    "MeanReversion",
    "RiskGate",
    "RiskLimits",
    "Runner",
    "Strategy",
]
