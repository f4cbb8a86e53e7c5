"""Backtests: a strategy over a recording, through the one fill model, deterministically.

``run_backtest(events, strategy)`` drives the bot ``Runner`` with a ``FillModel`` broker
over the events in order. Time is the events' time, ids are counters, nothing reads a
clock or draws a random number, and the report's numbers come from integer ledgers in a
fixed order: the same recording and settings give the same report byte for byte.

``replay_books(path)`` is the fast path without a strategy: it applies every book event to
plain dicts straight from the Parquet columns (the benchmark's "events replayed per
second").

Metrics (all in the report, with the fill model's description):
    P&L (final equity minus starting cash, positions marked at the last trade/mid or at
    settlement), fees, trades (fills), hit rate (fills that gained against the final mark),
    max drawdown (largest fall of equity from a running peak), Sharpe (mean over standard
    deviation of equity changes between timer samples, not annualised), and for strategies
    that state probabilities the Brier score and a calibration table (deciles) against
    the markets' yes/no results.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from augury.client.bots.risk import RiskLimits
from augury.client.bots.runner import DecisionLog, Runner
from augury.client.bots.strategy import Strategy
from augury.client.recording import row_groups as _row_groups
from augury.client.sim.events import Event, Lifecycle, Trade
from augury.client.sim.fees import FeeSchedule
from augury.client.sim.fillmodel import ONE_CC, FillModel, SimFill

__all__ = ["BacktestResult", "replay_books", "run_backtest"]


@dataclass
class BacktestResult:
    strategy: str
    fill_model: str
    events: int
    start_cash_cc: int
    final_equity_cc: int
    fees_cc: int
    fills: list[SimFill]
    equity: list[tuple[int, int]]  # (ts_ns, equity_cc) at each timer and fill
    prices: dict[str, list[tuple[int, int]]]  # ticker -> (ts_ns, trade price)
    results: dict[str, str]
    forecasts: list[tuple[str, int, int]]
    decisions: list[dict[str, Any]] = field(default_factory=list)
    fee_schedules: dict[str, str] = field(default_factory=dict)  # ticker -> "type xM"

    @property
    def pnl_cc(self) -> int:
        return self.final_equity_cc - self.start_cash_cc

    def metrics(self) -> dict[str, Any]:
        """Return the report's numbers (integers for money; ratios rounded to 6 places)."""
        out: dict[str, Any] = {
            "strategy": self.strategy,
            "fill_model": self.fill_model,
            "events": self.events,
            "pnl_cc": self.pnl_cc,
            "fees_cc": self.fees_cc,
            "trades": len(self.fills),
            "hit_rate": _round(self._hit_rate()),
            "max_drawdown_cc": self._max_drawdown(),
            "sharpe": _round(self._sharpe()),
            "final_equity_cc": self.final_equity_cc,
            "fee_schedules": dict(self.fee_schedules),
        }
        brier, table = self._calibration()
        out["brier"] = _round(brier)
        out["calibration"] = table
        return out

    def _final_mark(self, ticker: str) -> int | None:
        result = self.results.get(ticker)
        if result in ("yes", "no"):
            return ONE_CC if result == "yes" else 0
        prices = self.prices.get(ticker)
        return prices[-1][1] if prices else None

    def _hit_rate(self) -> float | None:
        judged = wins = 0
        for fill in self.fills:
            mark = self._final_mark(fill.ticker)
            if mark is None:
                continue
            judged += 1
            gain = mark - fill.yes_price_cc if fill.side == "bid" else fill.yes_price_cc - mark
            wins += gain > 0
        return wins / judged if judged else None

    def _max_drawdown(self) -> int:
        peak, worst = self.start_cash_cc, 0
        for _ts, equity in self.equity:
            peak = max(peak, equity)
            worst = max(worst, peak - equity)
        return worst

    def _sharpe(self) -> float | None:
        values = [e for _t, e in self.equity]
        changes = [b - a for a, b in itertools.pairwise(values)]
        if len(changes) < 2:
            return None
        mean = sum(changes) / len(changes)
        var = sum((c - mean) ** 2 for c in changes) / (len(changes) - 1)
        return mean / math.sqrt(var) if var > 0 else None

    def _calibration(self) -> tuple[float | None, list[dict[str, Any]]]:
        scored = [
            (p, 1 if self.results[t] == "yes" else 0)
            for t, _ts, p in self.forecasts
            if self.results.get(t) in ("yes", "no")
        ]
        if not scored:
            return None, []
        brier = sum((p / ONE_CC - o) ** 2 for p, o in scored) / len(scored)
        table = []
        for decile in range(10):
            low, high = decile * ONE_CC // 10, (decile + 1) * ONE_CC // 10
            inside = [(p, o) for p, o in scored if low <= p < high or (decile == 9 and p == high)]
            if inside:
                table.append(
                    {
                        "bin": f"{decile * 10}-{decile * 10 + 10}%",
                        "count": len(inside),
                        "mean_forecast": _round(sum(p for p, _ in inside) / len(inside) / ONE_CC),
                        "observed": _round(sum(o for _, o in inside) / len(inside)),
                    }
                )
        return brier, table


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def run_backtest(
    events: Iterable[Event],
    strategy: Strategy,
    *,
    fees: Callable[[str], FeeSchedule] | FeeSchedule | None = None,
    latency_ns: int = 0,
    cash_cc: int = 10_000_000,
    limits: RiskLimits | None = None,
    progress: Callable[[int], None] | None = None,
) -> BacktestResult:
    """Run ``strategy`` over ``events``; see the module docstring."""
    model = FillModel(fees, latency_ns=latency_ns)
    log = DecisionLog()
    runner = Runner(strategy, model, cash_cc=cash_cc, limits=limits, log=log, id_prefix="bt")
    equity: list[tuple[int, int]] = []
    prices: dict[str, list[tuple[int, int]]] = {}
    results: dict[str, str] = {}
    count = 0
    last_timer = None
    for event in events:
        count += 1
        fills = runner.on_event(event)
        if isinstance(event, Lifecycle) and event.result:
            results[event.ticker] = event.result
        if isinstance(event, Trade):
            prices.setdefault(event.ticker, []).append((event.ts_ns, event.yes_price_cc))
        timer = runner._next_timer_ns
        if fills or timer != last_timer:
            equity.append((event.ts_ns, runner.equity_fine() // 100))
            last_timer = timer
        if progress is not None and count % 10_000 == 0:
            progress(count)
    runner.stop("end of data")
    final = runner.equity_fine() // 100
    equity.append((runner.now_ns, final))
    return BacktestResult(
        strategy=strategy.name,
        fill_model=model.describe(),
        events=count,
        start_cash_cc=cash_cc,
        final_equity_cc=final,
        fees_cc=runner.ledger.fees_cc,
        fills=runner.fills,
        equity=equity,
        prices=prices,
        results=results,
        forecasts=runner.forecasts,
        decisions=log.records,
        fee_schedules={
            t: model.fees(t).describe()
            for t in sorted(set(runner.books) | set(prices) | results.keys())
        },
    )


def replay_books(path: Path) -> tuple[int, dict[str, tuple[dict[int, int], dict[int, int]]]]:
    """Apply every book event of a recording to plain books; return (events, books).

    The columns are read as integer arrays (the kind and ticker as dictionary indices, the
    side as a flag), and snapshot levels are decoded only for snapshot rows, so the loop
    touches nothing but Python ints and dicts.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    books: dict[str, tuple[dict[int, int], dict[int, int]]] = {}
    count = 0
    for table in _row_groups(path):
        count += table.num_rows
        kinds = table.column("kind").combine_chunks()
        tickers = table.column("ticker").combine_chunks()
        kind_names = kinds.dictionary.to_pylist()
        delta_code = kind_names.index("delta") if "delta" in kind_names else -1
        snap_code = kind_names.index("snapshot") if "snapshot" in kind_names else -1
        ticker_names = tickers.dictionary.to_pylist()
        shelves = [books.setdefault(t, ({}, {})) for t in ticker_names]
        is_yes = pc.fill_null(pc.equal(table.column("side"), "yes"), False)
        # One flat list of level dicts: slot = 2 * ticker + (0 for YES bids, 1 for NO bids).
        slots_books = [levels for shelf in shelves for levels in shelf]
        slots = (
            tickers.indices.to_numpy(zero_copy_only=False).astype("int64") * 2
            + 1
            - is_yes.to_numpy(zero_copy_only=False).astype("int64")
        ).tolist()
        snapshots = []
        if snap_code >= 0:
            rows = pc.indices_nonzero(
                pc.equal(kinds.indices, pa.scalar(snap_code, kinds.indices.type))
            )
            picked = table.take(rows)
            for yes, no in zip(
                picked.column("yes").to_pylist(), picked.column("no").to_pylist(), strict=True
            ):
                snapshots.append(
                    ({lv["p"]: lv["s"] for lv in yes or ()}, {lv["p"]: lv["s"] for lv in no or ()})
                )
        next_snapshot = iter(snapshots).__next__
        for kind, slot, price, size in zip(
            kinds.indices.to_numpy(zero_copy_only=False).tolist(),
            slots,
            table.column("price_cc").fill_null(0).to_numpy().tolist(),
            table.column("size_c").fill_null(0).to_numpy().tolist(),
            strict=True,
        ):
            if kind == delta_code:
                levels = slots_books[slot]
                left = levels.get(price, 0) + size
                if left > 0:
                    levels[price] = left
                else:
                    levels.pop(price, None)
            elif kind == snap_code:
                yes_levels, no_levels = next_snapshot()
                base = slot - slot % 2
                slots_books[base].clear()
                slots_books[base].update(yes_levels)
                slots_books[base + 1].clear()
                slots_books[base + 1].update(no_levels)
    return count, {t: b for t, b in books.items() if b[0] or b[1] or t}
