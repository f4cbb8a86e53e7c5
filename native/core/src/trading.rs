//! Command family: order entry, matching and fills, and the order bookkeeping shared with
//! `maintenance` and `groups` (cancel, finish, snapshots, collateral re-balancing).
//!
//! Contract (as `augury.engine.exchange`): validation (options, price on the grid, size,
//! reduce-only and expiry rules), then identity (market, account, client order id, order
//! group), then market state, then risk (reduce-only position, resting limit, collateral);
//! an order that passes is accepted and can no longer be rejected. Matching is price-time
//! on one YES-priced book at the maker's price; fill-or-kill checks the whole size first
//! (meeting the user's own order it acts as immediate-or-cancel); post-only cancels rather
//! than cross; self-trade prevention cancels the taker (`taker_at_cross`) or the maker.

use crate::commands::{PlaceOrder, Side, Stp, Tif};
use crate::events::{ClientId, Event, OrderSnap};
use crate::exchange::{fills_of, Engine, Value, MAX_RESTING_ORDERS};
use crate::fees::{fee_lot_cc, fill_fee_cc};
use crate::holdings::HELD_IN_LEDGER;
use crate::model::{lot_byte, reserve_cc, Labels, MarketStatus, OptNs, Order, OrderStatus};
use std::num::NonZeroU64;
use crate::rejects::{reject, RejectReason, Res};
use crate::units::{fine_to_cc, floor_div, price_text, ONE_DOLLAR_CC};

impl Engine {
    pub(crate) fn check_trading(&self, m: u32) -> Res<()> {
        if self.trading_paused {
            return reject(RejectReason::ExchangePaused, "exchange is paused");
        }
        let market = &self.markets[m as usize];
        match market.status {
            MarketStatus::Active => Ok(()),
            MarketStatus::Initialized => reject(
                RejectReason::MarketNotOpen,
                format!("market {} is not open yet", market.ticker),
            ),
            MarketStatus::Inactive => reject(
                RejectReason::TradingPaused,
                format!("trading is paused on {}", market.ticker),
            ),
            _ => reject(RejectReason::MarketClosed, format!("market {} is closed", market.ticker)),
        }
    }

    pub(crate) fn check_size(&self, m: u32, count_c: i64) -> Res<()> {
        let market = &self.markets[m as usize];
        if count_c <= 0 || count_c % market.lot_c != 0 {
            let what =
                if market.fractional { "a positive number of" } else { "a positive whole number of" };
            return reject(RejectReason::InvalidCount, format!("count must be {what} contracts"));
        }
        Ok(())
    }

    pub(crate) fn price_index(&self, m: u32, price_cc: i64) -> Res<u32> {
        let grid = &self.grids.all[usize::from(self.markets[m as usize].grid)];
        match grid.index_of(price_cc) {
            Some(i) => Ok(i as u32),
            None => reject(
                RejectReason::InvalidPrice,
                format!("price {} is not on the {} grid", price_text(price_cc), grid.name),
            ),
        }
    }

    /// How much of the account's position a bid (or ask) would close.
    pub fn closable(&self, acct: u32, m: u32, is_bid: bool) -> i128 {
        match self.collateral.find(acct, m) {
            Some(h) => self.closable_at(h, is_bid),
            None => 0,
        }
    }

    /// `closable` for the account and market of holding `h`.
    #[inline]
    pub(crate) fn closable_at(&self, h: u32, is_bid: bool) -> i128 {
        let held = self.held_at(h);
        let closable = if is_bid { -held } else { held };
        closable.max(0)
    }

    /// The position (YES positive) of holding `h`'s account in its market; 0 with none.
    /// Read from the holding's copy (`Holding::held_c`), in the line the caller reads anyway.
    #[inline]
    pub(crate) fn held_at(&self, h: u32) -> i128 {
        let r = self.collateral.rec(h);
        match r.held_c() {
            HELD_IN_LEDGER => self.ledger.positions[r.pos as usize].position_c,
            held => i128::from(held),
        }
    }

