//! The engine's records: orders, markets, users, keys, the catalog, order groups and the
//! per-(account, market, side) collateral groups (mirrors `augury.engine.orders`,
//! `.market`, `.groups` and `augury.ledger.collateral`).
//!
//! Orders live in a slab and are named by slot; an order's public id is its id counter
//! formatted with the exchange's prefix (`Engine::order_id`). Users, markets, series and
//! events are never deleted, so they are named by their index in creation order.

use std::collections::VecDeque;
use std::num::NonZeroU64;
use std::sync::Arc;

use crate::book::Book;
use crate::commands::{Side, Stp, Tif};
use crate::events::ClientId;
use crate::fees::FeeSchedule;
use crate::units::{ceil_div, CC_PER_CENT, CENT_FINE, ONE_DOLLAR_CC};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderStatus {
    Resting,
    Canceled,
    Executed,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Resting => "resting",
            OrderStatus::Canceled => "canceled",
            OrderStatus::Executed => "executed",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Order {
    pub id: u64,
    pub user: u32,
    /// The subaccount (the domain bounds it to 0..=63: `SUBACCOUNT_MAX`).
    pub sub: u8,
    pub market: u32,
    pub is_bid: bool,
    pub price_cc: i64,
    pub price_idx: u32,
    pub initial_c: i64,
    pub remaining_c: i64,
    pub fill_c: i64,
    /// The market's lot: 1 (fractional) or 100 centi-contracts (`Order::lot_c`).
    pub lot: u8,
    /// The largest fee one lot may cost (at most 17,500 cc: `fees::fee_lot_cc`).
    pub fee_lot_cc: u32,
    /// The fee rounding accumulator, always in `0..CENT_FINE` between fills.
    pub fee_acc_fine: u32,
    pub status: OrderStatus,
    pub time_in_force: Tif,
    /// `order_type`, `legacy_side` and `legacy_action`, two values each (`Labels`).
    pub labels: Labels,
    pub client_order_id: ClientId,
    /// The order group's id counter (`Order::order_group_id`; counters start at 1).
    pub group: Option<NonZeroU64>,
    pub self_trade_prevention: Stp,
    pub post_only: bool,
    pub reduce_only: bool,
    pub cancel_on_pause: bool,
    /// `Order::expiration_ts_ns`, without the option's extra word.
    pub expiration: OptNs,
    pub created_ns: i64,
    pub updated_ns: i64,
    /// What the order's fills cost, boxed on its first fill: most resting orders never
    /// fill, and four 128-bit figures would double their size (`Order::fills`).
    pub filled: Option<Box<Fills>>,
    pub queue_seq: u64,
    pub live: bool,
    /// Where this order sits in its collateral group's order list (`GroupSide::slots`).
    pub gs_pos: u32,
    /// The index of its (account, market) record in `Engine::collateral` (`holdings`): its
    /// collateral group and position are found without hashing, and its account is the
    /// record's (`Engine::order_acct`; a field of its own would grow the slot past 144 bytes).
    pub hold: u32,
}

/// An optional timestamp in one word: `i64::MIN` (never a valid time: the domain keeps
/// times in `0..=TIME_MAX_NS`) stands for none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OptNs(i64);

impl OptNs {
    pub const NONE: OptNs = OptNs(i64::MIN);

    /// None for `i64::MIN` itself, which has no place in a sound state.
    pub fn new(v: Option<i64>) -> Option<OptNs> {
        match v {
            None => Some(OptNs::NONE),
            Some(i64::MIN) => None,
            Some(t) => Some(OptNs(t)),
        }
    }

    #[inline]
    pub fn get(self) -> Option<i64> {
        if self.0 == i64::MIN {
            None
        } else {
            Some(self.0)
        }
    }
}

/// The cost and fees of an order's fills so far, as taker and as maker.
#[derive(Clone, Debug, Default)]
pub struct Fills {
    pub taker_fill_cost_fine: i128,
    pub maker_fill_cost_fine: i128,
    pub taker_fees_cc: i128,
    pub maker_fees_cc: i128,
}

static NO_FILLS: Fills =
    Fills { taker_fill_cost_fine: 0, maker_fill_cost_fine: 0, taker_fees_cc: 0, maker_fees_cc: 0 };

/// An order's three two-valued labels in one byte: `order_type` (`limit`/`market`),
/// `legacy_side` (`yes`/`no`) and `legacy_action` (`buy`/`sell`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Labels(u8);

impl Labels {
    const MARKET: u8 = 1;
    const NO: u8 = 2;
    const SELL: u8 = 4;

    /// The labels from their second values' flags (`market`, `no`, `sell`).
    #[inline]
    pub const fn new(market: bool, no: bool, sell: bool) -> Labels {
        Labels((market as u8) * Self::MARKET | (no as u8) * Self::NO | (sell as u8) * Self::SELL)
    }

    /// The labels from their texts; None for a text outside its two values.
    pub fn parse(order_type: &str, legacy_side: &str, legacy_action: &str) -> Option<Labels> {
        let t = match order_type {
            "limit" => 0,
            "market" => Self::MARKET,
            _ => return None,
        };
        let s = match legacy_side {
            "yes" => 0,
            "no" => Self::NO,
            _ => return None,
        };
        let a = match legacy_action {
            "buy" => 0,
            "sell" => Self::SELL,
            _ => return None,
        };
        Some(Labels(t | s | a))
    }

    pub fn order_type(self) -> &'static str {
        if self.0 & Self::MARKET != 0 {
            "market"
        } else {
            "limit"
        }
    }

    pub fn legacy_side(self) -> &'static str {
        if self.0 & Self::NO != 0 {
            "no"
        } else {
            "yes"
        }
    }

    pub fn legacy_action(self) -> &'static str {
        if self.0 & Self::SELL != 0 {
            "sell"
        } else {
            "buy"
        }
    }
}

