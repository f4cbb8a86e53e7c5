//! Command family: the catalog (series, events, markets) and the market lifecycle.
//!
//! Contract (as `augury.engine.exchange`): adding something that exists refreshes its
//! metadata and keeps its rules (returns false); a market's fee rule is its series',
//! overridden by its event's fee override (`event_fee_override`, the rule of
//! `augury.domain.event_fees`) and then by an integer `fee_multiplier_e4` in its own
//! metadata. Refreshing an event's metadata re-derives its markets' fee rules and cancels
//! (`fee_changed`) the resting orders whose reserved per-lot fee bound is below the new
//! rule's (decision 0058). Lifecycle: initialized -> active
//! <-> inactive -> closed -> determined (-> disputed -> amended) -> finalized; time alone
//! opens, closes and finalizes (`advance_market`, run by `Tick` and at creation). Closing
//! cancels every resting order and remembers them as closed until settlement.
//!
//! Due index invariant: `Engine::market_due` holds `(m.next_step_ns(), m)` for exactly the
//! markets that have a next step, and `m.due_ns` mirrors it; every change of a market's
//! status here ends in `schedule_market`, so `tick` takes only the due markets.

use std::sync::Arc;

use crate::book::Book;
use crate::commands::AddMarket;
use crate::hash::Name;
use crate::events::{Event, Settlement};
use crate::exchange::{Engine, Value};
use crate::domain::FEE_MULTIPLIER_MAX_E4;
use crate::fees::{max_fee_cc_per_lot, FeeSchedule, FeeType};
use crate::grid::Grids;
use crate::model::{EventInfo, Market, MarketStatus, Series};
use crate::msgpack::Reader;
use crate::rejects::{reject, RejectReason, Res};
use crate::units::{py_repr, ONE_DOLLAR_CC};

/// `meta.get("fee_multiplier_e4")` when it is a Python `int` (bools included, as
/// `isinstance(True, int)` holds); the last of duplicate keys wins, as in a decoded dict.
fn fee_override(meta: &[u8]) -> Option<i64> {
    let mut r = Reader::new(meta);
    let n = r.map().ok()?;
    let mut found = None;
    for _ in 0..n {
        let key = r.str().ok()?;
        if key != "fee_multiplier_e4" {
            r.skip(1).ok()?;
            continue;
        }
        found = match r.peek().ok()? {
            0xc2 | 0xc3 => Some(i64::from(r.bool().ok()?)),
            // An integer beyond i64 saturates (see docs/decisions/0036).
            0x00..=0x7f | 0xe0..=0xff | 0xcc..=0xd3 => r.int().ok(),
            _ => {
                r.skip(1).ok()?;
                None
            }
        };
    }
    found
}

/// An event's fee override: a fee type and/or a multiplier (None: the series').
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct EventFeeOverride {
    pub fee_type: Option<FeeType>,
    pub multiplier_e4: Option<i64>,
}

const MULTIPLIER_KEY: &str = "fee_multiplier_override_e4";
const TYPE_KEY: &str = "fee_type_override";

/// `augury.domain.event_fees.event_fee_override`: None unless the metadata holds
/// `fee_multiplier_override_e4`; then an integer in `0..=FEE_MULTIPLIER_MAX_E4` or nil,
/// and `fee_type_override` a fee type name or nil; anything else is the error message
/// Python gives. The last of duplicate keys wins, as in a decoded dict.
pub(crate) fn event_fee_override(meta: &[u8]) -> Result<Option<EventFeeOverride>, String> {
    // Each key's last value, kept as its raw msgpack bytes.
    let mut multiplier: Option<&[u8]> = None;
    let mut fee_type: Option<&[u8]> = None;
    let mut r = Reader::new(meta);
    if let Ok(n) = r.map() {
        for _ in 0..n {
            let Ok(key) = r.str() else { break };
            let Ok(value) = r.raw() else { break };
            if key == MULTIPLIER_KEY {
                multiplier = Some(value);
            } else if key == TYPE_KEY {
                fee_type = Some(value);
            }
        }
    }
    let Some(raw_multiplier) = multiplier else {
        return Ok(None);
    };
    let multiplier_e4 = match raw_multiplier.first() {
        Some(0xc0) => None,
        // Integers only (no bool, no float); beyond i64 saturates, out of range either way.
        Some(0x00..=0x7f | 0xe0..=0xff | 0xcc..=0xd3) => {
            match Reader::new(raw_multiplier).int() {
                Ok(v) if (0..=FEE_MULTIPLIER_MAX_E4).contains(&v) => Some(v),
                _ => return Err(multiplier_error()),
            }
        }
        _ => return Err(multiplier_error()),
    };
    let fee_type = match fee_type {
        None | Some([0xc0]) => None,
        Some(raw) => match Reader::new(raw).str().ok().and_then(FeeType::parse) {
            Some(t) => Some(t),
            None => return Err(format!("{TYPE_KEY} must be a fee type name or null")),
        },
    };
    Ok(Some(EventFeeOverride { fee_type, multiplier_e4 }))
}

