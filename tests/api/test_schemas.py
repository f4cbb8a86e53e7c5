"""Conformance of the wire schemas with the official Kalshi SDK 3.34.0.

Three layers:

1. Static shape: every Struct named like an SDK model has each of the model's keys, with
   the same JSON type, required-ness and enum values. The expectations come from the
   digest of the SDK (``shared/reference``, copied to ``tests/fixtures``) and from the
   SDK's own pydantic models, which the test environment installs.
2. Round trip: realistic instances of every response Struct are encoded with
   ``codec.encode`` and parsed by the SDK's ``from_json``; every value we sent must come
   back unchanged.
3. Request decoding: strict types, missing fields, malformed JSON, unknown keys, and
   bodies serialised by the SDK itself.
"""

import datetime as dt
import functools
import json
import os
import types
import typing
import uuid
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import kalshi_python_sync.models as sdk
import msgspec
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from kalshi_python_sync.api_client import ApiClient
from pydantic import BaseModel

from augury.api import schemas as S
from augury.api.schemas import enums

# --------------------------------------------------------------------------------------
# Shapes: a JSON type, recursively — ("string",), ("array", inner), ("object", "Market").
# --------------------------------------------------------------------------------------

Shape = tuple[Any, ...]


class KeySpec(typing.NamedTuple):
    shape: Shape
    key_required: bool  # the SDK declares the key required (it may still allow null)
    nullable: bool
    enum: frozenset[str] | None


def _digest_shape(text: str) -> Shape:
    text = text.removesuffix(" | null")
    if text in ("string", "date-time", "uuid") or text.startswith("enum:"):
        return ("string",)
    if text == "integer":
        return ("integer",)
    if text == "number | integer":
        return ("number",)
    if text == "boolean":
        return ("boolean",)
    if text.startswith("model:"):
        return ("object", text.removeprefix("model:"))
    if text.startswith("array<"):
        return ("array", _digest_shape(text.removeprefix("array<").removesuffix(">")))
    if text.startswith("object<"):
        return ("object", None)
    raise AssertionError(f"unknown digest type {text!r}")


_SIMPLE_SHAPES: dict[type[Any], Shape] = {
    msgspec.inspect.StrType: ("string",),
    msgspec.inspect.UUIDType: ("string",),
    msgspec.inspect.IntType: ("integer",),
    msgspec.inspect.FloatType: ("number",),
    msgspec.inspect.BoolType: ("boolean",),
    msgspec.inspect.DictType: ("object", None),
}


def _wire_shape(t: msgspec.inspect.Type) -> Shape:
    if isinstance(t, msgspec.inspect.UnionType):
        rest = [x for x in t.types if not isinstance(x, msgspec.inspect.NoneType)]
        assert len(rest) == 1, t
        return _wire_shape(rest[0])
    if type(t) in _SIMPLE_SHAPES:
        return _SIMPLE_SHAPES[type(t)]
    if isinstance(t, msgspec.inspect.LiteralType):
        assert all(isinstance(v, str) for v in t.values), t
        return ("string",)
    if isinstance(t, msgspec.inspect.ListType):
        return ("array", _wire_shape(t.item_type))
    if isinstance(t, msgspec.inspect.TupleType):
        inner = {_wire_shape(x) for x in t.item_types}
        assert len(inner) == 1, t
        return ("array", inner.pop())
    if isinstance(t, msgspec.inspect.StructType):
        return ("object", t.cls.__name__)
    raise AssertionError(f"unexpected wire type {t!r}")


def _wire_literals(t: msgspec.inspect.Type) -> frozenset[str] | None:
    if isinstance(t, msgspec.inspect.UnionType):
        for x in t.types:
            found = _wire_literals(x)
            if found is not None:
                return found
    if isinstance(t, msgspec.inspect.ListType):
        return _wire_literals(t.item_type)
    if isinstance(t, msgspec.inspect.LiteralType):
        return frozenset(str(v) for v in t.values)
    return None


def _sdk_shape(annotation: Any) -> Shape:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _sdk_shape(args[0])
    if origin in (typing.Union, types.UnionType):
        rest = {_sdk_shape(a) for a in args if a is not type(None)}
        if rest == {("number",), ("integer",)}:
            return ("number",)
        assert len(rest) == 1, annotation
        return rest.pop()
    if origin is list:
        return ("array", _sdk_shape(args[0]))
    if origin is dict:
        return ("object", None)
    simple: dict[Any, Shape] = {
        str: ("string",),
        dt.datetime: ("string",),
        uuid.UUID: ("string",),
        int: ("integer",),
        float: ("number",),
        bool: ("boolean",),
    }
    if annotation in simple:
        return simple[annotation]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return ("string",)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return ("object", annotation.__name__)
    raise AssertionError(f"unexpected SDK annotation {annotation!r}")


def _sdk_enum(annotation: Any) -> frozenset[str] | None:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return frozenset(str(m.value) for m in annotation)
    for arg in typing.get_args(annotation):
        found = _sdk_enum(arg)
        if found is not None:
            return found
    return None


def _is_nullable(annotation: Any) -> bool:
    return type(None) in typing.get_args(annotation)


def _sdk_specs(model: type[BaseModel]) -> dict[str, KeySpec]:
    specs = {}
    for name, info in model.model_fields.items():
        specs[info.alias or name] = KeySpec(
            shape=_sdk_shape(info.annotation),
            key_required=info.is_required(),
            nullable=_is_nullable(info.annotation),
            enum=_sdk_enum(info.annotation),
        )
    return specs


_DIGEST_PATH = Path(
    os.environ.get(
        "AUGURY_KALSHI_DIGEST",
        # A copy of shared/reference's digest, so a clone tests against it on its own.
        Path(__file__).resolve().parents[1] / "fixtures/kalshi-python-sync-3.34.0-digest.json",
    )
)


def _digest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_DIGEST_PATH.read_text())
    return data


def _digest_specs(digest: dict[str, Any], name: str) -> dict[str, KeySpec]:
    specs = {}
    for f in digest["models"][name]["fields"]:
        values = f.get("enum")
        typ = f["type"].removesuffix(" | null")
        if values is None and typ.startswith("enum:"):
            values = digest["enums"][typ.removeprefix("enum:")]
        if values is None and typ.startswith("array<enum:"):
            values = digest["enums"][typ.removeprefix("array<enum:").removesuffix(">")]
        specs[f["json_key"]] = KeySpec(
            shape=_digest_shape(f["type"]),
            key_required=f["sdk_required_key"],
            nullable=f["nullable"],
            enum=frozenset(values) if values is not None else None,
        )
        assert f["must_be_present_and_non_null"] == (f["sdk_required_key"] and not f["nullable"])
    return specs


@functools.cache
def _openapi_required(model: str) -> frozenset[str]:
    """The keys any of the OpenAPI files (3.28 assembled, legacy v1 orders) requires."""
    out: set[str] = set()
    for name in (
        "kalshi-openapi-3.28.0-assembled.yaml",
        "kalshi-openapi-legacy-v1-orders-assembled.yaml",
    ):
        schemas = _openapi(name)
        out.update(schemas.get(model, {}).get("required", []))
    return frozenset(out)


@functools.cache
def _openapi(name: str) -> dict[str, Any]:
    path = Path(__file__).resolve().parents[1] / "fixtures" / name
    schemas: dict[str, Any] = yaml.safe_load(path.read_text())["components"]["schemas"]
    return schemas


def _structs() -> dict[str, type[msgspec.Struct]]:
    found = {}
    for name in S.__all__:
        obj = getattr(S, name)
        is_struct = isinstance(obj, type) and issubclass(obj, S.WireResponse | S.WireRequest)
        if is_struct and obj not in (S.WireResponse, S.WireRequest):
            found[name] = obj
    return found


