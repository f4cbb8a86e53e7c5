//! The decoder's fast paths (today's order records read by name, literals compared as
//! fixed-size arrays, inline short strings and integers) against a plain reference: a
//! second, deliberately naive reader of the same three records written here, one general
//! MessagePack read per field and literals found by comparing whole strings, as the decoder
//! did before the fast paths. Generated payloads mix every encoding of every field (fixstr,
//! str8/16/32; every integer width, forced wider than needed; fixarray and array16
//! headers), near-miss literals (right length, wrong bytes; invalid UTF-8), wrong types,
//! wrong field counts, trailing bytes and truncations. Both must agree on every payload:
//! the same command, or the same error text.

use augury_core::commands::{decode_command, decode_record, AmendOrder, Command, PlaceOrder, Side, Stp, Tif};
use proptest::prelude::*;

// --- the reference ----------------------------------------------------------------------

struct Ref<'a> {
    b: &'a [u8],
    p: usize,
}

type R<T> = Result<T, String>;

impl<'a> Ref<'a> {
    fn take(&mut self, n: usize) -> R<&'a [u8]> {
        if self.b.len() - self.p < n {
            return Err("input data was truncated".into());
        }
        self.p += n;
        Ok(&self.b[self.p - n..self.p])
    }
    fn byte(&mut self) -> R<u8> {
        Ok(self.take(1)?[0])
    }
    fn be(&mut self, n: usize) -> R<u64> {
        Ok(self.take(n)?.iter().fold(0, |a, &b| (a << 8) | u64::from(b)))
    }
    fn array(&mut self) -> R<usize> {
        match self.byte()? {
            b @ 0x90..=0x9f => Ok(usize::from(b & 15)),
            0xdc => Ok(self.be(2)? as usize),
            0xdd => Ok(self.be(4)? as usize),
            _ => Err("expected `array`".into()),
        }
    }
    fn bytes(&mut self) -> R<&'a [u8]> {
        let n = match self.byte()? {
            b @ 0xa0..=0xbf => usize::from(b & 31),
            0xd9 => self.be(1)? as usize,
            0xda => self.be(2)? as usize,
            0xdb => self.be(4)? as usize,
            _ => return Err("expected `str`".into()),
        };
        self.take(n)
    }
    fn str(&mut self) -> R<&'a str> {
        std::str::from_utf8(self.bytes()?).map_err(|_| "invalid utf-8 string".to_string())
    }
    fn literal(&mut self, allowed: &[&'static str]) -> R<&'static str> {
        let s = self.str()?;
        allowed.iter().find(|a| **a == s).copied().ok_or_else(|| format!("invalid enum value {s:?}"))
    }
    fn int(&mut self) -> R<i64> {
        Ok(match self.byte()? {
            b @ 0x00..=0x7f => i64::from(b),
            b @ 0xe0..=0xff => i64::from(b as i8),
            0xcc => self.be(1)? as i64,
            0xcd => self.be(2)? as i64,
            0xce => self.be(4)? as i64,
            0xcf => i64::try_from(self.be(8)?).unwrap_or(i64::MAX),
            0xd0 => i64::from(self.be(1)? as u8 as i8),
            0xd1 => i64::from(self.be(2)? as u16 as i16),
            0xd2 => i64::from(self.be(4)? as u32 as i32),
            0xd3 => self.be(8)? as i64,
            _ => return Err("expected `int`".into()),
        })
    }
    fn nil(&mut self) -> R<bool> {
        match self.b.get(self.p) {
            None => Err("input data was truncated".into()),
            Some(0xc0) => {
                self.p += 1;
                Ok(true)
            }
            Some(_) => Ok(false),
        }
    }
    fn bool(&mut self) -> R<bool> {
        match self.byte()? {
            0xc2 => Ok(false),
            0xc3 => Ok(true),
            _ => Err("expected `bool`".into()),
        }
    }
    fn opt_int(&mut self) -> R<Option<i64>> {
        if self.nil()? { Ok(None) } else { self.int().map(Some) }
    }
    fn opt_str(&mut self) -> R<Option<&'a str>> {
        if self.nil()? { Ok(None) } else { self.str().map(Some) }
    }
    fn opt_literal(&mut self, allowed: &[&'static str]) -> R<Option<&'static str>> {
        if self.nil()? { Ok(None) } else { self.literal(allowed).map(Some) }
    }
}

/// The reference reading of one payload at envelope time `ts`, or None when its tag is
/// not one of the three order records (then it is not this test's business).
fn reference(payload: &[u8], ts: i64) -> Option<R<Command<'_>>> {
    let mut r = Ref { b: payload, p: 0 };
    let n = match r.array() {
        Ok(0) | Err(_) => return None,
        Ok(n) => n,
    };
    let tag = r.bytes().ok()?;
    let (name, v0) = match tag {
        b"PlaceOrder/1" | b"CancelOrder/1" | b"AmendOrder/1" => (&tag[..tag.len() - 2], false),
        b"PlaceOrder" | b"CancelOrder" | b"AmendOrder" => (tag, true),
        _ => return None,
    };
    let name = std::str::from_utf8(name).unwrap();
    Some((|| {
        let fields = match name {
            "PlaceOrder" => 19,
            "CancelOrder" => 4,
            _ => 11,
        };
        if n != fields + usize::from(v0) {
            return Err(format!("{name}: wrong number of fields"));
        }
        let side = |r: &mut Ref<'_>| -> R<Side> {
            Ok(if r.literal(&["bid", "ask"])? == "bid" { Side::Bid } else { Side::Ask })
        };
        let command = match name {
            "PlaceOrder" => Command::PlaceOrder(PlaceOrder {
                ts_ns: ts,
                user_id: r.str()?.into(),
                ticker: r.str()?.into(),
                side: side(&mut r)?,
                price_cc: r.int()?,
                count_c: r.int()?,
                time_in_force: match r.literal(&["good_till_canceled", "immediate_or_cancel", "fill_or_kill"])? {
                    "good_till_canceled" => Tif::Gtc,
                    "immediate_or_cancel" => Tif::Ioc,
                    _ => Tif::Fok,
                },
                self_trade_prevention: if r.literal(&["taker_at_cross", "maker"])? == "maker" {
                    Stp::Maker
                } else {
                    Stp::TakerAtCross
                },
                subaccount: r.int()?,
                client_order_id: r.opt_str()?,
                post_only: r.bool()?,
                reduce_only: r.bool()?,
                cancel_order_on_pause: r.bool()?,
                order_group_id: r.opt_str()?,
                expiration_ts_ns: r.opt_int()?,
                legacy_side: r.opt_literal(&["yes", "no"])?,
                legacy_action: r.opt_literal(&["buy", "sell"])?,
                order_type: r.literal(&["limit", "market"])?,
                buy_max_cost_cc: r.opt_int()?,
            }),
            "CancelOrder" => Command::CancelOrder {
                ts_ns: ts,
                user_id: r.str()?.into(),
                order_id: r.str()?.into(),
                subaccount: r.opt_int()?,
            },
            _ => Command::AmendOrder(AmendOrder {
                ts_ns: ts,
                user_id: r.str()?.into(),
                order_id: r.str()?.into(),
                ticker: r.str()?.into(),
                side: side(&mut r)?,
                price_cc: r.int()?,
                count_c: r.int()?,
                subaccount: r.opt_int()?,
                client_order_id: r.opt_str()?,
                updated_client_order_id: r.opt_str()?,
                expiration_ts_ns: r.opt_int()?,
            }),
        };
        if v0 {
            r.int()?;
        }
        if r.p != payload.len() {
            return Err("trailing bytes after the command".into());
        }
        Ok(command)
    })())
}

