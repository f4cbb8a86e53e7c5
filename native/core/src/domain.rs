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

/// The `OUT_OF_DOMAIN` reject for a command's first out-of-bounds field, or None.
pub fn domain_reject(command: &Command<'_>) -> Option<Reject> {
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
