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
use crate::model::{Labels, OrderStatus};
use crate::exchange::ID_MAX;
use crate::msgpack::{fits, str_max, Fixstr, Out, Run, Writer, FIXSTR_ROOM, INT_MAX, NAME_WINDOW, STR_ROOM};

/// A client order id as an order and its events hold it: none for the empty one (most
/// orders have none), so making, copying, retiring and dropping such an order or event
/// takes no reference count. A count is an atomic add or subtract, and on x86 each is a
/// full barrier: the core waits there for every load in flight, so a cold line read just
/// before it cannot overlap the work after it (measured: the shared empty id's count taken
/// per new order, and given back per retired one, held 21 % of `dispatch`'s and 11 % of
/// `step`'s time samples). A non-empty id is shared between the order and its events.
/// Reads as the text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientId(Option<Arc<str>>);

impl ClientId {
    /// The id `c` (none when empty).
    #[inline]
    pub fn new(c: &str) -> ClientId {
        ClientId(if c.is_empty() { None } else { Some(Arc::from(c)) })
    }

    /// Hold `c` instead, unless it is already the text held (the same allocation, or both
    /// empty): a kept snapshot box rewritten for another order of the same client id.
    #[inline(always)]
    pub fn set(&mut self, c: &ClientId) {
        let same = match (&self.0, &c.0) {
            (None, None) => true,
            (Some(held), Some(c)) => Arc::ptr_eq(held, c),
            _ => false,
        };
        if !same {
            *self = c.clone();
        }
    }
}

impl std::ops::Deref for ClientId {
    type Target = str;