// --- payloads -----------------------------------------------------------------------------

fn str_enc(text: &[u8], form: u8) -> Vec<u8> {
    let n = text.len();
    let mut out = match form {
        0 if n < 32 => vec![0xa0 | n as u8],
        0 | 1 if n < 256 => vec![0xd9, n as u8],
        2 => vec![0xda, (n >> 8) as u8, n as u8],
        _ => vec![0xdb, 0, 0, (n >> 8) as u8, n as u8],
    };
    out.extend_from_slice(text);
    out
}

fn int_enc(v: i64, form: u8) -> Vec<u8> {
    let mut out = Vec::new();
    match form {
        0 if (0..128).contains(&v) => out.push(v as u8),
        0 if (-32..0).contains(&v) => out.push(v as u8),
        1 if (0..256).contains(&v) => out.extend([0xcc, v as u8]),
        0..=2 if (0..65536).contains(&v) => out.extend([0xcd, (v >> 8) as u8, v as u8]),
        0..=3 if (0..1 << 32).contains(&v) => {
            out.push(0xce);
            out.extend((v as u32).to_be_bytes());
        }
        4 if (-128..128).contains(&v) => out.extend([0xd0, v as u8]),
        5 if (-32768..32768).contains(&v) => {
            out.push(0xd1);
            out.extend((v as i16).to_be_bytes());
        }
        6 if v >= 0 => {
            out.push(0xcf);
            out.extend((v as u64).to_be_bytes());
        }
        _ => {
            out.push(0xd3);
            out.extend(v.to_be_bytes());
        }
    }
    out
}

