//! A growable array that never moves what it holds: records live in fixed-size chunks of
//! `1 << BITS`, and growing adds a chunk instead of reallocating.
//!
//! Why: a `Vec` that doubles copies every record into a fresh block, and on this host a
//! fresh page costs about 2.8 us to fault in (a guest whose free pages the hypervisor
//! reclaims). The ledger's positions grew that way, one per (account, market) that ever
//! traded: `bench.native_batch` took 62 minor faults per 1,000 commands inside
//! `apply_batch`, 48 with the positions' growth kept from copying (measured with the
//! capacity reserved up front). A chunk's pages are touched only as records are written
//! into it, so resident memory is what the records need, as with a `Vec` that never grew.
//! Users: the ledger's positions and the holdings (`holdings::Collateral`).
//!
//! Invariants: record `i` is `chunks[i >> BITS][i & (CHUNK - 1)]`; every chunk but the last
//! is full; the last is non-empty when there is one; a record's address never changes
//! until the array is dropped.

use std::ops::{Index, IndexMut};

pub struct Chunked<T, const BITS: u32> {
    chunks: Vec<Vec<T>>,
}

impl<T, const BITS: u32> Default for Chunked<T, BITS> {
    fn default() -> Self {
        Chunked { chunks: Vec::new() }
    }
}

impl<T, const BITS: u32> Chunked<T, BITS> {
    const CHUNK: usize = 1 << BITS;

    /// How many records there are.
    #[inline]
    pub fn len(&self) -> usize {
        match self.chunks.last() {
            Some(last) => (self.chunks.len() - 1) * Self::CHUNK + last.len(),
            None => 0,
        }
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// Append a record (its index is the previous `len`).
    #[inline]
    pub fn push(&mut self, record: T) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < Self::CHUNK => last.push(record),
            _ => {
                let mut chunk = Vec::with_capacity(Self::CHUNK);
                chunk.push(record);
                self.chunks.push(chunk);
            }
        }
    }

    #[inline]
    pub fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i >> BITS).and_then(|c| c.get(i & (Self::CHUNK - 1)))
    }

    #[inline]
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.chunks.get_mut(i >> BITS).and_then(|c| c.get_mut(i & (Self::CHUNK - 1)))
    }

    /// The records in index order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.chunks.iter().flatten()
    }
}

impl<T, const BITS: u32> Index<usize> for Chunked<T, BITS> {
    type Output = T;

    #[inline(always)]
    fn index(&self, i: usize) -> &T {
        &self.chunks[i >> BITS][i & (Self::CHUNK - 1)]
    }
}

impl<T, const BITS: u32> IndexMut<usize> for Chunked<T, BITS> {
    #[inline(always)]
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.chunks[i >> BITS][i & (Self::CHUNK - 1)]
    }
}

impl<'a, T, const BITS: u32> IntoIterator for &'a Chunked<T, BITS> {
    type Item = &'a T;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<T>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.chunks.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::Chunked;

    /// Driven by a seeded generator against a plain `Vec`: the same records at the same
    /// indices, in the same order, across many chunk boundaries; addresses never move.
    #[test]
    fn it_agrees_with_a_vec_and_never_moves_a_record() {
        let mut c: Chunked<u64, 3> = Chunked::default();
        let mut v: Vec<u64> = Vec::new();
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        assert!(c.is_empty() && c.get(0).is_none());
        let mut first_address = None;
        for step in 0..2_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if x % 4 == 0 && !v.is_empty() {
                let i = (x as usize / 4) % v.len();
                c[i] = c[i].wrapping_add(step);
                v[i] = v[i].wrapping_add(step);
                *c.get_mut(i).expect("in range") ^= 1;
                v[i] ^= 1;
            } else {
                c.push(x);
                v.push(x);
            }
            if first_address.is_none() && !v.is_empty() {
                first_address = Some(std::ptr::from_ref(&c[0]));
            }
            assert_eq!(c.len(), v.len());
            assert!(c.get(v.len()).is_none() && c.get_mut(v.len()).is_none());
        }
        assert_eq!(first_address, Some(std::ptr::from_ref(&c[0])), "record 0 moved");
        assert_eq!(c.iter().copied().collect::<Vec<_>>(), v);
        assert_eq!((&c).into_iter().copied().collect::<Vec<_>>(), v);
        assert_eq!(c.iter().rev().copied().collect::<Vec<_>>(), v.iter().rev().copied().collect::<Vec<_>>());
        for (i, want) in v.iter().enumerate() {
            assert_eq!((c[i], c.get(i)), (*want, Some(want)));
        }
    }

    #[test]
    fn a_full_chunk_is_followed_by_a_new_one() {
        let mut c: Chunked<u32, 2> = Chunked::default();
        for i in 0..9 {
            c.push(i);
        }
        assert_eq!((c.len(), c.chunks.len(), c.chunks.iter().map(Vec::len).collect::<Vec<_>>()), (9, 3, vec![4, 4, 1]));
        assert_eq!(c.chunks.iter().map(Vec::capacity).collect::<Vec<_>>(), vec![4, 4, 4]);
    }
}
