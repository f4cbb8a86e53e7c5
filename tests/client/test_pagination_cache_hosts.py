"""Cursor iterators (resumable from a file), the TTL cache, and switching hosts by name."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from augury.client import Client, orders
from augury.client import endpoints as ep
from augury.client.cache import TtlCache
from augury.client.models import wire
from augury.client.pagination import CursorFile, items, pages
from tests.client.inproc import exchange

TICKERS = ["KXMAKER-26DEC-B1", "KXTEST-26DEC-T1", "KXTEST-26DEC-T2", "KXTEST-26DEC-T3"]


def test_items_walk_every_page_once(tmp_path: Path) -> None:
    with exchange(tmp_path / "data") as ex:
        client = ex.client()
        got = list(items(client.send, lambda cur: ep.get_markets(limit=1, cursor=cur), "markets"))
        assert sorted(m.ticker for m in got) == TICKERS
        walked = list(pages(client.send, lambda cur: ep.get_markets(limit=3, cursor=cur)))
        assert [len(p.markets) for p in walked] == [3, 1]
        assert walked[-1].cursor == ""


def test_a_walk_interrupted_after_any_page_resumes_without_loss(tmp_path: Path) -> None:
    with exchange(tmp_path / "data") as ex:
        client = ex.client()
        for stop_after in range(1, 4):
            state = CursorFile(tmp_path / f"walk{stop_after}.json")
            seen: list[str] = []
            walk = pages(client.send, lambda cur: ep.get_markets(limit=1, cursor=cur), state)
            for n, page in enumerate(walk, 1):
                seen += [m.ticker for m in page.markets]
                if n == stop_after:
                    break  # the process dies here, after handling this page
            # A new process: the saved state says which page comes next.
            resumed = pages(client.send, lambda cur: ep.get_markets(limit=1, cursor=cur), state)
            for page in resumed:
                seen += [m.ticker for m in page.markets]
            # The interrupted page's cursor was not saved, so it is seen at most twice.
            assert sorted(set(seen)) == TICKERS
            assert len(seen) - len(TICKERS) <= 1
            assert state.load().done
            assert list(pages(client.send, lambda cur: ep.get_markets(cursor=cur), state)) == []
        assert not list(tmp_path.glob("*.tmp"))


def test_cache_serves_public_gets_within_the_ttl_only(tmp_path: Path) -> None:
    with exchange(tmp_path / "data") as ex:
        signer = ex.user("cache")
        calls: list[str] = []

        class Seen:
            def on_request(self, method: str, template: str, status: int | None, s: float) -> None:
                calls.append(template)

        cache = TtlCache(2.0, ex.clock)
        client = ex.client(signer, cache=cache, observer=Seen())
        first = client.orderbook("KXTEST-26DEC-T1")
        client.create_order(orders.order_v2("KXTEST-26DEC-T1", "bid", 4000, 100))
        assert client.orderbook("KXTEST-26DEC-T1") == first  # cached: stale by design
        client.balance()
        client.balance()  # private: never cached
        ex.sleep(2.0)
        assert client.orderbook("KXTEST-26DEC-T1").yes_dollars == [["0.4000", "1.00"]]
        assert calls.count("/markets/{ticker}/orderbook") == 2
        assert calls.count("/portfolio/balance") == 2
        assert (cache.hits, cache.misses) == (1, 2)


def test_cache_is_bounded() -> None:
    from augury.client.clock import FakeClock

    cache = TtlCache(60, FakeClock(), max_entries=2)
    for ticker in ("A", "B", "C"):
        cache.put(ep.get_market(ticker), ticker)
    assert cache.get(ep.get_market("A")) == (False, None)
    assert cache.get(ep.get_market("C")) == (True, "C")


@pytest.mark.parametrize("name", ["prod", "demo"])
def test_switching_to_a_kalshi_host_is_one_setting(tmp_path: Path, name: str) -> None:
    # The in-process exchange answers whatever host the request names, so it impersonates
    # Kalshi's production and demo hosts: the same code, only the host setting differs.
    with exchange(tmp_path / "data") as ex:
        signer = ex.user("imp")
        seen: list[httpx.Request] = []

        class Spy(httpx.BaseTransport):
            def handle_request(self, request: httpx.Request) -> httpx.Response:
                seen.append(request)
                return ex.transport.handle_request(request)

        client = Client(name, signer=signer, transport=Spy(), clock=ex.clock, sleep=ex.sleep)
        created = client.create_order(orders.order_v2("KXTEST-26DEC-T2", "bid", 3000, 100))
        assert client.send(ep.get_order(created.order_id)).order.ticker == "KXTEST-26DEC-T2"
        hosts = {request.url.host for request in seen}
        expected = {"prod": "external-api.kalshi.com", "demo": "external-api.demo.kalshi.co"}
        assert hosts == {expected[name]}
        assert all(r.url.scheme == "https" for r in seen)
        assert all(r.url.path.startswith("/trade-api/v2/") for r in seen)
        assert isinstance(client.balance(), wire.GetBalanceResponse)