    #[inline(always)]
    fn deref(&self) -> &str {
        self.0.as_deref().unwrap_or("")
    }
}

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
    /// `order_type`, `legacy_side` and `legacy_action` in one byte (as the order keeps them).
    pub labels: Labels,
    pub client_order_id: ClientId,
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
/// before the bytes (a placement's value can be compared with its last event).
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
            labels,
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
            && *labels == other.labels
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
        /// The order's labels (only `legacy_side` and `legacy_action` are written).
        labels: Labels,
        price_cc: i64,
        count_c: i64,
        is_taker: bool,
        fee_cc: i128,
        post_position_c: i128,
        client_order_id: ClientId,
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
        client_order_id: ClientId,
    },
    /// `acct` is the account's index in the ledger (append-only; its user and subaccount
    /// never change), read when the event is written: the event stays 128 bytes.
    Position {
        ts_ns: i64,
        acct: u32,
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
    /// `acct` as in `Position`.
    Balance { ts_ns: i64, acct: u32, available_cc: i128, reserved_cc: i128 },
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
    /// Boxed (rare, and the widest): every other event fits 128 bytes, moved inline.
    Settlement(Box<Settlement>),
    Group { ts_ns: i64, group_id: u64, user: u32, sub: i64, kind: &'static str, contracts_limit_c: Option<i64> },
    Exchange { ts_ns: i64, trading_active: bool },
    ApiKey { ts_ns: i64, api_key_id: String, user_id: String, active: bool },
    User { ts_ns: i64, user: u32, name: String, tier: String },
}

/// The events of one command, in slots reused from one command to the next.
///
/// Reads as the slice of this command's events (`Deref`). Starting the next command only
/// resets the count (`clear`): the slots past it keep last command's events until a push
/// overwrites them (dropping each then, where the write already touches it), and a slot
/// holding an order event lends its snapshot box to the next snapshot (`spare_box`). Emptying
/// the vector each command walked every event twice (moving each order's box out to a pool,
/// then dropping the rest) and passed each box through the pool and back. At most
/// `KEPT_MAX` slots are kept past a command (a mass cancel's thousands are dropped), so what
/// a stale slot holds alive (a client order id, a box) is bounded. Boxes not in a slot
/// (a value's, handed back; one an overwritten slot held) wait in `pool`, at most
/// `POOL_MAX`.
#[derive(Debug, Default)]
pub struct Events {
    slots: Vec<Event>,
    len: usize,
    pool: Vec<Box<OrderSnap>>,
}

/// Boxes of order snapshots kept beyond the slots.
const POOL_MAX: usize = 64;

/// The most event slots kept from one command for the next.
const KEPT_MAX: usize = 256;

impl Events {
    pub fn with_capacity(n: usize) -> Events {
        Events { slots: Vec::with_capacity(n), len: 0, pool: Vec::new() }
    }

    /// Append an event (into the next slot, over what it held; a box it held is kept).
    #[inline(always)]
    pub fn push(&mut self, ev: Event) {
        if self.len < self.slots.len() {
            let old = std::mem::replace(&mut self.slots[self.len], ev);
            if let Event::Order(b) = old {
                self.keep(b);
            }
        } else {
            self.slots.push(ev);
        }
        self.len += 1;
    }

    /// Push an order event by writing its snapshot (`write`) into the box of the stale
    /// order event in the next slot, when that slot holds one: the box stays where it is.
    /// Returns whether it did (if not, nothing changed).
    #[inline(always)]
    pub fn push_order_in_place(&mut self, write: impl FnOnce(&mut OrderSnap)) -> bool {
        match self.slots.get_mut(self.len) {
            Some(Event::Order(snap)) => {
                write(snap);
                self.len += 1;
                true
            }
            _ => false,
        }
    }

    /// Push an event by rewriting the stale event in the next slot where it lies, when
    /// `write` can (it returns false, changing nothing, for another kind of event): no
    /// event is built aside and moved in. Returns whether it did.
    #[inline(always)]
    pub fn push_in_place(&mut self, write: impl FnOnce(&mut Event) -> bool) -> bool {
        if let Some(ev) = self.slots.get_mut(self.len) {
            if write(ev) {
                self.len += 1;
                return true;
            }
        }
        false
    }

    /// Keep a snapshot box for reuse (while the pool has room).
    #[inline(always)]
    pub fn keep(&mut self, b: Box<OrderSnap>) {
        if self.pool.len() < POOL_MAX {
            self.pool.push(b);
        }
    }

    /// A box for the next snapshot: a stale order event's in the next slot (the slot is
    /// left holding an event without a box, overwritten by the next push), else a kept one.
    #[inline(always)]
    pub fn spare_box(&mut self) -> Option<Box<OrderSnap>> {
        if let Some(slot) = self.slots.get_mut(self.len) {
            if matches!(slot, Event::Order(_)) {
                if let Event::Order(b) = std::mem::replace(slot, Event::Exchange { ts_ns: 0, trading_active: false }) {
                    return Some(b);
                }
            }
        }
        self.pool.pop()
    }

    /// Start the next command's events (the slots are kept, see the type).
    #[inline(always)]
    pub fn clear(&mut self) {
        self.len = 0;
        if self.slots.len() > KEPT_MAX {
            self.slots.truncate(KEPT_MAX);
        }
    }

    /// This command's events, moved out (the slots go with them).
    pub fn take(&mut self) -> Vec<Event> {
        let mut out = std::mem::take(&mut self.slots);
        out.truncate(self.len);
        self.len = 0;
        out
    }
}

impl std::ops::Deref for Events {
    type Target = [Event];

    #[inline(always)]
    fn deref(&self) -> &[Event] {
        &self.slots[..self.len]
    }
}

/// One account's settlement in one market (`Event::Settlement`).
#[derive(Clone, Debug)]
pub struct Settlement {
    pub ts_ns: i64,
    pub user: u32,
    pub sub: i64,
    pub market: u32,
    pub result: &'static str,
    pub yes_c: i128,
    pub no_c: i128,
    pub yes_cost_cc: i128,
    pub no_cost_cc: i128,
    pub revenue_cc: i128,
    pub fee_cost_cc: i128,
    pub value_cc: Option<i64>,
}

// The labels an event carries, encoded once (`Fixstr`); the test below holds each to the
// text its type gives.
static BID: Fixstr = Fixstr::new("bid");
static ASK: Fixstr = Fixstr::new("ask");
static RESTING: Fixstr = Fixstr::new("resting");
static CANCELED: Fixstr = Fixstr::new("canceled");
static EXECUTED: Fixstr = Fixstr::new("executed");
#[cfg(test)]
static GTC: Fixstr = Fixstr::new("good_till_canceled");
#[cfg(test)]
static IOC: Fixstr = Fixstr::new("immediate_or_cancel");
#[cfg(test)]
static FOK: Fixstr = Fixstr::new("fill_or_kill");
static TAKER_AT_CROSS: Fixstr = Fixstr::new("taker_at_cross");
static MAKER: Fixstr = Fixstr::new("maker");
#[cfg(test)]
static LIMIT: Fixstr = Fixstr::new("limit");
#[cfg(test)]
static MARKET: Fixstr = Fixstr::new("market");
#[cfg(test)]
static YES: Fixstr = Fixstr::new("yes");
#[cfg(test)]
static NO: Fixstr = Fixstr::new("no");
#[cfg(test)]
static BUY: Fixstr = Fixstr::new("buy");
#[cfg(test)]
static SELL: Fixstr = Fixstr::new("sell");

#[inline(always)]
fn side_label(s: Side) -> &'static Fixstr {
    match s {
        Side::Bid => &BID,
        Side::Ask => &ASK,
    }
}

