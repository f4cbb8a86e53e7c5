//! A minimal MessagePack reader and writer: exactly what the journal's command encoding and
//! the engine's outcome encoding need, with no allocation on the read path.
//!
//! The writer picks the smallest encoding of every integer and string, as msgspec does, so
//! a document written here is byte-identical to msgspec's encoding of the same values (the
//! canonical state digest depends on it). The reader accepts every encoding of a value
//! (msgspec does too) and never panics on malformed input: every read is bounds-checked and
//! nesting is limited (`MAX_DEPTH`).

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
    pub fn nil(&mut self) -> DResult<bool> {
        if self.peek()? == 0xc0 {
            self.pos += 1;
            return Ok(true);
        }
        Ok(false)
    }

    /// Read an array header; return its length.
    pub fn array(&mut self) -> DResult<usize> {
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

    /// Read a string (UTF-8 checked).
    pub fn str(&mut self) -> DResult<&'a str> {
        let b = self.byte()?;
        let n = match b {
            0xa0..=0xbf => usize::from(b & 0x1f),
            0xd9 => self.be(1)? as usize,
            0xda => self.be(2)? as usize,
            0xdb => self.be(4)? as usize,
            _ => return err("expected `str`"),
        };
        let bytes = self.take(n)?;
        std::str::from_utf8(bytes).map_err(|_| DecodeError("invalid utf-8 string".into()))
    }

    /// Read a boolean.
    pub fn bool(&mut self) -> DResult<bool> {
        match self.byte()? {
            0xc2 => Ok(false),
            0xc3 => Ok(true),
            _ => err("expected `bool`"),
        }
    }

    /// Read an integer (msgspec accepts any integer encoding). A `uint64` above `i64::MAX`
    /// saturates to `i64::MAX`: every command field that can hold one is bounded far below
    /// that by the domain check, which then refuses it exactly as the Python engine does
    /// (`OUT_OF_DOMAIN`, whose message names the bound, not the value).
    pub fn int(&mut self) -> DResult<i64> {
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
#[derive(Default)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn new() -> Self {
        Writer { buf: Vec::with_capacity(256) }
    }

    pub fn with_capacity(n: usize) -> Self {
        Writer { buf: Vec::with_capacity(n) }
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    pub fn nil(&mut self) {
        self.buf.push(0xc0);
    }

    pub fn bool(&mut self, v: bool) {
        self.buf.push(if v { 0xc3 } else { 0xc2 });
    }

    pub fn int(&mut self, v: i64) {
        self.int128(i128::from(v));
    }

    /// Write an integer; values beyond 64 bits cannot occur in a sound state and are
    /// clamped (the auditor reports the state long before).
    pub fn int128(&mut self, v: i128) {
        let b = &mut self.buf;
        if v >= 0 {
            if v < 128 {
                b.push(v as u8);
            } else if v <= 0xff {
                b.extend_from_slice(&[0xcc, v as u8]);
            } else if v <= 0xffff {
                b.push(0xcd);
                b.extend_from_slice(&(v as u16).to_be_bytes());
            } else if v <= 0xffff_ffff {
                b.push(0xce);
                b.extend_from_slice(&(v as u32).to_be_bytes());
            } else {
                b.push(0xcf);
                b.extend_from_slice(&(v.min(i128::from(u64::MAX)) as u64).to_be_bytes());
            }
        } else if v >= -32 {
            b.push(v as i8 as u8);
        } else if v >= -128 {
            b.extend_from_slice(&[0xd0, v as i8 as u8]);
        } else if v >= -32768 {
            b.push(0xd1);
            b.extend_from_slice(&(v as i16).to_be_bytes());
        } else if v >= -(1i128 << 31) {
            b.push(0xd2);
            b.extend_from_slice(&(v as i32).to_be_bytes());
        } else {
            b.push(0xd3);
            b.extend_from_slice(&(v.max(i128::from(i64::MIN)) as i64).to_be_bytes());
        }
    }

    pub fn opt_int(&mut self, v: Option<i64>) {
        match v {
            Some(v) => self.int(v),
            None => self.nil(),
        }
    }

    pub fn str_header(&mut self, n: usize) {
        let b = &mut self.buf;
        if n < 32 {
            b.push(0xa0 | n as u8);
        } else if n <= 0xff {
            b.extend_from_slice(&[0xd9, n as u8]);
        } else if n <= 0xffff {
            b.push(0xda);
            b.extend_from_slice(&(n as u16).to_be_bytes());
        } else {
            b.push(0xdb);
            b.extend_from_slice(&(n as u32).to_be_bytes());
        }
    }

    pub fn str(&mut self, s: &str) {
        self.str_header(s.len());
        self.buf.extend_from_slice(s.as_bytes());
    }

    pub fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.nil(),
        }
    }

    pub fn bin(&mut self, data: &[u8]) {
        let n = data.len();
        let b = &mut self.buf;
        if n <= 0xff {
            b.extend_from_slice(&[0xc4, n as u8]);
        } else if n <= 0xffff {
            b.push(0xc5);
            b.extend_from_slice(&(n as u16).to_be_bytes());
        } else {
            b.push(0xc6);
            b.extend_from_slice(&(n as u32).to_be_bytes());
        }
        b.extend_from_slice(data);
    }

    pub fn array(&mut self, n: usize) {
        let b = &mut self.buf;
        if n < 16 {
            b.push(0x90 | n as u8);
        } else if n <= 0xffff {
            b.push(0xdc);
            b.extend_from_slice(&(n as u16).to_be_bytes());
        } else {
            b.push(0xdd);
            b.extend_from_slice(&(n as u32).to_be_bytes());
        }
    }

    pub fn map(&mut self, n: usize) {
        let b = &mut self.buf;
        if n < 16 {
            b.push(0x80 | n as u8);
        } else if n <= 0xffff {
            b.push(0xde);
            b.extend_from_slice(&(n as u16).to_be_bytes());
        } else {
            b.push(0xdf);
            b.extend_from_slice(&(n as u32).to_be_bytes());
        }
    }

    /// Append an already-encoded value.
    pub fn raw(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// Overwrite a 5-byte array32 header reserved with `array_placeholder`.
    pub fn array_placeholder(&mut self) -> usize {
        let at = self.buf.len();
        self.buf.extend_from_slice(&[0xdd, 0, 0, 0, 0]);
        at
    }

    pub fn fill_array(&mut self, at: usize, n: usize) {
        self.buf[at + 1..at + 5].copy_from_slice(&(n as u32).to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_use_the_smallest_encoding() {
        // Bytes as msgspec 0.22 writes [1,127,128,255,256,-1,-32,-33,-128,-129,2**32,-2**40].
        let mut w = Writer::new();
        w.array(12);
        for v in [1i64, 127, 128, 255, 256, -1, -32, -33, -128, -129, 1 << 32, -(1 << 40)] {
            w.int(v);
        }
        let hex: String = w.buf.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "9c017fcc80ccffcd0100ffe0d0dfd080d1ff7fcf0000000100000000d3ffffff0000000000"
        );
    }

    #[test]
    fn reader_round_trips_and_rejects_truncation() {
        let mut w = Writer::new();
        w.array(3);
        w.int(-129);
        w.str(&"x".repeat(40));
        w.opt_int(None);
        let mut r = Reader::new(&w.buf);
        assert_eq!(r.array().unwrap(), 3);
        assert_eq!(r.int().unwrap(), -129);
        assert_eq!(r.str().unwrap().len(), 40);
        assert!(r.nil().unwrap());
        assert!(r.at_end());
        let cut = &w.buf[..w.buf.len() - 2];
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
