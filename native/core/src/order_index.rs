//! The resting orders' index: order id counter -> order slot, dense where the ids are.
//!
//! Order ids are the engine's own counter (`Engine::id_counter`, shared with trades, fills
//! and groups), so the ids of live orders are mostly a recent, crowded run of integers. The
//! index keeps them in *pages* of `PAGE` consecutive ids (a `u32` slot each, `EMPTY` where
//! no order rests), found by arithmetic: no hashing, and recent orders' entries share cache
//! lines. Ids that do not fit that shape go to a hash map (`overflow`), so any id pattern
//! the domain allows (a snapshot's sparse ids, an id near 2^48) is indexed correctly.
//!
//! Invariants (checked by `check` in the tests, against a `HashMap` model):
//! - `pages[i]` covers page number `base + i` (ids `(base + i) * PAGE ..`); the deque is
//!   empty, or its front and back entries hold a page. The back one is the *tail*: the page
//!   new ids go to. `next_page` (monotone) is one past the tail's number: a page is only
//!   ever made at or after it, so a page number below it that holds no page never will.
//! - An id is in exactly one place: in its page when its page is held, else in `overflow`.
//!   (A page is made only past every id ever indexed, so `overflow` holds none of its ids.)
//! - Memory stays bounded by the live entries, whatever the ids: every held page but the
//!   tail has at least `DENSE_MIN` live entries (one that drops below moves its entries to
//!   `overflow` and is freed: at most `PAGE * 4 / DENSE_MIN` = 32 bytes an entry); the
//!   deque spans at most `MAX_SPAN` page numbers (front pages are moved to `overflow` when a
//!   new tail would stretch it further): 16 bytes a page number, 1 MiB at the most.
//! Each id is moved to `overflow` at most once (pages are never made behind the tail), so
//! the moves cost O(1) per insert, amortized. Iteration order is unspecified: every caller
//! whose order reaches an outcome sorts.

use std::collections::VecDeque;

use crate::hash::IdMap;

const PAGE_BITS: u32 = 8;
/// Ids per page: 256 slots of 4 bytes, a 1 KiB page.
const PAGE: usize = 1 << PAGE_BITS;
/// No order in this slot of a page (slots are `Engine::orders` indices, far below it).
const EMPTY: u32 = u32::MAX;
/// Live entries a page other than the tail keeps, or it is moved to `overflow`.
const DENSE_MIN: u32 = (PAGE / 16) as u32;
/// Page numbers the deque may span: 16,777,216 ids.
const MAX_SPAN: u64 = 1 << 16;

type Page = Box<[u32; PAGE]>;

struct Entry {
    page: Option<Page>,
    live: u32,
}

#[derive(Default)]
pub struct OrderIndex {
    base: u64,
    next_page: u64,
    pages: VecDeque<Entry>,
    /// Entries held in pages.
    dense: usize,
    overflow: IdMap,
    /// One emptied page kept for the next tail (saves an allocation and a free per page).
    spare: Option<Page>,
}

#[inline(always)]
fn split(id: u64) -> (u64, usize) {
    (id >> PAGE_BITS, (id as usize) & (PAGE - 1))
}

impl OrderIndex {
    /// The deque position of page number `p`, if the deque covers it.
    #[inline(always)]
    fn at(&self, p: u64) -> Option<usize> {
        let i = p.wrapping_sub(self.base);
        (i < self.pages.len() as u64).then_some(i as usize)
    }

    #[inline]
    pub fn get(&self, id: &u64) -> Option<&u32> {
        let (p, k) = split(*id);
        if let Some(Entry { page: Some(page), .. }) = self.at(p).map(|i| &self.pages[i]) {
            let s = &page[k];
            return (*s != EMPTY).then_some(s);
        }
        if self.overflow.is_empty() {
            return None;
        }
        self.overflow.get(id)
    }

    #[inline]
    pub fn contains_key(&self, id: &u64) -> bool {
        self.get(id).is_some()
    }

    /// Index `id` at `slot`, returning the slot it had.
    #[inline]
    pub fn insert(&mut self, id: u64, slot: u32) -> Option<u32> {
        assert!(slot != EMPTY, "an order slot beyond the index's range");
        let (p, k) = split(id);
        if p >= self.next_page {
            self.new_tail(p);
        }
        if let Some(i) = self.at(p) {
            let e = &mut self.pages[i];
            if let Some(page) = &mut e.page {
                let old = std::mem::replace(&mut page[k], slot);
                if old == EMPTY {
                    e.live += 1;
                    self.dense += 1;
                    return None;
                }
                return Some(old);
            }
        }
        self.overflow.insert(id, slot)
    }

