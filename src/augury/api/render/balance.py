"""Balances: ``GET /portfolio/balance``, the subaccount balances list and the resting-order
total. ``balance`` is the available cash (what resting orders reserve is not available),
in cents and as a dollar string; ``portfolio_value`` marks open positions at each market's
last trade price; ``updated_ts`` is the account's last cash change, in Unix seconds."""

from __future__ import annotations

from augury.api.render.common import NS_PER_S
from augury.api.schemas import portfolio as wp
from augury.api.schemas import subaccounts as ws
from augury.api.schemas.base import legacy_cents
from augury.domain.units import dollars_cc_to_str
from augury.queries.views import BalanceView

__all__ = ["balance", "resting_value", "subaccount_balance"]


def balance(account: BalanceView, portfolio_value_cc: int) -> wp.GetBalanceResponse:
    """Render one subaccount's balance and portfolio value."""
    return wp.GetBalanceResponse(
        balance=legacy_cents(account.available_cc),
        balance_dollars=dollars_cc_to_str(account.available_cc),
        portfolio_value=legacy_cents(portfolio_value_cc),
        updated_ts=account.updated_ns // NS_PER_S,
        balance_breakdown=[
            wp.IndexedBalance(exchange_index=0, balance=dollars_cc_to_str(account.available_cc))
        ],
    )


def subaccount_balance(account: BalanceView) -> ws.SubaccountBalance:
    """Render one subaccount's line of ``GET /portfolio/subaccounts/balances``."""
    return ws.SubaccountBalance(
        subaccount_number=account.subaccount,
        exchange_index=0,
        balance=dollars_cc_to_str(account.available_cc),
        updated_ts=account.updated_ns // NS_PER_S,
    )


def resting_value(total_cc: int) -> wp.GetPortfolioRestingOrderTotalValueResponse:
    """Render the cash all of a user's resting orders hold."""
    return wp.GetPortfolioRestingOrderTotalValueResponse(
        total_resting_order_value=legacy_cents(total_cc),
        resting_order_value_breakdown=[
            wp.IndexedBalance(exchange_index=0, balance=dollars_cc_to_str(total_cc))
        ],
    )
