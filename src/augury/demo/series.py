"""The demo's series: eleven series in six categories, and the world they are about.

Economics (``KXFED`` Fed decision, ``KXCPI`` inflation), Crypto (``KXBTCD`` and ``KXETHD``
daily price ladders, ``KXBTC5M`` five-minute Bitcoin windows), Weather (``KXHIGHNY`` daily
high-temperature brackets, ``KXTEMPNYC10M`` ten-minute temperature brackets), Politics
(``KXAPRPOTUS`` approval rating), Sports (``KXNBAGAME`` winner and ``KXNBASPREAD`` margin of
one game a day) and Entertainment (``KXRT`` a film's Rotten Tomatoes score).

Each series names the ``Process`` (``augury.demo.truth``) its markets are about; series
that share one (the two Bitcoin series, the two NBA series) price off the same value, so
they agree. Rolling series (minutes) open, close, settle and are replaced while the demo
runs; the others settle when their day, week or month ends. Tickers, titles and rules
follow Kalshi's (``KXBTCD-26NOV24-T95000``, ``KXFED-26DEC-T4.25``), with dates derived
from the clock.
"""

from __future__ import annotations

from augury.demo.listing import (
    EventContext,
    SeriesSpec,
    Story,
    Strike,
    brackets,
    fixed_thresholds,
    num,
    story_rng,
    thresholds,
)
from augury.demo.schedule import Daily, EveryMinutes, Monthly, Slot, Weekly
from augury.demo.truth import Process

__all__ = ["PROCESSES", "SERIES", "series_by_ticker"]

_HOUR_S = 3600.0

PROCESSES = [
    Process("btc", 95_000.0, 0.0009, log=True, reversion_half_life_s=6 * _HOUR_S,
            jumps_per_hour=2, jump_sd=0.004),
    Process("eth", 3_400.0, 0.0011, log=True, reversion_half_life_s=6 * _HOUR_S,
            jumps_per_hour=2, jump_sd=0.005),
    Process("fed", 3.875, 0.004, horizon_sd_cap=0.25, reversion_half_life_s=2 * _HOUR_S,
            jumps_per_hour=1, jump_sd=0.05, low=2.0, high=6.0),
    Process("cpi", 0.25, 0.003, horizon_sd_cap=0.12, reversion_half_life_s=2 * _HOUR_S,
            jumps_per_hour=1, jump_sd=0.04, low=-1.0, high=1.5),
    Process("approval", 43.0, 0.03, horizon_sd_cap=1.5, reversion_half_life_s=3 * _HOUR_S,
            jumps_per_hour=1, jump_sd=0.5, low=30.0, high=60.0),
    Process("nba", 2.5, 0.3, horizon_sd_cap=12.0, reversion_half_life_s=6 * _HOUR_S,
            jumps_per_hour=2, jump_sd=1.5, low=-40.0, high=40.0),
    Process("rt", 80.0, 0.05, horizon_sd_cap=8.0, reversion_half_life_s=12 * _HOUR_S,
            jumps_per_hour=1, jump_sd=2.0, low=5.0, high=99.4),
    Process("nyhigh", 48.0, 0.08, horizon_sd_cap=3.0, reversion_half_life_s=6 * _HOUR_S,
            jumps_per_hour=1, jump_sd=1.0, low=10.0, high=95.0),
    Process("nytemp", 45.0, 0.3, horizon_sd_cap=4.0, reversion_half_life_s=0.5 * _HOUR_S,
            jumps_per_hour=2, jump_sd=1.0, low=0.0, high=95.0, diurnal_amplitude=6.0),
]  # fmt: skip


def _dollars(value: float) -> str:
    return f"${value:,.0f}" if abs(value - round(value)) < 1e-9 else f"${value:,.2f}"


def _percent(value: float) -> str:
    return f"{num(value)}%"


def _degrees(value: float) -> str:
    return f"{num(value)}°"


def _margin(value: float) -> str:
    # A game cannot end level: a margin that rounds to zero went to the latent value's side.
    points = round(value) or (1 if value >= 0 else -1)
    return f"home {points:+d}"


_TEAMS = [
    ("LAL", "Los Angeles L"), ("BOS", "Boston"), ("NYK", "New York"), ("GSW", "Golden State"),
    ("MIA", "Miami"), ("DEN", "Denver"), ("PHX", "Phoenix"), ("MIL", "Milwaukee"),
    ("DAL", "Dallas"), ("PHI", "Philadelphia"), ("CHI", "Chicago"), ("OKC", "Oklahoma City"),
]  # fmt: skip

