//! Hashing for the engine's maps, with no randomness drawn inside the crate.
//!
//! Maps keyed by numbers the engine assigns itself (slots, counters, indices) use a fast
//! multiplicative hash: their keys are sequential, so nobody outside can make them collide.
//! Maps keyed by strings that clients choose (user ids, tickers, client order ids, transfer
//! ids) use a keyed polynomial hash over GF(2^61 - 1) whose key the embedding program
//! injects (`Engine::new`): two distinct keys collide with probability about (limbs + 3) *
//! 2^-61 over the key, so a client who does not know it cannot precompute colliding ids
//! (docs/decisions/0061). No map's iteration order ever reaches an outcome.

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

/// The Mersenne prime 2^61 - 1: the field the keyed hash evaluates its polynomial in.
const P61: u64 = (1 << 61) - 1;
/// Bytes per limb: a 7-byte limb is below 2^56, so it is a field element as it stands.
const LIMB: usize = 7;
/// Limbs per block of the long-key loop (and at most in the last, short part of a key).
const BLOCK_LIMBS: usize = 7;
const BLOCK: usize = LIMB * BLOCK_LIMBS;
const MASK56: u64 = (1 << 56) - 1;

/// The secret of the keyed hash, derived from the two injected keys: the powers
/// `k^0 ..= k^8` of the evaluation point `k` (uniform in `1..p`, from `k0`), and the
/// whitening word `s` (`k1`) added before the final mixer.
#[derive(Clone, Copy, Debug)]
pub struct PolyKey {
    pow: [u64; BLOCK_LIMBS + 2],
    s: u64,
}

impl PolyKey {
    pub fn new(k0: u64, k1: u64) -> PolyKey {
        // k0 >> 3 is below 2^61; modulo p - 1 and plus one it lands in 1..p, all but two
        // of its values with one preimage each (nearly uniform when k0 is).
        let k = (k0 >> 3) % (P61 - 1) + 1;
        let mut pow = [1u64; BLOCK_LIMBS + 2];
        for j in 1..pow.len() {
            pow[j] = ((u128::from(pow[j - 1]) * u128::from(k)) % u128::from(P61)) as u64;
        }
        PolyKey { pow, s: k1 }
    }
}

/// Keyed hashing for maps keyed by client-chosen strings (user ids, tickers, client order
/// ids, transfer ids): a polynomial over GF(2^61 - 1) evaluated at a secret point, in the
/// style of Orson Peters' polymur-hash, then whitened and multiplied by an odd constant
/// (docs/decisions/0061).
///
/// What a key's `Hash` writes is read as a sequence of field elements ("coefficients"):
/// - `write(bytes)` of length n: the bytes as 7-byte little-endian limbs (whole 49-byte
///   blocks of seven limbs while more than 49 bytes remain, then `ceil(r/7)` limbs for the
///   last r bytes, the last limb being the final 7 bytes, overlapping its neighbour when r
///   is no multiple of 7), then the terminator `2n + 1`; but when n <= 14, no separate
///   terminator: the last limb (or, for n = 0, a zero) carries `2^60 + n * 2^56`, so an id
///   or ticker of up to 7 bytes is one coefficient and of up to 14 bytes two;
/// - an integer write `v` of w bytes: if `v < 2^56`, the one terminator
///   `v << 4 | log2(w) << 2 | 2`; otherwise `v mod 2^56` then `(v >> 56) << 4 | log2(w) << 2`.
///
/// Every piece ends in a nonzero terminator that says what came before it (bit 60 set: a
/// short byte string, n in bits 56..60; else odd: bytes, and n says how many limbs;
/// even: an integer of one or two coefficients), so the
/// sequence of writes can be read back from the coefficients from the end: distinct write
/// sequences give distinct coefficient sequences c_1..c_N, and never one that is another
/// with zeros in front. The value is `H = c_1 k^N + c_2 k^(N-1) + ... + c_N k mod p`, so
/// two distinct write sequences of at most N coefficients hash to the same H only if k is
/// a root of a nonzero polynomial of degree at most N: probability at most
/// (N + 2) * 2^-61 over the key (k is uniform in 1..p but for two values of double
/// weight), whatever the two keys are; and H_a - H_b takes any one value with no more
/// probability than that. The output `(h + s) * MIX mod 2^64` (h: H or, when H < 5,
/// possibly H + p) is one-to-one in h, so the bound holds for the 64-bit output, and its
/// low b bits (a table's bucket) agree only if h_a and h_b agree modulo 2^b: probability
/// at most about 2 (N + 2) * 2^-b.
#[derive(Clone, Copy, Debug)]
pub struct KeyedBuild {
    key: PolyKey,
}

