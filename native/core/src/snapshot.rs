//! The engine-neutral snapshot: the whole state as one MessagePack document that the
//! Python engine (`augury.engine.snapshot`) and this crate both write and read, byte for byte
//! the same for the same state, so a store written under one engine recovers under the
//! other. Layout (every list in a defined order; `docs/decisions/0037` has the reasoning):
//!
//! ```text
//! {"instance_id", "id_prefix", "counters": [id, queue, now_ns, paused],
//!  "ledger": [fee_revenue_cc, external_cc],
//!  "users": [[user_id, name, tier, subaccounts, resting, created_ns]]       creation order
//!  "accounts": [[user_id, sub, available_cc, reserved_cc, updated_ns]]     creation order
//!  "api_keys": [[id, user_id, name, pem, key_type, [scopes], sub|nil, created_ns]]
//!  "series": [[ticker, fee_type, multiplier_e4, meta(bin), created_ns]]
//!  "events": [[event_ticker, series_ticker, exclusive, meta(bin), created_ns, [tickers]]]
//!  "markets": [[ticker, event_ticker, structure, fee_type, multiplier_e4, fractional,
//!               open_ns, close_ns, timer_s, market_type, meta(bin), status, result,
//!               value|nil, determined_ns|nil, settled_ns|nil, book_seq, volume_c,
//!               open_interest_c, last_price_cc, last_trade_ns, created_ns, updated_ns,
//!               escrow_cc|nil, [order...]]]      orders: bids best first, then asks, FIFO
//!  "positions": [[user_id, sub, ticker, position_c, exposure_fine, total_traded_fine,
//!                 traded_c, realized_fine, fees_paid_cc, resting_orders, settled, updated_ns]]
//!  "groups": [[group_id, user_id, sub, limit|nil, triggered, window_c, [[ts, c]],
//!              [member order ids], created_ns]]                               id order
//!  "reserves": [[user_id, sub, ticker, is_bid, reserve_cc]]                    sorted
//!  "client_ids": [[user_id, client_order_id, order_id]]                        sorted
//!  "retired_client_ids": [[user_id, [client_order_id, oldest first]]]           sorted
//!  "closed_orders": [[order_id, ticker, user_id, sub]]                         sorted
//!  "transfers": [transfer_id]}                                                 sorted
//! order: [order_id, user_id, sub, side, price_cc, initial_c, fill_c, remaining_c,
//!         fee_lot_cc, fee_acc_fine, tif, order_type, legacy_side, legacy_action,
//!         client_order_id, group_id|nil, stp, post_only, reduce_only, cancel_on_pause,
//!         expiration_ns|nil, created_ns, updated_ns, taker_fill_cost_fine,
//!         maker_fill_cost_fine, taker_fees_cc, maker_fees_cc, queue_seq]
//! ```
//!
//! What is derived is not stored: collateral groups (re-counted from the resting orders),
//! the expiry index, position holders, and a level's dead queue entries.

use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;

use crate::commands::{Stp, Tif};
use crate::events::ClientId;
use crate::hash::Name;
use crate::exchange::Engine;
use crate::fees::{FeeSchedule, FeeType};
use crate::grid::{Grids, GRID_NAMES};
use crate::ledger::{Account, Position};
use crate::model::{ApiKey, EventInfo, Fills, Labels, Market, MarketStatus, OptNs, Order, OrderGroup, OrderStatus, Series, User};
use crate::msgpack::{DResult, DecodeError, Reader, Writer};

const KEYS: [&str; 17] = [
    "instance_id", "id_prefix", "counters", "ledger", "users", "accounts", "api_keys", "series",
    "events", "markets", "positions", "groups", "reserves", "client_ids", "retired_client_ids",
    "closed_orders", "transfers",
];

fn bad<T>(what: &str) -> DResult<T> {
    Err(DecodeError(format!("snapshot: {what}")))
}