_FILMS = [
    ("STARF", "Starfall"), ("HOLLOW", "The Hollow Crown"), ("NEONR", "Neon Rivers"),
    ("AVALON", "Last Light Over Avalon"), ("PAPERM", "Paper Moons"), ("IRONW", "Ironwood"),
    ("QUIET", "The Quiet Orbit"), ("SALTR", "Salt Road"),
]  # fmt: skip


def _game(slot: Slot, seed: str) -> Story:
    rng = story_rng(seed, slot, "nba")
    (away_code, away), (home_code, home) = rng.sample(_TEAMS, 2)
    return Story(
        suffix=f"{away_code}{home_code}",
        fields={"away": away, "home": home, "away_code": away_code, "home_code": home_code},
        start_value=rng.gauss(2.5, 5.0),
    )


def _film(slot: Slot, seed: str) -> Story:
    rng = story_rng(seed, slot, "rt")
    code, title = rng.choice(_FILMS)
    return Story(suffix=code, fields={"film": title}, start_value=rng.uniform(55.0, 92.0))


def _forecast_high(slot: Slot, seed: str) -> Story:
    rng = story_rng(seed, slot, "nyhigh")
    return Story(suffix="", fields={}, start_value=48.0 + rng.gauss(0.0, 4.0))


def _winner(ctx: EventContext) -> list[Strike]:
    assert ctx.story is not None
    f = ctx.story.fields
    return [
        Strike(f["away_code"], "less", None, 0.0, f["away"], f"{f['away']} wins"),
        Strike(f["home_code"], "greater", 0.0, None, f["home"], f"{f['home']} wins"),
    ]


def _spread(ctx: EventContext) -> list[Strike]:
    assert ctx.story is not None
    home, code = ctx.story.fields["home"], ctx.story.fields["home_code"]
    out = []
    for floor in (1.5, 4.5, 7.5, 10.5, 13.5):
        text = f"{home} wins by over {num(floor)} points"
        out.append(Strike(f"{code}{int(floor)}", "greater", floor, None, text, text))
    return out


_BRTI = ("CF Benchmarks", "https://www.cfbenchmarks.com/data/indices/BRTI")
_ETHI = ("CF Benchmarks", "https://www.cfbenchmarks.com/data/indices/ETHUSD_RTI")
_NWS = ("National Weather Service", "https://www.weather.gov/okx/")

