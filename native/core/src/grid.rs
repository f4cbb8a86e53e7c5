//! Price grids: the valid YES prices of a market and their dense step indices
//! (mirrors `augury.domain.grid`). Every grid is symmetric around $0.50, excludes 0 and $1,
//! and its indices are dense and ascending with price.

use crate::units::ONE_DOLLAR_CC;

/// `(start_cc, end_cc, step_cc)`: prices start, start+step, ... below end.
pub type PriceRange = (i64, i64, i64);

pub struct PriceGrid {
    pub name: &'static str,
    pub ranges: &'static [PriceRange],
    pub prices_cc: Vec<i64>,
    /// Index of every centi-cent price in 0..=10_000, or -1 off the grid.
    index: Vec<i32>,
}

impl PriceGrid {
    fn new(name: &'static str, ranges: &'static [PriceRange]) -> Self {
        let mut prices: Vec<i64> = Vec::new();
        for &(start, end, step) in ranges {
            let mut p = start;
            while p < end {
                if 0 < p && p < ONE_DOLLAR_CC {
                    prices.push(p);
                }
                p += step;
            }
        }
        prices.sort_unstable();
        prices.dedup();
        let mut index = vec![-1i32; (ONE_DOLLAR_CC + 1) as usize];
        for (i, &p) in prices.iter().enumerate() {
            index[p as usize] = i as i32;
        }
        for &p in &prices {
            assert!(index[(ONE_DOLLAR_CC - p) as usize] >= 0, "grid {name} is not symmetric");
        }
        PriceGrid { name, ranges, prices_cc: prices, index }
    }

    pub fn len(&self) -> usize {
        self.prices_cc.len()
    }

    pub fn is_empty(&self) -> bool {
        self.prices_cc.is_empty()
    }

    /// The step index of a price, or None off the grid.
    pub fn index_of(&self, price_cc: i64) -> Option<usize> {
        if !(0..=ONE_DOLLAR_CC).contains(&price_cc) {
            return None;
        }
        let i = self.index[price_cc as usize];
        (i >= 0).then_some(i as usize)
    }
}

static LINEAR: &[PriceRange] = &[(0, ONE_DOLLAR_CC, 100)];
static DECI: &[PriceRange] = &[(0, ONE_DOLLAR_CC, 10)];
static TAPERED: &[PriceRange] = &[(0, 1_000, 10), (1_000, 9_000, 100), (9_000, ONE_DOLLAR_CC, 10)];

/// The known structures, by name; a grid is identified by its position here.
pub const GRID_NAMES: [&str; 3] = ["linear_cent", "deci_cent", "tapered_deci_cent"];

pub struct Grids {
    pub all: [PriceGrid; 3],
}

impl Grids {
    pub fn new() -> Self {
        Grids {
            all: [
                PriceGrid::new("linear_cent", LINEAR),
                PriceGrid::new("deci_cent", DECI),
                PriceGrid::new("tapered_deci_cent", TAPERED),
            ],
        }
    }

    /// The grid id of a structure name, or None for one Augury does not know.
    pub fn id_of(name: &str) -> Option<u8> {
        GRID_NAMES.iter().position(|&n| n == name).map(|i| i as u8)
    }
}

impl Default for Grids {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_have_the_python_sizes_and_symmetry() {
        let g = Grids::new();
        assert_eq!(g.all[0].len(), 99);
        assert_eq!(g.all[1].len(), 999);
        // Counted by augury.domain.grid: 10..990 by 10 (99), 10c..89c (80), 90c..99.9c (100).
        assert_eq!(g.all[2].len(), 99 + 80 + 100);
        assert_eq!(g.all[0].index_of(100), Some(0));
        assert_eq!(g.all[0].index_of(150), None);
        assert_eq!(g.all[0].index_of(-100), None);
        assert_eq!(g.all[0].index_of(10_000), None);
    }
}
