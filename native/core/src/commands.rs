//! Commands, and their decoder from the journal's own encoding.
//!
//! The journal record format is specified in docs/decisions/0022-versioned-journal-records.md
//! and written by `augury.engine.commands`. A record's payload is a MessagePack array whose
//! first element is its tag. Version 1 (today's): the tag is `"<Type>/1"` and the command's
//! fields follow in declaration order; the command's time is the record's envelope
//! (`decode_record(payload, ts_ns)`). Version 0 (records written before versions): the tag is
//! the bare type name and the fields are followed by the time (`[tag, field..., ts_ns]`);
//! `Deposit` and `Withdraw` also have the short version-0 shape without `transfer_id`.
//! The decoder is a table keyed by type name (`DECODERS`): each entry knows its field count
//! (the time included) and reads the fields in order, checking every type and literal exactly
//! as msgspec's typed decoder does, so a payload the Python side refuses is refused here too.
//! Strings are borrowed from the payload (no copies on the hot path); `meta` stays as its raw
//! MessagePack bytes. The three order records most of a journal is (`PlaceOrder/1`,
//! `CancelOrder/1`, `AmendOrder/1`) are read by name ahead of the table, with the same
//! checks in the same order; their ids (user id, ticker, order id) are `Text`: bytes this
//! decoder checked as UTF-8, which the engine looks up by bytes. A fast path never accepts
//! or refuses anything the table's reading would not, with the same error text
//! (`tests/decoder_reference.rs` compares them with a naive reader).

use std::fmt;

use crate::msgpack::{DResult, DecodeError, Reader};

/// A string field the decoder checked is UTF-8, kept as its bytes: the ids the engine only
/// looks up (user id, ticker, order id) find their keys by bytes (`hash::Name`), and become
/// a `str` only where text is needed (a reject's message), where the conversion cannot
/// fail. Built only by the decoder (after its check) or from a `str`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Text<'a>(&'a [u8]);

impl<'a> Text<'a> {
    #[inline]
    pub fn as_bytes(self) -> &'a [u8] {
        self.0
    }

    pub fn as_str(self) -> &'a str {
        std::str::from_utf8(self.0).expect("a Text is UTF-8 (checked where it was built)")
    }

    #[inline]
    pub fn len(self) -> usize {
        self.0.len()
    }

    #[inline]
    pub fn is_empty(self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> From<&'a str> for Text<'a> {
    #[inline]
    fn from(s: &'a str) -> Self {
        Text(s.as_bytes())
    }
}

impl<'a> From<&&'a str> for Text<'a> {
    #[inline]
    fn from(s: &&'a str) -> Self {
        Text(s.as_bytes())
    }
}

impl<'a> From<&'a String> for Text<'a> {
    #[inline]
    fn from(s: &'a String) -> Self {
        Text(s.as_bytes())
    }
}

impl<'a> From<&Text<'a>> for Text<'a> {
    #[inline]
    fn from(t: &Text<'a>) -> Self {
        *t
    }
}

