"""Typed wire models: ``wire`` is generated from the Kalshi SDK 3.34.0 digest."""

from augury.client.models import wire

__all__ = ["wire"]
