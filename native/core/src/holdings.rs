//! One record per (account, market): both of the account's collateral groups in the market
//! and the number of its position there (`Holding`), found with one lookup, or with none
//! when an order carries its holding's index (`Order::hold`).
//!
//! `Collateral` stands in for two maps and behaves exactly as they did:
//! - `collateral: HashMap<(account, market, is_bid), GroupSide>`: a side is *present* once
//!   something made it (`side_mut`, `entry_or_default`: the map's `entry().or_default()`);
//!   `get`, `get_mut` and `iter` see present sides only, so the snapshot, the digest, the
//!   auditor and the read side list the very groups the map held;
//! - the ledger's index of positions by (account, market): `Holding::pos` is the number of
//!   the account's position in `ledger.positions` (creation order, which the snapshot and the
//!   read side keep), set when the position is created (`Engine::position_at`) or loaded. It
//!   is the only such index (the read side and settlement look positions up through it); the
//!   auditor checks that every position is linked from the holding of its key and back.
//! - a copy of the position's `position_c` (`Holding::held_c`) in the header's line: the
//!   engine's risk checks and re-balancing read the held position with every placement,
//!   cancel and fill, and reading it through `ledger.positions[pos]` was a second dependent
//!   miss after the holding's. Every write of `position_c` writes the copy too (fills in
//!   `Engine::fill_order`, settlement in `Engine::finalize`, a snapshot's positions when
//!   loaded); the auditor checks the two agree. The ledger's figure stays the truth for the
//!   read side, the snapshot and settlement. A position beyond 32 bits (21 million
//!   contracts) is marked `HELD_IN_LEDGER` and read from the ledger.
//!
//! A holding itself is not state anyone observes: one made for an order that is then refused
//! has no present side and no position, so no reader, snapshot or digest can tell it exists.
//! Why: a command used to hash (account, market) for the position and (account, market, side)
//! for each group, four to six look-ups over three tables; now it touches one record.

use std::collections::HashMap;

use crate::chunked::Chunked;
use crate::hash::IntBuild;
use crate::model::GroupSide;

/// A collateral group's key: (account, market, is_bid).
pub type CollateralKey = (u32, u32, bool);

/// `Holding::pos` of an account with no position in the market yet.
pub const NO_POSITION: u32 = u32::MAX;

/// `Holding::held_c` of a position that does not fit 32 bits: read the ledger's figure.
pub const HELD_IN_LEDGER: i32 = i32::MIN;

/// A position as `Holding::held_c` holds it.
#[inline]
pub fn held_copy(position_c: i128) -> i32 {
    match i32::try_from(position_c) {
        Ok(v) if v != HELD_IN_LEDGER => v,
        _ => HELD_IN_LEDGER,
    }
}

/// Both collateral sides of an account in a market, and its position's number: four cache
/// lines, aligned. The ask side fills lines 0-1 with the header (held position, position
/// number, account, which sides are present) in the room after it, the bid side lines 2-3
/// with the market, read only off the hot paths, in the record's last 16 bytes; so an
/// order's group and the header are two or three lines where the compiler's layout (header
/// after both sides, 16-byte aligned, 288 bytes) made them three to five.
/// `tests::a_holding_is_four_aligned_lines` pins the offsets.
#[derive(Debug)]
#[repr(C, align(64))]
pub struct Holding {
    ask: GroupSide,
    /// The position's `position_c` (0 with none) as `held_copy` gives it.
    held_c: i32,
    /// The position's index in `ledger.positions`, or `NO_POSITION`.
    pub pos: u32,
    acct: u32,
    /// Which sides the map would hold (ask at 0, bid at 1).
    present: [bool; 2],
    bid: GroupSide,
    market: u32,
}

impl Holding {
    fn new(acct: u32, market: u32) -> Holding {
        Holding {
            ask: GroupSide::default(),
            held_c: 0,
            pos: NO_POSITION,
            acct,
            present: [false, false],
            bid: GroupSide::default(),
            market,
        }
    }

    #[inline]
    pub fn acct(&self) -> u32 {
        self.acct
    }

    #[inline]
    pub fn market(&self) -> u32 {
        self.market
    }

