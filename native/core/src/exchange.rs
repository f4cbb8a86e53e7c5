//! The exchange state machine: one pure, deterministic function of its command log
//! (mirrors `augury.engine.exchange`; the Python engine is the specification and the
//! differential test holds this crate to it event for event and digest for digest).
//!
//! `Engine::apply` checks a command against the state, then either rejects it with a
//! `RejectReason` and changes nothing (not even the clock), or applies it completely and
//! returns its events. Time is the command's `ts_ns`; ids come from the engine's counter.
//! The handlers live in one module per command family: `accounts`, `catalog` (catalog and
//! lifecycle), `trading` (order entry, matching, fills), `maintenance` (cancel, decrease,
//! amend) and `groups` (order groups); this module holds the state and what they share.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use crate::commands::{Command, Text};
use crate::events::{Event, Events, OrderSnap};
use crate::grid::Grids;
use crate::hash::{IntBuild, KeyedBuild, Name};
use crate::ledger::Ledger;
use crate::holdings::Collateral;
use crate::model::{ApiKey, EventInfo, Fills, Market, Order, OrderGroup, Series, User};
use crate::order_index::OrderIndex;
use crate::msgpack::{Out, Writer};
use crate::rejects::{reject, Reject, RejectReason, Res};
use crate::units::{fine_to_cc, py_repr};

pub const MAX_RESTING_ORDERS: i64 = 200_000;
pub const MAX_SUBACCOUNTS: i64 = 63;
/// Zeroed fill-figure boxes kept for reuse (`fills_of`): 64 bytes each.
const FILLS_KEPT: usize = 1024;

/// What a command returned besides its events (the Python handler's return value).
#[derive(Clone, Debug)]
pub enum Value {
    None,
    Str(String),
    Int(i128),
    Bool(bool),
    StrList(Vec<String>),
    Order(Box<OrderSnap>),
    /// An `OrderUpdate` that is the command's own event at this index in its events (a
    /// placement's or a cancel's result usually is: the Python engine returns that very
    /// event object), so the value is neither copied nor compared.
    Event(usize),
    Amend(Box<OrderSnap>, Box<OrderSnap>),
    Batch(Vec<Outcome>),
}

/// What `Engine::step` returns: the refusal or the value (the events stay in the engine).
#[derive(Debug)]
pub struct Step {
    pub reject: Option<Reject>,
    pub value: Value,
}

/// The result of one command: its events, or the reason it was refused.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub events: Vec<Event>,
    pub reject: Option<Reject>,
    pub value: Value,
}

pub use crate::holdings::CollateralKey;

pub struct Engine {
    pub instance_id: String,
    pub id_prefix: String,
    pub grids: Grids,
    pub users: Vec<User>,
    pub user_ix: HashMap<Name, u32, KeyedBuild>,
    /// Client order ids per user: (user, client id) -> order id counter.
    pub client_ids: HashMap<(u32, Box<str>), u64, KeyedBuild>,
    pub api_keys: Vec<ApiKey>,
    pub series: Vec<Series>,
    pub series_ix: HashMap<String, u32, KeyedBuild>,
    pub events: Vec<EventInfo>,
    pub event_ix: HashMap<String, u32, KeyedBuild>,
    pub markets: Vec<Market>,
    pub market_ix: HashMap<Name, u32, KeyedBuild>,
    /// The order slab; a slot is freed after the command that retired its order.
    pub orders: Vec<Option<Order>>,
    free_slots: Vec<u32>,
    retired: Vec<u32>,
    /// Fill figures of retired orders, zeroed, for the next order's first fill
    /// (`fills_of`): at most `FILLS_KEPT`.
    pub(crate) spare_fills: Vec<Box<Fills>>,
    /// Resting orders: id counter -> slot (Python's `Exchange.orders`).
    pub resting: OrderIndex,
    pub groups: BTreeMap<u64, OrderGroup>,
    /// Both collateral groups and the position's number per (account, market) (`holdings`).
    pub collateral: Collateral,
    /// The due index a `Tick` reads (derived, rebuilt on snapshot load): resting orders
    /// with an expiration, by (expiration, id) ...
    pub expiring: HashMap<u64, i64, IntBuild>,
    pub expiring_by_ts: BTreeSet<(i64, u64)>,
    /// ... and markets with a lifecycle step ahead, by (its time, market index): exactly
    /// `(m.due_ns?, m.index)` for every market, kept by `schedule_market`.
    pub market_due: BTreeSet<(i64, u32)>,
    /// Orders cancelled by their market's close, until it settles: id -> (market, account).
    pub closed_orders: HashMap<u64, (u32, u32), IntBuild>,
    pub transfer_ids: HashSet<Box<str>, KeyedBuild>,
    pub trading_paused: bool,
    pub id_counter: u64,
    pub queue_counter: u64,
    pub now_ns: i64,
    pub ledger: Ledger,
    pub out: Events,
    /// The id text up to the counter, per kind (1 order ... 4 group).
    id_heads: [[u8; 24]; 5],
}