    /// The position of holding `h`'s account in its market, opened flat on first use.
    #[inline(always)]
    pub(crate) fn position_at(&mut self, h: u32, ts: i64) -> u32 {
        match self.collateral.rec(h).position() {
            Some(p) => p,
            None => self.open_position_at(h, ts),
        }
    }

    /// `position_at`'s first use: the position opened flat and linked to the holding.
    #[inline(never)]
    fn open_position_at(&mut self, h: u32, ts: i64) -> u32 {
        let (acct, m) = (self.collateral.rec(h).acct(), self.collateral.rec(h).market());
        let p = self.ledger.open_position(&mut self.markets, acct, m, ts);
        self.collateral.set_position(h, p);
        p
    }

    /// Count or uncount an order in its collateral group (created on first use).
    pub(crate) fn gs_add(&mut self, slot: u32) {
        let (h, is_bid) = {
            let o = self.order(slot);
            (o.hold, o.is_bid)
        };
        self.collateral.side_mut(h, is_bid).add(&mut self.orders, slot);
    }

    pub(crate) fn gs_remove(&mut self, slot: u32) {
        let (h, is_bid) = {
            let o = self.order(slot);
            (o.hold, o.is_bid)
        };
        self.collateral.side_mut(h, is_bid).remove(&mut self.orders, slot);
    }

    /// Set both of an account's reserves in a market (holding `h`) to what their orders
    /// now require.
    pub(crate) fn rebalance(&mut self, h: u32) {
        let held = self.held_at(h);
        self.rebalance_held(h, held);
    }

    pub(crate) fn rebalance_held(&mut self, h: u32, held_c: i128) {
        let now = self.now_ns;
        let acct = self.collateral.rec(h).acct();
        for is_bid in [true, false] {
            if let Some(group) = self.collateral.side_if_present(h, is_bid) {
                let closable = if is_bid { -held_c } else { held_c };
                let target = reserve_cc(group.target_fine(&self.orders, closable.max(0)));
                // `set_reserve` refuses (panics on) a rise beyond the available cash.
                self.ledger.set_reserve(acct, &mut group.reserve_cc, target, now);
            }
        }
    }

