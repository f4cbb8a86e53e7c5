"""Money on pages is formatted from integers without arithmetic beyond powers of ten."""

from __future__ import annotations

from augury.web.money import change_cents, contracts, price_cc, signed_usd, usd, usd_cc


def test_dollars_and_prices() -> None:
    assert usd(123_456) == "$1,234.56"
    assert usd(-5) == "-$0.05"
    assert usd(None) == "—"
    assert signed_usd(250) == "+$2.50"
    assert signed_usd(-250) == "-$2.50"
    assert signed_usd(0) == "$0.00"
    assert usd_cc(5_600) == "$0.5600"
    assert usd_cc(-12_345_678) == "-$1,234.5678"
    assert price_cc(5_600) == "56¢"
    assert price_cc(5_650) == "56.5¢"
    assert price_cc(5_605) == "56.05¢"
    assert price_cc(0) == "—"
    assert change_cents(3) == "+3¢"
    assert change_cents(-2) == "-2¢"


def test_contracts() -> None:
    assert contracts(1_000) == "10"
    assert contracts(250) == "2.50"
    assert contracts(-150) == "-1.50"
    assert contracts(123_456_700) == "1,234,567"