impl Engine {
    /// Write the whole state as the engine-neutral snapshot document.
    pub fn dump_state(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(1 << 16);
        w.map(KEYS.len());
        w.str("instance_id");
        w.str(&self.instance_id);
        w.str("id_prefix");
        w.str(&self.id_prefix);
        w.str("counters");
        w.array(4);
        w.int(self.id_counter as i64);
        w.int(self.queue_counter as i64);
        w.int(self.now_ns);
        w.bool(self.trading_paused);
        w.str("ledger");
        w.array(2);
        w.int128(self.ledger.fee_revenue_cc);
        w.int128(self.ledger.external_cc);
        w.str("users");
        w.array(self.users.len());
        for u in &self.users {
            w.array(6);
            w.str(&u.user_id);
            w.str(&u.name);
            w.str(&u.tier);
            w.int(u.subaccounts);
            w.int(u.resting);
            w.int(u.created_ns);
        }
        w.str("accounts");
        w.array(self.ledger.accounts.len());
        for a in &self.ledger.accounts {
            w.array(5);
            w.str(self.user_id(a.user));
            w.int(a.sub);
            w.int128(a.available_cc);
            w.int128(a.reserved_cc);
            w.int(a.updated_ns);
        }
        w.str("api_keys");
        w.array(self.api_keys.len());
        for k in &self.api_keys {
            w.array(8);
            w.str(&k.api_key_id);
            w.str(&k.user_id);
            w.str(&k.name);
            w.str(&k.public_key_pem);
            w.str(&k.key_type);
            w.array(k.scopes.len());
            for s in &k.scopes {
                w.str(s);
            }
            w.opt_int(k.subaccount);
            w.int(k.created_ns);
        }
        w.str("series");
        w.array(self.series.len());
        for s in &self.series {
            w.array(5);
            w.str(&s.ticker);
            w.str(s.fee_type.as_str());
            w.int(s.fee_multiplier_e4);
            w.bin(&s.meta);
            w.int(s.created_ns);
        }
        w.str("events");
        w.array(self.events.len());
        for e in &self.events {
            w.array(6);
            w.str(&e.event_ticker);
            w.str(&self.series[e.series as usize].ticker);
            w.bool(e.mutually_exclusive);
            w.bin(&e.meta);
            w.int(e.created_ns);
            w.array(e.markets.len());
            for &m in &e.markets {
                w.str(&self.markets[m as usize].ticker);
            }
        }
        w.str("markets");
        w.array(self.markets.len());
        for m in &self.markets {
            self.dump_market(m, &mut w);
        }
        w.str("positions");
        w.array(self.ledger.positions.len());
        for p in &self.ledger.positions {
            let a = &self.ledger.accounts[p.acct as usize];
            w.array(12);
            w.str(self.user_id(a.user));
            w.int(a.sub);
            w.str(&self.markets[p.market as usize].ticker);
            w.int128(p.position_c);
            w.int128(p.exposure_fine);
            w.int128(p.total_traded_fine);
            w.int128(p.traded_c);
            w.int128(p.realized_fine);
            w.int128(p.fees_paid_cc);
            w.int(p.resting_orders);
            w.bool(p.settled);
            w.int(p.updated_ns);
        }
        w.str("groups");
        w.array(self.groups.len());
        for g in self.groups.values() {
            w.array(9);
            self.write_id(&mut w, 4, g.id);
            w.str(self.user_id(g.user));
            w.int(g.sub);
            w.opt_int(g.limit_c);
            w.bool(g.triggered);
            w.int128(g.window_c);
            w.array(g.window.len());
            for &(ts, c) in &g.window {
                w.array(2);
                w.int(ts);
                w.int(c);
            }
            w.array(g.orders.len());
            for &o in &g.orders {
                self.write_id(&mut w, 1, o);
            }
            w.int(g.created_ns);
        }
        w.str("reserves");
        let mut reserves: Vec<(&str, i64, &str, bool, i128)> = self
            .collateral
            .iter()
            .filter(|(_, g)| !g.is_empty() || g.reserve_cc != 0)
            .map(|((acct, m, is_bid), g)| {
                let a = &self.ledger.accounts[acct as usize];
                (self.user_id(a.user), a.sub, &*self.markets[m as usize].ticker, is_bid, g.reserve_cc)
            })
            .collect();
        reserves.sort_unstable();
        w.array(reserves.len());
        for (u, s, t, b, r) in reserves {
            w.array(5);
            w.str(u);
            w.int(s);
            w.str(t);
            w.bool(b);
            w.int128(r);
        }
        w.str("client_ids");
        let mut cids: Vec<(&str, &str, u64)> =
            self.client_ids.iter().map(|((u, c), &id)| (self.user_id(*u), &**c, id)).collect();
        cids.sort_unstable();
        w.array(cids.len());
        for (u, c, id) in cids {
            w.array(3);
            w.str(u);
            w.str(c);
            self.write_id(&mut w, 1, id);
        }
        w.str("retired_client_ids");
        self.write_retired(&mut w);
        w.str("closed_orders");
        let mut closed: Vec<(u64, u32, u32)> =
            self.closed_orders.iter().map(|(&id, &(m, a))| (id, m, a)).collect();
        closed.sort_unstable();
        w.array(closed.len());
        for (id, m, acct) in closed {
            let a = &self.ledger.accounts[acct as usize];
            w.array(4);
            self.write_id(&mut w, 1, id);
            w.str(&self.markets[m as usize].ticker);
            w.str(self.user_id(a.user));
            w.int(a.sub);
        }
        w.str("transfers");
        let mut transfers: Vec<&str> = self.transfer_ids.iter().map(|s| &**s).collect();
        transfers.sort_unstable();
        w.array(transfers.len());
        for t in transfers {
            w.str(t);
        }
        w.into_bytes()
    }

