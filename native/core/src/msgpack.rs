//! A minimal MessagePack reader and writer: exactly what the journal's command encoding and
//! the engine's outcome encoding need, with no allocation on the read path.
//!
//! The writer picks the smallest encoding of every integer and string, as msgspec does, so
//! a document written here is byte-identical to msgspec's encoding of the same values (the
//! canonical state digest depends on it). The reader accepts every encoding of a value
//! (msgspec does too) and never panics on malformed input: every read is bounds-checked and
//! nesting is limited (`MAX_DEPTH`).
//!
//! Values are written through `Out` (every value writer, over `store` and a few other
//! primitives) at a write position in room a `Writer` made: a `Cursor` (any size; each
//! store checked) or a `Frame` (a constant size; the compiler proves the stores in bounds).
//! Texts written often are encoded once: labels (`Fixstr`, `Run`) and the names of users
//! and markets (`Name`, kept in their records).

use std::fmt;

/// Deepest nesting a skipped value may have (metadata is free-form, so it is bounded).
pub const MAX_DEPTH: u32 = 64;

/// Why a payload could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub type DResult<T> = Result<T, DecodeError>;

#[cold]
fn err<T>(msg: &str) -> DResult<T> {
    Err(DecodeError(msg.to_string()))
}

/// A cursor over one MessagePack payload.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn at_end(&self) -> bool {
        self.pos == self.buf.len()
    }

    pub fn slice(&self, start: usize, end: usize) -> &'a [u8] {
        &self.buf[start..end]
    }

    fn take(&mut self, n: usize) -> DResult<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        match end {
            Some(end) => {
                let out = &self.buf[self.pos..end];
                self.pos = end;
                Ok(out)
            }
            None => err("input data was truncated"),
        }
    }

    fn byte(&mut self) -> DResult<u8> {
        Ok(self.take(1)?[0])
    }

    pub fn peek(&self) -> DResult<u8> {
        self.buf.get(self.pos).copied().ok_or_else(|| DecodeError("input data was truncated".into()))
    }

    fn be(&mut self, n: usize) -> DResult<u64> {
        let bytes = self.take(n)?;
        Ok(bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    /// Read `nil` if it is next; return whether it was.
    #[inline(always)]
    pub fn nil(&mut self) -> DResult<bool> {
        match self.buf.get(self.pos) {
            Some(0xc0) => {
                self.pos += 1;
                Ok(true)
            }
            Some(_) => Ok(false),
            None => err("input data was truncated"),
        }
    }

    /// Read an array header; return its length (a `fixarray`'s or an `array16`'s inline:
    /// a `PlaceOrder` record has 19 elements).
    #[inline(always)]
    pub fn array(&mut self) -> DResult<usize> {
        let at = self.pos;
        match self.buf.get(at) {
            Some(&b) if b & 0xf0 == 0x90 => {
                self.pos = at + 1;
                return Ok(usize::from(b & 0x0f));
            }
            Some(0xdc) => {
                if let Some(&[hi, lo]) = self.buf.get(at + 1..at + 3) {
                    self.pos = at + 3;
                    return Ok(usize::from(u16::from_be_bytes([hi, lo])));
                }
            }
            _ => {}
        }
        self.array_any()
    }

    #[inline(never)]
    fn array_any(&mut self) -> DResult<usize> {
        let b = self.byte()?;
        match b {
            0x90..=0x9f => Ok(usize::from(b & 0x0f)),
            0xdc => Ok(self.be(2)? as usize),
            0xdd => Ok(self.be(4)? as usize),
            _ => err("expected `array`"),
        }
    }

    /// Read a map header; return its number of pairs.
    pub fn map(&mut self) -> DResult<usize> {
        let b = self.byte()?;
        match b {
            0x80..=0x8f => Ok(usize::from(b & 0x0f)),
            0xde => Ok(self.be(2)? as usize),
            0xdf => Ok(self.be(4)? as usize),
            _ => err("expected `object`"),
        }
    }

    /// Step over `bytes` if they come next (whole, compared as one fixed-size array);
    /// return whether they did.
    #[inline(always)]
    pub fn skip_exactly<const N: usize>(&mut self, bytes: &[u8; N]) -> bool {
        let at = self.pos;
        match self.buf.get(at..at + N).map(<&[u8; N]>::try_from) {
            Some(Ok(next)) if next == bytes => {
                self.pos = at + N;
                true
            }
            _ => false,
        }
    }

    /// Read a string (UTF-8 checked).
    #[inline]
    pub fn str(&mut self) -> DResult<&'a str> {
        let bytes = self.str_bytes()?;
        std::str::from_utf8(bytes).map_err(|_| DecodeError("invalid utf-8 string".into()))
    }

    /// Read a string's bytes without checking them (for matching against known texts,
    /// which are valid UTF-8 themselves; `str` checks). A `fixstr` (every literal) or a
    /// `str8` (a long id) is read inline; anything else, or a truncated one, by the general
    /// reader from the same position (so every error is the general reader's).
    #[inline(always)]
    pub fn str_bytes(&mut self) -> DResult<&'a [u8]> {
        let at = self.pos;
        let (start, n) = match self.buf.get(at) {
            Some(&b) if b & 0xe0 == 0xa0 => (at + 1, usize::from(b & 0x1f)),
            Some(0xd9) => match self.buf.get(at + 1) {
                Some(&n) => (at + 2, usize::from(n)),
                None => return self.str_bytes_any(),
            },
            _ => return self.str_bytes_any(),
        };
        match self.buf.get(start..start + n) {
            Some(bytes) => {
                self.pos = start + n;
                Ok(bytes)
            }
            None => self.str_bytes_any(),
        }
    }

    #[inline(never)]
    fn str_bytes_any(&mut self) -> DResult<&'a [u8]> {
        let b = self.byte()?;
        let n = match b {
            0xa0..=0xbf => usize::from(b & 0x1f),
            0xd9 => self.be(1)? as usize,
            0xda => self.be(2)? as usize,
            0xdb => self.be(4)? as usize,
            _ => return err("expected `str`"),
        };
        self.take(n)
    }

    /// Read a boolean.
    #[inline(always)]
    pub fn bool(&mut self) -> DResult<bool> {
        match self.buf.get(self.pos) {
            Some(0xc2) => {
                self.pos += 1;
                Ok(false)
            }
            Some(0xc3) => {
                self.pos += 1;
                Ok(true)
            }
            Some(_) => err("expected `bool`"),
            None => err("input data was truncated"),
        }
    }

    /// Read an integer (msgspec accepts any integer encoding). A `uint64` above `i64::MAX`
    /// saturates to `i64::MAX`: every command field that can hold one is bounded far below
    /// that by the domain check, which then refuses it exactly as the Python engine does
    /// (`OUT_OF_DOMAIN`, whose message names the bound, not the value). A positive fixint
    /// or a `uint16` is read inline, the rest by the general reader from the same position.
    #[inline(always)]
    pub fn int(&mut self) -> DResult<i64> {
        let at = self.pos;
        match self.buf.get(at) {
            Some(&b) if b < 0x80 => {
                self.pos = at + 1;
                return Ok(i64::from(b));
            }
            Some(0xcd) => {
                if let Some(&[hi, lo]) = self.buf.get(at + 1..at + 3) {
                    self.pos = at + 3;
                    return Ok(i64::from(u16::from_be_bytes([hi, lo])));
                }
            }
            _ => {}
        }
        self.int_any()
    }

    #[inline(never)]
    fn int_any(&mut self) -> DResult<i64> {
        let b = self.byte()?;
        match b {
            0x00..=0x7f => Ok(i64::from(b)),
            0xe0..=0xff => Ok(i64::from(b as i8)),
            0xcc => Ok(self.be(1)? as i64),
            0xcd => Ok(self.be(2)? as i64),
            0xce => Ok(self.be(4)? as i64),
            0xcf => Ok(i64::try_from(self.be(8)?).unwrap_or(i64::MAX)),
            0xd0 => Ok(i64::from(self.be(1)? as u8 as i8)),
            0xd1 => Ok(i64::from(self.be(2)? as u16 as i16)),
            0xd2 => Ok(i64::from(self.be(4)? as u32 as i32)),
            0xd3 => Ok(self.be(8)? as i64),
            _ => err("expected `int`"),
        }
    }

    /// Skip one complete value of any type.
    pub fn skip(&mut self, depth: u32) -> DResult<()> {
        if depth > MAX_DEPTH {
            return err("value nested too deeply");
        }
        let b = self.byte()?;
        let (fixed, items): (usize, usize) = match b {
            0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => (0, 0),
            0x80..=0x8f => (0, 2 * usize::from(b & 0x0f)),
            0x90..=0x9f => (0, usize::from(b & 0x0f)),
            0xa0..=0xbf => (usize::from(b & 0x1f), 0),
            0xc4 | 0xd9 => (self.be(1)? as usize, 0),
            0xc5 | 0xda => (self.be(2)? as usize, 0),
            0xc6 | 0xdb => (self.be(4)? as usize, 0),
            0xc7 => (self.be(1)? as usize + 1, 0),
            0xc8 => (self.be(2)? as usize + 1, 0),
            0xc9 => (self.be(4)? as usize + 1, 0),
            0xca => (4, 0),
            0xcb => (8, 0),
            0xcc | 0xd0 => (1, 0),
            0xcd | 0xd1 => (2, 0),
            0xce | 0xd2 => (4, 0),
            0xcf | 0xd3 => (8, 0),
            0xd4 => (2, 0),
            0xd5 => (3, 0),
            0xd6 => (5, 0),
            0xd7 => (9, 0),
            0xd8 => (17, 0),
            0xdc => (0, self.be(2)? as usize),
            0xdd => (0, self.be(4)? as usize),
            0xde => (0, 2 * self.be(2)? as usize),
            0xdf => (0, 2 * self.be(4)? as usize),
            _ => return err("invalid msgpack type byte"), // 0xc1 is never used
        };
        self.take(fixed)?;
        // Each item takes at least one byte: a count beyond the input is malformed, and
        // checking it first keeps a hostile header from spinning the loop.
        if items > self.buf.len() - self.pos {
            return err("input data was truncated");
        }
        for _ in 0..items {
            self.skip(depth + 1)?;
        }
        Ok(())
    }

    /// Skip a value, returning its raw bytes.
    pub fn raw(&mut self) -> DResult<&'a [u8]> {
        let start = self.pos;
        self.skip(0)?;
        Ok(&self.buf[start..self.pos])
    }
}

