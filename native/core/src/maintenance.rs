//! Command family: cancel, cancel-all, decrease and amend of resting orders.
//!
//! Contract (as `augury.engine.exchange`): only the owner finds an order (and only the
//! owner learns that its market closed); an order keeps its queue place when only its size
//! goes down, anything else re-enters it at the back and may match at once; an amend is
//! checked (validation, identity, market state, then collateral) before anything changes.


use crate::commands::{AmendOrder, Text};
use crate::events::{ClientId, Event};
use crate::exchange::{Engine, Value};
use crate::fees::fee_lot_cc;
use crate::model::{reserve_cc, OptNs};
use crate::rejects::{reject, RejectReason, Res};

impl Engine {
    /// The resting order of an owner, or the owner's closed-market refusal, or not found.
    pub(crate) fn own_order<'t>(
        &self,
        user_id: impl Into<Text<'t>>,
        order_id: impl Into<Text<'t>>,
        sub: Option<i64>,
    ) -> Res<u32> {
        let (user_id, order_id) = (user_id.into(), order_id.into());
        let id = self.parse_id(1, order_id);
        let found = id.and_then(|id| self.resting.get(&id).copied()).filter(|&slot| {
            let o = self.order(slot);
            self.user_id(o.user).as_bytes() == user_id.as_bytes() && sub.is_none_or(|s| o.sub() == s)
        });
        if let Some(slot) = found {
            return Ok(slot);
        }
        if let Some(&(m, acct)) = id.and_then(|id| self.closed_orders.get(&id)) {
            let a = &self.ledger.accounts[acct as usize];
            if self.user_id(a.user).as_bytes() == user_id.as_bytes() && sub.is_none_or(|s| a.sub == s) {
                let ticker = &self.markets[m as usize].ticker;
                return reject(RejectReason::MarketClosed, format!("market {ticker} is closed"));
            }
        }
        // Built by hand: a quarter of a cancel-heavy stream lands here, and `format!` costs
        // several times the pushes.
        let mut message = String::with_capacity(order_id.len() + 16);
        message.push_str("order ");
        message.push_str(order_id.as_str());
        message.push_str(" not found");
        reject(RejectReason::OrderNotFound, message)
    }

    fn check_maintenance(&self, slot: u32) -> Res<u32> {
        let m = self.order(slot).market;
        let market = &self.markets[m as usize];
        if !market.status.before_close() {
            return reject(RejectReason::MarketClosed, format!("market {} is closed", market.ticker));
        }
        Ok(m)
    }

    pub(crate) fn cancel_cmd<'t>(
        &mut self,
        user_id: impl Into<Text<'t>>,
        order_id: impl Into<Text<'t>>,
        sub: Option<i64>,
    ) -> Res<Value> {
        let slot = self.own_order(user_id, order_id, sub)?;
        self.check_maintenance(slot)?;
        self.cancel(slot, "canceled");
        match self.out.last() {
            Some(Event::Order(_)) => Ok(Value::Event(self.out.len() - 1)),
            _ => unreachable!("a cancel ends with the order's final state"),
        }
    }

    pub(crate) fn cancel_all(
        &mut self,
        user_id: &str,
        sub: Option<i64>,
        ticker: Option<&str>,
    ) -> Res<Value> {
        let Some(u) = self.user_index(user_id) else {
            return Self::unknown_user(user_id);
        };
        let market = match ticker {
            Some(t) => match self.market_ix.get(t.as_bytes()) {
                Some(&m) => Some(m),
                None => return Ok(Value::StrList(Vec::new())), // no order can be in it
            },
            None => None,
        };
        let mut doomed: Vec<(u64, u32)> = self
            .resting
            .iter()
            .filter(|&(_, slot)| {
                let o = self.order(slot);
                o.user == u && sub.is_none_or(|s| o.sub() == s) && market.is_none_or(|m| o.market == m)
            })
            .collect();
        doomed.sort_unstable();
        let mut ids = Vec::with_capacity(doomed.len());
        for (id, slot) in doomed {
            self.cancel(slot, "canceled");
            ids.push(self.id_text(1, id));
        }
        Ok(Value::StrList(ids))
    }

    pub(crate) fn decrease(
        &mut self,
        user_id: &str,
        order_id: &str,
        reduce_by_c: Option<i64>,
        reduce_to_c: Option<i64>,
        sub: Option<i64>,
    ) -> Res<Value> {
        let slot = self.own_order(user_id, order_id, sub)?;
        let m = self.check_maintenance(slot)?;
        let lot = self.markets[m as usize].lot_c;
        let remaining = self.order(slot).remaining_c;
        let new_remaining = match (reduce_by_c, reduce_to_c) {
            (Some(by), None) => {
                if by <= 0 || by % lot != 0 {
                    return reject(RejectReason::InvalidCount, "reduce_by must be a positive lot multiple");
                }
                (i128::from(remaining) - i128::from(by)).max(0) as i64
            }
            (None, Some(to)) => {
                if to < 0 || to % lot != 0 {
                    return reject(RejectReason::InvalidCount, "reduce_to must be a lot multiple");
                }
                if to > remaining {
                    return reject(RejectReason::InvalidAmend, "reduce_to exceeds the remaining size");
                }
                to
            }
            _ => {
                return reject(
                    RejectReason::InvalidParameters,
                    "give exactly one of reduce_by and reduce_to",
                )
            }
        };
        if new_remaining == 0 {
            self.cancel(slot, "canceled");
            return Ok(Value::Order(self.snap_box(slot, "canceled")));
        }
        self.shrink_resting(slot, m, remaining - new_remaining);
        Ok(Value::Order(self.snap_box(slot, "decreased")))
    }

    fn shrink_resting(&mut self, slot: u32, m: u32, by_c: i64) {
        if by_c == 0 {
            return;
        }
        self.gs_remove(slot);
        self.markets[m as usize].book.shrink(&mut self.orders, slot, by_c);
        self.gs_add(slot);
        let now = self.now_ns;
        let o = self.order_mut(slot);
        o.updated_ns = now;
        let h = o.hold;
        self.rebalance(h);
        self.delta(m, slot, -by_c);
        self.push_order_event(slot, "decreased");
    }

    pub(crate) fn amend(&mut self, cmd: &AmendOrder<'_>) -> Res<Value> {
        let slot = self.own_order(cmd.user_id, cmd.order_id, cmd.subaccount)?;
        let o = self.order(slot);
        let m = o.market;
        if cmd.ticker != &*self.markets[m as usize].ticker {
            return reject(RejectReason::OrderTickerMismatch, "ticker does not match the order");
        }
        if cmd.side != o.side() {
            return reject(RejectReason::OrderSideMismatch, "side does not match the order");
        }
        if let Some(c) = cmd.client_order_id.filter(|c| !c.is_empty()) {
            if c != &*o.client_order_id {
                return reject(
                    RejectReason::OrderIdClientOrderIdMismatch,
                    "client_order_id does not match",
                );
            }
        }
        let idx = self.price_index(m, cmd.price_cc)?;
        self.check_size(m, cmd.count_c)?;
        let o = self.order(slot);
        let new_coid = cmd.updated_client_order_id.filter(|c| !c.is_empty() && *c != &*o.client_order_id);
        if let Some(c) = new_coid {
            if self.client_ids.contains_key(&(o.user, Box::from(c))) {
                return reject(RejectReason::OrderAlreadyExists, "updated_client_order_id already used");
            }
        }
        let mut expiration = o.expiration_ts_ns();
        if let Some(exp) = cmd.expiration_ts_ns {
            expiration = if exp == 0 { None } else { Some(exp) };
            if matches!(expiration, Some(e) if e <= cmd.ts_ns) {
                return reject(RejectReason::InvalidExpiration, "expiration_time is in the past");
            }
        }
        self.check_trading(m)?;
        let new_remaining = i128::from(cmd.count_c) - i128::from(o.fill_c);
        if new_remaining <= 0 {
            return reject(RejectReason::InvalidAmend, "count must exceed the filled size");
        }
        let new_remaining = new_remaining as i64;
        self.reserve_amend(slot, m, cmd.price_cc, idx, new_remaining)?;
        // Accepted.
        let old = self.snapshot(slot, "amended");
        let (id, u) = (self.order(slot).id, self.order(slot).user);
        if let Some(c) = new_coid {
            self.client_ids.insert((u, Box::from(c)), id);
            let old = self.order(slot).client_order_id.clone();
            if !old.is_empty() {
                self.retire_client_id(u, &old);
            }
            self.order_mut(slot).client_order_id = ClientId::new(c);
        }
        self.order_mut(slot).expiration = OptNs::new(expiration).expect("expiration in the domain");
        self.drop_expiring(id);
        let o = self.order(slot);
        let keeps_place = cmd.price_cc == o.price_cc && new_remaining <= o.remaining_c;
        let remaining = o.remaining_c;
        self.order_mut(slot).initial_c = cmd.count_c;
        if keeps_place {
            if let Some(e) = expiration {
                self.set_expiring(id, e);
            }
            self.shrink_resting(slot, m, remaining - new_remaining);
            let new = self.snap_box(slot, "amended");
            let old = self.boxed(old);
            return Ok(Value::Amend(old, new));
        }
        self.gs_remove(slot);
        self.markets[m as usize].book.unqueue(&mut self.orders, slot);
        self.delta(m, slot, -remaining);
        let fees = self.markets[m as usize].fees;
        let o = self.order_mut(slot);
        o.set_price(cmd.price_cc, idx);
        o.remaining_c = new_remaining;
        o.fee_lot_cc = fee_lot_cc(&fees, o.outcome_limit_cc(), o.lot_c());
        o.updated_ns = cmd.ts_ns;
        let h = o.hold;
        self.gs_add(slot);
        self.execute_new(slot, m, None);
        self.rebalance(h);
        let new = self.snap_box(slot, "amended");
        let old = self.boxed(old);
        Ok(Value::Amend(old, new))
    }

    /// Check the account can carry the amended order; change nothing if not.
    fn reserve_amend(&mut self, slot: u32, m: u32, price_cc: i64, idx: u32, remaining_c: i64) -> Res<()> {
        let fees = self.markets[m as usize].fees;
        let (is_bid, h) = (self.order(slot).is_bid, self.order(slot).hold);
        let acct = self.collateral.rec(h).acct();
        let saved = {
            let o = self.order(slot);
            (o.price_cc, o.price_idx, o.remaining_c, o.fee_lot_cc)
        };
        self.gs_remove(slot);
        let o = self.order_mut(slot);
        o.set_price(price_cc, idx);
        o.remaining_c = remaining_c;
        o.fee_lot_cc = fee_lot_cc(&fees, o.outcome_limit_cc(), o.lot_c());
        self.gs_add(slot);
        let closable = self.closable_at(h, is_bid);
        let group = self.collateral.side(h, is_bid).expect("group exists");
        let needed = reserve_cc(group.target_fine(&self.orders, closable));
        let ok = self.ledger.can_reserve(acct, group.reserve_cc, needed);
        self.gs_remove(slot);
        let o = self.order_mut(slot);
        o.set_price(saved.0, saved.1);
        o.remaining_c = saved.2;
        o.fee_lot_cc = saved.3;
        self.gs_add(slot);
        if !ok {
            return reject(RejectReason::InsufficientBalance, "insufficient balance for the amendment");
        }
        let now = self.now_ns;
        let group = self.collateral.side_if_present(h, is_bid).expect("group exists");
        if needed > group.reserve_cc {
            self.ledger.set_reserve(acct, &mut group.reserve_cc, needed, now);
        }
        Ok(())
    }
}