    fn dump_market(&self, m: &Market, w: &mut Writer) {
        w.array(25);
        w.str(&m.ticker);
        w.str(&self.events[m.event as usize].event_ticker);
        w.str(GRID_NAMES[usize::from(m.grid)]);
        w.str(m.fees.fee_type.as_str());
        w.int(m.fees.multiplier_e4);
        w.bool(m.fractional);
        w.int(m.open_ts_ns);
        w.int(m.close_ts_ns);
        w.int(m.settlement_timer_s);
        w.str(m.market_type);
        w.bin(&m.meta);
        w.str(m.status.as_str());
        w.str(m.result);
        w.opt_int(m.settlement_value_cc);
        w.opt_int(m.determined_ns);
        w.opt_int(m.settled_ns);
        w.int(m.book_seq);
        w.int128(m.volume_c);
        w.int128(m.open_interest_c);
        w.int(m.last_price_cc);
        w.int(m.last_trade_ns);
        w.int(m.created_ns);
        w.int(m.updated_ns);
        match m.escrow_cc {
            Some(e) => w.int128(e),
            None => w.nil(),
        }
        let slots = m.book.resting(&self.orders);
        w.array(slots.len());
        for s in slots {
            let o = self.order(s);
            w.array(28);
            self.write_id(w, 1, o.id);
            w.str(self.user_id(o.user));
            w.int(o.sub());
            w.str(o.side().as_str());
            w.int(o.price_cc);
            w.int(o.initial_c);
            w.int(o.fill_c);
            w.int(o.remaining_c);
            w.int(i64::from(o.fee_lot_cc));
            w.int(i64::from(o.fee_acc_fine));
            w.str(o.time_in_force.as_str());
            w.str(o.order_type());
            w.str(o.legacy_side());
            w.str(o.legacy_action());
            w.str(&o.client_order_id);
            match o.order_group_id() {
                Some(g) => self.write_id(w, 4, g),
                None => w.nil(),
            }
            w.str(o.self_trade_prevention.as_str());
            w.bool(o.post_only);
            w.bool(o.reduce_only);
            w.bool(o.cancel_on_pause);
            w.opt_int(o.expiration_ts_ns());
            w.int(o.created_ns);
            w.int(o.updated_ns);
            let f = o.fills();
            w.int128(f.taker_fill_cost_fine);
            w.int128(f.maker_fill_cost_fine);
            w.int128(f.taker_fees_cc);
            w.int128(f.maker_fees_cc);
            w.int(o.queue_seq as i64);
        }
    }