impl Order {
    /// The fills' cost and fees (zero before the first fill).
    #[inline]
    pub fn fills(&self) -> &Fills {
        self.filled.as_deref().unwrap_or(&NO_FILLS)
    }

    /// The fills' figures to add to, boxed on first use.
    #[inline]
    pub fn fills_mut(&mut self) -> &mut Fills {
        self.filled.get_or_insert_with(Box::default)
    }

    pub fn order_type(&self) -> &'static str {
        self.labels.order_type()
    }

    pub fn legacy_side(&self) -> &'static str {
        self.labels.legacy_side()
    }

    pub fn legacy_action(&self) -> &'static str {
        self.labels.legacy_action()
    }

    pub fn side(&self) -> Side {
        if self.is_bid {
            Side::Bid
        } else {
            Side::Ask
        }
    }

    pub fn set_price(&mut self, price_cc: i64, price_idx: u32) {
        self.price_cc = price_cc;
        self.price_idx = price_idx;
    }

    /// What one contract of the order's outcome costs at its limit.
    #[inline]
    pub fn outcome_limit_cc(&self) -> i64 {
        if self.is_bid {
            self.price_cc
        } else {
            ONE_DOLLAR_CC - self.price_cc
        }
    }

    #[inline]
    pub fn lot_c(&self) -> i64 {
        i64::from(self.lot)
    }

    #[inline]
    pub fn sub(&self) -> i64 {
        i64::from(self.sub)
    }

    #[inline]
    pub fn order_group_id(&self) -> Option<u64> {
        self.group.map(NonZeroU64::get)
    }

    #[inline]
    pub fn expiration_ts_ns(&self) -> Option<i64> {
        self.expiration.get()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MarketStatus {
    Initialized,
    Active,
    Inactive,
    Closed,
    Determined,
    Disputed,
    Amended,
    Finalized,
}

impl MarketStatus {
    pub const ALL: [MarketStatus; 8] = [
        MarketStatus::Initialized,
        MarketStatus::Active,
        MarketStatus::Inactive,
        MarketStatus::Closed,
        MarketStatus::Determined,
        MarketStatus::Disputed,
        MarketStatus::Amended,
        MarketStatus::Finalized,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MarketStatus::Initialized => "initialized",
            MarketStatus::Active => "active",
            MarketStatus::Inactive => "inactive",
            MarketStatus::Closed => "closed",
            MarketStatus::Determined => "determined",
            MarketStatus::Disputed => "disputed",
            MarketStatus::Amended => "amended",
            MarketStatus::Finalized => "finalized",
        }
    }

    pub fn parse(s: &str) -> Option<MarketStatus> {
        MarketStatus::ALL.iter().copied().find(|m| m.as_str() == s)
    }

    /// Trading may still happen or be resumed (`PRE_CLOSE` in Python).
    pub fn before_close(self) -> bool {
        matches!(self, MarketStatus::Initialized | MarketStatus::Active | MarketStatus::Inactive)
    }
}

