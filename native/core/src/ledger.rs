//! The double-entry ledger in integer centi-cents (mirrors `augury.ledger.accounts`).
//!
//! Accounts (a user's subaccount: available and reserved cash), positions netted per account
//! per market, each market's escrow ($1 per open pair, kept on the market), the exchange's
//! fee revenue and the outside world; all of them sum to zero. Cash balances move in whole
//! cents: each fill's balance change is floored to the cent and the per-order accumulator
//! rebates a cent whenever it reaches one. Accounts and positions are kept in creation order
//! (the read side lists them so) and indexed by key.

use std::collections::HashMap;

use crate::chunked::Chunked;
use crate::hash::IntBuild;
use crate::model::Market;
use crate::rejects::{reject, RejectReason, Res};
use crate::units::{floor_div, CC_PER_CENT, CENT_FINE, ONE_DOLLAR_CC};

/// One cache line (53 bytes of fields, aligned to 64): a placement, a cancel or a fill
/// reads and writes the cash figures and the dirty mark together, and a record that
/// straddled two lines (16-byte alignment put half of them across a boundary) cost a
/// second miss.
#[repr(C, align(64))]
pub struct Account {
    pub available_cc: i128,
    pub reserved_cc: i128,
    pub sub: i64,
    pub updated_ns: i64,
    pub user: u32,
    pub dirty: bool,
}

/// Two cache lines, aligned, the hot one first: what placing, cancelling or finishing an
/// order touches (the held position for `closable`, the resting count and the dirty mark
/// for `count_resting`) sits in the first line; the fill figures fill the second. With the
/// compiler's order (the six 128-bit figures first) and 16-byte alignment those fields lay
/// 96 bytes apart and a record could straddle three lines. `ledger::tests` pins the offsets.
#[repr(C, align(64))]
pub struct Position {
    // First line: read or written by every order that rests or leaves the book.
    pub position_c: i128,
    pub exposure_fine: i128,
    pub resting_orders: i64,
    pub updated_ns: i64,
    pub acct: u32,
    pub market: u32,
    pub settled: bool,
    pub dirty: bool,
    // Second line: the fill figures.
    pub total_traded_fine: i128,
    pub traded_c: i128,
    pub realized_fine: i128,
    pub fees_paid_cc: i128,
}

/// One side's share of a fill, as the ledger computed it.
pub struct FillSide {
    pub acct: u32,
    pub pos: u32,
    pub cash_delta_cc: i128,
    pub closed_c: i128,
}

pub struct SettlementLine {
    pub acct: u32,
    pub yes_c: i128,
    pub no_c: i128,
    pub yes_cost_cc: i128,
    pub no_cost_cc: i128,
    pub revenue_cc: i128,
    pub fee_cost_cc: i128,
}

#[derive(Default)]
pub struct Ledger {
    pub accounts: Vec<Account>,
    pub account_ix: HashMap<(u32, i64), u32, IntBuild>,
    /// Each user's subaccount-0 account by user index (`NO_ACCOUNT` until opened): nearly
    /// every command names subaccount 0, and this finds it without hashing. Derived: kept
    /// with `account_ix` by `index_account`, checked by the auditor.
    pub main_accounts: Vec<u32>,
    /// Positions in creation order, chunked so that growing never copies (`chunked`):
    /// 8,192 positions of 128 bytes, a 1 MiB chunk. Their index by (account, market) is the
    /// holdings' (`Collateral::find`, then `Holding::position`): a second map of every
    /// position cost an insert (and its share of rehashing) per position opened, and 13 to
    /// 26 bytes each.
    pub positions: Chunked<Position, POSITION_CHUNK_BITS>,
    pub fee_revenue_cc: i128,
    pub external_cc: i128,
    pub dirty_accounts: Vec<u32>,
    pub dirty_positions: Vec<u32>,
}

fn check_cents(amount_cc: i64) -> Res<()> {
    if amount_cc <= 0 || amount_cc % CC_PER_CENT != 0 {
        return reject(RejectReason::InvalidParameters, "amount must be a positive whole cent");
    }
    Ok(())
}

/// `Ledger::main_accounts` of a user whose subaccount 0 has no account yet.
pub const NO_ACCOUNT: u32 = u32::MAX;