pub const ID_LEN: usize = 36;

/// The most bytes an id takes written as a string: the str8 header, the 24-byte head and
/// at most sixteen hex digits (past 2^48, the general form).
pub const ID_MAX: usize = 2 + 24 + 16;

impl Engine {
    /// A fresh exchange. `id_prefix` is the first 8 hex digits of SHA-256(instance_id)
    /// (the caller computes it: the crate draws on no hashing library); `hash_keys` seed
    /// the maps keyed by client-chosen strings.
    pub fn new(instance_id: &str, id_prefix: &str, hash_keys: (u64, u64)) -> Engine {
        let keyed = KeyedBuild::new(hash_keys.0, hash_keys.1);
        let head = |kind: u16| -> [u8; 24] {
            // The prefix is 8 hex digits (SHA-256 of the instance id), so the head is 24 bytes.
            let text = format!("{id_prefix}-{kind:04x}-4000-8000-");
            text.as_bytes().try_into().expect("an id prefix of eight characters")
        };
        Engine {
            instance_id: instance_id.to_string(),
            id_prefix: id_prefix.to_string(),
            grids: Grids::new(),
            users: Vec::new(),
            user_ix: HashMap::with_hasher(keyed),
            client_ids: HashMap::with_hasher(keyed),
            api_keys: Vec::new(),
            series: Vec::new(),
            series_ix: HashMap::with_hasher(keyed),
            events: Vec::new(),
            event_ix: HashMap::with_hasher(keyed),
            markets: Vec::new(),
            market_ix: HashMap::with_hasher(keyed),
            orders: Vec::new(),
            free_slots: Vec::new(),
            retired: Vec::new(),
            spare_fills: Vec::new(),
            resting: OrderIndex::default(),
            groups: BTreeMap::new(),
            collateral: Collateral::default(),
            expiring: HashMap::with_hasher(IntBuild),
            expiring_by_ts: BTreeSet::new(),
            market_due: BTreeSet::new(),
            closed_orders: HashMap::with_hasher(IntBuild),
            transfer_ids: HashSet::with_hasher(keyed),
            trading_paused: false,
            id_counter: 0,
            queue_counter: 0,
            now_ns: 0,
            ledger: Ledger::default(),
            out: Events::with_capacity(64),
            id_heads: [head(0), head(1), head(2), head(3), head(4)],
        }
    }

    // --- entry point ---------------------------------------------------------------------

    /// Apply one command; a `Batch` yields one `Outcome` per item as its value.
    ///
    /// The owned form of `step`: the events are moved out of the engine (tests, tools).
    pub fn apply(&mut self, command: &Command<'_>) -> Outcome {
        let Step { reject, value } = self.step(command);
        let events = if reject.is_none() { self.out.take() } else { Vec::new() };
        Outcome { events, reject, value }
    }