pub struct Market {
    pub index: u32,
    pub ticker: Arc<str>,
    /// `ticker` encoded once for the events that name it (`msgpack::Name`).
    pub ticker_enc: crate::msgpack::Name,
    pub event: u32,
    pub grid: u8,
    pub fees: FeeSchedule,
    pub fractional: bool,
    pub lot_c: i64,
    pub open_ts_ns: i64,
    pub close_ts_ns: i64,
    pub settlement_timer_s: i64,
    pub market_type: &'static str,
    pub meta: Vec<u8>,
    pub status: MarketStatus,
    pub result: &'static str,
    pub settlement_value_cc: Option<i64>,
    pub determined_ns: Option<i64>,
    pub settled_ns: Option<i64>,
    pub book: Book,
    pub book_seq: i64,
    pub volume_c: i128,
    pub open_interest_c: i128,
    pub last_price_cc: i64,
    pub last_trade_ns: i64,
    pub created_ns: i64,
    pub updated_ns: i64,
    /// `escrow_cc[ticker]` of the ledger: None while the market has no entry.
    pub escrow_cc: Option<i128>,
    /// Accounts holding a position in this market (`ledger.holders[ticker]`).
    pub holders: Vec<u32>,
    /// The market's key in `Engine::market_due` (derived, not snapshotted): the time of
    /// its next lifecycle step as last scheduled, None while it has none.
    pub due_ns: Option<i64>,
}

impl Market {
    /// When `advance_market` next has something to do for the market (None: never, until
    /// a command changes it); `augury.engine.due.market_due_ns`. A finalize time beyond
    /// the clock's range (`i64`) is never reached, so it is None too.
    pub fn next_step_ns(&self) -> Option<i64> {
        match self.status {
            MarketStatus::Initialized => Some(self.open_ts_ns.min(self.close_ts_ns)),
            MarketStatus::Active | MarketStatus::Inactive => Some(self.close_ts_ns),
            MarketStatus::Determined | MarketStatus::Amended => self.determined_ns.and_then(|d| {
                i64::try_from(i128::from(d) + i128::from(self.settlement_timer_s) * 1_000_000_000).ok()
            }),
            _ => None,
        }
    }
}

pub struct User {
    pub user_id: Arc<str>,
    /// `user_id` encoded once for the events that name it (`msgpack::Name`).
    pub user_id_enc: crate::msgpack::Name,
    pub name: String,
    pub tier: String,
    pub subaccounts: i64,
    pub resting: i64,
    pub created_ns: i64,
    /// Client ids of finished orders still reserved, oldest first (decision 0016).
    pub retired: VecDeque<Box<str>>,
}

#[derive(Clone)]
pub struct ApiKey {
    pub api_key_id: String,
    pub user_id: String,
    pub name: String,
    pub public_key_pem: String,
    pub key_type: String,
    pub scopes: Vec<String>,
    pub subaccount: Option<i64>,
    pub created_ns: i64,
}

pub struct Series {
    pub ticker: String,
    pub fee_type: crate::fees::FeeType,
    pub fee_multiplier_e4: i64,
    pub meta: Vec<u8>,
    pub created_ns: i64,
}

pub struct EventInfo {
    pub event_ticker: String,
    pub series: u32,
    pub mutually_exclusive: bool,
    pub meta: Vec<u8>,
    pub markets: Vec<u32>,
    pub created_ns: i64,
}