STRUCTS = _structs()
RESPONSES = {n: c for n, c in STRUCTS.items() if issubclass(c, S.WireResponse)}
SDK_NAMED = sorted(n for n in STRUCTS if hasattr(sdk, n))


def _check_struct(cls: type[msgspec.Struct], specs: dict[str, KeySpec]) -> None:
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    fields = {f.encode_name: f for f in info.fields}
    missing = sorted(set(specs) - set(fields))
    assert not missing, f"{cls.__name__} lacks {missing}"
    for key, spec in specs.items():
        field = fields[key]
        where = f"{cls.__name__}.{key}"
        assert _wire_shape(field.type) == spec.shape, where
        if spec.key_required:
            # Required keys, even nullable ones, are always encoded: no default.
            assert field.required, f"{where} must have no default"
        elif field.required:
            # Optional for this SDK, but an OpenAPI file requires it: always sent.
            assert key in _openapi_required(cls.__name__), f"{where} is optional on the wire"
        else:
            assert field.default is None, f"{where} must default to None"
        nullable = isinstance(field.type, msgspec.inspect.UnionType)
        assert nullable == spec.nullable, f"{where}: nullable should be {spec.nullable}"
        if spec.enum is not None:
            assert _wire_literals(field.type) == spec.enum, where


# --------------------------------------------------------------------------------------
# 1. Static shape
# --------------------------------------------------------------------------------------


def test_digest_lists_our_models() -> None:
    digest = _digest()
    assert set(SDK_NAMED) <= set(digest["models"])


@pytest.mark.parametrize("name", SDK_NAMED)
def test_struct_matches_digest(name: str) -> None:
    _check_struct(STRUCTS[name], _digest_specs(_digest(), name))


@pytest.mark.parametrize("name", SDK_NAMED)
def test_struct_matches_sdk_model(name: str) -> None:
    _check_struct(STRUCTS[name], _sdk_specs(getattr(sdk, name)))


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_response_defaults_are_none(name: str) -> None:
    # A default of "", 0 or False would be dropped by omit_defaults along with a real value.
    info = msgspec.inspect.type_info(RESPONSES[name])
    assert isinstance(info, msgspec.inspect.StructType)
    for field in info.fields:
        assert field.required or field.default is None, f"{name}.{field.name}"


def test_enum_aliases_match_digest() -> None:
    digest = _digest()
    for name in (
        "ApiKeyScope",
        "ApiKeyType",
        "BookSide",
        "ExchangeInstance",
        "FeeType",
        "OrderStatus",
        "OutcomeSide",
        "SelfTradePreventionType",
    ):
        assert set(typing.get_args(getattr(enums, name))) == set(digest["enums"][name]), name


# --------------------------------------------------------------------------------------
# Factories: realistic instances, minimal (optional keys absent) and full.
# --------------------------------------------------------------------------------------

NS = 1_000_000_000
T0_S = 1_792_000_000  # 2026-10-14


def ts(offset_s: int = 0, ms: int = 0) -> str:
    return S.rfc3339_from_ns((T0_S + offset_s) * NS + ms * 1_000_000)


def price_range() -> S.PriceRange:
    return S.PriceRange(start="0.0000", end="1.0000", step="0.0100")


def market_min(ticker: str = "AUG-26OCT14-T50") -> S.Market:
    return S.Market(
        ticker=ticker,
        event_ticker="AUG-26OCT14",
        market_type="binary",
        yes_sub_title="Above 50",
        no_sub_title="50 or below",
        created_time=ts(),
        updated_time=ts(1),
        open_time=ts(60),
        close_time=ts(86_400),
        latest_expiration_time=ts(90_000),
        settlement_timer_seconds=300,
        status="active",
        yes_bid_dollars="0.5600",
        yes_bid_size_fp="10.00",
        yes_ask_dollars="0.5800",
        yes_ask_size_fp="2.50",
        no_bid_dollars="0.4200",
        no_ask_dollars="0.4400",
        last_price_dollars="0.5700",
        volume_fp="1234.00",
        volume_24h_fp="0.00",
        result="",
        can_close_early=False,
        open_interest_fp="321.00",
        notional_value_dollars="1.0000",
        previous_yes_bid_dollars="0.5000",
        previous_yes_ask_dollars="0.6000",
        previous_price_dollars="0.5500",
        settlement_bounds_type="default",
        expiration_value="",
        rules_primary="Resolves YES if the index closes above 50.",
        rules_secondary="",
        price_level_structure="linear_cent",
        price_ranges=[price_range()],
    )


def market_full() -> S.Market:
    return msgspec.structs.replace(
        market_min("AUG-26OCT14-T60"),
        title="Index above 60?",
        subtitle="",
        expected_expiration_time=ts(86_500),
        expiration_time=ts(86_600),
        status="finalized",
        result="yes",
        settlement_value_dollars="1.0000",
        settlement_ts=ts(86_700, ms=123),
        settlement_bounds_type="floor",
        settlement_floor_dollars="0.0100",
        occurrence_datetime=ts(86_400),
        fee_waiver_expiration_time=ts(3_600),
        early_close_condition="Closes early if the index is published.",
        strike_type="greater",
        floor_strike=60.0,
        cap_strike=75.5,
        functional_strike="x",
        custom_strike={"team": "A", "n": 1},
        mve_collection_ticker="KXMVE",
        mve_selected_legs=[
            S.MveSelectedLeg(
                event_ticker="E",
                market_ticker="M",
                side="yes",
                yes_settlement_value_dollars="1.0000",
            ),
            S.MveSelectedLeg(),
        ],
        primary_participant_key="p1",
        price_ranges=[
            S.PriceRange(start="0.0000", end="0.1000", step="0.0010"),
            S.PriceRange(start="0.1000", end="1.0000", step="0.0100"),
        ],
        is_provisional=False,
        exchange_index=0,
        response_price_units="usd_cent",
        yes_bid=56,
        yes_ask=58,
        no_bid=42,
        no_ask=44,
        last_price=57,
        previous_yes_bid=50,
        previous_yes_ask=60,
        previous_price=55,
        notional_value=100,
        volume=1234,
        volume_24h=0,
        open_interest=321,
        liquidity=0,
    )


def settlement_source() -> S.SettlementSource:
    return S.SettlementSource(name="Augury Index", url="https://example.org/index")


def series(*, full: bool) -> S.Series:
    if not full:
        return S.Series(
            ticker="AUG",
            frequency="daily",
            title="Augury index",
            category="Economics",
            categories=[],
            tags=None,
            settlement_sources=None,
            contract_url="https://example.org/c.pdf",
            contract_terms_url="https://example.org/t.pdf",
            fee_type="quadratic",
            fee_multiplier=1.0,
            additional_prohibitions=None,
        )
    return S.Series(
        ticker="AUG2",
        frequency="weekly",
        title="Augury index 2",
        category="Economics",
        categories=["Economics", "Indices"],
        tags=[],
        settlement_sources=[settlement_source(), S.SettlementSource()],
        contract_url="https://example.org/c.pdf",
        contract_terms_url="https://example.org/t.pdf",
        product_metadata={"icon": "x", "nested": {"a": [1, 2]}},
        fee_type="quadratic_with_maker_fees",
        fee_multiplier=0.5,
        additional_prohibitions=["employees"],
        volume_fp="10.00",
        last_updated_ts=ts(5),
        exchange_index=0,
    )


def milestone() -> S.Milestone:
    return S.Milestone(
        id="m1",
        category="Sports",
        type="football_game",
        start_date=ts(),
        end_date=ts(7_200),
        related_event_tickers=["AUG-26OCT14"],
        title="Game",
        notification_message="Kickoff",
        source_id="s1",
        source_ids={"espn": "1"},
        details={"venue": "Field"},
        primary_event_tickers=[],
        last_updated_ts=ts(1),
    )