impl PartialEq<&str> for Text<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<str> for Text<'_> {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Book side of an order, as on the wire (`bid` buys YES, `ask` buys NO).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Bid,
    Ask,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Bid => "bid",
            Side::Ask => "ask",
        }
    }
    pub fn is_bid(self) -> bool {
        self == Side::Bid
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tif {
    Gtc,
    Ioc,
    Fok,
}

impl Tif {
    pub fn as_str(self) -> &'static str {
        match self {
            Tif::Gtc => "good_till_canceled",
            Tif::Ioc => "immediate_or_cancel",
            Tif::Fok => "fill_or_kill",
        }
    }
    pub fn code(self) -> u8 {
        self as u8
    }
    pub fn from_code(c: u8) -> Option<Tif> {
        [Tif::Gtc, Tif::Ioc, Tif::Fok].get(usize::from(c)).copied()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stp {
    TakerAtCross,
    Maker,
}

impl Stp {
    pub fn as_str(self) -> &'static str {
        match self {
            Stp::TakerAtCross => "taker_at_cross",
            Stp::Maker => "maker",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlaceOrder<'a> {
    pub ts_ns: i64,
    pub user_id: Text<'a>,
    pub ticker: Text<'a>,
    pub side: Side,
    pub price_cc: i64,
    pub count_c: i64,
    pub time_in_force: Tif,
    pub self_trade_prevention: Stp,
    pub subaccount: i64,
    pub client_order_id: Option<&'a str>,
    pub post_only: bool,
    pub reduce_only: bool,
    pub cancel_order_on_pause: bool,
    pub order_group_id: Option<&'a str>,
    pub expiration_ts_ns: Option<i64>,
    pub legacy_side: Option<&'static str>,
    pub legacy_action: Option<&'static str>,
    pub order_type: &'static str,
    pub buy_max_cost_cc: Option<i64>,
}

impl<'a> PlaceOrder<'a> {
    /// A plain limit order: good till canceled, taker-at-cross self-trade prevention, the
    /// main subaccount, and no client id, group, expiry, flags or legacy fields (what the
    /// API's defaults give). Tests and benches start from it and set what they vary.
    pub fn limit(
        ts_ns: i64,
        user_id: impl Into<Text<'a>>,
        ticker: impl Into<Text<'a>>,
        side: Side,
        price_cc: i64,
        count_c: i64,
    ) -> Self {
        PlaceOrder {
            ts_ns,
            user_id: user_id.into(),
            ticker: ticker.into(),
            side,
            price_cc,
            count_c,
            time_in_force: Tif::Gtc,
            self_trade_prevention: Stp::TakerAtCross,
            subaccount: 0,
            client_order_id: None,
            post_only: false,
            reduce_only: false,
            cancel_order_on_pause: false,
            order_group_id: None,
            expiration_ts_ns: None,
            legacy_side: None,
            legacy_action: None,
            order_type: "limit",
            buy_max_cost_cc: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmendOrder<'a> {
    pub ts_ns: i64,
    pub user_id: Text<'a>,
    pub order_id: Text<'a>,
    pub ticker: Text<'a>,
    pub side: Side,
    pub price_cc: i64,
    pub count_c: i64,
    pub subaccount: Option<i64>,
    pub client_order_id: Option<&'a str>,
    pub updated_client_order_id: Option<&'a str>,
    pub expiration_ts_ns: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddMarket<'a> {
    pub ts_ns: i64,
    pub ticker: &'a str,
    pub event_ticker: &'a str,
    pub open_ts_ns: i64,
    pub close_ts_ns: i64,
    pub price_level_structure: &'a str,
    pub fractional: bool,
    pub settlement_timer_s: i64,
    pub market_type: &'static str,
    pub meta: &'a [u8],
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterApiKey<'a> {
    pub ts_ns: i64,
    pub api_key_id: &'a str,
    pub user_id: &'a str,
    pub name: &'a str,
    pub public_key_pem: &'a str,
    pub key_type: &'a str,
    pub scopes: Vec<&'a str>,
    pub subaccount: Option<i64>,
}

/// Every command the engine applies (mirrors `augury.engine.commands`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command<'a> {
    CreateUser { ts_ns: i64, user_id: &'a str, name: &'a str },
    RegisterApiKey(RegisterApiKey<'a>),
    RevokeApiKey { ts_ns: i64, api_key_id: &'a str, user_id: &'a str },
    SetUserTier { ts_ns: i64, user_id: &'a str, tier: &'a str },
    Deposit { ts_ns: i64, user_id: &'a str, amount_cc: i64, subaccount: i64, transfer_id: Option<&'a str> },
    Withdraw { ts_ns: i64, user_id: &'a str, amount_cc: i64, subaccount: i64, transfer_id: Option<&'a str> },
    CreateSubaccount { ts_ns: i64, user_id: &'a str },
    TransferCash {
        ts_ns: i64,
        user_id: &'a str,
        from_subaccount: i64,
        to_subaccount: i64,
        amount_cc: i64,
        transfer_id: &'a str,
    },
    AddSeries { ts_ns: i64, ticker: &'a str, fee_type: &'a str, fee_multiplier_e4: i64, meta: &'a [u8] },
    AddEvent {
        ts_ns: i64,
        event_ticker: &'a str,
        series_ticker: &'a str,
        mutually_exclusive: bool,
        meta: &'a [u8],
    },
    AddMarket(AddMarket<'a>),
    SetMarketState { ts_ns: i64, ticker: &'a str, action: &'static str },
    DetermineMarket {
        ts_ns: i64,
        ticker: &'a str,
        result: &'static str,
        value_cc: Option<i64>,
        settle_now: bool,
    },
    FinalizeMarket { ts_ns: i64, ticker: &'a str },
    SetExchangeState { ts_ns: i64, paused: bool },
    Tick { ts_ns: i64 },
    PlaceOrder(PlaceOrder<'a>),
    CancelOrder { ts_ns: i64, user_id: Text<'a>, order_id: Text<'a>, subaccount: Option<i64> },
    AmendOrder(AmendOrder<'a>),
    DecreaseOrder {
        ts_ns: i64,
        user_id: &'a str,
        order_id: &'a str,
        reduce_by_c: Option<i64>,
        reduce_to_c: Option<i64>,
        subaccount: Option<i64>,
    },
    CancelAll { ts_ns: i64, user_id: &'a str, subaccount: Option<i64>, ticker: Option<&'a str> },
    CreateOrderGroup { ts_ns: i64, user_id: &'a str, subaccount: i64, contracts_limit_c: Option<i64> },
    OrderGroupAction { ts_ns: i64, user_id: &'a str, group_id: &'a str, action: &'static str },
    UpdateOrderGroupLimit { ts_ns: i64, user_id: &'a str, group_id: &'a str, contracts_limit_c: i64 },
    Batch { ts_ns: i64, items: Vec<Command<'a>> },
}

impl Command<'_> {
    /// The command's time, stamped by the sequencer.
    pub fn ts_ns(&self) -> i64 {
        use Command::*;
        match self {
            CreateUser { ts_ns, .. }
            | RevokeApiKey { ts_ns, .. }
            | SetUserTier { ts_ns, .. }
            | Deposit { ts_ns, .. }
            | Withdraw { ts_ns, .. }
            | CreateSubaccount { ts_ns, .. }
            | TransferCash { ts_ns, .. }
            | AddSeries { ts_ns, .. }
            | AddEvent { ts_ns, .. }
            | SetMarketState { ts_ns, .. }
            | DetermineMarket { ts_ns, .. }
            | FinalizeMarket { ts_ns, .. }
            | SetExchangeState { ts_ns, .. }
            | Tick { ts_ns }
            | CancelOrder { ts_ns, .. }
            | DecreaseOrder { ts_ns, .. }
            | CancelAll { ts_ns, .. }
            | CreateOrderGroup { ts_ns, .. }
            | OrderGroupAction { ts_ns, .. }
            | UpdateOrderGroupLimit { ts_ns, .. }
            | Batch { ts_ns, .. } => *ts_ns,
            RegisterApiKey(c) => c.ts_ns,
            AddMarket(c) => c.ts_ns,
            PlaceOrder(c) => c.ts_ns,
            AmendOrder(c) => c.ts_ns,
        }
    }

    /// Set the command's time (a batch's items too): a record's time is its envelope's.
    pub fn set_ts(&mut self, ts: i64) {
        use Command::*;
        match self {
            CreateUser { ts_ns, .. }
            | RevokeApiKey { ts_ns, .. }
            | SetUserTier { ts_ns, .. }
            | Deposit { ts_ns, .. }
            | Withdraw { ts_ns, .. }
            | CreateSubaccount { ts_ns, .. }
            | TransferCash { ts_ns, .. }
            | AddSeries { ts_ns, .. }
            | AddEvent { ts_ns, .. }
            | SetMarketState { ts_ns, .. }
            | DetermineMarket { ts_ns, .. }
            | FinalizeMarket { ts_ns, .. }
            | SetExchangeState { ts_ns, .. }
            | Tick { ts_ns }
            | CancelOrder { ts_ns, .. }
            | DecreaseOrder { ts_ns, .. }
            | CancelAll { ts_ns, .. }
            | CreateOrderGroup { ts_ns, .. }
            | OrderGroupAction { ts_ns, .. }
            | UpdateOrderGroupLimit { ts_ns, .. } => *ts_ns = ts,
            Batch { ts_ns, items } => {
                *ts_ns = ts;
                for item in items {
                    item.set_ts(ts);
                }
            }
            RegisterApiKey(c) => c.ts_ns = ts,
            AddMarket(c) => c.ts_ns = ts,
            PlaceOrder(c) => c.ts_ns = ts,
            AmendOrder(c) => c.ts_ns = ts,
        }
    }
}

// --- field readers -----------------------------------------------------------------------

#[inline(always)]
fn opt_int(r: &mut Reader<'_>) -> DResult<Option<i64>> {
    if r.nil()? {
        return Ok(None);
    }
    r.int().map(Some)
}

#[inline(always)]
fn opt_str<'a>(r: &mut Reader<'a>) -> DResult<Option<&'a str>> {
    if r.nil()? {
        return Ok(None);
    }
    r.str().map(Some)
}

/// Whether every byte is below 0x80, with whole-word tests: two overlapping words (or
/// halves) cover a short id, a longer one is read word by word (`[u8]::is_ascii` is a call
/// per string, measured by callgrind).
#[inline(always)]
fn ascii(b: &[u8]) -> bool {
    let n = b.len();
    let word = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
    let half = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().expect("four bytes"));
    if n >= 8 {
        let mut any = word(n - 8);
        let mut i = 0;
        while i + 8 < n {
            any |= word(i);
            i += 8;
        }
        any & 0x8080_8080_8080_8080 == 0
    } else if n >= 4 {
        (half(0) | half(n - 4)) & 0x8080_8080 == 0
    } else {
        b.iter().all(|&c| c < 0x80)
    }
}

/// Read a string kept as bytes (`Text`), checked as `Reader::str` checks it: an ASCII text
/// (every id the journal holds) passes a word-wise test, anything else the full check.
#[inline(always)]
fn text<'a>(r: &mut Reader<'a>) -> DResult<Text<'a>> {
    let bytes = r.str_bytes()?;
    if ascii(bytes) || std::str::from_utf8(bytes).is_ok() {
        return Ok(Text(bytes));
    }
    Err(DecodeError("invalid utf-8 string".into()))
}

/// Whether `bytes` are exactly `text`: a length test, then one comparison of a fixed size,
/// which the compiler does with a few word loads (a slice comparison of unknown length is a
/// library `memcmp` call per candidate, measured by callgrind).
#[inline(always)]
fn eq<const N: usize>(bytes: &[u8], text: &[u8; N]) -> bool {
    <&[u8; N]>::try_from(bytes).is_ok_and(|b| b == text)
}

/// Read a string that must be one of the given texts (a msgspec `Literal`) and give the
/// value paired with the one it is: `literal!(r, b"bid" => Side::Bid, b"ask" => Side::Ask)`.
/// Matched as bytes: a known text is valid UTF-8, so only a miss is checked (and reports
/// what `Reader::str` would).
macro_rules! literal {
    ($r:expr, $($text:literal => $value:expr),+ $(,)?) => {{
        let bytes = $r.str_bytes()?;
        $(if eq(bytes, $text) { $value } else)+ {
            return Err(not_a_literal(bytes));
        }
    }};
}

/// The error for a string that is none of a literal's texts.
#[cold]
#[inline(never)]
fn not_a_literal(bytes: &[u8]) -> DecodeError {
    match std::str::from_utf8(bytes) {
        Ok(s) => DecodeError(format!("invalid enum value {s:?}")),
        Err(_) => DecodeError("invalid utf-8 string".into()),
    }
}

/// Read a `dict[str, object]`, keeping its raw bytes.
fn meta<'a>(r: &mut Reader<'a>) -> DResult<&'a [u8]> {
    let start = r.pos();
    let n = r.map()?;
    for _ in 0..n {
        r.str()?;
        r.skip(1)?;
    }
    Ok(r.slice(start, r.pos()))
}

#[inline(always)]
fn side(r: &mut Reader<'_>) -> DResult<Side> {
    Ok(literal!(r, b"bid" => Side::Bid, b"ask" => Side::Ask))
}

#[inline(always)]
fn tif(r: &mut Reader<'_>) -> DResult<Tif> {
    Ok(literal!(r,
        b"good_till_canceled" => Tif::Gtc,
        b"immediate_or_cancel" => Tif::Ioc,
        b"fill_or_kill" => Tif::Fok,
    ))
}

#[inline(always)]
fn stp(r: &mut Reader<'_>) -> DResult<Stp> {
    Ok(literal!(r, b"taker_at_cross" => Stp::TakerAtCross, b"maker" => Stp::Maker))
}

/// The payload must end here when `last` (a top-level command's last field is read).
#[inline(always)]
fn end(r: &Reader<'_>, last: bool) -> DResult<()> {
    if last && !r.at_end() {
        return Err(trailing());
    }
    Ok(())
}

#[cold]
#[inline(never)]
fn trailing() -> DecodeError {
    DecodeError("trailing bytes after the command".into())
}

// --- the rows most records are (read by name, not through the table) -----------------

/// `PlaceOrder`'s fields from `subaccount` on at their defaults: 0, nil, false, false,
/// false, nil, nil, nil, nil, "limit", nil.
const PLACE_DEFAULTS: &[u8; 16] = b"\x00\xc0\xc2\xc2\xc2\xc0\xc0\xc0\xc0\xa5limit\xc0";

#[inline(always)]
fn place_order<'a>(r: &mut Reader<'a>, ts: i64, last: bool) -> DResult<Command<'a>> {
    let user_id = text(r)?;
    let ticker = text(r)?;
    let side = side(r)?;
    let price_cc = r.int()?;
    let count_c = r.int()?;
    let time_in_force = tif(r)?;
    let self_trade_prevention = stp(r)?;
    // The last eleven fields at their defaults, as msgspec writes them (what most orders
    // carry), are one sixteen-byte comparison; anything else (another value, or another
    // encoding of the same values) is read field by field below, to the same result.
    let (
        subaccount,
        client_order_id,
        post_only,
        reduce_only,
        cancel_order_on_pause,
        order_group_id,
        expiration_ts_ns,
        legacy_side,
        legacy_action,
        order_type,
        buy_max_cost_cc,
    ) = if r.skip_exactly(PLACE_DEFAULTS) {
        (0, None, false, false, false, None, None, None, None, "limit", None)
    } else {
        (
            r.int()?,
            opt_str(r)?,
            r.bool()?,
            r.bool()?,
            r.bool()?,
            opt_str(r)?,
            opt_int(r)?,
            if r.nil()? { None } else { Some(literal!(r, b"yes" => "yes", b"no" => "no")) },
            if r.nil()? { None } else { Some(literal!(r, b"buy" => "buy", b"sell" => "sell")) },
            literal!(r, b"limit" => "limit", b"market" => "market"),
            opt_int(r)?,
        )
    };
    end(r, last)?;
    Ok(Command::PlaceOrder(PlaceOrder {
        ts_ns: ts,
        user_id,
        ticker,
        side,
        price_cc,
        count_c,
        time_in_force,
        self_trade_prevention,
        subaccount,
        client_order_id,
        post_only,
        reduce_only,
        cancel_order_on_pause,
        order_group_id,
        expiration_ts_ns,
        legacy_side,
        legacy_action,
        order_type,
        buy_max_cost_cc,
    }))
}

#[inline(always)]
fn cancel_order<'a>(r: &mut Reader<'a>, ts: i64, last: bool) -> DResult<Command<'a>> {
    let user_id = text(r)?;
    let order_id = text(r)?;
    let subaccount = opt_int(r)?;
    end(r, last)?;
    Ok(Command::CancelOrder { ts_ns: ts, user_id, order_id, subaccount })
}

#[inline(always)]
fn amend_order<'a>(r: &mut Reader<'a>, ts: i64, last: bool) -> DResult<Command<'a>> {
    let user_id = text(r)?;
    let order_id = text(r)?;
    let ticker = text(r)?;
    let side = side(r)?;
    let price_cc = r.int()?;
    let count_c = r.int()?;
    let subaccount = opt_int(r)?;
    let client_order_id = opt_str(r)?;
    let updated_client_order_id = opt_str(r)?;
    let expiration_ts_ns = opt_int(r)?;
    end(r, last)?;
    Ok(Command::AmendOrder(AmendOrder {
        ts_ns: ts,
        user_id,
        order_id,
        ticker,
        side,
        price_cc,
        count_c,
        subaccount,
        client_order_id,
        updated_client_order_id,
        expiration_ts_ns,
    }))
}

