//! Hashing for the engine's maps, with no randomness drawn inside the crate.
//!
//! Maps keyed by numbers the engine assigns itself (slots, counters, indices) use a fast
//! multiplicative hash: their keys are sequential, so nobody outside can make them collide.
//! Maps keyed by strings that clients choose (user ids, tickers, client order ids, transfer
//! ids) use SipHash with keys the embedding program injects (`Engine::new`), so a client
//! cannot precompute colliding ids. No map's iteration order ever reaches an outcome.

use std::hash::{BuildHasher, Hasher};

/// A multiplicative hasher for integer keys (the Fx hash of rustc).
#[derive(Default, Clone, Copy)]
pub struct IntHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for IntHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    #[inline]
    fn write_i64(&mut self, i: i64) {
        self.write_u64(i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(SEED);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

#[derive(Default, Clone, Copy)]
pub struct IntBuild;

impl BuildHasher for IntBuild {
    type Hasher = IntHasher;
    fn build_hasher(&self) -> IntHasher {
        IntHasher::default()
    }
}

/// SipHash-2-4 with injected keys, for client-chosen strings.
#[derive(Clone, Copy, Default)]
pub struct KeyedBuild {
    pub k0: u64,
    pub k1: u64,
}

impl BuildHasher for KeyedBuild {
    #[allow(deprecated)]
    type Hasher = std::hash::SipHasher;
    #[allow(deprecated)]
    fn build_hasher(&self) -> Self::Hasher {
        std::hash::SipHasher::new_with_keys(self.k0, self.k1)
    }
}