impl KeyedBuild {
    /// `k0` picks the evaluation point, `k1` the whitening word; both come from the
    /// embedding program (`Engine::new`), never from inside the crate.
    pub fn new(k0: u64, k1: u64) -> KeyedBuild {
        KeyedBuild { key: PolyKey::new(k0, k1) }
    }
}

impl BuildHasher for KeyedBuild {
    type Hasher = PolyHasher<PolyKey>;

    #[inline]
    fn build_hasher(&self) -> Self::Hasher {
        PolyHasher { key: self.key, acc: 0, pend: 0 }
    }

    /// The maps hash through here: the hasher borrows the key's powers instead of copying
    /// them (the same function as `build_hasher`'s hasher; a test holds them equal).
    #[inline]
    fn hash_one<T: Hash>(&self, x: T) -> u64
    where
        Self: Sized,
        Self::Hasher: Hasher,
    {
        let mut h = PolyHasher { key: &self.key, acc: 0, pend: 0 };
        x.hash(&mut h);
        h.finish()
    }
}

/// The running polynomial `H = acc + pend * k (mod p)`: `pend` is the last coefficient
/// when it came from an integer write, not yet multiplied (a key's first write, a `[u8]`
/// key's length, then costs no multiplication at all); `acc` is below `2p`.
#[derive(Clone, Copy, Debug)]
pub struct PolyHasher<K> {
    key: K,
    acc: u64,
    pend: u64,
}

/// `x mod p` up to one extra p: for `x < 2^124`, a value below `2p`.
#[inline(always)]
fn fold(x: u128) -> u64 {
    let r = (x as u64 & P61) + (x >> 61) as u64; // < 2^61 + 2^63
    (r & P61) + (r >> 61) // <= p - 1 + 4
}

#[inline(always)]
fn mul(a: u64, b: u64) -> u128 {
    u128::from(a) * u128::from(b)
}

/// Little-endian 8 bytes at `at` (the caller guarantees `at + 8 <= b.len()`).
#[inline(always)]
fn word(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("eight bytes"))
}

/// The little-endian value of 0 to 7 bytes, by overlapping loads (no copy, no loop).
#[inline(always)]
fn small(b: &[u8]) -> u64 {
    let r = b.len();
    if r >= 4 {
        let lo = u64::from(u32::from_le_bytes(b[..4].try_into().expect("four bytes")));
        let hi = u64::from(u32::from_le_bytes(b[r - 4..].try_into().expect("four bytes")));
        lo | hi << (8 * (r - 4))
    } else if r > 0 {
        u64::from(b[0]) | u64::from(b[r / 2]) << (8 * (r / 2)) | u64::from(b[r - 1]) << (8 * (r - 1))
    } else {
        0
    }
}

/// The mark of a short byte string's last coefficient (bit 60; n goes in bits 56..60).
const SHORT: u64 = 1 << 60;

/// H after the limbs and terminator of `bytes` (`pow[j]` is k^j), as `acc` (no pending
/// coefficient). Keys of up to 14 bytes (the ids and tickers the maps see most) take the
/// inline paths; longer ones the general one, out of line.
///
/// `H * k^j = acc * k^j + pend * k^(j+1)`. Bounds: acc < 2^62, a limb < 2^56 and a marked
/// last limb < 2^61, so `(acc + limb) * k^j < 2^124 - 2^122`; `pend < 2^60`, so its
/// product is below 2^121, and any other limb's below 2^117: each sum is below 2^124, as
/// `fold` needs.
#[inline(always)]
fn absorb_bytes(key: &PolyKey, acc: u64, pend: u64, bytes: &[u8]) -> u64 {
    let pow = &key.pow;
    let n = bytes.len();
    let mark = SHORT | (n as u64) << 56;
    if n <= LIMB {
        fold(mul(acc + (small(bytes) | mark), pow[1]) + mul(pend, pow[2]))
    } else if n <= 2 * LIMB {
        let first = word(bytes, 0) & MASK56;
        let last = (word(bytes, n - 8) >> 8) | mark;
        fold(mul(acc + first, pow[2]) + mul(last, pow[1]) + mul(pend, pow[3]))
    } else {
        absorb_long(key, fold(u128::from(acc) + mul(pend, pow[1])), bytes)
    }
}