// --- the table -----------------------------------------------------------------------------

/// A row's field reader; `ts` is the command's time (the record's envelope's, or 0 where a
/// version-0 record's own follows). Built with its time in place, a command is not moved
/// again to set it (a whole `Command` copy per record, measured by callgrind).
type DecodeFn = for<'a> fn(&mut Reader<'a>, i64) -> DResult<Command<'a>>;

/// One row per command type: its name (version 0's tag), its version-1 tag, its field count
/// (without the tag, with version 0's time) and its field reader.
pub struct CommandSpec {
    pub tag: &'static str,
    pub tag_v1: &'static str,
    pub fields: usize,
    pub decode: DecodeFn,
}

macro_rules! spec {
    ($tag:literal, $n:expr, $f:expr) => {
        CommandSpec { tag: $tag, tag_v1: concat!($tag, "/1"), fields: $n, decode: $f }
    };
}

/// The decoder table, in the order of `augury.engine.commands.Single`.
pub static DECODERS: &[CommandSpec] = &[
    spec!("CreateUser", 3, |r, ts| {
        Ok(Command::CreateUser { user_id: r.str()?, name: r.str()?, ts_ns: ts })
    }),
    spec!("RegisterApiKey", 8, |r, ts| {
        let api_key_id = r.str()?;
        let user_id = r.str()?;
        let name = r.str()?;
        let public_key_pem = r.str()?;
        let key_type = r.str()?;
        let n = r.array()?;
        let mut scopes = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            scopes.push(r.str()?);
        }
        let subaccount = opt_int(r)?;
        Ok(Command::RegisterApiKey(RegisterApiKey {
            api_key_id,
            user_id,
            name,
            public_key_pem,
            key_type,
            scopes,
            subaccount,
            ts_ns: ts,
        }))
    }),
    spec!("RevokeApiKey", 3, |r, ts| {
        Ok(Command::RevokeApiKey { api_key_id: r.str()?, user_id: r.str()?, ts_ns: ts })
    }),
    spec!("SetUserTier", 3, |r, ts| {
        Ok(Command::SetUserTier { user_id: r.str()?, tier: r.str()?, ts_ns: ts })
    }),
    spec!("Deposit", 5, |r, ts| {
        Ok(Command::Deposit {
            user_id: r.str()?,
            amount_cc: r.int()?,
            subaccount: r.int()?,
            transfer_id: opt_str(r)?,
            ts_ns: ts,
        })
    }),
    spec!("Withdraw", 5, |r, ts| {
        Ok(Command::Withdraw {
            user_id: r.str()?,
            amount_cc: r.int()?,
            subaccount: r.int()?,
            transfer_id: opt_str(r)?,
            ts_ns: ts,
        })
    }),
    spec!("CreateSubaccount", 2, |r, ts| {
        Ok(Command::CreateSubaccount { user_id: r.str()?, ts_ns: ts })
    }),
    spec!("TransferCash", 6, |r, ts| {
        Ok(Command::TransferCash {
            user_id: r.str()?,
            from_subaccount: r.int()?,
            to_subaccount: r.int()?,
            amount_cc: r.int()?,
            transfer_id: r.str()?,
            ts_ns: ts,
        })
    }),
    spec!("AddSeries", 5, |r, ts| {
        Ok(Command::AddSeries {
            ticker: r.str()?,
            fee_type: r.str()?,
            fee_multiplier_e4: r.int()?,
            meta: meta(r)?,
            ts_ns: ts,
        })
    }),
    spec!("AddEvent", 5, |r, ts| {
        Ok(Command::AddEvent {
            event_ticker: r.str()?,
            series_ticker: r.str()?,
            mutually_exclusive: r.bool()?,
            meta: meta(r)?,
            ts_ns: ts,
        })
    }),
    spec!("AddMarket", 10, |r, ts| {
        Ok(Command::AddMarket(AddMarket {
            ticker: r.str()?,
            event_ticker: r.str()?,
            open_ts_ns: r.int()?,
            close_ts_ns: r.int()?,
            price_level_structure: r.str()?,
            fractional: r.bool()?,
            settlement_timer_s: r.int()?,
            market_type: literal!(r, b"binary" => "binary", b"scalar" => "scalar"),
            meta: meta(r)?,
            ts_ns: ts,
        }))
    }),
    spec!("SetMarketState", 3, |r, ts| {
        Ok(Command::SetMarketState {
            ticker: r.str()?,
            action: literal!(r, b"pause" => "pause", b"resume" => "resume", b"close" => "close"),
            ts_ns: ts,
        })
    }),
    spec!("DetermineMarket", 5, |r, ts| {
        Ok(Command::DetermineMarket {
            ticker: r.str()?,
            result: literal!(r, b"yes" => "yes", b"no" => "no", b"scalar" => "scalar", b"void" => "void"),
            value_cc: opt_int(r)?,
            settle_now: r.bool()?,
            ts_ns: ts,
        })
    }),
    spec!("FinalizeMarket", 2, |r, ts| Ok(Command::FinalizeMarket { ticker: r.str()?, ts_ns: ts })),
    spec!("SetExchangeState", 2, |r, ts| {
        Ok(Command::SetExchangeState { paused: r.bool()?, ts_ns: ts })
    }),
    spec!("Tick", 1, |_r, ts| Ok(Command::Tick { ts_ns: ts })),
    spec!("PlaceOrder", 19, |r, ts| place_order(r, ts, false)),
    spec!("CancelOrder", 4, |r, ts| cancel_order(r, ts, false)),
    spec!("AmendOrder", 11, |r, ts| amend_order(r, ts, false)),
    spec!("DecreaseOrder", 6, |r, ts| {
        Ok(Command::DecreaseOrder {
            user_id: r.str()?,
            order_id: r.str()?,
            reduce_by_c: opt_int(r)?,
            reduce_to_c: opt_int(r)?,
            subaccount: opt_int(r)?,
            ts_ns: ts,
        })
    }),
    spec!("CancelAll", 4, |r, ts| {
        Ok(Command::CancelAll {
            user_id: r.str()?,
            subaccount: opt_int(r)?,
            ticker: opt_str(r)?,
            ts_ns: ts,
        })
    }),
    spec!("CreateOrderGroup", 4, |r, ts| {
        Ok(Command::CreateOrderGroup {
            user_id: r.str()?,
            subaccount: r.int()?,
            contracts_limit_c: opt_int(r)?,
            ts_ns: ts,
        })
    }),
    spec!("OrderGroupAction", 4, |r, ts| {
        Ok(Command::OrderGroupAction {
            user_id: r.str()?,
            group_id: r.str()?,
            action: literal!(r, b"reset" => "reset", b"trigger" => "trigger", b"delete" => "delete"),
            ts_ns: ts,
        })
    }),
    spec!("UpdateOrderGroupLimit", 4, |r, ts| {
        Ok(Command::UpdateOrderGroupLimit {
            user_id: r.str()?,
            group_id: r.str()?,
            contracts_limit_c: r.int()?,
            ts_ns: ts,
        })
    }),
];