    /// Apply one command and leave its events in the engine (`events()`), valid until the
    /// next `step`: the hot path (the binding encodes them from there). The event vector and
    /// the boxes of order snapshots are reused from one command to the next, so a command
    /// allocates nothing for its events once the engine is warm; hand the value back with
    /// `recycle` when done with it.
    pub fn step(&mut self, command: &Command<'_>) -> Step {
        self.recycle_events();
        if let Command::Batch { items, .. } = command {
            let outcomes: Vec<Outcome> = items.iter().map(|item| self.apply(item)).collect();
            return Step { reject: None, value: Value::Batch(outcomes) };
        }
        if let Some(out_of_domain) = crate::domain::domain_reject(command) {
            return Step { reject: Some(out_of_domain), value: Value::None };
        }
        let previous_now = self.now_ns;
        let ts = command.ts_ns();
        if ts > previous_now {
            self.now_ns = ts;
        }
        // Every step leaves the marks cleared (`flush`, or the refusal below); this catches
        // any made between steps.
        if !(self.ledger.dirty_accounts.is_empty() && self.ledger.dirty_positions.is_empty()) {
            self.ledger.clear_dirty();
        }
        let result = self.dispatch(command);
        let step = match result {
            Ok(value) => {
                self.flush();
                Step { reject: None, value }
            }
            Err(rejected) => {
                assert!(self.ledger.dirty_accounts.is_empty(), "a rejected command changed a balance");
                self.now_ns = previous_now;
                self.ledger.clear_dirty();
                self.recycle_events();
                Step { reject: Some(rejected), value: Value::None }
            }
        };
        for slot in self.retired.drain(..) {
            // A filled order's fill figures go back zeroed for the next first fill: boxing
            // them afresh was a `calloc` per first fill and a `free` per retired order.
            if let Some(mut f) = self.orders[slot as usize].as_mut().and_then(|o| o.filled.take()) {
                if self.spare_fills.len() < FILLS_KEPT {
                    *f = Fills::default();
                    self.spare_fills.push(f);
                }
            }
            // The order's client id (its one owned field left) released first, then the
            // slot emptied: written as `= None` alone, the order was copied out whole to
            // be dropped (a 144-byte `memcpy` per retired order, measured). Without a
            // client id the take and both drops are no-ops (`ClientId`: no reference count).
            let freed = &mut self.orders[slot as usize];
            if let Some(o) = freed {
                drop(std::mem::take(&mut o.client_order_id));
            }
            *freed = None;
            self.free_slots.push(slot);
        }
        step
    }


    /// The events of the last `step` (empty after a refusal).
    pub fn events(&self) -> &[Event] {
        &self.out
    }

    /// Take back a step's value, keeping its order snapshots' boxes for reuse.
    #[inline]
    pub fn recycle(&mut self, value: Value) {
        match value {
            // The common values own nothing: returned without calling the drop glue.
            Value::Event(_) | Value::None | Value::Bool(_) | Value::Int(_) => std::mem::forget(value),
            Value::Order(snap) => self.keep_snap_box(snap),
            Value::Amend(old, new) => {
                self.keep_snap_box(old);
                self.keep_snap_box(new);
            }
            other => drop(other),
        }
    }

    fn keep_snap_box(&mut self, snap: Box<OrderSnap>) {
        self.out.keep(snap);
    }

    /// Start the next command's events: the slots are kept with what they hold
    /// (`events::Events`), so nothing is walked here.
    fn recycle_events(&mut self) {
        self.out.clear();
    }

    /// A box for a snapshot: a stale order event's in the next event slot, else a kept one.
    #[inline(always)]
    fn reused_box(&mut self) -> Option<Box<OrderSnap>> {
        self.out.spare_box()
    }

    /// A boxed snapshot of an order, in a reused box when there is one.
    /// A reused box is written field by field where it lies (`snapshot_into`), not built on
    /// the stack and copied in.
    pub(crate) fn snap_box(&mut self, slot: u32, reason: &'static str) -> Box<OrderSnap> {
        match self.reused_box() {
            Some(mut b) => {
                self.snapshot_into(&mut b, slot, reason);
                b
            }
            None => Box::new(self.snapshot(slot, reason)),
        }
    }

    pub(crate) fn boxed(&mut self, snap: OrderSnap) -> Box<OrderSnap> {
        match self.reused_box() {
            Some(mut b) => {
                *b = snap;
                b
            }
            None => Box::new(snap),
        }
    }