#[inline(always)]
fn status_label(s: OrderStatus) -> &'static Fixstr {
    match s {
        OrderStatus::Resting => &RESTING,
        OrderStatus::Canceled => &CANCELED,
        OrderStatus::Executed => &EXECUTED,
    }
}

#[cfg(test)]
fn tif_label(t: Tif) -> &'static Fixstr {
    match t {
        Tif::Gtc => &GTC,
        Tif::Ioc => &IOC,
        Tif::Fok => &FOK,
    }
}

#[inline(always)]
fn stp_label(s: Stp) -> &'static Fixstr {
    match s {
        Stp::TakerAtCross => &TAKER_AT_CROSS,
        Stp::Maker => &MAKER,
    }
}

/// The labels' three texts, each one of two literals (`Labels` returns them), so the
/// comparisons fold to tests of its bits.
#[cfg(test)]
fn order_type_label(l: Labels) -> &'static Fixstr {
    if l.order_type() == "market" {
        &MARKET
    } else {
        &LIMIT
    }
}

#[cfg(test)]
fn legacy_side_label(l: Labels) -> &'static Fixstr {
    if l.legacy_side() == "no" {
        &NO
    } else {
        &YES
    }
}

#[cfg(test)]
fn legacy_action_label(l: Labels) -> &'static Fixstr {
    if l.legacy_action() == "sell" {
        &SELL
    } else {
        &BUY
    }
}

/// Write an event through a `Frame` of `$n` bytes (a constant: the event's most size with
/// its names in their windows and its other strings at `STR_CAP`) when its strings are
/// within those caps (`$fits`), else through a `Cursor` with room `$max()` (a closure, so
/// the sum is only made on that path): the same body
/// either way, so the same bytes. Through the frame, the compiler proves every store in
/// bounds (no per-field check).
macro_rules! emit {
    ($w:expr, $fits:expr, $n:expr, $max:expr, |$c:ident| $body:block) => {
        if $fits {
            $w.framed::<{ $n }, _>(|$c| $body)
        } else {
            $w.bounded($max(), |$c| $body)
        }
    };
}

/// The window of an `OrderUpdate`'s adjacent `time_in_force`, `order_type`, `legacy_side`
/// and `legacy_action` (at most 20 + 7 + 4 + 5 bytes encoded).
const ORDER_RUN: usize = 40;

/// Those four labels for every time in force and every `Labels` (`order_run`), one copy
/// where they were four label writes.
static ORDER_RUNS: [Run<ORDER_RUN>; 24] = {
    const TIF: [&str; 3] = ["good_till_canceled", "immediate_or_cancel", "fill_or_kill"];
    let mut runs = [const { Run::new(&[]) }; 24];
    let mut i = 0;
    while i < 24 {
        let (tif, bits) = (i / 8, i % 8);
        let order_type = if bits & 1 != 0 { "market" } else { "limit" };
        let legacy_side = if bits & 2 != 0 { "no" } else { "yes" };
        let legacy_action = if bits & 4 != 0 { "sell" } else { "buy" };
        runs[i] = Run::new(&[TIF[tif], order_type, legacy_side, legacy_action]);
        i += 1;
    }
    runs
};

/// The run of an order's time in force and labels (the test below holds every entry to
/// the four labels written one by one).
#[inline(always)]
fn order_run(t: Tif, l: Labels) -> &'static Run<ORDER_RUN> {
    let tif = match t {
        Tif::Gtc => 0,
        Tif::Ioc => 1,
        Tif::Fok => 2,
    };
    let bits = usize::from(l.order_type() == "market")
        | usize::from(l.legacy_side() == "no") << 1
        | usize::from(l.legacy_action() == "sell") << 2;
    &ORDER_RUNS[8 * tif + bits]
}

/// The window of a `FillEvent`'s adjacent `side`, `legacy_side` and `legacy_action` (at
/// most 4 + 4 + 5 bytes encoded).
const FILL_RUN: usize = 16;