/// The version a tag names: 0 for a bare type name, else the number after `/`.
fn split_tag(tag: &str) -> DResult<(&str, u32)> {
    match tag.split_once('/') {
        None => Ok((tag, 0)),
        Some((name, "1")) => Ok((name, 1)),
        Some(_) => Err(DecodeError(format!("unknown record version in tag {tag:?}"))),
    }
}

/// What a record's tag names: the type name, its table row (None for `Batch` or an unknown
/// name) and the record version. Today's tags (`"PlaceOrder/1"`) are matched whole, as
/// bytes, against the table's versioned tags, then version 0's bare names; all are ASCII,
/// so only a tag matching neither is checked as UTF-8 and split (an unknown version or
/// name is an error there, or at the caller).
fn lookup(tag: &[u8]) -> DResult<(&str, Option<&'static CommandSpec>, u32)> {
    if let Some(spec) = DECODERS.iter().find(|s| s.tag_v1.as_bytes() == tag) {
        return Ok((spec.tag, Some(spec), 1));
    }
    match tag {
        b"Batch/1" => return Ok(("Batch", None, 1)),
        b"Batch" => return Ok(("Batch", None, 0)),
        _ => {}
    }
    if let Some(spec) = DECODERS.iter().find(|s| s.tag.as_bytes() == tag) {
        return Ok((spec.tag, Some(spec), 0));
    }
    let text = std::str::from_utf8(tag).map_err(|_| DecodeError("invalid utf-8 string".into()))?;
    let (name, version) = split_tag(text)?;
    Ok((name, None, version))
}