fn multiplier_error() -> String {
    format!("{MULTIPLIER_KEY} must be an integer 0 to {FEE_MULTIPLIER_MAX_E4} or null")
}

/// `augury.domain.event_fees.market_fee_rule`: the event's override over the series',
/// then the market's own integer `fee_multiplier_e4` over the multiplier.
fn market_fee_rule(series: &Series, o: Option<EventFeeOverride>, market_meta: &[u8]) -> FeeSchedule {
    let mut fees = FeeSchedule { fee_type: series.fee_type, multiplier_e4: series.fee_multiplier_e4 };
    if let Some(o) = o {
        if let Some(t) = o.fee_type {
            fees.fee_type = t;
        }
        if let Some(m) = o.multiplier_e4 {
            fees.multiplier_e4 = m;
        }
    }
    if let Some(own) = fee_override(market_meta) {
        fees.multiplier_e4 = own;
    }
    fees
}

impl Engine {
    pub(crate) fn add_series(
        &mut self,
        ts: i64,
        ticker: &str,
        fee_type: &str,
        multiplier: i64,
        meta: &[u8],
    ) -> Res<Value> {
        let Some(fee_type) = FeeType::parse(fee_type) else {
            return reject(
                RejectReason::InvalidParameters,
                format!("unknown fee_type {}", py_repr(fee_type)),
            );
        };
        if multiplier < 0 {
            return reject(RejectReason::InvalidParameters, "fee_multiplier must not be negative");
        }
        if let Some(&s) = self.series_ix.get(ticker) {
            self.series[s as usize].meta = meta.to_vec();
            return Ok(Value::Bool(false));
        }
        self.series_ix.insert(ticker.to_string(), self.series.len() as u32);
        self.series.push(Series {
            ticker: ticker.to_string(),
            fee_type,
            fee_multiplier_e4: multiplier,
            meta: meta.to_vec(),
            created_ns: ts,
        });
        Ok(Value::Bool(true))
    }

    pub(crate) fn add_event(
        &mut self,
        ts: i64,
        event_ticker: &str,
        series_ticker: &str,
        mutually_exclusive: bool,
        meta: &[u8],
    ) -> Res<Value> {
        let Some(&series) = self.series_ix.get(series_ticker) else {
            return reject(
                RejectReason::InvalidParameters,
                format!("unknown series {}", py_repr(series_ticker)),
            );
        };
        let fee_override = match event_fee_override(meta) {
            Ok(o) => o,
            Err(message) => return reject(RejectReason::InvalidParameters, message),
        };
        if let Some(&e) = self.event_ix.get(event_ticker) {
            self.events[e as usize].meta = meta.to_vec();
            self.refee_markets(e, fee_override);
            return Ok(Value::Bool(false));
        }
        self.event_ix.insert(event_ticker.to_string(), self.events.len() as u32);
        self.events.push(EventInfo {
            event_ticker: event_ticker.to_string(),
            series,
            mutually_exclusive,
            meta: meta.to_vec(),
            markets: Vec::new(),
            created_ns: ts,
        });
        Ok(Value::Bool(true))
    }

