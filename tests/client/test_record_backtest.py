"""Recording from a real server, deterministic backtests and reports, and replay into a server."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from augury.cli.main import app
from augury.client import AsyncClient, Client, Signer, orders
from augury.client.backtest import replay_books, run_backtest
from augury.client.bots import MarketMaker, MeanReversion
from augury.client.cli import data as data_cli
from augury.client.recording import Recorder, count_events, parts, read_events
from augury.client.replay import Replayer
from augury.client.report import render_html, render_json
from augury.client.sim import BookDelta, BookSnapshot, Event, Lifecycle, Trade
from tests.e2e.server_harness import CATALOG, Server

pytestmark = pytest.mark.process

T1, T2, T3 = "KXTEST-26DEC-T1", "KXTEST-26DEC-T2", "KXTEST-26DEC-T3"
S = 1_000_000_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("rec") / "data", extra=["--rate-limits", "off"])
    srv.start()
    srv.admin("POST", "/catalog", CATALOG)
    yield srv
    srv.close()


def _signer(server: Server, name: str) -> Signer:
    key_id, pem = server.user(name, "100000", key_type="ed25519")
    return Signer.from_pem(key_id, pem)


def synthetic(path: Path, n_events: int, seed: int = 1) -> None:
    """A recording of a market wandering around 0.50, with trades and a yes settlement."""
    rng = random.Random(seed)
    rec = Recorder(path, flush_rows=5000)
    rec.write(BookSnapshot(0, T1, yes=((4900, 1000), (4800, 2000)), no=((5000, 1000), (5100, 500))))
    mid = 5000
    for i in range(1, n_events):
        ts = i * S // 10
        if i % 50 == 0:
            mid = max(2000, min(8000, mid + rng.choice([-300, -100, 100, 300])))
            rec.write(
                BookSnapshot(
                    ts,
                    T1,
                    yes=((mid - 100, 1000), (mid - 200, 3000)),
                    no=((10_000 - mid - 100, 1000), (10_000 - mid - 200, 3000)),
                )
            )
        elif i % 7 == 0:
            rec.write(Trade(ts, T1, mid - 100 * rng.randint(1, 4), 100 * rng.randint(1, 5), "no"))
        elif i % 11 == 0:
            rec.write(Trade(ts, T1, mid + 100 * rng.randint(1, 4), 100 * rng.randint(1, 5), "yes"))
        else:
            side = rng.choice(["yes", "no"])
            price = (mid - 200) if side == "yes" else (10_000 - mid - 200)
            rec.write(BookDelta(ts, T1, side, price, rng.choice([-100, 100, 200])))
    rec.write(Lifecycle(n_events * S // 10, T1, "determined", "yes"))
    rec.write(Lifecycle(n_events * S // 10 + 1, T1, "settled", "yes"))
    rec.close()


def test_recording_round_trips_and_resumes_into_a_continuation(tmp_path: Path) -> None:
    path = tmp_path / "rec.parquet"
    events: list[Event] = [
        BookSnapshot(1, T1, ((4000, 100),), ()),
        BookDelta(2, T1, "no", 5000, 300),
        Trade(3, T1, 4000, 100, "no"),
        Lifecycle(4, T1, "determined", "scalar", 2500),
    ]
    rec = Recorder(path, flush_rows=2)
    for event in events[:2]:
        rec.write(event)
    rec.close()
    again = Recorder(path)  # a new process resumes: a continuation file
    for event in events[2:]:
        again.write(event)
    again.close()
    assert [p.name for p in parts(path)] == ["rec.parquet", "rec.parquet.1"]
    assert list(read_events(path)) == events
    assert count_events(path) == 4


def test_backtests_are_deterministic_and_report_everything(tmp_path: Path) -> None:
    path = tmp_path / "syn.parquet"
    synthetic(path, 20_000)
    results = [run_backtest(read_events(path), MarketMaker(T1)) for _ in range(2)]
    first, second = (render_json(r) for r in results)
    assert first == second
    report = json.loads(first)
    assert report["trades"] > 10
    assert report["fees_cc"] == 0  # quadratic: the maker pays no fee
    assert {"pnl_cc", "hit_rate", "max_drawdown_cc", "sharpe", "brier", "calibration"} <= set(
        report
    )
    assert report["brier"] is not None  # the market maker states its fair value
    assert sum(row["count"] for row in report["calibration"]) == len(results[0].forecasts)
    assert "queue behind" in report["fill_model"]
    html_a, html_b = tmp_path / "a.html", tmp_path / "b.html"
    render_html(results[0], html_a)
    render_html(results[1], html_b)
    assert html_a.read_bytes() == html_b.read_bytes()
    assert html_a.read_text().count("data:image/png;base64,") == 2


def test_brier_and_calibration_by_hand() -> None:
    # Forecast 0.80 and 0.20 on a market that resolved yes: Brier = (0.04 + 0.64) / 2.
    from augury.client.backtest import BacktestResult

    result = BacktestResult(
        "x", "m", 0, 0, 0, 0, [], [], {}, {T1: "yes"}, [(T1, 1, 8000), (T1, 2, 2000)]
    )
    metrics = result.metrics()
    assert metrics["brier"] == 0.34
    assert metrics["calibration"] == [
        {"bin": "20-30%", "count": 1, "mean_forecast": 0.2, "observed": 1.0},
        {"bin": "80-90%", "count": 1, "mean_forecast": 0.8, "observed": 1.0},
    ]


def test_record_live_then_backtest_cli_with_html_and_compare_live(
    server: Server, tmp_path: Path
) -> None:
    recorder_user, maker, taker = (_signer(server, n) for n in ("recu", "recm", "rect"))
    out = tmp_path / "live.parquet"

    async def session() -> None:
        task = asyncio.ensure_future(
            data_cli._record(out, [T2], server.url, recorder_user, None, 60)
        )
        async with (
            AsyncClient(server.url, signer=maker) as m,
            AsyncClient(server.url, signer=taker) as t,
        ):
            rng = random.Random(3)
            while not task.done():
                price = rng.randint(40, 60) * 100
                await m.create_order(orders.order_v2(T2, "bid", price, 200))
                await m.create_order(orders.order_v2(T2, "ask", price + 200, 200))
                await t.create_order(
                    orders.order_v2(T2, "ask", price, 100, time_in_force="immediate_or_cancel")
                )
                await asyncio.sleep(0.01)
        await task

    asyncio.run(session())
    events = list(read_events(out))
    assert len(events) >= 60
    assert isinstance(events[0], BookSnapshot)
    assert any(isinstance(e, Trade) for e in events)
    # Replaying the recorded book events reproduces the server's book at the end of the
    # recording window only if nothing traded after it; the counts must at least agree.
    count, books = replay_books(out)
    assert count == len(events)
    assert T2 in books
    runner = CliRunner()
    html = tmp_path / "report.html"
    fills_file = tmp_path / "live_fills.jsonl"
    fills_file.write_text(
        json.dumps(
            {"decision": "fill", "ticker": T2, "side": "bid", "yes_price_cc": 5000, "count_c": 100}
        )
        + "\n"
    )
    done = runner.invoke(
        app,
        [
            "backtest",
            "market_maker",
            "--data",
            str(out),
            "--json",
            "--html",
            str(html),
            "--compare-live",
            str(fills_file),
        ],
    )
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    assert doc["events"] == len(events)
    assert doc["compare_live"]["live_c"] == 100
    assert html.exists()
    again = runner.invoke(app, ["backtest", "market_maker", "--data", str(out), "--json"])
    assert json.loads(again.stdout)["fills"] == doc["fills"]
    table = runner.invoke(app, ["backtest", "mean_reversion", "--data", str(out)])
    assert table.exit_code == 0
    assert "P&L" in table.stdout
    assert runner.invoke(app, ["backtest", "nope", "--data", str(out)]).exit_code == 1


def test_replay_rebuilds_the_recorded_book_on_a_running_exchange(
    server: Server, tmp_path: Path
) -> None:
    path = tmp_path / "syn.parquet"
    synthetic(path, 400, seed=9)
    replayer_user = _signer(server, "replayer")
    with Client(server.url, signer=replayer_user) as client:
        replayer = Replayer(client, lambda _s: None, speed=0)
        # Only the book: settle events are not replayed (the exchange settles itself).
        replayed = replayer.run(e for e in read_events(path) if not isinstance(e, Lifecycle))
        assert replayed > 300
        _count, books = replay_books(path)
        yes, no = books[T1]
        rest = client.orderbook(T1)

        def levels(side: dict[int, int]) -> list[list[str]]:
            return [[f"0.{p:04d}", f"{s // 100}.{s % 100:02d}"] for p, s in sorted(side.items())]

        assert rest.yes_dollars == levels(yes)
        assert rest.no_dollars == levels(no)
        client.cancel_all()


def test_mean_reversion_runs_over_a_recording(tmp_path: Path) -> None:
    path = tmp_path / "syn.parquet"
    synthetic(path, 30_000, seed=4)
    faithful = run_backtest(read_events(path), MeanReversion(T1))
    corrected = run_backtest(read_events(path), MeanReversion(T1, corrected=True))
    assert faithful.metrics()["trades"] > 0
    assert faithful.decisions != corrected.decisions


def test_replay_command_at_speed(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from augury.client.creds import CredentialStore

    path = tmp_path / "small.parquet"
    rec = Recorder(path)
    rec.write(BookSnapshot(0, T3, yes=((3000, 200),), no=((6000, 100),)))
    rec.write(BookDelta(50_000_000, T3, "yes", 3100, 300))
    rec.write(BookDelta(100_000_000, T3, "yes", 3000, -100))
    rec.close()
    key_id, pem = server.user("replaycli", "1000", key_type="ed25519")
    monkeypatch.setenv("AUGURY_HOME", str(tmp_path / "home"))
    CredentialStore().add("replay", key_id, pem, server.url)
    done = CliRunner().invoke(app, ["replay", str(path), "--speed", "100"])
    assert done.exit_code == 0, done.output
    assert "replayed 3 book events" in done.stdout
    with Client(server.url, signer=Signer.from_pem(key_id, pem)) as client:
        book = client.orderbook(T3)
        assert book.yes_dollars == [["0.3000", "1.00"], ["0.3100", "3.00"]]
        assert book.no_dollars == [["0.6000", "1.00"]]
        client.cancel_all()
