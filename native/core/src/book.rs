//! The order book of one market: one book priced in YES with two sides of bids (mirrors
//! `augury.engine.book`).
//!
//! A side is a flat vector of levels indexed by grid step; a level is a FIFO queue of
//! entries. An entry names an order by its slot in the engine's order slab *and* the queue
//! sequence number it rested with, so an entry is live exactly while that order still rests
//! there under that sequence (a slot re-used by a later order, or an order re-queued by an
//! amend, leaves the old entry dead). Dead entries are dropped lazily as in Python: a
//! level's total drops at once, a level whose total reaches zero is emptied, and a level
//! whose dead entries outnumber its live ones (beyond `COMPACT_AFTER`) is rebuilt.
//!
//! Invariants: `best_bid` is the highest index with a non-zero total (or -1), `best_ask` the
//! lowest (or `size`); a level's total is the sum of its live orders' remaining; the book is
//! never crossed after a command.

use std::collections::VecDeque;

use crate::model::Order;

pub const COMPACT_AFTER: u32 = 8;

/// A place in a level's queue: the order's slot and the queue sequence it rested with
/// (split in two words so an entry takes 12 bytes, not 16: one per resting order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub slot: u32,
    qseq: [u32; 2],
}

impl Entry {
    #[inline]
    pub fn new(slot: u32, qseq: u64) -> Entry {
        Entry { slot, qseq: [(qseq >> 32) as u32, qseq as u32] }
    }

    #[inline]
    pub fn qseq(self) -> u64 {
        (u64::from(self.qseq[0]) << 32) | u64::from(self.qseq[1])
    }
}

#[derive(Default, Clone, Debug)]
pub struct Level {
    pub entries: VecDeque<Entry>,
    pub total_c: i64,
    pub dead: u32,
}

/// Whether an entry still names a live resting order.
#[inline]
pub fn entry_live(orders: &[Option<Order>], e: Entry) -> bool {
    match &orders[e.slot as usize] {
        Some(o) => o.live && o.queue_seq == e.qseq(),
        None => false,
    }
}

impl Level {
    /// The oldest live entry, dropping dead ones on the way.
    pub fn head(&mut self, orders: &[Option<Order>]) -> Option<Entry> {
        while let Some(&e) = self.entries.front() {
            if entry_live(orders, e) {
                return Some(e);
            }
            self.entries.pop_front();
            self.dead -= 1;
        }
        None
    }

    fn bury(&mut self, orders: &[Option<Order>]) {
        self.dead += 1;
        self.compact_if_dead(orders);
    }

    pub fn compact_if_dead(&mut self, orders: &[Option<Order>]) {
        if self.dead > COMPACT_AFTER && 2 * self.dead as usize > self.entries.len() {
            self.entries.retain(|&e| entry_live(orders, e));
            self.dead = 0;
        }
    }

    fn clear(&mut self) {
        self.entries = VecDeque::new();
        self.dead = 0;
    }
}

#[derive(Clone, Debug)]
pub struct Book {
    pub size: usize,
    pub bids: Vec<Level>,
    pub asks: Vec<Level>,
    pub best_bid: i64,
    pub best_ask: i64,
}

impl Book {
    pub fn new(size: usize) -> Self {
        Book {
            size,
            bids: vec![Level::default(); size],
            asks: vec![Level::default(); size],
            best_bid: -1,
            best_ask: size as i64,
        }
    }

    pub fn side(&self, is_bid: bool) -> &[Level] {
        if is_bid {
            &self.bids
        } else {
            &self.asks
        }
    }

    fn level_mut(&mut self, is_bid: bool, idx: usize) -> &mut Level {
        if is_bid {
            &mut self.bids[idx]
        } else {
            &mut self.asks[idx]
        }
    }

    /// Append a live order at the back of its level (the caller set its queue_seq).
    pub fn rest(&mut self, orders: &mut [Option<Order>], slot: u32) {
        let o = orders[slot as usize].as_mut().expect("resting a free slot");
        let idx = o.price_idx as usize;
        if o.is_bid {
            if idx as i64 > self.best_bid {
                self.best_bid = idx as i64;
            }
        } else if (idx as i64) < self.best_ask {
            self.best_ask = idx as i64;
        }
        o.live = true;
        let (rem, qseq, is_bid) = (o.remaining_c, o.queue_seq, o.is_bid);
        let level = self.level_mut(is_bid, idx);
        level.entries.push_back(Entry::new(slot, qseq));
        level.total_c += rem;
    }