    pub(crate) fn add_market(&mut self, c: &AddMarket<'_>) -> Res<Value> {
        let Some(&event) = self.event_ix.get(c.event_ticker) else {
            return reject(
                RejectReason::InvalidParameters,
                format!("unknown event {}", py_repr(c.event_ticker)),
            );
        };
        let Some(grid) = Grids::id_of(c.price_level_structure) else {
            return reject(
                RejectReason::InvalidParameters,
                format!("unsupported price_level_structure {}", py_repr(c.price_level_structure)),
            );
        };
        if c.close_ts_ns <= c.open_ts_ns {
            return reject(RejectReason::InvalidParameters, "close_time must be after open_time");
        }
        if let Some(&m) = self.market_ix.get(c.ticker.as_bytes()) {
            self.markets[m as usize].meta = c.meta.to_vec();
            return Ok(Value::Bool(false));
        }
        let info = &self.events[event as usize];
        // The event's metadata was checked when it was added or refreshed.
        let fees = market_fee_rule(
            &self.series[info.series as usize],
            event_fee_override(&info.meta).ok().flatten(),
            c.meta,
        );
        let m = self.markets.len() as u32;
        let ticker: Arc<str> = Arc::from(c.ticker);
        let size = self.grids.all[usize::from(grid)].len();
        self.markets.push(Market {
            index: m,
            ticker_enc: crate::msgpack::Name::new(&ticker),
            ticker: ticker.clone(),
            event,
            grid,
            fees,
            fractional: c.fractional,
            lot_c: if c.fractional { 1 } else { 100 },
            open_ts_ns: c.open_ts_ns,
            close_ts_ns: c.close_ts_ns,
            settlement_timer_s: c.settlement_timer_s,
            market_type: c.market_type,
            meta: c.meta.to_vec(),
            status: MarketStatus::Initialized,
            result: "",
            settlement_value_cc: None,
            determined_ns: None,
            settled_ns: None,
            book: Book::new(size),
            book_seq: 0,
            volume_c: 0,
            open_interest_c: 0,
            last_price_cc: 0,
            last_trade_ns: 0,
            created_ns: c.ts_ns,
            updated_ns: c.ts_ns,
            escrow_cc: None,
            holders: Vec::new(),
            due_ns: None,
        });
        self.market_ix.insert(Name(ticker), m);
        self.events[event as usize].markets.push(m);
        self.market_update(m, "created");
        self.advance_market(m);
        Ok(Value::Bool(true))
    }

    /// Give each of the event's markets (in listing order) the fee rule its event now
    /// implies; cancel, in book order, the resting orders that hold too little for it.
    fn refee_markets(&mut self, e: u32, fee_override: Option<EventFeeOverride>) {
        let info = &self.events[e as usize];
        let series = info.series as usize;
        let markets = info.markets.clone();
        for m in markets {
            let fees = market_fee_rule(&self.series[series], fee_override, &self.markets[m as usize].meta);
            if fees == self.markets[m as usize].fees {
                continue;
            }
            self.markets[m as usize].fees = fees;
            let lot = self.markets[m as usize].lot_c;
            for slot in self.markets[m as usize].book.resting(&self.orders) {
                let o = self.order(slot);
                if max_fee_cc_per_lot(&fees, o.outcome_limit_cc(), lot) > i128::from(o.fee_lot_cc) {
                    self.cancel(slot, "fee_changed");
                }
            }
        }
    }

    // --- lifecycle -----------------------------------------------------------------------

    pub(crate) fn market_update(&mut self, m: u32, kind: &'static str) {
        let now = self.now_ns;
        let market = &mut self.markets[m as usize];
        market.updated_ns = now;
        self.out.push(Event::Market {
            ts_ns: now,
            market: m,
            kind,
            status: market.status.as_str(),
            result: market.result,
            settlement_value_cc: market.settlement_value_cc,
        });
    }

    /// Apply the transitions that time alone causes.
    pub(crate) fn advance_market(&mut self, m: u32) {
        let now = self.now_ns;
        let market = &mut self.markets[m as usize];
        if market.status == MarketStatus::Initialized && now >= market.open_ts_ns {
            market.status = MarketStatus::Active;
            self.market_update(m, "opened");
        }
        let market = &self.markets[m as usize];
        if market.status.before_close() && now >= market.close_ts_ns {
            self.close(m);
        }
        let market = &self.markets[m as usize];
        if matches!(market.status, MarketStatus::Determined | MarketStatus::Amended) {
            if let Some(determined) = market.determined_ns {
                let due = i128::from(determined)
                    + i128::from(market.settlement_timer_s) * 1_000_000_000;
                if i128::from(now) >= due {
                    self.finalize(m);
                }
            }
        }
        self.schedule_market(m);
    }

    pub(crate) fn close(&mut self, m: u32) {
        let slots = self.markets[m as usize].book.resting(&self.orders);
        for slot in slots {
            self.cancel(slot, "market_closed");
            let o = self.order(slot);
            let (id, acct) = (o.id, self.order_acct(slot));
            self.closed_orders.insert(id, (m, acct));
        }
        self.markets[m as usize].status = MarketStatus::Closed;
        self.market_update(m, "closed");
    }

