//! Trading fees, exact in integers (mirrors `augury.ledger.fees`): the fee of one side of a
//! fill is `k * multiplier * C * P * (1 - P)` rounded up to the centi-cent, with `k` = 7/100
//! for takers and the series' maker coefficient for makers; `flat` series charge the taker
//! one cent per contract times the multiplier. `max_fee_cc_per_lot` bounds the fee of one lot
//! at any price an order accepts (the collateral rule relies on it).

use crate::units::{ceil_div, ONE_DOLLAR_CC};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeeType {
    Quadratic,
    QuadraticWithMakerFees,
    QuadraticWithComboMakerFees,
    Flat,
}

impl FeeType {
    pub fn parse(s: &str) -> Option<FeeType> {
        Some(match s {
            "quadratic" => FeeType::Quadratic,
            "quadratic_with_maker_fees" => FeeType::QuadraticWithMakerFees,
            "quadratic_with_combo_maker_fees" => FeeType::QuadraticWithComboMakerFees,
            "flat" => FeeType::Flat,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FeeType::Quadratic => "quadratic",
            FeeType::QuadraticWithMakerFees => "quadratic_with_maker_fees",
            FeeType::QuadraticWithComboMakerFees => "quadratic_with_combo_maker_fees",
            FeeType::Flat => "flat",
        }
    }

    fn maker(self) -> (i128, i128) {
        match self {
            FeeType::QuadraticWithMakerFees => (7, 400),
            FeeType::QuadraticWithComboMakerFees => (7, 200),
            FeeType::Quadratic | FeeType::Flat => (0, 1),
        }
    }
}

/// A market's fee rule: its series' fee type and multiplier in 1/10_000.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeSchedule {
    pub fee_type: FeeType,
    pub multiplier_e4: i64,
}

const FEE_DENOMINATOR: i128 = 10_000 * 100 * ONE_DOLLAR_CC as i128;

/// The fee of one side of a fill in centi-cents, rounded up.
pub fn fill_fee_cc(s: &FeeSchedule, yes_price_cc: i64, count_c: i64, is_taker: bool) -> i128 {
    if s.fee_type == FeeType::Flat {
        if !is_taker {
            return 0;
        }
        return ceil_div(100 * i128::from(s.multiplier_e4) * i128::from(count_c), 100 * 10_000);
    }
    let (num, den) = if is_taker { (7, 100) } else { s.fee_type.maker() };
    if num == 0 {
        return 0;
    }
    // In 64 bits when every product fits: a lot's bound always does within the domain
    // (7 * 10^6 * 100 * 2.5 * 10^7 = 1.75 * 10^16) and nearly every fill does; else in
    // 128 bits (the 64-bit figure is the same number: `tests`).
    if let Some(fee) = fee_64(num as i64, s.multiplier_e4, count_c, yes_price_cc, (den * FEE_DENOMINATOR) as i64) {
        return i128::from(fee);
    }
    fee_128(num, den, s.multiplier_e4, count_c, yes_price_cc)
}

/// `ceil(num * multiplier * count * p * (1 - p) / denominator)` when every step fits 64 bits.
#[inline(always)]
fn fee_64(num: i64, multiplier_e4: i64, count_c: i64, p: i64, denominator: i64) -> Option<i64> {
    let numerator = num
        .checked_mul(multiplier_e4)?
        .checked_mul(count_c)?
        .checked_mul(p)?
        .checked_mul(ONE_DOLLAR_CC.checked_sub(p)?)?;
    // Ceiling for a positive denominator: the floor, plus one unless exact.
    Some(numerator.div_euclid(denominator) + i64::from(numerator.rem_euclid(denominator) != 0))
}

/// The fee of one quadratic side in 128 bits (`fill_fee_cc`'s general case).
#[cold]
fn fee_128(num: i128, den: i128, multiplier_e4: i64, count_c: i64, yes_price_cc: i64) -> i128 {
    let p = i128::from(yes_price_cc);
    let numerator = num
        * i128::from(multiplier_e4)
        * i128::from(count_c)
        * p
        * (i128::from(ONE_DOLLAR_CC) - p);
    ceil_div(numerator, den * FEE_DENOMINATOR)
}