def event(*, full: bool) -> S.EventData:
    base = S.EventData(
        event_ticker="AUG-26OCT14",
        series_ticker="AUG",
        sub_title="On Oct 14",
        title="Augury index on Oct 14",
        collateral_return_type="",
        mutually_exclusive=False,
        available_on_brokers=False,
        settlement_sources=None,
    )
    if not full:
        return base
    return msgspec.structs.replace(
        base,
        collateral_return_type="MECNET",
        mutually_exclusive=True,
        category="Economics",
        strike_date=ts(86_400),
        strike_period="day",
        markets=[market_min(), market_full()],
        product_metadata={},
        settlement_sources=[settlement_source()],
        last_updated_ts=ts(2),
        fee_type_override="flat",
        fee_multiplier_override=2,
        exchange_index=0,
    )


def order(*, full: bool) -> S.Order:
    base = S.Order(
        order_id="ord-1",
        user_id="user-1",
        client_order_id="",
        ticker="AUG-26OCT14-T50",
        side=None,
        action=None,
        outcome_side="yes",
        book_side="bid",
        type="limit",
        status="resting",
        yes_price_dollars="0.5600",
        no_price_dollars="0.4400",
        fill_count_fp="0.00",
        remaining_count_fp="10.00",
        initial_count_fp="10.00",
        taker_fill_cost_dollars="0.0000",
        maker_fill_cost_dollars="0.0000",
        taker_fees_dollars="0.0000",
        maker_fees_dollars="0.0000",
    )
    if not full:
        return base
    return msgspec.structs.replace(
        base,
        order_id="ord-2",
        client_order_id="c-2",
        side="yes",
        action="sell",
        outcome_side="no",
        book_side="ask",
        status="canceled",
        fill_count_fp="4.00",
        remaining_count_fp="0.00",
        taker_fill_cost_dollars="1.7600",
        taker_fees_dollars="0.0700",
        expiration_time=ts(3_600),
        created_time=ts(),
        last_update_time=ts(10, ms=5),
        self_trade_prevention_type="maker",
        order_group_id="g-1",
        cancel_order_on_pause=True,
        subaccount_number=0,
        exchange_index=0,
        yes_price=56,
        no_price=44,
        fill_count=4,
        remaining_count=0,
        initial_count=10,
        taker_fees=7,
        maker_fees=0,
        taker_fill_cost=176,
        maker_fill_cost=0,
        queue_position=0,
    )


def fill(*, full: bool) -> S.Fill:
    base = S.Fill(
        fill_id="f-1",
        exchange_index=0,
        trade_id="f-1",
        order_id="ord-2",
        ticker="AUG-26OCT14-T50",
        market_ticker="AUG-26OCT14-T50",
        outcome_side="no",
        book_side="ask",
        count_fp="4.00",
        yes_price_dollars="0.5600",
        no_price_dollars="0.4400",
        is_taker=True,
        fee_cost="0.0700",
    )
    if not full:
        return base
    return msgspec.structs.replace(
        base,
        side="yes",
        action="sell",
        created_time=ts(5),
        subaccount_number=3,
        ts=T0_S + 5,
        count=4,
        yes_price=56,
        no_price=44,
    )


def trade(*, full: bool) -> S.Trade:
    base = S.Trade(
        trade_id="t-1",
        ticker="AUG-26OCT14-T50",
        count_fp="4.00",
        yes_price_dollars="0.5600",
        no_price_dollars="0.4400",
        taker_outcome_side="no",
        taker_book_side="ask",
        created_time=ts(5),
        is_block_trade=False,
    )
    if not full:
        return base
    return msgspec.structs.replace(base, taker_side="no", count=4, yes_price=56, no_price=44)


def bid_ask(*, legacy: bool) -> S.BidAskDistribution:
    base = S.BidAskDistribution(
        open_dollars="0.5000", low_dollars="0.4800", high_dollars="0.6000", close_dollars="0.5600"
    )
    if not legacy:
        return base
    return msgspec.structs.replace(base, open=50, low=48, high=60, close=56)


def candle(*, full: bool) -> S.MarketCandlestick:
    if not full:
        return S.MarketCandlestick(
            end_period_ts=T0_S + 60,
            yes_bid=bid_ask(legacy=False),
            yes_ask=bid_ask(legacy=False),
            price=S.PriceDistribution(previous_dollars="0.5500"),
            volume_fp="0.00",
            open_interest_fp="321.00",
        )
    return S.MarketCandlestick(
        end_period_ts=T0_S + 120,
        yes_bid=bid_ask(legacy=True),
        yes_ask=bid_ask(legacy=True),
        price=S.PriceDistribution(
            open_dollars="0.5500",
            low_dollars="0.5400",
            high_dollars="0.5900",
            close_dollars="0.5700",
            mean_dollars="0.5650",
            previous_dollars="0.5500",
            min_dollars="0.5400",
            max_dollars="0.5900",
            open=55,
            low=54,
            high=59,
            close=57,
            mean=56,
            previous=55,
            min=54,
            max=59,
        ),
        volume_fp="12.00",
        open_interest_fp="333.00",
        volume=12,
        open_interest=333,
    )


def historical_candle(*, traded: bool) -> S.MarketCandlestickHistorical:
    quote = S.BidAskDistributionHistorical(open="0.50", low="0.48", high="0.60", close="0.56")
    if traded:
        price = S.PriceDistributionHistorical(
            open="0.55", low="0.54", high="0.59", close="0.57", mean="0.565", previous="0.55"
        )
    else:
        price = S.PriceDistributionHistorical(
            open=None, low=None, high=None, close=None, mean=None, previous=None
        )
    return S.MarketCandlestickHistorical(
        end_period_ts=T0_S + 60,
        yes_bid=quote,
        yes_ask=quote,
        price=price,
        volume="12.00" if traded else "0.00",
        open_interest="333.00",
    )


def market_position(*, full: bool) -> S.MarketPosition:
    base = S.MarketPosition(
        ticker="AUG-26OCT14-T50",
        exchange_index=0,
        total_traded_dollars="1.7600",
        position_fp="-4.00",
        market_exposure_dollars="1.7600",
        realized_pnl_dollars="0.0000",
        fees_paid_dollars="0.0700",
        last_updated_ts=ts(5),
    )
    if not full:
        return base
    return msgspec.structs.replace(
        base,
        position=-4,
        total_traded=176,
        market_exposure=176,
        realized_pnl=0,
        fees_paid=7,
        resting_orders_count=1,
    )


def event_position(*, full: bool) -> S.EventPosition:
    base = S.EventPosition(
        event_ticker="AUG-26OCT14",
        total_cost_dollars="1.7600",
        total_cost_shares_fp="4.00",
        event_exposure_dollars="1.7600",
        realized_pnl_dollars="-0.1000",
        fees_paid_dollars="0.0700",
    )
    if not full:
        return base
    return msgspec.structs.replace(
        base, total_cost=176, total_cost_shares=4, event_exposure=176, realized_pnl=-10, fees_paid=7
    )


def settlement(*, full: bool) -> S.Settlement:
    base = S.Settlement(
        ticker="AUG-26OCT14-T50",
        exchange_index=0,
        event_ticker="AUG-26OCT14",
        market_result="no",
        yes_count_fp="0.00",
        yes_total_cost_dollars="0.0000",
        no_count_fp="4.00",
        no_total_cost_dollars="1.7600",
        revenue=400,
        settled_time=ts(90_000),
        fee_cost="0.0000",
    )
    if not full:
        return base
    return msgspec.structs.replace(
        base, value=0, yes_count=0, no_count=4, yes_total_cost=0, no_total_cost=176
    )