    /// The position's number, if the account has one in the market.
    #[inline]
    pub fn position(&self) -> Option<u32> {
        (self.pos != NO_POSITION).then_some(self.pos)
    }

    /// The copy of the held position (`HELD_IN_LEDGER`: read the ledger).
    #[inline]
    pub fn held_c(&self) -> i32 {
        self.held_c
    }

    #[inline(always)]
    fn side(&self, is_bid: bool) -> &GroupSide {
        if is_bid {
            &self.bid
        } else {
            &self.ask
        }
    }

    #[inline(always)]
    fn side_mut(&mut self, is_bid: bool) -> &mut GroupSide {
        if is_bid {
            &mut self.bid
        } else {
            &mut self.ask
        }
    }
}

/// Holdings per chunk (`chunked::Chunked`): records live in fixed chunks that never move,
/// so the store grows without copying. A `Vec` of 64-byte-aligned records grows by
/// allocate, copy and free (the system allocator's `realloc`, which can remap pages in
/// place, serves alignments up to 16 only): measured, that left 11 MiB more resident with
/// 1,000,000 resting orders. 4,096 records of 256 bytes: a 1 MiB chunk.
const CHUNK_BITS: u32 = 12;
#[cfg(test)]
const CHUNK: usize = 1 << CHUNK_BITS;

/// The holdings, in creation order, and their index by (account, market).
#[derive(Default)]
pub struct Collateral {
    recs: Chunked<Holding, CHUNK_BITS>,
    ix: HashMap<(u32, u32), u32, IntBuild>,
}

impl Collateral {
    /// The holding of (account, market), if one was made.
    #[inline]
    pub fn find(&self, acct: u32, market: u32) -> Option<u32> {
        self.ix.get(&(acct, market)).copied()
    }

    /// The holding of (account, market), made (with no side present) on first use.
    #[inline]
    pub fn holding(&mut self, acct: u32, market: u32) -> u32 {
        let next = self.recs.len() as u32;
        let h = *self.ix.entry((acct, market)).or_insert(next);
        if h == next {
            self.recs.push(Holding::new(acct, market));
        }
        h
    }

    #[inline(always)]
    pub fn rec(&self, h: u32) -> &Holding {
        &self.recs[h as usize]
    }

    #[inline(always)]
    fn rec_mut(&mut self, h: u32) -> &mut Holding {
        &mut self.recs[h as usize]
    }

    /// Link a holding to its position's number (made, or read from a snapshot).
    #[inline]
    pub fn set_position(&mut self, h: u32, pos: u32) {
        self.rec_mut(h).pos = pos;
    }

    /// Copy the position's new `position_c` into the holding (every write of it does).
    #[inline]
    pub fn set_held(&mut self, h: u32, position_c: i128) {
        self.rec_mut(h).held_c = held_copy(position_c);
    }

    /// A side of a holding, made present if it was not (`entry().or_default()`).
    #[inline]
    pub fn side_mut(&mut self, h: u32, is_bid: bool) -> &mut GroupSide {
        let r = self.rec_mut(h);
        r.present[usize::from(is_bid)] = true;
        r.side_mut(is_bid)
    }

    /// A side of a holding if present (`get`).
    #[inline]
    pub fn side(&self, h: u32, is_bid: bool) -> Option<&GroupSide> {
        let r = self.rec(h);
        r.present[usize::from(is_bid)].then(|| r.side(is_bid))
    }

    /// A side of a holding if present (`get_mut`).
    #[inline]
    pub fn side_if_present(&mut self, h: u32, is_bid: bool) -> Option<&mut GroupSide> {
        let r = self.rec_mut(h);
        if r.present[usize::from(is_bid)] {
            Some(r.side_mut(is_bid))
        } else {
            None
        }
    }

    /// The map's `get`.
    pub fn get(&self, key: &CollateralKey) -> Option<&GroupSide> {
        let h = self.find(key.0, key.1)?;
        self.side(h, key.2)
    }

    /// The map's `get_mut`.
    pub fn get_mut(&mut self, key: &CollateralKey) -> Option<&mut GroupSide> {
        let h = self.find(key.0, key.1)?;
        self.side_if_present(h, key.2)
    }

