//! Every event encodes at its worst case without overrunning the room it reserved.
//!
//! `events::encode_event` and `encode_order` reserve each event's room once, from a
//! hand-counted bound (so many integers of at most `INT_MAX` bytes, ids, booleans, the
//! strings' own lengths); writing past it panics, and a native panic stops the sequencer.
//! A miscount hides behind small values (a price of 4,000 takes 3 bytes of the 9 counted),
//! so this writes every event kind with every number at its widest (i64/i128 extremes,
//! `u64::MAX` ids, `Some` everywhere an option is) and the longest names the domain allows,
//! and checks the bytes against the MessagePack rule: an integer outside i64 clamps to 9
//! bytes, so each event's length is computed here independently and must match.


use augury_core::commands::{AddMarket, Command, Side, Stp, Tif};
use augury_core::events::{encode_event, ClientId, Event, OrderSnap, Settlement};
use augury_core::exchange::Engine;
use augury_core::model::{Labels, OrderStatus};
use augury_core::msgpack::Writer;

const T0: i64 = 1_767_225_600_000_000_000;
const BIG: i64 = i64::MAX;
const HUGE: i128 = i128::MAX;

fn long(c: char, n: usize) -> String {
    std::iter::repeat(c).take(n).collect()
}

/// An engine with one user (64-character id, 256-character name) and one market (a
/// 200-character ticker), both at index 0.
fn engine() -> (Engine, String, String) {
    let mut e = Engine::new("sizes", "0123abcd", (1, 2));
    let user = long('u', 64);
    let name = long('n', 256);
    let ticker = long('T', 200);
    let steps: Vec<Command<'_>> = vec![
        Command::CreateUser { ts_ns: T0, user_id: &user, name: &name },
        Command::AddSeries { ts_ns: T0, ticker: "S", fee_type: "quadratic", fee_multiplier_e4: 10_000, meta: &[0x80] },
        Command::AddEvent { ts_ns: T0, event_ticker: "E", series_ticker: "S", mutually_exclusive: false, meta: &[0x80] },
        Command::AddMarket(AddMarket {
            ts_ns: T0,
            ticker: &ticker,
            event_ticker: "E",
            open_ts_ns: T0 - 1,
            close_ts_ns: T0 + 1_000_000_000_000,
            price_level_structure: "linear_cent",
            fractional: false,
            settlement_timer_s: 0,
            market_type: "binary",
            meta: &[0x80],
        }),
    ];
    for step in &steps {
        let outcome = e.apply(step);
        assert!(outcome.reject.is_none(), "setup refused: {:?}", outcome.reject.map(|r| r.message));
    }
    (e, user, ticker)
}

/// Bytes of a MessagePack string of `n` bytes.
fn s(n: usize) -> usize {
    n + match n {
        0..=31 => 1,
        32..=255 => 2,
        256..=65_535 => 3,
        _ => 5,
    }
}

const INT: usize = 9; // every number here is at its widest
// An id whose counter is past twelve hex digits: 24 + 16 characters and a str8 header.
const ID: usize = 42;
const B: usize = 1; // a boolean
// Position and balance events read the subaccount from their account (the user's first,
// number 0: one byte); every subaccount number is at most 63, a one-byte fixint.
const SUB: usize = 1;

fn encoded(e: &Engine, ev: &Event) -> usize {
    let mut w = Writer::new();
    encode_event(e, ev, &mut w);
    w.len()
}