    /// Lower a resting order's size at its level, keeping its place.
    pub fn shrink(&mut self, orders: &mut [Option<Order>], slot: u32, by_c: i64) {
        let o = orders[slot as usize].as_mut().expect("shrinking a free slot");
        o.remaining_c -= by_c;
        let (is_bid, idx, rem) = (o.is_bid, o.price_idx as usize, o.remaining_c);
        self.level_mut(is_bid, idx).total_c -= by_c;
        if rem == 0 {
            self.remove(orders, slot, true, true);
        }
    }

    /// Take a resting order out of the book (lazily: its entry dies in place).
    pub fn remove(
        &mut self,
        orders: &mut [Option<Order>],
        slot: u32,
        already_subtracted: bool,
        leaves_entry: bool,
    ) {
        let o = orders[slot as usize].as_mut().expect("removing a free slot");
        let (is_bid, idx, rem) = (o.is_bid, o.price_idx as usize, o.remaining_c);
        o.live = false;
        let level = self.level_mut(is_bid, idx);
        if !already_subtracted {
            level.total_c -= rem;
        }
        if level.total_c == 0 {
            level.clear();
            if is_bid && idx as i64 == self.best_bid {
                self.retreat_bid();
            } else if !is_bid && idx as i64 == self.best_ask {
                self.retreat_ask();
            }
        } else if leaves_entry {
            level.bury(orders);
        }
    }

    /// Take a resting order out of the book and its queue, so it can be re-queued.
    pub fn unqueue(&mut self, orders: &mut [Option<Order>], slot: u32) {
        let o = orders[slot as usize].as_ref().expect("unqueue of a free slot");
        let (is_bid, idx, rem, live, qseq) =
            (o.is_bid, o.price_idx as usize, o.remaining_c, o.live, o.queue_seq);
        let level = self.level_mut(is_bid, idx);
        if live && level.total_c != rem {
            let at = level.entries.iter().position(|e| e.slot == slot && e.qseq() == qseq);
            if let Some(at) = at {
                level.entries.remove(at);
            }
            self.remove(orders, slot, false, false);
            let level = if is_bid { &mut self.bids[idx] } else { &mut self.asks[idx] };
            level.compact_if_dead(orders);
        } else {
            self.remove(orders, slot, false, true);
        }
    }

    fn retreat_bid(&mut self) {
        let mut idx = self.best_bid;
        while idx >= 0 && self.bids[idx as usize].total_c == 0 {
            idx -= 1;
        }
        self.best_bid = idx;
    }

    fn retreat_ask(&mut self) {
        let mut idx = self.best_ask;
        while idx < self.size as i64 && self.asks[idx as usize].total_c == 0 {
            idx += 1;
        }
        self.best_ask = idx;
    }

    /// `(index, total_c)` of non-empty levels, best first.
    pub fn levels(&self, is_bid: bool) -> Vec<(usize, i64)> {
        let mut out = Vec::new();
        if is_bid {
            let mut idx = self.best_bid;
            while idx >= 0 {
                let t = self.bids[idx as usize].total_c;
                if t != 0 {
                    out.push((idx as usize, t));
                }
                idx -= 1;
            }
        } else {
            for idx in self.best_ask.max(0) as usize..self.size {
                let t = self.asks[idx].total_c;
                if t != 0 {
                    out.push((idx, t));
                }
            }
        }
        out
    }

    /// The live orders (slots) of one level in time order.
    pub fn orders_at(&self, orders: &[Option<Order>], is_bid: bool, idx: usize) -> Vec<u32> {
        self.side(is_bid)[idx]
            .entries
            .iter()
            .filter(|&&e| entry_live(orders, e))
            .map(|e| e.slot)
            .collect()
    }

    /// Every live order: bids then asks, best level first, in time order.
    pub fn resting(&self, orders: &[Option<Order>]) -> Vec<u32> {
        let mut out = Vec::new();
        for is_bid in [true, false] {
            for (idx, _) in self.levels(is_bid) {
                out.extend(self.orders_at(orders, is_bid, idx));
            }
        }
        out
    }

    /// The resting size ahead of an order at its price (0 at the front).
    pub fn queue_position(&self, orders: &[Option<Order>], slot: u32) -> Option<i64> {
        let o = orders[slot as usize].as_ref()?;
        let mut ahead = 0;
        for s in self.orders_at(orders, o.is_bid, o.price_idx as usize) {
            if s == slot {
                return Some(ahead);
            }
            ahead += orders[s as usize].as_ref().map_or(0, |x| x.remaining_c);
        }
        None
    }
}
