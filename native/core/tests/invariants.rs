//! Property tests of the engine's invariants over random command sequences, each checked
//! after every command from the raw state, independently of the engine's running totals:
//!
//! - money is conserved: users' cash + escrow + fee revenue = accepted deposits minus
//!   accepted withdrawals (tracked here from the outcomes, not read from the ledger);
//! - YES held = NO held in every market, and escrow = $1 x pairs;
//! - no book is crossed; no available or reserved balance is negative;
//! - the auditor (`Engine::audit`) finds nothing.

use std::collections::HashMap;

use augury_core::commands::{AddMarket, AmendOrder, Command, PlaceOrder, Side, Stp, Tif};
use augury_core::exchange::{Engine, Value};
use augury_core::events::Event;
use proptest::prelude::*;

const USERS: [&str; 4] = ["ann", "bob", "cy", "dee"];
const MARKETS: [&str; 3] = ["LIN", "DECI", "TAPER"];
const T0: i64 = 1_700_000_000_000_000_000;

#[derive(Debug, Clone)]
enum Op {
    Place { user: usize, market: usize, bid: bool, price: i64, lots: i64, tif: u8, maker_stp: bool, post_only: bool },
    Cancel { pick: usize },
    Amend { pick: usize, price: i64, lots: i64 },
    Decrease { pick: usize, by: i64 },
    Deposit { user: usize, cents: i64 },
    Withdraw { user: usize, cents: i64 },
    Pause { market: usize, resume: bool },
    Settle { market: usize, result: u8, value: i64 },
    Tick { seconds: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (0..4usize, 0..3usize, any::<bool>(), 1..100i64, 1..12i64, 0..3u8, any::<bool>(), prop::bool::weighted(0.1))
            .prop_map(|(user, market, bid, price, lots, tif, maker_stp, post_only)| Op::Place { user, market, bid, price, lots, tif, maker_stp, post_only }),
        2 => (0..64usize).prop_map(|pick| Op::Cancel { pick }),
        2 => (0..64usize, 1..100i64, 1..12i64).prop_map(|(pick, price, lots)| Op::Amend { pick, price, lots }),
        1 => (0..64usize, 1..600i64).prop_map(|(pick, by)| Op::Decrease { pick, by }),
        1 => (0..4usize, 1..50_000i64).prop_map(|(user, cents)| Op::Deposit { user, cents }),
        1 => (0..4usize, 1..50_000i64).prop_map(|(user, cents)| Op::Withdraw { user, cents }),
        1 => (0..3usize, any::<bool>()).prop_map(|(market, resume)| Op::Pause { market, resume }),
        1 => (0..3usize, 0..4u8, 0..=10_000i64).prop_map(|(market, result, value)| Op::Settle { market, result, value }),
        1 => (0..30i64).prop_map(|seconds| Op::Tick { seconds }),
    ]
}

struct World {
    engine: Engine,
    ts: i64,
    net_cash_cc: i128,
    live: Vec<(String, usize)>,
    listed: HashMap<usize, String>,
    generation: usize,
}

impl World {
    fn new() -> World {
        let mut w = World {
            engine: Engine::new("prop", "0123abcd", (1, 2)),
            ts: T0,
            net_cash_cc: 0,
            live: Vec::new(),
            listed: HashMap::new(),
            generation: 0,
        };
        let ts = w.ts;
        for u in USERS {
            w.apply(&Command::CreateUser { ts_ns: ts, user_id: u, name: u });
            w.apply(&Command::Deposit { ts_ns: ts, user_id: u, amount_cc: 5_000_000, subaccount: 0, transfer_id: None });
        }
        for (i, fee) in ["quadratic", "quadratic_with_maker_fees", "flat"].iter().enumerate() {
            let series = format!("S{i}");
            let event = format!("E{i}");
            w.apply(&Command::AddSeries { ts_ns: ts, ticker: &series, fee_type: fee, fee_multiplier_e4: 10_000, meta: &[0x80] });
            w.apply(&Command::AddEvent { ts_ns: ts, event_ticker: &event, series_ticker: &series, mutually_exclusive: false, meta: &[0x80] });
        }
        for m in 0..3 {
            w.list(m);
        }
        w
    }

    fn list(&mut self, m: usize) {
        self.generation += 1;
        let ticker = format!("{}-{}", MARKETS[m], self.generation);
        let structure = ["linear_cent", "deci_cent", "tapered_deci_cent"][m];
        let event = format!("E{m}");
        let ts = self.ts;
        self.apply(&Command::AddMarket(AddMarket {
            ts_ns: ts,
            ticker: &ticker,
            event_ticker: &event,
            open_ts_ns: ts - 1,
            close_ts_ns: ts + 1_000_000 * 1_000_000_000,
            price_level_structure: structure,
            fractional: m == 1,
            settlement_timer_s: 0,
            market_type: "binary",
            meta: &[0x80],
        }));
        self.listed.insert(m, ticker);
    }