/// Texts: the first `GOOD_TEXTS` are valid UTF-8.
const TEXTS: &[&[u8]] = &[
    b"u0119",
    b"BENCH-000",
    b"",
    b"0123abcd-0000-4000-8000-00000000002a",
    b"abcdefghijklmnopqrstuvwxyz01234",
    b"abcdefghijklmnopqrstuvwxyz012345",
    b"\xc3\xa9t\xc3\xa9",
    b"u\xff19",
    b"\xed\xa0\x80",
];

const INTS: &[i64] = &[0, 5, 127, 128, 255, 256, 5_200, 65_535, 65_536, -1, -32, -33, -129, i64::MAX, i64::MIN];

const GOOD_TEXTS: usize = 7;

/// A field: a value of the right kind (any valid text, any integer, one of a literal's
/// texts, `nil` or the value for an optional) when `good`, else anything a writer could
/// get wrong: invalid UTF-8, a literal's near miss (right length, one byte changed,
/// possibly to non-UTF-8; one byte short or long), a value of another type.
fn field(kind: u8, allowed: &'static [&'static [u8]], good: bool) -> BoxedStrategy<Vec<u8>> {
    let texts = if good { GOOD_TEXTS } else { TEXTS.len() };
    let text = (0..texts, 0..4u8).prop_map(|(i, f)| str_enc(TEXTS[i], f));
    let int = (0..INTS.len(), 0..8u8).prop_map(|(i, f)| int_enc(INTS[i], f));
    let lit_good = (0..allowed.len().max(1), 0..2u8).prop_map(move |(i, f)| str_enc(allowed[i], f));
    let lit_bad = (0..allowed.len().max(1), 0..3u8, any::<usize>(), any::<u8>(), 0..2u8).prop_map(move |(i, how, at, v, f)| {
        let mut t = allowed[i].to_vec();
        match how {
            0 => {
                let at = at % t.len();
                t[at] = if t[at] == v { v ^ 0x20 } else { v };
            }
            1 => {
                t.pop();
            }
            _ => t.push(b's'),
        }
        str_enc(&t, f)
    });
    let other = prop::sample::select(vec![vec![0xc0], vec![0xc2], vec![0xc3], vec![0x05], vec![0xa1, b'x'], vec![0xc1], vec![0x90], vec![]]);
    match (kind, good) {
        (0, true) => text.boxed(),
        (1, true) => int.boxed(),
        (2, true) => lit_good.boxed(),
        (3, true) => prop_oneof![Just(vec![0xc2]), Just(vec![0xc3])].boxed(),
        // exactly the given bytes (an encoding a fast path looks for)
        (7, true) => Just(allowed[0].to_vec()).boxed(),
        (7, false) => prop_oneof![other, Just(allowed[0][..allowed[0].len() - 1].to_vec())].boxed(),
        (k, true) => prop_oneof![Just(vec![0xc0]), field(k - 4, allowed, true)].boxed(),
        (0, false) => prop_oneof![text, int, other].boxed(),
        (1, false) => prop_oneof![text, other].boxed(),
        (2, false) => prop_oneof![3 => lit_bad, 1 => text, 1 => other].boxed(),
        (3, false) => prop_oneof![int, other].boxed(),
        (k, false) => field(k - 4, allowed, false),
    }
}