/// `Ledger::positions`' chunk: 2^13 positions.
pub const POSITION_CHUNK_BITS: u32 = 13;

impl Ledger {
    /// The account of a key, if opened.
    #[inline]
    pub fn find_account(&self, user: u32, sub: i64) -> Option<u32> {
        if sub == 0 {
            return self.main_accounts.get(user as usize).copied().filter(|&a| a != NO_ACCOUNT);
        }
        self.account_ix.get(&(user, sub)).copied()
    }

    /// Index account `a` under its key (a new account, or one read from a snapshot).
    pub fn index_account(&mut self, user: u32, sub: i64, a: u32) {
        self.account_ix.insert((user, sub), a);
        if sub == 0 {
            let u = user as usize;
            if self.main_accounts.len() <= u {
                self.main_accounts.resize(u + 1, NO_ACCOUNT);
            }
            self.main_accounts[u] = a;
        }
    }

    /// The account of a key, created empty on first use.
    pub fn open_account(&mut self, user: u32, sub: i64, ts_ns: i64) -> u32 {
        if let Some(a) = self.find_account(user, sub) {
            return a;
        }
        let a = self.accounts.len() as u32;
        self.accounts.push(Account {
            user,
            sub,
            available_cc: 0,
            reserved_cc: 0,
            updated_ns: ts_ns,
            dirty: false,
        });
        self.index_account(user, sub, a);
        a
    }

    pub fn touch(&mut self, acct: u32, ts_ns: i64) {
        let a = &mut self.accounts[acct as usize];
        a.updated_ns = ts_ns;
        if !a.dirty {
            a.dirty = true;
            self.dirty_accounts.push(acct);
        }
    }

    pub fn mark_position(&mut self, pos: u32) {
        let p = &mut self.positions[pos as usize];
        if !p.dirty {
            p.dirty = true;
            self.dirty_positions.push(pos);
        }
    }

    /// Forget what the previous command changed.
    pub fn clear_dirty(&mut self) {
        for &a in &self.dirty_accounts {
            self.accounts[a as usize].dirty = false;
        }
        for &p in &self.dirty_positions {
            self.positions[p as usize].dirty = false;
        }
        self.dirty_accounts.clear();
        self.dirty_positions.clear();
    }

    pub fn deposit(&mut self, acct: u32, amount_cc: i64, ts_ns: i64) -> Res<()> {
        check_cents(amount_cc)?;
        // The exchange's total (deposits less withdrawals) stays within its bound.
        if i128::from(amount_cc) - self.external_cc > i128::from(crate::domain::MONEY_MAX_CC) {
            return reject(RejectReason::MoneyLimit, "deposit would exceed the exchange's money limit");
        }
        self.external_cc -= i128::from(amount_cc);
        self.accounts[acct as usize].available_cc += i128::from(amount_cc);
        self.touch(acct, ts_ns);
        Ok(())
    }

    pub fn withdraw(&mut self, acct: u32, amount_cc: i64, ts_ns: i64) -> Res<()> {
        check_cents(amount_cc)?;
        let a = &mut self.accounts[acct as usize];
        if i128::from(amount_cc) > a.available_cc {
            return reject(RejectReason::InsufficientBalance, "withdrawal exceeds available balance");
        }
        a.available_cc -= i128::from(amount_cc);
        self.external_cc += i128::from(amount_cc);
        self.touch(acct, ts_ns);
        Ok(())
    }

    pub fn transfer(&mut self, source: u32, target: u32, amount_cc: i64, ts_ns: i64) -> Res<()> {
        check_cents(amount_cc)?;
        if i128::from(amount_cc) > self.accounts[source as usize].available_cc {
            return reject(RejectReason::InsufficientBalance, "transfer exceeds available balance");
        }
        self.accounts[source as usize].available_cc -= i128::from(amount_cc);
        self.accounts[target as usize].available_cc += i128::from(amount_cc);
        self.touch(source, ts_ns);
        self.touch(target, ts_ns);
        Ok(())
    }

    pub fn can_reserve(&self, acct: u32, group_reserve_cc: i128, new_reserve_cc: i128) -> bool {
        new_reserve_cc - group_reserve_cc <= self.accounts[acct as usize].available_cc
    }

