//! Pure-Rust engine benchmark: `cargo bench -p augury-core` (prints figures, asserts nothing).
//!
//! The mixed workload of `bench/engine.py`: 100 markets (linear cent grid), 1,000 funded
//! users, about 55 % resting limits near the touch, 15 % crossing orders (half immediate-or-
//! cancel), 25 % cancels and 5 % amends. The stream is generated first by driving a scratch
//! engine (for the touch and the live order ids), then applied to a fresh engine and timed;
//! events are built but not encoded (the binding's encoding is measured by bench.engine).

use std::time::Instant;

use augury_core::commands::{AddMarket, AmendOrder, Command, PlaceOrder, Side, Tif};
use augury_core::events::Event;
use augury_core::Engine;

const MARKETS: usize = 100;
const USERS: usize = 1_000;
const TS0: i64 = 1_767_225_600_000_000_000;

/// A command with owned strings (the engine borrows them while applying).
#[derive(Clone)]
enum Owned {
    Place { user: usize, market: usize, bid: bool, price: i64, count: i64, ioc: bool },
    Cancel { user: usize, order: String },
    Amend { user: usize, order: String, market: usize, bid: bool, price: i64, count: i64 },
}

struct Names {
    users: Vec<String>,
    markets: Vec<String>,
}

fn command<'a>(o: &'a Owned, n: &'a Names, ts: i64) -> Command<'a> {
    match o {
        Owned::Place { user, market, bid, price, count, ioc } => Command::PlaceOrder(PlaceOrder {
            time_in_force: if *ioc { Tif::Ioc } else { Tif::Gtc },
            ..PlaceOrder::limit(
                ts,
                n.users[*user].as_str(),
                n.markets[*market].as_str(),
                if *bid { Side::Bid } else { Side::Ask },
                *price,
                *count,
            )
        }),
        Owned::Cancel { user, order } => {
            Command::CancelOrder { ts_ns: ts, user_id: n.users[*user].as_str().into(), order_id: order.as_str().into(), subaccount: None }
        }
        Owned::Amend { user, order, market, bid, price, count } => Command::AmendOrder(AmendOrder {
            ts_ns: ts,
            user_id: n.users[*user].as_str().into(),
            order_id: order.as_str().into(),
            ticker: n.markets[*market].as_str().into(),
            side: if *bid { Side::Bid } else { Side::Ask },
            price_cc: *price,
            count_c: *count,
            subaccount: None,
            client_order_id: None,
            updated_client_order_id: None,
            expiration_ts_ns: None,
        }),
    }
}

fn setup(e: &mut Engine, n: &Names) {
    e.apply(&Command::AddSeries { ts_ns: TS0, ticker: "B", fee_type: "quadratic", fee_multiplier_e4: 10_000, meta: &[0x80] });
    e.apply(&Command::AddEvent { ts_ns: TS0, event_ticker: "BE", series_ticker: "B", mutually_exclusive: false, meta: &[0x80] });
    for m in &n.markets {
        e.apply(&Command::AddMarket(AddMarket {
            ts_ns: TS0,
            ticker: m,
            event_ticker: "BE",
            open_ts_ns: TS0,
            close_ts_ns: TS0 + 1_000_000_000_000_000,
            price_level_structure: "linear_cent",
            fractional: false,
            settlement_timer_s: 0,
            market_type: "binary",
            meta: &[0x80],
        }));
    }
    for u in &n.users {
        e.apply(&Command::CreateUser { ts_ns: TS0, user_id: u, name: u });
        e.apply(&Command::Deposit { ts_ns: TS0, user_id: u, amount_cc: 10_000_000_000, subaccount: 0, transfer_id: None });
    }
}

/// xorshift64*: a seeded generator for the workload (the engine itself draws nothing).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Live {
    orders: Vec<(String, usize, usize, bool, i64, i64)>,
    at: std::collections::HashMap<String, usize>,
}

