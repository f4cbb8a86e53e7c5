"""A catalogue's event fee override becomes integer metadata the engine charges by.

Kalshi's names (``fee_type_override``, ``fee_multiplier_override``, a decimal) go in; the
event's metadata carries ``fee_type_override`` and ``fee_multiplier_override_e4`` (an
integer in 1/10_000, decision 0058), never the decimal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from augury.catalog_file import CatalogError, catalog_commands, load_catalog_file
from augury.engine import commands as c


def _event_meta(**entry: Any) -> dict[str, object]:
    catalog = {"events": [{"event_ticker": "E", "series_ticker": "S", "title": "T", **entry}]}
    (command,) = catalog_commands(catalog, 0)
    assert isinstance(command, c.AddEvent)
    return command.meta


def test_both_overrides_become_integers() -> None:
    meta = _event_meta(fee_type_override="flat", fee_multiplier_override=0.5)
    assert meta == {
        "title": "T",
        "fee_type_override": "flat",
        "fee_multiplier_override_e4": 5_000,
    }
    assert type(meta["fee_multiplier_override_e4"]) is int


def test_one_override_keeps_the_other_part_of_the_series_rule() -> None:
    assert _event_meta(fee_type_override="flat") == {
        "title": "T",
        "fee_type_override": "flat",
        "fee_multiplier_override_e4": None,
    }
    assert _event_meta(fee_multiplier_override="2.5") == {
        "title": "T",
        "fee_type_override": None,
        "fee_multiplier_override_e4": 25_000,
    }


def test_no_override_writes_no_override_keys() -> None:
    assert _event_meta() == {"title": "T"}


@pytest.mark.parametrize(
    "entry",
    [
        {"fee_type_override": "steep"},
        {"fee_type_override": 3},
        {"fee_multiplier_override": "0.12345"},
        {"fee_multiplier_override": 101},
        {"fee_multiplier_override": -1},
        {"fee_multiplier_override": True},
    ],
)
def test_a_malformed_override_is_refused(entry: dict[str, Any]) -> None:
    with pytest.raises(CatalogError):
        _event_meta(**entry)


def test_the_example_catalogue_still_loads() -> None:
    catalog = load_catalog_file(Path(__file__).parents[1] / "examples" / "catalog.yaml")
    assert catalog_commands(catalog, 0)
