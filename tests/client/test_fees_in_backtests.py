"""Backtests and bots charge the market's real fees: looked up, recorded, read back, applied.

Every expected fee below is computed by hand from CONTRACT §11.1 (per fill of C contracts at
YES price P dollars, rounded up to $0.0001: taker ``0.07 * C * P * (1 - P) * m``, flat
``$0.01 * C * m``; 1 centi-cent = $0.0001).
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from augury.cli.main import app
from augury.client.backtest import run_backtest
from augury.client.bots.strategies import STRATEGIES
from augury.client.market_fees import market_fees
from augury.client.recording import Recorder, read_events, read_fees
from augury.client.sim import BookSnapshot
from augury.client.sim.fees import FeeSchedule
from tests.client.inproc import exchange

T = "KXFEE-26DEC-A"
S = 1_000_000_000


def _dip(path: Path, fees: dict[str, FeeSchedule] | None) -> None:
    """19 polls (every 30 s) of a book quoted 0.59 / 0.61 (mid 0.60), then the mid is 0.50.

    The bot warms up on the first 19 samples; at the 20th the average is
    (19 * 0.60 + 0.50) / 20 = 0.595 and the mid 0.50 < 0.95 x 0.595, so the mean-reversion
    bot buys 10 YES at the ask 0.51 (the NO bid of 0.49, 20 contracts deep): one taker
    fill of 10 contracts at 0.51, and the data ends.
    """
    rec = Recorder(path, fees=fees)
    for i in range(20):
        rec.write(BookSnapshot(i * 30 * S, T, ((5900, 2000),), ((3900, 2000),)))
    rec.write(BookSnapshot(19 * 30 * S + 1, T, ((4900, 2000),), ((4900, 2000),)))
    rec.write(BookSnapshot(20 * 30 * S, T, ((4900, 2000),), ((4900, 2000),)))
    rec.close()


def _report(path: Path, strategy: str, *extra: str) -> dict[str, object]:
    done = CliRunner().invoke(app, ["backtest", strategy, "--data", str(path), "--json", *extra])
    assert done.exit_code == 0, done.output
    doc: dict[str, object] = json.loads(done.stdout)
    return doc


def test_recording_metadata_round_trips_and_a_continuation_wins(tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    rec = Recorder(path, fees={T: FeeSchedule("flat", 5_000), "KX-B": FeeSchedule()})
    rec.write(BookSnapshot(1, T, (), ()))
    rec.close()
    assert read_fees(path) == {T: FeeSchedule("flat", 5_000), "KX-B": FeeSchedule("quadratic")}
    again = Recorder(path, fees={T: FeeSchedule("quadratic_with_maker_fees", 12_500)})
    again.close()
    assert read_fees(path)[T] == FeeSchedule("quadratic_with_maker_fees", 12_500)
    plain = tmp_path / "plain.parquet"
    Recorder(plain).close()
    assert read_fees(plain) == {}


def test_backtest_charges_the_recorded_fees(tmp_path: Path) -> None:
    path = tmp_path / "dip.parquet"
    _dip(path, {T: FeeSchedule("flat", 5_000)})
    doc = _report(path, "mean_reversion")
    fills = doc["fills"]
    assert isinstance(fills, list)
    assert [(f["side"], f["yes_price_cc"], f["count_c"]) for f in fills] == [("bid", 5100, 1000)]
    # flat x0.5: 10 contracts x $0.01 x 0.5 = $0.05.
    assert doc["fees_cc"] == 500
    assert doc["fee_schedules"] == {T: "flat x0.5"}


def test_fee_type_override_keeps_the_recorded_multiplier(tmp_path: Path) -> None:
    path = tmp_path / "dip.parquet"
    _dip(path, {T: FeeSchedule("flat", 5_000)})
    doc = _report(path, "mean_reversion", "--fee-type", "quadratic")
    # 0.07 x 10 x 0.51 x 0.49 x 0.5 = $0.087465, rounded up to $0.0875.
    assert doc["fees_cc"] == 875
    assert doc["fee_schedules"] == {T: "quadratic x0.5"}
    bad = CliRunner().invoke(
        app, ["backtest", "mean_reversion", "--data", str(path), "--fee-type", "free"]
    )
    assert bad.exit_code == 1


def test_a_recording_without_fees_is_charged_quadratic_x1_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "dip.parquet"
    _dip(path, None)
    doc = _report(path, "mean_reversion")
    # 0.07 x 10 x 0.51 x 0.49 = $0.17493, rounded up to $0.1750.
    assert doc["fees_cc"] == 1750
    assert doc["fee_schedules"] == {T: "quadratic x1"}


def test_the_corrected_bot_weighs_the_recorded_fee(tmp_path: Path) -> None:
    # Edge at the dip: average 0.595 - ask 0.51 = $0.085 a contract. quadratic x5 costs
    # 0.07 x 0.51 x 0.49 x 5 = $0.0875 a contract (> edge: hold); flat x5 costs $0.05
    # (< edge: buy, paying 10 x $0.05 = $0.50).
    path = tmp_path / "dip.parquet"
    _dip(path, {T: FeeSchedule("quadratic", 50_000)})
    held = _report(path, "mean_reversion_corrected")
    assert held["trades"] == 0
    traded = _report(path, "mean_reversion_corrected", "--fee-type", "flat")
    assert traded["trades"] == 1
    assert traded["fees_cc"] == 5000
    # The same through the library: the strategy gets the schedule it is built with.
    strategy = STRATEGIES["mean_reversion_corrected"](T, FeeSchedule("quadratic", 50_000))
    result = run_backtest(read_events(path), strategy, fees=FeeSchedule("quadratic", 50_000))
    assert [r["reason"] for r in result.decisions if r["decision"] == "hold"] == ["edge below fee"]


def test_market_fees_reads_the_series_and_honours_event_overrides(tmp_path: Path) -> None:
    catalog = {
        "series": [
            {
                "ticker": "KXFEE",
                "title": "Fees",
                "category": "Economics",
                "frequency": "daily",
                "fee_type": "quadratic_with_maker_fees",
                "fee_multiplier": 0.5,
            },
        ],
        "events": [
            {
                "event_ticker": "KXFEE-26DEC",
                "series_ticker": "KXFEE",
                "title": "a",
                "sub_title": "a",
            },
            {
                "event_ticker": "KXFEE-27DEC",
                "series_ticker": "KXFEE",
                "title": "b",
                "sub_title": "b",
                "fee_type_override": "flat",
                "fee_multiplier_override": 2,
            },
        ],
        "markets": [
            {
                "ticker": ticker,
                "event_ticker": event,
                "title": "x",
                "yes_sub_title": "y",
                "no_sub_title": "n",
                "open_time": "2026-01-01T00:00:00Z",
                "close_time": "2030-01-01T00:00:00Z",
            }
            for ticker, event in ((T, "KXFEE-26DEC"), ("KXFEE-27DEC-B", "KXFEE-27DEC"))
        ],
    }
    with exchange(tmp_path / "data") as ex:
        ex.admin("POST", "/catalog", catalog)
        client = ex.client()
        assert market_fees(client, [T, "KXFEE-27DEC-B", "KXTEST-26DEC-T1"]) == {
            T: FeeSchedule("quadratic_with_maker_fees", 5_000),
            "KXFEE-27DEC-B": FeeSchedule("flat", 20_000),
            "KXTEST-26DEC-T1": FeeSchedule("quadratic", 10_000),
        }
