"""``augury export trades|fills|orders --since ... --out FILE``: resumable JSON-lines export.

Each page's rows are appended to FILE (one JSON object per line), then the state file
``FILE.state`` records the next cursor and FILE's size by atomic replace. A rerun after an
interruption truncates FILE to the recorded size (dropping a half-written page) and
continues from the recorded cursor, so FILE ends with every row exactly once. A progress
bar counts rows as they arrive.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn

from augury.client import endpoints as ep
from augury.client.call import Call
from augury.client.cli.common import HostOpt, ProfileOpt, RootOpt, client_for, fail, run_api
from augury.client.pagination import CursorFile, pages

__all__ = ["export"]

Kind = Literal["trades", "fills", "orders"]


def _since_s(text: str | None) -> int | None:
    if text is None:
        return None
    if text.isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise fail(f"--since must be Unix seconds or an ISO date, got {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def _call_for(
    kind: Kind, ticker: str | None, since: int | None, limit: int
) -> Callable[[str | None], Call[Any]]:
    if kind == "trades":
        return lambda cur: ep.get_trades(ticker=ticker, min_ts=since, limit=limit, cursor=cur)
    if kind == "fills":
        return lambda cur: ep.get_fills(ticker=ticker, min_ts=since, limit=limit, cursor=cur)
    return lambda cur: ep.get_orders(ticker=ticker, min_ts=since, limit=limit, cursor=cur)


def export(
    kind: Annotated[str, typer.Argument(help="trades | fills | orders")],
    out: Annotated[Path, typer.Option("--out", help="JSON-lines file to write")],
    since: Annotated[str | None, typer.Option("--since", help="Unix seconds or ISO date")] = None,
    ticker: Annotated[str | None, typer.Option("--ticker")] = None,
    page_size: Annotated[int, typer.Option("--page-size", min=1, max=1000)] = 1000,
    host: HostOpt = None,
    profile: ProfileOpt = None,
    root: RootOpt = None,
) -> None:
    """Export every trade, fill or order since a time to a file; rerun to resume."""
    if kind not in ("trades", "fills", "orders"):
        raise fail("kind must be trades, fills or orders")
    client = client_for(host, profile, root, signed=kind != "trades")
    state_file = CursorFile(out.with_name(out.name + ".state"))
    state = state_file.load()
    if state.done:
        typer.echo(f"{out}: already complete ({state.rows} rows)")
        return
    size = int(state.extra.get("bytes", 0))
    with out.open("ab") as handle:
        handle.truncate(size)  # drop a page written after the last saved state
    field = {"trades": "trades", "fills": "fills", "orders": "orders"}[kind]
    make = _call_for(kind, ticker, _since_s(since), page_size)  # type: ignore[arg-type]
    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console) as bar:
        task = bar.add_task(f"{kind}: {state.rows} rows", total=None)
        rows = state.rows

        class _Saver(CursorFile):
            def save(self, saved: Any) -> None:
                saved.rows = rows
                saved.extra["bytes"] = out.stat().st_size
                state_file.save(saved)

        walk = pages(client.send, make, _Saver(state_file.path))
        for page in run_api(lambda: walk):
            with out.open("ab") as handle:
                for row in getattr(page, field):
                    handle.write(msgspec.json.encode(row) + b"\n")
                    rows += 1
                handle.flush()
                os.fsync(handle.fileno())
            bar.update(task, description=f"{kind}: {rows} rows")
    typer.echo(f"{out}: {rows} rows")