def money_movement(cls: type[Any], *, full: bool) -> Any:
    base = cls(
        id="dep-1", status="applied", type="ach", amount_cents=10_000, fee_cents=0, created_ts=T0_S
    )
    return msgspec.structs.replace(base, finalized_ts=T0_S + 60) if full else base


def error(code: str) -> S.ErrorResponse:
    return S.ErrorResponse(code=code, message=code.replace("_", " "))


def orderbook_case() -> S.GetMarketOrderbookResponse:
    return S.orderbook_response([(5_600, 1_000), (800, 30_000)], [(4_200, 250)])


# --------------------------------------------------------------------------------------
# 2. Round trip through the SDK
# --------------------------------------------------------------------------------------

Check = tuple[str, Any]  # (attribute path in the parsed SDK model, expected value)
Cases = Iterator[tuple[str, msgspec.Struct, list[Check]]]


def _exchange_cases() -> Cases:
    yield (
        "exchange_status_min",
        S.ExchangeStatus(exchange_active=True, trading_active=False),
        [("trading_active", False)],
    )
    yield (
        "exchange_status_full",
        S.ExchangeStatus(
            exchange_active=False,
            trading_active=False,
            intra_exchange_transfers_active=False,
            exchange_estimated_resume_time=ts(600),
            exchange_index_statuses=[
                S.ExchangeIndexStatus(
                    exchange_index=0,
                    description="event contracts",
                    exchange_active=False,
                    trading_active=False,
                    intra_exchange_transfers_active=True,
                )
            ],
        ),
        [("exchange_index_statuses.0.description", "event contracts")],
    )
    session = S.DailySchedule(open_time="08:00", close_time="03:00")
    week = S.WeeklySchedule(
        start_time=ts(),
        end_time=ts(604_800),
        monday=[session],
        tuesday=[session, S.DailySchedule(open_time="04:00", close_time="05:00")],
        wednesday=[],
        thursday=[session],
        friday=[session],
        saturday=[],
        sunday=[],
    )
    yield (
        "schedule",
        S.GetExchangeScheduleResponse(
            schedule=S.Schedule(
                standard_hours=[week],
                maintenance_windows=[
                    S.MaintenanceWindow(start_datetime=ts(100), end_datetime=ts(200))
                ],
            )
        ),
        [("schedule.standard_hours.0.tuesday.1.open_time", "04:00")],
    )
    yield (
        "schedule_empty",
        S.GetExchangeScheduleResponse(
            schedule=S.Schedule(standard_hours=[], maintenance_windows=[])
        ),
        [],
    )
    yield "user_data_ts", S.GetUserDataTimestampResponse(as_of_time=ts(ms=7)), []


def _event_cases() -> Cases:
    yield "series_list_empty", S.GetSeriesListResponse(series=[]), [("series", [])]
    yield (
        "series_list",
        S.GetSeriesListResponse(series=[series(full=False), series(full=True)]),
        [("series.0.tags", None), ("series.1.fee_multiplier", 0.5)],
    )
    yield "series", S.GetSeriesResponse(series=series(full=True)), [("series.tags", [])]
    yield "events_empty", S.GetEventsResponse(events=[], cursor=""), [("cursor", "")]
    yield (
        "events",
        S.GetEventsResponse(
            events=[event(full=False), event(full=True)], milestones=[milestone()], cursor="abc"
        ),
        [("events.1.markets.1.yes_bid_dollars", "0.5600"), ("cursor", "abc")],
    )
    yield (
        "event",
        S.GetEventResponse(event=event(full=True), markets=[market_min()]),
        [("markets.0.result", "")],
    )
    yield "event_no_markets", S.GetEventResponse(event=event(full=False), markets=[]), []
    yield (
        "event_metadata_min",
        S.GetEventMetadataResponse(
            image_url="https://i/x.png", market_details=[], settlement_sources=[]
        ),
        [],
    )
    yield (
        "event_metadata",
        S.GetEventMetadataResponse(
            image_url="https://i/x.png",
            featured_image_url="https://i/f.png",
            market_details=[
                S.MarketMetadata(market_ticker="M", image_url="https://i/m.png", color_code="#fff")
            ],
            settlement_sources=[settlement_source()],
            competition="NFL",
            competition_scope="game",
        ),
        [("market_details.0.color_code", "#fff")],
    )


def _market_cases() -> Cases:
    yield "markets_empty", S.GetMarketsResponse(markets=[], cursor=""), [("cursor", "")]
    yield (
        "markets",
        S.GetMarketsResponse(markets=[market_min(), market_full()], cursor="next"),
        [
            ("markets.0.yes_bid_dollars", "0.5600"),
            ("markets.0.result", ""),
            ("markets.1.settlement_bounds_type", "floor"),
            ("markets.1.is_provisional", False),
        ],
    )
    yield "market", S.GetMarketResponse(market=market_full()), [("market.floor_strike", 60.0)]
    yield "trades_empty", S.GetTradesResponse(trades=[], cursor=""), []
    yield (
        "trades",
        S.GetTradesResponse(trades=[trade(full=False), trade(full=True)], cursor=""),
        [("trades.1.count_fp", "4.00"), ("cursor", "")],
    )


def _orderbook_cases() -> Cases:
    yield (
        "orderbook",
        orderbook_case(),
        [("orderbook_fp.yes_dollars", [["0.0800", "300.00"], ["0.5600", "10.00"]])],
    )
    yield (
        "orderbook_empty",
        S.orderbook_response([], [], include_legacy=False),
        [("orderbook_fp.yes_dollars", []), ("orderbook_fp.no_dollars", [])],
    )
    yield (
        "orderbooks",
        S.GetMarketOrderbooksResponse(
            orderbooks=[
                S.MarketOrderbookFp(ticker="A", orderbook_fp=orderbook_case().orderbook_fp),
                S.MarketOrderbookFp(ticker="B", orderbook_fp=S.orderbook_fp([], [])),
            ]
        ),
        [("orderbooks.1.orderbook_fp.no_dollars", [])],
    )
    yield "orderbooks_empty", S.GetMarketOrderbooksResponse(orderbooks=[]), []


def _candle_cases() -> Cases:
    yield (
        "candles",
        S.GetMarketCandlesticksResponse(
            ticker="AUG-26OCT14-T50", candlesticks=[candle(full=False), candle(full=True)]
        ),
        [("candlesticks.0.price.open_dollars", None), ("candlesticks.1.volume_fp", "12.00")],
    )
    yield (
        "candles_batch",
        S.BatchGetMarketCandlesticksResponse(
            markets=[
                S.MarketCandlesticksResponse(market_ticker="A", candlesticks=[candle(full=True)]),
                S.MarketCandlesticksResponse(market_ticker="B", candlesticks=[]),
            ]
        ),
        [("markets.1.candlesticks", [])],
    )
    yield (
        "candles_event",
        S.GetEventCandlesticksResponse(
            market_tickers=["A", "B"],
            market_candlesticks=[[candle(full=False)], []],
            adjusted_end_ts=T0_S + 3_600,
        ),
        [("adjusted_end_ts", T0_S + 3_600)],
    )
    yield (
        "candles_historical",
        S.GetMarketCandlesticksHistoricalResponse(
            ticker="A",
            candlesticks=[historical_candle(traded=True), historical_candle(traded=False)],
        ),
        [("candlesticks.1.price.open", None), ("candlesticks.0.volume", "12.00")],
    )
    yield (
        "historical_cutoff_min",
        S.GetHistoricalCutoffResponse(
            market_settled_ts=ts(-86_400), trades_created_ts=ts(-3_600), orders_updated_ts=ts(-60)
        ),
        [],
    )
    yield (
        "historical_cutoff",
        S.GetHistoricalCutoffResponse(
            market_settled_ts=ts(-86_400),
            trades_created_ts=ts(-3_600),
            orders_updated_ts=ts(-60),
            market_positions_last_updated_ts=ts(-1, ms=999),
        ),
        [],
    )


