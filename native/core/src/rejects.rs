//! Why the engine refuses a command (mirrors `augury.domain.rejects`, same strings, same
//! precedence: each handler checks stage by stage and the first failing check names the
//! reason). A rejected command changes no state.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RejectReason {
    OutOfDomain,
    InvalidParameters,
    InvalidPrice,
    InvalidCount,
    InvalidExpiration,
    ReduceOnlyRequiresIoc,
    UnknownUser,
    MarketNotFound,
    OrderNotFound,
    OrderGroupNotFound,
    OrderAlreadyExists,
    AlreadyExists,
    OrderTickerMismatch,
    OrderSideMismatch,
    OrderIdClientOrderIdMismatch,
    ExchangePaused,
    MarketNotOpen,
    TradingPaused,
    MarketClosed,
    InvalidTransition,
    OrderGroupTriggered,
    OrderNotResting,
    MoneyLimit,
    ReduceOnlyNoPosition,
    InvalidAmend,
    InsufficientBalance,
    TooManyOrders,
}

impl RejectReason {
    pub fn as_str(self) -> &'static str {
        use RejectReason::*;
        match self {
            OutOfDomain => "out_of_domain",
            InvalidParameters => "invalid_parameters",
            InvalidPrice => "invalid_price",
            InvalidCount => "invalid_count",
            InvalidExpiration => "invalid_expiration",
            ReduceOnlyRequiresIoc => "reduce_only_requires_ioc",
            UnknownUser => "unknown_user",
            MarketNotFound => "market_not_found",
            OrderNotFound => "order_not_found",
            OrderGroupNotFound => "order_group_not_found",
            OrderAlreadyExists => "order_already_exists",
            AlreadyExists => "already_exists",
            OrderTickerMismatch => "order_ticker_mismatch",
            OrderSideMismatch => "order_side_mismatch",
            OrderIdClientOrderIdMismatch => "order_id_and_client_order_id_mismatch",
            ExchangePaused => "exchange_is_paused",
            MarketNotOpen => "market_not_open",
            TradingPaused => "trading_is_paused",
            MarketClosed => "market_closed",
            InvalidTransition => "invalid_transition",
            OrderGroupTriggered => "order_group_triggered",
            OrderNotResting => "order_not_resting",
            MoneyLimit => "money_limit",
            ReduceOnlyNoPosition => "reduce_only_no_position",
            InvalidAmend => "invalid_amend_qty_for_order",
            InsufficientBalance => "insufficient_balance",
            TooManyOrders => "too_many_resting_orders",
        }
    }
}

/// A refusal: its reason and a human message (the same text the Python engine writes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reject {
    pub reason: RejectReason,
    pub message: String,
}

pub type Res<T> = Result<T, Reject>;

pub fn reject<T>(reason: RejectReason, message: impl Into<String>) -> Res<T> {
    Err(Reject { reason, message: message.into() })
}