/// Decode one command (`batch_ok`: a `Batch` is allowed here; `want`: the record version a
/// batch item must have; `last`: the payload must end after it). `envelope` is the record's
/// time, which the command takes; without it (`decode_command`) a version-0 record keeps
/// its own and a version-1 record gets 0.
#[inline(always)]
fn decode_single<'a>(
    r: &mut Reader<'a>,
    batch_ok: bool,
    want: Option<u32>,
    envelope: Option<i64>,
    last: bool,
) -> DResult<Command<'a>> {
    let n = r.array()?;
    if n == 0 {
        return Err(DecodeError("expected a tagged command".into()));
    }
    let tag = r.str_bytes()?;
    let ts = envelope.unwrap_or(0);
    // Today's order records, by name (what `lookup` and the table would find, with the same
    // checks in the same order); each row checks the end itself, so the command is built in
    // place and returned as built (a `Command` is large: a copy per record shows in callgrind).
    if want.is_none_or(|v| v == 1) {
        if eq(tag, b"PlaceOrder/1") {
            return if n == 19 { place_order(r, ts, last) } else { Err(field_count("PlaceOrder")) };
        }
        if eq(tag, b"CancelOrder/1") {
            return if n == 4 { cancel_order(r, ts, last) } else { Err(field_count("CancelOrder")) };
        }
        if eq(tag, b"AmendOrder/1") {
            return if n == 11 { amend_order(r, ts, last) } else { Err(field_count("AmendOrder")) };
        }
    }
    decode_other(r, n, tag, batch_ok, want, envelope, last)
}