def _order_cases() -> Cases:
    yield "orders_empty", S.GetOrdersResponse(orders=[], cursor=""), [("cursor", "")]
    yield (
        "orders",
        S.GetOrdersResponse(orders=[order(full=False), order(full=True)], cursor="c"),
        [("orders.0.client_order_id", ""), ("orders.1.book_side", "ask")],
    )
    yield "order", S.GetOrderResponse(order=order(full=True)), [("order.status", "canceled")]
    yield (
        "queue_positions",
        S.GetOrderQueuePositionsResponse(
            queue_positions=[
                S.OrderQueuePosition(order_id="o", market_ticker="M", queue_position_fp="12.00")
            ]
        ),
        [],
    )
    yield "queue_positions_empty", S.GetOrderQueuePositionsResponse(queue_positions=[]), []
    yield "queue_position", S.GetOrderQueuePositionResponse(queue_position_fp="0.00"), []


def _v2_write_cases() -> Cases:
    yield (
        "create_v2_min",
        S.CreateOrderV2Response(
            order_id="o", fill_count="0.00", remaining_count="10.00", ts_ms=T0_S * 1000
        ),
        [("ts_ms", T0_S * 1000), ("average_fill_price", None)],
    )
    yield (
        "create_v2",
        S.CreateOrderV2Response(
            order_id="o",
            client_order_id="c",
            fill_count="4.00",
            remaining_count="0.00",
            average_fill_price="0.5600",
            average_fee_paid="0.0175",
            ts_ms=T0_S * 1000 + 1,
        ),
        [("average_fee_paid", "0.0175")],
    )
    yield (
        "cancel_v2",
        S.CancelOrderV2Response(order_id="o", reduced_by="6.00", ts_ms=1),
        [("reduced_by", "6.00")],
    )
    yield "amend_v2_min", S.AmendOrderV2Response(order_id="o", ts_ms=1), []
    yield (
        "amend_v2",
        S.AmendOrderV2Response(
            order_id="o",
            client_order_id="c2",
            remaining_count="5.00",
            fill_count="1.00",
            average_fill_price="0.5500",
            average_fee_paid="0.0200",
            ts_ms=2,
        ),
        [],
    )
    yield (
        "decrease_v2",
        S.DecreaseOrderV2Response(
            order_id="o", client_order_id="c", remaining_count="3.00", ts_ms=3
        ),
        [],
    )
    yield (
        "batch_create_v2",
        S.BatchCreateOrdersV2Response(
            orders=[
                S.BatchCreateOrdersV2ResponseOrdersInner(
                    order_id="o",
                    client_order_id="c",
                    fill_count="0.00",
                    remaining_count="1.00",
                    ts_ms=4,
                ),
                S.BatchCreateOrdersV2ResponseOrdersInner(
                    client_order_id="c2", error=error("insufficient_balance")
                ),
            ]
        ),
        [("orders.1.error.code", "insufficient_balance"), ("orders.1.ts_ms", None)],
    )
    yield "batch_create_v2_empty", S.BatchCreateOrdersV2Response(orders=[]), []
    yield (
        "batch_cancel_v2",
        S.BatchCancelOrdersV2Response(
            orders=[
                S.BatchCancelOrdersV2ResponseOrdersInner(order_id="o", reduced_by="2.00", ts_ms=5),
                S.BatchCancelOrdersV2ResponseOrdersInner(
                    order_id="x", reduced_by="0.00", error=error("not_found")
                ),
            ]
        ),
        [("orders.1.error.message", "not found")],
    )


def _v1_write_cases() -> Cases:
    yield "v1_create", S.CreateOrderResponse(order=order(full=True)), []
    yield (
        "v1_amend",
        S.AmendOrderResponse(old_order=order(full=False), order=order(full=True)),
        [("old_order.status", "resting")],
    )
    yield (
        "v1_batch_create",
        S.BatchCreateOrdersResponse(
            orders=[
                S.BatchCreateOrdersIndividualResponse(client_order_id="c", order=order(full=False)),
                S.BatchCreateOrdersIndividualResponse(error=error("market_closed")),
            ]
        ),
        [],
    )
    yield (
        "v1_batch_cancel",
        S.BatchCancelOrdersResponse(
            orders=[
                S.BatchCancelOrdersIndividualResponse(
                    order_id="ord-1", order=order(full=False), reduced_by_fp="10.00", reduced_by=10
                ),
                S.BatchCancelOrdersIndividualResponse(
                    order_id="gone", reduced_by_fp="0.00", error=error("not_found")
                ),
            ]
        ),
        [("orders.0.reduced_by_fp", "10.00")],
    )


def _portfolio_cases() -> Cases:
    yield "fills_empty", S.GetFillsResponse(fills=[], cursor=""), []
    yield (
        "fills",
        S.GetFillsResponse(fills=[fill(full=False), fill(full=True)], cursor=""),
        [("fills.0.exchange_index", 0), ("fills.1.ts", T0_S + 5)],
    )
    yield (
        "positions_empty",
        S.GetPositionsResponse(market_positions=[], event_positions=[]),
        [("cursor", None)],
    )
    yield (
        "positions",
        S.GetPositionsResponse(
            cursor="p",
            market_positions=[market_position(full=False), market_position(full=True)],
            event_positions=[event_position(full=False), event_position(full=True)],
        ),
        [("market_positions.0.position_fp", "-4.00")],
    )
    yield "settlements_empty", S.GetSettlementsResponse(settlements=[]), []
    yield (
        "settlements",
        S.GetSettlementsResponse(
            settlements=[settlement(full=False), settlement(full=True)], cursor=""
        ),
        [("settlements.0.revenue", 400), ("settlements.1.value", 0)],
    )
    yield (
        "balance_min",
        S.GetBalanceResponse(
            balance=0, balance_dollars="0.0000", portfolio_value=0, updated_ts=T0_S
        ),
        [("balance", 0)],
    )
    yield (
        "balance",
        S.GetBalanceResponse(
            balance=10_050,
            balance_dollars="100.5000",
            portfolio_value=176,
            updated_ts=T0_S,
            balance_breakdown=[S.IndexedBalance(exchange_index=0, balance="100.5000")],
        ),
        [("balance_dollars", "100.5000")],
    )
    yield (
        "resting_value",
        S.GetPortfolioRestingOrderTotalValueResponse(
            total_resting_order_value=560,
            resting_order_value_breakdown=[S.IndexedBalance(exchange_index=0, balance="5.6000")],
        ),
        [],
    )
    yield (
        "deposits",
        S.GetDepositsResponse(
            deposits=[money_movement(S.Deposit, full=False), money_movement(S.Deposit, full=True)],
            cursor="",
        ),
        [],
    )
    yield "deposits_empty", S.GetDepositsResponse(deposits=[]), []
    yield (
        "withdrawals",
        S.GetWithdrawalsResponse(
            withdrawals=[
                money_movement(S.Withdrawal, full=False),
                money_movement(S.Withdrawal, full=True),
            ]
        ),
        [],
    )


def _subaccount_cases() -> Cases:
    yield "subaccount_created", S.CreateSubaccountResponse(subaccount_number=1), []
    yield (
        "subaccount_balances",
        S.GetSubaccountBalancesResponse(
            subaccount_balances=[
                S.SubaccountBalance(
                    subaccount_number=0, exchange_index=0, balance="1.0000", updated_ts=T0_S
                )
            ]
        ),
        [],
    )
    yield (
        "subaccount_transfers",
        S.GetSubaccountTransfersResponse(
            transfers=[
                S.SubaccountTransfer(
                    transfer_id="t",
                    from_subaccount=0,
                    to_subaccount=1,
                    amount_cents=500,
                    created_ts=T0_S,
                    exchange_index=0,
                )
            ],
            cursor="",
        ),
        [],
    )
    yield "subaccount_transfers_empty", S.GetSubaccountTransfersResponse(transfers=[]), []
    yield (
        "subaccount_netting",
        S.GetSubaccountNettingResponse(
            netting_configs=[
                S.SubaccountNettingConfig(subaccount_number=0, enabled=False, exchange_index=0)
            ]
        ),
        [],
    )