    /// Rebuild an engine from a snapshot document (`hash_keys` seed its string maps).
    pub fn load_state(payload: &[u8], hash_keys: (u64, u64)) -> DResult<Engine> {
        let mut r = Reader::new(payload);
        if r.map()? != KEYS.len() {
            return bad("wrong number of sections");
        }
        key(&mut r, "instance_id")?;
        let instance_id = r.str()?.to_string();
        key(&mut r, "id_prefix")?;
        let prefix = r.str()?.to_string();
        if prefix.len() != 8 {
            return bad("the id prefix is not eight characters");
        }
        let mut e = Engine::new(&instance_id, &prefix, hash_keys);
        key(&mut r, "counters")?;
        expect_len(&mut r, 4)?;
        e.id_counter = r.int()? as u64;
        e.queue_counter = r.int()? as u64;
        e.now_ns = r.int()?;
        e.trading_paused = r.bool()?;
        key(&mut r, "ledger")?;
        expect_len(&mut r, 2)?;
        e.ledger.fee_revenue_cc = big(&mut r)?;
        e.ledger.external_cc = big(&mut r)?;
        key(&mut r, "users")?;
        for _ in 0..r.array()? {
            expect_len(&mut r, 6)?;
            let id: Arc<str> = Arc::from(r.str()?);
            let user = User {
                user_id_enc: crate::msgpack::Name::new(&id),
                user_id: id.clone(),
                name: r.str()?.to_string(),
                tier: r.str()?.to_string(),
                subaccounts: r.int()?,
                resting: r.int()?,
                created_ns: r.int()?,
                retired: Default::default(),
            };
            e.user_ix.insert(Name(id), e.users.len() as u32);
            e.users.push(user);
        }
        key(&mut r, "accounts")?;
        for _ in 0..r.array()? {
            expect_len(&mut r, 5)?;
            let u = e.user_of(r.str()?)?;
            let sub = r.int()?;
            let a = e.ledger.accounts.len() as u32;
            e.ledger.accounts.push(Account {
                user: u,
                sub,
                available_cc: big(&mut r)?,
                reserved_cc: big(&mut r)?,
                updated_ns: r.int()?,
                dirty: false,
            });
            e.ledger.index_account(u, sub, a);
        }
        key(&mut r, "api_keys")?;
        for _ in 0..r.array()? {
            expect_len(&mut r, 8)?;
            let api_key_id = r.str()?.to_string();
            let user_id = r.str()?.to_string();
            let name = r.str()?.to_string();
            let public_key_pem = r.str()?.to_string();
            let key_type = r.str()?.to_string();
            let scopes = (0..r.array()?).map(|_| r.str().map(str::to_string)).collect::<DResult<_>>()?;
            let subaccount = opt_int(&mut r)?;
            let created_ns = r.int()?;
            e.api_keys.push(ApiKey { api_key_id, user_id, name, public_key_pem, key_type, scopes, subaccount, created_ns });
        }
        key(&mut r, "series")?;
        for _ in 0..r.array()? {
            expect_len(&mut r, 5)?;
            let ticker = r.str()?.to_string();
            let Some(fee_type) = FeeType::parse(r.str()?) else { return bad("fee type") };
            let s = Series { ticker: ticker.clone(), fee_type, fee_multiplier_e4: r.int()?, meta: bin(&mut r)?, created_ns: r.int()? };
            e.series_ix.insert(ticker, e.series.len() as u32);
            e.series.push(s);
        }
        key(&mut r, "events")?;
        let mut event_markets: Vec<Vec<String>> = Vec::new();
        for _ in 0..r.array()? {
            expect_len(&mut r, 6)?;
            let event_ticker = r.str()?.to_string();
            let Some(&series) = e.series_ix.get(r.str()?) else { return bad("event of an unknown series") };
            let mutually_exclusive = r.bool()?;
            let meta = bin(&mut r)?;
            let created_ns = r.int()?;
            let tickers = (0..r.array()?).map(|_| r.str().map(str::to_string)).collect::<DResult<_>>()?;
            event_markets.push(tickers);
            e.event_ix.insert(event_ticker.clone(), e.events.len() as u32);
            e.events.push(EventInfo { event_ticker, series, mutually_exclusive, meta, markets: Vec::new(), created_ns });
        }
        key(&mut r, "markets")?;
        for _ in 0..r.array()? {
            e.load_market(&mut r)?;
        }
        for (i, tickers) in event_markets.into_iter().enumerate() {
            for t in tickers {
                let Some(&m) = e.market_ix.get(t.as_bytes()) else { return bad("event lists an unknown market") };
                e.events[i].markets.push(m);
            }
        }
        key(&mut r, "positions")?;
        for _ in 0..r.array()? {
            expect_len(&mut r, 12)?;
            let acct = e.account_of(&mut r)?;
            let m = e.market_of(r.str()?)?;
            let p = e.ledger.positions.len() as u32;
            e.ledger.positions.push(Position {
                acct,
                market: m,
                position_c: big(&mut r)?,
                exposure_fine: big(&mut r)?,
                total_traded_fine: big(&mut r)?,
                traded_c: big(&mut r)?,
                realized_fine: big(&mut r)?,
                fees_paid_cc: big(&mut r)?,
                resting_orders: r.int()?,
                settled: r.bool()?,
                updated_ns: r.int()?,
                dirty: false,
            });
            e.markets[m as usize].holders.push(acct);
            let h = e.collateral.holding(acct, m);
            e.collateral.set_position(h, p);
            e.collateral.set_held(h, e.ledger.positions[p as usize].position_c);
        }
        key(&mut r, "groups")?;
        for _ in 0..r.array()? {
            expect_len(&mut r, 9)?;
            let Some(id) = e.parse_id(4, r.str()?) else { return bad("group id") };
            let u = e.user_of(r.str()?)?;
            let sub = r.int()?;
            let Some(&acct) = e.ledger.account_ix.get(&(u, sub)) else { return bad("group account") };
            let limit_c = opt_int(&mut r)?;
            let triggered = r.bool()?;
            let window_c = big(&mut r)?;
            let mut window = VecDeque::new();
            for _ in 0..r.array()? {
                expect_len(&mut r, 2)?;
                window.push_back((r.int()?, r.int()?));
            }
            let mut orders = BTreeSet::new();
            for _ in 0..r.array()? {
                let Some(o) = e.parse_id(1, r.str()?) else { return bad("group member id") };
                orders.insert(o);
            }
            let created_ns = r.int()?;
            e.groups.insert(id, OrderGroup { id, acct, user: u, sub, limit_c, triggered, orders, window, window_c, created_ns });
        }
        key(&mut r, "reserves")?;
        for _ in 0..r.array()? {
            expect_len(&mut r, 5)?;
            let acct = e.account_of(&mut r)?;
            let m = e.market_of(r.str()?)?;
            let is_bid = r.bool()?;
            e.collateral.entry_or_default((acct, m, is_bid)).reserve_cc = big(&mut r)?;
        }
        key(&mut r, "client_ids")?;
        for _ in 0..r.array()? {
            expect_len(&mut r, 3)?;
            let u = e.user_of(r.str()?)?;
            let coid: Box<str> = Box::from(r.str()?);
            let Some(id) = e.parse_id(1, r.str()?) else { return bad("client order id target") };
            e.client_ids.insert((u, coid), id);
        }
        key(&mut r, "retired_client_ids")?;
        for _ in 0..r.array()? {
            expect_len(&mut r, 2)?;
            let u = e.user_of(r.str()?)?;
            for _ in 0..r.array()? {
                let id: Box<str> = Box::from(r.str()?);
                e.users[u as usize].retired.push_back(id);
            }
        }
        key(&mut r, "closed_orders")?;
        for _ in 0..r.array()? {
            expect_len(&mut r, 4)?;
            let Some(id) = e.parse_id(1, r.str()?) else { return bad("closed order id") };
            let m = e.market_of(r.str()?)?;
            let acct = e.account_of(&mut r)?;
            e.closed_orders.insert(id, (m, acct));
        }
        key(&mut r, "transfers")?;
        for _ in 0..r.array()? {
            e.transfer_ids.insert(Box::from(r.str()?));
        }
        if !r.at_end() {
            return bad("trailing bytes");
        }
        e.rebuild_free_slots();
        e.resting.rebuild(); // orders arrive in book order; the index is densest in id order
        for m in 0..e.markets.len() as u32 {
            e.schedule_market(m); // the due index is derived: rebuilt, never stored
        }
        Ok(e)
    }