/// `absorb_bytes` for more than 14 bytes from H = `acc`: whole 49-byte blocks while more
/// than 49 bytes remain, then the last 1..=49 bytes as `ceil(r/7)` limbs, the last of
/// them the final 7.
#[inline(never)]
fn absorb_long(key: &PolyKey, mut acc: u64, bytes: &[u8]) -> u64 {
    let pow = &key.pow;
    let term = ((bytes.len() as u64) << 1) | 1;
    let mut rest = bytes;
    while rest.len() > BLOCK {
        let mut x = mul(acc + (word(rest, 0) & MASK56), pow[BLOCK_LIMBS]);
        for j in 1..BLOCK_LIMBS {
            x += mul(word(rest, LIMB * j) & MASK56, pow[BLOCK_LIMBS - j]);
        }
        acc = fold(x);
        rest = &rest[BLOCK..];
    }
    let r = rest.len(); // 1..=49: the caller sent more than 14 bytes, with a terminator
    let x = if r <= LIMB {
        mul(acc + small(rest), pow[2])
    } else {
        let limbs = r.div_ceil(LIMB);
        let mut x = mul(acc + (word(rest, 0) & MASK56), pow[limbs + 1]);
        for j in 1..limbs - 1 {
            x += mul(word(rest, LIMB * j) & MASK56, pow[limbs + 1 - j]);
        }
        x + mul(word(rest, r - 8) >> 8, pow[2])
    };
    fold(x + mul(term, pow[1]))
}

/// `(acc, pend)` after an integer write of `width_log2` (0..=3) bytes: its last
/// coefficient becomes the pending one.
#[inline(always)]
fn absorb_int(key: &PolyKey, acc: u64, pend: u64, v: u64, width_log2: u64) -> (u64, u64) {
    let pow = &key.pow;
    if v < 1 << 56 {
        (fold(mul(acc, pow[1]) + mul(pend, pow[2])), v << 4 | width_log2 << 2 | 2)
    } else {
        let term = (v >> 56) << 4 | width_log2 << 2;
        (fold(mul(acc + (v & MASK56), pow[2]) + mul(pend, pow[3])), term)
    }
}

/// An odd multiplier with its bits spread (2^64 divided by the golden ratio).
const MIX: u64 = 0x9e37_79b9_7f4a_7c15;

/// `mix(h + s)`, where h is H or (only when H < 4) possibly H + p: the value `fold`
/// leaves, not reduced further (that would cost a compare and a move for nothing: the same
/// key always takes the same path to the same h), and `mix` is a xorshift, a
/// multiplication by an odd constant and a xorshift, each one-to-one: two outputs are
/// equal only if their h are, so only if their H are. Why not the multiplication alone:
/// it keeps sums (`(x + d) * M = x * M + d * M`), so all the pairs of sequential ids that
/// differ by the same limb difference land the same distance apart in the table, and
/// for one key in a few dozen the table's buckets and tags coincide several times as
/// often as for random hashing (docs/decisions/0061); the xorshifts break that up.
#[inline(always)]
fn finish_poly(key: &PolyKey, acc: u64, pend: u64) -> u64 {
    let h = if pend == 0 { acc } else { fold(u128::from(acc) + mul(pend, key.pow[1])) };
    let x = h.wrapping_add(key.s);
    let x = (x ^ (x >> 31)).wrapping_mul(MIX);
    x ^ (x >> 32)
}

