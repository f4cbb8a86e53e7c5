//! Shared setup of the integration tests: an engine with one funded user (`ann`) and one
//! open binary market (`M`, event `E`, series `S`, a linear cent grid), all at time `TS`.

use augury_core::commands::{AddMarket, Command};
use augury_core::exchange::Engine;

pub const TS: i64 = 1_700_000_000_000_000_000;

/// A fresh engine named `instance` with `ann` holding `deposit_cc` and market `M` open.
pub fn one_market(instance: &str, deposit_cc: i64) -> Engine {
    let mut e = Engine::new(instance, "0123abcd", (1, 2));
    let setup = [
        Command::CreateUser { ts_ns: TS, user_id: "ann", name: "ann" },
        Command::Deposit { ts_ns: TS, user_id: "ann", amount_cc: deposit_cc, subaccount: 0, transfer_id: None },
        Command::AddSeries { ts_ns: TS, ticker: "S", fee_type: "flat", fee_multiplier_e4: 10_000, meta: &[0x80] },
        Command::AddEvent { ts_ns: TS, event_ticker: "E", series_ticker: "S", mutually_exclusive: false, meta: &[0x80] },
        Command::AddMarket(AddMarket {
            ts_ns: TS,
            ticker: "M".into(),
            event_ticker: "E",
            open_ts_ns: TS - 1,
            close_ts_ns: TS + 1_000_000_000_000,
            price_level_structure: "linear_cent",
            fractional: false,
            settlement_timer_s: 0,
            market_type: "binary",
            meta: &[0x80],
        }),
    ];
    for c in &setup {
        assert!(e.apply(c).reject.is_none(), "{c:?} refused");
    }
    e
}
