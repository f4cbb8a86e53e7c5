"""When the demo's events happen: slots of time and the date codes in their tickers.

A series lists one event per *slot*: a five-minute window, a day, a week, a month. A slot
is a pure function of time, so the demo can always tell which event should exist now and
whether it already does (a restart finds the same tickers in the journal and creates
nothing twice). Date codes follow Kalshi's tickers, in US Eastern time: ``26NOV24`` for a
day, ``26NOV241435`` for a slot ending at 14:35, ``26DEC`` for a month.

Eastern time is taken as UTC-5 all year (a demo does not need daylight saving).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = ["Cadence", "Daily", "EveryMinutes", "Monthly", "Slot", "Weekly", "eastern"]

_NS_PER_S = 1_000_000_000
_MINUTE_NS = 60 * _NS_PER_S
_DAY_NS = 86_400 * _NS_PER_S
_EASTERN = timedelta(hours=-5)


def eastern(ts_ns: int) -> datetime:
    """Return a time as a naive US-Eastern (UTC-5) wall-clock datetime."""
    moment = datetime.fromtimestamp(ts_ns // _NS_PER_S, tz=UTC) + _EASTERN
    return moment.replace(tzinfo=None)


def _ns(moment: datetime) -> int:
    return int(moment.timestamp()) * _NS_PER_S


def _day_code(ts_ns: int) -> str:
    return eastern(ts_ns).strftime("%y%b%d").upper()


@dataclass(frozen=True, slots=True)
class Slot:
    """One event's window: it trades in ``[open_ns, close_ns)``; ``code`` goes in its ticker."""

    code: str
    open_ns: int
    close_ns: int


class Cadence:
    """How often a series lists an event. ``slot_at(ts)`` is the slot trading at ``ts``."""

    period_ns: int = _DAY_NS
    rolling = False  # short slots: the next one is listed before the current one closes
    min_life_ns = 0  # a slot with less left than this gives way to the next one

    def slot_at(self, ts_ns: int) -> Slot:
        raise NotImplementedError

    def current_until(self, slot: Slot) -> int:
        """Return the time from which ``slot_at`` no longer returns ``slot``."""
        return slot.close_ns - self.min_life_ns

    def following(self, slot: Slot) -> Slot:
        """Return the slot after ``slot``."""
        return self.slot_at(slot.close_ns)


class EveryMinutes(Cadence):
    """Back-to-back windows of ``minutes``, aligned to the hour."""

    rolling = True

    def __init__(self, minutes: int) -> None:
        self.period_ns = minutes * _MINUTE_NS

    def slot_at(self, ts_ns: int) -> Slot:
        start = ts_ns - ts_ns % self.period_ns
        close = start + self.period_ns
        code = eastern(close).strftime("%y%b%d%H%M").upper()
        return Slot(code, start, close)


class Daily(Cadence):
    """One event a day, closing at ``hour:minute`` UTC, coded by its Eastern date."""

    def __init__(self, hour: int, minute: int = 0) -> None:
        self.offset_ns = (hour * 60 + minute) * _MINUTE_NS

    def slot_at(self, ts_ns: int) -> Slot:
        close = ts_ns - ts_ns % _DAY_NS + self.offset_ns
        if close <= ts_ns:
            close += _DAY_NS
        # The code is the Eastern date the event is about (a midnight close belongs to the
        # day that ends).
        return Slot(_day_code(close - _MINUTE_NS), close - _DAY_NS, close)


class Weekly(Cadence):
    """One event a week, closing on ``weekday`` (0 = Monday) at ``hour`` UTC."""

    period_ns = 7 * _DAY_NS

    def __init__(self, weekday: int, hour: int, min_life_days: int = 0) -> None:
        self.weekday = weekday
        self.hour = hour
        self.min_life_ns = min_life_days * _DAY_NS

    def slot_at(self, ts_ns: int) -> Slot:
        moment = datetime.fromtimestamp(ts_ns // _NS_PER_S, tz=UTC)
        day = moment.replace(hour=self.hour, minute=0, second=0, microsecond=0)
        day += timedelta(days=(self.weekday - day.weekday()) % 7)
        close = _ns(day)
        while close <= ts_ns or close - ts_ns < self.min_life_ns:
            close += self.period_ns
        return Slot(_day_code(close - _MINUTE_NS), close - self.period_ns, close)


class Monthly(Cadence):
    """One event a month, closing on ``day`` at ``hour`` UTC at least ``min_life_days`` out.

    ``code_shift`` moves the month in the code: CPI for November is released (and closes)
    in December, so its code shifts by -1.
    """

    period_ns = 30 * _DAY_NS

    def __init__(self, day: int, hour: int, min_life_days: int = 7, code_shift: int = 0) -> None:
        self.day = day
        self.hour = hour
        self.min_life_ns = min_life_days * _DAY_NS
        self.code_shift = code_shift

    def slot_at(self, ts_ns: int) -> Slot:
        moment = datetime.fromtimestamp(ts_ns // _NS_PER_S, tz=UTC)
        year, month = moment.year, moment.month
        while True:
            close = _ns(datetime(year, month, self.day, self.hour, tzinfo=UTC))
            if close > ts_ns and close - ts_ns >= self.min_life_ns:
                break
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        code_year, code_month = year, month + self.code_shift
        while code_month < 1:
            code_year, code_month = code_year - 1, code_month + 12
        code = datetime(code_year, code_month, 1, tzinfo=UTC).strftime("%y%b").upper()
        return Slot(code, close - self.period_ns, close)