/// An append-only MessagePack writer using the smallest encoding of every value.
///
/// Built for the outcome encoder's hot path without `unsafe`: the buffer keeps room ahead of
/// the write position (`buf.len()` is the room, `pos` the end of the document), so
/// a value is stored with fixed-size copies the compiler turns into a few moves (an integer
/// always stores its nine-byte worst case and advances by its real length; later values
/// overwrite the slack, whatever it holds; nothing reads past `pos`). The room grows by
/// doubling, rarely.
/// Copy `src` (under 32 bytes) into `dst` of the same length with fixed-size moves: two
/// overlapping windows of 16, 8 or 4 bytes, or three single bytes (the windows overlap, so
/// every byte is written, some twice with the same value).
#[inline(always)]
fn copy_short(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    debug_assert!(n == dst.len() && n < 32);
    if n >= 16 {
        dst[..16].copy_from_slice(&src[..16]);
        dst[n - 16..n].copy_from_slice(&src[n - 16..n]);
    } else if n >= 8 {
        dst[..8].copy_from_slice(&src[..8]);
        dst[n - 8..n].copy_from_slice(&src[n - 8..n]);
    } else if n >= 4 {
        dst[..4].copy_from_slice(&src[..4]);
        dst[n - 4..n].copy_from_slice(&src[n - 4..n]);
    } else if n > 0 {
        dst[0] = src[0];
        dst[n / 2] = src[n / 2];
        dst[n - 1] = src[n - 1];
    }
}

#[derive(Default)]
pub struct Writer {
    buf: Vec<u8>,
    pos: usize,
}

impl Writer {
    pub fn new() -> Self {
        Writer::with_capacity(256)
    }

    pub fn with_capacity(n: usize) -> Self {
        Writer { buf: vec![0; n.max(16)], pos: 0 }
    }

