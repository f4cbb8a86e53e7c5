//! Fixed-point units (mirrors `augury.domain.units`): `_cc` centi-cents, `_c`
//! centi-contracts, `_fine` micro-dollars (`price_cc * count_c`). Money that accumulates is
//! carried in `i128` so no sum of `i64` inputs can overflow; every division that Python
//! writes as `//` is a floor division here too (`floor_div`).

pub const ONE_DOLLAR_CC: i64 = 10_000;
pub const CC_PER_CENT: i64 = 100;
/// One cent in micro-dollars.
pub const CENT_FINE: i128 = 10_000;

/// Python's `a // b` for a positive divisor: rounds toward minus infinity.
#[inline]
pub fn floor_div(a: i128, b: i128) -> i128 {
    debug_assert!(b > 0);
    // 128-bit division is a library call; nearly every value fits 64 bits.
    match (i64::try_from(a), i64::try_from(b)) {
        (Ok(a), Ok(b)) => i128::from(a.div_euclid(b)),
        _ => a.div_euclid(b),
    }
}

/// `floor_div(fine, 100)`: a figure in micro-dollars in centi-cents. A non-negative one
/// within 64 bits (exposure, traded value and fill costs always, most others) divides
/// unsigned: a multiply and a shift, without the signed quotient's corrections (a position
/// event converts three figures, an order snapshot two).
#[inline(always)]
pub fn fine_to_cc(fine: i128) -> i128 {
    match u64::try_from(fine) {
        Ok(v) => i128::from(v / 100),
        Err(_) => floor_div(fine, 100),
    }
}

/// Python's `-((-a) // b)`: rounds toward plus infinity.
#[inline]
pub fn ceil_div(a: i128, b: i128) -> i128 {
    -floor_div(-a, b)
}

/// Python's `repr()` of a string, as reject messages quote identifiers with `!r`.
///
/// Exact for ASCII and for the characters Python counts as printable; a few classes of
/// non-printable non-ASCII characters (controls, separators, format characters, private
/// use) are escaped as Python does. Unassigned code points are the one known difference.
pub fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x7f => out.push(c),
            c if !py_printable(c) => {
                let v = c as u32;
                if v <= 0xff {
                    out.push_str(&format!("\\x{v:02x}"));
                } else if v <= 0xffff {
                    out.push_str(&format!("\\u{v:04x}"));
                } else {
                    out.push_str(&format!("\\U{v:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

fn py_printable(c: char) -> bool {
    let v = c as u32;
    !matches!(v,
        0x80..=0xa0 | 0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x1680 | 0x180e
        | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x2064 | 0x2066..=0x206f
        | 0x3000 | 0xd800..=0xf8ff | 0xfeff | 0xfff9..=0xfffb | 0xe0001 | 0xe0020..=0xe007f
        | 0xf0000..=0x10ffff)
}

/// Python's `f"{price_cc / 10_000:.4f}"`.
pub fn price_text(price_cc: i64) -> String {
    // Exact for every |price| below 2**53 (always, for prices that reach the engine).
    let whole = price_cc.unsigned_abs() / 10_000;
    let frac = price_cc.unsigned_abs() % 10_000;
    if price_cc.unsigned_abs() < (1u64 << 53) {
        let sign = if price_cc < 0 { "-" } else { "" };
        return format!("{sign}{whole}.{frac:04}");
    }
    format!("{:.4}", price_cc as f64 / 10_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fine_to_cc_is_floor_division_by_100() {
        // Against the general floor division (the second implementation), around zero, the
        // multiples of 100 on both sides, and the 64-bit and 128-bit edges.
        let mut values: Vec<i128> = (-1_000..=1_000).collect();
        for edge in [i128::from(i64::MAX), i128::from(u64::MAX), i128::from(i64::MIN), i128::MAX, i128::MIN + 100] {
            for d in -201..=201 {
                values.push(edge.saturating_add(d));
            }
        }
        for v in values {
            assert_eq!(fine_to_cc(v), floor_div(v, 100), "{v}");
        }
    }

    #[test]
    fn repr_matches_python() {
        assert_eq!(py_repr("abc"), "'abc'");
        assert_eq!(py_repr("it's"), "\"it's\"");
        assert_eq!(py_repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(py_repr("tab\there\n"), "'tab\\there\\n'");
        assert_eq!(py_repr("\u{7f}\u{1}"), "'\\x7f\\x01'");
        assert_eq!(py_repr("é\u{a0}"), "'é\\xa0'");
        assert_eq!(py_repr("\u{2028}"), "'\\u2028'");
    }

    #[test]
    fn floor_and_ceil_follow_python() {
        assert_eq!(floor_div(-7, 2), -4);
        assert_eq!(ceil_div(7, 2), 4);
        assert_eq!(ceil_div(-7, 2), -3);
        assert_eq!(price_text(5_000), "0.5000");
        assert_eq!(price_text(-150), "-0.0150");
        assert_eq!(price_text(123_456), "12.3456");
    }
}