    /// Move cash between available and a group's reserve (the caller checked it fits).
    pub fn set_reserve(&mut self, acct: u32, group_reserve: &mut i128, new_cc: i128, ts_ns: i64) {
        let change = new_cc - *group_reserve;
        if change == 0 {
            return;
        }
        let a = &mut self.accounts[acct as usize];
        assert!(change <= a.available_cc, "reserve raised beyond available cash");
        *group_reserve = new_cc;
        a.available_cc -= change;
        a.reserved_cc += change;
        self.touch(acct, ts_ns);
    }

    /// Open the account's position in a market, flat; the caller knows it has none
    /// (`Engine::position_at`, which links the holding to it: the index of positions).
    pub fn open_position(&mut self, markets: &mut [Market], acct: u32, market: u32, ts_ns: i64) -> u32 {
        let p = self.positions.len() as u32;
        self.positions.push(Position {
            acct,
            market,
            position_c: 0,
            exposure_fine: 0,
            total_traded_fine: 0,
            traded_c: 0,
            realized_fine: 0,
            fees_paid_cc: 0,
            resting_orders: 0,
            settled: false,
            updated_ns: ts_ns,
            dirty: false,
        });
        markets[market as usize].holders.push(acct);
        p
    }

    /// Book one side of a fill on the position and the order's rounding accumulator;
    /// return the side's cash change (moved later by `post_fill`).
    #[allow(clippy::too_many_arguments)]
    pub fn fill_side(
        &mut self,
        acct: u32,
        pos: u32,
        fee_acc_fine: &mut i128,
        buys_yes: bool,
        outcome_price_cc: i64,
        count_c: i64,
        fee_cc: i128,
        ts_ns: i64,
    ) -> FillSide {
        let p = &mut self.positions[pos as usize];
        let count = i128::from(count_c);
        let price = i128::from(outcome_price_cc);
        let held = if buys_yes { p.position_c } else { -p.position_c };
        let closed_c = if held < 0 { count.min(-held) } else { 0 };
        let opened_c = count - closed_c;
        if closed_c != 0 {
            let size = -held;
            let removed = if closed_c < size {
                floor_div(p.exposure_fine * closed_c, size)
            } else {
                p.exposure_fine
            };
            let proceeds = (i128::from(ONE_DOLLAR_CC) - price) * closed_c;
            p.realized_fine += proceeds - removed;
            p.exposure_fine -= removed;
        }
        p.exposure_fine += price * opened_c;
        p.total_traded_fine += price * count;
        p.traded_c += count;
        p.fees_paid_cc += fee_cc;
        p.position_c += if buys_yes { count } else { -count };
        p.updated_ns = ts_ns;
        self.mark_position(pos);

        let exact_fine = i128::from(ONE_DOLLAR_CC) * closed_c - price * count - fee_cc * 100;
        let cents = floor_div(exact_fine, CENT_FINE);
        *fee_acc_fine += exact_fine - cents * CENT_FINE;
        let rebate = floor_div(*fee_acc_fine, CENT_FINE);
        *fee_acc_fine -= rebate * CENT_FINE;
        FillSide { acct, pos, cash_delta_cc: (cents + rebate) * i128::from(CC_PER_CENT), closed_c }
    }

    /// Move the cash of one fill; the legs sum to zero by construction.
    pub fn post_fill(
        &mut self,
        market: &mut Market,
        count_c: i64,
        sides: [(&FillSide, &mut i128); 2],
        ts_ns: i64,
    ) {
        let [(a, ga), (b, gb)] = sides;
        let escrow_delta = (i128::from(count_c) - a.closed_c - b.closed_c) * i128::from(CC_PER_CENT);
        let fee_delta = -(a.cash_delta_cc + b.cash_delta_cc) - escrow_delta;
        for (side, group_reserve) in [(a, ga), (b, gb)] {
            let delta = side.cash_delta_cc;
            let acct = &mut self.accounts[side.acct as usize];
            if delta < 0 {
                *group_reserve += delta;
                acct.reserved_cc += delta;
                assert!(*group_reserve >= 0, "fill exceeded its collateral");
            } else {
                acct.available_cc += delta;
            }
            self.touch(side.acct, ts_ns);
        }
        market.escrow_cc = Some(market.escrow_cc.unwrap_or(0) + escrow_delta);
        self.fee_revenue_cc += fee_delta;
    }

