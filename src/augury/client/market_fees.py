"""The fee schedule a market trades under, looked up the way the exchange decides it.

A market's fees come from its series (``GET /series/{s}``: ``fee_type``,
``fee_multiplier``) unless its event overrides them (``fee_type_override``,
``fee_multiplier_override`` on ``GET /events/{e}``), as CONTRACT §11.1 describes. The
recorder stores the result per ticker in the recording, so a backtest charges what the
exchange charged; the bot runner hands it to its strategy, so the corrected
mean-reversion bot weighs the real fee.
"""

from __future__ import annotations

from collections.abc import Iterable

from augury.client import endpoints as ep
from augury.client.models import wire
from augury.client.sim.fees import FeeSchedule, multiplier_e4
from augury.client.sync import Client

__all__ = ["market_fees"]


def market_fees(client: Client, tickers: Iterable[str]) -> dict[str, FeeSchedule]:
    """Return each market's fee schedule (one request per market, event and series)."""
    events: dict[str, wire.EventData] = {}
    series: dict[str, wire.Series] = {}
    out: dict[str, FeeSchedule] = {}
    for ticker in tickers:
        if ticker in out:
            continue
        event_ticker = client.market(ticker).event_ticker
        event = events.get(event_ticker)
        if event is None:
            event = events[event_ticker] = client.send(ep.get_event(event_ticker)).event
        found = series.get(event.series_ticker)
        if found is None:
            found = series[event.series_ticker] = client.send(
                ep.get_series(event.series_ticker)
            ).series
        fee_type = event.fee_type_override or found.fee_type
        multiplier = (
            event.fee_multiplier_override
            if event.fee_multiplier_override is not None
            else found.fee_multiplier
        )
        out[ticker] = FeeSchedule(fee_type, multiplier_e4(multiplier))
    return out