    fn dispatch(&mut self, command: &Command<'_>) -> Res<Value> {
        use Command as C;
        match command {
            C::CreateUser { ts_ns, user_id, name } => self.create_user(*ts_ns, user_id, name),
            C::RegisterApiKey(c) => self.register_key(c),
            C::RevokeApiKey { ts_ns, api_key_id, user_id } => {
                self.revoke_key(*ts_ns, api_key_id, user_id)
            }
            C::SetUserTier { ts_ns, user_id, tier } => self.set_tier(*ts_ns, user_id, tier),
            C::Deposit { ts_ns, user_id, amount_cc, subaccount, transfer_id } => {
                self.cash(*ts_ns, user_id, *amount_cc, *subaccount, *transfer_id, true)
            }
            C::Withdraw { ts_ns, user_id, amount_cc, subaccount, transfer_id } => {
                self.cash(*ts_ns, user_id, *amount_cc, *subaccount, *transfer_id, false)
            }
            C::CreateSubaccount { ts_ns, user_id } => self.create_subaccount(*ts_ns, user_id),
            C::TransferCash { ts_ns, user_id, from_subaccount, to_subaccount, amount_cc, transfer_id } => {
                self.transfer(*ts_ns, user_id, *from_subaccount, *to_subaccount, *amount_cc, transfer_id)
            }
            C::AddSeries { ts_ns, ticker, fee_type, fee_multiplier_e4, meta } => {
                self.add_series(*ts_ns, ticker, fee_type, *fee_multiplier_e4, meta)
            }
            C::AddEvent { ts_ns, event_ticker, series_ticker, mutually_exclusive, meta } => {
                self.add_event(*ts_ns, event_ticker, series_ticker, *mutually_exclusive, meta)
            }
            C::AddMarket(c) => self.add_market(c),
            C::SetMarketState { ticker, action, .. } => self.set_market_state(ticker, action),
            C::DetermineMarket { ts_ns, ticker, result, value_cc, settle_now } => {
                self.determine(*ts_ns, ticker, result, *value_cc, *settle_now)
            }
            C::FinalizeMarket { ticker, .. } => self.finalize_cmd(ticker),
            C::SetExchangeState { ts_ns, paused } => self.set_exchange_state(*ts_ns, *paused),
            C::Tick { ts_ns } => self.tick(*ts_ns),
            C::PlaceOrder(c) => self.place(c),
            C::CancelOrder { user_id, order_id, subaccount, .. } => {
                self.cancel_cmd(user_id, order_id, *subaccount)
            }
            C::AmendOrder(c) => self.amend(c),
            C::DecreaseOrder { user_id, order_id, reduce_by_c, reduce_to_c, subaccount, .. } => {
                self.decrease(user_id, order_id, *reduce_by_c, *reduce_to_c, *subaccount)
            }
            C::CancelAll { user_id, subaccount, ticker, .. } => {
                self.cancel_all(user_id, *subaccount, *ticker)
            }
            C::CreateOrderGroup { ts_ns, user_id, subaccount, contracts_limit_c } => {
                self.create_group(*ts_ns, user_id, *subaccount, *contracts_limit_c)
            }
            C::OrderGroupAction { user_id, group_id, action, .. } => {
                self.group_action(user_id, group_id, action)
            }
            C::UpdateOrderGroupLimit { user_id, group_id, contracts_limit_c, .. } => {
                self.group_limit(user_id, group_id, *contracts_limit_c)
            }
            C::Batch { .. } => unreachable!("batches are unpacked by apply"),
        }
    }