def _key_cases() -> Cases:
    yield (
        "api_keys",
        S.GetApiKeysResponse(
            api_keys=[
                S.ApiKey(api_key_id="k1", name="bot", scopes=["read", "write", "write::trade"]),
                S.ApiKey(
                    api_key_id="k2", name="ro", scopes=[], subaccount=2, fcm_subtrader_id="u_1"
                ),
            ],
            api_key_region_expiration_ts=T0_S,
        ),
        [("api_keys.0.scopes", ["read", "write", "write::trade"])],
    )
    yield "api_keys_empty", S.GetApiKeysResponse(api_keys=[]), []
    yield "api_key_created", S.CreateApiKeyResponse(api_key_id="k"), []
    yield (
        "api_key_generated",
        S.GenerateApiKeyResponse(
            api_key_id="k",
            key_type="ed25519",
            private_key="-----BEGIN PRIVATE KEY-----",
            warning="w",
        ),
        [("key_type", "ed25519")],
    )


def _group_cases() -> Cases:
    yield "order_groups_absent", S.GetOrderGroupsResponse(), [("order_groups", None)]
    yield (
        "order_groups",
        S.GetOrderGroupsResponse(
            order_groups=[
                S.OrderGroup(id="g1", is_auto_cancel_enabled=False),
                S.OrderGroup(
                    id="g2",
                    contracts_limit_fp="100.00",
                    is_auto_cancel_enabled=True,
                    exchange_index=0,
                ),
            ]
        ),
        [],
    )
    yield (
        "order_group",
        S.GetOrderGroupResponse(is_auto_cancel_enabled=True, orders=[], contracts_limit_fp="5.00"),
        [("orders", [])],
    )
    yield (
        "order_group_created",
        S.CreateOrderGroupResponse(order_group_id="g1", subaccount=0),
        [("subaccount", 0)],
    )


def _account_cases() -> Cases:
    yield (
        "api_limits",
        S.GetAccountApiLimitsResponse(
            usage_tier="basic",
            read=S.BucketLimit(refill_rate=200, bucket_capacity=200),
            write=S.BucketLimit(refill_rate=100, bucket_capacity=200),
            grants=[
                S.ApiUsageLevelGrant(
                    exchange_instance="event_contract", level="basic", source="volume"
                ),
                S.ApiUsageLevelGrant(
                    exchange_instance="margined", level="expert", source="manual", expires_ts=T0_S
                ),
            ],
        ),
        [("write.bucket_capacity", 200)],
    )
    yield (
        "endpoint_costs",
        S.GetAccountEndpointCostsResponse(
            default_cost=10,
            endpoint_costs=[
                S.EndpointTokenCost(
                    method="DELETE", path="/portfolio/events/orders/batched", cost=2
                )
            ],
        ),
        [],
    )
    yield (
        "endpoint_costs_empty",
        S.GetAccountEndpointCostsResponse(default_cost=10, endpoint_costs=[]),
        [],
    )
    yield "error_flat", error("invalid_parameters"), [("code", "invalid_parameters")]
    yield "error_empty", S.ErrorResponse(), [("code", None)]


def _fee_change_cases() -> Cases:
    # Augury serves these lists empty; the shapes are exercised full here all the same.
    yield (
        "series_fee_changes",
        S.GetSeriesFeeChangesResponse(
            series_fee_change_arr=[
                S.SeriesFeeChange(
                    id="c1",
                    series_ticker="AUG",
                    fee_type="quadratic_with_maker_fees",
                    fee_multiplier=0.5,
                    scheduled_ts=ts(60),
                )
            ]
        ),
        [("series_fee_change_arr.0.fee_multiplier", 0.5)],
    )
    yield (
        "event_fee_changes",
        S.GetEventFeeChangesResponse(
            event_fee_changes=[
                S.EventFeeChange(
                    id="e1",
                    event_ticker="AUG-26OCT14",
                    series_ticker="AUG",
                    fee_type_override=None,
                    fee_multiplier_override=None,
                    scheduled_ts=ts(60),
                ),
                S.EventFeeChange(
                    id="e2",
                    event_ticker="AUG-26OCT14",
                    series_ticker="AUG",
                    fee_type_override="flat",
                    fee_multiplier_override=2,
                    scheduled_ts=ts(120),
                ),
            ],
            cursor="",
        ),
        [("event_fee_changes.1.fee_type_override", "flat"), ("cursor", "")],
    )
    yield (
        "multivariate_events",
        S.GetMultivariateEventsResponse(events=[event(full=False)], cursor=""),
        [("events.0.event_ticker", "AUG-26OCT14")],
    )


CASES = [
    *_fee_change_cases(),
    *_exchange_cases(),
    *_event_cases(),
    *_market_cases(),
    *_orderbook_cases(),
    *_candle_cases(),
    *_order_cases(),
    *_v2_write_cases(),
    *_v1_write_cases(),
    *_portfolio_cases(),
    *_subaccount_cases(),
    *_key_cases(),
    *_group_cases(),
    *_account_cases(),
]


