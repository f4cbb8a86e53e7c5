//! Where a command will read, found before it is applied: the batch loop of the binding
//! asks for the records command N+1 touches while command N runs, to hint them into cache
//! (decision 0065).
//!
//! Invariants: `Engine::lookahead` only reads (`&self`), never rejects and never panics on
//! any decoded command (unknown ids, off-grid prices and stale orders just give fewer
//! addresses; a resting order's holding always exists); the addresses are hints for a prefetch, valid only until the engine next
//! changes (the command before may move or free any of them), and are never dereferenced
//! here or by the caller.

use crate::commands::{Command, Side, Text};
use crate::exchange::Engine;

/// The most addresses one command names.
pub const AHEAD_MAX: usize = 6;

/// Addresses of records a command will read, first `len` of `at` valid.
pub struct Ahead {
    pub at: [*const u8; AHEAD_MAX],
    pub len: usize,
}

impl Ahead {
    fn new() -> Self {
        Ahead { at: [std::ptr::null(); AHEAD_MAX], len: 0 }
    }

    #[inline]
    fn push<T>(&mut self, record: &T) {
        if self.len < AHEAD_MAX {
            self.at[self.len] = std::ptr::from_ref(record).cast::<u8>();
            self.len += 1;
        }
    }
}

impl Engine {
    /// The records `command` will read first: for an order, its user, main account, market,
    /// the book level at its price and its holding; for a cancel, amend or decrease, the
    /// order's slot, user, market, level and holding. Other commands name none.
    pub fn lookahead(&self, command: &Command<'_>) -> Ahead {
        let mut ahead = Ahead::new();
        match command {
            Command::PlaceOrder(c) => {
                self.ahead_order(&mut ahead, c.user_id, c.ticker, c.side == Side::Bid, c.price_cc, c.subaccount)
            }
            Command::CancelOrder { order_id, .. } => self.ahead_resting(&mut ahead, *order_id),
            Command::AmendOrder(c) => self.ahead_resting(&mut ahead, c.order_id),
            Command::DecreaseOrder { order_id, .. } => self.ahead_resting(&mut ahead, Text::from(*order_id)),
            _ => {}
        }
        ahead
    }

    fn ahead_order(&self, ahead: &mut Ahead, user_id: Text<'_>, ticker: Text<'_>, is_bid: bool, price_cc: i64, sub: i64) {
        let Some(u) = self.user_index(user_id) else { return };
        let Some(&m) = self.market_ix.get(ticker.as_bytes()) else { return };
        let (Some(user), Some(market)) = (self.users.get(u as usize), self.markets.get(m as usize)) else {
            return;
        };
        ahead.push(user);
        ahead.push(market);
        let acct = self.ledger.find_account(u, sub);
        if let Some(a) = acct.and_then(|a| self.ledger.accounts.get(a as usize)) {
            ahead.push(a);
        }
        if let Some(idx) = self.grids.all.get(usize::from(market.grid)).and_then(|g| g.index_of(price_cc)) {
            let levels = if is_bid { &market.book.bids } else { &market.book.asks };
            if let Some(level) = levels.get(idx) {
                ahead.push(level);
            }
        }
        if let Some(h) = acct.and_then(|a| self.collateral.find(a, m)) {
            ahead.push(self.collateral.rec(h));
        }
    }

    fn ahead_resting(&self, ahead: &mut Ahead, order_id: Text<'_>) {
        let Some(slot) = self.parse_id(1, order_id).and_then(|id| self.resting.get(&id).copied()) else {
            return;
        };
        let Some(Some(o)) = self.orders.get(slot as usize) else { return };
        ahead.push(o);
        if let Some(user) = self.users.get(o.user as usize) {
            ahead.push(user);
        }
        if let Some(market) = self.markets.get(o.market as usize) {
            ahead.push(market);
            let levels = if o.is_bid { &market.book.bids } else { &market.book.asks };
            if let Some(level) = levels.get(o.price_idx as usize) {
                ahead.push(level);
            }
        }
        // A resting order's holding exists (the engine's invariant; `audit` checks it).
        ahead.push(self.collateral.rec(o.hold));
    }
}