    fn user_of(&self, user_id: &str) -> DResult<u32> {
        match self.user_ix.get(user_id.as_bytes()) {
            Some(&u) => Ok(u),
            None => bad("unknown user"),
        }
    }

    fn market_of(&self, ticker: &str) -> DResult<u32> {
        match self.market_ix.get(ticker.as_bytes()) {
            Some(&m) => Ok(m),
            None => bad("unknown market"),
        }
    }

    /// Read `user_id, sub` and return the account.
    fn account_of(&self, r: &mut Reader<'_>) -> DResult<u32> {
        let u = self.user_of(r.str()?)?;
        let sub = r.int()?;
        match self.ledger.account_ix.get(&(u, sub)) {
            Some(&a) => Ok(a),
            None => bad("unknown account"),
        }
    }

    fn load_market(&mut self, r: &mut Reader<'_>) -> DResult<()> {
        expect_len(r, 25)?;
        let ticker: Arc<str> = Arc::from(r.str()?);
        let Some(&event) = self.event_ix.get(r.str()?) else { return bad("market of an unknown event") };
        let Some(grid) = Grids::id_of(r.str()?) else { return bad("price structure") };
        let Some(fee_type) = FeeType::parse(r.str()?) else { return bad("fee type") };
        let fees = FeeSchedule { fee_type, multiplier_e4: r.int()? };
        let fractional = r.bool()?;
        let open_ts_ns = r.int()?;
        let close_ts_ns = r.int()?;
        let settlement_timer_s = r.int()?;
        let market_type = match r.str()? {
            "binary" => "binary",
            "scalar" => "scalar",
            _ => return bad("market type"),
        };
        let meta = bin(r)?;
        let Some(status) = MarketStatus::parse(r.str()?) else { return bad("market status") };
        let result = match r.str()? {
            "" => "",
            "yes" => "yes",
            "no" => "no",
            "scalar" => "scalar",
            "void" => "void",
            _ => return bad("market result"),
        };
        let m = self.markets.len() as u32;
        let size = self.grids.all[usize::from(grid)].len();
        let mut market = Market {
            index: m,
            ticker_enc: crate::msgpack::Name::new(&ticker),
            ticker: ticker.clone(),
            event,
            grid,
            fees,
            fractional,
            lot_c: if fractional { 1 } else { 100 },
            open_ts_ns,
            close_ts_ns,
            settlement_timer_s,
            market_type,
            meta,
            status,
            result,
            settlement_value_cc: opt_int(r)?,
            determined_ns: opt_int(r)?,
            settled_ns: opt_int(r)?,
            book: crate::book::Book::new(size),
            book_seq: r.int()?,
            volume_c: big(r)?,
            open_interest_c: big(r)?,
            last_price_cc: r.int()?,
            last_trade_ns: r.int()?,
            created_ns: r.int()?,
            updated_ns: r.int()?,
            escrow_cc: None,
            holders: Vec::new(),
            due_ns: None,
        };
        market.escrow_cc = if r.nil()? { None } else { Some(big(r)?) };
        self.markets.push(market);
        self.market_ix.insert(Name(ticker), m);
        for _ in 0..r.array()? {
            self.load_order(r, m)?;
        }
        Ok(())
    }