fn generate(count: usize, n: &Names) -> Vec<Owned> {
    let mut e = Engine::new("bench", "0badc0de", (3, 4));
    setup(&mut e, n);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut live = Live { orders: Vec::new(), at: Default::default() };
    let mut out = Vec::with_capacity(count);
    let mut ts = TS0 + 1;
    for i in 0..count + MARKETS * 40 {
        ts += 1_000;
        let r = if i < MARKETS * 40 { 0.0 } else { rng.unit() };
        let cmd = if r >= 0.70 && !live.orders.is_empty() {
            let (id, user, market, bid, price, rem) = live.orders[rng.below(live.orders.len())].clone();
            if r < 0.95 {
                Owned::Cancel { user, order: id }
            } else {
                let (price, count) = if rng.unit() < 0.5 {
                    let p = (price + if rng.unit() < 0.5 { -100 } else { 100 }).clamp(100, 9_900);
                    (p, rem)
                } else {
                    (price, (rem + if rng.unit() < 0.5 { -100 } else { 100 }).max(100))
                };
                Owned::Amend { user, order: id, market, bid, price, count }
            }
        } else {
            let cross = (0.55..0.70).contains(&r);
            let market = rng.below(MARKETS);
            let bid = rng.unit() < 0.5;
            let book = &e.markets[market].book;
            let mut off = 0;
            while rng.unit() < 0.5 {
                off += 1;
            }
            let size = book.size as i64;
            let idx = if cross {
                let far = if bid { book.best_ask } else { book.best_bid };
                if (0..size).contains(&far) { if bid { far + off } else { far - off } } else { size / 2 }
            } else {
                let near = if bid { book.best_bid } else { book.best_ask };
                let far = if bid { book.best_ask } else { book.best_bid };
                let near = if (0..size).contains(&near) { near } else if (0..size).contains(&far) { if bid { far - 1 } else { far + 1 } } else if bid { size / 2 - 1 } else { size / 2 + 1 };
                let idx = if bid { near - off } else { near + off };
                if bid { idx.min(far - 1) } else { idx.max(far + 1) }
            }
            .clamp(0, size - 1);
            let ioc = cross && rng.unit() < 0.5;
            Owned::Place { user: rng.below(USERS), market, bid, price: (idx + 1) * 100, count: 100 * (1 + rng.below(10) as i64), ioc }
        };
        let outcome = e.apply(&command(&cmd, n, ts));
        for ev in &outcome.events {
            if let Event::Order(s) = ev {
                let id = e.id_text(1, s.id);
                if s.status.as_str() == "resting" {
                    let row = (id.clone(), s.user as usize, s.market as usize, s.side == Side::Bid, s.price_cc, s.remaining_c);
                    match live.at.get(&id) {
                        Some(&at) => live.orders[at] = row,
                        None => {
                            live.at.insert(id, live.orders.len());
                            live.orders.push(row);
                        }
                    }
                } else if let Some(at) = live.at.remove(&id) {
                    let last = live.orders.pop().unwrap();
                    if at < live.orders.len() {
                        live.at.insert(last.0.clone(), at);
                        live.orders[at] = last;
                    }
                }
            }
        }
        out.push(cmd);
    }
    out
}

/// This process's CPU time in seconds (the scheduler's own count, from /proc): on a shared
/// machine wall time includes waiting for a core, CPU time does not.
fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse::<f64>().ok()))
        .map_or(f64::NAN, |ns| ns / 1e9)
}

/// The measured loop, kept out of line so `valgrind --tool=callgrind
/// --toggle-collect='*timed_round*'` counts exactly the applied stream's instructions.
#[inline(never)]
fn timed_round(e: &mut Engine, stream: &[Owned], names: &Names) -> usize {
    let mut ts = TS0 + 1;
    let mut events = 0usize;
    for cmd in stream {
        ts += 1_000;
        // `step`, as the binding applies: events stay in the engine, their storage reused.
        let step = e.step(&command(cmd, names, ts));
        events += e.events().len();
        e.recycle(step.value);
    }
    events
}

fn main() {
    let commands: usize = std::env::var("BENCH_COMMANDS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let names = Names {
        users: (0..USERS).map(|u| format!("u{u:04}")).collect(),
        markets: (0..MARKETS).map(|m| format!("BENCH-{m:03}")).collect(),
    };
    let started = Instant::now();
    let stream = generate(commands, &names);
    println!("generated {} commands in {:.1} s", stream.len(), started.elapsed().as_secs_f64());
    let rounds: usize = std::env::var("BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    for round in 0..rounds {
        let mut e = Engine::new("bench", "0badc0de", (3, 4));
        setup(&mut e, &names);
        let t0 = Instant::now();
        let c0 = cpu_s();
        let events = timed_round(&mut e, &stream, &names);
        let s = t0.elapsed().as_secs_f64();
        let cpu = cpu_s() - c0;
        println!(
            "round {round}: {:.0} commands/s wall, {:.0} per CPU-second ({} commands, {} events, {} resting at the end)",
            stream.len() as f64 / s,
            stream.len() as f64 / cpu,
            stream.len(),
            events,
            e.resting.len()
        );
    }
}