    /// The document written so far.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.pos]
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.pos
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.pos == 0
    }

    /// Start a new document in the same room (what was written is left as slack).
    pub fn clear(&mut self) {
        self.pos = 0;
    }

    /// Write a new document in room kept from an earlier one (its bytes are slack: nothing
    /// reads past the write position). Reusing room avoids touching fresh pages.
    pub fn from_room(mut room: Vec<u8>) -> Self {
        if room.len() < 16 {
            room.resize(16, 0);
        }
        Writer { buf: room, pos: 0 }
    }

    /// The room and the length of the document at its start, without a copy or a
    /// truncation (the room can be written again through `from_room`).
    pub fn into_room(self) -> (Vec<u8>, usize) {
        (self.buf, self.pos)
    }

    pub fn into_bytes(mut self) -> Vec<u8> {
        self.buf.truncate(self.pos);
        self.buf
    }

    /// Make room for `n` more bytes.
    #[inline(always)]
    fn room(&mut self, n: usize) {
        if self.pos + n > self.buf.len() {
            self.grow(n);
        }
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self, n: usize) {
        let want = (self.pos + n).max(2 * self.buf.len());
        self.buf.resize(want, 0);
    }

    /// Write one value (or several) of at most `max` bytes through a `Cursor`, after one
    /// room check. Writing more than `max` bytes panics (a bounds check), never corrupts.
    #[inline(always)]
    pub fn bounded<R>(&mut self, max: usize, f: impl FnOnce(&mut Cursor<'_>) -> R) -> R {
        self.room(max);
        let end = self.pos + max;
        let mut c = Cursor { rest: &mut self.buf[self.pos..end] };
        let out = f(&mut c);
        // What the cursor did not write of the room it was given.
        self.pos = end - c.rest.len();
        out
    }

    /// Write one value (or several) of at most `N` bytes (a constant) through a `Frame`,
    /// after one room check: see `Frame`.
    #[inline(always)]
    pub fn framed<const N: usize, R>(&mut self, f: impl FnOnce(&mut Frame<'_, N>) -> R) -> R {
        self.room(N);
        // The slice's end is the room check's sum (`room`), so the compiler can merge them.
        let pos = self.pos;
        let buf: &mut [u8; N] = (&mut self.buf[pos..pos + N]).try_into().expect("room was made");
        let mut fr = Frame { buf, pos: 0 };
        let out = f(&mut fr);
        self.pos += fr.pos;
        out
    }

    /// Store a fixed-size run of bytes.
    #[inline(always)]
    pub fn put_array<const N: usize>(&mut self, bytes: &[u8; N]) {
        self.bounded(N, |c| c.put_array(bytes));
    }

    /// Append already-encoded bytes.
    #[inline]
    pub fn raw(&mut self, data: &[u8]) {
        self.bounded(data.len(), |c| c.raw(data));
    }

    #[inline]
    pub fn nil(&mut self) {
        self.bounded(1, |c| c.nil());
    }

    #[inline]
    pub fn bool(&mut self, v: bool) {
        self.bounded(1, |c| c.bool(v));
    }

    /// Write an integer in its smallest encoding (msgspec's choice byte for byte).
    #[inline(always)]
    pub fn int(&mut self, v: i64) {
        self.bounded(INT_MAX, |c| c.int(v));
    }

    /// Write an integer held in 128 bits (clamped to 64 bits, see `Cursor::int128`).
    #[inline(always)]
    pub fn int128(&mut self, v: i128) {
        self.bounded(INT_MAX, |c| c.int128(v));
    }

    #[inline(always)]
    pub fn opt_int(&mut self, v: Option<i64>) {
        self.bounded(INT_MAX, |c| c.opt_int(v));
    }

    #[inline(always)]
    pub fn str_header(&mut self, n: usize) {
        self.bounded(HEADER_MAX, |c| c.str_header(n));
    }

    /// Write a string (see `Cursor::str`).
    #[inline(always)]
    pub fn str(&mut self, s: &str) {
        self.bounded(str_max(s), |c| c.str(s));
    }

    pub fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.nil(),
        }
    }

    pub fn bin(&mut self, data: &[u8]) {
        self.bounded(HEADER_MAX + data.len(), |c| c.bin(data));
    }

    #[inline]
    pub fn array(&mut self, n: usize) {
        self.bounded(HEADER_MAX, |c| c.array(n));
    }

    #[inline]
    pub fn map(&mut self, n: usize) {
        self.bounded(HEADER_MAX, |c| c.map(n));
    }

    /// Reserve a 5-byte array32 header, to be filled by `fill_array`.
    pub fn array_placeholder(&mut self) -> usize {
        let at = self.pos;
        self.put_array(&[0xdd, 0, 0, 0, 0]);
        at
    }

    pub fn fill_array(&mut self, at: usize, n: usize) {
        self.buf[at + 1..at + 5].copy_from_slice(&(n as u32).to_be_bytes());
    }
}


/// The most bytes an integer takes (a type byte and eight).
pub const INT_MAX: usize = 9;
/// The room a `Fixstr` is written with (its whole window).
pub const FIXSTR_ROOM: usize = 24;

/// A short fixed text (a label: a side, a status, a time in force) encoded once, as a
/// MessagePack fixstr (header and bytes), in a window of `FIXSTR_ROOM` bytes: writing it is
/// one bounds check and a fixed-size copy of the window (the tail past `len` is slack that
/// what follows overwrites), not a length test and a copy sized at run time.
pub struct Fixstr {
    bytes: [u8; FIXSTR_ROOM],
    len: u8,
}

impl Fixstr {
    /// `s` must be shorter than the window (a compile-time error where it is a constant).
    pub const fn new(s: &str) -> Fixstr {
        let b = s.as_bytes();
        assert!(b.len() < FIXSTR_ROOM);
        let mut bytes = [0u8; FIXSTR_ROOM];
        bytes[0] = 0xa0 | b.len() as u8;
        let mut i = 0;
        while i < b.len() {
            bytes[1 + i] = b[i];
            i += 1;
        }
        Fixstr { bytes, len: 1 + b.len() as u8 }
    }

