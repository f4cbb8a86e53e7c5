//! Events: what a command did (mirrors `augury.engine.events`), and their encoding.
//!
//! Events name users, markets and orders by index and id counter while the engine builds
//! them; `encode_event` writes each one exactly as msgspec encodes the Python event struct
//! (`array_like`: an array of the tag, then every field in declaration order), so
//! `msgspec.msgpack.decode(..., type=list[Event])` builds the very classes the Python engine
//! returns.

use std::sync::Arc;

use crate::commands::{Side, Stp, Tif};
use crate::exchange::Engine;
use crate::model::OrderStatus;
use crate::msgpack::Writer;

#[derive(Clone, Debug)]
pub struct OrderSnap {
    pub ts_ns: i64,
    pub id: u64,
    pub user: u32,
    pub sub: i64,
    pub market: u32,
    pub side: Side,
    pub price_cc: i64,
    pub initial_c: i64,
    pub fill_c: i64,
    pub remaining_c: i64,
    pub status: OrderStatus,
    pub reason: &'static str,
    pub time_in_force: Tif,
    pub order_type: &'static str,
    pub legacy_side: &'static str,
    pub legacy_action: &'static str,
    pub client_order_id: Arc<str>,
    pub order_group_id: Option<u64>,
    pub self_trade_prevention: Stp,
    pub post_only: bool,
    pub cancel_order_on_pause: bool,
    pub expiration_ts_ns: Option<i64>,
    pub created_ns: i64,
    pub taker_fill_cost_cc: i128,
    pub maker_fill_cost_cc: i128,
    pub taker_fees_cc: i128,
    pub maker_fees_cc: i128,
    pub queue_seq: u64,
}

/// Two labels are the same text; the same literal is usually one address, so that is tried
/// before the bytes (a placement's value is compared with its last event, four labels each).
#[inline(always)]
fn same_label(a: &'static str, b: &'static str) -> bool {
    std::ptr::eq(a, b) || a == b
}

/// Field-by-field equality (as derived), with the labels compared address first. The
/// destructuring names every field, so a field added to `OrderSnap` must be added here.
impl PartialEq for OrderSnap {
    fn eq(&self, other: &Self) -> bool {
        let OrderSnap {
            ts_ns,
            id,
            user,
            sub,
            market,
            side,
            price_cc,
            initial_c,
            fill_c,
            remaining_c,
            status,
            reason,
            time_in_force,
            order_type,
            legacy_side,
            legacy_action,
            client_order_id,
            order_group_id,
            self_trade_prevention,
            post_only,
            cancel_order_on_pause,
            expiration_ts_ns,
            created_ns,
            taker_fill_cost_cc,
            maker_fill_cost_cc,
            taker_fees_cc,
            maker_fees_cc,
            queue_seq,
        } = self;
        *id == other.id
            && *ts_ns == other.ts_ns
            && *user == other.user
            && *sub == other.sub
            && *market == other.market
            && *side == other.side
            && *price_cc == other.price_cc
            && *initial_c == other.initial_c
            && *fill_c == other.fill_c
            && *remaining_c == other.remaining_c
            && *status == other.status
            && same_label(reason, other.reason)
            && *time_in_force == other.time_in_force
            && same_label(order_type, other.order_type)
            && same_label(legacy_side, other.legacy_side)
            && same_label(legacy_action, other.legacy_action)
            && *client_order_id == other.client_order_id
            && *order_group_id == other.order_group_id
            && *self_trade_prevention == other.self_trade_prevention
            && *post_only == other.post_only
            && *cancel_order_on_pause == other.cancel_order_on_pause
            && *expiration_ts_ns == other.expiration_ts_ns
            && *created_ns == other.created_ns
            && *taker_fill_cost_cc == other.taker_fill_cost_cc
            && *maker_fill_cost_cc == other.maker_fill_cost_cc
            && *taker_fees_cc == other.taker_fees_cc
            && *maker_fees_cc == other.maker_fees_cc
            && *queue_seq == other.queue_seq
    }
}

impl Eq for OrderSnap {}

