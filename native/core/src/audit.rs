//! The auditor (mirrors `augury.engine.audit`): checks from scratch that the books balance.
//!
//! 1. conservation: available + reserved + escrow + fee revenue + outside world = 0;
//! 2. no negative available or reserved cash, and user cash is whole cents;
//! 3. per market, YES held = NO held, escrow = $1 per pair, open interest = pairs;
//! 4. no book is crossed, level totals equal their live orders, cached bests are right,
//!    every resting order is in its book;
//! 5. every collateral group's reserve equals what its orders require, and each account's
//!    reserved cash is the sum of its groups' reserves;
//! 7. the due index a Tick reads holds exactly the resting orders with an expiration at
//!    their expiration, and every market with a lifecycle step ahead at that step's time;
//! 8. (Rust only: derived records) each user's main account is `account_ix`'s for
//!    subaccount 0; each (account, market) holding names the ledger's
//!    position of its key, every position has its holding, and every live order names the
//!    holding of its account and market.
//!
//! Returns every violation found (empty when sound), so a simulation can print them all.

use std::collections::HashMap;

use crate::book::entry_live;
use crate::exchange::Engine;
use crate::model::{reserve_cc, GroupSide};
use crate::units::CC_PER_CENT;

impl Engine {
    pub fn audit(&self) -> Vec<String> {
        let mut problems = Vec::new();
        self.audit_cash(&mut problems);
        self.audit_contracts(&mut problems);
        self.audit_books(&mut problems);
        self.audit_reserves(&mut problems);
        self.audit_due(&mut problems);
        self.audit_holdings(&mut problems);
        problems
    }

    fn audit_holdings(&self, problems: &mut Vec<String>) {
        let l = &self.ledger;
        for (u, &a) in l.main_accounts.iter().enumerate() {
            let indexed = l.account_ix.get(&(u as u32, 0)).copied().unwrap_or(crate::ledger::NO_ACCOUNT);
            if a != indexed {
                problems.push(format!("user {u}'s main account {a} != indexed {indexed}"));
            }
        }
        if l.account_ix.keys().any(|&(u, s)| s == 0 && l.main_accounts.get(u as usize).is_none()) {
            problems.push("a main account missing from the users' index".to_string());
        }
        for (h, rec) in self.collateral.holdings() {
            let key = (rec.acct(), rec.market());
            if self.collateral.find(key.0, key.1) != Some(h) {
                problems.push(format!("holding {h} of {key:?} is not indexed under its key"));
            }
            if let Some(p) = rec.position().map(|p| p as usize) {
                if l.positions.get(p).is_none_or(|pos| (pos.acct, pos.market) != key) {
                    problems.push(format!("holding {h} of {key:?} links to position {p} of another key"));
                }
            }
            let held = rec.position().and_then(|p| l.positions.get(p as usize)).map_or(0, |p| p.position_c);
            if rec.held_c() != crate::holdings::held_copy(held) {
                problems.push(format!("holding {h} of {key:?} copies position {} as {}", held, rec.held_c()));
            }
        }
        for (p, pos) in l.positions.iter().enumerate() {
            let linked = self.collateral.find(pos.acct, pos.market).and_then(|h| self.collateral.rec(h).position());
            if linked != Some(p as u32) {
                problems.push(format!("position {p} has no holding naming it"));
            }
        }
        for o in self.orders.iter().flatten() {
            let acct = &self.ledger.accounts[self.collateral.rec(o.hold).acct() as usize];
            if self.collateral.rec(o.hold).market() != o.market || (acct.user, acct.sub) != (o.user, o.sub()) {
                problems.push(format!("order {} names holding {} not its own", o.id, o.hold));
            }
        }
    }

    fn audit_due(&self, problems: &mut Vec<String>) {
        let mut orders: Vec<(i64, u64)> = self
            .resting
            .iter()
            .filter_map(|(id, slot)| self.order(slot).expiration_ts_ns().map(|e| (e, id)))
            .collect();
        orders.sort_unstable();
        let held: Vec<(i64, u64)> = self.expiring_by_ts.iter().copied().collect();
        let mut by_id: Vec<(i64, u64)> = self.expiring.iter().map(|(&id, &e)| (e, id)).collect();
        by_id.sort_unstable();
        if held != orders || by_id != orders {
            problems.push("expiry index differs from the resting orders' expirations".to_string());
        }
        let mut markets: Vec<(i64, u32)> =
            self.markets.iter().filter_map(|m| m.next_step_ns().map(|t| (t, m.index))).collect();
        markets.sort_unstable();
        let held: Vec<(i64, u32)> = self.market_due.iter().copied().collect();
        let mirrored = self.markets.iter().all(|m| m.due_ns == m.next_step_ns());
        if held != markets || !mirrored {
            problems.push("market step index differs from the markets' next steps".to_string());
        }
    }

    fn audit_cash(&self, problems: &mut Vec<String>) {
        let l = &self.ledger;
        let mut total = l.fee_revenue_cc + l.external_cc;
        total += self.markets.iter().filter_map(|m| m.escrow_cc).sum::<i128>();
        for a in &l.accounts {
            total += a.available_cc + a.reserved_cc;
            let key = (self.user_id(a.user), a.sub);
            if a.available_cc < 0 || a.reserved_cc < 0 {
                problems.push(format!("negative balance {key:?}: {}/{}", a.available_cc, a.reserved_cc));
            }
            let cent = i128::from(CC_PER_CENT);
            if a.available_cc % cent != 0 || a.reserved_cc % cent != 0 {
                problems.push(format!("cash of {key:?} is not whole cents: {}", a.available_cc));
            }
        }
        if total != 0 {
            problems.push(format!("money not conserved: accounts sum to {total} cc"));
        }
    }