    pub(crate) fn set_market_state(&mut self, ticker: &str, action: &str) -> Res<Value> {
        let m = self.market(ticker)?;
        let status = self.markets[m as usize].status;
        if !status.before_close() {
            return reject(RejectReason::MarketClosed, format!("market {ticker} is closed"));
        }
        match action {
            "close" => self.close(m),
            "pause" => {
                if status != MarketStatus::Active {
                    return reject(RejectReason::InvalidTransition, "only an active market can pause");
                }
                self.markets[m as usize].status = MarketStatus::Inactive;
                for slot in self.markets[m as usize].book.resting(&self.orders) {
                    if self.order(slot).cancel_on_pause {
                        self.cancel(slot, "trading_paused");
                    }
                }
                self.market_update(m, "deactivated");
            }
            _ => {
                if status != MarketStatus::Inactive {
                    return reject(RejectReason::InvalidTransition, "only a paused market can resume");
                }
                for slot in self.markets[m as usize].book.resting(&self.orders) {
                    self.cancel(slot, "market_reactivated");
                }
                self.markets[m as usize].status = MarketStatus::Active;
                self.market_update(m, "activated");
            }
        }
        self.schedule_market(m);
        Ok(Value::Str(self.markets[m as usize].status.as_str().to_string()))
    }

    pub(crate) fn determine(
        &mut self,
        ts: i64,
        ticker: &str,
        result: &'static str,
        value_cc: Option<i64>,
        settle_now: bool,
    ) -> Res<Value> {
        let m = self.market(ticker)?;
        let value = match result {
            "scalar" => match value_cc {
                Some(v) if (0..=ONE_DOLLAR_CC).contains(&v) => Some(v),
                _ => {
                    return reject(
                        RejectReason::InvalidParameters,
                        "scalar result needs a value in [0, 1]",
                    )
                }
            },
            "yes" => Some(ONE_DOLLAR_CC),
            "no" => Some(0),
            _ => None,
        };
        if self.markets[m as usize].status == MarketStatus::Finalized {
            return reject(RejectReason::InvalidTransition, "market is already settled");
        }
        if self.markets[m as usize].status.before_close() {
            self.close(m);
        }
        let amending = matches!(
            self.markets[m as usize].status,
            MarketStatus::Determined | MarketStatus::Amended
        );
        if amending {
            self.markets[m as usize].status = MarketStatus::Disputed;
            self.market_update(m, "disputed");
        }
        let market = &mut self.markets[m as usize];
        market.result = result;
        market.settlement_value_cc = value;
        market.determined_ns = Some(ts);
        market.status = if amending { MarketStatus::Amended } else { MarketStatus::Determined };
        let timer = market.settlement_timer_s;
        self.market_update(m, "determined");
        if settle_now || timer == 0 {
            self.finalize(m);
        }
        self.schedule_market(m);
        Ok(Value::Str(self.markets[m as usize].status.as_str().to_string()))
    }

    pub(crate) fn finalize_cmd(&mut self, ticker: &str) -> Res<Value> {
        let m = self.market(ticker)?;
        if !matches!(
            self.markets[m as usize].status,
            MarketStatus::Determined | MarketStatus::Amended
        ) {
            return reject(RejectReason::InvalidTransition, "market is not determined");
        }
        self.finalize(m);
        self.schedule_market(m);
        Ok(Value::Str(self.markets[m as usize].status.as_str().to_string()))
    }

    pub(crate) fn finalize(&mut self, m: u32) {
        let ts = self.now_ns;
        let value = self.markets[m as usize].settlement_value_cc;
        let mut holders: Vec<(Arc<str>, i64, u32)> = self.markets[m as usize]
            .holders
            .iter()
            .map(|&a| {
                let acct = &self.ledger.accounts[a as usize];
                (self.users[acct.user as usize].user_id.clone(), acct.sub, a)
            })
            .collect();
        holders.sort();
        // A holder is an account with a position in the market, so it has a holding that
        // links to it (`Engine::position_at`, snapshot load).
        let order: Vec<(u32, u32, u32)> = holders
            .into_iter()
            .map(|(_, _, a)| {
                let h = self.collateral.find(a, m).expect("a holder's holding");
                (a, self.collateral.rec(h).position().expect("a holder's position"), h)
            })
            .collect();
        let pairs: Vec<(u32, u32)> = order.iter().map(|&(a, p, _)| (a, p)).collect();
        let lines = self.ledger.settle_market(&mut self.markets[m as usize], &pairs, value, ts);
        for &(_, p, h) in &order {
            // Settlement flattened every holder's position: the holdings' copies follow.
            self.collateral.set_held(h, self.ledger.positions[p as usize].position_c);
        }
        let result = self.markets[m as usize].result;
        for line in lines {
            let acct = &self.ledger.accounts[line.acct as usize];
            self.out.push(Event::Settlement(Box::new(Settlement {
                ts_ns: ts,
                user: acct.user,
                sub: acct.sub,
                market: m,
                result,
                yes_c: line.yes_c,
                no_c: line.no_c,
                yes_cost_cc: line.yes_cost_cc,
                no_cost_cc: line.no_cost_cc,
                revenue_cc: line.revenue_cc,
                fee_cost_cc: line.fee_cost_cc,
                value_cc: value,
            })));
        }
        let market = &mut self.markets[m as usize];
        market.open_interest_c = 0;
        self.closed_orders.retain(|_, (market_ix, _)| *market_ix != m);
        market.status = MarketStatus::Finalized;
        market.settled_ns = Some(ts);
        self.market_update(m, "settled");
    }