/// An order group: a contracts limit over a rolling 15-second window.
pub struct OrderGroup {
    pub id: u64,
    pub acct: u32,
    pub user: u32,
    pub sub: i64,
    pub limit_c: Option<i64>,
    pub triggered: bool,
    /// Live member orders by id counter (insertion order is id order).
    pub orders: std::collections::BTreeSet<u64>,
    pub window: VecDeque<(i64, i64)>,
    pub window_c: i128,
    pub created_ns: i64,
}

pub const WINDOW_NS: i64 = 15 * 1_000_000_000;

impl OrderGroup {
    /// Add a matched size to the window; return whether the limit is now reached.
    pub fn record_fill(&mut self, count_c: i64, ts_ns: i64) -> bool {
        self.window.push_back((ts_ns, count_c));
        self.window_c += i128::from(count_c);
        let horizon = i128::from(ts_ns) - i128::from(WINDOW_NS);
        while let Some(&(ts, c)) = self.window.front() {
            if i128::from(ts) > horizon {
                break;
            }
            self.window_c -= i128::from(c);
            self.window.pop_front();
        }
        matches!(self.limit_c, Some(limit) if self.window_c >= i128::from(limit))
    }

    pub fn reset(&mut self) {
        self.triggered = false;
        self.window.clear();
        self.window_c = 0;
    }
}

/// Order slots held in place up to this many (most groups hold one or two orders; five
/// keep a group of 1,000,000 resting orders over 1,000 users and 100 markets in place).
/// With the heap form behind one pointer the list is 24 bytes, so a `GroupSide` is 112.
pub const SLOTS_INLINE: usize = 5;

/// The order slots of a collateral group: up to `SLOTS_INLINE` in place, more on the heap.
/// Most groups hold one or two orders, so most never allocate, and reading one touches no
/// second cache line elsewhere (a `Vec` here cost a `malloc` on a group's first order and a
/// miss on every access). Elements keep the order a `Vec` would give them under the same
/// `push`/`swap_remove` calls; a group that moved to the heap stays there (as a `Vec`
/// keeps its capacity). The heap form is boxed so the enum stays 24 bytes (with a bare
/// `Vec` it is 32): the rare long group pays one more pointer, every group a smaller record.
#[derive(Clone, Debug)]
pub enum Slots {
    Inline { len: u8, items: [u32; SLOTS_INLINE] },
    Heap(Box<Vec<u32>>),
}

impl Default for Slots {
    fn default() -> Self {
        Slots::Inline { len: 0, items: [0; SLOTS_INLINE] }
    }
}

impl Slots {
    pub fn from_slice(slots: &[u32]) -> Slots {
        let mut out = Slots::default();
        for &s in slots {
            out.push(s);
        }
        out
    }

