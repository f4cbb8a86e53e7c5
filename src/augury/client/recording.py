"""Recordings: market events in a compact columnar file (Parquet via pyarrow, zstd).

Schema (one row per event; integer units as everywhere in the client):

=============  ==========================  ==============================================
column         type                        meaning
=============  ==========================  ==============================================
ts_ns          int64                       event time (Unix ns; receipt time when live)
kind           dictionary<string>          snapshot | delta | trade | lifecycle
ticker         dictionary<string>          market
side           string (nullable)           delta: yes|no; trade: taker side; lifecycle: event
price_cc       int32                       delta: level price; trade: YES price
size_c         int64                       delta: signed change; trade: count
yes, no        list<struct<p:int32,s:int64>>  snapshot levels (null otherwise)
result         string (nullable)           lifecycle result (yes|no|scalar|void)
value_cc       int32                       lifecycle scalar value
=============  ==========================  ==============================================

The file's key-value metadata ``augury.fees`` holds each recorded market's fee schedule
as the exchange stated it at record time (``{"TICKER": {"fee_type": "quadratic",
"multiplier_e4": 10000}}``; see ``market_fees``), so a backtest charges the real fees;
``read_fees`` merges it over every part of a recording.

Writing streams row groups (``flush_rows`` events or ``flush()``), so a crash loses at most
the unflushed events. After a disconnect the feed resubscribes and a fresh snapshot is
recorded, which replaces the book on replay. A recording resumed by a new process goes to
``FILE.1``, ``FILE.2``... beside ``FILE``; ``read_events(FILE)`` reads them all in order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.parquet as pq

from augury.client.sim.events import BookDelta, BookSnapshot, Event, Lifecycle, Trade
from augury.client.sim.fees import FeeSchedule

__all__ = [
    "SCHEMA",
    "Recorder",
    "count_events",
    "parts",
    "read_columns",
    "read_events",
    "read_fees",
    "row_groups",
]

_LEVEL = pa.list_(pa.struct([("p", pa.int32()), ("s", pa.int64())]))
SCHEMA: Final = pa.schema(
    [
        ("ts_ns", pa.int64()),
        ("kind", pa.dictionary(pa.int8(), pa.string())),
        ("ticker", pa.dictionary(pa.int32(), pa.string())),
        ("side", pa.string()),
        ("price_cc", pa.int32()),
        ("size_c", pa.int64()),
        ("yes", _LEVEL),
        ("no", _LEVEL),
        ("result", pa.string()),
        ("value_cc", pa.int32()),
    ]
)
_COLUMNS: Final = [f.name for f in SCHEMA]
_FEES_KEY: Final = b"augury.fees"


def parts(path: Path) -> list[Path]:
    """Return a recording's files in order: ``FILE``, ``FILE.1``, ``FILE.2``..."""
    found = [path] if path.exists() else []
    n = 1
    while (path.with_name(f"{path.name}.{n}")).exists():
        found.append(path.with_name(f"{path.name}.{n}"))
        n += 1
    return found