#[test]
fn every_event_at_its_widest_fits_its_room_and_has_the_length_the_rule_gives() {
    let (e, user, ticker) = engine();
    let (u, t) = (user.len(), ticker.len());
    let coid = ClientId::new(&long('c', 64));
    let c = coid.len();
    let transfer = long('x', 64 + 1 + 36);

    let order = OrderSnap {
        ts_ns: BIG,
        id: u64::MAX,
        user: 0,
        sub: BIG,
        market: 0,
        side: Side::Bid,
        price_cc: BIG,
        initial_c: BIG,
        fill_c: BIG,
        remaining_c: BIG,
        status: OrderStatus::Canceled,
        reason: "self_trade_prevention",
        time_in_force: Tif::Ioc,
        labels: Labels::new(true, false, true), // "market", "yes", "sell"
        client_order_id: coid.clone(),
        order_group_id: Some(u64::MAX),
        self_trade_prevention: Stp::TakerAtCross,
        post_only: true,
        cancel_order_on_pause: true,
        expiration_ts_ns: Some(BIG),
        created_ns: BIG,
        taker_fill_cost_cc: HUGE,
        maker_fill_cost_cc: HUGE,
        taker_fees_cc: HUGE,
        maker_fees_cc: HUGE,
        queue_seq: i64::MAX as u64, // written as an i64: its widest
    };
    let cases: Vec<(Event, usize)> = vec![
        (
            Event::Order(Box::new(order)),
            3 + s(11) + 13 * INT + 2 * ID + 2 * B
                + s(u) + s(t) + s(3) + s(8) + s(21) + s(19) + s(6) + s(3) + s(4) + s(c) + s(14),
        ),
        (
            Event::Fill {
                ts_ns: BIG,
                fill_id: u64::MAX,
                trade_id: u64::MAX,
                order_id: u64::MAX,
                user: 0,
                sub: BIG,
                market: 0,
                side: Side::Ask,
                labels: Labels::new(true, false, true),
                price_cc: BIG,
                count_c: BIG,
                is_taker: true,
                fee_cc: HUGE,
                post_position_c: -HUGE,
                client_order_id: coid.clone(),
            },
            3 + s(9) + 6 * INT + 3 * ID + B + s(u) + s(t) + s(3) + s(3) + s(4) + s(c),
        ),
        (
            Event::Trade { ts_ns: BIG, trade_id: u64::MAX, market: 0, price_cc: BIG, count_c: BIG, taker_side: Side::Bid },
            1 + s(10) + 3 * INT + ID + s(t) + s(3),
        ),
        (
            Event::Delta {
                ts_ns: BIG,
                market: 0,
                seq: BIG,
                side: Side::Ask,
                price_cc: BIG,
                delta_c: i64::MIN,
                user: 0,
                sub: BIG,
                client_order_id: coid.clone(),
            },
            1 + s(9) + 5 * INT + s(t) + s(3) + s(u) + s(c),
        ),
        (
            Event::Position {
                ts_ns: BIG,
                acct: 0,
                market: 0,
                position_c: HUGE,
                exposure_cc: HUGE,
                realized_pnl_cc: -HUGE,
                fees_paid_cc: HUGE,
                total_traded_cc: HUGE,
                resting_orders: BIG,
                settled: true,
                traded_c: HUGE,
            },
            1 + s(14) + 8 * INT + SUB + B + s(u) + s(t),
        ),
        (
            Event::Balance { ts_ns: BIG, acct: 0, available_cc: HUGE, reserved_cc: HUGE },
            1 + s(13) + 3 * INT + SUB + s(u),
        ),
        (
            Event::Cash {
                ts_ns: BIG,
                kind: "withdrawal",
                user: 0,
                sub: BIG,
                amount_cc: BIG,
                to_subaccount: Some(BIG),
                transfer_id: Some(transfer.clone()),
            },
            1 + s(12) + 4 * INT + s(10) + s(u) + s(transfer.len()),
        ),
        (
            Event::Market {
                ts_ns: BIG,
                market: 0,
                kind: "settled",
                status: "finalized",
                result: "scalar",
                settlement_value_cc: Some(BIG),
            },
            1 + s(12) + 2 * INT + s(t) + s(7) + s(9) + s(6),
        ),
        (
            Event::Settlement(Box::new(Settlement {
                ts_ns: BIG,
                user: 0,
                sub: BIG,
                market: 0,
                result: "scalar",
                yes_c: HUGE,
                no_c: HUGE,
                yes_cost_cc: HUGE,
                no_cost_cc: HUGE,
                revenue_cc: HUGE,
                fee_cost_cc: HUGE,
                value_cc: Some(BIG),
            })),
            1 + s(15) + 9 * INT + s(u) + s(t) + s(6),
        ),
        (
            Event::Group { ts_ns: BIG, group_id: u64::MAX, user: 0, sub: BIG, kind: "triggered", contracts_limit_c: Some(BIG) },
            1 + s(16) + 3 * INT + ID + s(u) + s(9),
        ),
        (Event::Exchange { ts_ns: BIG, trading_active: true }, 1 + s(14) + INT + B),
        (
            Event::ApiKey { ts_ns: BIG, api_key_id: long('k', 64), user_id: user.clone(), active: true },
            1 + s(12) + INT + B + s(64) + s(u),
        ),
        (
            Event::User { ts_ns: BIG, user: 0, name: long('n', 256), tier: long('t', 64) },
            1 + s(10) + INT + s(u) + s(256) + s(64),
        ),
    ];
    for (i, (event, expected)) in cases.iter().enumerate() {
        // A miscounted bound panics inside `encode_event`, failing this test.
        assert_eq!(encoded(&e, event), *expected, "event case {i}");
    }
}