    fn load_order(&mut self, r: &mut Reader<'_>, m: u32) -> DResult<()> {
        expect_len(r, 28)?;
        let Some(id) = self.parse_id(1, r.str()?) else { return bad("order id") };
        let u = self.user_of(r.str()?)?;
        let sub = r.int()?;
        let Some(&acct) = self.ledger.account_ix.get(&(u, sub)) else { return bad("order account") };
        let is_bid = match r.str()? {
            "bid" => true,
            "ask" => false,
            _ => return bad("order side"),
        };
        let price_cc = r.int()?;
        let grid = &self.grids.all[usize::from(self.markets[m as usize].grid)];
        let Some(price_idx) = grid.index_of(price_cc) else { return bad("order price off the grid") };
        let lot_c = self.markets[m as usize].lot_c;
        let mut order = Order {
            id,
            user: u,
            sub: match u8::try_from(sub) {
                Ok(s) => s,
                Err(_) => return bad("order subaccount"),
            },
            market: m,
            is_bid,
            price_cc,
            price_idx: price_idx as u32,
            initial_c: r.int()?,
            fill_c: r.int()?,
            remaining_c: r.int()?,
            lot: crate::model::lot_byte(lot_c),
            fee_lot_cc: match u32::try_from(r.int()?) {
                Ok(v) => v,
                Err(_) => return bad("order fee per lot"),
            },
            fee_acc_fine: match u32::try_from(r.int()?) {
                Ok(v) if i128::from(v) < crate::units::CENT_FINE => v,
                _ => return bad("order fee accumulator"),
            },
            status: OrderStatus::Resting,
            time_in_force: match r.str()? {
                "good_till_canceled" => Tif::Gtc,
                "immediate_or_cancel" => Tif::Ioc,
                "fill_or_kill" => Tif::Fok,
                _ => return bad("time in force"),
            },
            labels: match Labels::parse(r.str()?, r.str()?, r.str()?) {
                Some(labels) => labels,
                None => return bad("order type or legacy side or action"),
            },
            client_order_id: ClientId::new(r.str()?),
            group: if r.nil()? {
                None
            } else {
                match self.parse_id(4, r.str()?).and_then(std::num::NonZeroU64::new) {
                    Some(g) => Some(g),
                    None => return bad("order group id"),
                }
            },
            self_trade_prevention: match r.str()? {
                "taker_at_cross" => Stp::TakerAtCross,
                "maker" => Stp::Maker,
                _ => return bad("self trade prevention"),
            },
            post_only: r.bool()?,
            reduce_only: r.bool()?,
            cancel_on_pause: r.bool()?,
            expiration: match OptNs::new(opt_int(r)?) {
                Some(t) => t,
                None => return bad("order expiration"),
            },
            created_ns: r.int()?,
            updated_ns: r.int()?,
            filled: {
                let f = Fills {
                    taker_fill_cost_fine: big(r)?,
                    maker_fill_cost_fine: big(r)?,
                    taker_fees_cc: big(r)?,
                    maker_fees_cc: big(r)?,
                };
                let none = f.taker_fill_cost_fine == 0
                    && f.maker_fill_cost_fine == 0
                    && f.taker_fees_cc == 0
                    && f.maker_fees_cc == 0;
                if none { None } else { Some(Box::new(f)) }
            },
            queue_seq: r.int()? as u64,
            live: false,
            gs_pos: 0,
            hold: 0,
        };
        if order.remaining_c <= 0 {
            return bad("a resting order with nothing remaining");
        }
        // No command makes a count above the domain's; collateral sums rely on it
        // (`GroupSide::remaining_c`).
        if order.remaining_c > crate::domain::COUNT_MAX_C {
            return bad("a resting order above the largest count");
        }
        order.hold = self.collateral.holding(acct, m);
        let exp = order.expiration_ts_ns();
        let slot = self.alloc_order(order);
        self.markets[m as usize].book.rest(&mut self.orders, slot);
        self.resting.insert(id, slot);
        if let Some(exp) = exp {
            self.set_expiring(id, exp);
        }
        let h = self.order(slot).hold;
        self.collateral.side_mut(h, is_bid).add(&mut self.orders, slot);
        Ok(())
    }
}

