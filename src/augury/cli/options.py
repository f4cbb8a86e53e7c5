"""Options shared by the ``augury`` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["DataOpt", "EngineOpt", "engine_choice"]

DataOpt = Annotated[Path, typer.Option("--data", envvar="AUGURY_DATA", help="Data directory.")]
EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        envvar="AUGURY_ENGINE",
        help="Matching engine: native (Rust; the default where built) or python.",
    ),
]


def engine_choice(value: str | None) -> str | None:
    """Check an ``--engine`` value (None: the default engine)."""
    if value not in (None, "native", "python"):
        raise typer.BadParameter("--engine takes native or python")
    return value