    pub(crate) fn place(&mut self, cmd: &PlaceOrder<'_>) -> Res<Value> {
        if cmd.post_only && cmd.time_in_force != Tif::Gtc {
            return reject(RejectReason::InvalidParameters, "post_only needs good_till_canceled");
        }
        if matches!(cmd.buy_max_cost_cc, Some(v) if v <= 0) {
            return reject(RejectReason::InvalidParameters, "buy_max_cost must be positive");
        }
        let m = self.market(cmd.ticker)?;
        let idx = self.validate_order(cmd, m)?;
        let (u, acct) = self.account(cmd.user_id, cmd.subaccount)?;
        if let Some(coid) = cmd.client_order_id.filter(|c| !c.is_empty()) {
            if self.client_ids.contains_key(&(u, Box::from(coid))) {
                return reject(RejectReason::OrderAlreadyExists, "order already exists");
            }
        }
        let group = match cmd.order_group_id.filter(|g| !g.is_empty()) {
            Some(g) => Some(self.order_group(g, cmd.user_id.as_str())?),
            None => None,
        };
        self.check_trading(m)?;
        let is_bid = cmd.side.is_bid();
        let lot = self.markets[m as usize].lot_c;
        let mut count_c = cmd.count_c;
        // The holding is made here (before the refusals below): one with no side present
        // and no position is invisible (`holdings`), and the placement finds it once.
        let h = self.collateral.holding(acct, m);
        let closable_c = self.closable_at(h, is_bid);
        if cmd.reduce_only {
            count_c = i128::from(count_c).min(closable_c) as i64;
            count_c -= count_c.rem_euclid(lot);
            if count_c <= 0 {
                return reject(
                    RejectReason::ReduceOnlyNoPosition,
                    "reduce-only order has no position to reduce",
                );
            }
        }
        if self.users[u as usize].resting >= MAX_RESTING_ORDERS {
            return reject(RejectReason::TooManyOrders, "too many resting orders");
        }
        let market = &self.markets[m as usize];
        let outcome_limit = if is_bid { cmd.price_cc } else { ONE_DOLLAR_CC - cmd.price_cc };
        let order = Order {
            id: self.id_counter + 1,
            user: u,
            // `account` accepted it: a subaccount number is in 0..=MAX_SUBACCOUNTS.
            sub: cmd.subaccount as u8,
            market: m,
            is_bid,
            price_cc: cmd.price_cc,
            price_idx: idx,
            initial_c: count_c,
            remaining_c: count_c,
            fill_c: 0,
            lot: lot_byte(lot),
            fee_lot_cc: fee_lot_cc(&market.fees, outcome_limit, lot),
            fee_acc_fine: 0,
            status: OrderStatus::Resting,
            time_in_force: Tif::Gtc,
            labels: Labels::new(false, false, !is_bid),
            client_order_id: ClientId::default(),
            group: None,
            self_trade_prevention: Stp::TakerAtCross,
            post_only: false,
            reduce_only: false,
            cancel_on_pause: false,
            expiration: OptNs::NONE,
            created_ns: cmd.ts_ns,
            updated_ns: cmd.ts_ns,
            filled: None,
            queue_seq: 0,
            live: false,
            gs_pos: 0,
            hold: h,
        };
        let slot = self.alloc_order(order);
        let side_group = self.collateral.side_mut(h, is_bid);
        side_group.add(&mut self.orders, slot);
        let needed = reserve_cc(side_group.target_fine(&self.orders, closable_c));
        if !self.ledger.can_reserve(acct, side_group.reserve_cc, needed) {
            side_group.remove(&mut self.orders, slot);
            self.free_now(slot);
            return reject(RejectReason::InsufficientBalance, "insufficient balance");
        }
        // Accepted: from here on nothing may reject.
        self.id_counter += 1;
        self.ledger.set_reserve(acct, &mut side_group.reserve_cc, needed, cmd.ts_ns);
        self.fill_in(slot, cmd, group);
        self.execute_new(slot, m, cmd.buy_max_cost_cc);
        Ok(self.last_state(slot))
    }

    fn validate_order(&self, cmd: &PlaceOrder<'_>, m: u32) -> Res<u32> {
        let idx = self.price_index(m, cmd.price_cc)?;
        self.check_size(m, cmd.count_c)?;
        if cmd.reduce_only && cmd.time_in_force != Tif::Ioc {
            return reject(
                RejectReason::ReduceOnlyRequiresIoc,
                "reduce_only requires immediate_or_cancel",
            );
        }
        if let Some(exp) = cmd.expiration_ts_ns {
            if cmd.time_in_force != Tif::Gtc {
                return reject(
                    RejectReason::InvalidExpiration,
                    "expiration_time needs good_till_canceled",
                );
            }
            if exp <= cmd.ts_ns {
                return reject(RejectReason::InvalidExpiration, "expiration_time is in the past");
            }
        }
        Ok(idx)
    }

