//! Property-based fuzzing of the command decoder: whatever the bytes, `decode_command`
//! returns a value or an error and never panics, loops or over-allocates. Seeds are real
//! payloads written by msgspec (`augury.engine.commands.encode_command`), then truncated,
//! bit-flipped, spliced or replaced by random bytes. CI runs this on stable Rust; the
//! `cargo fuzz` target in `native/fuzz` runs the same decoder under libFuzzer where a
//! nightly toolchain is available (docs/decisions/0036).

use augury_core::commands::{decode_command, decode_record, Command, Side, Tif};
use proptest::prelude::*;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn seeds() -> Vec<Vec<u8>> {
    [
        "dc0014aa506c6163654f72646572a175a154a3626964cd138864b2676f6f645f74696c6c5f63616e63656c6564ae74616b65725f61745f63726f737300a178c2c2c2c063c0c0a56c696d6974c005",
        "93a542617463689292a45469636b0795ab43616e63656c4f72646572a175a16fc00707",
        "9ba94164644d61726b6574a14da1450009ab6c696e6561725f63656e74c200a662696e61727982a1619301cb4004000000000000c0b16665655f6d756c7469706c6965725f65340301",
        "99ae52656769737465724170694b6579a16ba175a16ea170a372736192a472656164a57772697465c001",
    ]
    .iter()
    .map(|h| hex(h))
    .collect()
}

#[test]
fn msgspec_payloads_decode_to_their_commands() {
    let s = seeds();
    match decode_command(&s[0]).unwrap() {
        Command::PlaceOrder(p) => {
            assert_eq!((p.user_id.as_str(), p.ticker.as_str(), p.side, p.price_cc, p.count_c), ("u", "T", Side::Bid, 5_000, 100));
            assert_eq!((p.time_in_force, p.client_order_id, p.expiration_ts_ns, p.ts_ns), (Tif::Gtc, Some("x"), Some(99), 5));
        }
        other => panic!("decoded {other:?}"),
    }
    match decode_command(&s[1]).unwrap() {
        Command::Batch { items, ts_ns } => assert_eq!((items.len(), ts_ns), (2, 7)),
        other => panic!("decoded {other:?}"),
    }
    assert!(matches!(decode_command(&s[2]).unwrap(), Command::AddMarket(m) if m.ticker == "M" && m.meta.len() == 34));
    assert!(matches!(decode_command(&s[3]).unwrap(), Command::RegisterApiKey(k) if k.scopes == ["read", "write"]));
}

/// Version-1 records (docs/decisions/0022): `"<Type>/1"` tags, no time in the payload; the
/// record's envelope gives it (`decode_record`).
#[test]
fn version_one_records_take_their_time_from_the_envelope() {
    let place = hex("dc0013ac506c6163654f726465722f31a175a154a3626964cd138864b2676f6f645f74696c6c5f63616e63656c6564ae74616b65725f61745f63726f737300a178c2c2c2c063c0c0a56c696d6974c0");
    match decode_record(&place, 42).unwrap() {
        Command::PlaceOrder(p) => {
            assert_eq!((p.user_id.as_str(), p.ticker.as_str(), p.side, p.price_cc, p.count_c), ("u", "T", Side::Bid, 5_000, 100));
            assert_eq!((p.client_order_id, p.expiration_ts_ns, p.ts_ns), (Some("x"), Some(99), 42));
        }
        other => panic!("decoded {other:?}"),
    }
    let batch = hex("92a742617463682f319291a65469636b2f3194ad43616e63656c4f726465722f31a175a16fc0");
    match decode_record(&batch, 7).unwrap() {
        Command::Batch { items, ts_ns } => {
            assert_eq!((items.len(), ts_ns), (2, 7));
            assert!(items.iter().all(|item| item.ts_ns() == 7));
        }
        other => panic!("decoded {other:?}"),
    }
    let deposit = hex("95a94465706f7369742f31a1756400a174");
    assert!(matches!(decode_record(&deposit, 1).unwrap(), Command::Deposit { transfer_id: Some("t"), ts_ns: 1, .. }));
    // A version-0 record applied at its envelope's time (the sequencer always wrote the same).
    match decode_record(&seeds()[0], 5).unwrap() {
        Command::PlaceOrder(p) => assert_eq!(p.ts_ns, 5),
        other => panic!("decoded {other:?}"),
    }
    assert!(decode_record(&[0x91, 0xa6, b'T', b'i', b'c', b'k', b'/', b'1'], 3).is_ok());
    assert!(decode_record(&[0x91, 0xa6, b'T', b'i', b'c', b'k', b'/', b'2'], 3).is_err(), "unknown version");
    // A version-1 batch of version-0 items is refused.
    let mixed = [0x92, 0xa7, b'B', b'a', b't', b'c', b'h', b'/', b'1', 0x91, 0x92, 0xa4, b'T', b'i', b'c', b'k', 0x07];
    assert!(decode_record(&mixed, 7).is_err());
}