fn key(r: &mut Reader<'_>, k: &str) -> DResult<()> {
    if r.str()? != k {
        return bad(&format!("expected section {k}"));
    }
    Ok(())
}

fn expect_len(r: &mut Reader<'_>, n: usize) -> DResult<()> {
    if r.array()? != n {
        return bad("a record of the wrong length");
    }
    Ok(())
}

fn opt_int(r: &mut Reader<'_>) -> DResult<Option<i64>> {
    if r.nil()? {
        return Ok(None);
    }
    r.int().map(Some)
}

/// Read an integer into the 128-bit money type (snapshots only hold 64-bit values).
fn big(r: &mut Reader<'_>) -> DResult<i128> {
    r.int().map(i128::from)
}

fn bin(r: &mut Reader<'_>) -> DResult<Vec<u8>> {
    let raw = r.raw()?;
    let (n, head) = match raw.first() {
        Some(0xc4) => (raw.get(1).map(|&b| usize::from(b)), 2),
        Some(0xc5) => (raw.get(1..3).map(|b| usize::from(u16::from_be_bytes([b[0], b[1]]))), 3),
        Some(0xc6) => (raw.get(1..5).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize), 5),
        _ => return bad("expected bytes"),
    };
    match n {
        Some(n) if raw.len() == head + n => Ok(raw[head..].to_vec()),
        _ => bad("bytes"),
    }
}