    fn fill_in(&mut self, slot: u32, cmd: &PlaceOrder<'_>, group: Option<u64>) {
        let coid = cmd.client_order_id.filter(|c| !c.is_empty());
        let coid_held = coid.map(ClientId::new);
        let o = self.order_mut(slot);
        o.time_in_force = cmd.time_in_force;
        // The decoder admits only the two values of each label, so one comparison says which.
        let (no, sell) = match (cmd.legacy_side, cmd.legacy_action) {
            (Some(s), Some(a)) => (s == "no", a == "sell"),
            _ => (o.legacy_side() == "no", o.legacy_action() == "sell"),
        };
        o.labels = Labels::new(cmd.order_type == "market", no, sell);
        o.self_trade_prevention = cmd.self_trade_prevention;
        o.post_only = cmd.post_only;
        o.reduce_only = cmd.reduce_only;
        o.cancel_on_pause = cmd.cancel_order_on_pause;
        o.expiration = OptNs::new(cmd.expiration_ts_ns).expect("expiration in the domain");
        if let Some(c) = coid_held {
            o.client_order_id = c;
        }
        let (id, u, h) = (o.id, o.user, o.hold);
        if let Some(c) = coid {
            self.client_ids.insert((u, Box::from(c)), id);
        }
        if let Some(g) = group {
            self.order_mut(slot).group = NonZeroU64::new(g);
            self.groups.get_mut(&g).expect("group checked").orders.insert(id);
        }
        self.resting.insert(id, slot);
        self.users[u as usize].resting += 1;
        self.count_resting(h, 1, cmd.ts_ns);
    }

    /// Add `change` to the resting-order count of the position of holding `h` (an order's
    /// `hold`; the position is created on first use).
    #[inline(always)]
    pub(crate) fn count_resting(&mut self, h: u32, change: i64, ts: i64) {
        let p = self.position_at(h, ts);
        self.ledger.positions[p as usize].resting_orders += change;
        self.ledger.mark_position(p);
    }

    /// Match a new (or re-priced) order as taker, then rest or cancel what is left.
    pub(crate) fn execute_new(&mut self, slot: u32, m: u32, max_cost_cc: Option<i64>) {
        let mut reason: Option<&'static str> = None;
        let (post_only, tif, is_bid, idx) = {
            let o = self.order(slot);
            (o.post_only, o.time_in_force, o.is_bid, i64::from(o.price_idx))
        };
        if post_only || tif == Tif::Fok {
            reason = self.pre_match_check(slot, m, max_cost_cc);
        }
        let book = &self.markets[m as usize].book;
        if reason.is_none() && (if is_bid { book.best_ask <= idx } else { book.best_bid >= idx }) {
            reason = self.match_taker(slot, m);
        }
        let o = self.order(slot);
        if o.remaining_c == 0 {
            if o.status == OrderStatus::Resting {
                self.finish(slot, OrderStatus::Executed, "executed");
            }
            return;
        }
        if reason.is_none() && tif != Tif::Gtc {
            reason = Some(if tif == Tif::Fok { "fill_or_kill" } else { "immediate_or_cancel" });
        }
        if let Some(reason) = reason {
            self.cancel(slot, reason);
            return;
        }
        self.queue_counter += 1;
        let qseq = self.queue_counter;
        let o = self.order_mut(slot);
        o.queue_seq = qseq;
        let (id, exp, rem) = (o.id, o.expiration_ts_ns(), o.remaining_c);
        self.markets[m as usize].book.rest(&mut self.orders, slot);
        if let Some(exp) = exp {
            self.set_expiring(id, exp);
        }
        self.delta(m, slot, rem);
        self.push_order_event(slot, "resting");
    }

