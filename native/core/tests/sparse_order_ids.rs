//! A snapshot may hold resting orders under any ids the id format allows (one written by
//! the other engine, by a long-lived exchange, recovered): the resting-order index
//! (`order_index::OrderIndex`, dense only where ids crowd) must find every one of them,
//! before and after new orders arrive, and let each be cancelled.

mod common;

use augury_core::commands::{Command, PlaceOrder, Side};
use augury_core::exchange::Engine;
use common::TS;

const ORDERS: u64 = 40;

fn engine_with_resting_orders() -> Engine {
    let mut e = common::one_market("sparse", 10_000_000_000);
    for k in 0..ORDERS as i64 {
        // Bids from 1 to 40 cents: nothing crosses, every order rests.
        let place = Command::PlaceOrder(PlaceOrder::limit(TS, "ann", "M", Side::Bid, 100 * (k + 1), 100));
        assert!(e.apply(&place).reject.is_none());
    }
    e
}

/// The ids the loaded orders get: sparse, far apart, near the top of the 48-bit range,
/// below a counter set past them all.
fn sparse_id(k: u64) -> u64 {
    match k % 5 {
        0 => 1 + k,
        1 => 300 * k,
        2 => (1 << 40) + 1000 * k,
        3 => (1 << 47) - 1 - k,
        _ => (1 << 20) * k + 7,
    }
}

const COUNTER: u64 = 1 << 47;

fn replace_once(doc: &mut Vec<u8>, from: &[u8], to: &[u8]) {
    let at = doc.windows(from.len()).position(|w| w == from).expect("found");
    assert!(doc[at + 1..].windows(from.len()).all(|w| w != from), "found once");
    doc.splice(at..at + from.len(), to.iter().copied());
}

#[test]
fn orders_under_sparse_and_huge_ids_are_found_and_cancelled() {
    let e = engine_with_resting_orders();
    let mut doc = e.dump_state();
    let old_counter = e.id_counter;
    let mut ids = Vec::new();
    for k in 0..ORDERS {
        let old = e.id_text(1, k + 1);
        assert!(e.resting.contains_key(&(k + 1)), "the orders took ids 1..=40");
        let new = sparse_id(k);
        replace_once(&mut doc, old.as_bytes(), e.id_text(1, new).as_bytes());
        ids.push(new);
    }
    // The counters: [id_counter, queue_counter, now, paused], the id counter a fixint.
    let head = [&[0xa8][..], b"counters", &[0x94, old_counter as u8]].concat();
    let counter = [&[0xa8][..], b"counters", &[0x94, 0xcf], &COUNTER.to_be_bytes()].concat();
    replace_once(&mut doc, &head, &counter);

    let mut e = Engine::load_state(&doc, (1, 2)).expect("the snapshot loads");
    assert_eq!(e.id_counter, COUNTER);
    assert_eq!(e.resting.len(), ORDERS as usize);
    for &id in &ids {
        let slot = *e.resting.get(&id).unwrap_or_else(|| panic!("id {id} not indexed"));
        assert_eq!(e.order(slot).id, id);
    }
    assert!(e.audit().is_empty(), "{:?}", e.audit());

    // New orders take ids past the counter; the loaded ones stay findable.
    for k in 0..300i64 {
        let place = Command::PlaceOrder(PlaceOrder::limit(TS + 1, "ann", "M", Side::Bid, 100 * (k % 40 + 1), 100));
        assert!(e.apply(&place).reject.is_none());
    }
    assert_eq!(e.resting.len(), ORDERS as usize + 300);
    assert!(e.resting.contains_key(&(COUNTER + 300)));
    // Cancel the loaded ones, largest id first then the rest, through the command.
    let mut order = ids.clone();
    order.sort_unstable_by(|a, b| b.cmp(a));
    order.rotate_left(7);
    for &id in &order {
        let text = e.id_text(1, id);
        let cancel = Command::CancelOrder { ts_ns: TS + 2, user_id: "ann".into(), order_id: text.as_str().into(), subaccount: None };
        let outcome = e.apply(&cancel);
        assert!(outcome.reject.is_none(), "cancel of {text}: {:?}", outcome.reject);
        assert!(!e.resting.contains_key(&id));
    }
    assert_eq!(e.resting.len(), 300);
    assert!(e.audit().is_empty(), "{:?}", e.audit());
    // The state reloads the same.
    let again = Engine::load_state(&e.dump_state(), (1, 2)).expect("reloads");
    assert_eq!(again.dump_state(), e.dump_state());
}