    fn apply(&mut self, command: &Command<'_>) -> augury_core::Outcome {
        let outcome = self.engine.apply(command);
        if outcome.reject.is_none() {
            match command {
                Command::Deposit { amount_cc, .. } => self.net_cash_cc += i128::from(*amount_cc),
                Command::Withdraw { amount_cc, .. } => self.net_cash_cc -= i128::from(*amount_cc),
                _ => {}
            }
        }
        for ev in &outcome.events {
            if let Event::Order(snap) = ev {
                let id = self.engine.id_text(1, snap.id);
                self.live.retain(|(o, _)| *o != id);
                if snap.status.as_str() == "resting" {
                    self.live.push((id, snap.user as usize));
                }
            }
        }
        outcome
    }

    fn price(&self, m: usize, step: i64) -> i64 {
        // Linear: whole cents; deci: deci-cents near the touch; tapered: both kinds.
        match m {
            0 => step * 100,
            1 => 4_500 + step * 10,
            _ => if step % 2 == 0 { step * 100 } else { 9_000 + step * 10 % 1_000 },
        }
    }

    fn run(&mut self, op: &Op) {
        self.ts += 7_000_000;
        let ts = self.ts;
        match *op {
            Op::Place { user, market, bid, price, lots, tif, maker_stp, post_only } => {
                let ticker = self.listed[&market].clone();
                let lot = if market == 1 { 37 } else { 100 };
                let tif = [Tif::Gtc, Tif::Ioc, Tif::Fok][tif as usize];
                self.apply(&Command::PlaceOrder(PlaceOrder {
                    time_in_force: tif,
                    self_trade_prevention: if maker_stp { Stp::Maker } else { Stp::TakerAtCross },
                    post_only: post_only && tif == Tif::Gtc,
                    ..PlaceOrder::limit(
                        ts,
                        USERS[user],
                        &ticker,
                        if bid { Side::Bid } else { Side::Ask },
                        self.price(market, price),
                        lots * lot,
                    )
                }));
            }
            Op::Cancel { pick } if !self.live.is_empty() => {
                let (id, user) = self.live[pick % self.live.len()].clone();
                self.apply(&Command::CancelOrder { ts_ns: ts, user_id: USERS[user].into(), order_id: (&id).into(), subaccount: None });
            }
            Op::Amend { pick, price, lots } if !self.live.is_empty() => {
                let (id, user) = self.live[pick % self.live.len()].clone();
                let slot = *self.engine.resting.get(&self.engine.parse_id(1, &id).unwrap()).unwrap();
                let o = self.engine.order(slot);
                let m = o.market as usize;
                let ticker = self.engine.markets[m].ticker.to_string();
                let lot = self.engine.markets[m].lot_c;
                let market_kind = MARKETS.iter().position(|k| ticker.starts_with(k)).unwrap();
                let (side, fill) = (o.side(), o.fill_c);
                self.apply(&Command::AmendOrder(AmendOrder {
                    ts_ns: ts,
                    user_id: USERS[user].into(),
                    order_id: (&id).into(),
                    ticker: (&ticker).into(),
                    side,
                    price_cc: self.price(market_kind, price),
                    count_c: fill + lots * lot,
                    subaccount: None,
                    client_order_id: None,
                    updated_client_order_id: None,
                    expiration_ts_ns: None,
                }));
            }
            Op::Decrease { pick, by } if !self.live.is_empty() => {
                let (id, user) = self.live[pick % self.live.len()].clone();
                self.apply(&Command::DecreaseOrder {
                    ts_ns: ts,
                    user_id: USERS[user],
                    order_id: &id,
                    reduce_by_c: Some(by),
                    reduce_to_c: None,
                    subaccount: None,
                });
            }
            Op::Deposit { user, cents } => {
                self.apply(&Command::Deposit { ts_ns: ts, user_id: USERS[user], amount_cc: cents * 100, subaccount: 0, transfer_id: None });
            }
            Op::Withdraw { user, cents } => {
                self.apply(&Command::Withdraw { ts_ns: ts, user_id: USERS[user], amount_cc: cents * 100, subaccount: 0, transfer_id: None });
            }
            Op::Pause { market, resume } => {
                let ticker = self.listed[&market].clone();
                let action = if resume { "resume" } else { "pause" };
                self.apply(&Command::SetMarketState { ts_ns: ts, ticker: &ticker, action });
            }
            Op::Settle { market, result, value } => {
                let ticker = self.listed[&market].clone();
                let result = ["yes", "no", "scalar", "void"][result as usize];
                let out = self.apply(&Command::DetermineMarket {
                    ts_ns: ts,
                    ticker: &ticker,
                    result,
                    value_cc: Some(value),
                    settle_now: true,
                });
                if matches!(out.value, Value::Str(ref s) if s == "finalized") {
                    self.list(market);
                }
            }
            Op::Tick { seconds } => {
                self.ts += seconds * 1_000_000_000;
                self.apply(&Command::Tick { ts_ns: self.ts });
            }
            _ => {}
        }
    }

