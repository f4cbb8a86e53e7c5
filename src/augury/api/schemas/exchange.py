"""Exchange status, trading schedule and user-data timestamp (CONTRACT §4.10).

``GET /exchange/status`` answers ``ExchangeStatus`` (also with 503 during maintenance,
``exchange_active`` and ``trading_active`` false). Datetime fields are RFC 3339 strings
made by ``base.rfc3339_from_ns``; schedule times of day are ``"HH:MM"`` in US Eastern
time, as Kalshi publishes them.
"""

from augury.api.schemas.base import WireResponse

__all__ = [
    "DailySchedule",
    "ExchangeIndexStatus",
    "ExchangeStatus",
    "GetExchangeScheduleResponse",
    "GetUserDataTimestampResponse",
    "MaintenanceWindow",
    "Schedule",
    "WeeklySchedule",
]


class ExchangeIndexStatus(WireResponse, kw_only=True):
    exchange_index: int
    description: str
    exchange_active: bool
    trading_active: bool
    intra_exchange_transfers_active: bool


class ExchangeStatus(WireResponse, kw_only=True):
    exchange_active: bool
    trading_active: bool
    intra_exchange_transfers_active: bool | None = None
    exchange_estimated_resume_time: str | None = None
    exchange_index_statuses: list[ExchangeIndexStatus] | None = None


class DailySchedule(WireResponse, kw_only=True):
    open_time: str
    close_time: str


class WeeklySchedule(WireResponse, kw_only=True):
    start_time: str
    end_time: str
    monday: list[DailySchedule]
    tuesday: list[DailySchedule]
    wednesday: list[DailySchedule]
    thursday: list[DailySchedule]
    friday: list[DailySchedule]
    saturday: list[DailySchedule]
    sunday: list[DailySchedule]


class MaintenanceWindow(WireResponse, kw_only=True):
    start_datetime: str
    end_datetime: str


class Schedule(WireResponse, kw_only=True):
    standard_hours: list[WeeklySchedule]
    maintenance_windows: list[MaintenanceWindow]


class GetExchangeScheduleResponse(WireResponse, kw_only=True):
    schedule: Schedule


class GetUserDataTimestampResponse(WireResponse, kw_only=True):
    as_of_time: str