/// The envelope's time wins over a version-0 record's own everywhere (the command, a batch
/// and its items, the short `Deposit`), and `decode_command` keeps the record's own; the own
/// time is still read and type-checked.
#[test]
fn the_envelope_time_replaces_version_zero_times() {
    let s = seeds();
    match decode_record(&s[0], 11).unwrap() {
        Command::PlaceOrder(p) => assert_eq!(p.ts_ns, 11),
        other => panic!("decoded {other:?}"),
    }
    match decode_record(&s[1], 9).unwrap() {
        Command::Batch { items, ts_ns } => {
            assert_eq!(ts_ns, 9);
            assert!(items.iter().all(|item| item.ts_ns() == 9));
        }
        other => panic!("decoded {other:?}"),
    }
    match decode_command(&s[1]).unwrap() {
        Command::Batch { items, ts_ns } => {
            assert_eq!(ts_ns, 7);
            assert!(items.iter().all(|item| item.ts_ns() == 7));
        }
        other => panic!("decoded {other:?}"),
    }
    // ["Deposit", "u", 100, 0, 3]: the shape from before `transfer_id`.
    let short = [0x95, 0xa7, b'D', b'e', b'p', b'o', b's', b'i', b't', 0xa1, b'u', 0x64, 0x00, 0x03];
    assert!(matches!(decode_command(&short).unwrap(), Command::Deposit { ts_ns: 3, amount_cc: 100, transfer_id: None, .. }));
    assert!(matches!(decode_record(&short, 8).unwrap(), Command::Deposit { ts_ns: 8, amount_cc: 100, .. }));
    // ["Tick", "x"]: a version-0 time that is not an integer is refused, envelope or not.
    let bad_time = [0x92, 0xa4, b'T', b'i', b'c', b'k', 0xa1, b'x'];
    assert!(decode_record(&bad_time, 1).is_err());
    assert!(decode_command(&bad_time).is_err());
    // A batch inside a batch is refused in either version.
    let nested = [0x92, 0xa7, b'B', b'a', b't', b'c', b'h', b'/', b'1', 0x91, 0x92, 0xa7, b'B', b'a', b't', b'c', b'h', b'/', b'1', 0x90];
    assert!(decode_record(&nested, 1).is_err());
}

#[test]
fn malformed_payloads_are_errors() {
    let mut bad_side = seeds()[0].clone();
    let at = bad_side.windows(3).position(|w| w == b"bid").unwrap();
    bad_side[at..at + 3].copy_from_slice(b"bud");
    assert!(decode_command(&bad_side).is_err(), "a literal outside the Literal is refused");
    let mut trailing = seeds()[1].clone();
    trailing.push(0);
    assert!(decode_command(&trailing).is_err());
    assert!(decode_command(&[]).is_err());
    assert!(decode_command(&[0x91, 0xa4, b'T', b'i', b'c', b'k']).is_err(), "missing ts_ns");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4_000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_command(&bytes);
    }

    #[test]
    fn mutated_payloads_never_panic(seed in 0..4usize, edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8), cut in any::<usize>()) {
        let mut bytes = seeds()[seed].clone();
        for (at, value) in edits {
            let n = bytes.len();
            bytes[at % n] = value;
        }
        let _ = decode_command(&bytes);
        let n = bytes.len();
        let _ = decode_command(&bytes[..cut % (n + 1)]);
    }
}
