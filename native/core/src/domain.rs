//! The engine's first check of every command: each field within its domain (mirrors
//! `augury.engine.domain_check` and the bounds of `augury.domain.limits`). For each command
//! type its bounded fields in checking order; the first failure names the field in an
//! `OUT_OF_DOMAIN` reject. Integers are magnitude bounds, strings are lengths in code
//! points, lists bound their length and each item; an absent optional always passes. A
//! `Batch` passes here: its items are checked when each is applied.

use crate::commands::{Command, Text};
use crate::rejects::{Reject, RejectReason};

pub const PRICE_MAX_CC: i64 = 10_000;
pub const COUNT_MAX_C: i64 = 10_000_000_000;
pub const MONEY_MAX_CC: i64 = 1_000_000_000_000_000;
pub const TIME_MAX_NS: i64 = 1 << 62;
pub const SUBACCOUNT_MAX: i64 = 63;
pub const SETTLEMENT_TIMER_MAX_S: i64 = 100_000_000;
pub const FEE_MULTIPLIER_MAX_E4: i64 = 1_000_000;
pub const TICKER_MAX_LEN: usize = 200;
pub const ID_MAX_LEN: usize = 64;
pub const USER_ID_MAX_LEN: usize = 64;
pub const TRANSFER_ID_MAX_LEN: usize = USER_ID_MAX_LEN + 1 + ID_MAX_LEN;
pub const NAME_MAX_LEN: usize = 256;
pub const WORD_MAX_LEN: usize = 64;
pub const PEM_MAX_LEN: usize = 16_384;
pub const LIST_MAX_ITEMS: usize = 16;
/// Client ids of finished orders a user keeps reserved (decision 0016).
pub const CLIENT_IDS_RETAINED: usize = 1_000;

/// One field's check; `Err` carries the reject message.
struct Check(Result<(), String>);

impl Check {
    fn new() -> Check {
        Check(Ok(()))
    }
    fn int(mut self, name: &str, v: Option<i64>, bound: i64) -> Check {
        if self.0.is_ok() {
            if let Some(v) = v {
                if !(-bound..=bound).contains(&v) {
                    self.0 = Err(format!("{name} is out of range (magnitude at most {bound})"));
                }
            }
        }
        self
    }
    // Inlined as the `&str` form was (a call per field costs more than the check).
    #[inline(always)]
    fn text<'t>(mut self, name: &str, v: Option<impl Into<Text<'t>>>, bound: usize) -> Check {
        if self.0.is_ok() {
            if let Some(v) = v.map(Into::into) {
                // Code points, as Python's len(); the byte length bounds it from above.
                if v.len() > bound && v.as_str().chars().count() > bound {
                    self.0 = Err(format!("{name} is too long (at most {bound} characters)"));
                }
            }
        }
        self
    }
    fn texts(mut self, name: &str, v: &[&str], most: usize, max_len: usize) -> Check {
        if self.0.is_ok() && (v.len() > most || v.iter().any(|s| s.len() > max_len && s.chars().count() > max_len)) {
            self.0 = Err(format!("{name} holds too many or too long items"));
        }
        self
    }
}

/// A text's byte length within `bound`: then its code points are too (`Check::text`).
#[inline(always)]
fn short(len_bytes: usize, bound: usize) -> bool {
    len_bytes <= bound
}

#[inline(always)]
fn short_opt(v: Option<&str>, bound: usize) -> bool {
    v.map_or(0, str::len) <= bound
}

/// `-bound..=bound` contains `v` (`Check::int`; `i64::MIN`'s magnitude is past every bound).
#[inline(always)]
fn within(v: i64, bound: i64) -> bool {
    v.unsigned_abs() <= bound as u64
}

#[inline(always)]
fn within_opt(v: Option<i64>, bound: i64) -> bool {
    v.map_or(0, i64::unsigned_abs) <= bound as u64
}