    fn pre_match_check(&self, slot: u32, m: u32, max_cost_cc: Option<i64>) -> Option<&'static str> {
        let o = self.order(slot);
        let market = &self.markets[m as usize];
        let book = &market.book;
        let idx = i64::from(o.price_idx);
        let crosses = if o.is_bid { book.best_ask <= idx } else { book.best_bid >= idx };
        if o.post_only {
            return crosses.then_some("post_only_cross");
        }
        if o.time_in_force != Tif::Fok {
            return None;
        }
        let prices = &self.grids.all[usize::from(market.grid)].prices_cc;
        let mut need = i128::from(o.remaining_c);
        let mut cost_fine = 0i128;
        for (level, _) in book.levels(!o.is_bid) {
            let level_i = level as i64;
            if if o.is_bid { level_i > idx } else { level_i < idx } {
                break;
            }
            let price = prices[level];
            let outcome = i128::from(if o.is_bid { price } else { ONE_DOLLAR_CC - price });
            for maker in book.orders_at(&self.orders, !o.is_bid, level) {
                let mk = self.order(maker);
                if mk.user == o.user {
                    return None; // Kalshi: a fill-or-kill that meets its own order acts as IOC
                }
                let take = need.min(i128::from(mk.remaining_c));
                need -= take;
                cost_fine += take * outcome;
                if need == 0 {
                    break;
                }
            }
            if need == 0 {
                break;
            }
        }
        if need > 0 {
            return Some("fill_or_kill");
        }
        if let Some(max) = max_cost_cc {
            if cost_fine > i128::from(max) * 100 {
                return Some("fill_or_kill");
            }
        }
        None
    }

    /// Cross the taker against the book; return a cancel reason if matching must stop.
    fn match_taker(&mut self, taker: u32, m: u32) -> Option<&'static str> {
        let (is_bid, limit, user, stp, mut remaining) = {
            let o = self.order(taker);
            (o.is_bid, i64::from(o.price_idx), o.user, o.self_trade_prevention, o.remaining_c)
        };
        while remaining != 0 {
            let book = &self.markets[m as usize].book;
            let idx = if is_bid { book.best_ask } else { book.best_bid };
            let stop = if is_bid { idx > limit || idx >= book.size as i64 } else { idx < limit || idx < 0 };
            if stop {
                return None;
            }
            let book = &mut self.markets[m as usize].book;
            let level = if is_bid { &mut book.asks[idx as usize] } else { &mut book.bids[idx as usize] };
            let maker = level.head(&self.orders).expect("best level has no live order").slot;
            let mk = self.order(maker);
            if mk.user == user {
                if stp == Stp::TakerAtCross {
                    return Some("self_trade_taker");
                }
                self.cancel(maker, "self_trade_maker");
                continue;
            }
            let count = remaining.min(mk.remaining_c);
            self.trade(m, taker, maker, count);
            let t = self.order(taker);
            if t.status != OrderStatus::Resting {
                return None; // cancelled by its order group's trigger
            }
            remaining = t.remaining_c;
        }
        None
    }

    fn trade(&mut self, m: u32, taker: u32, maker: u32, count_c: i64) {
        let ts = self.now_ns;
        // What the rest reads of the two orders and never changes (each look-up is a
        // bounds check and a live-slot check).
        let (ht, bt, taker_group) = {
            let o = self.order(taker);
            (o.hold, o.is_bid, o.order_group_id())
        };
        let (hm, bm, maker_group, price_cc) = {
            let o = self.order(maker);
            (o.hold, o.is_bid, o.order_group_id(), o.price_cc)
        };
        let trade_id = self.new_id();
        let fees = self.markets[m as usize].fees;
        let taker_fee = fill_fee_cc(&fees, price_cc, count_c, true);
        let maker_fee = fill_fee_cc(&fees, price_cc, count_c, false);
        let taker_side = self.fill_order(m, taker, false, price_cc, count_c, taker_fee);
        let maker_side = self.fill_order(m, maker, true, price_cc, count_c, maker_fee);
        let mut rt = self.collateral.side(ht, bt).map_or(0, |g| g.reserve_cc);
        let mut rm = self.collateral.side(hm, bm).map_or(0, |g| g.reserve_cc);
        self.ledger.post_fill(
            &mut self.markets[m as usize],
            count_c,
            [(&taker_side, &mut rt), (&maker_side, &mut rm)],
            ts,
        );
        self.collateral.side_mut(ht, bt).reserve_cc = rt;
        self.collateral.side_mut(hm, bm).reserve_cc = rm;
        let taker_pos = self.ledger.positions[taker_side.pos as usize].position_c;
        self.rebalance_held(ht, taker_pos);
        let maker_pos = self.ledger.positions[maker_side.pos as usize].position_c;
        self.rebalance_held(hm, maker_pos);
        let market = &mut self.markets[m as usize];
        market.volume_c += i128::from(count_c);
        market.open_interest_c = floor_div(market.escrow_cc.unwrap_or(0), 100);
        market.last_price_cc = price_cc;
        market.last_trade_ns = ts;
        for (slot, fee, side, is_taker) in
            [(taker, taker_fee, &taker_side, true), (maker, maker_fee, &maker_side, false)]
        {
            let fill_id = self.new_id();
            let o = self.order(slot);
            let ev = Event::Fill {
                ts_ns: ts,
                fill_id,
                trade_id,
                order_id: o.id,
                user: o.user,
                sub: o.sub(),
                market: m,
                side: o.side(),
                labels: o.labels,
                price_cc,
                count_c,
                is_taker,
                fee_cc: fee,
                post_position_c: self.ledger.positions[side.pos as usize].position_c,
                client_order_id: o.client_order_id.clone(),
            };
            self.out.push(ev);
        }
        let taker_side_str = if bt { Side::Bid } else { Side::Ask };
        self.out.push(Event::Trade { ts_ns: ts, trade_id, market: m, price_cc, count_c, taker_side: taker_side_str });
        self.delta(m, maker, -count_c);
        if self.order(maker).remaining_c == 0 {
            self.finish(maker, OrderStatus::Executed, "executed");
        } else {
            self.push_order_event(maker, "filled");
        }
        if let Some(g) = taker_group {
            self.group_fill(g, count_c);
        }
        if let Some(g) = maker_group {
            self.group_fill(g, count_c);
        }
    }

    fn fill_order(
        &mut self,
        m: u32,
        slot: u32,
        is_maker: bool,
        price_cc: i64,
        count_c: i64,
        fee: i128,
    ) -> crate::ledger::FillSide {
        let ts = self.now_ns;
        // The order is read once and written once (each look-up is a bounds check and a
        // live-slot check); the group is uncounted with the values it was counted with.
        let (is_bid, h, acc) = {
            let o = self.order(slot);
            (o.is_bid, o.hold, o.fee_acc_fine)
        };
        self.collateral.side_mut(h, is_bid).remove(&mut self.orders, slot);
        let acct = self.collateral.rec(h).acct();
        let pos = self.position_at(h, ts);
        let outcome = if is_bid { price_cc } else { ONE_DOLLAR_CC - price_cc };
        let mut acc = i128::from(acc);
        let side = self.ledger.fill_side(acct, pos, &mut acc, is_bid, outcome, count_c, fee, ts);
        self.collateral.set_held(h, self.ledger.positions[pos as usize].position_c);
        let cost = i128::from(outcome) * i128::from(count_c);
        let o = self.orders[slot as usize].as_mut().expect("a live slot");
        // The accumulator is back in 0..CENT_FINE after every fill.
        o.fee_acc_fine = acc as u32;
        let f = fills_of(o, &mut self.spare_fills);
        if is_maker {
            f.maker_fill_cost_fine += cost;
            f.maker_fees_cc += fee;
        } else {
            f.taker_fill_cost_fine += cost;
            f.taker_fees_cc += fee;
            o.remaining_c -= count_c;
        }
        o.fill_c += count_c;
        o.updated_ns = ts;
        // A maker's remaining count goes down with its level's (`Book::shrink`).
        let remaining = if is_maker { o.remaining_c - count_c } else { o.remaining_c };
        if is_maker {
            self.markets[m as usize].book.shrink(&mut self.orders, slot, count_c);
        }
        if remaining != 0 {
            self.collateral.side_mut(h, is_bid).add(&mut self.orders, slot);
        }
        side
    }

    pub(crate) fn delta(&mut self, m: u32, slot: u32, delta_c: i64) {
        let market = &mut self.markets[m as usize];
        market.book_seq += 1;
        let seq = market.book_seq;
        let o = self.orders[slot as usize].as_ref().expect("a live slot");
        let now_ns = self.now_ns;
        // Written over a stale delta in the next slot where one lies (as `flush`).
        let written = self.out.push_in_place(|ev| match ev {
            Event::Delta { ts_ns, market, seq: s, side, price_cc, delta_c: d, user, sub, client_order_id } => {
                *ts_ns = now_ns;
                *market = m;
                *s = seq;
                *side = o.side();
                *price_cc = o.price_cc;
                *d = delta_c;
                *user = o.user;
                *sub = o.sub();
                client_order_id.set(&o.client_order_id);
                true
            }
            _ => false,
        });
        if !written {
            self.out.push(Event::Delta {
                ts_ns: now_ns,
                market: m,
                seq,
                side: o.side(),
                price_cc: o.price_cc,
                delta_c,
                user: o.user,
                sub: o.sub(),
                client_order_id: o.client_order_id.clone(),
            });
        }
    }

    /// Retire an order that left the book (filled or cancelled).
    pub(crate) fn finish(&mut self, slot: u32, status: OrderStatus, reason: &'static str) {
        let now = self.now_ns;
        let o = self.order_mut(slot);
        o.status = status;
        o.updated_ns = now;
        let (id, u, group, expires, h) = (o.id, o.user, o.order_group_id(), o.expiration_ts_ns().is_some(), o.hold);
        let has_client_id = !o.client_order_id.is_empty();
        self.resting.remove(&id);
        // Only an order with an expiration is in the due index (`set_expiring`'s callers).
        if expires {
            self.drop_expiring(id);
        }
        self.users[u as usize].resting -= 1;
        self.count_resting(h, -1, now);
        if let Some(g) = group {
            if let Some(group) = self.groups.get_mut(&g) {
                group.orders.remove(&id);
            }
        }
        // Cloned (a reference count) only when there is a client id to retire.
        if has_client_id {
            let coid = self.order(slot).client_order_id.clone();
            self.retire_client_id(u, &coid);
        }
        self.push_order_event(slot, reason);
        self.retire(slot);
    }

    /// Keep a client id no open order uses any more reserved while it is among the user's
    /// last `CLIENT_IDS_RETAINED` retired ones; release the oldest beyond that.
    pub(crate) fn retire_client_id(&mut self, u: u32, coid: &str) {
        let retired = &mut self.users[u as usize].retired;
        if retired.iter().any(|r| &**r == coid) {
            return; // already retired: it keeps its place (a dict key re-set in Python)
        }
        retired.push_back(Box::from(coid));
        if retired.len() > crate::domain::CLIENT_IDS_RETAINED {
            let oldest = retired.pop_front().expect("more than the bound");
            self.client_ids.remove(&(u, oldest));
        }
    }

    /// Cancel whatever remains of a live order; return the size cancelled.
    pub(crate) fn cancel(&mut self, slot: u32, reason: &'static str) -> i64 {
        let (m, h, remaining, live, is_bid) = {
            let o = self.order(slot);
            (o.market, o.hold, o.remaining_c, o.live, o.is_bid)
        };
        self.collateral.side_mut(h, is_bid).remove(&mut self.orders, slot);
        if live {
            self.markets[m as usize].book.remove(&mut self.orders, slot, false, true);
            self.delta(m, slot, -remaining);
        }
        self.order_mut(slot).remaining_c = 0;
        self.rebalance(h);
        self.finish(slot, OrderStatus::Canceled, reason);
        remaining
    }

    /// The order's latest state as a command's value: the event just emitted when it is
    /// that state (`Value::Event`, no copy), else a new snapshot.
    pub(crate) fn last_state(&mut self, slot: u32) -> Value {
        let o = self.order(slot);
        for (i, ev) in self.out.iter().enumerate().rev() {
            if let Event::Order(snap) = ev {
                if snap.id == o.id {
                    if snap.remaining_c == o.remaining_c && snap.status == o.status {
                        return Value::Event(i);
                    }
                    break;
                }
            }
        }
        Value::Order(self.snap_box(slot, "placed"))
    }

    /// Overwrite `snap` with the order's state (as `snapshot`). Every field is named, so a
    /// field added to `OrderSnap` must be written here; the client order id is left alone
    /// when the box already holds the same one (`ClientId::set`: no reference counting).
    pub(crate) fn snapshot_into(&self, snap: &mut OrderSnap, slot: u32, reason_now: &'static str) {
        write_snapshot(snap, self.order(slot), self.now_ns, reason_now);
    }

    /// Push an order's snapshot as an event: written into the box of a stale order event
    /// in the next event slot when it holds one (no box moved in or out), else into a
    /// reused or new box (`snap_box`).
    pub(crate) fn push_order_event(&mut self, slot: u32, reason: &'static str) {
        let o = self.orders[slot as usize].as_ref().expect("a live slot");
        let now_ns = self.now_ns;
        if self.out.push_order_in_place(|snap| write_snapshot(snap, o, now_ns, reason)) {
            return;
        }
        let snap = self.snap_box(slot, reason);
        self.out.push(Event::Order(snap));
    }

    pub(crate) fn snapshot(&self, slot: u32, reason: &'static str) -> OrderSnap {
        let o = self.order(slot);
        OrderSnap {
            ts_ns: self.now_ns,
            id: o.id,
            user: o.user,
            sub: o.sub(),
            market: o.market,
            side: o.side(),
            price_cc: o.price_cc,
            initial_c: o.initial_c,
            fill_c: o.fill_c,
            remaining_c: o.remaining_c,
            status: o.status,
            reason,
            time_in_force: o.time_in_force,
            labels: o.labels,
            client_order_id: o.client_order_id.clone(),
            order_group_id: o.order_group_id(),
            self_trade_prevention: o.self_trade_prevention,
            post_only: o.post_only,
            cancel_order_on_pause: o.cancel_on_pause,
            expiration_ts_ns: o.expiration_ts_ns(),
            created_ns: o.created_ns,
            taker_fill_cost_cc: fine_to_cc(o.fills().taker_fill_cost_fine),
            maker_fill_cost_cc: fine_to_cc(o.fills().maker_fill_cost_fine),
            taker_fees_cc: o.fills().taker_fees_cc,
            maker_fees_cc: o.fills().maker_fees_cc,
            queue_seq: o.queue_seq,
        }
    }
}