#[cold]
#[inline(never)]
fn field_count(name: &str) -> DecodeError {
    DecodeError(format!("{name}: wrong number of fields"))
}

/// Decode any command through the table (`n` fields, the tag read), as `decode_single`.
#[inline(never)]
fn decode_other<'a>(
    r: &mut Reader<'a>,
    n: usize,
    tag: &'a [u8],
    batch_ok: bool,
    want: Option<u32>,
    envelope: Option<i64>,
    last: bool,
) -> DResult<Command<'a>> {
    let (name, found, version) = lookup(tag)?;
    if want.is_some_and(|v| v != version) {
        return Err(DecodeError("a batch item of another record version".into()));
    }
    // Version 0 carries the time as its last element; version 1 leaves it to the envelope.
    let inline_ts = version == 0;
    let ts = envelope.unwrap_or(0);
    if name == "Batch" && batch_ok {
        if n != if inline_ts { 3 } else { 2 } {
            return Err(DecodeError("Batch: wrong number of fields".into()));
        }
        let count = r.array()?;
        let mut items = Vec::with_capacity(count.min(4096));
        for _ in 0..count {
            items.push(decode_single(r, false, Some(version), envelope, false)?);
        }
        let ts_ns = if inline_ts { envelope.unwrap_or(r.int()?) } else { ts };
        end(r, last)?;
        return Ok(Command::Batch { items, ts_ns });
    }
    if inline_ts && (name == "Deposit" || name == "Withdraw") && n == 5 {
        // The version-0 shape written before `transfer_id` existed.
        let (user_id, amount_cc, subaccount, own_ts) = (r.str()?, r.int()?, r.int()?, r.int()?);
        end(r, last)?;
        let ts_ns = envelope.unwrap_or(own_ts);
        return Ok(if name == "Deposit" {
            Command::Deposit { ts_ns, user_id, amount_cc, subaccount, transfer_id: None }
        } else {
            Command::Withdraw { ts_ns, user_id, amount_cc, subaccount, transfer_id: None }
        });
    }
    let spec = found.ok_or_else(|| DecodeError(format!("invalid command tag {name:?}")))?;
    if n != if inline_ts { spec.fields + 1 } else { spec.fields } {
        return Err(DecodeError(format!("{name}: wrong number of fields")));
    }
    let mut command = (spec.decode)(r, ts)?;
    if inline_ts {
        // Read (and type-checked) either way; it is the command's time only without an envelope.
        let own_ts = r.int()?;
        if envelope.is_none() {
            command.set_ts(own_ts);
        }
    }
    end(r, last)?;
    Ok(command)
}