    fn audit_contracts(&self, problems: &mut Vec<String>) {
        let n = self.markets.len();
        let (mut yes, mut no) = (vec![0i128; n], vec![0i128; n]);
        for p in &self.ledger.positions {
            if p.position_c > 0 {
                yes[p.market as usize] += p.position_c;
            } else {
                no[p.market as usize] -= p.position_c;
            }
        }
        for (i, m) in self.markets.iter().enumerate() {
            if yes[i] != no[i] {
                problems.push(format!("{}: YES held {} != NO held {}", m.ticker, yes[i], no[i]));
            }
            let escrow = m.escrow_cc.unwrap_or(0);
            if escrow != yes[i] * i128::from(CC_PER_CENT) {
                problems.push(format!("{}: escrow {escrow} cc != $1 x {} c pairs", m.ticker, yes[i]));
            }
            if m.open_interest_c != yes[i] {
                problems.push(format!("{}: open interest {} != {}", m.ticker, m.open_interest_c, yes[i]));
            }
        }
    }

    fn audit_books(&self, problems: &mut Vec<String>) {
        let mut seen = 0usize;
        for m in &self.markets {
            let book = &m.book;
            for (is_bid, levels) in [(true, &book.bids), (false, &book.asks)] {
                let mut best: Option<usize> = None;
                for (idx, level) in levels.iter().enumerate() {
                    let live: Vec<u32> = level
                        .entries
                        .iter()
                        .filter(|&&e| entry_live(&self.orders, e))
                        .map(|e| e.slot)
                        .collect();
                    let sum: i64 = live.iter().map(|&s| self.order(s).remaining_c).sum();
                    if sum != level.total_c {
                        problems.push(format!("{} level {idx} total {} != its orders", m.ticker, level.total_c));
                    }
                    let dead = level.entries.len() - live.len();
                    if dead != level.dead as usize {
                        problems.push(format!("{} level {idx}: {dead} dead entries, counted {}", m.ticker, level.dead));
                    }
                    for s in live {
                        seen += 1;
                        let o = self.order(s);
                        if o.price_idx as usize != idx || o.is_bid != is_bid || o.remaining_c <= 0 {
                            problems.push(format!("{}: order {} misplaced", m.ticker, self.id_text(1, o.id)));
                        }
                        if self.resting.get(&o.id) != Some(&s) {
                            problems.push(format!("{}: resting {} not in the order index", m.ticker, self.id_text(1, o.id)));
                        }
                    }
                    if level.total_c != 0 {
                        best = Some(match best {
                            None => idx,
                            Some(b) if is_bid => b.max(idx),
                            Some(b) => b.min(idx),
                        });
                    }
                }
                let expected = match best {
                    Some(b) => b as i64,
                    None if is_bid => -1,
                    None => book.size as i64,
                };
                let cached = if is_bid { book.best_bid } else { book.best_ask };
                if expected != cached {
                    problems.push(format!("{}: cached best {} {cached} != {expected}", m.ticker, if is_bid { "bid" } else { "ask" }));
                }
            }
            if book.best_bid >= book.best_ask {
                problems.push(format!("{}: book crossed ({} >= {})", m.ticker, book.best_bid, book.best_ask));
            }
        }
        if seen != self.resting.len() {
            problems.push(format!("orders indexed but not resting: {} of {}", self.resting.len() - seen.min(self.resting.len()), self.resting.len()));
        }
    }

    fn audit_reserves(&self, problems: &mut Vec<String>) {
        let mut reserved: HashMap<u32, i128> = HashMap::new();
        for ((acct, m, is_bid), group) in self.collateral.iter() {
            *reserved.entry(acct).or_default() += group.reserve_cc;
            let live: Vec<u32> = group.slots.iter().copied().filter(|&s| self.orders[s as usize].is_some()).collect();
            let fresh = GroupSide::recount(&self.orders, &live);
            let expected = reserve_cc(fresh.target_fine(&self.orders, self.closable(acct, m, is_bid)));
            if group.reserve_cc != expected {
                let key = self.account_key(acct);
                problems.push(format!(
                    "reserve of {key:?} {} {}: {} != required {expected}",
                    self.markets[m as usize].ticker,
                    if is_bid { "bid" } else { "ask" },
                    group.reserve_cc
                ));
            }
            for &s in &group.slots {
                match &self.orders[s as usize] {
                    Some(o) if self.resting.get(&o.id) == Some(&s) => {}
                    _ => problems.push(format!("collateral counts a dead order in slot {s}")),
                }
            }
        }
        for (i, a) in self.ledger.accounts.iter().enumerate() {
            let expected = reserved.get(&(i as u32)).copied().unwrap_or(0);
            if a.reserved_cc != expected {
                problems.push(format!("reserved cash of {:?} {} != groups {expected}", self.account_key(i as u32), a.reserved_cc));
            }
        }
    }
}