    /// Push the balance and position events of what the command changed, and clear the
    /// marks (in the same walk: the records are in hand).
    fn flush(&mut self) {
        let ts = self.now_ns;
        let ledger = &mut self.ledger;
        for &a in &ledger.dirty_accounts {
            let acct = &mut ledger.accounts[a as usize];
            acct.dirty = false;
            let (available, reserved) = (acct.available_cc, acct.reserved_cc);
            // Written over a stale balance event where one lies in the next slot (most
            // commands repeat the last one's shape), else pushed.
            let written = self.out.push_in_place(|ev| match ev {
                Event::Balance { ts_ns, acct, available_cc, reserved_cc } => {
                    (*ts_ns, *acct, *available_cc, *reserved_cc) = (ts, a, available, reserved);
                    true
                }
                _ => false,
            });
            if !written {
                self.out.push(Event::Balance { ts_ns: ts, acct: a, available_cc: available, reserved_cc: reserved });
            }
        }
        for &p in &ledger.dirty_positions {
            let pos = &mut ledger.positions[p as usize];
            pos.dirty = false;
            let pos = &*pos;
            let exposure = fine_to_cc(pos.exposure_fine);
            let realized = fine_to_cc(pos.realized_fine);
            let traded = fine_to_cc(pos.total_traded_fine);
            let written = self.out.push_in_place(|ev| match ev {
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
                    *ts_ns = ts;
                    *acct = pos.acct;
                    *market = pos.market;
                    *position_c = pos.position_c;
                    *exposure_cc = exposure;
                    *realized_pnl_cc = realized;
                    *fees_paid_cc = pos.fees_paid_cc;
                    *total_traded_cc = traded;
                    *resting_orders = pos.resting_orders;
                    *settled = pos.settled;
                    *traded_c = pos.traded_c;
                    true
                }
                _ => false,
            });
            if !written {
                self.out.push(Event::Position {
                    ts_ns: ts,
                    acct: pos.acct,
                    market: pos.market,
                    position_c: pos.position_c,
                    exposure_cc: exposure,
                    realized_pnl_cc: realized,
                    fees_paid_cc: pos.fees_paid_cc,
                    total_traded_cc: traded,
                    resting_orders: pos.resting_orders,
                    settled: pos.settled,
                    traded_c: pos.traded_c,
                });
            }
        }
        ledger.dirty_accounts.clear();
        ledger.dirty_positions.clear();
    }

    // --- ids -----------------------------------------------------------------------------

    pub fn new_id(&mut self) -> u64 {
        self.id_counter += 1;
        self.id_counter
    }

    /// Write the text of an id of a kind (1 order, 2 trade, 3 fill, 4 group).
    #[inline]
    pub fn write_id(&self, w: &mut Writer, kind: usize, counter: u64) {
        w.bounded(ID_MAX, |c| self.put_id(c, kind, counter));
    }

    /// `write_id` inside room already made (at most `ID_MAX` bytes). Inlined into the event
    /// writers: as a call, the cursor went through memory around every id.
    #[inline(always)]
    pub fn put_id<O: Out>(&self, c: &mut O, kind: usize, counter: u64) {
        if counter >> 48 != 0 {
            let (bytes, n) = self.long_id(kind, counter);
            c.put_part(&bytes, n);
            return;
        }
        // str8 header, the 24 bytes up to the counter, then twelve hex digits.
        let mut out = [0u8; 2 + ID_LEN];
        out[0] = 0xd9;
        out[1] = ID_LEN as u8;
        out[2..26].copy_from_slice(&self.id_heads[kind]);
        for (i, pair) in out[26..38].chunks_exact_mut(2).enumerate() {
            pair.copy_from_slice(&HEX_PAIRS[usize::from((counter >> (40 - 8 * i)) as u8)]);
        }
        c.put_array(&out);
    }

    /// An id past twelve hex digits (never, at any real rate): the general form, as its
    /// encoded bytes and their length (by value: a cold call given the cursor's address
    /// kept the cursor in memory through the whole event writer around it).
    #[cold]
    #[inline(never)]
    fn long_id(&self, kind: usize, counter: u64) -> ([u8; ID_MAX], usize) {
        let text = self.id_text(kind, counter);
        let mut out = [0u8; ID_MAX];
        out[0] = 0xd9;
        out[1] = text.len() as u8;
        out[2..2 + text.len()].copy_from_slice(text.as_bytes());
        (out, 2 + text.len())
    }

    pub fn id_text(&self, kind: usize, counter: u64) -> String {
        let mut buf = self.id_heads[kind].to_vec();
        push_hex12(&mut buf, counter);
        String::from_utf8(buf).expect("ids are ASCII")
    }

    /// The counter of an id of a kind, or None when the text is not such an id.
    pub fn parse_id<'t>(&self, kind: usize, text: impl Into<Text<'t>>) -> Option<u64> {
        let bytes = text.into().as_bytes();
        // Fixed-size compares and a table: no `memcmp` call and no branch per digit.
        let Ok(&[ref head @ .., _, _, _, _, _, _, _, _, _, _, _, _]) = <&[u8; ID_LEN]>::try_from(bytes) else {
            return None;
        };
        if *head != self.id_heads[kind] {
            return None;
        }
        let (mut v, mut seen) = (0u64, 0u8);
        for &b in &bytes[24..] {
            let d = HEX_VALUE[usize::from(b)];
            seen |= d;
            v = (v << 4) | u64::from(d & 15);
        }
        // A byte that is no lowercase hex digit reads as 0xff, marking the high bits.
        (seen < 16).then_some(v)
    }

    // --- shared lookups and checks ---------------------------------------------------

    // Ids are looked up by their bytes (a decoded command's `Text`, or a `str`): a hit needs
    // no UTF-8 conversion; only a miss's message does.

    pub fn user_index<'t>(&self, user_id: impl Into<Text<'t>>) -> Option<u32> {
        self.user_ix.get(user_id.into().as_bytes()).copied()
    }

    pub fn unknown_user<'t, T>(user_id: impl Into<Text<'t>>) -> Res<T> {
        reject(RejectReason::UnknownUser, format!("unknown user {}", py_repr(user_id.into().as_str())))
    }

    /// The account of a user's subaccount, refusing unknown users and subaccounts.
    pub fn account<'t>(&mut self, user_id: impl Into<Text<'t>>, subaccount: i64) -> Res<(u32, u32)> {
        let user_id = user_id.into();
        let Some(u) = self.user_index(user_id) else {
            return Self::unknown_user(user_id);
        };
        if !(0..self.users[u as usize].subaccounts).contains(&subaccount) {
            return reject(
                RejectReason::InvalidParameters,
                format!("subaccount {subaccount} does not exist"),
            );
        }
        Ok((u, self.ledger.open_account(u, subaccount, self.now_ns)))
    }

    pub fn market<'t>(&self, ticker: impl Into<Text<'t>>) -> Res<u32> {
        let ticker = ticker.into();
        match self.market_ix.get(ticker.as_bytes()) {
            Some(&m) => Ok(m),
            None => reject(
                RejectReason::MarketNotFound,
                format!("market {} not found", py_repr(ticker.as_str())),
            ),
        }
    }

    pub fn order(&self, slot: u32) -> &Order {
        self.orders[slot as usize].as_ref().expect("a live slot")
    }

    /// The account of a live order (its holding's).
    #[inline]
    pub fn order_acct(&self, slot: u32) -> u32 {
        self.collateral.rec(self.order(slot).hold).acct()
    }

    pub fn order_mut(&mut self, slot: u32) -> &mut Order {
        self.orders[slot as usize].as_mut().expect("a live slot")
    }

    #[inline]
    pub fn alloc_order(&mut self, order: Order) -> u32 {
        match self.free_slots.pop() {
            Some(slot) => {
                self.orders[slot as usize] = Some(order);
                slot
            }
            None => {
                self.orders.push(Some(order));
                (self.orders.len() - 1) as u32
            }
        }
    }

    /// Free a slot at the end of the command (its order may still be read until then).
    pub fn retire(&mut self, slot: u32) {
        self.retired.push(slot);
    }

    /// Free a slot at once (an order that was never accepted).
    pub fn free_now(&mut self, slot: u32) {
        self.orders[slot as usize] = None;
        self.free_slots.push(slot);
    }

    /// Re-insert a free slot list after a snapshot load.
    pub fn rebuild_free_slots(&mut self) {
        self.free_slots =
            (0..self.orders.len() as u32).rev().filter(|&s| self.orders[s as usize].is_none()).collect();
    }

    pub fn user_id(&self, u: u32) -> &str {
        &self.users[u as usize].user_id
    }

    /// The (user id, subaccount) key of an account.
    pub fn account_key(&self, acct: u32) -> (Arc<str>, i64) {
        let a = &self.ledger.accounts[acct as usize];
        (self.users[a.user as usize].user_id.clone(), a.sub)
    }

    pub fn set_expiring(&mut self, id: u64, ts: i64) {
        if let Some(old) = self.expiring.insert(id, ts) {
            self.expiring_by_ts.remove(&(old, id));
        }
        self.expiring_by_ts.insert((ts, id));
    }

    /// Put market `m` in the due index at the time of its next step (or take it out);
    /// called after anything that may change a market's status.
    pub fn schedule_market(&mut self, m: u32) {
        let market = &mut self.markets[m as usize];
        let due = market.next_step_ns();
        if due == market.due_ns {
            return;
        }
        if let Some(old) = market.due_ns {
            self.market_due.remove(&(old, m));
        }
        market.due_ns = due;
        if let Some(ts) = due {
            self.market_due.insert((ts, m));
        }
    }

    pub fn drop_expiring(&mut self, id: u64) {
        if let Some(old) = self.expiring.remove(&id) {
            self.expiring_by_ts.remove(&(old, id));
        }
    }
}