    fn check(&self) -> Result<(), TestCaseError> {
        let e = &self.engine;
        let l = &e.ledger;
        let mut cash = l.fee_revenue_cc;
        for a in &l.accounts {
            prop_assert!(a.available_cc >= 0 && a.reserved_cc >= 0, "negative balance");
            cash += a.available_cc + a.reserved_cc;
        }
        let mut yes = vec![0i128; e.markets.len()];
        let mut no = vec![0i128; e.markets.len()];
        for p in &l.positions {
            if p.position_c > 0 {
                yes[p.market as usize] += p.position_c;
            } else {
                no[p.market as usize] -= p.position_c;
            }
        }
        for (i, m) in e.markets.iter().enumerate() {
            let escrow = m.escrow_cc.unwrap_or(0);
            cash += escrow;
            prop_assert_eq!(yes[i], no[i], "YES != NO in {}", m.ticker);
            prop_assert_eq!(escrow, yes[i] * 100, "escrow != pairs x $1 in {}", m.ticker);
            prop_assert!(m.book.best_bid < m.book.best_ask, "crossed book in {}", m.ticker);
        }
        prop_assert_eq!(cash, self.net_cash_cc, "money not conserved");
        let problems = e.audit();
        prop_assert!(problems.is_empty(), "audit: {:?}", problems);
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_after_every_command(ops in prop::collection::vec(op(), 1..300)) {
        let mut world = World::new();
        world.check()?;
        for op in &ops {
            world.run(op);
            world.check()?;
        }
    }

    #[test]
    fn snapshots_round_trip_to_the_same_state(ops in prop::collection::vec(op(), 1..150)) {
        let mut world = World::new();
        for op in &ops {
            world.run(op);
        }
        let doc = world.engine.dump_state();
        let loaded = Engine::load_state(&doc, (9, 9)).expect("a snapshot loads");
        prop_assert_eq!(loaded.canonical_state(), world.engine.canonical_state());
        prop_assert_eq!(loaded.dump_state(), doc);
        prop_assert!(loaded.audit().is_empty());
    }
}

#[test]
fn a_cross_books_a_trade_with_hand_computed_cash() {
    // ann bids 1 contract at 60c, bob sells at 60c on a quadratic (taker-only) market:
    // the taker (bob, buying NO at 40c) pays 40c + fee ceil(0.07 * 0.6 * 0.4 * $1) = 1.68c
    // -> 2c after flooring his balance change to the cent; ann pays 60c.
    let mut w = World::new();
    let before: Vec<i128> = w.engine.ledger.accounts.iter().map(|a| a.available_cc).collect();
    w.run(&Op::Place { user: 0, market: 0, bid: true, price: 60, lots: 1, tif: 0, maker_stp: false, post_only: false });
    w.run(&Op::Place { user: 1, market: 0, bid: false, price: 60, lots: 1, tif: 1, maker_stp: false, post_only: false });
    let after: Vec<i128> = w.engine.ledger.accounts.iter().map(|a| a.available_cc + a.reserved_cc).collect();
    assert_eq!(before[0] - after[0], 6_000);
    assert_eq!(before[1] - after[1], 4_000 + 200);
    assert_eq!(w.engine.markets[0].escrow_cc, Some(10_000));
    assert!(w.check().is_ok());
}

#[test]
fn a_settled_cross_pays_the_holder_and_flattens_every_copy_of_the_position() {
    // The cross above, then the market settles YES at once: ann's 1 YES (bought at 60c) is
    // paid $1 = 10,000 cc, bob's NO pays nothing, escrow is emptied, every position is
    // flat, and the holdings' copies of the positions (read by the risk checks) are flat
    // too (the auditor compares each copy with its position).
    let mut w = World::new();
    w.run(&Op::Place { user: 0, market: 0, bid: true, price: 60, lots: 1, tif: 0, maker_stp: false, post_only: false });
    w.run(&Op::Place { user: 1, market: 0, bid: false, price: 60, lots: 1, tif: 1, maker_stp: false, post_only: false });
    let held: Vec<i128> = w.engine.ledger.positions.iter().map(|p| p.position_c).collect();
    assert!(held.iter().any(|&p| p != 0), "the cross left positions to settle");
    let before: Vec<i128> = w.engine.ledger.accounts.iter().map(|a| a.available_cc).collect();
    let ticker = w.listed[&0].clone();
    let out = w.engine.apply(&Command::DetermineMarket {
        ts_ns: w.ts + 1,
        ticker: &ticker,
        result: "yes",
        value_cc: None,
        settle_now: true,
    });
    assert!(out.reject.is_none(), "{:?}", out.reject);
    assert!(matches!(out.value, Value::Str(ref s) if s == "finalized"));
    let after: Vec<i128> = w.engine.ledger.accounts.iter().map(|a| a.available_cc).collect();
    assert_eq!(after[0] - before[0], 10_000);
    assert_eq!(after[1] - before[1], 0);
    assert_eq!(w.engine.markets[0].escrow_cc.unwrap_or(0), 0);
    assert!(w.engine.ledger.positions.iter().all(|p| p.position_c == 0));
    assert_eq!(w.engine.audit(), Vec::<String>::new());
}