    /// Pay out a market from its escrow and flatten every position in it; `None` voids.
    pub fn settle_market(
        &mut self,
        market: &mut Market,
        holders_sorted: &[(u32, u32)],
        yes_value_cc: Option<i64>,
        ts_ns: i64,
    ) -> Vec<SettlementLine> {
        let mut lines = Vec::new();
        let mut paid = 0i128;
        for &(acct, pos) in holders_sorted {
            let p = &mut self.positions[pos as usize];
            if p.settled {
                continue;
            }
            let held = p.position_c;
            if held == 0 {
                p.settled = true;
                p.updated_ns = ts_ns;
                self.mark_position(pos);
                continue;
            }
            let payout_fine = match yes_value_cc {
                None => p.exposure_fine,
                Some(v) if held > 0 => i128::from(v) * held,
                Some(v) => (i128::from(ONE_DOLLAR_CC) - i128::from(v)) * -held,
            };
            let revenue_cc = floor_div(payout_fine, CENT_FINE) * i128::from(CC_PER_CENT);
            let cost_cc = floor_div(p.exposure_fine, 100);
            lines.push(SettlementLine {
                acct,
                yes_c: if held > 0 { held } else { 0 },
                no_c: if held < 0 { -held } else { 0 },
                yes_cost_cc: if held > 0 { cost_cc } else { 0 },
                no_cost_cc: if held < 0 { cost_cc } else { 0 },
                revenue_cc,
                fee_cost_cc: p.fees_paid_cc,
            });
            p.realized_fine += revenue_cc * i128::from(CC_PER_CENT) - p.exposure_fine;
            p.exposure_fine = 0;
            p.position_c = 0;
            p.settled = true;
            p.updated_ns = ts_ns;
            self.mark_position(pos);
            self.accounts[acct as usize].available_cc += revenue_cc;
            paid += revenue_cc;
            self.touch(acct, ts_ns);
        }
        let escrow = market.escrow_cc.take().unwrap_or(0);
        self.fee_revenue_cc += escrow - paid;
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_found_as_the_keyed_index_finds_them() {
        // Accounts opened in a seeded order over users and subaccounts (0 often, as
        // commands name it): `find_account` (the main-account vector for subaccount 0)
        // agrees with `account_ix` (the second implementation) for every key after every
        // step, and `open_account` returns the same account when asked again.
        let mut l = Ledger::default();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for step in 0..3_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let user = (x % 50) as u32;
            let sub = if (x >> 8) % 3 == 0 { ((x >> 12) % 4) as i64 } else { 0 };
            let a = l.open_account(user, sub, step);
            assert_eq!(l.open_account(user, sub, step), a);
            assert_eq!((l.accounts[a as usize].user, l.accounts[a as usize].sub), (user, sub));
            for u in 0..52 {
                for s in 0..5 {
                    assert_eq!(l.find_account(u, s), l.account_ix.get(&(u, s)).copied(), "{u} {s} at {step}");
                }
            }
        }
        assert_eq!(l.accounts.len(), l.account_ix.len());
    }

    #[test]
    fn hot_records_keep_their_cache_lines() {
        use std::mem::{align_of, offset_of, size_of};
        // An account is one line; a position two, with what every resting order touches
        // (held position, resting count, dirty mark) in the first.
        assert_eq!((size_of::<Account>(), align_of::<Account>()), (64, 64));
        assert_eq!((size_of::<Position>(), align_of::<Position>()), (128, 64));
        for hot in [offset_of!(Position, position_c), offset_of!(Position, resting_orders), offset_of!(Position, dirty)] {
            assert!(hot < 64, "{hot}");
        }
        let mut l = Ledger::default();
        l.accounts.push(Account { available_cc: 0, reserved_cc: 0, sub: 0, updated_ns: 0, user: 0, dirty: false });
        assert_eq!(l.accounts.as_ptr() as usize % 64, 0, "the vector's buffer is line-aligned");
    }
}