def _dig(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = obj[int(part)] if part.isdigit() else getattr(obj, part)
    return obj


def assert_survives(raw: Any, parsed: Any, where: str = "$") -> None:
    """Every value we sent comes back from the SDK model unchanged, keys it knows included."""
    if isinstance(parsed, BaseModel):
        assert isinstance(raw, dict), where
        for name, info in type(parsed).model_fields.items():
            key = info.alias or name
            value = getattr(parsed, name)
            if key in raw:
                assert_survives(raw[key], value, f"{where}.{key}")
            else:
                assert value is None, f"{where}.{key} parsed without being sent"
    elif isinstance(parsed, list):
        assert isinstance(raw, list), where
        assert len(raw) == len(parsed), where
        for i, (r, p) in enumerate(zip(raw, parsed, strict=True)):
            assert_survives(r, p, f"{where}[{i}]")
    elif isinstance(parsed, dt.datetime):
        assert parsed == dt.datetime.fromisoformat(raw), where
    elif isinstance(parsed, Enum):
        assert parsed.value == raw, where
    else:
        assert type(parsed) is type(raw), where
        assert parsed == raw, where


def _sdk_parse(obj: msgspec.Struct) -> tuple[dict[str, Any], BaseModel]:
    body = S.encode(obj)
    raw = json.loads(body)
    model = getattr(sdk, type(obj).__name__)
    parsed = model.from_json(body.decode())
    assert parsed is not None
    return raw, parsed


@pytest.mark.parametrize(("label", "obj", "checks"), CASES, ids=[c[0] for c in CASES])
def test_sdk_parses_response(label: str, obj: msgspec.Struct, checks: list[Check]) -> None:
    raw, parsed = _sdk_parse(obj)
    assert_survives(raw, parsed)
    for path, expected in checks:
        value = _dig(parsed, path)
        if isinstance(value, Enum):
            value = value.value
        if isinstance(value, list) and value and isinstance(value[0], Enum):
            value = [v.value for v in value]
        assert value == expected, path


def _walk(obj: Any) -> Iterator[msgspec.Struct]:
    if isinstance(obj, msgspec.Struct):
        yield obj
        for name in obj.__struct_fields__:
            yield from _walk(getattr(obj, name))
    elif isinstance(obj, list | tuple):
        for item in obj:
            yield from _walk(item)


def test_every_response_struct_is_round_tripped() -> None:
    exercised = {type(s).__name__ for _, obj, _ in CASES for s in _walk(obj)}
    sdk_responses = {n for n in RESPONSES if hasattr(sdk, n)}
    assert sdk_responses - exercised == set()


# Legacy shapes the 3.34 SDK no longer models: check their parts with the SDK models.


def test_legacy_cancel_and_decrease_carry_sdk_orders() -> None:
    cancel = S.CancelOrderResponse(order=order(full=True), reduced_by_fp="6.00", reduced_by=6)
    raw = json.loads(S.encode(cancel))
    assert raw["reduced_by_fp"] == "6.00"
    assert raw["reduced_by"] == 6
    assert_survives(raw["order"], sdk.Order.from_dict(raw["order"]))
    decrease = json.loads(S.encode(S.DecreaseOrderResponse(order=order(full=False))))
    assert_survives(decrease["order"], sdk.Order.from_dict(decrease["order"]))


def test_legacy_orderbook_mirrors_fp() -> None:
    raw = json.loads(S.encode(orderbook_case()))
    assert raw["orderbook"]["yes"] == [[8, 300], [56, 10]]
    assert raw["orderbook"]["no"] == [[42, 2]]
    assert raw["orderbook"]["yes_dollars"] == raw["orderbook_fp"]["yes_dollars"]
    assert raw["orderbook"]["no_dollars"] == [["0.4200", "2.50"]]
    no_legacy = json.loads(S.encode(S.orderbook_response([(100, 100)], [], include_legacy=False)))
    assert "orderbook" not in no_legacy
    assert no_legacy["orderbook_fp"] == {"yes_dollars": [["0.0100", "1.00"]], "no_dollars": []}


def test_error_envelope_is_nested_and_mirrored() -> None:
    body = S.encode(S.error_envelope("market_closed", "market is closed"))
    raw = json.loads(body)
    assert raw == {
        "error": {"code": "market_closed", "message": "market is closed"},
        "code": "market_closed",
        "message": "market is closed",
    }
    parsed = sdk.ErrorResponse.from_json(body.decode())
    assert parsed is not None
    assert parsed.code == "market_closed"
    assert json.loads(S.encode(S.rate_limit_body())) == {"error": "too many requests"}


def test_presence_rules_on_the_wire() -> None:
    raw = json.loads(S.encode(series(full=False)))
    # Required-but-nullable keys are encoded as null; optional ones are omitted.
    assert raw["tags"] is None
    assert raw["settlement_sources"] is None
    assert raw["additional_prohibitions"] is None
    assert "product_metadata" not in raw
    assert "volume_fp" not in raw
    event_raw = json.loads(S.encode(event(full=False)))
    assert event_raw["settlement_sources"] is None
    assert "markets" not in event_raw
    market_raw = json.loads(S.encode(market_min()))
    assert market_raw["result"] == ""
    assert market_raw["can_close_early"] is False
    assert "yes_bid" not in market_raw
    assert "title" not in market_raw
    full_raw = json.loads(S.encode(market_full()))
    assert full_raw["yes_bid"] == 56
    assert full_raw["response_price_units"] == "usd_cent"
    assert full_raw["is_provisional"] is False


# --------------------------------------------------------------------------------------
# Helpers: time formatting, legacy units, amount parsing
# --------------------------------------------------------------------------------------


def test_rfc3339_examples() -> None:
    assert S.rfc3339_from_ns(0) == "1970-01-01T00:00:00Z"
    second = 1_792_000_000 * NS
    assert S.rfc3339_from_ns(second) == "2026-10-14T17:46:40Z"
    assert S.rfc3339_from_ns(second + 123_456_789) == "2026-10-14T17:46:40.123Z"
    assert S.rfc3339_from_ns(second + 999_999) == "2026-10-14T17:46:40Z"
    assert S.rfc3339_from_ns(951_782_400 * NS) == "2000-02-29T00:00:00Z"
    assert S.rfc3339_from_ns(-1) == "1969-12-31T23:59:59.999Z"


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@given(st.integers(min_value=-62_135_596_800 * NS, max_value=253_402_300_799 * NS))
def test_rfc3339_agrees_with_datetime(ts_ns: int) -> None:
    expected = _EPOCH + dt.timedelta(microseconds=ts_ns // 1_000)
    millis = (ts_ns // 1_000_000) % 1_000
    text = (
        f"{expected.year:04d}-{expected.month:02d}-{expected.day:02d}T"
        f"{expected.hour:02d}:{expected.minute:02d}:{expected.second:02d}"
        + (f".{millis:03d}" if millis else "")
        + "Z"
    )
    assert S.rfc3339_from_ns(ts_ns) == text


def test_legacy_unit_helpers_floor() -> None:
    assert S.legacy_cents(5_600) == 56
    assert S.legacy_cents(5_650) == 56
    assert S.legacy_contracts(1_050) == 10
    assert S.legacy_contracts(-450) == -5


def test_parse_amounts_name_the_field() -> None:
    assert S.parse_dollars("0.56", "price") == 5_600
    assert S.parse_count("10", "count") == 1_000
    with pytest.raises(S.RequestDecodeError, match="price") as info:
        S.parse_dollars("0.56789", "price")
    assert info.value.field == "price"
    with pytest.raises(S.RequestDecodeError, match="count"):
        S.parse_count("ten", "count")


# --------------------------------------------------------------------------------------
# 3. Request decoding
# --------------------------------------------------------------------------------------

V2_BODY = {
    "ticker": "AUG-26OCT14-T50",
    "side": "bid",
    "count": "10",
    "price": "0.56",
    "time_in_force": "good_till_canceled",
    "self_trade_prevention_type": "taker_at_cross",
}


def _body(**changes: Any) -> bytes:
    data = {**V2_BODY, **changes}
    return json.dumps({k: v for k, v in data.items() if v is not ...}).encode()


def test_v2_create_decodes() -> None:
    req = S.decode_request(_body(post_only=True, expiration_time=T0_S), S.CreateOrderV2Request)
    assert req.ticker == "AUG-26OCT14-T50"
    assert req.side == "bid"
    assert req.price == "0.56"
    assert req.post_only is True
    assert req.expiration_time == T0_S
    assert req.reduce_only is None


def test_unknown_keys_are_ignored() -> None:
    req = S.decode_request(_body(future_flag=True, nested={"a": 1}), S.CreateOrderV2Request)
    assert req.count == "10"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_body(price=...), "price"),
        (_body(time_in_force=...), "time_in_force"),
        (_body(price=0.56), "price"),
        (_body(count=10), "count"),
        (_body(side="buy"), "side"),
        (_body(post_only="true"), "post_only"),
        (_body(expiration_time=1.5), "expiration_time"),
        (_body(ticker=None), "ticker"),
    ],
    ids=[
        "missing",
        "missing_tif",
        "price_number",
        "count_int",
        "bad_enum",
        "bool_str",
        "float",
        "null",
    ],
)
def test_v2_create_rejects(body: bytes, field: str) -> None:
    with pytest.raises(S.RequestDecodeError) as info:
        S.decode_request(body, S.CreateOrderV2Request)
    assert info.value.field == field
    assert f"`{field}`" in str(info.value) or f"$.{field}" in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("body", [b'{"ticker": ', b"not json", b'{"ticker": "T",}', b"\xff\xfe"])
def test_malformed_json_is_rejected(body: bytes) -> None:
    with pytest.raises(S.RequestDecodeError, match="malformed JSON") as info:
        S.decode_request(body, S.CreateOrderV2Request)
    assert info.value.field is None


def test_non_object_body_is_rejected() -> None:
    with pytest.raises(S.RequestDecodeError, match="object"):
        S.decode_request(b"[]", S.CreateOrderV2Request)


