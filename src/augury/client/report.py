"""Backtest reports: a terminal table, JSON, and HTML with PNG charts (matplotlib, Agg).

Every format states the fill model. JSON is ``sort_keys`` with fixed rounding, and the PNGs
are drawn with fixed sizes and no timestamp metadata, so the same result renders to the
same bytes. Money is shown from integer centi-cents (``units.dollars_str``); charts plot
integer cents.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from augury.client.backtest import BacktestResult
from augury.client.units import dollars_str

__all__ = ["render_html", "render_json", "render_table"]

_MONEY = ("pnl_cc", "fees_cc", "max_drawdown_cc", "final_equity_cc")


def _document(result: BacktestResult) -> dict[str, Any]:
    metrics = result.metrics()
    for key in _MONEY:
        metrics[key.removesuffix("_cc") + "_dollars"] = dollars_str(metrics[key])
    metrics["fills"] = [
        {
            "fill_id": f.fill_id,
            "ticker": f.ticker,
            "side": f.side,
            "yes_price_cc": f.yes_price_cc,
            "count_c": f.count_c,
            "is_taker": f.is_taker,
            "fee_cc": f.fee_cc,
            "ts_ns": f.ts_ns,
        }
        for f in result.fills
    ]
    return metrics


def render_json(result: BacktestResult) -> str:
    """Return the report as JSON (deterministic)."""
    return json.dumps(_document(result), sort_keys=True, indent=2) + "\n"


def render_table(result: BacktestResult, console: Console | None = None) -> None:
    """Print the report as a table."""
    m = result.metrics()
    table = Table(title=f"backtest: {result.strategy}", show_header=False)
    rows = [
        ("events", str(m["events"])),
        ("P&L", "$" + dollars_str(m["pnl_cc"])),
        ("fees", "$" + dollars_str(m["fees_cc"])),
        ("trades", str(m["trades"])),
        ("hit rate", "-" if m["hit_rate"] is None else f"{m['hit_rate']:.1%}"),
        ("max drawdown", "$" + dollars_str(m["max_drawdown_cc"])),
        ("Sharpe (per sample)", "-" if m["sharpe"] is None else f"{m['sharpe']:.3f}"),
        ("Brier", "-" if m["brier"] is None else f"{m['brier']:.4f}"),
        ("fee schedule", ", ".join(f"{t}: {d}" for t, d in m["fee_schedules"].items()) or "-"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    (console or Console()).print(table)
    (console or Console()).print(result.fill_model)


def _png(figure: Any) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=80, metadata={"Software": None})
    return out.getvalue()


def _charts(result: BacktestResult) -> list[tuple[str, bytes]]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    charts = []
    equity = Figure(figsize=(8, 3))
    ax = equity.subplots()
    ax.plot([i for i, _ in enumerate(result.equity)], [e // 100 for _t, e in result.equity])
    ax.set_title("equity (cents)")
    ax.set_xlabel("sample")
    charts.append(("equity curve", _png(equity)))
    for ticker in sorted(result.prices):
        figure = Figure(figsize=(8, 3))
        ax = figure.subplots()
        points = result.prices[ticker]
        ax.plot([t for t, _ in points], [p // 100 for _t, p in points], linewidth=0.8)
        for side, marker in (("bid", "^"), ("ask", "v")):
            fills = [f for f in result.fills if f.ticker == ticker and f.side == side]
            ax.scatter(
                [f.ts_ns for f in fills],
                [f.yes_price_cc // 100 for f in fills],
                marker=marker,
                label=f"{side} fills",
            )
        ax.set_title(f"{ticker}: trades (cents) and our fills")
        ax.legend(loc="best")
        charts.append((f"{ticker} price and fills", _png(figure)))
    return charts


def render_html(result: BacktestResult, path: Path) -> None:
    """Write a self-contained HTML report (charts inlined as PNG data URIs)."""
    m = _document(result)
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(m[k]))}</td></tr>"
        for k in (
            "events",
            "pnl_dollars",
            "fees_dollars",
            "trades",
            "hit_rate",
            "max_drawdown_dollars",
            "sharpe",
            "brier",
        )
    )
    calibration = "".join(
        f"<tr><td>{c['bin']}</td><td>{c['count']}</td><td>{c['mean_forecast']}</td>"
        f"<td>{c['observed']}</td></tr>"
        for c in m["calibration"]
    )
    images = "".join(
        f"<h2>{html.escape(title)}</h2><img alt='{html.escape(title)}' "
        f"src='data:image/png;base64,{base64.b64encode(png).decode()}'>"
        for title, png in _charts(result)
    )
    path.write_text(
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>backtest {html.escape(result.strategy)}</title></head><body>"
        f"<h1>Backtest: {html.escape(result.strategy)}</h1>"
        f"<p>{html.escape(result.fill_model)}</p><table>{rows}</table>"
        "<h2>calibration</h2><table><tr><th>bin</th><th>n</th><th>forecast</th>"
        f"<th>observed</th></tr>{calibration}</table>{images}</body></html>\n"
    )