    /// The encoded string (header and text).
    pub fn encoded(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// Short labels that always travel together (adjacent fields), each encoded as a fixstr,
/// back to back in a window of `W` bytes: written as one fixed-size copy (`Out::run`).
/// Aligned to 16 bytes so a table of runs has a stride of a multiple of 16 (48 for a
/// 40-byte window, 32 for a 16-byte one): an entry's address is the index scaled by a shift
/// or two, where the packed stride (41, 17) cost a multiplication per index bit.
#[repr(align(16))]
pub struct Run<const W: usize> {
    bytes: [u8; W],
    len: u8,
}

impl<const W: usize> Run<W> {
    /// The labels' encodings in order; together they must be shorter than the window and
    /// each under 32 bytes (a compile-time error where they are constants).
    pub const fn new(labels: &[&str]) -> Run<W> {
        let mut bytes = [0u8; W];
        let mut at = 0;
        let mut k = 0;
        while k < labels.len() {
            let b = labels[k].as_bytes();
            assert!(b.len() < 32 && at + 1 + b.len() < W && W < 256);
            bytes[at] = 0xa0 | b.len() as u8;
            let mut i = 0;
            while i < b.len() {
                bytes[at + 1 + i] = b[i];
                i += 1;
            }
            at += 1 + b.len();
            k += 1;
        }
        Run { bytes, len: at as u8 }
    }

    /// The encoded labels.
    pub fn encoded(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// The room a `Name` is written with (its whole window, when it fits one).
pub const NAME_WINDOW: usize = 32;

/// A name that events repeat (a user id, a ticker), encoded once as a MessagePack string
/// (header and text) when its record is made. Writing it is a fixed-size copy of its
/// window (`NAME_WINDOW` bytes: the tail past `len` is slack that what follows
/// overwrites), not a length test, a header and a copy sized at run time. A name longer
/// than the window (over 31 bytes of text: rare) is written from `long`.
#[derive(Clone)]
pub struct Name {
    window: [u8; NAME_WINDOW],
    /// The whole encoding when it is longer than the window (empty otherwise).
    long: Box<[u8]>,
    /// The encoding's length.
    len: u32,
}

impl Name {
    pub fn new(s: &str) -> Name {
        let mut w = Writer::with_capacity(HEADER_MAX + s.len());
        w.str(s);
        let bytes = w.into_bytes();
        let mut window = [0u8; NAME_WINDOW];
        let long: Box<[u8]> = if bytes.len() <= NAME_WINDOW {
            window[..bytes.len()].copy_from_slice(&bytes);
            Box::default()
        } else {
            bytes.clone().into_boxed_slice()
        };
        Name { window, long, len: bytes.len() as u32 }
    }

    /// The encoded string (header and text).
    pub fn encoded(&self) -> &[u8] {
        let n = self.len as usize;
        if n <= NAME_WINDOW {
            &self.window[..n]
        } else {
            &self.long
        }
    }

    /// Whether it fits its window (as a `Frame` writes it).
    #[inline(always)]
    pub fn fits(&self) -> bool {
        self.len as usize <= NAME_WINDOW
    }

    /// The room writing it takes (at least the window).
    #[inline(always)]
    pub fn room(&self) -> usize {
        (self.len as usize).max(NAME_WINDOW)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Name({:?})", self.encoded())
    }
}

/// The most bytes a string, binary, array or map header takes.
pub const HEADER_MAX: usize = 5;

/// The most bytes `s` takes written as a string.
#[inline(always)]
pub fn str_max(s: &str) -> usize {
    HEADER_MAX + s.len()
}

/// A write position inside room a `Writer` has already made (`Writer::bounded`), for the
/// value writers (`Out`), with the room's address and length in registers. Through
/// the `Writer` itself they were reloaded from memory after every byte stored (a store
/// through the buffer might, for all the compiler knows, change the `Writer`'s own fields),
/// and every field paid a room check; an event written through one cursor pays one check.
/// Every store is still bounds-checked against the room made: writing past it panics.
///
/// The cursor holds the room not yet written (`rest`), not the whole buffer and a position:
/// a store of `n` bytes is one test (`n <= rest.len()`) where `buf[pos..pos + n]` was two
/// (the sum's overflow, then the end), and advancing past bytes just stored needs no test
/// the compiler cannot drop (it knows they fit). The writer's position after the cursor is
/// the room's end less what is left of it.
pub struct Cursor<'a> {
    rest: &'a mut [u8],
}

impl Cursor<'_> {
    /// Step past `n` bytes of the room (already stored).
    #[inline(always)]
    fn advance(&mut self, n: usize) {
        let rest = std::mem::take(&mut self.rest);
        self.rest = &mut rest[n..];
    }
}

impl Out for Cursor<'_> {
    #[inline(always)]
    fn store<const K: usize>(&mut self, bytes: &[u8; K], keep: usize) {
        self.rest[..K].copy_from_slice(bytes);
        self.advance(keep);
    }

    #[inline(always)]
    fn raw(&mut self, data: &[u8]) {
        self.rest[..data.len()].copy_from_slice(data);
        self.advance(data.len());
    }

    #[inline(always)]
    fn short_str(&mut self, b: &[u8]) {
        let n = b.len();
        debug_assert!(n < 32);
        // One bounds check for the header and the text together.
        let dst = &mut self.rest[..1 + n];
        dst[0] = 0xa0 | n as u8;
        copy_short(&mut dst[1..], b);
        self.advance(1 + n);
    }

    /// Write a pre-encoded name (needs `name.room()` bytes of room).
    #[inline(always)]
    fn name(&mut self, name: &Name) {
        let n = name.len as usize;
        if n <= NAME_WINDOW {
            self.store(&name.window, n);
        } else {
            // Inline, not a cold call taking the cursor's address (which would keep the
            // cursor in memory through the whole event writer).
            self.raw(&name.long);
        }
    }
}

/// A write position in a fixed-size room (`Writer::framed`): an event whose strings are
/// within known caps (names that fit their window, other strings of at most `STR_CAP`
/// bytes) has a constant most size, `N`. Every store is at `pos` into an array of `N`
/// bytes, and each value advances `pos` by an amount of known range, so the compiler
/// proves every store of the event in bounds and drops the per-field check a `Cursor`
/// pays (and advancing is one add). The store is still checked wherever it cannot prove
/// it (never out of bounds, whatever `N`); a string past its cap panics (the caller
/// chooses a frame only when they are within them, `fits`).
pub struct Frame<'a, const N: usize> {
    buf: &'a mut [u8; N],
    pos: usize,
}

/// The longest string (other than a `Name`) a `Frame` writes, and the room it takes.
pub const STR_CAP: usize = 64;
pub const STR_ROOM: usize = 2 + STR_CAP;

/// Whether `s` is a string a `Frame` writes.
#[inline(always)]
pub fn fits(s: &str) -> bool {
    s.len() <= STR_CAP
}

#[cold]
#[inline(never)]
fn past_cap() -> ! {
    panic!("a string past a frame's cap (the caller checks `fits`)")
}

