//! Property-based fuzzing of the command decoder: whatever the bytes, `decode_command`
//! returns a value or an error and never panics, loops or over-allocates. Seeds are real
//! payloads written by msgspec (`augury.engine.commands.encode_command`), then truncated,
//! bit-flipped, spliced or replaced by random bytes. CI runs this on stable Rust; the
//! `cargo fuzz` target in `native/fuzz` runs the same decoder under libFuzzer where a
//! nightly toolchain is available (docs/decisions/0036).

use augury_core::commands::{decode_command, Command, Side, Tif};
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
            assert_eq!((p.user_id, p.ticker, p.side, p.price_cc, p.count_c), ("u", "T", Side::Bid, 5_000, 100));
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