SERIES: list[SeriesSpec] = [
    SeriesSpec(
        "KXFED", "Fed funds rate", "Economics", "custom", ("Fed", "Interest rates"),
        ("Federal Reserve", "https://www.federalreserve.gov/monetarypolicy/openmarket.htm"),
        "fed", Monthly(day=16, hour=18), 0.25,
        fixed_thresholds((3.25, 3.5, 3.75, 4.0, 4.25)), _percent,
        "Fed decision in {month}?",
        "Will the upper bound of the federal funds rate be {phrase} after the {month} meeting?",
        "If the upper bound of the federal funds target range set at the Federal Reserve's "
        "{month} FOMC meeting is {phrase}, then the market resolves to Yes.",
        settlement_timer_s=600, popularity=1.5,
    ),
    SeriesSpec(
        "KXCPI", "CPI", "Economics", "monthly", ("Inflation",),
        ("Bureau of Labor Statistics", "https://www.bls.gov/cpi/"),
        "cpi", Monthly(day=13, hour=13, code_shift=-1), 0.1,
        fixed_thresholds((0.0, 0.1, 0.2, 0.3, 0.4, 0.5)), _percent,
        "CPI in {month}?",
        "Will CPI rise {phrase} in {month}?",
        "If the seasonally adjusted month-over-month change in CPI-U for {month}, as first "
        "released by the Bureau of Labor Statistics, is {phrase}, then the market resolves "
        "to Yes.",
        settlement_timer_s=600,
    ),
    SeriesSpec(
        "KXBTCD", "Bitcoin price today", "Crypto", "daily", ("BTC", "Crypto prices"), _BRTI,
        "btc", Daily(hour=22), 0.01, thresholds(9), _dollars,
        "Bitcoin price on {date} at {time}?",
        "Will the Bitcoin price be {phrase} at {time} on {date}?",
        "If the CF Benchmarks Bitcoin Real-Time Index (BRTI) is {phrase} at {time} on {date}, "
        "then the market resolves to Yes.",
        fee_type="quadratic_with_maker_fees", settlement_timer_s=300, popularity=2.0,
    ),
    SeriesSpec(
        "KXETHD", "Ethereum price today", "Crypto", "daily", ("ETH", "Crypto prices"), _ETHI,
        "eth", Daily(hour=22), 0.01, thresholds(9), _dollars,
        "Ethereum price on {date} at {time}?",
        "Will the Ethereum price be {phrase} at {time} on {date}?",
        "If the CF Benchmarks Ether-Dollar Real-Time Index is {phrase} at {time} on {date}, "
        "then the market resolves to Yes.",
        fee_type="quadratic_with_maker_fees", settlement_timer_s=300, popularity=1.5,
    ),
    SeriesSpec(
        "KXBTC5M", "Bitcoin price in 5 minutes", "Crypto", "custom", ("BTC", "Short term"),
        _BRTI, "btc", EveryMinutes(5), 0.01, thresholds(5, spread=0.6), _dollars,
        "Bitcoin price at {time}?",
        "Will the Bitcoin price be {phrase} at {time} on {date}?",
        "If the CF Benchmarks Bitcoin Real-Time Index (BRTI) is {phrase} at {time} on {date}, "
        "the end of this five-minute window, then the market resolves to Yes.",
        price_level_structure="tapered_deci_cent", settlement_timer_s=30, popularity=3.0,
    ),
    SeriesSpec(
        "KXHIGHNY", "Highest temperature in NYC today", "Weather", "daily",
        ("Temperature", "New York"), _NWS, "nyhigh", Daily(hour=5), 1.0, brackets(2, 4),
        _degrees,
        "Highest temperature in NYC on {date}?",
        "Will the high temp in NYC be {phrase} on {date}?",
        "If the highest temperature recorded in Central Park, New York for {date}, as "
        "reported by the National Weather Service's Climatological Report (Daily), is "
        "{phrase}, then the market resolves to Yes.",
        settlement_timer_s=300, mutually_exclusive=True, story=_forecast_high,
    ),
    SeriesSpec(
        "KXTEMPNYC10M", "NYC temperature in 10 minutes", "Weather", "custom",
        ("Temperature", "New York", "Short term"), _NWS, "nytemp", EveryMinutes(10), 1.0,
        brackets(1, 5), _degrees,
        "NYC temperature at {time}?",
        "Will the temperature in NYC be {phrase} at {time}?",
        "If the temperature at Central Park, New York, as reported by the National Weather "
        "Service for {time} on {date}, is {phrase}, then the market resolves to Yes.",
        settlement_timer_s=30, mutually_exclusive=True, popularity=2.0,
    ),
    SeriesSpec(
        "KXAPRPOTUS", "Presidential approval rating", "Politics", "weekly",
        ("Approval", "White House"),
        ("RealClearPolitics", "https://www.realclearpolling.com/"),
        "approval", Weekly(weekday=4, hour=20, min_life_days=1), 0.1,
        thresholds(6, step=1.0), _percent,
        "Presidential approval rating on {date}?",
        "Will the President's approval rating be {phrase} on {date}?",
        "If the President's approval rating in the RealClearPolitics polling average for "
        "{date} is {phrase}, then the market resolves to Yes.",
        settlement_timer_s=600,
    ),
    SeriesSpec(
        "KXNBAGAME", "Professional basketball game", "Sports", "daily", ("Basketball", "NBA"),
        ("NBA", "https://www.nba.com/"), "nba", Daily(hour=4), 0.0, _winner, _margin,
        "{away} at {home} Winner?",
        "{away} at {home} Winner?",
        "If {phrase} the {away} at {home} professional basketball game originally scheduled "
        "for {date}, then the market resolves to Yes.",
        settlement_timer_s=300, mutually_exclusive=True, popularity=1.5, story=_game,
    ),
    SeriesSpec(
        "KXNBASPREAD", "Professional basketball spread", "Sports", "daily",
        ("Basketball", "NBA"), ("NBA", "https://www.nba.com/"), "nba", Daily(hour=4), 0.0,
        _spread, _margin,
        "{away} at {home}: Spread",
        "{away} at {home}: {phrase}?",
        "If in the {away} at {home} professional basketball game originally scheduled for "
        "{date}, {phrase}, then the market resolves to Yes.",
        settlement_timer_s=300, story=_game,
    ),
    SeriesSpec(
        "KXRT", "Rotten Tomatoes score", "Entertainment", "weekly", ("Movies", "Film"),
        ("Rotten Tomatoes", "https://www.rottentomatoes.com/"), "rt",
        Weekly(weekday=3, hour=23), 1.0, thresholds(5, step=5.0), _percent,
        "{film} Rotten Tomatoes score?",
        "Will {film} have a Tomatometer score of {phrase}?",
        "If {film} has a Tomatometer score of {phrase} on Rotten Tomatoes at {time} on "
        "{date}, then the market resolves to Yes.",
        settlement_timer_s=600, popularity=0.7, story=_film,
    ),
]  # fmt: skip


def series_by_ticker() -> dict[str, SeriesSpec]:
    """Return the demo series keyed by ticker."""
    return {spec.ticker: spec for spec in SERIES}