/// Whether every bounded field of an order command is surely in its domain, tested all at
/// once (no early exit, no message): true implies `first_failure` finds none, so the common
/// valid order skips the ordered chain. False (any other command, or a field that needs the
/// exact test: a long text may still be short in code points) says nothing: the chain decides.
#[inline]
fn surely_in_domain(command: &Command<'_>) -> bool {
    use Command as C;
    match command {
        C::PlaceOrder(p) => {
            short(p.user_id.len(), USER_ID_MAX_LEN)
                & short(p.ticker.len(), TICKER_MAX_LEN)
                & within(p.price_cc, PRICE_MAX_CC)
                & within(p.count_c, COUNT_MAX_C)
                & within(p.subaccount, SUBACCOUNT_MAX)
                & short_opt(p.client_order_id, ID_MAX_LEN)
                & short_opt(p.order_group_id, ID_MAX_LEN)
                & within_opt(p.expiration_ts_ns, TIME_MAX_NS)
                & within_opt(p.buy_max_cost_cc, MONEY_MAX_CC)
        }
        C::CancelOrder { user_id, order_id, subaccount, .. } => {
            short(user_id.len(), USER_ID_MAX_LEN)
                & short(order_id.len(), ID_MAX_LEN)
                & within_opt(*subaccount, SUBACCOUNT_MAX)
        }
        C::AmendOrder(a) => {
            short(a.user_id.len(), USER_ID_MAX_LEN)
                & short(a.order_id.len(), ID_MAX_LEN)
                & short(a.ticker.len(), TICKER_MAX_LEN)
                & within(a.price_cc, PRICE_MAX_CC)
                & within(a.count_c, COUNT_MAX_C)
                & within_opt(a.subaccount, SUBACCOUNT_MAX)
                & short_opt(a.client_order_id, ID_MAX_LEN)
                & short_opt(a.updated_client_order_id, ID_MAX_LEN)
                & within_opt(a.expiration_ts_ns, TIME_MAX_NS)
        }
        C::DecreaseOrder { user_id, order_id, reduce_by_c, reduce_to_c, subaccount, .. } => {
            short(user_id.len(), USER_ID_MAX_LEN)
                & short(order_id.len(), ID_MAX_LEN)
                & within_opt(*reduce_by_c, COUNT_MAX_C)
                & within_opt(*reduce_to_c, COUNT_MAX_C)
                & within_opt(*subaccount, SUBACCOUNT_MAX)
        }
        _ => false,
    }
}

/// The `OUT_OF_DOMAIN` reject for a command's first out-of-bounds field, or None.
pub fn domain_reject(command: &Command<'_>) -> Option<Reject> {
    if surely_in_domain(command) {
        return None;
    }
    first_failure(command)
}

