//! Hashing for the engine's maps, with no randomness drawn inside the crate.
//!
//! Maps keyed by numbers the engine assigns itself (slots, counters, indices) use a fast
//! multiplicative hash: their keys are sequential, so nobody outside can make them collide.
//! Maps keyed by strings that clients choose (user ids, tickers, client order ids, transfer
//! ids) use SipHash with keys the embedding program injects (`Engine::new`), so a client
//! cannot precompute colliding ids. No map's iteration order ever reaches an outcome.

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

/// A text key (user id, ticker) of a map that is looked up by bytes: a decoded command's
/// ids are kept as bytes the decoder checked, and a hit needs no conversion to `str` (the
/// key it equals was checked when it was inserted). It hashes and compares as its bytes,
/// as `[u8]` does, so `map.get(text.as_bytes())` finds it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Name(pub Arc<str>);

impl Hash for Name {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.as_bytes().hash(state);
    }
}

impl Borrow<[u8]> for Name {
    #[inline]
    fn borrow(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

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

/// SipHash-1-3 with injected keys, for client-chosen strings: the function (and the
/// rounds) Rust's standard `HashMap` keys with random seeds by default, so these maps have
/// the standard library's resistance to collision flooding. SipHash-2-4 (`std`'s deprecated
/// `SipHasher`) costs about half as much again per lookup for no protection these maps need
/// (docs/decisions/0055).
#[derive(Clone, Copy, Default)]
pub struct KeyedBuild {
    pub k0: u64,
    pub k1: u64,
}

impl BuildHasher for KeyedBuild {
    type Hasher = Sip<1, 3>;
    #[inline]
    fn build_hasher(&self) -> Self::Hasher {
        Sip::new(self.k0, self.k1)
    }
}

/// SipHash with `C` compression and `D` finalization rounds (Aumasson and Bernstein, 2012),
/// streaming: bytes written in any split hash as if written at once.
#[derive(Clone, Copy)]
pub struct Sip<const C: usize, const D: usize> {
    v: [u64; 4],
    tail: u64,
    ntail: usize,
    length: usize,
}

impl<const C: usize, const D: usize> Sip<C, D> {
    pub fn new(k0: u64, k1: u64) -> Self {
        Sip {
            v: [
                k0 ^ 0x736f_6d65_7073_6575,
                k1 ^ 0x646f_7261_6e64_6f6d,
                k0 ^ 0x6c79_6765_6e65_7261,
                k1 ^ 0x7465_6462_7974_6573,
            ],
            tail: 0,
            ntail: 0,
            length: 0,
        }
    }

    #[inline(always)]
    fn round(v: &mut [u64; 4]) {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    }

    #[inline(always)]
    fn compress(&mut self, m: u64) {
        self.v[3] ^= m;
        for _ in 0..C {
            Self::round(&mut self.v);
        }
        self.v[0] ^= m;
    }
}

impl<const C: usize, const D: usize> Hasher for Sip<C, D> {
    #[inline]
    fn write(&mut self, mut bytes: &[u8]) {
        self.length = self.length.wrapping_add(bytes.len());
        if self.ntail != 0 {
            while self.ntail < 8 {
                let Some((&b, rest)) = bytes.split_first() else { return };
                self.tail |= u64::from(b) << (8 * self.ntail);
                self.ntail += 1;
                bytes = rest;
            }
            let m = self.tail;
            self.compress(m);
            self.tail = 0;
            self.ntail = 0;
        }
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let m = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            self.compress(m);
        }
        for (i, &b) in chunks.remainder().iter().enumerate() {
            self.tail |= u64::from(b) << (8 * i);
        }
        self.ntail = chunks.remainder().len();
    }

    #[inline]
    fn finish(&self) -> u64 {
        let mut s = *self;
        let b = ((s.length as u64 & 0xff) << 56) | s.tail;
        s.compress(b);
        s.v[2] ^= 0xff;
        for _ in 0..D {
            Self::round(&mut s.v);
        }
        s.v[0] ^ s.v[1] ^ s.v[2] ^ s.v[3]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sip24(key: [u8; 16], msg: &[u8], splits: &[usize]) -> u64 {
        let k0 = u64::from_le_bytes(key[..8].try_into().unwrap());
        let k1 = u64::from_le_bytes(key[8..].try_into().unwrap());
        let mut h = Sip::<2, 4>::new(k0, k1);
        let mut at = 0;
        for &cut in splits.iter().chain([msg.len()].iter()) {
            h.write(&msg[at..cut]);
            at = cut;
        }
        h.finish()
    }

    #[test]
    fn siphash_2_4_matches_the_papers_test_vector() {
        // Appendix A of the SipHash paper: key 00..0f, message 00..0e.
        let key: [u8; 16] = std::array::from_fn(|i| i as u8);
        let msg: Vec<u8> = (0..15).collect();
        assert_eq!(sip24(key, &msg, &[]), 0xa129_ca61_49be_45e5);
        // Streaming: any split of the message hashes the same.
        assert_eq!(sip24(key, &msg, &[1, 3, 11]), 0xa129_ca61_49be_45e5);
        assert_eq!(sip24(key, &msg, &[7, 8, 9]), 0xa129_ca61_49be_45e5);
    }

    /// SipHash as the paper states it, whole message at once (a second implementation).
    fn sip13_plain(k0: u64, k1: u64, msg: &[u8]) -> u64 {
        let mut v = [
            k0 ^ 0x736f_6d65_7073_6575,
            k1 ^ 0x646f_7261_6e64_6f6d,
            k0 ^ 0x6c79_6765_6e65_7261,
            k1 ^ 0x7465_6462_7974_6573,
        ];
        let mut padded = msg.to_vec();
        padded.resize(msg.len() / 8 * 8 + 7, 0);
        padded.push(msg.len() as u8);
        for word in padded.chunks(8) {
            let m = u64::from_le_bytes(word.try_into().unwrap());
            v[3] ^= m;
            Sip::<1, 3>::round(&mut v);
            v[0] ^= m;
        }
        v[2] ^= 0xff;
        for _ in 0..3 {
            Sip::<1, 3>::round(&mut v);
        }
        v[0] ^ v[1] ^ v[2] ^ v[3]
    }

    /// The maps' SipHash-1-3, streamed as the maps write keys (every length, split
    /// anywhere; a `[u8]` key's length prefix first, as `Name` keys are hashed), equals the
    /// plain function of the same bytes.
    #[test]
    fn streamed_writes_hash_as_the_whole_message() {
        let (k0, k1) = (0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908);
        for n in 0..40usize {
            let msg: Vec<u8> = (0..n as u8).map(|b| b.wrapping_mul(37) ^ 0xa5).collect();
            let want = sip13_plain(k0, k1, &msg);
            for cut in 0..=n {
                let mut h = Sip::<1, 3>::new(k0, k1);
                h.write(&msg[..cut]);
                h.write(&msg[cut..]);
                assert_eq!(h.finish(), want, "length {n}, cut at {cut}");
            }
            let mut h = Sip::<1, 3>::new(k0, k1);
            std::hash::Hash::hash(&msg[..], &mut h);
            let mut whole = n.to_ne_bytes().to_vec();
            whole.extend_from_slice(&msg);
            assert_eq!(h.finish(), sip13_plain(k0, k1, &whole), "length {n} as [u8]");
        }
    }

    #[test]
    fn keyed_maps_depend_on_their_keys() {
        let hash = |k: (u64, u64), s: &str| KeyedBuild { k0: k.0, k1: k.1 }.hash_one(s);
        assert_ne!(hash((1, 2), "u0001"), hash((3, 4), "u0001"));
        let mut seen = std::collections::HashSet::new();
        for i in 0..100_000 {
            assert!(seen.insert(hash((1, 2), &format!("u{i:05}"))), "a collision among sequential ids");
        }
    }
}

/// An id counter as a hash key of 4-byte alignment: with a 32-bit value beside it a map
/// entry takes 12 bytes instead of 16 (the resting index holds one per resting order).
#[derive(Clone, Copy, PartialEq, Eq)]
struct IdKey([u32; 2]);

impl IdKey {
    #[inline]
    fn new(id: u64) -> IdKey {
        IdKey([(id >> 32) as u32, id as u32])
    }

    #[inline]
    fn get(self) -> u64 {
        (u64::from(self.0[0]) << 32) | u64::from(self.0[1])
    }
}

impl std::hash::Hash for IdKey {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.get());
    }
}

/// A map from id counters to slots (the resting orders' index), 12 bytes an entry.
#[derive(Default, Clone)]
pub struct IdMap {
    map: std::collections::HashMap<IdKey, u32, IntBuild>,
}

impl IdMap {
    #[inline]
    pub fn get(&self, id: &u64) -> Option<&u32> {
        self.map.get(&IdKey::new(*id))
    }

    #[inline]
    pub fn contains_key(&self, id: &u64) -> bool {
        self.map.contains_key(&IdKey::new(*id))
    }

    #[inline]
    pub fn insert(&mut self, id: u64, slot: u32) -> Option<u32> {
        self.map.insert(IdKey::new(id), slot)
    }

    #[inline]
    pub fn remove(&mut self, id: &u64) -> Option<u32> {
        self.map.remove(&IdKey::new(*id))
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// (id, slot) pairs in no particular order (callers sort what reaches an outcome).
    pub fn iter(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.map.iter().map(|(k, &s)| (k.get(), s))
    }

    pub fn keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.map.keys().map(|k| k.get())
    }
}