/// Overwrite `snap` with the order's state at `now_ns` (as `Engine::snapshot`). Every field
/// is named, so a field added to `OrderSnap` must be written here; the client order id is
/// left alone when the box already holds the same one (`ClientId::set`: no reference
/// counting).
#[inline(always)]
fn write_snapshot(snap: &mut OrderSnap, o: &Order, now_ns: i64, reason_now: &'static str) {
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
    } = snap;
    *ts_ns = now_ns;
    *id = o.id;
    *user = o.user;
    *sub = o.sub();
    *market = o.market;
    *side = o.side();
    *price_cc = o.price_cc;
    *initial_c = o.initial_c;
    *fill_c = o.fill_c;
    *remaining_c = o.remaining_c;
    *status = o.status;
    *reason = reason_now;
    *time_in_force = o.time_in_force;
    *labels = o.labels;
    client_order_id.set(&o.client_order_id);
    *order_group_id = o.order_group_id();
    *self_trade_prevention = o.self_trade_prevention;
    *post_only = o.post_only;
    *cancel_order_on_pause = o.cancel_on_pause;
    *expiration_ts_ns = o.expiration_ts_ns();
    *created_ns = o.created_ns;
    let fills = o.fills();
    *taker_fill_cost_cc = fine_to_cc(fills.taker_fill_cost_fine);
    *maker_fill_cost_cc = fine_to_cc(fills.maker_fill_cost_fine);
    *taker_fees_cc = fills.taker_fees_cc;
    *maker_fees_cc = fills.maker_fees_cc;
    *queue_seq = o.queue_seq;
}