class Recorder:
    """Appends events to a recording, one row group per ``flush_rows`` events."""

    def __init__(
        self,
        path: Path,
        *,
        flush_rows: int = 10_000,
        fees: Mapping[str, FeeSchedule] | None = None,
    ) -> None:
        existing = parts(path)
        self.path = path if not existing else path.with_name(f"{path.name}.{len(existing)}")
        self.flush_rows = flush_rows
        self.rows = 0
        self._buffer: dict[str, list[Any]] = {name: [] for name in _COLUMNS}
        schema = SCHEMA
        if fees:
            doc = {
                t: {"fee_type": f.fee_type, "multiplier_e4": f.multiplier_e4}
                for t, f in sorted(fees.items())
            }
            schema = SCHEMA.with_metadata({_FEES_KEY: json.dumps(doc).encode()})
        self._writer = pq.ParquetWriter(self.path, schema, compression="zstd")

    def write(self, event: Event) -> None:
        """Buffer one event (flushed every ``flush_rows``)."""
        row: dict[str, Any] = dict.fromkeys(_COLUMNS)
        row["ts_ns"] = event.ts_ns
        if isinstance(event, BookSnapshot):
            row.update(
                kind="snapshot",
                ticker=event.ticker,
                yes=[{"p": p, "s": s} for p, s in event.yes],
                no=[{"p": p, "s": s} for p, s in event.no],
            )
        elif isinstance(event, BookDelta):
            row.update(
                kind="delta",
                ticker=event.ticker,
                side=event.side,
                price_cc=event.price_cc,
                size_c=event.delta_c,
            )
        elif isinstance(event, Trade):
            row.update(
                kind="trade",
                ticker=event.ticker,
                side=event.taker_side,
                price_cc=event.yes_price_cc,
                size_c=event.count_c,
            )
        elif isinstance(event, Lifecycle):
            row.update(
                kind="lifecycle",
                ticker=event.ticker,
                side=event.event,
                result=event.result,
                value_cc=event.value_cc,
            )
        else:
            return
        for name in _COLUMNS:
            self._buffer[name].append(row[name])
        self.rows += 1
        if len(self._buffer["ts_ns"]) >= self.flush_rows:
            self.flush()

    def flush(self) -> None:
        """Write buffered events as one row group."""
        if not self._buffer["ts_ns"]:
            return
        table = pa.table(self._buffer, schema=SCHEMA)
        self._writer.write_table(table)
        self._buffer = {name: [] for name in _COLUMNS}

    def close(self) -> None:
        """Flush and close the file."""
        self.flush()
        self._writer.close()


def count_events(path: Path) -> int:
    """Return the number of events in a recording (from the Parquet footers)."""
    return sum(pq.ParquetFile(part).metadata.num_rows for part in parts(path))


def read_fees(path: Path) -> dict[str, FeeSchedule]:
    """Return the fee schedules recorded with a recording (later parts win); {} if none."""
    out: dict[str, FeeSchedule] = {}
    for part in parts(path):
        meta = pq.ParquetFile(part).schema_arrow.metadata or {}
        raw = meta.get(_FEES_KEY)
        if raw is None:
            continue
        for ticker, fee in json.loads(raw).items():
            out[ticker] = FeeSchedule(str(fee["fee_type"]), int(fee["multiplier_e4"]))
    return out


def row_groups(path: Path) -> Iterator[pa.Table]:
    """Yield the recording's row groups as Arrow tables."""
    for part in parts(path):
        file = pq.ParquetFile(part)
        for group in range(file.num_row_groups):
            yield file.read_row_group(group)


def read_columns(path: Path) -> Iterator[dict[str, list[Any]]]:
    """Yield the recording's row groups as Python column lists (fast bulk access)."""
    for part in parts(path):
        file = pq.ParquetFile(part)
        for group in range(file.num_row_groups):
            table = file.read_row_group(group)
            yield {name: table.column(name).to_pylist() for name in _COLUMNS}


def read_events(path: Path) -> Iterator[Event]:
    """Yield a recording's events in order."""
    for cols in read_columns(path):
        rows = zip(
            cols["ts_ns"],
            cols["kind"],
            cols["ticker"],
            cols["side"],
            cols["price_cc"],
            cols["size_c"],
            cols["yes"],
            cols["no"],
            cols["result"],
            cols["value_cc"],
            strict=True,
        )
        for ts, kind, ticker, side, price, size, yes, no, result, value in rows:
            if kind == "delta":
                yield BookDelta(ts, ticker, side, price, size)
            elif kind == "trade":
                yield Trade(ts, ticker, price, size, side)
            elif kind == "snapshot":
                yield BookSnapshot(
                    ts,
                    ticker,
                    tuple((lv["p"], lv["s"]) for lv in yes or ()),
                    tuple((lv["p"], lv["s"]) for lv in no or ()),
                )
            elif kind == "lifecycle":
                yield Lifecycle(ts, ticker, side or "", result or "", value or 0)
