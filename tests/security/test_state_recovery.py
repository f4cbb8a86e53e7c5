"""Recovery never dies on a record (issue 10, "Critical"; decision 0015).

The fixture store is written the way the old code wrote it: an order expiring at
9999999999 s and an operator deposit of $999,999,999,999,999 were accepted and journaled
(both fit msgpack's unsigned 64 bits, neither fits SQLite's signed ones), so the history
writer failed and every later start died with ``OverflowError``. Now the server starts on
that store, replays those two records as refused (they are out of domain now) and
rebuilds the history read models from the journal: the orders and the fill after them
are listed, and a second restart reaches the same state digest. Its deposits are in the
layout of that time (before ``Deposit`` gained ``transfer_id``), which must still decode.

A record this build cannot decode stops the start with an error that names the record
and the way out (``augury journal void SEQ``); after that the server starts. A record
whose apply raises during replay is voided and undone without help.

Each of these runs on SQLite and on PostgreSQL (``tests.security.stores``): the poisoned
values overflow both stores' signed 64-bit integers alike.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from augury.domain.rejects import RejectReason
from augury.engine import commands as c
from augury.engine.audit import audit
from augury.runtime import boot
from augury.runtime.boot import recover
from augury.store import Journal
from tests.e2e.server_harness import AUGURY, Server
from tests.security.stores import STORES, journal_url, store_url
from tests.security.test_state_sequencer import DOLLAR, BuggyExchange

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

S = 1_000_000_000
T0 = 1_796_000_000 * S  # 2026-11-30
TICKER = "KXOLD-26DEC-T1"


def _order(user: str, side: str, price_cc: int, **fields: object) -> c.PlaceOrder:
    return c.PlaceOrder(
        user_id=user,
        ticker=TICKER,
        side="bid" if side == "bid" else "ask",
        price_cc=price_cc,
        count_c=100,
        time_in_force="good_till_canceled",
        **fields,  # type: ignore[arg-type]
    )


def _old_deposit(user: str, amount_cc: int) -> list[object]:
    """A ``Deposit`` as builds before ``transfer_id`` encoded it (ts_ns filled in later)."""
    return ["Deposit", user, amount_cc, 0, 0]


def _encode(command: c.Command | list[object], ts_ns: int) -> bytes:
    """Encode as the old build did: ``[TypeName, *fields, ts_ns]`` (record version 0)."""
    if isinstance(command, list):
        return msgspec.msgpack.encode([*command[:-1], ts_ns])
    fields = msgspec.structs.astuple(command)
    return msgspec.msgpack.encode([type(command).__name__, *fields, ts_ns])


@pytest.fixture(params=STORES)
def db(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """The store under test: ``None`` (SQLite in the data directory) or a PostgreSQL URL."""
    with store_url(request.param) as url:
        yield url


def write_poisoned_store(data: Path, db: str | None = None) -> None:
    """Write the journal the old code left: two out-of-domain records among good ones, and
    deposits in the layout of that time (before ``transfer_id``)."""
    data.mkdir(parents=True)
    commands: list[c.Command | list[object]] = [
        c.AddSeries(ticker="KXOLD", fee_type="quadratic", fee_multiplier_e4=10_000),
        c.AddEvent(event_ticker="KXOLD-26DEC", series_ticker="KXOLD"),
        c.AddMarket(
            ticker=TICKER,
            event_ticker="KXOLD-26DEC",
            open_ts_ns=T0 - 86_400 * S,
            close_ts_ns=T0 + 365 * 86_400 * S,
        ),
        c.CreateUser(user_id="alice", name="alice"),
        _old_deposit("alice", 1_000 * DOLLAR),
        # The two poisoned records: 9.999e18 ns and 9.999e18 cc.
        _order("alice", "bid", 4_000, client_order_id="never", expiration_ts_ns=9_999_999_999 * S),
        _old_deposit("alice", 999_999_999_999_999 * DOLLAR),
        _order("alice", "bid", 4_000, client_order_id="after-poison"),
        c.CreateUser(user_id="bob", name="bob"),
        _old_deposit("bob", 1_000 * DOLLAR),
        _order("bob", "ask", 4_000, client_order_id="bob-cross"),
    ]
    with Journal.open(journal_url(data, db)) as journal:
        records = [
            (seq, T0 + seq * S, _encode(command, T0 + seq * S))
            for seq, command in enumerate(commands, start=1)
        ]
        journal.append_batch(records)  # the old build: no domain check before the journal


@pytest.mark.process  # runs the augury CLI
def test_a_store_poisoned_by_the_old_code_starts_and_rebuilds_history(
    tmp_path: Path, db: str | None
) -> None:
    data = tmp_path / "data"
    write_poisoned_store(data, db)
    server = Server(data, db=db)
    server.start()
    try:
        key = server.admin("POST", "/keys/generate", {"user": "alice"})
        key_id, pem = key["api_key_id"], key["private_key"]
        response = server.signed("GET", "/trade-api/v2/portfolio/orders", key_id, pem)
        assert response.status_code == 200, response.text
        orders = {o["client_order_id"]: o for o in response.json()["orders"]}
        # The never-expiring order was refused on replay; the one after it filled.
        assert set(orders) == {"after-poison"}
        assert orders["after-poison"]["status"] == "executed"
        fills = server.signed("GET", "/trade-api/v2/portfolio/fills", key_id, pem).json()
        assert [f["count_fp"] for f in fills["fills"]] == ["1.00"]
        balance = server.signed("GET", "/trade-api/v2/portfolio/balance", key_id, pem).json()
        assert balance["balance"] < 1_000 * 100  # the $1e15 deposit was not applied
        audit_report = server.admin("GET", "/audit")
        assert audit_report["problems"] == []
        before = server.admin("GET", "/state")
        server.stop()
        server.start()
        assert server.admin("GET", "/state") == before
    finally:
        server.close()


@pytest.mark.process  # runs the augury CLI
def test_an_undecodable_record_names_itself_and_the_way_out(tmp_path: Path, db: str | None) -> None:
    data = tmp_path / "data"
    write_poisoned_store(data, db)
    with Journal.open(journal_url(data, db)) as journal:
        seq = journal.last_seq() + 1
        journal.append_batch([(seq, T0 + seq * S, b"\x93not a command")])
    server = Server(data, db=db)
    try:
        with pytest.raises(RuntimeError) as failed:
            server.start()
        assert f"journal record {seq} cannot be decoded" in str(failed.value)
        assert f"augury journal void {seq}" in str(failed.value)
        store = ["--db", db] if db else []
        voided = subprocess.run(
            [str(AUGURY), "journal", "void", str(seq), "--data", str(data), *store],
            capture_output=True,
            text=True,
            check=False,
        )
        assert voided.returncode == 0, voided.stderr
        server.start()
        assert server.admin("GET", "/audit")["problems"] == []
    finally:
        server.close()


def test_a_record_whose_replay_raises_is_voided_and_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: str | None
) -> None:
    url = journal_url(tmp_path, db)
    commands: list[tuple[int, c.Command]] = [
        (1, c.CreateUser(user_id="alice", name="alice")),
        (1, c.Deposit(user_id="alice", amount_cc=10 * DOLLAR)),
        (2, c.SetUserTier(user_id="alice", tier="explode")),
        (3, c.Deposit(user_id="alice", amount_cc=DOLLAR)),
    ]
    with Journal.open(url) as journal:
        journal.append_batch(
            [(i + 1, ts_ns, c.encode_command(cmd)) for i, (ts_ns, cmd) in enumerate(commands)]
        )
    monkeypatch.setattr(boot, "Exchange", BuggyExchange)
    seen: dict[int, RejectReason | None] = {}
    with Journal.open(url) as journal:
        result = recover(
            journal,
            "augury",
            lambda seq, _cmd, out: seen.__setitem__(
                seq, out.reject.reason if out.reject is not None else None
            ),
        )
        assert journal.void_records() == {3}
    assert seen == {1: None, 2: None, 3: RejectReason.COMMAND_FAILED, 4: None}
    assert result.exchange.ledger.accounts[("alice", 0)].available_cc == 11 * DOLLAR
    assert audit(result.exchange) == []


def test_records_in_the_layout_before_transfer_id_decode_as_they_meant() -> None:
    """``Deposit``/``Withdraw`` gained ``transfer_id``; their older records (alone or in a
    batch) must still replay, or every store written before would fail to start."""
    old_batch = msgspec.msgpack.encode(
        ["Batch", [["Deposit", "bob", 5, 0, 9], ["Withdraw", "ann", 7, 1, 9], ["Tick", 9]], 9]
    )
    assert c.decode_command(old_batch) == c.Batch.of(
        [
            c.Deposit(user_id="bob", amount_cc=5),
            c.Withdraw(user_id="ann", amount_cc=7, subaccount=1),
            c.Tick(),
        ]
    )
    with pytest.raises(msgspec.ValidationError):
        c.decode_command(msgspec.msgpack.encode(["Deposit", "x"]))