impl<K: Borrow<PolyKey>> Hasher for PolyHasher<K> {
    #[inline(always)]
    fn write(&mut self, bytes: &[u8]) {
        self.acc = absorb_bytes(self.key.borrow(), self.acc, self.pend, bytes);
        self.pend = 0;
    }
    #[inline(always)]
    fn write_u8(&mut self, i: u8) {
        (self.acc, self.pend) = absorb_int(self.key.borrow(), self.acc, self.pend, u64::from(i), 0);
    }
    #[inline(always)]
    fn write_u16(&mut self, i: u16) {
        (self.acc, self.pend) = absorb_int(self.key.borrow(), self.acc, self.pend, u64::from(i), 1);
    }
    #[inline(always)]
    fn write_u32(&mut self, i: u32) {
        (self.acc, self.pend) = absorb_int(self.key.borrow(), self.acc, self.pend, u64::from(i), 2);
    }
    #[inline(always)]
    fn write_u64(&mut self, i: u64) {
        (self.acc, self.pend) = absorb_int(self.key.borrow(), self.acc, self.pend, i, 3);
    }
    #[inline(always)]
    fn write_usize(&mut self, i: usize) {
        (self.acc, self.pend) = absorb_int(self.key.borrow(), self.acc, self.pend, i as u64, 3);
    }
    #[inline(always)]
    fn finish(&self) -> u64 {
        finish_poly(self.key.borrow(), self.acc, self.pend)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic test generator (splitmix64).
    struct Gen(u64);
    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        fn bytes(&mut self, n: usize) -> Vec<u8> {
            (0..n).map(|_| self.next() as u8).collect()
        }
    }

    #[derive(Clone, Debug, PartialEq)]
    enum Write {
        Bytes(Vec<u8>),
        /// value and width in bytes (1, 2, 4 or 8)
        Int(u64, u32),
    }

    const P: u128 = (1 << 61) - 1;

    /// Little-endian value of up to 7 bytes, one byte at a time.
    fn le(bytes: &[u8]) -> u128 {
        bytes.iter().rev().fold(0u128, |v, &b| v * 256 + u128::from(b))
    }

    /// The coefficient sequence of a sequence of writes, as the definition states it.
    fn coefficients(writes: &[Write]) -> Vec<u128> {
        let mut c = Vec::new();
        for w in writes {
            match w {
                Write::Bytes(b) => {
                    let n = b.len();
                    let mut start = 0;
                    while n - start > 49 {
                        for j in 0..7 {
                            c.push(le(&b[start + 7 * j..start + 7 * j + 7]));
                        }
                        start += 49;
                    }
                    let r = n - start;
                    let limbs = r.div_ceil(7);
                    for j in 0..limbs {
                        let from = if j + 1 == limbs { n.saturating_sub(7).max(start) } else { start + 7 * j };
                        c.push(le(&b[from..(from + 7).min(n)]));
                    }
                    let short = (1u128 << 60) + ((n as u128) << 56);
                    match (n, c.last_mut()) {
                        (0, _) => c.push(short),
                        (1..=14, Some(last)) => *last += short,
                        _ => c.push(2 * n as u128 + 1),
                    }
                }
                Write::Int(v, width) => {
                    let lg = u128::from(width.trailing_zeros());
                    let v = u128::from(*v);
                    if v < 1 << 56 {
                        c.push(v * 16 + lg * 4 + 2);
                    } else {
                        c.push(v % (1 << 56));
                        c.push((v >> 56) * 16 + lg * 4);
                    }
                }
            }
        }
        c
    }

    /// Reads the writes back from the coefficients, from the end (the injectivity argument).
    fn decode(c: &[u128]) -> Option<Vec<Write>> {
        let mut out = Vec::new();
        let mut end = c.len();
        while end > 0 {
            let t = c[end - 1];
            end -= 1;
            if t >> 60 == 1 {
                let n = ((t >> 56) & 15) as usize;
                if n > 14 {
                    return None;
                }
                let mut b = vec![0u8; n];
                let last_from = n.saturating_sub(7);
                for (i, byte) in b[last_from..].iter_mut().enumerate() {
                    *byte = (t >> (8 * i)) as u8;
                }
                if n > 7 {
                    let first = *c[..end].last()?;
                    end -= 1;
                    for (i, byte) in b.iter_mut().enumerate().take(7) {
                        *byte = (first >> (8 * i)) as u8;
                    }
                }
                out.push(Write::Bytes(b));
            } else if t % 2 == 1 {
                let n = ((t - 1) / 2) as usize;
                let blocks = if n > 49 { (n - 1) / 49 } else { 0 };
                let r = n - 49 * blocks;
                let count = 7 * blocks + r.div_ceil(7);
                if count > end {
                    return None;
                }
                let limbs = &c[end - count..end];
                end -= count;
                let mut b = vec![0u8; n];
                let mut put = |from: usize, limb: u128, len: usize| {
                    for i in 0..len {
                        b[from + i] = (limb >> (8 * i)) as u8;
                    }
                };
                for (j, &limb) in limbs.iter().enumerate() {
                    if j < 7 * blocks {
                        put(7 * j, limb, 7);
                    } else if j + 1 == count {
                        let from = n.saturating_sub(7).max(49 * blocks);
                        put(from, limb, n - from);
                    } else {
                        put(7 * j, limb, 7);
                    }
                }
                out.push(Write::Bytes(b));
            } else if t == 0 {
                return None; // no piece ends in a zero
            } else {
                let width = 1u32 << ((t >> 2) & 3);
                if t & 2 != 0 {
                    out.push(Write::Int((t >> 4) as u64, width));
                } else {
                    let lo = *c[..end].last()?;
                    end -= 1;
                    out.push(Write::Int((((t >> 4) << 56) | lo) as u64, width));
                }
            }
        }
        out.reverse();
        Some(out)
    }

