"""Augury: a self-hosted prediction-market exchange speaking the Kalshi Trade API v2."""

__all__ = ["__version__"]

__version__ = "0.1.0"
