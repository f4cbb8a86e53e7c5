"""The pages, one module per area; ``all_routes`` is the web app's route table."""

from __future__ import annotations

from starlette.routing import BaseRoute

__all__ = ["all_routes"]


def all_routes() -> list[BaseRoute]:
    """Return every page route, in matching order."""
    from augury.web import live
    from augury.web.pages import (
        account,
        auth,
        developers,
        markets,
        operator,
        portfolio,
        social,
        trade,
    )

    return [
        *auth.routes,
        *markets.routes,
        *trade.routes,
        *portfolio.routes,
        *account.routes,
        *social.routes,
        *developers.routes,
        *operator.routes,
        *live.routes,
    ]
