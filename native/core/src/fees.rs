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
    let p = i128::from(yes_price_cc);
    let numerator = num
        * i128::from(s.multiplier_e4)
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