/// `domain_reject` field by field, in checking order (the specification's chain).
#[inline(never)]
fn first_failure(command: &Command<'_>) -> Option<Reject> {
    use Command as C;
    let ck = Check::new();
    let sub = |s: i64| Some(s);
    let result = match command {
        C::CreateUser { user_id, name, .. } => {
            ck.text("user_id", Some(user_id), USER_ID_MAX_LEN).text("name", Some(name), NAME_MAX_LEN)
        }
        C::Deposit { user_id, amount_cc, subaccount, transfer_id, .. }
        | C::Withdraw { user_id, amount_cc, subaccount, transfer_id, .. } => ck
            .text("user_id", Some(user_id), USER_ID_MAX_LEN)
            .int("amount_cc", Some(*amount_cc), MONEY_MAX_CC)
            .int("subaccount", sub(*subaccount), SUBACCOUNT_MAX)
            .text("transfer_id", *transfer_id, TRANSFER_ID_MAX_LEN),
        C::RegisterApiKey(k) => ck
            .text("api_key_id", Some(k.api_key_id), ID_MAX_LEN)
            .text("user_id", Some(k.user_id), USER_ID_MAX_LEN)
            .text("name", Some(k.name), NAME_MAX_LEN)
            .text("public_key_pem", Some(k.public_key_pem), PEM_MAX_LEN)
            .text("key_type", Some(k.key_type), WORD_MAX_LEN)
            .texts("scopes", &k.scopes, LIST_MAX_ITEMS, WORD_MAX_LEN)
            .int("subaccount", k.subaccount, SUBACCOUNT_MAX),
        C::RevokeApiKey { api_key_id, user_id, .. } => ck
            .text("api_key_id", Some(api_key_id), ID_MAX_LEN)
            .text("user_id", Some(user_id), USER_ID_MAX_LEN),
        C::SetUserTier { user_id, tier, .. } => {
            ck.text("user_id", Some(user_id), USER_ID_MAX_LEN).text("tier", Some(tier), WORD_MAX_LEN)
        }
        C::CreateSubaccount { user_id, .. } => ck.text("user_id", Some(user_id), USER_ID_MAX_LEN),
        C::TransferCash { user_id, from_subaccount, to_subaccount, amount_cc, transfer_id, .. } => ck
            .text("user_id", Some(user_id), USER_ID_MAX_LEN)
            .int("from_subaccount", sub(*from_subaccount), SUBACCOUNT_MAX)
            .int("to_subaccount", sub(*to_subaccount), SUBACCOUNT_MAX)
            .int("amount_cc", Some(*amount_cc), MONEY_MAX_CC)
            .text("transfer_id", Some(transfer_id), TRANSFER_ID_MAX_LEN),
        C::AddSeries { ticker, fee_type, fee_multiplier_e4, .. } => ck
            .text("ticker", Some(ticker), TICKER_MAX_LEN)
            .text("fee_type", Some(fee_type), WORD_MAX_LEN)
            .int("fee_multiplier_e4", Some(*fee_multiplier_e4), FEE_MULTIPLIER_MAX_E4),
        C::AddEvent { event_ticker, series_ticker, .. } => ck
            .text("event_ticker", Some(event_ticker), TICKER_MAX_LEN)
            .text("series_ticker", Some(series_ticker), TICKER_MAX_LEN),
        C::AddMarket(m) => ck
            .text("ticker", Some(m.ticker), TICKER_MAX_LEN)
            .text("event_ticker", Some(m.event_ticker), TICKER_MAX_LEN)
            .int("open_ts_ns", Some(m.open_ts_ns), TIME_MAX_NS)
            .int("close_ts_ns", Some(m.close_ts_ns), TIME_MAX_NS)
            .text("price_level_structure", Some(m.price_level_structure), WORD_MAX_LEN)
            .int("settlement_timer_s", Some(m.settlement_timer_s), SETTLEMENT_TIMER_MAX_S),
        C::SetMarketState { ticker, .. } | C::FinalizeMarket { ticker, .. } => {
            ck.text("ticker", Some(ticker), TICKER_MAX_LEN)
        }
        C::DetermineMarket { ticker, value_cc, .. } => ck
            .text("ticker", Some(ticker), TICKER_MAX_LEN)
            .int("value_cc", *value_cc, PRICE_MAX_CC),
        C::SetExchangeState { .. } | C::Tick { .. } | C::Batch { .. } => ck,
        C::PlaceOrder(p) => ck
            .text("user_id", Some(p.user_id), USER_ID_MAX_LEN)
            .text("ticker", Some(p.ticker), TICKER_MAX_LEN)
            .int("price_cc", Some(p.price_cc), PRICE_MAX_CC)
            .int("count_c", Some(p.count_c), COUNT_MAX_C)
            .int("subaccount", sub(p.subaccount), SUBACCOUNT_MAX)
            .text("client_order_id", p.client_order_id, ID_MAX_LEN)
            .text("order_group_id", p.order_group_id, ID_MAX_LEN)
            .int("expiration_ts_ns", p.expiration_ts_ns, TIME_MAX_NS)
            .int("buy_max_cost_cc", p.buy_max_cost_cc, MONEY_MAX_CC),
        C::CancelOrder { user_id, order_id, subaccount, .. } => ck
            .text("user_id", Some(user_id), USER_ID_MAX_LEN)
            .text("order_id", Some(order_id), ID_MAX_LEN)
            .int("subaccount", *subaccount, SUBACCOUNT_MAX),
        C::AmendOrder(a) => ck
            .text("user_id", Some(a.user_id), USER_ID_MAX_LEN)
            .text("order_id", Some(a.order_id), ID_MAX_LEN)
            .text("ticker", Some(a.ticker), TICKER_MAX_LEN)
            .int("price_cc", Some(a.price_cc), PRICE_MAX_CC)
            .int("count_c", Some(a.count_c), COUNT_MAX_C)
            .int("subaccount", a.subaccount, SUBACCOUNT_MAX)
            .text("client_order_id", a.client_order_id, ID_MAX_LEN)
            .text("updated_client_order_id", a.updated_client_order_id, ID_MAX_LEN)
            .int("expiration_ts_ns", a.expiration_ts_ns, TIME_MAX_NS),
        C::DecreaseOrder { user_id, order_id, reduce_by_c, reduce_to_c, subaccount, .. } => ck
            .text("user_id", Some(user_id), USER_ID_MAX_LEN)
            .text("order_id", Some(order_id), ID_MAX_LEN)
            .int("reduce_by_c", *reduce_by_c, COUNT_MAX_C)
            .int("reduce_to_c", *reduce_to_c, COUNT_MAX_C)
            .int("subaccount", *subaccount, SUBACCOUNT_MAX),
        C::CancelAll { user_id, subaccount, ticker, .. } => ck
            .text("user_id", Some(user_id), USER_ID_MAX_LEN)
            .int("subaccount", *subaccount, SUBACCOUNT_MAX)
            .text("ticker", *ticker, TICKER_MAX_LEN),
        C::CreateOrderGroup { user_id, subaccount, contracts_limit_c, .. } => ck
            .text("user_id", Some(user_id), USER_ID_MAX_LEN)
            .int("subaccount", sub(*subaccount), SUBACCOUNT_MAX)
            .int("contracts_limit_c", *contracts_limit_c, COUNT_MAX_C),
        C::OrderGroupAction { user_id, group_id, .. } => ck
            .text("user_id", Some(user_id), USER_ID_MAX_LEN)
            .text("group_id", Some(group_id), ID_MAX_LEN),
        C::UpdateOrderGroupLimit { user_id, group_id, contracts_limit_c, .. } => ck
            .text("user_id", Some(user_id), USER_ID_MAX_LEN)
            .text("group_id", Some(group_id), ID_MAX_LEN)
            .int("contracts_limit_c", Some(*contracts_limit_c), COUNT_MAX_C),
    };
    result.0.err().map(|message| Reject { reason: RejectReason::OutOfDomain, message })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{AmendOrder, PlaceOrder, Side, Stp, Tif};

    /// Values at, just inside and just past each bound (and the extremes of `i64`).
    fn ints(bound: i64) -> [i64; 7] {
        [0, bound, -bound, bound + 1, -bound - 1, i64::MIN, i64::MAX]
    }

    /// Texts at and past a bound in bytes, and past it in bytes but not in code points.
    fn texts(bound: usize) -> Vec<String> {
        vec![
            String::new(),
            "a".repeat(bound),
            "a".repeat(bound + 1),
            "é".repeat(bound),
            "é".repeat(bound + 1),
        ]
    }

    struct Pick(u64);

    impl Pick {
        fn of<T: Clone>(&mut self, xs: &[T]) -> T {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            xs[(self.0 % xs.len() as u64) as usize].clone()
        }
        fn opt<T: Clone>(&mut self, xs: &[T]) -> Option<T> {
            if self.of(&[true, false, false]) {
                None
            } else {
                Some(self.of(xs))
            }
        }
    }

    #[test]
    fn the_quick_test_agrees_with_the_chain() {
        // Order commands with every bounded field drawn from values at, inside and past its
        // bound (texts past it in bytes only, too): `domain_reject` (quick test first) gives
        // exactly what the field-by-field chain gives, reject reason and message, and the
        // quick test passes only commands the chain passes.
        let mut p = Pick(0x2545_f491_4f6c_dd1d);
        let (user, id, ticker) = (texts(USER_ID_MAX_LEN), texts(ID_MAX_LEN), texts(TICKER_MAX_LEN));
        let mut quick = 0;
        for _ in 0..20_000 {
            let (u, i, t, c1, c2) = (p.of(&user), p.of(&id), p.of(&ticker), p.opt(&id), p.opt(&id));
            let place = Command::PlaceOrder(PlaceOrder {
                ts_ns: 1,
                user_id: (&u).into(),
                ticker: (&t).into(),
                side: Side::Bid,
                price_cc: p.of(&ints(PRICE_MAX_CC)),
                count_c: p.of(&ints(COUNT_MAX_C)),
                time_in_force: Tif::Gtc,
                self_trade_prevention: Stp::TakerAtCross,
                subaccount: p.of(&ints(SUBACCOUNT_MAX)),
                client_order_id: c1.as_deref(),
                post_only: false,
                reduce_only: false,
                cancel_order_on_pause: false,
                order_group_id: c2.as_deref(),
                expiration_ts_ns: p.opt(&ints(TIME_MAX_NS)),
                legacy_side: None,
                legacy_action: None,
                order_type: "limit",
                buy_max_cost_cc: p.opt(&ints(MONEY_MAX_CC)),
            });
            let amend = Command::AmendOrder(AmendOrder {
                ts_ns: 1,
                user_id: (&u).into(),
                order_id: (&i).into(),
                ticker: (&t).into(),
                side: Side::Ask,
                price_cc: p.of(&ints(PRICE_MAX_CC)),
                count_c: p.of(&ints(COUNT_MAX_C)),
                subaccount: p.opt(&ints(SUBACCOUNT_MAX)),
                client_order_id: c1.as_deref(),
                updated_client_order_id: c2.as_deref(),
                expiration_ts_ns: p.opt(&ints(TIME_MAX_NS)),
            });
            let cancel =
                Command::CancelOrder { ts_ns: 1, user_id: (&u).into(), order_id: (&i).into(), subaccount: p.opt(&ints(SUBACCOUNT_MAX)) };
            let decrease = Command::DecreaseOrder {
                ts_ns: 1,
                user_id: &u,
                order_id: &i,
                reduce_by_c: p.opt(&ints(COUNT_MAX_C)),
                reduce_to_c: p.opt(&ints(COUNT_MAX_C)),
                subaccount: p.opt(&ints(SUBACCOUNT_MAX)),
            };
            for c in [&place, &amend, &cancel, &decrease] {
                let want = first_failure(c).map(|r| (r.reason, r.message));
                assert_eq!(domain_reject(c).map(|r| (r.reason, r.message)), want, "{c:?}");
                if surely_in_domain(c) {
                    assert!(want.is_none(), "{c:?}");
                    quick += 1;
                }
            }
        }
        assert!(quick > 100, "the quick test passed only {quick} commands");
    }
}