    #[inline]
    pub fn as_slice(&self) -> &[u32] {
        match self {
            Slots::Inline { len, items } => &items[..usize::from(*len)],
            Slots::Heap(v) => v,
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    pub fn iter(&self) -> std::slice::Iter<'_, u32> {
        self.as_slice().iter()
    }

    #[inline]
    pub fn push(&mut self, slot: u32) {
        match self {
            Slots::Inline { len, items } => {
                let n = usize::from(*len);
                if n < SLOTS_INLINE {
                    items[n] = slot;
                    *len += 1;
                } else {
                    self.spill(slot);
                }
            }
            Slots::Heap(v) => v.push(slot),
        }
    }

    /// The move to the heap, out of line so that `push` stays small enough to inline.
    #[cold]
    #[inline(never)]
    fn spill(&mut self, slot: u32) {
        let mut v = Vec::with_capacity(2 * SLOTS_INLINE);
        v.extend_from_slice(self.as_slice());
        v.push(slot);
        *self = Slots::Heap(Box::new(v));
    }

    /// Remove the element at `pos`, moving the last one into its place (`Vec::swap_remove`).
    #[inline]
    pub fn swap_remove(&mut self, pos: usize) -> u32 {
        match self {
            Slots::Inline { len, items } => {
                let n = usize::from(*len);
                assert!(pos < n, "swap_remove index {pos} out of {n}");
                let out = items[pos];
                items[pos] = items[n - 1];
                *len -= 1;
                out
            }
            Slots::Heap(v) => v.swap_remove(pos),
        }
    }
}

impl std::ops::Index<usize> for Slots {
    type Output = u32;
    #[inline]
    fn index(&self, i: usize) -> &u32 {
        &self.as_slice()[i]
    }
}

impl<'a> IntoIterator for &'a Slots {
    type Item = &'a u32;
    type IntoIter = std::slice::Iter<'a, u32>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The live orders of one account on one side of one market, and their reserve
/// (mirrors `OrderGroupSide`; see `augury.ledger.collateral` for the rule and its proof).
#[derive(Default, Clone, Debug)]
pub struct GroupSide {
    pub slots: Slots,
    pub reserve_cc: i128,
    /// The orders' remaining centi-contracts. 64 bits hold it with room to spare: an
    /// order's remaining count is at most `COUNT_MAX_C` (10^10: the domain bounds every
    /// placed and amended count, fills and decreases only lower it, and a snapshot's order
    /// above it is refused), and the sum would need more than 9.2 * 10^8 live orders in one
    /// group to pass `i64::MAX` (one user may rest `MAX_RESTING_ORDERS` = 200,000; the
    /// slots of 9.2 * 10^8 orders alone would take 130 GB). `REMAINING_SUM_FITS` checks the
    /// arithmetic, `tests::a_group_at_the_domain_extreme_sums_exactly` the sum. The 64-bit
    /// field keeps a group at 112 bytes (`holdings::Holding`: four cache lines).
    pub remaining_c: i64,
    pub open_cost_all_fine: i128,
    pub fee_fine: i128,
    pub allowance_fine: i128,
    pub shortfall_fine: i128,
}

/// `GroupSide::remaining_c`'s bound: the whole user's limit of orders at the largest count
/// sums within 64 bits (with a factor of 4,000 to spare).
pub const REMAINING_SUM_FITS: () = assert!(
    (crate::exchange::MAX_RESTING_ORDERS as i128 + 1) * crate::domain::COUNT_MAX_C as i128 * 4_000
        <= i64::MAX as i128
);

impl GroupSide {
    /// An order's counted terms: (remaining, open cost, fee, allowance, shortfall).
    /// Within the domain (a count below 2^36 centi-contracts, a lot fee below 2^16 cc, a
    /// limit within $1) every product is below 2^59 and is taken in 64 bits, as exactly as
    /// in 128 (`tests::terms_in_64_bits_are_the_wide_terms`); anything else, wide.
    #[inline(always)]
    fn terms(o: &Order) -> (i128, i128, i128, i128, i128) {
        let (rem, limit) = (o.remaining_c, o.outcome_limit_cc());
        if rem >> 36 == 0 && o.fee_lot_cc >> 16 == 0 && (0..=ONE_DOLLAR_CC).contains(&limit) {
            let lot = i64::from(o.lot);
            // `rem` is not negative here, so `/` is `div_euclid`.
            let lots = rem / lot;
            let fee_lot_fine = i64::from(o.fee_lot_cc) * 100;
            let least = (ONE_DOLLAR_CC - limit) * lot;
            let shortfall = if fee_lot_fine > least { lots * (fee_lot_fine - least) } else { 0 };
            return (
                i128::from(rem),
                i128::from(rem * limit),
                i128::from(lots * fee_lot_fine),
                CENT_FINE - i128::from(o.fee_acc_fine),
                i128::from(shortfall),
            );
        }
        Self::terms_wide(o)
    }

    #[cold]
    fn terms_wide(o: &Order) -> (i128, i128, i128, i128, i128) {
        let rem = i128::from(o.remaining_c);
        let limit = i128::from(o.outcome_limit_cc());
        let lot = i128::from(o.lot);
        let lots = i128::from(o.remaining_c.div_euclid(o.lot_c()));
        let fee_lot_fine = i128::from(o.fee_lot_cc) * 100;
        let least = (i128::from(ONE_DOLLAR_CC) - limit) * lot;
        let shortfall = if fee_lot_fine > least { lots * (fee_lot_fine - least) } else { 0 };
        (rem, rem * limit, lots * fee_lot_fine, CENT_FINE - i128::from(o.fee_acc_fine), shortfall)
    }

