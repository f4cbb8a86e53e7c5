"""Who trades in the demo: three market makers, a crowd of noise traders, a few informed.

Every agent is an ordinary user: ``CreateUser``, an API key registered with
``RegisterApiKey`` (a freshly generated Ed25519 key whose private half is thrown away,
since agents submit in-process), and a ``Deposit``. ``setup_commands`` only returns the
commands for users the exchange does not have yet, so a restart creates nobody twice.
"""

from __future__ import annotations

from augury.api.auth import generate_key_pair
from augury.api.routes.admin import new_key_id
from augury.demo.maker import MakerStyle
from augury.demo.view import ACTIVITY, Activity
from augury.engine import commands as c
from augury.engine.exchange import Exchange

__all__ = ["informed_users", "makers", "noise_users", "setup_commands"]

_DOLLAR_CC = 10_000
_NOISE_COUNT = 24
_NOISE_DEPOSITS = (2_000, 5_000, 10_000, 25_000)
_MAKER_DEPOSIT = 250_000
_INFORMED_DEPOSIT = 50_000


def makers(activity: Activity) -> list[tuple[str, MakerStyle]]:
    """Return the makers and how each quotes at this activity level."""
    levels, scale = activity.maker_levels, activity.size_scale

    def size(contracts: int) -> int:
        return max(1, round(contracts * scale)) * 100

    return [
        (
            "mm-aurora",
            MakerStyle(
                half_spread_cc=100, levels=levels, gap=1, size_c=size(20),
                skew_cc_per_contract=3.0, max_position_c=50_000, lag=0.5, every=2,
                requote_cc=100,
            ),
        ),
        (
            "mm-boreal",
            MakerStyle(
                half_spread_cc=200, levels=levels, gap=2, size_c=size(50),
                skew_cc_per_contract=2.0, max_position_c=80_000, lag=0.35, every=4,
                requote_cc=200,
            ),
        ),
        (
            "mm-cirrus",
            MakerStyle(
                half_spread_cc=150, levels=levels, gap=1, size_c=size(15),
                skew_cc_per_contract=4.0, max_position_c=30_000, lag=0.6, every=2,
                requote_cc=100,
                categories=frozenset({"Crypto", "Weather"}),
            ),
        ),
    ]  # fmt: skip


def noise_users() -> list[str]:
    """Return the noise traders' user ids."""
    return [f"trader{i:02d}" for i in range(1, _NOISE_COUNT + 1)]


def informed_users() -> list[str]:
    """Return the informed traders' user ids."""
    return ["informed-1", "informed-2", "informed-3"]


def _deposits() -> list[tuple[str, int]]:
    noise = [
        (user, _NOISE_DEPOSITS[i % len(_NOISE_DEPOSITS)]) for i, user in enumerate(noise_users())
    ]
    makers_ = [(name, _MAKER_DEPOSIT) for name, _ in makers(ACTIVITY["normal"])]
    informed = [(user, _INFORMED_DEPOSIT) for user in informed_users()]
    return makers_ + noise + informed


def setup_commands(exchange: Exchange) -> list[c.Single]:
    """Return the commands that create the agents the exchange does not have yet."""
    items: list[c.Single] = []
    for user_id, dollars in _deposits():
        if user_id in exchange.users:
            continue
        _, public_pem = generate_key_pair("ed25519")
        items += [
            c.CreateUser(user_id=user_id, name=user_id),
            c.RegisterApiKey(
                api_key_id=new_key_id(),
                user_id=user_id,
                name=f"{user_id} (demo agent)",
                public_key_pem=public_pem,
                key_type="ed25519",
                scopes=["read", "write"],
            ),
            c.Deposit(user_id=user_id, amount_cc=dollars * _DOLLAR_CC),
        ]
    return items