/// Those three labels for both sides and every legacy side and action (`fill_run`).
static FILL_RUNS: [Run<FILL_RUN>; 8] = {
    let mut runs = [const { Run::new(&[]) }; 8];
    let mut i = 0;
    while i < 8 {
        let side = if i & 1 != 0 { "ask" } else { "bid" };
        let legacy_side = if i & 2 != 0 { "no" } else { "yes" };
        let legacy_action = if i & 4 != 0 { "sell" } else { "buy" };
        runs[i] = Run::new(&[side, legacy_side, legacy_action]);
        i += 1;
    }
    runs
};

/// The run of a fill's side and legacy labels (the test below holds every entry to the
/// three labels written one by one).
#[inline(always)]
fn fill_run(s: Side, l: Labels) -> &'static Run<FILL_RUN> {
    let bits = usize::from(s == Side::Ask)
        | usize::from(l.legacy_side() == "no") << 1
        | usize::from(l.legacy_action() == "sell") << 2;
    &FILL_RUNS[bits]
}

/// Field names document the layout; events travel as arrays, so names are not written.
#[inline(always)]
fn key<O: Out>(_c: &mut O, _k: &str) {}

/// Write a command's events as msgspec writes their Python structs, one after another. The
/// loop is here, around the writers, so a command's events (about six) pay one prologue
/// and epilogue, not one each.
pub fn encode_events(e: &Engine, evs: &[Event], w: &mut Writer) {
    for ev in evs {
        encode_event(e, ev, w);
    }
}