    /// Drop `id` from the index, returning its slot.
    #[inline]
    pub fn remove(&mut self, id: &u64) -> Option<u32> {
        let (p, k) = split(*id);
        if let Some(i) = self.at(p) {
            let tail = i + 1 == self.pages.len();
            let e = &mut self.pages[i];
            if let Some(page) = &mut e.page {
                let old = std::mem::replace(&mut page[k], EMPTY);
                if old == EMPTY {
                    return None;
                }
                e.live -= 1;
                self.dense -= 1;
                if !tail && e.live < DENSE_MIN {
                    self.retire_page(i);
                }
                return Some(old);
            }
        }
        if self.overflow.is_empty() {
            return None;
        }
        self.overflow.remove(id)
    }

    pub fn len(&self) -> usize {
        self.dense + self.overflow.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// (id, slot) pairs in no particular order (callers sort what reaches an outcome).
    pub fn iter(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        let dense = self.pages.iter().enumerate().flat_map(move |(i, e)| {
            let first = (self.base + i as u64) << PAGE_BITS;
            e.page.iter().flat_map(move |page| {
                page.iter().enumerate().filter(|&(_, &s)| s != EMPTY).map(move |(k, &s)| (first + k as u64, s))
            })
        });
        dense.chain(self.overflow.iter())
    }

    pub fn keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.iter().map(|(id, _)| id)
    }

    /// Re-index every entry in id order: a snapshot's orders arrive in book order, and ids
    /// inserted below the tail go to `overflow`; in id order they fill pages.
    pub fn rebuild(&mut self) {
        if self.overflow.is_empty() {
            return;
        }
        let mut all: Vec<(u64, u32)> = self.iter().collect();
        all.sort_unstable();
        *self = OrderIndex::default();
        for (id, slot) in all {
            self.insert(id, slot);
        }
    }

    /// Make page `p` (at or past `next_page`) the tail.
    #[cold]
    fn new_tail(&mut self, p: u64) {
        // The old tail is an ordinary page from now on: it keeps the density rule.
        if let Some(last) = self.pages.len().checked_sub(1) {
            if self.pages[last].live < DENSE_MIN {
                self.retire_page(last);
            }
        }
        // Keep the span bounded: the oldest pages go to the map.
        while !self.pages.is_empty() && p - self.base >= MAX_SPAN {
            if self.pages[0].page.is_some() {
                self.retire_page(0);
            } else {
                self.pages.pop_front();
                self.base += 1;
            }
        }
        if self.pages.is_empty() {
            self.base = p;
        }
        while self.base + (self.pages.len() as u64) < p {
            self.pages.push_back(Entry { page: None, live: 0 });
        }
        let page = self.spare.take().unwrap_or_else(|| Box::new([EMPTY; PAGE]));
        self.pages.push_back(Entry { page: Some(page), live: 0 });
        self.next_page = p + 1;
    }