#[inline(always)]
fn decode_payload(payload: &[u8], envelope: Option<i64>) -> DResult<Command<'_>> {
    let mut r = Reader::new(payload);
    decode_single(&mut r, true, None, envelope, true)
}

/// Decode one journaled command (a single command or a `Batch` of single commands), of
/// either version; its time is a version-0 record's own, 0 for a version-1 record (whose
/// time is its envelope's: see `decode_record`).
pub fn decode_command(payload: &[u8]) -> DResult<Command<'_>> {
    decode_payload(payload, None)
}

/// Decode a journal record's payload, to be applied at the record's time `ts_ns` (the
/// envelope's; a version-0 record's own copy of it is the same, and is not used). The time
/// goes in as the command is built (no second pass over it).
pub fn decode_record(payload: &[u8], ts_ns: i64) -> DResult<Command<'_>> {
    decode_payload(payload, Some(ts_ns))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word-wise test against the plain definition, at every length an id has and with
    /// a high byte at every position (the overlapping windows must cover each one).
    #[test]
    fn ascii_finds_a_high_byte_anywhere() {
        for n in 0..80 {
            let clean = vec![b'a'; n];
            assert!(ascii(&clean), "length {n}");
            for at in 0..n {
                for high in [0x80, 0xc3, 0xff] {
                    let mut bytes = clean.clone();
                    bytes[at] = high;
                    assert!(!ascii(&bytes), "length {n}, high byte at {at}");
                }
            }
        }
    }

    /// A `Text` is the decoder's check of a `str` field: valid non-ASCII UTF-8 passes (the
    /// full check), invalid bytes are refused with `Reader::str`'s message.
    #[test]
    fn text_fields_are_checked_as_str_fields_are() {
        for bytes in [&b"u0119"[..], "ann\u{e9}".as_bytes(), b"", b"\xed\xa0\x80", b"u\xff", b"0123456789abcdef\x80"] {
            let mut doc = vec![0xa0 | bytes.len() as u8];
            doc.extend_from_slice(bytes);
            let want = Reader::new(&doc).str().map(|s| s.as_bytes());
            assert_eq!(text(&mut Reader::new(&doc)).map(Text::as_bytes), want, "{bytes:02x?}");
        }
    }
}