    /// Start counting a live order.
    pub fn add(&mut self, orders: &mut [Option<Order>], slot: u32) {
        let o = orders[slot as usize].as_mut().expect("counting a free slot");
        let (rem, cost, fee, allowance, shortfall) = Self::terms(o);
        o.gs_pos = self.slots.len() as u32;
        self.slots.push(slot);
        self.remaining_c += rem as i64;
        self.open_cost_all_fine += cost;
        self.fee_fine += fee;
        self.allowance_fine += allowance;
        self.shortfall_fine += shortfall;
    }

    /// Stop counting a live order, with the values it was counted with.
    pub fn remove(&mut self, orders: &mut [Option<Order>], slot: u32) {
        let o = orders[slot as usize].as_ref().expect("uncounting a free slot");
        let (rem, cost, fee, allowance, shortfall) = Self::terms(o);
        let pos = o.gs_pos as usize;
        debug_assert_eq!(self.slots[pos], slot);
        self.slots.swap_remove(pos);
        if pos < self.slots.len() {
            let moved = self.slots[pos];
            orders[moved as usize].as_mut().expect("moved a free slot").gs_pos = pos as u32;
        }
        self.remaining_c -= rem as i64;
        self.open_cost_all_fine -= cost;
        self.fee_fine -= fee;
        self.allowance_fine -= allowance;
        self.shortfall_fine -= shortfall;
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// A group counted afresh from its orders (the auditor's independent recount).
    pub fn recount(orders: &[Option<Order>], slots: &[u32]) -> GroupSide {
        let mut g = GroupSide { slots: Slots::from_slice(slots), ..GroupSide::default() };
        for &s in slots {
            let o = orders[s as usize].as_ref().expect("group holds a free slot");
            let (rem, cost, fee, allowance, shortfall) = Self::terms(o);
            g.remaining_c += rem as i64;
            g.open_cost_all_fine += cost;
            g.fee_fine += fee;
            g.allowance_fine += allowance;
            g.shortfall_fine += shortfall;
        }
        g
    }

    /// The worst-case cash the group's live orders may still need, in micro-dollars.
    pub fn target_fine(&self, orders: &[Option<Order>], closable_c: i128) -> i128 {
        if self.slots.is_empty() {
            return 0;
        }
        let fixed = self.fee_fine + self.allowance_fine;
        if closable_c <= 0 {
            return self.open_cost_all_fine + fixed;
        }
        let open_c = i128::from(self.remaining_c) - closable_c;
        if open_c <= 0 {
            if self.shortfall_fine == 0 {
                return 0;
            }
            return self.shortfall_fine + self.allowance_fine;
        }
        // The most expensive open_c units: the orders from the highest limit down. A group
        // of up to `SLOTS_INLINE` orders (nearly all) sorts them on the stack: the `Vec` was
        // a `malloc` and a `free` per such call.
        let live = |&s: &u32| {
            let o = orders[s as usize].as_ref().expect("group holds a free slot");
            (o.outcome_limit_cc(), o.remaining_c)
        };
        let slots = self.slots.as_slice();
        let cost = if slots.len() <= SLOTS_INLINE {
            let mut buf = [(0i64, 0i64); SLOTS_INLINE];
            for (b, s) in buf.iter_mut().zip(slots) {
                *b = live(s);
            }
            dearest_cost(&mut buf[..slots.len()], open_c)
        } else {
            dearest_cost(&mut slots.iter().map(live).collect::<Vec<_>>(), open_c)
        };
        cost + fixed
    }
}

/// What the dearest `open_c` units of (outcome limit, remaining) orders cost (sorts them by
/// limit, dearest first; orders of equal limit cost the same whichever is taken first).
fn dearest_cost(live: &mut [(i64, i64)], mut open_c: i128) -> i128 {
    live.sort_unstable_by(|a, b| b.0.cmp(&a.0));
    let mut cost = 0i128;
    for &(limit, rem) in live.iter() {
        let rem = i128::from(rem);
        let take = if rem < open_c { rem } else { open_c };
        cost += take * i128::from(limit);
        open_c -= take;
        if open_c == 0 {
            break;
        }
    }
    cost
}

/// A market's lot as an order stores it: the catalog makes every lot 1 or 100.
pub fn lot_byte(lot_c: i64) -> u8 {
    debug_assert!(lot_c == 1 || lot_c == 100);
    lot_c as u8
}

/// Round a requirement in micro-dollars up to a whole cent, in centi-cents.
/// A requirement is never negative; within 64 bits it divides unsigned (a multiply and a
/// shift, where the signed ceiling negates and corrects in 128 bits).
#[inline]
pub fn reserve_cc(target_fine: i128) -> i128 {
    match u64::try_from(target_fine) {
        Ok(v) => i128::from(v.div_ceil(CENT_FINE as u64)) * i128::from(CC_PER_CENT),
        Err(_) => ceil_div(target_fine, CENT_FINE) * i128::from(CC_PER_CENT),
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_behave_as_a_vec() {
        // The same pushes and swap_removes on `Slots` and on a `Vec` (the second
        // implementation): the contents agree after every step, across the move to the heap
        // and back down to empty, for a seeded pseudo-random sequence.
        let mut slots = Slots::default();
        let mut want: Vec<u32> = Vec::new();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for step in 0..5_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let grow = want.len() < 2 || (want.len() < 40 && !x.is_multiple_of(3));
            if grow {
                slots.push(step);
                want.push(step);
            } else {
                let pos = (x >> 8) as usize % want.len();
                assert_eq!(slots.swap_remove(pos), want.swap_remove(pos));
            }
            assert_eq!(slots.as_slice(), &want[..], "step {step}");
            assert_eq!(slots.len(), want.len());
            if !want.is_empty() {
                assert_eq!(slots[want.len() - 1], want[want.len() - 1]);
            }
        }
        while !want.is_empty() {
            assert_eq!(slots.swap_remove(0), want.swap_remove(0));
        }
        assert!(slots.is_empty());
        assert_eq!(Slots::from_slice(&[7, 8, 9, 10, 11, 12]).as_slice(), &[7, 8, 9, 10, 11, 12]);
    }

    /// A resting bid at the largest count and the dearest limit (the domain's extreme).
    fn largest_order() -> Order {
        Order {
            id: 1,
            user: 0,
            sub: 0,
            market: 0,
            is_bid: true,
            price_cc: crate::domain::PRICE_MAX_CC - 1,
            price_idx: 0,
            initial_c: crate::domain::COUNT_MAX_C,
            remaining_c: crate::domain::COUNT_MAX_C,
            fill_c: 0,
            lot: 1,
            fee_lot_cc: 17_500,
            fee_acc_fine: 0,
            status: OrderStatus::Resting,
            time_in_force: crate::commands::Tif::Gtc,
            labels: Labels::new(false, false, false),
            client_order_id: ClientId::default(),
            group: None,
            self_trade_prevention: crate::commands::Stp::TakerAtCross,
            post_only: false,
            reduce_only: false,
            cancel_on_pause: false,
            expiration: OptNs::NONE,
            created_ns: 0,
            updated_ns: 0,
            filled: None,
            queue_seq: 0,
            live: true,
            gs_pos: 0,
            hold: 0,
        }
    }

    #[test]
    fn a_group_at_the_domain_extreme_sums_exactly() {
        // One user's whole limit of resting orders (200,000, and the one being placed), each
        // at the largest count and the dearest limit, in one group: the 64-bit remaining
        // count equals the 128-bit sum written out, and uncounting returns it to zero.
        let _ = REMAINING_SUM_FITS;
        let n = crate::exchange::MAX_RESTING_ORDERS as usize + 1;
        let o = largest_order();
        let mut orders: Vec<Option<Order>> = (0..n).map(|_| Some(o.clone())).collect();
        let mut g = GroupSide::default();
        for s in 0..n as u32 {
            g.add(&mut orders, s);
        }
        let want = n as i128 * i128::from(crate::domain::COUNT_MAX_C);
        assert_eq!(i128::from(g.remaining_c), want);
        assert_eq!(g.open_cost_all_fine, want * i128::from(o.outcome_limit_cc()));
        let again = GroupSide::recount(&orders, g.slots.as_slice());
        assert_eq!(again.remaining_c, g.remaining_c);
        for s in (0..n as u32).rev() {
            g.remove(&mut orders, s);
        }
        assert_eq!((g.remaining_c, g.open_cost_all_fine, g.slots.len()), (0, 0, 0));
    }

    /// The 64-bit terms equal the 128-bit ones at and around every bound of the fast path
    /// (counts up to and past 2^36, lot fees up to and past 2^16, both lots, both sides,
    /// every limit from 0 to $1 and the accumulator's range), and past the bounds the wide
    /// path is taken.
    #[test]
    fn terms_in_64_bits_are_the_wide_terms() {
        let base = largest_order();
        let counts = [0i64, 1, 99, 100, 101, 12_345, crate::domain::COUNT_MAX_C, (1 << 36) - 1, 1 << 36, i64::MAX / 3];
        let fees = [0u32, 1, 17_500, (1 << 16) - 1, 1 << 16, u32::MAX];
        for &rem in &counts {
            for &fee in &fees {
                for lot in [1u8, 100] {
                    for is_bid in [true, false] {
                        for price in [0i64, 1, 50, 4_999, 5_000, 9_999, 10_000] {
                            for acc in [0u32, 1, 9_999] {
                                let o = Order {
                                    remaining_c: rem,
                                    fee_lot_cc: fee,
                                    lot,
                                    is_bid,
                                    price_cc: price,
                                    fee_acc_fine: acc,
                                    ..base.clone()
                                };
                                assert_eq!(GroupSide::terms(&o), GroupSide::terms_wide(&o), "{rem} {fee} {lot} {is_bid} {price} {acc}");
                            }
                        }
                    }
                }
            }
        }
    }

    /// The slab holds one `Option<Order>` per live order: its size is most of the memory a
    /// resting order costs (docs/PERFORMANCE.md), so growing it should be a decision.
    #[test]
    fn an_order_slot_stays_small() {
        assert!(std::mem::size_of::<Option<Order>>() <= 144, "{}", std::mem::size_of::<Option<Order>>());
        // Five 128-bit sums, a 64-bit count and 24 bytes of slots: two sides and a holding's
        // header make four cache lines (`holdings::tests::a_holding_is_four_aligned_lines`).
        assert_eq!(std::mem::size_of::<Slots>(), 24);
        assert_eq!(std::mem::size_of::<GroupSide>(), 112);
    }

    #[test]
    fn reserve_rounds_up_to_the_cent() {
        // Against the signed ceiling written out (the second implementation): around zero,
        // each side of whole cents, and the 64-bit and 128-bit edges.
        let mut values: Vec<i128> = (-30_000..=30_000).collect();
        for edge in [i128::from(u64::MAX), i128::from(i64::MAX), i128::from(i64::MIN), i128::MAX / 2] {
            for d in -20_001..=20_001 {
                values.push(edge + d);
            }
        }
        for v in values {
            assert_eq!(reserve_cc(v), ceil_div(v, CENT_FINE) * i128::from(CC_PER_CENT), "{v}");
        }
        assert_eq!((reserve_cc(1), reserve_cc(10_000), reserve_cc(10_001)), (100, 100, 200));
    }

    #[test]
    fn labels_round_trip_every_combination() {
        for t in ["limit", "market"] {
            for s in ["yes", "no"] {
                for a in ["buy", "sell"] {
                    let l = Labels::parse(t, s, a).expect("known labels");
                    assert_eq!((l.order_type(), l.legacy_side(), l.legacy_action()), (t, s, a));
                }
            }
        }
        assert_eq!(Labels::new(true, true, true), Labels::parse("market", "no", "sell").expect("known"));
        assert_eq!(Labels::new(false, false, false), Labels::parse("limit", "yes", "buy").expect("known"));
        assert!(Labels::parse("stop", "yes", "buy").is_none());
        assert!(Labels::parse("limit", "maybe", "buy").is_none());
        assert!(Labels::parse("limit", "yes", "hold").is_none());
    }
}
