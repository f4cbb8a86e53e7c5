"""The client against the exchange in-process: every served endpoint, typed, end to end.

One session walks all the endpoints in ``augury.client.endpoints`` (and the v1 writes in
``augury.client.legacy``) with the sync client, so every response body the server sends
is decoded into the client's own models; the async client repeats the trading loop.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from augury.client import AsyncClient, errors, legacy, orders
from augury.client import endpoints as ep
from augury.client.call import Call
from augury.client.models import wire
from augury.client.units import count_c, dollars_cc
from tests.client.inproc import exchange
from tests.client.model_codegen import SERVED

T1, T2 = "KXTEST-26DEC-T1", "KXTEST-26DEC-T2"
START_S = 1_767_225_600


def test_every_endpoint_decodes_into_the_client_models(tmp_path: Path) -> None:
    called: set[str] = set()
    with exchange(tmp_path / "data") as ex:
        alice, bob = ex.user("alice"), ex.user("bob")
        a, b = ex.client(alice), ex.client(bob)
        anon = ex.client()

        def call(client: Any, built: Call[Any]) -> Any:
            called.add(f"{built.method} {built.template}")
            return client.send(built)

        # Market data, anonymous and signed.
        assert call(anon, ep.get_exchange_status()).trading_active is True
        call(anon, ep.get_exchange_schedule())
        call(anon, ep.get_user_data_timestamp())
        markets = call(anon, ep.get_markets(series_ticker="KXTEST", limit=2))
        assert [m.ticker for m in markets.markets] == [T1, T2]
        assert markets.cursor
        assert call(a, ep.get_market(T1)).market.ticker == T1
        call(anon, ep.get_series_list())
        assert call(anon, ep.get_series("KXTEST")).series.ticker == "KXTEST"
        call(anon, ep.get_events(series_ticker="KXTEST"))
        assert call(anon, ep.get_event("KXTEST-26DEC")).markets
        call(anon, ep.get_event_metadata("KXTEST-26DEC"))
        call(anon, ep.get_account_endpoint_costs())
        assert call(a, ep.get_account_api_limits()).usage_tier == "unlimited"

        # Trading: a resting bid, a crossing ask, fills, positions, balances.
        rest = orders.order_v2(T1, "bid", 5600, 1000)
        created = call(a, ep.create_order_v2(rest))
        assert created.client_order_id == rest.client_order_id
        assert count_c(created.remaining_count) == 1000
        hit = call(
            b,
            ep.create_order_v2(
                orders.order_v2(T1, "ask", 5000, 400, time_in_force="immediate_or_cancel")
            ),
        )
        assert count_c(hit.fill_count) == 400
        assert dollars_cc(hit.average_fill_price or "") == 5600
        book = call(anon, ep.get_market_orderbook(T1)).orderbook_fp
        assert book.yes_dollars == [["0.5600", "6.00"]]
        assert book.no_dollars == []
        assert call(anon, ep.get_market_orderbooks(tickers=[T1, T2])).orderbooks
        trades = call(anon, ep.get_trades(ticker=T1))
        assert [count_c(t.count_fp) for t in trades.trades] == [400]
        fills = call(a, ep.get_fills(ticker=T1)).fills
        assert [(f.order_id, f.is_taker) for f in fills] == [(created.order_id, False)]
        positions = call(a, ep.get_positions()).market_positions
        assert [(p.ticker, count_c(p.position_fp)) for p in positions] == [(T1, 400)]
        assert call(a, ep.get_balance()).balance > 0
        assert call(a, ep.get_order(created.order_id)).order.status == "resting"
        assert call(a, ep.get_orders(ticker=T1)).orders
        call(a, ep.get_order_queue_position(created.order_id))
        call(a, ep.get_order_queue_positions(market_tickers=T1))
        call(a, ep.get_portfolio_resting_order_total_value())
        call(a, ep.get_settlements())
        call(a, ep.get_deposits())
        call(a, ep.get_withdrawals())
        amended = call(
            a,
            ep.amend_order_v2(
                created.order_id,
                wire.AmendOrderV2Request(ticker=T1, side="bid", price="0.5500", count="10.00"),
            ),
        )
        assert amended.order_id
        decreased = call(
            a, ep.decrease_order_v2(amended.order_id, wire.DecreaseOrderV2Request(reduce_by="1.00"))
        )
        assert count_c(decreased.remaining_count) == 500
        assert count_c(call(a, ep.cancel_order_v2(decreased.order_id)).reduced_by) == 500
        batch = call(
            a,
            ep.batch_create_orders_v2(
                wire.BatchCreateOrdersV2Request(
                    orders=[
                        orders.order_v2(T2, "bid", 3000, 100),
                        orders.order_v2(T2, "bid", 3100, 100),
                    ]
                )
            ),
        )
        ids = [item.order_id for item in batch.orders]
        assert all(ids)
        cancelled = call(
            a,
            ep.batch_cancel_orders_v2(
                wire.BatchCancelOrdersV2Request(
                    orders=[wire.BatchCancelOrdersV2RequestOrdersInner(order_id=ids[0])]
                )
            ),
        )
        assert cancelled.orders[0].order_id == ids[0]
        assert call(a, ep.cancel_all_orders()) is None

        # Order groups, subaccounts, API keys.
        group = call(a, ep.create_order_group(wire.CreateOrderGroupRequest(contracts_limit=5)))
        gid = group.order_group_id
        assert call(a, ep.get_order_group(gid)).contracts_limit_fp == "5.00"
        call(a, ep.get_order_groups())
        call(
            a,
            ep.update_order_group_limit(gid, wire.UpdateOrderGroupLimitRequest(contracts_limit=7)),
        )
        call(a, ep.trigger_order_group(gid, {}))
        call(a, ep.reset_order_group(gid, {}))
        call(a, ep.delete_order_group(gid))
        sub = call(a, ep.create_subaccount(wire.CreateSubaccountRequest()))
        call(
            a,
            ep.apply_subaccount_transfer(
                wire.ApplySubaccountTransferRequest(
                    client_transfer_id="6f1b3c2e-1d2a-4b6c-9e8f-0a1b2c3d4e5f",
                    from_subaccount=0,
                    to_subaccount=sub.subaccount_number,
                    amount_cents=100,
                )
            ),
        )
        call(a, ep.get_subaccount_transfers())
        call(a, ep.get_subaccount_balances())
        with pytest.raises(errors.BadRequestError, match="netting is not available"):
            call(
                a,
                ep.update_subaccount_netting(
                    wire.UpdateSubaccountNettingRequest(subaccount_number=0, enabled=True)
                ),
            )
        call(a, ep.get_subaccount_netting())
        generated = call(a, ep.generate_api_key(wire.GenerateApiKeyRequest(name="bot")))
        from augury.client.signing import generate_private_key_pem, public_key_pem

        call(
            a,
            ep.create_api_key(
                wire.CreateApiKeyRequest(
                    name="own", public_key=public_key_pem(generate_private_key_pem())
                )
            ),
        )
        assert len(call(a, ep.get_api_keys()).api_keys) == 3
        call(a, ep.delete_api_key(generated.api_key_id))

        # Candles and the historical tier.
        end = START_S + 3600
        call(
            anon,
            ep.get_market_candlesticks(
                "KXTEST", T1, start_ts=START_S, end_ts=end, period_interval=60
            ),
        )
        call(
            anon,
            ep.get_market_candlesticks_by_event(
                "KXTEST-26DEC", "KXTEST", start_ts=START_S, end_ts=end, period_interval=60
            ),
        )
        call(
            anon,
            ep.batch_get_market_candlesticks(
                market_tickers=T1, start_ts=START_S, end_ts=end, period_interval=60
            ),
        )
        call(anon, ep.get_historical_cutoff())
        # Served with empty lists (Augury has no fee changes or multivariate events).
        assert call(anon, ep.get_series_fee_changes()).series_fee_change_arr == []
        assert call(anon, ep.get_event_fee_changes()).event_fee_changes == []
        assert call(anon, ep.get_multivariate_events()).events == []
        call(anon, ep.get_historical_markets())
        # A live market is not historical yet: the server says so with a typed 404.
        with pytest.raises(errors.NotFoundError):
            call(anon, ep.get_historical_market(T1))
        call(
            anon,
            ep.get_market_candlesticks_historical(
                T1, start_ts=START_S, end_ts=end, period_interval=60
            ),
        )
        call(anon, ep.get_trades_historical())
        call(a, ep.get_fills_historical())
        call(a, ep.get_historical_orders())
        call(a, ep.get_historical_positions())

        # The retired v1 writes (served by default).
        v1 = call(a, legacy.create_order(orders.order_v1(T2, "yes", "buy", 20, 3)))
        oid = v1.order.order_id
        call(
            a,
            legacy.amend_order(
                oid,
                wire.AmendOrderRequest(ticker=T2, side="yes", action="buy", yes_price=21, count=3),
            ),
        )
        call(a, legacy.decrease_order(oid, legacy.DecreaseOrderRequest(reduce_by=1)))
        assert call(a, legacy.cancel_order(oid)).order.status == "canceled"
        made = call(
            a,
            legacy.batch_create_orders(
                wire.BatchCreateOrdersRequest(orders=[orders.order_v1(T2, "no", "buy", 40, 1)])
            ),
        )
        order = made.orders[0].order
        assert order is not None
        call(a, legacy.batch_cancel_orders(wire.BatchCancelOrdersRequest(ids=[order.order_id])))
    served = {f"{m} {p}" for m, p in SERVED}
    assert served - called == set()


def test_async_client_trades_like_the_sync_one(tmp_path: Path) -> None:
    with exchange(tmp_path / "data") as ex:
        alice = ex.user("alice")
        transport = ex.transport

        class Bridge(httpx.AsyncBaseTransport):
            """Run the sync in-process transport from the event loop (a test adapter)."""

            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                body = await request.aread()
                sync_request = httpx.Request(
                    request.method, request.url, headers=request.headers, content=body
                )
                response = await asyncio.to_thread(transport.handle_request, sync_request)
                return httpx.Response(
                    response.status_code, headers=response.headers, content=response.read()
                )

        async def session() -> None:
            async def sleep(seconds: float) -> None:
                ex.sleep(seconds)

            async with AsyncClient(
                "http://testserver", signer=alice, transport=Bridge(), clock=ex.clock, sleep=sleep
            ) as client:
                created = await client.create_order(orders.order_v2(T1, "bid", 4000, 200))
                assert (await client.orderbook(T1)).yes_dollars == [["0.4000", "2.00"]]
                assert [o.order_id for o in (await client.orders(ticker=T1)).orders] == [
                    created.order_id
                ]
                assert count_c((await client.cancel_order(created.order_id)).reduced_by) == 200
                assert (await client.exchange_status()).exchange_active

        asyncio.run(session())