def test_nested_errors_name_the_path() -> None:
    bad_price = json.dumps({"orders": [V2_BODY, {**V2_BODY, "price": 1}]}).encode()
    with pytest.raises(S.RequestDecodeError) as info:
        S.decode_request(bad_price, S.BatchCreateOrdersV2Request)
    assert info.value.field == "orders[1].price"
    missing = json.dumps({"orders": [{"subaccount": 0}]}).encode()
    with pytest.raises(S.RequestDecodeError) as info:
        S.decode_request(missing, S.BatchCancelOrdersV2Request)
    assert info.value.field == "orders[0].order_id"


def test_empty_body_is_an_empty_object() -> None:
    assert S.decode_request(b"", S.CreateSubaccountRequest) == S.CreateSubaccountRequest()
    assert S.decode_request(b"  \n", S.UpdateOrderGroupLimitRequest).contracts_limit is None
    assert S.decode_request(b"", S.DecreaseOrderV2Request).reduce_by is None
    with pytest.raises(S.RequestDecodeError, match="ticker") as info:
        S.decode_request(b"", S.CreateOrderV2Request)
    assert info.value.field == "ticker"


def test_legacy_create_uses_integer_cents() -> None:
    body = (
        b'{"ticker":"T","side":"no","action":"buy","count":3,"no_price":44,'
        b'"buy_max_cost":200,"sell_position_floor":0,"type":"limit"}'
    )
    req = S.decode_request(body, S.CreateOrderRequest)
    assert (req.side, req.action, req.count, req.no_price) == ("no", "buy", 3, 44)
    assert req.buy_max_cost == 200
    assert req.sell_position_floor == 0
    for bad in (b'"yes_price":100', b'"yes_price":"56"', b'"count":0', b'"count":"3"'):
        with pytest.raises(S.RequestDecodeError):
            S.decode_request(
                b'{"ticker":"T","side":"yes","action":"buy",' + bad + b"}", S.CreateOrderRequest
            )


def test_legacy_batch_cancel_accepts_ids_or_orders() -> None:
    by_ids = S.decode_request(b'{"ids":["a","b"]}', S.BatchCancelOrdersRequest)
    assert by_ids.ids == ["a", "b"]
    assert by_ids.orders is None
    by_orders = S.decode_request(
        b'{"orders":[{"order_id":"a","subaccount":2}]}', S.BatchCancelOrdersRequest
    )
    assert by_orders.orders == [S.BatchCancelOrdersRequestOrder(order_id="a", subaccount=2)]
    decrease = S.decode_request(b'{"reduce_to_fp":"1.50"}', S.DecreaseOrderRequest)
    assert decrease.reduce_to_fp == "1.50"


def test_transfer_id_must_be_a_uuid() -> None:
    body = b'{"client_transfer_id":"nope","from_subaccount":0,"to_subaccount":1,"amount_cents":5}'
    with pytest.raises(S.RequestDecodeError) as info:
        S.decode_request(body, S.ApplySubaccountTransferRequest)
    assert info.value.field == "client_transfer_id"


_TRANSFER_ID = uuid.UUID("6f1c2d3e-4b5a-4c6d-8e7f-0123456789ab")

SDK_REQUESTS: list[tuple[str, Callable[[], BaseModel]]] = [
    ("create_v2_min", lambda: sdk.CreateOrderV2Request.model_validate(V2_BODY)),
    (
        "create_v2_full",
        lambda: sdk.CreateOrderV2Request.model_validate(
            {
                **V2_BODY,
                "client_order_id": "c1",
                "expiration_time": T0_S,
                "post_only": True,
                "cancel_order_on_pause": False,
                "reduce_only": False,
                "subaccount": 2,
                "order_group_id": "g",
                "exchange_index": -1,
            }
        ),
    ),
    (
        "amend_v2",
        lambda: sdk.AmendOrderV2Request(
            ticker="T",
            side=sdk.BookSide("ask"),
            price="0.44",
            count="5.50",
            updated_client_order_id="c2",
            expiration_time=0,
        ),
    ),
    ("decrease_v2", lambda: sdk.DecreaseOrderV2Request(reduce_by="1.00", market_ticker="T")),
    (
        "batch_create_v2",
        lambda: sdk.BatchCreateOrdersV2Request(
            orders=[sdk.CreateOrderV2Request.model_validate(V2_BODY)]
        ),
    ),
    (
        "batch_cancel_v2",
        lambda: sdk.BatchCancelOrdersV2Request(
            orders=[
                sdk.BatchCancelOrdersV2RequestOrdersInner(order_id="o1"),
                sdk.BatchCancelOrdersV2RequestOrdersInner(
                    order_id="o2", subaccount=1, exchange_index=0, market_ticker="T"
                ),
            ]
        ),
    ),
    ("group_create", lambda: sdk.CreateOrderGroupRequest(contracts_limit=10, subaccount=0)),
    ("group_limit", lambda: sdk.UpdateOrderGroupLimitRequest(contracts_limit_fp="12.50")),
    (
        "api_key_create",
        lambda: sdk.CreateApiKeyRequest(
            name="bot",
            public_key="-----BEGIN PUBLIC KEY-----",
            scopes=[sdk.ApiKeyScope("read"), sdk.ApiKeyScope("write")],
        ),
    ),
    (
        "api_key_generate",
        lambda: sdk.GenerateApiKeyRequest(name="bot", key_type=sdk.ApiKeyType("ed25519")),
    ),
    ("subaccount_create", lambda: sdk.CreateSubaccountRequest()),
    (
        "subaccount_transfer",
        lambda: sdk.ApplySubaccountTransferRequest(
            client_transfer_id=_TRANSFER_ID, from_subaccount=0, to_subaccount=1, amount_cents=500
        ),
    ),
    ("netting", lambda: sdk.UpdateSubaccountNettingRequest(subaccount_number=1, enabled=True)),
    (
        "v1_create",
        lambda: sdk.CreateOrderRequest(
            ticker="T",
            side="yes",
            action="buy",
            count=2,
            yes_price=56,
            time_in_force="fill_or_kill",
        ),
    ),
    (
        "v1_amend",
        lambda: sdk.AmendOrderRequest(
            ticker="T", side="yes", action="buy", yes_price_dollars="0.57", count_fp="2.00"
        ),
    ),
    (
        "v1_batch_create",
        lambda: sdk.BatchCreateOrdersRequest(
            orders=[sdk.CreateOrderRequest(ticker="T", side="no", action="sell", count_fp="1.00")]
        ),
    ),
    ("v1_batch_cancel_ids", lambda: sdk.BatchCancelOrdersRequest(ids=["a"])),
    (
        "v1_batch_cancel_orders",
        lambda: sdk.BatchCancelOrdersRequest(
            orders=[sdk.BatchCancelOrdersRequestOrder(order_id="a", subaccount=3)]
        ),
    ),
]


@pytest.mark.parametrize(("label", "build"), SDK_REQUESTS, ids=[r[0] for r in SDK_REQUESTS])
def test_sdk_request_bodies_decode(label: str, build: Callable[[], BaseModel]) -> None:
    model = build()
    # Serialise exactly as the SDK's ApiClient does before sending.
    sent = ApiClient().sanitize_for_serialization(model)
    body = json.dumps(sent).encode()
    ours = S.decode_request(body, STRUCTS[type(model).__name__])

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    assert strip(msgspec.to_builtins(ours)) == strip(sent)


def test_every_request_struct_has_an_sdk_body() -> None:
    requests = {n for n, c in STRUCTS.items() if issubclass(c, S.WireRequest) and hasattr(sdk, n)}
    covered = set()
    for _, build in SDK_REQUESTS:
        model = build()
        covered.add(type(model).__name__)
        for value in model.__dict__.values():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, BaseModel):
                    covered.add(type(item).__name__)
    assert requests - covered == set()