    fn pow_mod(mut b: u128, mut e: u64) -> u128 {
        let mut r = 1u128;
        b %= P;
        while e > 0 {
            if e & 1 == 1 {
                r = r * b % P;
            }
            b = b * b % P;
            e >>= 1;
        }
        r
    }

    /// The keyed hash by its definition: each coefficient times its own power of k, summed
    /// modulo p in 128-bit integers (H in 0..p), then whitened and mixed.
    fn reference(k0: u64, k1: u64, writes: &[Write]) -> u64 {
        let k = u128::from(k0 >> 3) % (P - 1) + 1;
        let c = coefficients(writes);
        let n = c.len() as u64;
        let h = c.iter().enumerate().fold(0u128, |h, (i, &ci)| (h + ci % P * pow_mod(k, n - i as u64)) % P);
        let x = ((h + u128::from(k1)) % (1 << 64)) as u64;
        let x = (((u128::from(x ^ (x >> 31))) * 0x9e37_79b9_7f4a_7c15) % (1 << 64)) as u64;
        x ^ (x >> 32)
    }

    /// The output's h (see `finish_poly`): undoes the mixer and the whitening.
    fn unmix(k1: u64, out: u64) -> u64 {
        // The inverse of an odd number modulo 2^64, by Newton's iteration.
        let mut inv: u64 = 1;
        for _ in 0..6 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(MIX.wrapping_mul(inv)));
        }
        assert_eq!(MIX.wrapping_mul(inv), 1);
        let x = out ^ (out >> 32);
        let x = x.wrapping_mul(inv);
        let x = x ^ (x >> 31) ^ (x >> 62);
        x.wrapping_sub(k1)
    }

    /// The fast hash equals the reference's H modulo p, as a representative in `0..p+5`.
    fn same_hash(k0: u64, k1: u64, fast: u64, writes: &[Write]) -> bool {
        let (want, got) = (unmix(k1, reference(k0, k1, writes)), unmix(k1, fast));
        got < (1 << 61) + 4 && u128::from(got) % P == u128::from(want)
    }

    fn drive<H: Hasher>(mut h: H, writes: &[Write]) -> u64 {
        for w in writes {
            match *w {
                Write::Bytes(ref b) => h.write(b),
                Write::Int(v, 1) => h.write_u8(v as u8),
                Write::Int(v, 2) => h.write_u16(v as u16),
                Write::Int(v, 4) => h.write_u32(v as u32),
                Write::Int(v, _) => h.write_u64(v),
            }
        }
        h.finish()
    }

    /// Both ways the maps can hash (borrowed key in `hash_one`, owned in `build_hasher`).
    fn fast(b: &KeyedBuild, writes: &[Write]) -> u64 {
        let owned = drive(b.build_hasher(), writes);
        assert_eq!(drive(PolyHasher { key: &b.key, acc: 0, pend: 0 }, writes), owned);
        owned
    }

    #[test]
    fn matches_the_reference_on_every_length_and_write_shape() {
        let mut g = Gen(7);
        for n in 0..=200usize {
            for _ in 0..4 {
                let (k0, k1) = (g.next(), g.next());
                let b = KeyedBuild::new(k0, k1);
                let bytes = g.bytes(n);
                let big = g.next() | 1 << 63;
                let shapes = [
                    vec![Write::Bytes(bytes.clone())],
                    vec![Write::Int(n as u64, 8), Write::Bytes(bytes.clone())], // [u8], Name
                    vec![Write::Bytes(bytes.clone()), Write::Int(0xff, 1)],      // str
                    vec![Write::Int(g.next() >> 32, 4), Write::Bytes(bytes.clone()), Write::Int(0xff, 1)],
                    vec![Write::Int(big, 8), Write::Bytes(bytes.clone()), Write::Int(g.next() as u16 as u64, 2)],
                    vec![Write::Int(g.next() >> 40, 8), Write::Int(big, 8), Write::Bytes(bytes.clone())],
                ];
                for w in &shapes {
                    assert!(same_hash(k0, k1, fast(&b, w), w), "length {n}, writes {w:?}");
                }
            }
        }
        // Limbs at their largest (all bytes 0xff) and keys at the ends of their range.
        for (k0, k1) in [(0, 0), (u64::MAX, u64::MAX), (8 * ((1 << 61) - 2), 1), (8 * ((1 << 61) - 3), 2)] {
            let b = KeyedBuild::new(k0, k1);
            for n in 0..=200 {
                let w = [Write::Int(u64::MAX, 8), Write::Bytes(vec![0xff; n]), Write::Int(1 << 56, 8)];
                assert!(same_hash(k0, k1, fast(&b, &w), &w), "length {n}");
            }
        }
    }

    /// The maps' key types write what the reference assumes (std's `Hash` for `[u8]`,
    /// `str` and tuples), and a `Name` hashes as its bytes.
    #[test]
    fn key_types_hash_as_their_writes() {
        let (k0, k1) = (0x1234_5678_9abc_def0, 0x0fed_cba9_8765_4321);
        let b = KeyedBuild::new(k0, k1);
        let id = "u00042";
        assert!(same_hash(k0, k1, b.hash_one(id.as_bytes()), &[Write::Int(6, 8), Write::Bytes(id.into())]));
        assert_eq!(b.hash_one(Name(id.into())), b.hash_one(id.as_bytes()));
        let s = String::from("BENCH-EV");
        assert!(same_hash(k0, k1, b.hash_one(&s), &[Write::Bytes(s.clone().into()), Write::Int(0xff, 1)]));
        let client: (u32, Box<str>) = (7, "my-order-1".into());
        let writes = [Write::Int(7, 4), Write::Bytes("my-order-1".into()), Write::Int(0xff, 1)];
        assert!(same_hash(k0, k1, b.hash_one(&client), &writes));
    }

    /// Distinct write sequences have distinct coefficient sequences, read back from the
    /// end: the premise of the collision bound (docs/decisions/0061).
    #[test]
    fn coefficients_determine_the_writes() {
        let mut g = Gen(11);
        for _ in 0..3000 {
            let writes: Vec<Write> = (0..g.next() % 4)
                .map(|_| match g.next() % 3 {
                    0 => {
                        let n = (g.next() % 120) as usize;
                        Write::Bytes(g.bytes(n))
                    }
                    1 => Write::Int(g.next() >> (g.next() % 64), 8),
                    _ => Write::Int((g.next() % 70_000) & 0xffff, 1 << (g.next() % 3)),
                })
                .map(|w| match w {
                    Write::Int(v, 1) => Write::Int(v & 0xff, 1),
                    Write::Int(v, 2) => Write::Int(v & 0xffff, 2),
                    w => w,
                })
                .collect();
            let c = coefficients(&writes);
            assert!(c.iter().all(|&x| x < P));
            assert_eq!(decode(&c), Some(writes.clone()));
            let mut padded = vec![0u128];
            padded.extend_from_slice(&c);
            assert_eq!(decode(&padded), None, "a leading zero is no encoding");
        }
    }

    /// Pairs a careless encoding would collide (lengths, overlapping limbs, integer
    /// widths, empty pieces) hash apart under every key tried.
    #[test]
    fn near_inputs_hash_apart() {
        let b = |n: usize, x: u8| Write::Bytes(vec![x; n]);
        let mut pairs: Vec<(Vec<Write>, Vec<Write>)> = vec![
            (vec![b(0, 0)], vec![b(1, 0)]),
            (vec![b(0, 0)], vec![b(0, 0), b(0, 0)]),
            (vec![], vec![b(0, 0)]),
            (vec![b(8, b'a')], vec![b(9, b'a')]),
            (vec![b(49, 0)], vec![b(50, 0)]),
            (vec![b(98, 7)], vec![b(99, 7)]),
            (vec![Write::Int(5, 1)], vec![Write::Int(5, 8)]),
            (vec![Write::Int(0, 8)], vec![Write::Int(1 << 56, 8)]),
            (vec![Write::Int(3, 8), b(3, 1)], vec![b(3, 1), Write::Int(3, 8)]),
        ];
        for n in [9usize, 13, 20, 48, 60] {
            // Differ in one byte, in every position (the overlap included).
            for at in 0..n {
                let mut other = vec![b'x'; n];
                other[at] = b'y';
                pairs.push((vec![b(n, b'x')], vec![Write::Bytes(other)]));
            }
        }
        let mut g = Gen(3);
        for _ in 0..8 {
            let kb = KeyedBuild::new(g.next(), g.next());
            for (x, y) in &pairs {
                assert_ne!(fast(&kb, x), fast(&kb, y), "{x:?} / {y:?}");
            }
        }
    }

    #[test]
    fn keyed_maps_depend_on_their_keys() {
        let ids: Vec<String> = (0..1000).map(|i| format!("u{i:05}")).collect();
        let hashes = |k0, k1| -> Vec<u64> {
            let b = KeyedBuild::new(k0, k1);
            ids.iter().map(|s| b.hash_one(s.as_bytes())).collect()
        };
        let base = hashes(1, 2);
        for (x, y) in base.iter().zip(hashes(1 << 3 | 1, 2)) {
            assert_ne!(*x, y, "the evaluation point comes from k0");
        }
        for (x, y) in base.iter().zip(hashes(1, 3)) {
            assert_ne!(*x, y, "the whitening word comes from k1");
        }
    }

    /// 100,000 sequential user ids and tickers: no two hash alike, and they spread over a
    /// table's buckets (low bits) and tags (top 7 bits) as random values would (a
    /// Poisson(1.53) bucket load stays below 12 over 2^16 buckets with overwhelming odds).
    #[test]
    fn sequential_ids_neither_collide_nor_cluster() {
        let b = KeyedBuild::new(0x9e37_79b9_7f4a_7c15, 0x2545_f491_4f6c_dd1d);
        for fmt in [|i: u32| format!("u{i:05}"), |i: u32| format!("BENCH-{i:05}"), |i: u32| format!("{i}")] {
            let mut seen = std::collections::HashSet::new();
            let mut buckets = vec![0u32; 1 << 16];
            let mut tags = [0u32; 128];
            for i in 0..100_000 {
                let h = b.hash_one(fmt(i).as_bytes());
                assert!(seen.insert(h), "a collision among sequential ids ({})", fmt(i));
                buckets[(h & 0xffff) as usize] += 1;
                tags[(h >> 57) as usize] += 1;
            }
            assert!(buckets.iter().all(|&c| c < 12), "max bucket {:?}", buckets.iter().max());
            // 781 expected per tag; 5 standard deviations is 140.
            assert!(tags.iter().all(|&c| (641..=921).contains(&c)), "tags {tags:?}");
        }
    }

    /// For every key tried (not only on average), 1,000 sequential user ids meet in a
    /// 2,048-bucket table (within one 16-slot probe group, with equal 7-bit tags) no more
    /// than twice as often as random hashing would: 999,000 ordered pairs * 16/2048 *
    /// 1/128 = 61 expected. A mixer that keeps sums (the multiplication alone) fails this
    /// for some keys: whole families of pairs then meet together.
    #[test]
    fn sequential_ids_cluster_like_random_hashing_for_every_key() {
        let ids: Vec<String> = (0..1000).map(|u| format!("u{u:04}")).collect();
        let mut g = Gen(5);
        for _ in 0..40 {
            let b = KeyedBuild::new(g.next(), g.next());
            let hs: Vec<u64> = ids.iter().map(|s| b.hash_one(s.as_bytes())).collect();
            let mut meet = 0;
            for (i, &x) in hs.iter().enumerate() {
                for (j, &y) in hs.iter().enumerate() {
                    let gap = (y & 2047).wrapping_sub(x & 2047) & 2047;
                    meet += usize::from(i != j && gap < 16 && x >> 57 == y >> 57);
                }
            }
            assert!(meet <= 122, "{meet} meetings");
        }
    }
}

/// An id counter as a hash key of 4-byte alignment: with a 32-bit value beside it a map
/// entry takes 12 bytes instead of 16 (`order_index::OrderIndex` keeps its sparse ids in one).
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

/// A map from id counters to slots, 12 bytes an entry: the overflow of
/// `order_index::OrderIndex` (ids outside its dense pages).
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