impl<const N: usize> Out for Frame<'_, N> {
    #[inline(always)]
    fn store<const K: usize>(&mut self, bytes: &[u8; K], keep: usize) {
        self.buf[self.pos..self.pos + K].copy_from_slice(bytes);
        // `min` states the range for the compiler (the caller keeps at most `K`).
        self.pos += keep.min(K);
    }

    /// Any length (checked at run time; no frame writer's hot path uses it).
    #[inline(always)]
    fn raw(&mut self, data: &[u8]) {
        self.buf[self.pos..self.pos + data.len()].copy_from_slice(data);
        self.pos += data.len();
    }

    #[inline(always)]
    fn short_str(&mut self, b: &[u8]) {
        let n = b.len();
        if n >= 32 {
            past_cap();
        }
        let dst = &mut self.buf[self.pos..self.pos + 1 + n];
        dst[0] = 0xa0 | n as u8;
        copy_short(&mut dst[1..], b);
        self.pos += 1 + n;
    }

    #[inline(always)]
    fn name(&mut self, name: &Name) {
        let n = name.len as usize;
        if n > NAME_WINDOW {
            past_cap();
        }
        self.store(&name.window, n);
    }

    /// A string of at most `STR_CAP` bytes: under 32 as `short_str`, else a str8 header
    /// and the text in two overlapping 32-byte copies.
    #[inline(always)]
    fn str(&mut self, s: &str) {
        let b = s.as_bytes();
        let n = b.len();
        if n < 32 {
            self.short_str(b);
            return;
        }
        if n > STR_CAP {
            past_cap();
        }
        let dst = &mut self.buf[self.pos..self.pos + 2 + n];
        dst[0] = 0xd9;
        dst[1] = n as u8;
        dst[2..34].copy_from_slice(&b[..32]);
        dst[2 + n - 32..2 + n].copy_from_slice(&b[n - 32..]);
        self.pos += 2 + n;
    }
}

/// The value writers over a write position: a `Cursor` (room checked per store) or a
/// `Frame` (room proved at compile time). Each writes msgspec's bytes for its value; the
/// stores are the implementor's (`store`, `raw`, `short_str`, `name`).
pub trait Out {
    /// Store `K` bytes and step past the first `keep` (at most `K`): the rest is slack
    /// that what follows overwrites.
    fn store<const K: usize>(&mut self, bytes: &[u8; K], keep: usize);

    /// Append already-encoded bytes.
    fn raw(&mut self, data: &[u8]);

    /// A string under 32 bytes (a fixstr), header and text.
    fn short_str(&mut self, b: &[u8]);

    /// A pre-encoded name.
    fn name(&mut self, name: &Name);

    #[inline(always)]
    fn put(&mut self, b: u8) {
        self.store(&[b], 1);
    }

    /// Store a fixed-size run of bytes.
    #[inline(always)]
    fn put_array<const K: usize>(&mut self, bytes: &[u8; K]) {
        self.store(bytes, K);
    }

    /// Store a fixed-size run of bytes and keep its first `n` (the rest is slack that what
    /// follows overwrites).
    #[inline(always)]
    fn put_part<const K: usize>(&mut self, bytes: &[u8; K], n: usize) {
        self.store(bytes, n.min(K));
    }

    /// Write a pre-encoded label (needs `FIXSTR_ROOM` bytes of room, whatever its length).
    #[inline(always)]
    fn fixstr(&mut self, f: &Fixstr) {
        self.store(&f.bytes, usize::from(f.len));
    }

    /// Write a run of pre-encoded labels (needs `W` bytes of room, whatever its length).
    #[inline(always)]
    fn run<const W: usize>(&mut self, r: &Run<W>) {
        self.store(&r.bytes, usize::from(r.len));
    }

    #[inline(always)]
    fn nil(&mut self) {
        self.put(0xc0);
    }

    #[inline(always)]
    fn bool(&mut self, v: bool) {
        self.put(if v { 0xc3 } else { 0xc2 });
    }

    /// Write an integer in its smallest encoding (msgspec's choice byte for byte).
    ///
    /// Each form is its own store of constant shape (the tag and the value's low bytes,
    /// big-endian), so a form costs its compares and a store: one shared store of a length
    /// chosen at run time paid a variable shift and the choice of tag and length besides.
    #[inline(always)]
    fn int(&mut self, v: i64) {
        if (0..128).contains(&v) {
            self.put(v as u8);
        } else if v >= 0 {
            self.uint(v as u64);
        } else if v >= -32 {
            self.put(v as i8 as u8);
        } else if v >= -128 {
            self.put_array(&[0xd0, v as u8]);
        } else if v >= -32768 {
            let b = (v as i16).to_be_bytes();
            self.put_array(&[0xd1, b[0], b[1]]);
        } else if v >= -(1i64 << 31) {
            let b = (v as i32).to_be_bytes();
            self.put_array(&[0xd2, b[0], b[1], b[2], b[3]]);
        } else {
            self.int_word(0xd3, v);
        }
    }

    /// Write a non-negative integer of at most `i64::MAX` (`int`'s forms for it).
    #[inline(always)]
    fn uint(&mut self, v: u64) {
        if v < 0x80 {
            self.put(v as u8);
        } else if v <= 0xff {
            self.put_array(&[0xcc, v as u8]);
        } else if v <= 0xffff {
            let b = (v as u16).to_be_bytes();
            self.put_array(&[0xcd, b[0], b[1]]);
        } else if v <= 0xffff_ffff {
            let b = (v as u32).to_be_bytes();
            self.put_array(&[0xce, b[0], b[1], b[2], b[3]]);
        } else {
            self.int_word(0xcf, v as i64);
        }
    }

    /// A tag and the eight bytes of `v`.
    #[inline(always)]
    fn int_word(&mut self, tag: u8, v: i64) {
        let mut out = [tag, 0, 0, 0, 0, 0, 0, 0, 0];
        out[1..].copy_from_slice(&v.to_be_bytes());
        self.put_array(&out);
    }

    /// Write an integer that is usually a uint16 above 255 (a price in centi-cents, 1¢ to
    /// 99¢, is 100 to 9,900; most counts in centi-contracts are as well): that case is
    /// tested first (one compare) and written as its three bytes, the rest is `int`. The
    /// same bytes as `int` for every value.
    #[inline(always)]
    fn int16(&mut self, v: i64) {
        if (0x100..=0xffff).contains(&v) {
            let b = (v as u16).to_be_bytes();
            self.put_array(&[0xcd, b[0], b[1]]);
        } else {
            self.int(v);
        }
    }