const NONE: &[&[u8]] = &[];
const STR: (u8, &[&[u8]]) = (0, NONE);
const INT: (u8, &[&[u8]]) = (1, NONE);
const BOOL: (u8, &[&[u8]]) = (3, NONE);
const OPT_STR: (u8, &[&[u8]]) = (4, NONE);
const OPT_INT: (u8, &[&[u8]]) = (5, NONE);
const SIDE: (u8, &[&[u8]]) = (2, &[b"bid", b"ask"]);

fn shape(which: usize) -> (&'static [u8], Vec<(u8, &'static [&'static [u8]])>) {
    match which {
        0 => (
            b"PlaceOrder",
            vec![
                STR,
                STR,
                SIDE,
                INT,
                INT,
                (2, &[b"good_till_canceled", b"immediate_or_cancel", b"fill_or_kill"]),
                (2, &[b"taker_at_cross", b"maker"]),
                INT,
                OPT_STR,
                BOOL,
                BOOL,
                BOOL,
                OPT_STR,
                OPT_INT,
                (6, &[b"yes", b"no"]),
                (6, &[b"buy", b"sell"]),
                (2, &[b"limit", b"market"]),
                OPT_INT,
            ],
        ),
        1 => (b"CancelOrder", vec![STR, STR, OPT_INT]),
        // PlaceOrder with its last eleven fields at their defaults, as msgspec writes them
        3 => {
            let mut kinds = shape(0).1;
            kinds.truncate(7);
            const ZERO: (u8, &[&[u8]]) = (7, &[b"\x00"]);
            const NIL: (u8, &[&[u8]]) = (7, &[b"\xc0"]);
            const NO: (u8, &[&[u8]]) = (7, &[b"\xc2"]);
            const LIMIT: (u8, &[&[u8]]) = (7, &[b"\xa5limit"]);
            kinds.extend([ZERO, NIL, NO, NO, NO, NIL, NIL, NIL, NIL, LIMIT, NIL]);
            (b"PlaceOrder", kinds)
        }
        _ => (
            b"AmendOrder",
            vec![STR, STR, STR, SIDE, INT, INT, OPT_INT, OPT_STR, OPT_STR, OPT_INT],
        ),
    }
}

/// A payload of one of the three records: mostly well-formed, each field drawn from
/// `field`, with a version, a header form, a field-count error, trailing bytes or a cut.
fn payload() -> impl Strategy<Value = Vec<u8>> {
    (0..4usize, any::<bool>(), 0..12u8, any::<bool>(), 0..12u8, any::<usize>()).prop_flat_map(
        |(which, v0, count_err, array16, tail, cut)| {
            let (name, kinds) = shape(which);
            // At most one field is wrong (`bad` past the end: none), so most payloads
            // decode and those that do not are refused for one reason.
            let bad = cut % (kinds.len() + 4);
            let fields: Vec<_> = kinds.iter().enumerate().map(|(i, &(k, a))| field(k, a, i != bad)).collect();
            (fields, (0..INTS.len(), 0..8u8)).prop_map(move |(fields, (ti, tf))| {
                let mut n = fields.len() + 1 + usize::from(v0);
                if count_err == 0 {
                    n -= 1;
                } else if count_err == 1 {
                    n += 1;
                }
                let mut out = if array16 || n > 15 { vec![0xdc, 0, n as u8] } else { vec![0x90 | n as u8] };
                let mut tag = name.to_vec();
                if !v0 {
                    tag.extend_from_slice(b"/1");
                }
                out.extend(str_enc(&tag, 0));
                for f in &fields {
                    out.extend(f);
                }
                if v0 {
                    out.extend(int_enc(INTS[ti], tf));
                }
                match tail {
                    0 => out.push(0xc0),
                    1 => out.truncate(cut % (out.len() + 1)),
                    _ => {}
                }
                out
            })
        },
    )
}

fn agree(bytes: &[u8]) -> Result<(), TestCaseError> {
    let Some(want) = reference(bytes, 77) else { return Ok(()) };
    match (decode_record(bytes, 77), want) {
        (Ok(got), Ok(want)) => prop_assert_eq!(got, want),
        (Err(got), Err(want)) => prop_assert_eq!(got.0, want),
        (got, want) => prop_assert!(false, "decoder {:?}, reference {:?} for {:02x?}", got, want, bytes),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]

    #[test]
    fn order_records_decode_as_the_reference_reads_them(bytes in payload()) {
        agree(&bytes)?;
    }

    #[test]
    fn mutated_order_records_decode_as_the_reference_reads_them(
        bytes in payload(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = bytes;
        if !bytes.is_empty() {
            for (at, value) in edits {
                let n = bytes.len();
                bytes[at % n] = value;
            }
        }
        agree(&bytes)?;
    }
}

// --- the fast paths' edges, by hand ---------------------------------------------------------

fn cancel(user: &[u8], order: &[u8]) -> Vec<u8> {
    let mut out = vec![0x94];
    out.extend(str_enc(b"CancelOrder/1", 0));
    out.extend(str_enc(user, 0));
    out.extend(str_enc(order, 1));
    out.push(0xc0);
    out
}

fn place(side: &[u8], tif: &[u8]) -> Vec<u8> {
    let mut out = vec![0xdc, 0, 19];
    out.extend(str_enc(b"PlaceOrder/1", 0));
    out.extend(str_enc(b"u0119", 0));
    out.extend(str_enc(b"BENCH-000", 0));
    out.extend(str_enc(side, 0));
    out.extend(int_enc(5_200, 0));
    out.extend(int_enc(800, 0));
    out.extend(str_enc(tif, 0));
    out.extend(str_enc(b"taker_at_cross", 0));
    out.extend([0x00, 0xc0, 0xc2, 0xc2, 0xc2, 0xc0, 0xc0, 0xc0, 0xc0]);
    out.extend(str_enc(b"limit", 0));
    out.push(0xc0);
    out
}

#[test]
fn a_literal_of_the_right_length_but_other_bytes_is_refused_by_its_text() {
    assert!(matches!(decode_record(&place(b"ask", b"good_till_canceled"), 1), Ok(Command::PlaceOrder(p)) if p.side == Side::Ask));
    let err = |p: Vec<u8>| decode_record(&p, 1).unwrap_err().0;
    assert_eq!(err(place(b"asK", b"good_till_canceled")), "invalid enum value \"asK\"");
    assert_eq!(err(place(b"bi", b"good_till_canceled")), "invalid enum value \"bi\"");
    assert_eq!(err(place(b"ask", b"good_till_canceleD")), "invalid enum value \"good_till_canceleD\"");
    assert_eq!(err(place(b"as\xff", b"good_till_canceled")), "invalid utf-8 string");
    // An encoding other than a fixstr is the same text.
    let mut wide = place(b"bid", b"fill_or_kill");
    let at = wide.windows(4).position(|w| w == b"\xa3bid").unwrap();
    wide.splice(at..at + 1, [0xda, 0, 3]);
    assert!(matches!(decode_record(&wide, 1), Ok(Command::PlaceOrder(p)) if p.side == Side::Bid && p.time_in_force == Tif::Fok));
}

#[test]
fn a_user_or_order_id_that_is_not_utf8_is_refused_as_before() {
    let order = b"0123abcd-0000-4000-8000-00000000002a";
    assert!(matches!(decode_record(&cancel(b"u0119", order), 1), Ok(Command::CancelOrder { user_id, .. }) if user_id == "u0119"));
    assert_eq!(decode_record(&cancel(b"u\xff", order), 1).unwrap_err().0, "invalid utf-8 string");
    let mut bad = order.to_vec();
    bad[35] = 0x80;
    assert_eq!(decode_record(&cancel(b"u0119", &bad), 1).unwrap_err().0, "invalid utf-8 string");
    // Multi-byte UTF-8 ids decode (they are valid, only not ASCII).
    assert!(matches!(decode_record(&cancel("é".as_bytes(), order), 1), Ok(Command::CancelOrder { user_id, .. }) if user_id == "é"));
}

#[test]
fn a_truncated_short_string_or_integer_is_refused_as_truncated() {
    let full = cancel(b"u0119", b"0123abcd-0000-4000-8000-00000000002a");
    for cut in 1..full.len() {
        let err = decode_command(&full[..cut]).unwrap_err().0;
        assert_eq!(err, "input data was truncated", "cut at {cut}");
    }
    let p = place(b"bid", b"good_till_canceled");
    let at = p.windows(3).position(|w| w == [0xcd, 0x14, 0x50]).unwrap();
    assert_eq!(decode_record(&p[..at + 2], 1).unwrap_err().0, "input data was truncated");
}