#[derive(Clone, Debug)]
pub enum Event {
    Order(Box<OrderSnap>),
    Fill {
        ts_ns: i64,
        fill_id: u64,
        trade_id: u64,
        order_id: u64,
        user: u32,
        sub: i64,
        market: u32,
        side: Side,
        legacy_side: &'static str,
        legacy_action: &'static str,
        price_cc: i64,
        count_c: i64,
        is_taker: bool,
        fee_cc: i128,
        post_position_c: i128,
        client_order_id: Arc<str>,
    },
    Trade { ts_ns: i64, trade_id: u64, market: u32, price_cc: i64, count_c: i64, taker_side: Side },
    Delta {
        ts_ns: i64,
        market: u32,
        seq: i64,
        side: Side,
        price_cc: i64,
        delta_c: i64,
        user: u32,
        sub: i64,
        client_order_id: Arc<str>,
    },
    Position {
        ts_ns: i64,
        user: u32,
        sub: i64,
        market: u32,
        position_c: i128,
        exposure_cc: i128,
        realized_pnl_cc: i128,
        fees_paid_cc: i128,
        total_traded_cc: i128,
        resting_orders: i64,
        settled: bool,
        traded_c: i128,
    },
    Balance { ts_ns: i64, user: u32, sub: i64, available_cc: i128, reserved_cc: i128 },
    Cash {
        ts_ns: i64,
        kind: &'static str,
        user: u32,
        sub: i64,
        amount_cc: i64,
        to_subaccount: Option<i64>,
        transfer_id: Option<String>,
    },
    Market {
        ts_ns: i64,
        market: u32,
        kind: &'static str,
        status: &'static str,
        result: &'static str,
        settlement_value_cc: Option<i64>,
    },
    Settlement {
        ts_ns: i64,
        user: u32,
        sub: i64,
        market: u32,
        result: &'static str,
        yes_c: i128,
        no_c: i128,
        yes_cost_cc: i128,
        no_cost_cc: i128,
        revenue_cc: i128,
        fee_cost_cc: i128,
        value_cc: Option<i64>,
    },
    Group { ts_ns: i64, group_id: u64, user: u32, sub: i64, kind: &'static str, contracts_limit_c: Option<i64> },
    Exchange { ts_ns: i64, trading_active: bool },
    ApiKey { ts_ns: i64, api_key_id: String, user_id: String, active: bool },
    User { ts_ns: i64, user: u32, name: String, tier: String },
}

/// Field names document the layout; events travel as arrays, so names are not written.
#[inline(always)]
fn key(_w: &mut Writer, _k: &str) {}

/// Write one event as msgspec writes its Python struct.
pub fn encode_event(e: &Engine, ev: &Event, w: &mut Writer) {
    match ev {
        Event::Order(o) => encode_order(e, o, w),
        Event::Fill {
            ts_ns,
            fill_id,
            trade_id,
            order_id,
            user,
            sub,
            market,
            side,
            legacy_side,
            legacy_action,
            price_cc,
            count_c,
            is_taker,
            fee_cc,
            post_position_c,
            client_order_id,
        } => {
            w.array(17);
            w.str("FillEvent");
            key(w, "ts_ns");
            w.int(*ts_ns);
            key(w, "fill_id");
            e.write_id(w, 3, *fill_id);
            key(w, "trade_id");
            e.write_id(w, 2, *trade_id);
            key(w, "order_id");
            e.write_id(w, 1, *order_id);
            key(w, "user_id");
            w.str(&e.users[*user as usize].user_id);
            key(w, "subaccount");
            w.int(*sub);
            key(w, "ticker");
            w.str(&e.markets[*market as usize].ticker);
            key(w, "side");
            w.str(side.as_str());
            key(w, "legacy_side");
            w.str(legacy_side);
            key(w, "legacy_action");
            w.str(legacy_action);
            key(w, "price_cc");
            w.int(*price_cc);
            key(w, "count_c");
            w.int(*count_c);
            key(w, "is_taker");
            w.bool(*is_taker);
            key(w, "fee_cc");
            w.int128(*fee_cc);
            key(w, "post_position_c");
            w.int128(*post_position_c);
            key(w, "client_order_id");
            w.str(client_order_id);
        }
        Event::Trade { ts_ns, trade_id, market, price_cc, count_c, taker_side } => {
            w.array(7);
            w.str("TradeEvent");
            key(w, "ts_ns");
            w.int(*ts_ns);
            key(w, "trade_id");
            e.write_id(w, 2, *trade_id);
            key(w, "ticker");
            w.str(&e.markets[*market as usize].ticker);
            key(w, "price_cc");
            w.int(*price_cc);
            key(w, "count_c");
            w.int(*count_c);
            key(w, "taker_side");
            w.str(taker_side.as_str());
        }
        Event::Delta { ts_ns, market, seq, side, price_cc, delta_c, user, sub, client_order_id } => {
            w.array(10);
            w.str("BookDelta");
            key(w, "ts_ns");
            w.int(*ts_ns);
            key(w, "ticker");
            w.str(&e.markets[*market as usize].ticker);
            key(w, "seq");
            w.int(*seq);
            key(w, "side");
            w.str(side.as_str());
            key(w, "price_cc");
            w.int(*price_cc);
            key(w, "delta_c");
            w.int(*delta_c);
            key(w, "user_id");
            w.str(&e.users[*user as usize].user_id);
            key(w, "subaccount");
            w.int(*sub);
            key(w, "client_order_id");
            w.str(client_order_id);
        }
        Event::Position {
            ts_ns,
            user,
            sub,
            market,
            position_c,
            exposure_cc,
            realized_pnl_cc,
            fees_paid_cc,
            total_traded_cc,
            resting_orders,
            settled,
            traded_c,
        } => {
            w.array(13);
            w.str("PositionUpdate");
            key(w, "ts_ns");
            w.int(*ts_ns);
            key(w, "user_id");
            w.str(&e.users[*user as usize].user_id);
            key(w, "subaccount");
            w.int(*sub);
            key(w, "ticker");
            w.str(&e.markets[*market as usize].ticker);
            key(w, "position_c");
            w.int128(*position_c);
            key(w, "exposure_cc");
            w.int128(*exposure_cc);
            key(w, "realized_pnl_cc");
            w.int128(*realized_pnl_cc);
            key(w, "fees_paid_cc");
            w.int128(*fees_paid_cc);
            key(w, "total_traded_cc");
            w.int128(*total_traded_cc);
            key(w, "resting_orders");
            w.int(*resting_orders);
            key(w, "settled");
            w.bool(*settled);
            key(w, "traded_c");
            w.int128(*traded_c);
        }
        Event::Balance { ts_ns, user, sub, available_cc, reserved_cc } => {
            w.array(6);
            w.str("BalanceUpdate");
            key(w, "ts_ns");
            w.int(*ts_ns);
            key(w, "user_id");
            w.str(&e.users[*user as usize].user_id);
            key(w, "subaccount");
            w.int(*sub);
            key(w, "available_cc");
            w.int128(*available_cc);
            key(w, "reserved_cc");
            w.int128(*reserved_cc);
        }
        Event::Cash { ts_ns, kind, user, sub, amount_cc, to_subaccount, transfer_id } => {
            w.array(8);
            w.str("CashMovement");
            key(w, "ts_ns");
            w.int(*ts_ns);
            key(w, "kind");
            w.str(kind);
            key(w, "user_id");
            w.str(&e.users[*user as usize].user_id);
            key(w, "subaccount");
            w.int(*sub);
            key(w, "amount_cc");
            w.int(*amount_cc);
            key(w, "to_subaccount");
            w.opt_int(*to_subaccount);
            key(w, "transfer_id");
            w.opt_str(transfer_id.as_deref());
        }
        Event::Market { ts_ns, market, kind, status, result, settlement_value_cc } => {
            w.array(7);
            w.str("MarketUpdate");
            key(w, "ts_ns");
            w.int(*ts_ns);
            key(w, "ticker");
            w.str(&e.markets[*market as usize].ticker);
            key(w, "kind");
            w.str(kind);
            key(w, "status");
            w.str(status);
            key(w, "result");
            w.str(result);
            key(w, "settlement_value_cc");
            w.opt_int(*settlement_value_cc);
        }
        Event::Settlement {
            ts_ns,
            user,
            sub,
            market,
            result,
            yes_c,
            no_c,
            yes_cost_cc,
            no_cost_cc,
            revenue_cc,
            fee_cost_cc,
            value_cc,
        } => {
            w.array(13);
            w.str("SettlementEvent");
            key(w, "ts_ns");
            w.int(*ts_ns);
            key(w, "user_id");
            w.str(&e.users[*user as usize].user_id);
            key(w, "subaccount");
            w.int(*sub);
            key(w, "ticker");
            w.str(&e.markets[*market as usize].ticker);
            key(w, "result");
            w.str(result);
            key(w, "yes_c");
            w.int128(*yes_c);
            key(w, "no_c");
            w.int128(*no_c);
            key(w, "yes_cost_cc");
            w.int128(*yes_cost_cc);
            key(w, "no_cost_cc");
            w.int128(*no_cost_cc);
            key(w, "revenue_cc");
            w.int128(*revenue_cc);
            key(w, "fee_cost_cc");
            w.int128(*fee_cost_cc);
            key(w, "value_cc");
            w.opt_int(*value_cc);
        }
        Event::Group { ts_ns, group_id, user, sub, kind, contracts_limit_c } => {
            w.array(7);
            w.str("OrderGroupUpdate");
            key(w, "ts_ns");
            w.int(*ts_ns);
            key(w, "group_id");
            e.write_id(w, 4, *group_id);
            key(w, "user_id");
            w.str(&e.users[*user as usize].user_id);
            key(w, "subaccount");
            w.int(*sub);
            key(w, "kind");
            w.str(kind);
            key(w, "contracts_limit_c");
            w.opt_int(*contracts_limit_c);
        }
        Event::Exchange { ts_ns, trading_active } => {
            w.array(3);
            w.str("ExchangeUpdate");
            key(w, "ts_ns");
            w.int(*ts_ns);
            key(w, "trading_active");
            w.bool(*trading_active);
        }
        Event::ApiKey { ts_ns, api_key_id, user_id, active } => {
            w.array(5);
            w.str("ApiKeyUpdate");
            key(w, "ts_ns");
            w.int(*ts_ns);
            key(w, "api_key_id");
            w.str(api_key_id);
            key(w, "user_id");
            w.str(user_id);
            key(w, "active");
            w.bool(*active);
        }
        Event::User { ts_ns, user, name, tier } => {
            w.array(5);
            w.str("UserUpdate");
            key(w, "ts_ns");
            w.int(*ts_ns);
            key(w, "user_id");
            w.str(&e.users[*user as usize].user_id);
            key(w, "name");
            w.str(name);
            key(w, "tier");
            w.str(tier);
        }
    }
}

/// Write an `OrderUpdate`.
pub fn encode_order(e: &Engine, o: &OrderSnap, w: &mut Writer) {
    w.array(29);
    w.str("OrderUpdate");
    key(w, "ts_ns");
    w.int(o.ts_ns);
    key(w, "order_id");
    e.write_id(w, 1, o.id);
    key(w, "user_id");
    w.str(&e.users[o.user as usize].user_id);
    key(w, "subaccount");
    w.int(o.sub);
    key(w, "ticker");
    w.str(&e.markets[o.market as usize].ticker);
    key(w, "side");
    w.str(o.side.as_str());
    key(w, "price_cc");
    w.int(o.price_cc);
    key(w, "initial_c");
    w.int(o.initial_c);
    key(w, "fill_c");
    w.int(o.fill_c);
    key(w, "remaining_c");
    w.int(o.remaining_c);
    key(w, "status");
    w.str(o.status.as_str());
    key(w, "reason");
    w.str(o.reason);
    key(w, "time_in_force");
    w.str(o.time_in_force.as_str());
    key(w, "order_type");
    w.str(o.order_type);
    key(w, "legacy_side");
    w.str(o.legacy_side);
    key(w, "legacy_action");
    w.str(o.legacy_action);
    key(w, "client_order_id");
    w.str(&o.client_order_id);
    key(w, "order_group_id");
    match o.order_group_id {
        Some(g) => e.write_id(w, 4, g),
        None => w.nil(),
    }
    key(w, "self_trade_prevention");
    w.str(o.self_trade_prevention.as_str());
    key(w, "post_only");
    w.bool(o.post_only);
    key(w, "cancel_order_on_pause");
    w.bool(o.cancel_order_on_pause);
    key(w, "expiration_ts_ns");
    w.opt_int(o.expiration_ts_ns);
    key(w, "created_ns");
    w.int(o.created_ns);
    key(w, "taker_fill_cost_cc");
    w.int128(o.taker_fill_cost_cc);
    key(w, "maker_fill_cost_cc");
    w.int128(o.maker_fill_cost_cc);
    key(w, "taker_fees_cc");
    w.int128(o.taker_fees_cc);
    key(w, "maker_fees_cc");
    w.int128(o.maker_fees_cc);
    key(w, "queue_seq");
    w.int(o.queue_seq as i64);
}