    /// Write an integer that is usually above 32 bits (a time in nanoseconds since 1970 is,
    /// after its first four seconds): that case is tested first, the rest is `int`. The same
    /// bytes as `int` for every value.
    #[inline(always)]
    fn time(&mut self, v: i64) {
        if v > 0xffff_ffff {
            let mut out = [0xcf, 0, 0, 0, 0, 0, 0, 0, 0];
            out[1..].copy_from_slice(&v.to_be_bytes());
            self.store(&out, 9);
        } else {
            self.int(v);
        }
    }

    /// Write an integer held in 128 bits; values beyond 64 bits cannot occur in a sound
    /// state and are clamped (the auditor reports the state long before).
    #[inline(always)]
    fn int128(&mut self, v: i128) {
        let lo = v as i64;
        let hi = (v >> 64) as i64;
        // The usual value (a fee, a cost, a position, a balance): non-negative within 63
        // bits. A high word of zero and a positive fixint (most fees and costs) is two
        // compares; any other non-negative low word goes to the non-negative forms only.
        if hi == 0 {
            if (lo as u64) < 0x80 {
                self.put(lo as u8);
                return;
            }
            if lo >= 0 {
                self.uint(lo as u64);
                return;
            }
        }
        // Fits 64 bits when the high word is the low word's sign.
        if hi == lo >> 63 {
            self.int(lo);
            return;
        }
        match i64::try_from(v) {
            Ok(v) => self.int(v),
            Err(_) if v > 0 => {
                let mut out = [0xcf, 0, 0, 0, 0, 0, 0, 0, 0];
                out[1..].copy_from_slice(&(v.min(i128::from(u64::MAX)) as u64).to_be_bytes());
                self.store(&out, 9);
            }
            Err(_) => self.int(i64::MIN),
        }
    }

    #[inline(always)]
    fn opt_int(&mut self, v: Option<i64>) {
        match v {
            Some(v) => self.int(v),
            None => self.nil(),
        }
    }

    #[inline(always)]
    fn str_header(&mut self, n: usize) {
        if n < 32 {
            self.put(0xa0 | n as u8);
        } else if n <= 0xff {
            self.put_array(&[0xd9, n as u8]);
        } else if n <= 0xffff {
            let b = (n as u16).to_be_bytes();
            self.put_array(&[0xda, b[0], b[1]]);
        } else {
            let b = (n as u32).to_be_bytes();
            self.put_array(&[0xdb, b[0], b[1], b[2], b[3]]);
        }
    }

    /// Write a string. A short one (a fixstr: under 32 bytes, as user ids, tickers and every
    /// label are) is copied in at most two fixed-size overlapping moves, instead of a call to
    /// `memcpy` for a handful of bytes (a command writes about twenty).
    #[inline(always)]
    fn str(&mut self, s: &str) {
        let b = s.as_bytes();
        let n = b.len();
        if n < 32 {
            self.short_str(b);
            return;
        }
        self.str_header(n);
        self.raw(b);
    }

