//! A snapshot's resting order may not claim more remaining contracts than any command can
//! make (`COUNT_MAX_C`): the collateral group's 64-bit count relies on it
//! (`GroupSide::remaining_c`). The same document with the count at the bound loads.

mod common;

use augury_core::commands::{Command, PlaceOrder, Side};
use augury_core::domain::COUNT_MAX_C;
use augury_core::exchange::Engine;
use common::TS;

/// The order's count (centi-contracts), chosen so its MessagePack bytes are easy to find.
const COUNT_C: i64 = 1_234_500;

fn one_resting_order() -> Engine {
    let mut e = common::one_market("bounds", 100_000_000);
    let place = Command::PlaceOrder(PlaceOrder::limit(TS, "ann", "M", Side::Bid, 1_000, COUNT_C));
    assert!(e.apply(&place).reject.is_none(), "{place:?} refused");
    e
}

/// The document with the order's (initial, fill, remaining) triple rewritten.
fn with_counts(doc: &[u8], initial_c: i64, remaining_c: i64) -> Vec<u8> {
    let mut count = vec![0xce];
    count.extend_from_slice(&(COUNT_C as u32).to_be_bytes());
    let triple: Vec<u8> = [&count[..], &[0x00], &count[..]].concat();
    let at = doc.windows(triple.len()).position(|w| w == &triple[..]).expect("the order's counts");
    assert!(doc[at + 1..].windows(triple.len()).all(|w| w != &triple[..]), "found once");
    let int = |v: i64| [&[0xcf][..], &(v as u64).to_be_bytes()].concat();
    [&doc[..at], &int(initial_c)[..], &[0x00], &int(remaining_c)[..], &doc[at + triple.len()..]].concat()
}

#[test]
fn a_resting_order_above_the_largest_count_is_refused() {
    let doc = one_resting_order().dump_state();
    assert!(Engine::load_state(&doc, (1, 2)).is_ok());
    let at_bound = with_counts(&doc, COUNT_MAX_C, COUNT_MAX_C);
    match Engine::load_state(&at_bound, (1, 2)) {
        Ok(e) => assert_eq!(e.resting.len(), 1),
        Err(err) => panic!("the bound itself is refused: {err}"),
    }
    let above = with_counts(&doc, COUNT_MAX_C + 1, COUNT_MAX_C + 1);
    match Engine::load_state(&above, (1, 2)) {
        Ok(_) => panic!("an order above COUNT_MAX_C loaded"),
        Err(err) => assert_eq!(err.to_string(), "snapshot: a resting order above the largest count"),
    }
}