/// An upper bound on the fee of one lot filled at any price the order accepts.
pub fn max_fee_cc_per_lot(s: &FeeSchedule, outcome_limit_cc: i64, lot_c: i64) -> i128 {
    let half = ONE_DOLLAR_CC / 2;
    let worst = if outcome_limit_cc < half { outcome_limit_cc } else { half };
    fill_fee_cc(s, worst, lot_c, true)
}

/// `max_fee_cc_per_lot` as an order stores it: the domain bounds the multiplier
/// (`FEE_MULTIPLIER_MAX_E4`: at most 100x) and a lot is at most one contract, so the figure
/// is at most $1.75 (17,500 cc) and 32 bits always hold it (saturating is unreachable).
pub fn fee_lot_cc(s: &FeeSchedule, outcome_limit_cc: i64, lot_c: i64) -> u32 {
    u32::try_from(max_fee_cc_per_lot(s, outcome_limit_cc, lot_c)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `fill_fee_cc`'s quadratic case written once in 128 bits (the second implementation).
    fn wide_fee(s: &FeeSchedule, p: i64, count_c: i64, is_taker: bool) -> i128 {
        let (num, den) = if is_taker { (7, 100) } else { s.fee_type.maker() };
        if num == 0 {
            return 0;
        }
        let p = i128::from(p);
        let n = num * i128::from(s.multiplier_e4) * i128::from(count_c) * p * (i128::from(ONE_DOLLAR_CC) - p);
        ceil_div(n, den * FEE_DENOMINATOR)
    }

    #[test]
    fn the_64_bit_fee_is_the_128_bit_fee() {
        // Every fee type, multipliers, counts and prices from the ordinary to past the
        // domain (so the 64-bit product overflows and the 128-bit path answers), both sides.
        let mults = [0, 1, 9_999, 10_000, 12_345, 1_000_000, 1 << 40];
        let counts = [1, 99, 100, 12_345, 10_000_000_000, 1 << 50, -100];
        let prices = [-1, 0, 1, 37, 4_999, 5_000, 5_001, 9_999, 10_000, 10_001, 1 << 40];
        for fee_type in [FeeType::Quadratic, FeeType::QuadraticWithMakerFees, FeeType::QuadraticWithComboMakerFees] {
            for &multiplier_e4 in &mults {
                let s = FeeSchedule { fee_type, multiplier_e4 };
                for &c in &counts {
                    for &p in &prices {
                        for taker in [true, false] {
                            assert_eq!(fill_fee_cc(&s, p, c, taker), wide_fee(&s, p, c, taker), "{s:?} {p} {c} {taker}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn hand_computed_fees() {
        let q = FeeSchedule { fee_type: FeeType::Quadratic, multiplier_e4: 10_000 };
        // 0.07 * 1 contract * 0.5 * 0.5 = $0.0175 = 175 cc.
        assert_eq!(fill_fee_cc(&q, 5_000, 100, true), 175);
        assert_eq!(fill_fee_cc(&q, 5_000, 100, false), 0);
        // 0.07 * 0.01 * 0.3 * 0.7 = $0.000147 = 1.47 cc, rounded up to 2.
        assert_eq!(fill_fee_cc(&q, 3_000, 1, true), 2);
        let m = FeeSchedule { fee_type: FeeType::QuadraticWithMakerFees, multiplier_e4: 10_000 };
        // 0.0175 * 10 * 0.5 * 0.5 = $0.04375 = 437.5 cc -> 438.
        assert_eq!(fill_fee_cc(&m, 5_000, 1_000, false), 438);
        let f = FeeSchedule { fee_type: FeeType::Flat, multiplier_e4: 10_000 };
        assert_eq!(fill_fee_cc(&f, 1_234, 300, true), 300);
        assert_eq!(max_fee_cc_per_lot(&q, 9_000, 100), 175);
    }
}