    #[inline(always)]
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.nil(),
        }
    }

    fn bin(&mut self, data: &[u8]) {
        let n = data.len();
        if n <= 0xff {
            self.put_array(&[0xc4, n as u8]);
        } else if n <= 0xffff {
            let b = (n as u16).to_be_bytes();
            self.put_array(&[0xc5, b[0], b[1]]);
        } else {
            let b = (n as u32).to_be_bytes();
            self.put_array(&[0xc6, b[0], b[1], b[2], b[3]]);
        }
        self.raw(data);
    }

    #[inline(always)]
    fn array(&mut self, n: usize) {
        self.container(0x90, 0xdc, n);
    }

    #[inline(always)]
    fn map(&mut self, n: usize) {
        self.container(0x80, 0xde, n);
    }

    #[inline(always)]
    fn container(&mut self, fix: u8, tag16: u8, n: usize) {
        if n < 16 {
            self.put(fix | n as u8);
        } else if n <= 0xffff {
            let b = (n as u16).to_be_bytes();
            self.put_array(&[tag16, b[0], b[1]]);
        } else {
            let b = (n as u32).to_be_bytes();
            self.put_array(&[tag16 + 1, b[0], b[1], b[2], b[3]]);
        }
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_of_every_short_length_are_copied_whole() {
        // Each length from 0 to 40 (both sides of the fixstr/str8 edge at 32), distinct bytes,
        // written after an odd offset into a writer that must grow: the expected bytes are the
        // MessagePack rule written out by hand (0xa0|n, or 0xd9 n, then the text).
        let text: String = (0..40u8).map(|i| char::from(b'A' + i)).collect();
        let mut w = Writer::with_capacity(1);
        w.nil();
        let mut want = vec![0xc0u8];
        for n in 0..=40 {
            w.str(&text[..n]);
            if n < 32 {
                want.push(0xa0 | n as u8);
            } else {
                want.extend([0xd9, n as u8]);
            }
            want.extend_from_slice(&text.as_bytes()[..n]);
        }
        assert_eq!(w.as_bytes(), &want[..]);
    }

    #[test]
    fn a_document_written_in_kept_room_is_the_same_document() {
        // A long document, then a short one in the same room: the second reads back alone
        // (the first one's bytes past it are slack) and equals a fresh writer's bytes.
        let mut w = Writer::with_capacity(1);
        w.array(3);
        w.str(&"y".repeat(300));
        w.int(-70000);
        w.nil();
        let (room, len) = w.into_room();
        assert!(room.len() >= len && len == 3 + 300 + 1 + 5 + 1);
        let mut w = Writer::from_room(room);
        w.array(2);
        w.str("ab");
        w.bool(true);
        let (room, len) = w.into_room();
        assert_eq!(&room[..len], &[0x92, 0xa2, b'a', b'b', 0xc3]);
        let mut tiny = Writer::from_room(Vec::new());
        tiny.int(1 << 40);
        assert_eq!(tiny.as_bytes(), &[0xcf, 0, 0, 1, 0, 0, 0, 0, 0]);
    }

    /// The MessagePack rule for an integer's smallest encoding, written out as the spec
    /// reads (the first format, in this order, whose range holds the value).
    fn spec_int(v: i64) -> Vec<u8> {
        let be = v.to_be_bytes();
        if (0..=0x7f).contains(&v) || (-32..0).contains(&v) {
            vec![v as u8]
        } else if v > 0 && v <= 0xff {
            vec![0xcc, v as u8]
        } else if v > 0 && v <= 0xffff {
            [&[0xcd][..], &be[6..]].concat()
        } else if v > 0 && v <= 0xffff_ffff {
            [&[0xce][..], &be[4..]].concat()
        } else if v > 0 {
            [&[0xcf][..], &be[..]].concat()
        } else if v >= -128 {
            vec![0xd0, v as u8]
        } else if v >= -32768 {
            [&[0xd1][..], &be[6..]].concat()
        } else if v >= -(1 << 31) {
            [&[0xd2][..], &be[4..]].concat()
        } else {
            [&[0xd3][..], &be[..]].concat()
        }
    }

    #[test]
    fn a_fixstr_is_the_string_written_by_the_rule() {
        // Each length that fits the window, written back to back into a writer that must
        // grow, then a value after the last (which overwrites its slack): the bytes are the
        // fixstr rule by hand (0xa0|n, then the text).
        let text: String = (0..FIXSTR_ROOM as u8 - 1).map(|i| char::from(b'a' + i)).collect();
        let mut w = Writer::with_capacity(1);
        let mut want = Vec::new();
        for n in 0..FIXSTR_ROOM - 1 {
            let f = Fixstr::new(&text[..n]);
            w.bounded(FIXSTR_ROOM, |c| c.fixstr(&f));
            want.push(0xa0 | n as u8);
            want.extend_from_slice(&text.as_bytes()[..n]);
            assert_eq!(f.encoded(), &want[want.len() - 1 - n..]);
        }
        w.nil();
        want.push(0xc0);
        assert_eq!(w.as_bytes(), &want[..]);
    }

    #[test]
    fn a_name_is_the_string_written_by_the_rule() {
        // Lengths at every header edge (fixstr up to 31, str8 from 32 to 255, str16 from
        // 256) and where the window ends (31 bytes of text fill its 32), each written
        // after an odd offset, back to back into a writer that must grow, then a value
        // that overwrites the last one's slack: the bytes are the MessagePack rule by hand.
        let text: String = (0..70_000u32).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
        let mut w = Writer::with_capacity(1);
        w.nil();
        let mut want = vec![0xc0u8];
        for n in [0usize, 1, 2, 15, 16, 30, 31, 32, 33, 64, 255, 256, 65_535, 65_536] {
            let name = Name::new(&text[..n]);
            w.bounded(name.room(), |c| c.name(&name));
            let start = want.len();
            if n < 32 {
                want.push(0xa0 | n as u8);
            } else if n < 256 {
                want.extend([0xd9, n as u8]);
            } else if n < 65_536 {
                want.extend([0xda, (n >> 8) as u8, n as u8]);
            } else {
                want.extend([0xdb, (n >> 24) as u8, (n >> 16) as u8, (n >> 8) as u8, n as u8]);
            }
            want.extend_from_slice(&text.as_bytes()[..n]);
            assert_eq!(name.encoded(), &want[start..], "length {n}");
            assert!(name.room() >= name.encoded().len() && name.room() >= NAME_WINDOW);
        }
        w.int(-1);
        want.push(0xff);
        assert_eq!(w.as_bytes(), &want[..]);
    }

    #[test]
    fn a_frame_writes_the_bytes_of_the_rule() {
        // Through frames (each value its own frame, back to back in a writer that must
        // grow): every string length up to the cap (both sides of the fixstr/str8 edge at
        // 32, and 64 itself), every integer width edge, names on both sides of the window's
        // end, a label; the expected bytes are the MessagePack rule written out by hand.
        let text: String = (0..STR_CAP as u8).map(|i| char::from(b'!' + i)).collect();
        let mut w = Writer::with_capacity(1);
        let mut want = Vec::new();
        for n in 0..=STR_CAP {
            w.framed::<STR_ROOM, _>(|f| f.str(&text[..n]));
            if n < 32 {
                want.push(0xa0 | n as u8);
            } else {
                want.extend([0xd9, n as u8]);
            }
            want.extend_from_slice(&text.as_bytes()[..n]);
        }
        let mut vals = vec![0i64, i64::MAX, i64::MIN];
        for k in 0..63 {
            let p = 1i64 << k;
            vals.extend([p - 1, p, p + 1, -p + 1, -p, -p - 1]);
        }
        for &v in &vals {
            w.framed::<{ 3 * INT_MAX }, _>(|f| {
                f.int(v);
                f.time(v);
                f.int16(v);
            });
            want.extend(spec_int(v).repeat(3));
            w.framed::<INT_MAX, _>(|f| f.int128(i128::from(v)));
            want.extend(spec_int(v));
        }
        for n in [0usize, 1, 30, 31] {
            let name = Name::new(&text[..n]);
            assert!(name.fits());
            w.framed::<NAME_WINDOW, _>(|f| f.name(&name));
            want.push(0xa0 | n as u8);
            want.extend_from_slice(&text.as_bytes()[..n]);
        }
        assert!(!Name::new(&text[..32]).fits());
        let label = Fixstr::new("resting");
        w.framed::<FIXSTR_ROOM, _>(|f| f.fixstr(&label));
        want.extend(b"\xa7resting");
        assert_eq!(w.as_bytes(), &want[..]);
    }

    #[test]
    #[should_panic(expected = "past a frame's cap")]
    fn a_frame_refuses_a_string_past_its_cap() {
        // The caller checks `fits`; a string past the cap panics, never writes past room.
        assert!(fits(&"x".repeat(STR_CAP)) && !fits(&"x".repeat(STR_CAP + 1)));
        let mut w = Writer::with_capacity(1);
        w.framed::<{ 2 * STR_ROOM }, _>(|f| f.str(&"x".repeat(STR_CAP + 1)));
    }

    #[test]
    fn a_128_bit_integer_is_its_64_bit_encoding_or_clamped() {
        // Within 64 bits: the rule's bytes. Past them (never in a sound state): clamped to
        // uint64's or int64's end; among those, values whose high word is a sign word but
        // whose low word has the other sign (the one-compare test must send them there).
        let mut w = Writer::with_capacity(1);
        let mut want = Vec::new();
        for v in [0i64, 1, 0x7e, -1, -32, 127, 128, -33, i64::MAX, i64::MIN, i64::MAX - 1, i64::MIN + 1] {
            w.int128(i128::from(v));
            want.extend(spec_int(v));
        }
        let max_u64 = [0xcfu8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        let min_i64 = [0xd3u8, 0x80, 0, 0, 0, 0, 0, 0, 0];
        // Words that pass one of the two fixint compares but not the other: a high word of
        // one or of all ones over a low word under 0x80, a high word of zero over a
        // negative low word.
        let cases: [(i128, &[u8]); 11] = [
            ((1i128 << 64) + 5, &max_u64),
            ((1i128 << 64) + 0x7f, &max_u64),
            (-(1i128 << 64) + 0x7f, &min_i64),
            ((1i128 << 63) + 5, &[0xcf, 0x80, 0, 0, 0, 0, 0, 0, 5]),
            (i128::from(i64::MAX) + 1, &[0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0]),
            (i128::from(u64::MAX), &max_u64),
            (i128::from(u64::MAX) + 1, &max_u64),
            (i128::MAX, &max_u64),
            (i128::from(i64::MIN) - 1, &min_i64),
            (-(1i128 << 64) + 5, &min_i64),
            (i128::MIN, &min_i64),
        ];
        for (v, bytes) in cases {
            w.int128(v);
            want.extend_from_slice(bytes);
        }
        assert_eq!(w.as_bytes(), &want[..]);
    }

    #[test]
    fn every_integer_width_edge_follows_the_rule() {
        // Each power of two and its neighbours, both signs, through one writer (so a
        // value's slack is overwritten by the next): the bytes the rule gives, in order.
        let mut vals = vec![0i64, i64::MAX, i64::MIN, i64::MIN + 1];
        for k in 0..63 {
            let p = 1i64 << k;
            vals.extend([p - 1, p, p + 1, -p + 1, -p, -p - 1]);
        }
        let mut w = Writer::with_capacity(1);
        let mut want = Vec::new();
        for &v in &vals {
            w.int(v);
            want.extend(spec_int(v));
        }
        assert_eq!(w.as_bytes(), &want[..]);
    }

    #[test]
    fn a_time_is_written_as_any_integer() {
        // `time` takes a shortcut for values above 32 bits: every edge gives `int`'s bytes.
        let mut vals = vec![0i64, i64::MAX, i64::MIN, 1_767_225_600_000_000_000];
        for k in 0..63 {
            let p = 1i64 << k;
            vals.extend([p - 1, p, p + 1, -p]);
        }
        let (mut a, mut b) = (Writer::with_capacity(1), Writer::with_capacity(1));
        for &v in &vals {
            a.bounded(INT_MAX, |c| c.time(v));
            b.int(v);
        }
        assert_eq!(a.as_bytes(), b.as_bytes());
    }

    #[test]
    fn a_uint16_first_integer_is_written_as_any_integer() {
        // `int16` tests 256..=65535 first. Hand-written bytes at its edges and a price
        // (9,900 = 0x26ac), then every power-of-two edge against `int`.
        let mut w = Writer::with_capacity(1);
        for v in [0i64, 255, 256, 9_900, 65_535, 65_536, -1] {
            w.bounded(INT_MAX, |c| c.int16(v));
        }
        let hex: String = w.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "00ccffcd0100cd26accdffffce00010000ff");
        let mut vals = vec![0i64, i64::MAX, i64::MIN];
        for k in 0..63 {
            let p = 1i64 << k;
            vals.extend([p - 1, p, p + 1, -p]);
        }
        let (mut a, mut b) = (Writer::with_capacity(1), Writer::with_capacity(1));
        for &v in &vals {
            a.bounded(INT_MAX, |c| c.int16(v));
            b.int(v);
        }
        assert_eq!(a.as_bytes(), b.as_bytes());
    }

    #[test]
    fn integers_use_the_smallest_encoding() {
        // Bytes as msgspec 0.22 writes [1,127,128,255,256,-1,-32,-33,-128,-129,2**32,-2**40].
        let mut w = Writer::new();
        w.array(12);
        for v in [1i64, 127, 128, 255, 256, -1, -32, -33, -128, -129, 1 << 32, -(1 << 40)] {
            w.int(v);
        }
        let hex: String = w.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "9c017fcc80ccffcd0100ffe0d0dfd080d1ff7fcf0000000100000000d3ffffff0000000000"
        );
    }

    #[test]
    fn integer_boundaries_match_msgspec() {
        // msgspec.msgpack.encode(...) of this list, every encoding's edges.
        let vals: [i64; 23] = [
            0, 31, 32, 127, 128, 255, 256, 65535, 65536, (1 << 32) - 1, 1 << 32, i64::MAX, -1, -31,
            -32, -33, -128, -129, -32768, -32769, -(1 << 31), -(1 << 31) - 1, i64::MIN,
        ];
        let mut w = Writer::with_capacity(1);
        w.array(vals.len());
        for v in vals {
            w.int(v);
        }
        let hex: String = w.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "dc0017001f207fcc80ccffcd0100cdffffce00010000ceffffffffcf0000000100000000cf7fffffffffffffff\
             ffe1e0d0dfd080d1ff7fd18000d2ffff7fffd280000000d3ffffffff7fffffffd38000000000000000"
        );
        let mut w128 = Writer::new();
        w128.int128(i128::from(u64::MAX) + 5);
        w128.int128(i128::from(i64::MIN) - 5);
        assert_eq!(w128.as_bytes()[0], 0xcf);
        assert_eq!(&w128.as_bytes()[1..9], &[0xff; 8]);
        assert_eq!(w128.as_bytes()[9], 0xd3);
    }

    #[test]
    fn reader_round_trips_and_rejects_truncation() {
        let mut w = Writer::new();
        w.array(3);
        w.int(-129);
        w.str(&"x".repeat(40));
        w.opt_int(None);
        let bytes = w.into_bytes();
        let mut r = Reader::new(&bytes);
        assert_eq!(r.array().unwrap(), 3);
        assert_eq!(r.int().unwrap(), -129);
        assert_eq!(r.str().unwrap().len(), 40);
        assert!(r.nil().unwrap());
        assert!(r.at_end());
        let cut = &bytes[..bytes.len() - 2];
        let mut r = Reader::new(cut);
        r.array().unwrap();
        r.int().unwrap();
        assert!(r.str().is_err());
    }

    #[test]
    fn skip_bounds_hostile_headers() {
        // An array32 claiming four billion items in five bytes.
        let mut r = Reader::new(&[0xdd, 0xff, 0xff, 0xff, 0xff]);
        assert!(r.skip(0).is_err());
        let deep = vec![0x91u8; 200];
        assert!(Reader::new(&deep).skip(0).is_err());
    }
}