    /// The map's `entry(key).or_default()`.
    pub fn entry_or_default(&mut self, key: CollateralKey) -> &mut GroupSide {
        let h = self.holding(key.0, key.1);
        self.side_mut(h, key.2)
    }

    /// The present sides with their keys, as the map's `iter` (holdings in creation order,
    /// the ask side first; the map's own order was arbitrary and every reader sorts). Keys
    /// are given by value: the record keeps (account, market) once, not a key per side.
    pub fn iter(&self) -> impl Iterator<Item = (CollateralKey, &GroupSide)> + '_ {
        self.recs.iter().flat_map(|r| {
            [false, true]
                .into_iter()
                .filter(move |&b| r.present[usize::from(b)])
                .map(move |b| ((r.acct, r.market, b), r.side(b)))
        })
    }

    /// How many sides are present (the map's `len`).
    pub fn len(&self) -> usize {
        self.recs.iter().map(|r| usize::from(r.present[0]) + usize::from(r.present[1])).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every holding, in creation order (the auditor's walk).
    pub fn holdings(&self) -> impl Iterator<Item = (u32, &Holding)> + '_ {
        self.recs.iter().enumerate().map(|(h, r)| (h as u32, r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Slots;
    use std::collections::BTreeMap;

    /// A side whose contents name its key and the step that last wrote it.
    fn mark(g: &mut GroupSide, step: i128) {
        g.reserve_cc = step;
        g.remaining_c += 1;
        g.slots = Slots::from_slice(&[step as u32]);
    }

    fn view(g: &GroupSide) -> (i128, i64, Vec<u32>) {
        (g.reserve_cc, g.remaining_c, g.slots.as_slice().to_vec())
    }

    #[test]
    fn collateral_behaves_as_the_map_it_replaces() {
        // The same seeded sequence of `entry().or_default()`, `get`, `get_mut` and bare
        // holding creations on `Collateral` and on the map it stands in for (the second
        // implementation): after every step the two agree on every key's presence and
        // contents, on `len` and on the set `iter` yields.
        let mut c = Collateral::default();
        let mut want: HashMap<CollateralKey, GroupSide> = HashMap::new();
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for step in 0..20_000i128 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let key = ((x % 7) as u32, ((x >> 8) % 5) as u32, (x >> 16) & 1 == 1);
            match (x >> 20) % 4 {
                0 => {
                    mark(c.entry_or_default(key), step);
                    mark(want.entry(key).or_default(), step);
                }
                1 => {
                    let got = c.get_mut(&key).map(|g| {
                        mark(g, step);
                        view(g)
                    });
                    let expected = want.get_mut(&key).map(|g| {
                        mark(g, step);
                        view(g)
                    });
                    assert_eq!(got, expected, "get_mut {key:?} at {step}");
                }
                2 => {
                    // A holding made and left alone (a refused placement) shows nothing.
                    let h = c.holding(key.0, key.1);
                    assert_eq!(c.rec(h).acct(), key.0);
                    assert_eq!(c.rec(h).market(), key.1);
                }
                _ => {
                    let h = c.holding(key.0, key.1);
                    mark(c.side_mut(h, key.2), step);
                    mark(want.entry(key).or_default(), step);
                }
            }
            assert_eq!(c.get(&key).map(view), want.get(&key).map(view), "get {key:?} at {step}");
            assert_eq!(c.len(), want.len());
            if step % 97 == 0 {
                let got: BTreeMap<CollateralKey, _> = c.iter().map(|(k, g)| (k, view(g))).collect();
                let expected: BTreeMap<CollateralKey, _> = want.iter().map(|(k, g)| (*k, view(g))).collect();
                assert_eq!(got, expected, "iter at {step}");
                assert_eq!(c.iter().count(), want.len(), "iter yields each key once");
            }
        }
    }

    #[test]
    fn a_holding_is_found_again_and_keeps_its_position_number() {
        let mut c = Collateral::default();
        assert_eq!(c.find(3, 4), None);
        let h = c.holding(3, 4);
        assert_eq!(c.find(3, 4), Some(h));
        assert_eq!(c.holding(3, 4), h);
        assert_eq!(c.rec(h).position(), None);
        assert_eq!(c.rec(h).held_c(), 0, "no position holds nothing");
        c.set_position(h, 17);
        assert_eq!(c.rec(h).position(), Some(17));
        c.set_held(h, -4_200);
        assert_eq!(c.rec(h).held_c(), -4_200);
        let other = c.holding(4, 3);
        assert_ne!(other, h);
        assert_eq!(c.rec(other).position(), None);
        assert!(c.is_empty(), "no side is present until one is made");
        assert_eq!(c.holdings().map(|(i, r)| (i, r.acct(), r.market())).collect::<Vec<_>>(), [(h, 3, 4), (other, 4, 3)]);
    }

    #[test]
    fn a_holding_is_four_aligned_lines() {
        use std::mem::{align_of, offset_of, size_of};
        assert_eq!((size_of::<Holding>(), align_of::<Holding>()), (256, 64));
        // The ask side and the header (with the held position) share lines 0-1; the bid
        // side is lines 2-3, the market after it.
        assert_eq!(offset_of!(Holding, ask), 0);
        for hdr in [offset_of!(Holding, held_c), offset_of!(Holding, pos), offset_of!(Holding, acct), offset_of!(Holding, present)] {
            assert!((112..128).contains(&hdr), "{hdr}");
        }
        assert_eq!(offset_of!(Holding, bid), 128);
        assert!(offset_of!(Holding, market) >= 240);
        let mut c = Collateral::default();
        let h = c.holding(1, 2);
        assert_eq!(std::ptr::from_ref(c.rec(h)) as usize % 64, 0, "records are line-aligned");
    }

    #[test]
    fn a_held_copy_is_exact_or_marks_the_ledger() {
        // Every figure that fits 32 bits (but the mark itself) is copied exactly; the rest
        // (the domain's positions can reach 10^16 centi-contracts) read the ledger.
        for v in [0i128, 1, -1, 4_200, i128::from(i32::MAX), -i128::from(i32::MAX)] {
            assert_eq!(i128::from(held_copy(v)), v);
        }
        for v in [i128::from(i32::MIN), i128::from(i32::MAX) + 1, i128::from(i32::MIN) - 1, 10i128.pow(16), -(10i128.pow(16))] {
            assert_eq!(held_copy(v), HELD_IN_LEDGER, "{v}");
        }
    }

    #[test]
    fn many_holdings_keep_their_numbers_and_order() {
        // Holdings over three chunks, made in a scrambled key order: each is found
        // again under its number, keeps its own sides, and `holdings`/`iter` walk them in
        // creation order (a `Vec` of the keys, the second implementation).
        let mut c = Collateral::default();
        let mut made: Vec<(u32, u32)> = Vec::new();
        for i in 0..(2 * CHUNK as u32 + 17) {
            let key = ((i * 7_919) % 4_001, i % 13);
            let h = c.holding(key.0, key.1);
            assert_eq!(h as usize, made.len());
            made.push(key);
            c.side_mut(h, i % 2 == 1).reserve_cc = i128::from(i);
            c.set_position(h, i);
        }
        for (h, &(a, m)) in made.iter().enumerate() {
            let h = h as u32;
            assert_eq!(c.find(a, m), Some(h));
            assert_eq!((c.rec(h).acct(), c.rec(h).market(), c.rec(h).position()), (a, m, Some(h)));
            assert_eq!(c.side(h, h % 2 == 1).map(|g| g.reserve_cc), Some(i128::from(h)));
            assert!(c.side(h, h % 2 == 0).is_none());
        }
        let walked: Vec<(u32, u32)> = c.holdings().map(|(_, r)| (r.acct(), r.market())).collect();
        assert_eq!(walked, made);
        let keys: Vec<CollateralKey> = c.iter().map(|(k, _)| k).collect();
        let want: Vec<CollateralKey> = made.iter().enumerate().map(|(i, &(a, m))| (a, m, i % 2 == 1)).collect();
        assert_eq!(keys, want);
        assert_eq!(c.len(), made.len());
    }
}
