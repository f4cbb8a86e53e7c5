"""The first-run experience: a funded demo user, its API key on disk, and how to use it.

``ensure_demo_user`` creates the ``demo`` user with $10,000 on the first start and writes
an RSA key for it into the data directory (``demo_user_key.pem``, ``demo_user_key_id``),
registering the public half with the exchange. Later starts reuse both: the user is found
in engine state, the key id in the exchange's key ring (if the files survived but the
journal did not, the same key is registered again). ``banner`` is what ``augury demo``
prints once the exchange is trading: the URLs, the key files and a snippet for the
official ``kalshi-python-sync`` SDK.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from augury.api.auth import generate_key_pair
from augury.api.routes.admin import new_key_id
from augury.engine import commands as c
from augury.runtime.boot import Runtime

__all__ = ["DEMO_USER", "KEY_FILE", "KEY_ID_FILE", "DemoUser", "banner", "ensure_demo_user"]

DEMO_USER = "demo"
DEMO_DEPOSIT_CC = 10_000 * 10_000  # $10,000
KEY_FILE = "demo_user_key.pem"
KEY_ID_FILE = "demo_user_key_id"


@dataclass(frozen=True, slots=True)
class DemoUser:
    """Where the demo user's credentials are."""

    key_id: str
    key_file: Path
    key_id_file: Path


def _public_pem(private_pem: str) -> str:
    private = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


async def ensure_demo_user(runtime: Runtime, data_dir: Path) -> DemoUser:
    """Create the demo user and its key where missing; return where the key is."""
    exchange = runtime.exchange
    key_file, id_file = data_dir / KEY_FILE, data_dir / KEY_ID_FILE
    if key_file.exists() and id_file.exists():
        private_pem = key_file.read_text()
        key_id = id_file.read_text().strip()
        public_pem = _public_pem(private_pem)
    else:
        # RSA key generation takes a moment; keep the event loop serving meanwhile.
        private_pem, public_pem = await asyncio.to_thread(generate_key_pair, "rsa")
        key_id = new_key_id()
        key_file.write_text(private_pem)
        key_file.chmod(0o600)
        id_file.write_text(key_id + "\n")
    items: list[c.Single] = []
    if DEMO_USER not in exchange.users:
        items += [
            c.CreateUser(user_id=DEMO_USER, name=DEMO_USER),
            c.Deposit(user_id=DEMO_USER, amount_cc=DEMO_DEPOSIT_CC),
        ]
    if key_id not in exchange.api_keys:
        items.append(
            c.RegisterApiKey(
                api_key_id=key_id,
                user_id=DEMO_USER,
                name="demo user key",
                public_key_pem=public_pem,
                key_type="rsa",
                scopes=["read", "write"],
            )
        )
    if items:
        await runtime.sequencer.submit(c.Batch.of(items))
    return DemoUser(key_id, key_file, id_file)


def banner(
    rest_url: str,
    ws_url: str,
    user: DemoUser,
    balance_cc: int,
    open_markets: int,
    series: int,
    seed: int,
    activity: str,
) -> str:
    """Return the text printed when the demo is up."""
    dollars = f"${balance_cc / 10_000:,.2f}"
    return f"""
Augury demo exchange is trading (seed {seed}, activity {activity}).

  REST API   {rest_url}
  WebSocket  {ws_url}
  Markets    {open_markets} open in {series} series; new 5- and 10-minute markets every few
             minutes, settled from the simulated world as they close.

  Demo user  "{DEMO_USER}", balance {dollars}
  API key id {user.key_id}   (in {user.key_id_file})
  Private key {user.key_file}

Trade with the official SDK (pip install kalshi-python-sync):

    from pathlib import Path
    from kalshi_python_sync import Configuration, KalshiClient

    config = Configuration(host="{rest_url}")
    config.api_key_id = Path("{user.key_id_file}").read_text().strip()
    config.private_key_pem = Path("{user.key_file}").read_text()
    client = KalshiClient(config)

    print(client.get_balance().balance)                # cents
    market = client.get_markets(series_ticker="KXBTC5M", status="open").markets[0]
    print(market.ticker, market.yes_bid_dollars, market.yes_ask_dollars)
    order = client.create_order_v2(
        ticker=market.ticker, side="bid", price=market.yes_ask_dollars, count="1.00",
        time_in_force="immediate_or_cancel", self_trade_prevention_type="taker_at_cross",
    )
    print(order.fill_count, order.average_fill_price)

Stop with Ctrl-C; run the same command again to resume this exchange.
"""