/// An order's fill figures to add to: on its first fill, a kept zeroed box from `spare`
/// (else a new one) is put in, the same zero figures `Order::fills_mut` would box.
#[inline]
pub(crate) fn fills_of<'a>(o: &'a mut Order, spare: &mut Vec<Box<Fills>>) -> &'a mut Fills {
    if o.filled.is_none() {
        o.filled = Some(spare.pop().unwrap_or_default());
    }
    o.fills_mut()
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The two lowercase hex digits of every byte value: an id's twelve digits are six lookups
/// and six two-byte stores (about 30 instructions, where spreading the nibbles a word at a
/// time took about 50).
static HEX_PAIRS: [[u8; 2]; 256] = {
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [HEX[i >> 4], HEX[i & 15]];
        i += 1;
    }
    t
};

/// Each byte's value as a lowercase hex digit, or 0xff where it is none (`parse_id`).
static HEX_VALUE: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 16 {
        t[HEX[i] as usize] = i as u8;
        i += 1;
    }
    t
};

fn push_hex12(buf: &mut Vec<u8>, v: u64) {
    let digits = if v >> 48 == 0 { 12 } else { 16 - (v.leading_zeros() as usize / 4) };
    for i in (0..digits).rev() {
        buf.push(HEX[((v >> (4 * i)) & 0xf) as usize]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_ids_are_their_texts() {
        // The table-written digits against the digit-by-digit text (`id_text`), for every
        // kind and counters that put each hex digit 0-f in every one of the twelve places.
        let e = Engine::new("ids", "0badc0de", (1, 2));
        // Past 2^48 the general form (`long_id`), up to sixteen digits.
        let mut counters = vec![0u64, 1, 9, 10, 15, 16, (1 << 48) - 1, 0x0123_4567_89ab, 0xfedc_ba98_7654];
        counters.extend([1 << 48, (1 << 52) + 0xabc, u64::MAX]);
        for d in 0..16u64 {
            counters.push((0..12).fold(0, |acc, _| (acc << 4) | d));
            counters.push(d << 44 | (15 - d));
        }
        for kind in 1..5 {
            for &c in &counters {
                let mut w = Writer::new();
                e.write_id(&mut w, kind, c);
                let text = e.id_text(kind, c);
                let mut want = vec![0xd9, text.len() as u8];
                want.extend_from_slice(text.as_bytes());
                assert_eq!(w.as_bytes(), &want[..], "kind {kind} counter {c:#x}");
            }
        }
    }

    /// `parse_id` against the rule stated plainly: the kind's 24-byte head, then exactly
    /// twelve lowercase hex digits. Every byte value in every digit place, wrong heads and
    /// wrong lengths.
    #[test]
    fn parsed_ids_are_the_heads_and_twelve_lowercase_digits() {
        let e = Engine::new("ids", "0badc0de", (1, 2));
        let plain = |kind: usize, t: &[u8]| -> Option<u64> {
            let head = e.id_text(kind, 0);
            let head = &head.as_bytes()[..24];
            if t.len() != 36 || &t[..24] != head {
                return None;
            }
            let digits = std::str::from_utf8(&t[24..]).ok()?;
            if !digits.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
                return None;
            }
            u64::from_str_radix(digits, 16).ok()
        };
        for kind in 1..5 {
            for c in [0u64, 1, 0x0123_4567_89ab, 0xfedc_ba98_7654, (1 << 48) - 1] {
                let text = e.id_text(kind, c);
                assert_eq!(e.parse_id(kind, text.as_str()), Some(c));
                assert_eq!(e.parse_id(kind % 4 + 1, text.as_str()), None, "another kind's id");
                let bytes = text.into_bytes();
                for at in 0..bytes.len() {
                    for b in 0..=255u8 {
                        let mut t = bytes.clone();
                        t[at] = b;
                        let Ok(s) = std::str::from_utf8(&t) else { continue };
                        assert_eq!(e.parse_id(kind, s), plain(kind, &t), "kind {kind} byte {b} at {at}");
                    }
                }
                assert_eq!(e.parse_id(kind, std::str::from_utf8(&bytes[..35]).unwrap()), None);
                let mut longer = bytes.clone();
                longer.push(b'0');
                assert_eq!(e.parse_id(kind, std::str::from_utf8(&longer).unwrap()), None);
            }
        }
    }
}