    pub(crate) fn set_exchange_state(&mut self, ts: i64, paused: bool) -> Res<Value> {
        if paused == self.trading_paused {
            return reject(RejectReason::InvalidTransition, "exchange is already in that state");
        }
        self.trading_paused = paused;
        if paused {
            let mut ids: Vec<(u64, u32)> = self.resting.iter().collect();
            ids.sort_unstable();
            for (_, slot) in ids {
                if self.order(slot).cancel_on_pause {
                    self.cancel(slot, "exchange_paused");
                }
            }
        }
        self.out.push(Event::Exchange { ts_ns: ts, trading_active: !paused });
        Ok(Value::Bool(!paused))
    }

    /// Advance the markets whose step is due (in listing order, the market index), then
    /// expire the due orders (in id order): both taken from the due index, so a tick costs
    /// O(k log n) for k due, whatever the number of markets and expiring orders. The same
    /// events as advancing every market: `advance_market` does nothing to one not due.
    pub(crate) fn tick(&mut self, ts: i64) -> Res<Value> {
        let now = self.now_ns;
        let mut due: Vec<u32> = Vec::new();
        while let Some(&(at, m)) = self.market_due.first() {
            if at > now {
                break;
            }
            self.market_due.pop_first();
            self.markets[m as usize].due_ns = None;
            due.push(m);
        }
        due.sort_unstable();
        for m in due {
            self.advance_market(m); // reschedules it
        }
        let mut expired: Vec<u64> =
            self.expiring_by_ts.range(..=(ts, u64::MAX)).map(|&(_, id)| id).collect();
        expired.sort_unstable();
        let n = expired.len();
        for id in expired {
            if let Some(&slot) = self.resting.get(&id) {
                self.cancel(slot, "expired");
            }
        }
        Ok(Value::Int(n as i128))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A msgpack map of short string keys to raw msgpack values.
    fn meta(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = vec![0x80 | entries.len() as u8];
        for (key, value) in entries {
            out.push(0xa0 | key.len() as u8);
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(value);
        }
        out
    }

    const FLAT: &[u8] = &[0xa4, b'f', b'l', b'a', b't'];

    #[test]
    fn event_fee_override_follows_the_python_rule() {
        // No multiplier key: no override, even with a type (display-only, decision 0058).
        assert_eq!(event_fee_override(&meta(&[(TYPE_KEY, FLAT)])), Ok(None));
        let on = |m: Option<i64>, t: Option<FeeType>| {
            Ok(Some(EventFeeOverride {
                fee_type: t,
                multiplier_e4: m,
            }))
        };
        // 5_000 as uint16, with and without a type; nil keeps the series' multiplier.
        assert_eq!(
            event_fee_override(&meta(&[(MULTIPLIER_KEY, &[0xcd, 0x13, 0x88])])),
            on(Some(5_000), None)
        );
        assert_eq!(
            event_fee_override(&meta(&[(MULTIPLIER_KEY, &[0xc0]), (TYPE_KEY, FLAT)])),
            on(None, Some(FeeType::Flat))
        );
        assert_eq!(
            event_fee_override(&meta(&[(MULTIPLIER_KEY, &[0x00]), (TYPE_KEY, &[0xc0])])),
            on(Some(0), None)
        );
        // The last of duplicate keys wins.
        assert_eq!(
            event_fee_override(&meta(&[
                (MULTIPLIER_KEY, &[0xc3]),
                (MULTIPLIER_KEY, &[0x01])
            ])),
            on(Some(1), None)
        );
        // Malformed: bool, float, negative, above 100x, beyond i64, unknown or non-string type.
        for bad in [
            &[0xc3][..],
            &[0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0],
            &[0xff],
            &[0xce, 0x00, 0x0f, 0x42, 0x41],
            &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        ] {
            assert!(
                event_fee_override(&meta(&[(MULTIPLIER_KEY, bad)])).is_err(),
                "{bad:?}"
            );
        }
        for bad in [&[0xa5, b's', b't', b'e', b'e', b'p'][..], &[0x03]] {
            assert!(
                event_fee_override(&meta(&[(MULTIPLIER_KEY, &[0x01]), (TYPE_KEY, bad)])).is_err()
            );
        }
    }
}