/// Write one event as msgspec writes its Python struct.
#[inline(always)]
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
            labels,
            price_cc,
            count_c,
            is_taker,
            fee_cc,
            post_position_c,
            client_order_id,
        } => {
            let user_id = &e.users[*user as usize].user_id_enc;
            let ticker = &e.markets[*market as usize].ticker_enc;
            // Header and tag (3 + 10); ints: ts, sub, price, count, fee, post_position; ids: fill,
            // trade, order; a bool; the strings.
            let max = || 3 + 10 + 6 * INT_MAX + 3 * ID_MAX + 1 + FILL_RUN
                + user_id.room()
                + ticker.room()
                + str_max(client_order_id);
            const FRAME: usize = 3 + 10 + 6 * INT_MAX + 3 * ID_MAX + 1 + FILL_RUN + 2 * NAME_WINDOW + STR_ROOM;
            let fit = user_id.fits() && ticker.fits() && fits(client_order_id);
            emit!(w, fit, FRAME, max, |c| {
                c.array(17);
                c.str("FillEvent");
                key(c, "ts_ns");
                c.time(*ts_ns);
                key(c, "fill_id");
                e.put_id(c, 3, *fill_id);
                key(c, "trade_id");
                e.put_id(c, 2, *trade_id);
                key(c, "order_id");
                e.put_id(c, 1, *order_id);
                key(c, "user_id");
                c.name(user_id);
                key(c, "subaccount");
                c.int(*sub);
                key(c, "ticker");
                c.name(ticker);
                key(c, "side");
                key(c, "legacy_side");
                key(c, "legacy_action");
                c.run(fill_run(*side, *labels));
                key(c, "price_cc");
                c.int16(*price_cc);
                key(c, "count_c");
                c.int16(*count_c);
                key(c, "is_taker");
                c.bool(*is_taker);
                key(c, "fee_cc");
                c.int128(*fee_cc);
                key(c, "post_position_c");
                c.int128(*post_position_c);
                key(c, "client_order_id");
                c.str(client_order_id);
            });
        }
        Event::Trade { ts_ns, trade_id, market, price_cc, count_c, taker_side } => {
            let ticker = &e.markets[*market as usize].ticker_enc;
            // Header and tag (1 + 11); ints: ts, price, count; id: trade; the strings.
            let max = || 1 + 11 + 3 * INT_MAX + ID_MAX + FIXSTR_ROOM + ticker.room();
            const FRAME: usize = 1 + 11 + 3 * INT_MAX + ID_MAX + FIXSTR_ROOM + NAME_WINDOW;
            emit!(w, ticker.fits(), FRAME, max, |c| {
                c.array(7);
                c.str("TradeEvent");
                key(c, "ts_ns");
                c.time(*ts_ns);
                key(c, "trade_id");
                e.put_id(c, 2, *trade_id);
                key(c, "ticker");
                c.name(ticker);
                key(c, "price_cc");
                c.int16(*price_cc);
                key(c, "count_c");
                c.int16(*count_c);
                key(c, "taker_side");
                c.fixstr(side_label(*taker_side));
            });
        }
        Event::Delta { ts_ns, market, seq, side, price_cc, delta_c, user, sub, client_order_id } => {
            let user_id = &e.users[*user as usize].user_id_enc;
            let ticker = &e.markets[*market as usize].ticker_enc;
            // Header and tag (1 + 10); ints: ts, seq, price, delta, sub; the strings.
            let max = || 1 + 10 + 5 * INT_MAX + FIXSTR_ROOM
                + ticker.room()
                + user_id.room()
                + str_max(client_order_id);
            const FRAME: usize = 1 + 10 + 5 * INT_MAX + FIXSTR_ROOM + 2 * NAME_WINDOW + STR_ROOM;
            let fit = user_id.fits() && ticker.fits() && fits(client_order_id);
            emit!(w, fit, FRAME, max, |c| {
                c.array(10);
                c.str("BookDelta");
                key(c, "ts_ns");
                c.time(*ts_ns);
                key(c, "ticker");
                c.name(ticker);
                key(c, "seq");
                c.int(*seq);
                key(c, "side");
                c.fixstr(side_label(*side));
                key(c, "price_cc");
                c.int16(*price_cc);
                key(c, "delta_c");
                c.int16(*delta_c);
                key(c, "user_id");
                c.name(user_id);
                key(c, "subaccount");
                c.int(*sub);
                key(c, "client_order_id");
                c.str(client_order_id);
            });
        }
        Event::Position {
            ts_ns,
            acct,
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
            let a = &e.ledger.accounts[*acct as usize];
            let (user_id, sub) = (&e.users[a.user as usize].user_id_enc, a.sub);
            let ticker = &e.markets[*market as usize].ticker_enc;
            // Header and tag (1 + 15); ints: ts, sub, position, exposure, realized, fees, traded
            // total, resting, traded; a bool; the strings.
            let max = || 1 + 15 + 9 * INT_MAX + 1 + user_id.room() + ticker.room();
            const FRAME: usize = 1 + 15 + 9 * INT_MAX + 1 + 2 * NAME_WINDOW;
            emit!(w, user_id.fits() && ticker.fits(), FRAME, max, |c| {
                c.array(13);
                c.str("PositionUpdate");
                key(c, "ts_ns");
                c.time(*ts_ns);
                key(c, "user_id");
                c.name(user_id);
                key(c, "subaccount");
                c.int(sub);
                key(c, "ticker");
                c.name(ticker);
                key(c, "position_c");
                c.int128(*position_c);
                key(c, "exposure_cc");
                c.int128(*exposure_cc);
                key(c, "realized_pnl_cc");
                c.int128(*realized_pnl_cc);
                key(c, "fees_paid_cc");
                c.int128(*fees_paid_cc);
                key(c, "total_traded_cc");
                c.int128(*total_traded_cc);
                key(c, "resting_orders");
                c.int(*resting_orders);
                key(c, "settled");
                c.bool(*settled);
                key(c, "traded_c");
                c.int128(*traded_c);
            });
        }
        Event::Balance { ts_ns, acct, available_cc, reserved_cc } => {
            let a = &e.ledger.accounts[*acct as usize];
            let (user_id, sub) = (&e.users[a.user as usize].user_id_enc, a.sub);
            // Header and tag (1 + 14); ints: ts, sub, available, reserved; the strings.
            let max = || 1 + 14 + 4 * INT_MAX + user_id.room();
            const FRAME: usize = 1 + 14 + 4 * INT_MAX + NAME_WINDOW;
            emit!(w, user_id.fits(), FRAME, max, |c| {
                c.array(6);
                c.str("BalanceUpdate");
                key(c, "ts_ns");
                c.time(*ts_ns);
                key(c, "user_id");
                c.name(user_id);
                key(c, "subaccount");
                c.int(sub);
                key(c, "available_cc");
                c.int128(*available_cc);
                key(c, "reserved_cc");
                c.int128(*reserved_cc);
            });
        }
        Event::Cash { ts_ns, kind, user, sub, amount_cc, to_subaccount, transfer_id } => {
            let user_id = &e.users[*user as usize].user_id_enc;
            // Header and tag (1 + 13); ints: ts, sub, amount, to_subaccount (or nil); transfer id
            // (or nil); the strings.
            let max = 1 + 13 + 4 * INT_MAX + 1
                + str_max(kind)
                + user_id.room()
                + str_max(transfer_id.as_deref().unwrap_or(""));
            w.bounded(max, |c| {
                c.array(8);
                c.str("CashMovement");
                key(c, "ts_ns");
                c.time(*ts_ns);
                key(c, "kind");
                c.str(kind);
                key(c, "user_id");
                c.name(user_id);
                key(c, "subaccount");
                c.int(*sub);
                key(c, "amount_cc");
                c.int(*amount_cc);
                key(c, "to_subaccount");
                c.opt_int(*to_subaccount);
                key(c, "transfer_id");
                c.opt_str(transfer_id.as_deref());
            });
        }
        Event::Market { ts_ns, market, kind, status, result, settlement_value_cc } => {
            let ticker = &e.markets[*market as usize].ticker_enc;
            // Header and tag (1 + 13); ints: ts, value (or nil); the strings.
            let max = 1 + 13 + 2 * INT_MAX
                + ticker.room()
                + str_max(kind)
                + str_max(status)
                + str_max(result);
            w.bounded(max, |c| {
                c.array(7);
                c.str("MarketUpdate");
                key(c, "ts_ns");
                c.time(*ts_ns);
                key(c, "ticker");
                c.name(ticker);
                key(c, "kind");
                c.str(kind);
                key(c, "status");
                c.str(status);
                key(c, "result");
                c.str(result);
                key(c, "settlement_value_cc");
                c.opt_int(*settlement_value_cc);
            });
        }
        Event::Settlement(settlement) => {
            let Settlement {
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
            } = &**settlement;
            let user_id = &e.users[*user as usize].user_id_enc;
            let ticker = &e.markets[*market as usize].ticker_enc;
            // Header and tag (1 + 16); ints: ts, sub, yes, no, yes cost, no cost, revenue, fee
            // cost, value (or nil); the strings.
            let max = 1 + 16 + 9 * INT_MAX + user_id.room() + ticker.room() + str_max(result);
            w.bounded(max, |c| {
                c.array(13);
                c.str("SettlementEvent");
                key(c, "ts_ns");
                c.time(*ts_ns);
                key(c, "user_id");
                c.name(user_id);
                key(c, "subaccount");
                c.int(*sub);
                key(c, "ticker");
                c.name(ticker);
                key(c, "result");
                c.str(result);
                key(c, "yes_c");
                c.int128(*yes_c);
                key(c, "no_c");
                c.int128(*no_c);
                key(c, "yes_cost_cc");
                c.int128(*yes_cost_cc);
                key(c, "no_cost_cc");
                c.int128(*no_cost_cc);
                key(c, "revenue_cc");
                c.int128(*revenue_cc);
                key(c, "fee_cost_cc");
                c.int128(*fee_cost_cc);
                key(c, "value_cc");
                c.opt_int(*value_cc);
            });
        }
        Event::Group { ts_ns, group_id, user, sub, kind, contracts_limit_c } => {
            let user_id = &e.users[*user as usize].user_id_enc;
            // Header and tag (1 + 17); ints: ts, sub, limit (or nil); id: group; the strings.
            let max = 1 + 17 + 3 * INT_MAX + ID_MAX + user_id.room() + str_max(kind);
            w.bounded(max, |c| {
                c.array(7);
                c.str("OrderGroupUpdate");
                key(c, "ts_ns");
                c.time(*ts_ns);
                key(c, "group_id");
                e.put_id(c, 4, *group_id);
                key(c, "user_id");
                c.name(user_id);
                key(c, "subaccount");
                c.int(*sub);
                key(c, "kind");
                c.str(kind);
                key(c, "contracts_limit_c");
                c.opt_int(*contracts_limit_c);
            });
        }
        Event::Exchange { ts_ns, trading_active } => {
            // Header and tag (1 + 15); int: ts; a bool; the strings.
            let max = 1 + 15 + INT_MAX + 1;
            w.bounded(max, |c| {
                c.array(3);
                c.str("ExchangeUpdate");
                key(c, "ts_ns");
                c.time(*ts_ns);
                key(c, "trading_active");
                c.bool(*trading_active);
            });
        }
        Event::ApiKey { ts_ns, api_key_id, user_id, active } => {
            // Header and tag (1 + 13); int: ts; a bool; the strings.
            let max = 1 + 13 + INT_MAX + 1 + str_max(api_key_id) + str_max(user_id);
            w.bounded(max, |c| {
                c.array(5);
                c.str("ApiKeyUpdate");
                key(c, "ts_ns");
                c.time(*ts_ns);
                key(c, "api_key_id");
                c.str(api_key_id);
                key(c, "user_id");
                c.str(user_id);
                key(c, "active");
                c.bool(*active);
            });
        }
        Event::User { ts_ns, user, name, tier } => {
            let user_id = &e.users[*user as usize].user_id_enc;
            // Header and tag (1 + 11); int: ts; the strings.
            let max = 1 + 11 + INT_MAX + user_id.room() + str_max(name) + str_max(tier);
            w.bounded(max, |c| {
                c.array(5);
                c.str("UserUpdate");
                key(c, "ts_ns");
                c.time(*ts_ns);
                key(c, "user_id");
                c.name(user_id);
                key(c, "name");
                c.str(name);
                key(c, "tier");
                c.str(tier);
            });
        }
    }
}

