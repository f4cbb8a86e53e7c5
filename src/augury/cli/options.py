"""Options shared by the ``augury`` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["DataOpt"]

DataOpt = Annotated[Path, typer.Option("--data", envvar="AUGURY_DATA", help="Data directory.")]