    /// Move page `i`'s entries to `overflow`, free it, and drop empty pages off the front.
    #[cold]
    fn retire_page(&mut self, i: usize) {
        let first = (self.base + i as u64) << PAGE_BITS;
        let e = &mut self.pages[i];
        let mut page = e.page.take().expect("a held page");
        let live = std::mem::take(&mut e.live);
        self.dense -= live as usize;
        if live > 0 {
            for (k, s) in page.iter_mut().enumerate() {
                if *s != EMPTY {
                    self.overflow.insert(first + k as u64, *s);
                    *s = EMPTY;
                }
            }
        }
        self.spare.get_or_insert(page);
        while self.pages.front().is_some_and(|e| e.page.is_none()) {
            self.pages.pop_front();
            self.base += 1;
        }
        while self.pages.back().is_some_and(|e| e.page.is_none()) {
            self.pages.pop_back();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    impl OrderIndex {
        /// Every invariant of the module docstring, from the raw parts.
        fn check(&self) {
            if let (Some(front), Some(back)) = (self.pages.front(), self.pages.back()) {
                assert!(front.page.is_some() && back.page.is_some(), "the deque is trimmed");
                assert_eq!(self.base + self.pages.len() as u64, self.next_page, "the tail is the last page made");
            }
            assert!((self.pages.len() as u64) <= MAX_SPAN, "span {}", self.pages.len());
            let mut dense = 0;
            for (i, e) in self.pages.iter().enumerate() {
                let Some(page) = &e.page else {
                    assert_eq!(e.live, 0);
                    continue;
                };
                let live = page.iter().filter(|&&s| s != EMPTY).count();
                assert_eq!(live, e.live as usize, "page {i}'s count");
                if i + 1 < self.pages.len() {
                    assert!(e.live >= DENSE_MIN, "page {i} is sparse ({live}) but held");
                }
                dense += live;
            }
            assert_eq!(dense, self.dense);
            for (id, _) in self.overflow.iter() {
                let (p, _) = split(id);
                assert!(p < self.next_page, "an overflow id at or past the next page");
                if let Some(i) = self.at(p) {
                    assert!(self.pages[i].page.is_none(), "id {id} both in a page and in overflow");
                }
            }
            // Memory: pages bounded by the live entries, whatever the ids.
            let held = self.pages.iter().filter(|e| e.page.is_some()).count();
            assert!(held <= self.dense / DENSE_MIN as usize + 1, "{held} pages for {} entries", self.dense);
        }

        fn agrees_with(&self, model: &HashMap<u64, u32>) {
            assert_eq!(self.len(), model.len());
            assert_eq!(self.is_empty(), model.is_empty());
            let mut mine: Vec<(u64, u32)> = self.iter().collect();
            mine.sort_unstable();
            let mut want: Vec<(u64, u32)> = model.iter().map(|(&k, &v)| (k, v)).collect();
            want.sort_unstable();
            assert_eq!(mine, want);
            let mut keys: Vec<u64> = self.keys().collect();
            keys.sort_unstable();
            assert_eq!(keys, want.iter().map(|p| p.0).collect::<Vec<_>>());
            for (&id, &slot) in model {
                assert_eq!(self.get(&id), Some(&slot), "id {id}");
            }
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        /// The next id of a counter that moves on by `1 + gap` (trades and fills take ids too).
        Next { gap: u64, slot: u32 },
        /// Any id at all: sparse, far ahead, behind the tail, near the top of the range.
        At { id: u64, slot: u32 },
        /// Remove the `pick`-th oldest live id (mod the count): front trimming, holes.
        RemoveOld { pick: usize },
        /// Remove one of the newest live ids.
        RemoveNew { pick: usize },
        /// Remove an id that may or may not be indexed.
        RemoveAny { id: u64 },
        /// Re-insert a live id with another slot.
        Replace { pick: usize, slot: u32 },
        Rebuild,
    }

    fn slot() -> impl Strategy<Value = u32> {
        prop_oneof![0..1000u32, Just(EMPTY - 1)]
    }

    fn any_id() -> impl Strategy<Value = u64> {
        prop_oneof![
            0..5000u64,
            0..(1u64 << 48),
            (1u64 << 48) - 300..(1u64 << 48),
            u64::MAX - 600..=u64::MAX,
            (0..8u64).prop_map(|k| k * (MAX_SPAN << PAGE_BITS)),
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            12 => (prop_oneof![6 => Just(0u64), 3 => 1..4u64, 1 => 0..2000u64, 1 => Just(MAX_SPAN << PAGE_BITS)], slot())
                .prop_map(|(gap, slot)| Op::Next { gap, slot }),
            2 => (any_id(), slot()).prop_map(|(id, slot)| Op::At { id, slot }),
            5 => any::<usize>().prop_map(|pick| Op::RemoveOld { pick }),
            4 => (0..40usize).prop_map(|pick| Op::RemoveNew { pick }),
            1 => any_id().prop_map(|id| Op::RemoveAny { id }),
            1 => (any::<usize>(), slot()).prop_map(|(pick, slot)| Op::Replace { pick, slot }),
            1 => Just(Op::Rebuild),
        ]
    }

    fn run(ops: &[Op], start: u64) {
        let mut ix = OrderIndex::default();
        let mut model: HashMap<u64, u32> = HashMap::new();
        let mut counter = start;
        for op in ops {
            let mut live: Vec<u64> = model.keys().copied().collect();
            live.sort_unstable();
            match *op {
                Op::Next { gap, slot } => {
                    counter = counter.saturating_add(1 + gap);
                    assert_eq!(ix.insert(counter, slot), model.insert(counter, slot));
                }
                Op::At { id, slot } => assert_eq!(ix.insert(id, slot), model.insert(id, slot)),
                Op::RemoveOld { pick } if !live.is_empty() => {
                    let id = live[pick % live.len()];
                    assert_eq!(ix.remove(&id), model.remove(&id));
                    assert_eq!(ix.remove(&id), None);
                }
                Op::RemoveNew { pick } if !live.is_empty() => {
                    let id = live[live.len() - 1 - pick % live.len()];
                    assert_eq!(ix.remove(&id), model.remove(&id));
                }
                Op::RemoveAny { id } => assert_eq!(ix.remove(&id), model.remove(&id)),
                Op::Replace { pick, slot } if !live.is_empty() => {
                    let id = live[pick % live.len()];
                    assert_eq!(ix.insert(id, slot), model.insert(id, slot));
                }
                Op::Rebuild => ix.rebuild(),
                _ => {}
            }
            ix.check();
            assert_eq!(ix.len(), model.len());
        }
        ix.agrees_with(&model);
        for id in [0, 1, counter, counter.wrapping_add(1), 1 << 48, u64::MAX] {
            assert_eq!(ix.get(&id), model.get(&id));
            assert_eq!(ix.contains_key(&id), model.contains_key(&id));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn behaves_as_a_hash_map(ops in prop::collection::vec(op(), 0..1500), start in prop_oneof![Just(0u64), 0..(1u64 << 48)]) {
            run(&ops, start);
        }
    }

    /// A long stream shaped like the engine's: most orders die young, a few rest for long
    /// (pinning old pages), the counter skips ids for trades; checked against the model.
    #[test]
    fn a_long_stream_with_long_lived_orders() {
        let mut ix = OrderIndex::default();
        let mut model: HashMap<u64, u32> = HashMap::new();
        let mut young: Vec<u64> = Vec::new();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut rand = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut counter = 0u64;
        for n in 0..400_000u32 {
            counter += 1 + rand() % 3;
            let slot = n % 100_000;
            assert_eq!(ix.insert(counter, slot), model.insert(counter, slot));
            if rand() % 50 != 0 {
                young.push(counter);
            }
            while young.len() > 300 {
                let id = young.swap_remove((rand() % young.len() as u64) as usize);
                assert_eq!(ix.remove(&id), model.remove(&id));
            }
            if n % 20_000 == 0 {
                ix.check();
            }
        }
        ix.check();
        ix.agrees_with(&model);
        // The long-lived orders (1 in 50, ~1 per 100 ids) left their pages sparse: they live in
        // the map, and the pages held are few.
        let held = ix.pages.iter().filter(|e| e.page.is_some()).count();
        assert!(held < 10, "{held} pages held");
        assert!(ix.overflow.len() > 7_000);
    }

    /// Sequential ids fill pages: nothing goes to the map, and removing the oldest trims
    /// the front so the deque spans only the live ids.
    #[test]
    fn sequential_ids_stay_dense_and_the_front_is_trimmed() {
        let mut ix = OrderIndex::default();
        for id in 1..=100_000u64 {
            assert_eq!(ix.insert(id, id as u32), None);
        }
        assert!(ix.overflow.is_empty());
        assert_eq!(ix.len(), 100_000);
        for id in 1..=99_000u64 {
            assert_eq!(ix.remove(&id), Some(id as u32));
        }
        ix.check();
        assert_eq!(ix.len(), 1_000);
        assert!(ix.pages.len() <= 1_000 / PAGE + 2, "{} pages spanned", ix.pages.len());
        assert_eq!(ix.get(&99_000), None);
        assert_eq!(ix.get(&99_001), Some(&99_001));
    }

    /// One order pinned at id 1 while the counter runs far ahead: the span stays bounded.
    #[test]
    fn a_pinned_old_order_does_not_stretch_the_span() {
        let mut ix = OrderIndex::default();
        for id in 1..=64u64 {
            ix.insert(id, 7);
        }
        let far = 3 * (MAX_SPAN << PAGE_BITS);
        for id in (1000..far).step_by(97) {
            ix.insert(id, 1);
            ix.remove(&id);
        }
        ix.check();
        assert!(ix.pages.len() as u64 <= MAX_SPAN);
        for id in 1..=64u64 {
            assert_eq!(ix.get(&id), Some(&7));
        }
        assert_eq!(ix.len(), 64);
    }
}