/// The most bytes an `OrderUpdate` takes beyond its strings: the header and tag (3 + 12),
/// thirteen integers (times, counts, prices, the four cost and fee sums, the queue seq;
/// the expiration or nil), two ids (the order's; the group's or nil), two booleans.
const ORDER_FIXED: usize = 3 + 12 + 13 * INT_MAX + 2 * ID_MAX + 2;

/// Write an `OrderUpdate` (one room check for the whole event).
pub fn encode_order(e: &Engine, o: &OrderSnap, w: &mut Writer) {
    let user_id = &e.users[o.user as usize].user_id_enc;
    let ticker = &e.markets[o.market as usize].ticker_enc;
    // Three labels (side, status, self-trade prevention) and the run of the time in force
    // and the three `Labels`.
    let max = || ORDER_FIXED + 3 * FIXSTR_ROOM + ORDER_RUN
        + user_id.room()
        + ticker.room()
        + str_max(o.reason)
        + str_max(&o.client_order_id);
    let fit = user_id.fits() && ticker.fits() && fits(o.reason) && fits(&o.client_order_id);
    const FRAME: usize = ORDER_FIXED + 3 * FIXSTR_ROOM + ORDER_RUN + 2 * NAME_WINDOW + 2 * STR_ROOM;
    emit!(w, fit, FRAME, max, |c| {
        c.array(29);
        c.str("OrderUpdate");
        key(c, "ts_ns");
        c.time(o.ts_ns);
        key(c, "order_id");
        e.put_id(c, 1, o.id);
        key(c, "user_id");
        c.name(user_id);
        key(c, "subaccount");
        c.int(o.sub);
        key(c, "ticker");
        c.name(ticker);
        key(c, "side");
        c.fixstr(side_label(o.side));
        key(c, "price_cc");
        c.int16(o.price_cc);
        key(c, "initial_c");
        c.int16(o.initial_c);
        key(c, "fill_c");
        c.int16(o.fill_c);
        key(c, "remaining_c");
        c.int16(o.remaining_c);
        key(c, "status");
        c.fixstr(status_label(o.status));
        key(c, "reason");
        c.str(o.reason);
        key(c, "time_in_force");
        key(c, "order_type");
        key(c, "legacy_side");
        key(c, "legacy_action");
        c.run(order_run(o.time_in_force, o.labels));
        key(c, "client_order_id");
        c.str(&o.client_order_id);
        key(c, "order_group_id");
        match o.order_group_id {
            Some(g) => e.put_id(c, 4, g),
            None => c.nil(),
        }
        key(c, "self_trade_prevention");
        c.fixstr(stp_label(o.self_trade_prevention));
        key(c, "post_only");
        c.bool(o.post_only);
        key(c, "cancel_order_on_pause");
        c.bool(o.cancel_order_on_pause);
        key(c, "expiration_ts_ns");
        c.opt_int(o.expiration_ts_ns);
        key(c, "created_ns");
        c.time(o.created_ns);
        key(c, "taker_fill_cost_cc");
        c.int128(o.taker_fill_cost_cc);
        key(c, "maker_fill_cost_cc");
        c.int128(o.maker_fill_cost_cc);
        key(c, "taker_fees_cc");
        c.int128(o.taker_fees_cc);
        key(c, "maker_fees_cc");
        c.int128(o.maker_fees_cc);
        key(c, "queue_seq");
        c.int(o.queue_seq as i64);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each pre-encoded label is the MessagePack string of the text its type gives, for
    /// every value of every label type.
    #[test]
    fn every_label_is_its_text_encoded() {
        fn enc(s: &str) -> Vec<u8> {
            let mut w = Writer::new();
            w.str(s);
            w.into_bytes()
        }
        for side in [Side::Bid, Side::Ask] {
            assert_eq!(side_label(side).encoded(), enc(side.as_str()));
        }
        for st in [OrderStatus::Resting, OrderStatus::Canceled, OrderStatus::Executed] {
            assert_eq!(status_label(st).encoded(), enc(st.as_str()));
        }
        for t in [Tif::Gtc, Tif::Ioc, Tif::Fok] {
            assert_eq!(tif_label(t).encoded(), enc(t.as_str()));
        }
        for p in [Stp::TakerAtCross, Stp::Maker] {
            assert_eq!(stp_label(p).encoded(), enc(p.as_str()));
        }
        for bits in 0..8u8 {
            let l = Labels::new(bits & 1 != 0, bits & 2 != 0, bits & 4 != 0);
            assert_eq!(order_type_label(l).encoded(), enc(l.order_type()));
            assert_eq!(legacy_side_label(l).encoded(), enc(l.legacy_side()));
            assert_eq!(legacy_action_label(l).encoded(), enc(l.legacy_action()));
        }
    }

    /// A cleared `Events` reads as empty and then as exactly what was pushed since, though
    /// its slots still hold the earlier events; past a large command it keeps at most
    /// `KEPT_MAX` slots; `take` hands over only this command's events.
    #[test]
    fn events_show_only_this_commands_and_keep_few_slots() {
        let ts = |evs: &[Event]| -> Vec<i64> {
            evs.iter()
                .map(|e| match e {
                    Event::Exchange { ts_ns, .. } => *ts_ns,
                    _ => -1,
                })
                .collect()
        };
        let ex = |t: i64| Event::Exchange { ts_ns: t, trading_active: true };
        let mut evs = Events::with_capacity(1);
        for t in 1..=3 {
            evs.push(ex(t));
        }
        assert_eq!(ts(&evs), [1, 2, 3]);
        evs.clear();
        assert!(evs.is_empty());
        evs.push(ex(7));
        assert_eq!(ts(&evs), [7]);
        evs.clear();
        for t in 0..1_000 {
            evs.push(ex(t));
        }
        assert_eq!(evs.len(), 1_000);
        evs.clear();
        assert!(evs.slots.len() <= KEPT_MAX);
        evs.push(ex(9));
        evs.push(ex(10));
        assert_eq!(ts(&evs.take()), [9, 10]);
        assert!(evs.is_empty());
    }

    /// Every run of an order's time in force and labels is the four labels written one by
    /// one (each already held to its text above).
    #[test]
    fn every_order_run_is_its_four_labels() {
        for t in [Tif::Gtc, Tif::Ioc, Tif::Fok] {
            for bits in 0..8u8 {
                let l = Labels::new(bits & 1 != 0, bits & 2 != 0, bits & 4 != 0);
                let mut w = Writer::new();
                for f in [tif_label(t), order_type_label(l), legacy_side_label(l), legacy_action_label(l)] {
                    w.bounded(FIXSTR_ROOM, |c| c.fixstr(f));
                }
                assert_eq!(order_run(t, l).encoded(), w.as_bytes(), "{t:?} {bits}");
            }
        }
    }

    /// Every run of a fill's side and legacy labels is the three labels written one by one.
    #[test]
    fn every_fill_run_is_its_three_labels() {
        for side in [Side::Bid, Side::Ask] {
            for bits in 0..8u8 {
                let l = Labels::new(bits & 1 != 0, bits & 2 != 0, bits & 4 != 0);
                let mut w = Writer::new();
                for f in [side_label(side), legacy_side_label(l), legacy_action_label(l)] {
                    w.bounded(FIXSTR_ROOM, |c| c.fixstr(f));
                }
                assert_eq!(fill_run(side, l).encoded(), w.as_bytes(), "{side:?} {bits}");
            }
        }
    }

    /// An event is moved (pushed, recycled) with inline copies, not a call to `memcpy`, only
    /// while it is at most 128 bytes; a wider variant belongs in a box (as `Settlement`).
    #[test]
    fn an_event_is_at_most_128_bytes() {
        assert!(std::mem::size_of::<super::Event>() <= 128, "{}", std::mem::size_of::<super::Event>());
    }
}
