//! The Python binding of `augury-core`: a thin `Core` class over one `Engine`.
//!
//! Everything crosses the boundary as MessagePack bytes in the encodings the Python side
//! already has: commands as the journal writes them (`augury.engine.commands`, decision
//! 0022), each applied at the time of its record's envelope (`ts_ns`), outcomes as
//! `augury_core::outcome` describes, state as the canonical document or the engine-neutral
//! snapshot. Read accessors return plain tuples for the Python views in
//! `augury.runtime.native_engine`. No Python object is built per command on the batch path.
//!
//! A batch's outcomes come back as an `Outcomes` object: a read-only buffer (the buffer
//! protocol, so msgspec and hashlib read it in place) over the room they were encoded in,
//! which goes back to its core's pool when the object is freed (decision 0059). The one
//! `unsafe` block in this crate exports that buffer; nothing else is `unsafe`.
#![deny(unsafe_code)]

use std::ffi::{c_int, c_void};
use std::sync::{Arc, Mutex};

use augury_core::msgpack::Writer;
use augury_core::outcome::encode_step;
use augury_core::{decode_record, Engine};
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use augury_core::grid::GRID_NAMES;
use pyo3::types::{PyBool, PyBytes, PyList, PyTuple};


/// Batches at least this long are applied with the GIL released, so the journal and
/// history threads run meanwhile.
const DETACH_AT: usize = 64;

/// Outcome rooms waiting to be written again, shared by a core and the `Outcomes` it
/// handed out (each gives its room back when Python frees it).
type Pool = Arc<Mutex<Vec<Vec<u8>>>>;

/// The most rooms a pool keeps (the sequencer holds one batch's outcomes at a time; a
/// caller that keeps more just gets fresh room, as it would without the pool).
const POOL_ROOMS: usize = 2;

#[pyclass(module = "augury_native", name = "Core")]
pub struct Core {
    pub engine: Engine,
    /// Outcome room kept between batches: fresh memory costs a page fault per 4 KiB
    /// written, and in the server (glibc's mmap threshold fixed at 128 KiB, decision 0057)
    /// every result of 128 KiB or more would be a fresh mapping, faulted in page by page
    /// and unmapped when freed (about 140 faults per batch of 1,024 mixed commands).
    pool: Pool,
    /// The size of the last room handed out: fresh room starts there, not at 64 KiB.
    room_hint: usize,
}

impl Core {
    fn with_engine(engine: Engine) -> Core {
        Core { engine, pool: Arc::new(Mutex::new(Vec::new())), room_hint: 1 << 16 }
    }

    /// A room for the next batch's outcomes: a pooled one, or fresh.
    fn take_room(&self) -> Vec<u8> {
        let pooled = self.pool.lock().ok().and_then(|mut p| p.pop());
        pooled.unwrap_or_else(|| vec![0; self.room_hint])
    }

    fn give_back(&self, room: Vec<u8>) {
        give_back(&self.pool, room);
    }
}

fn give_back(pool: &Pool, room: Vec<u8>) {
    // One huge batch must not pin its room for the life of the engine.
    if room.len() <= KEEP_OUT_BYTES {
        if let Ok(mut p) = pool.lock() {
            if p.len() < POOL_ROOMS {
                p.push(room);
            }
        }
    }
}

/// The encoded outcomes of one batch (the layout of `augury_core::outcome`): a read-only
/// buffer object, read in place through the buffer protocol (`msgspec.msgpack.decode`,
/// `hashlib`, `memoryview`); `bytes(outcomes)` copies them. The bytes never change while
/// the object lives: nothing writes the room until `Drop` has given it back, and every
/// exported view (a `memoryview`, a `msgspec.Raw` of a part) holds a reference to the
/// object, so it cannot be freed under them.
#[pyclass(module = "augury_native", name = "Outcomes", frozen)]
pub struct Outcomes {
    room: Vec<u8>,
    len: usize,
    pool: Pool,
}

#[allow(unsafe_code)]
#[pymethods]
impl Outcomes {
    fn __len__(&self) -> usize {
        self.len
    }

    fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.room[..self.len])
    }

    /// Export the document read-only (`PyBuffer_FillInfo` refuses a writable request and
    /// stores a new reference to this object in the view).
    ///
    /// # Safety
    /// `view` is the pointer CPython passes to `bf_getbuffer`. The pointer handed out
    /// stays valid and unchanged as long as the view holds its reference: the room is
    /// owned by this frozen object, never resized or written after construction, and only
    /// released in `Drop`, which cannot run while a view's reference is alive.
    unsafe fn __getbuffer__(slf: Bound<'_, Self>, view: *mut ffi::Py_buffer, flags: c_int) -> PyResult<()> {
        let me = slf.get();
        let len = ffi::Py_ssize_t::try_from(me.len).expect("a document fits in an isize");
        // SAFETY: see above; `view` is valid for writes (CPython's contract), and the
        // buffer is `len` initialised bytes inside `room`.
        let rc = unsafe { ffi::PyBuffer_FillInfo(view, slf.as_ptr(), me.room.as_ptr() as *mut c_void, len, 1, flags) };
        if rc == -1 {
            return Err(PyErr::fetch(slf.py()));
        }
        Ok(())
    }
}

impl Drop for Outcomes {
    fn drop(&mut self) {
        give_back(&self.pool, std::mem::take(&mut self.room));
    }
}

/// The most outcome room kept between batches (a batch that needed more gets fresh room
/// next time).
const KEEP_OUT_BYTES: usize = 1 << 21;

/// Room reserved per command in an outcome buffer (the mixed workload averages about 700
/// bytes; the buffer doubles when a batch needs more).
const OUTCOME_BYTES: usize = 1024;

fn apply_one(engine: &mut Engine, payload: &[u8], ts_ns: i64, w: &mut Writer) -> Result<(), String> {
    // The command is read where the decoder wrote it (moving it out of the `Result` copies
    // a large value per command).
    let decoded = decode_record(payload, ts_ns);
    let command = match &decoded {
        Ok(command) => command,
        Err(e) => return Err(e.0.clone()),
    };
    let step = engine.step(command);
    encode_step(engine, &step, w);
    engine.recycle(step.value);
    Ok(())
}

fn run_batch(engine: &mut Engine, items: &[&[u8]], ts_ns: i64, w: &mut Writer) -> Result<(), String> {
    for (i, p) in items.iter().enumerate() {
        apply_one(engine, p, ts_ns, w).map_err(|e| format!("command {i}: {e}"))?;
    }
    Ok(())
}

/// The bytes of each payload, borrowed: the list's bytes objects are immutable and the
/// caller's `Bound`s keep them alive while the GIL is released.
fn payload_bytes<'a, 'py>(items: &'a [Bound<'py, PyBytes>]) -> Vec<&'a [u8]> {
    items.iter().map(|b| b.as_bytes()).collect()
}

fn bytes_list<'py>(payloads: &Bound<'py, PyList>) -> PyResult<Vec<Bound<'py, PyBytes>>> {
    payloads.iter().map(|p| Ok(p.cast_into::<PyBytes>()?)).collect()
}

#[pymethods]
impl Core {
    #[new]
    fn new(instance_id: &str, id_prefix: &str, k0: u64, k1: u64) -> Self {
        Core::with_engine(Engine::new(instance_id, id_prefix, (k0, k1)))
    }

    /// Apply one journal-encoded command at time `ts_ns`; return its encoded outcome.
    fn apply<'py>(&mut self, py: Python<'py>, payload: &[u8], ts_ns: i64) -> PyResult<Bound<'py, PyBytes>> {
        let mut w = Writer::with_capacity(512);
        apply_one(&mut self.engine, payload, ts_ns, &mut w).map_err(PyValueError::new_err)?;
        Ok(PyBytes::new(py, w.as_bytes()))
    }

    /// Apply journal-encoded commands in order, all at time `ts_ns` (one sequencer batch);
    /// return one MessagePack array of outcomes as an `Outcomes` buffer. A payload that
    /// does not decode stops the batch with ValueError naming its index (the ones before it
    /// are applied).
    fn apply_batch<'py>(&mut self, py: Python<'py>, payloads: &Bound<'py, PyList>, ts_ns: i64) -> PyResult<Bound<'py, Outcomes>> {
        let owned = bytes_list(payloads)?;
        let items = payload_bytes(&owned);
        let n = items.len();
        let mut w = Writer::from_room(self.take_room());
        w.array(n);
        let engine = &mut self.engine;
        let result = if n >= DETACH_AT {
            py.detach(|| run_batch(engine, &items, ts_ns, &mut w))
        } else {
            run_batch(engine, &items, ts_ns, &mut w)
        };
        let (room, len) = w.into_room();
        if let Err(e) = result {
            self.give_back(room);
            return Err(PyValueError::new_err(e));
        }
        self.room_hint = room.len().min(KEEP_OUT_BYTES);
        Bound::new(py, Outcomes { room, len, pool: Arc::clone(&self.pool) })
    }

    /// Apply many commands packed as one MessagePack array of journal payloads (each a bin
    /// or the command array itself), all at time `ts_ns`; return the outcomes' bytes.
    fn apply_packed<'py>(&mut self, py: Python<'py>, packed: &[u8], ts_ns: i64) -> PyResult<Bound<'py, PyBytes>> {
        let mut r = augury_core::msgpack::Reader::new(packed);
        let n = r.array().map_err(|e| PyValueError::new_err(e.0))?;
        let mut w = Writer::with_capacity(OUTCOME_BYTES * n.min(1 << 16) + 16);
        w.array(n);
        for i in 0..n {
            let raw = r.raw().map_err(|e| PyValueError::new_err(format!("command {i}: {}", e.0)))?;
            apply_one(&mut self.engine, raw, ts_ns, &mut w)
                .map_err(|e| PyValueError::new_err(format!("command {i}: {e}")))?;
        }
        Ok(PyBytes::new(py, w.as_bytes()))
    }

    /// Apply journal records (payloads, each at its own time in `times`) in order until one
    /// does not decode; return the outcomes of the applied prefix (one MessagePack array, as
    /// `apply_batch`) and the decode error of the first record left unapplied, or None when
    /// all were applied. Recovery uses it so that a record the native decoder refuses is
    /// handed to the Python decoder without losing the outcomes before it.
    fn apply_prefix<'py>(
        &mut self,
        py: Python<'py>,
        payloads: &Bound<'py, PyList>,
        times: Vec<i64>,
        outcomes: bool,
    ) -> PyResult<(Bound<'py, PyBytes>, usize, Option<String>)> {
        let owned = bytes_list(payloads)?;
        let items = payload_bytes(&owned);
        if times.len() != items.len() {
            return Err(PyValueError::new_err("one time per payload"));
        }
        let engine = &mut self.engine;
        let (body, applied, error) = py.detach(|| {
            let mut w = Writer::with_capacity(if outcomes { OUTCOME_BYTES * items.len() } else { 16 });
            let mut applied = 0;
            let mut error = None;
            for (p, ts_ns) in items.iter().zip(times) {
                match decode_record(p, ts_ns) {
                    Ok(command) => {
                        let step = engine.step(&command);
                        if outcomes {
                            encode_step(engine, &step, &mut w);
                        }
                        engine.recycle(step.value);
                        applied += 1;
                    }
                    Err(e) => {
                        error = Some(e.0);
                        break;
                    }
                }
            }
            (w.into_bytes(), applied, error)
        });
        let mut out = Writer::with_capacity(body.len() + 5);
        out.array(if outcomes { applied } else { 0 });
        out.raw(&body);
        Ok((PyBytes::new(py, out.as_bytes()), applied, error))
    }

    /// Apply records (payloads, each at its time in `times`) without encoding outcomes;
    /// return how many were rejected (replay).
    fn replay(&mut self, py: Python<'_>, payloads: &Bound<'_, PyList>, times: Vec<i64>) -> PyResult<usize> {
        let owned = bytes_list(payloads)?;
        let items = payload_bytes(&owned);
        if times.len() != items.len() {
            return Err(PyValueError::new_err("one time per payload"));
        }
        let engine = &mut self.engine;
        py.detach(|| {
            let mut rejected = 0;
            for (i, (p, ts_ns)) in items.iter().zip(times).enumerate() {
                let command =
                    decode_record(p, ts_ns).map_err(|e| format!("command {i}: {}", e.0))?;
                let step = engine.step(&command);
                if step.reject.is_some() {
                    rejected += 1;
                }
                engine.recycle(step.value);
            }
            Ok::<usize, String>(rejected)
        })
        .map_err(PyValueError::new_err)
    }

    /// The canonical state document (SHA-256 of it is the state digest).
    fn canonical_state<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.engine.canonical_state())
    }

    /// The engine-neutral snapshot document of the whole state.
    fn dump_state<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.engine.dump_state())
    }

    /// Rebuild a core from an engine-neutral snapshot document.
    #[staticmethod]
    fn load_state(payload: &[u8], k0: u64, k1: u64) -> PyResult<Core> {
        Engine::load_state(payload, (k0, k1))
            .map(Core::with_engine)
            .map_err(|e| PyValueError::new_err(e.0))
    }

    /// Every broken invariant (empty when sound).
    fn audit(&self) -> Vec<String> {
        self.engine.audit()
    }

    // --- read accessors for the Python views (plain tuples, snapshots of this moment) ----

    fn market<'py>(&self, py: Python<'py>, ticker: &str) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let e = &self.engine;
        let Some(&m) = e.market_ix.get(ticker.as_bytes()) else { return Ok(None) };
        let mk = &e.markets[m as usize];
        let items: Vec<Bound<'py, PyAny>> = vec![
            mk.ticker.into_pyobject(py)?.into_any(),
            e.events[mk.event as usize].event_ticker.as_str().into_pyobject(py)?.into_any(),
            GRID_NAMES[usize::from(mk.grid)].into_pyobject(py)?.into_any(),
            mk.fees.fee_type.as_str().into_pyobject(py)?.into_any(),
            mk.fees.multiplier_e4.into_pyobject(py)?.into_any(),
            PyBool::new(py, mk.fractional).to_owned().into_any(),
            mk.lot_c.into_pyobject(py)?.into_any(),
            mk.open_ts_ns.into_pyobject(py)?.into_any(),
            mk.close_ts_ns.into_pyobject(py)?.into_any(),
            mk.settlement_timer_s.into_pyobject(py)?.into_any(),
            mk.market_type.into_pyobject(py)?.into_any(),
            PyBytes::new(py, &mk.meta).into_any(),
            mk.status.as_str().into_pyobject(py)?.into_any(),
            mk.result.into_pyobject(py)?.into_any(),
            mk.settlement_value_cc.into_pyobject(py)?.into_any(),
            mk.determined_ns.into_pyobject(py)?.into_any(),
            mk.settled_ns.into_pyobject(py)?.into_any(),
            mk.book_seq.into_pyobject(py)?.into_any(),
            mk.volume_c.into_pyobject(py)?.into_any(),
            mk.open_interest_c.into_pyobject(py)?.into_any(),
            mk.last_price_cc.into_pyobject(py)?.into_any(),
            mk.last_trade_ns.into_pyobject(py)?.into_any(),
            mk.created_ns.into_pyobject(py)?.into_any(),
            mk.updated_ns.into_pyobject(py)?.into_any(),
        ];
        Ok(Some(PyTuple::new(py, items)?))
    }

    fn market_names(&self) -> Vec<String> {
        self.engine.markets.iter().map(|m| m.ticker.to_string()).collect()
    }

    fn market_count(&self) -> usize {
        self.engine.markets.len()
    }

    fn book_levels(&self, ticker: &str, is_bid: bool) -> PyResult<Vec<(usize, i64)>> {
        let m = self.market_index(ticker)?;
        Ok(self.engine.markets[m].book.levels(is_bid))
    }

    fn level_total(&self, ticker: &str, is_bid: bool, idx: usize) -> PyResult<i64> {
        let b = &self.engine.markets[self.market_index(ticker)?].book;
        b.side(is_bid).get(idx).map(|l| l.total_c).ok_or_else(|| PyKeyError::new_err(idx))
    }

    fn book_best(&self, ticker: &str) -> PyResult<(i64, i64, usize)> {
        let b = &self.engine.markets[self.market_index(ticker)?].book;
        Ok((b.best_bid, b.best_ask, b.size))
    }

    fn book_orders_at<'py>(&self, py: Python<'py>, ticker: &str, is_bid: bool, idx: usize) -> PyResult<Vec<Bound<'py, PyTuple>>> {
        let e = &self.engine;
        let b = &e.markets[self.market_index(ticker)?].book;
        if idx >= b.size {
            return Err(PyValueError::new_err("level index out of range"));
        }
        b.orders_at(&e.orders, is_bid, idx).into_iter().map(|s| order_tuple(py, e, s)).collect()
    }

    fn book_resting<'py>(&self, py: Python<'py>, ticker: &str) -> PyResult<Vec<Bound<'py, PyTuple>>> {
        let e = &self.engine;
        let b = &e.markets[self.market_index(ticker)?].book;
        b.resting(&e.orders).into_iter().map(|s| order_tuple(py, e, s)).collect()
    }

    fn queue_position(&self, order_id: &str) -> Option<i64> {
        let e = &self.engine;
        let slot = *e.resting.get(&e.parse_id(1, order_id)?)?;
        let o = e.order(slot);
        e.markets[o.market as usize].book.queue_position(&e.orders, slot)
    }

    fn order<'py>(&self, py: Python<'py>, order_id: &str) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let e = &self.engine;
        match e.parse_id(1, order_id).and_then(|id| e.resting.get(&id)) {
            Some(&slot) => order_tuple(py, e, slot).map(Some),
            None => Ok(None),
        }
    }

    fn has_order(&self, order_id: &str) -> bool {
        let e = &self.engine;
        e.parse_id(1, order_id).is_some_and(|id| e.resting.contains_key(&id))
    }

    fn resting_ids(&self) -> Vec<String> {
        let e = &self.engine;
        let mut ids: Vec<u64> = e.resting.keys().collect();
        ids.sort_unstable();
        ids.into_iter().map(|id| e.id_text(1, id)).collect()
    }

    fn resting_count(&self) -> usize {
        self.engine.resting.len()
    }

    fn user(&self, user_id: &str) -> Option<(String, String, String, i64, i64, i64)> {
        let e = &self.engine;
        let u = &e.users[*e.user_ix.get(user_id.as_bytes())? as usize];
        Some((u.user_id.to_string(), u.name.clone(), u.tier.clone(), u.subaccounts, u.resting, u.created_ns))
    }

    fn user_ids(&self) -> Vec<String> {
        self.engine.users.iter().map(|u| u.user_id.to_string()).collect()
    }

    fn account(&self, user_id: &str, sub: i64) -> Option<(i128, i128, i64)> {
        let e = &self.engine;
        let u = *e.user_ix.get(user_id.as_bytes())?;
        let a = &e.ledger.accounts[*e.ledger.account_ix.get(&(u, sub))? as usize];
        Some((a.available_cc, a.reserved_cc, a.updated_ns))
    }

    fn accounts(&self) -> Vec<(String, i64, i128, i128, i64)> {
        let e = &self.engine;
        e.ledger
            .accounts
            .iter()
            .map(|a| (e.user_id(a.user).to_string(), a.sub, a.available_cc, a.reserved_cc, a.updated_ns))
            .collect()
    }

    fn position(&self, user_id: &str, sub: i64, ticker: &str) -> Option<PositionRow> {
        let e = &self.engine;
        let u = *e.user_ix.get(user_id.as_bytes())?;
        let a = *e.ledger.account_ix.get(&(u, sub))?;
        let m = *e.market_ix.get(ticker.as_bytes())?;
        let p = e.collateral.rec(e.collateral.find(a, m)?).position()?;
        Some(position_row(e, p as usize))
    }

    fn positions(&self) -> Vec<PositionRow> {
        (0..self.engine.ledger.positions.len()).map(|i| position_row(&self.engine, i)).collect()
    }

    fn escrow(&self) -> Vec<(String, i128)> {
        self.engine.markets.iter().filter_map(|m| m.escrow_cc.map(|v| (m.ticker.to_string(), v))).collect()
    }

    fn ledger_totals(&self) -> (i128, i128) {
        (self.engine.ledger.fee_revenue_cc, self.engine.ledger.external_cc)
    }

    fn api_keys(&self) -> Vec<(String, String, String, String, String, Vec<String>, Option<i64>, i64)> {
        self.engine
            .api_keys
            .iter()
            .map(|k| {
                (k.api_key_id.clone(), k.user_id.clone(), k.name.clone(), k.public_key_pem.clone(),
                 k.key_type.clone(), k.scopes.clone(), k.subaccount, k.created_ns)
            })
            .collect()
    }

    fn series_list<'py>(&self, py: Python<'py>) -> Vec<(String, &'static str, i64, Bound<'py, PyBytes>, i64)> {
        self.engine
            .series
            .iter()
            .map(|s| (s.ticker.clone(), s.fee_type.as_str(), s.fee_multiplier_e4, PyBytes::new(py, &s.meta), s.created_ns))
            .collect()
    }

    fn events_list<'py>(&self, py: Python<'py>) -> Vec<(String, String, bool, Bound<'py, PyBytes>, Vec<String>, i64)> {
        let e = &self.engine;
        e.events
            .iter()
            .map(|ev| {
                (ev.event_ticker.clone(), e.series[ev.series as usize].ticker.clone(), ev.mutually_exclusive,
                 PyBytes::new(py, &ev.meta),
                 ev.markets.iter().map(|&m| e.markets[m as usize].ticker.to_string()).collect(), ev.created_ns)
            })
            .collect()
    }

    fn groups(&self) -> Vec<GroupRow> {
        let e = &self.engine;
        e.groups
            .values()
            .map(|g| {
                (e.id_text(4, g.id), e.user_id(g.user).to_string(), g.sub, g.limit_c, g.triggered,
                 g.orders.iter().map(|&o| e.id_text(1, o)).collect(), g.window_c,
                 g.window.iter().copied().collect(), g.created_ns)
            })
            .collect()
    }

    fn expiring(&self) -> Vec<(String, i64)> {
        let e = &self.engine;
        let mut items: Vec<(u64, i64)> = e.expiring.iter().map(|(&id, &ts)| (id, ts)).collect();
        items.sort_unstable();
        items.into_iter().map(|(id, ts)| (e.id_text(1, id), ts)).collect()
    }

    /// The market half of the due index: (ticker, time of its next step), market order.
    fn market_due(&self) -> Vec<(String, i64)> {
        let e = &self.engine;
        let mut items: Vec<(u32, i64)> = e.market_due.iter().map(|&(ts, m)| (m, ts)).collect();
        items.sort_unstable();
        items.into_iter().map(|(m, ts)| (e.markets[m as usize].ticker.to_string(), ts)).collect()
    }

    fn collateral(&self) -> Vec<(String, i64, String, bool, i128, Vec<String>)> {
        let e = &self.engine;
        let mut rows: Vec<(String, i64, String, bool, i128, Vec<String>)> = e
            .collateral
            .iter()
            .map(|((acct, m, is_bid), g)| {
                let (u, s) = e.account_key(acct);
                let mut ids: Vec<u64> = g.slots.iter().map(|&s| e.order(s).id).collect();
                ids.sort_unstable();
                (u.to_string(), s, e.markets[m as usize].ticker.to_string(), is_bid, g.reserve_cc,
                 ids.into_iter().map(|id| e.id_text(1, id)).collect())
            })
            .collect();
        rows.sort();
        rows
    }

    fn closable(&self, user_id: &str, sub: i64, ticker: &str, is_bid: bool) -> i128 {
        let e = &self.engine;
        let found = e.user_ix.get(user_id.as_bytes()).and_then(|&u| e.ledger.account_ix.get(&(u, sub))).zip(e.market_ix.get(ticker.as_bytes()));
        match found {
            Some((&a, &m)) => e.closable(a, m, is_bid),
            None => 0,
        }
    }

    #[getter]
    fn now_ns(&self) -> i64 {
        self.engine.now_ns
    }

    #[getter]
    fn instance_id(&self) -> String {
        self.engine.instance_id.clone()
    }

    #[getter]
    fn id_prefix(&self) -> String {
        self.engine.id_prefix.clone()
    }

    #[getter]
    fn trading_paused(&self) -> bool {
        self.engine.trading_paused
    }

    #[getter]
    fn id_counter(&self) -> u64 {
        self.engine.id_counter
    }

    #[getter]
    fn queue_counter(&self) -> u64 {
        self.engine.queue_counter
    }
}

impl Core {
    fn market_index(&self, ticker: &str) -> PyResult<usize> {
        self.engine
            .market_ix
            .get(ticker.as_bytes())
            .map(|&m| m as usize)
            .ok_or_else(|| PyKeyError::new_err(ticker.to_string()))
    }
}

type PositionRow = (String, i64, String, i128, i128, i128, i128, i128, i128, i64, bool, i64);
type GroupRow = (String, String, i64, Option<i64>, bool, Vec<String>, i128, Vec<(i64, i64)>, i64);

fn position_row(e: &Engine, i: usize) -> PositionRow {
    let p = &e.ledger.positions[i];
    let (u, s) = e.account_key(p.acct);
    (u.to_string(), s, e.markets[p.market as usize].ticker.to_string(), p.position_c, p.exposure_fine,
     p.total_traded_fine, p.traded_c, p.realized_fine, p.fees_paid_cc, p.resting_orders, p.settled, p.updated_ns)
}

/// An order as the values of `augury.engine.orders.Order.__slots__`, in that order.
fn order_tuple<'py>(py: Python<'py>, e: &Engine, slot: u32) -> PyResult<Bound<'py, PyTuple>> {
    let o = e.order(slot);
    let (user, sub) = (e.user_id(o.user), o.sub());
    let group = o.order_group_id().map(|g| e.id_text(4, g));
    let items: Vec<Bound<'py, PyAny>> = vec![
        PyBool::new(py, o.cancel_on_pause).to_owned().into_any(),
        (*o.client_order_id).into_pyobject(py)?.into_any(),
        o.created_ns.into_pyobject(py)?.into_any(),
        o.expiration_ts_ns().into_pyobject(py)?.into_any(),
        o.fee_acc_fine.into_pyobject(py)?.into_any(),
        o.fee_lot_cc.into_pyobject(py)?.into_any(),
        o.fill_c.into_pyobject(py)?.into_any(),
        o.initial_c.into_pyobject(py)?.into_any(),
        PyBool::new(py, o.is_bid).to_owned().into_any(),
        (user, sub).into_pyobject(py)?.into_any(),
        o.legacy_action().into_pyobject(py)?.into_any(),
        o.legacy_side().into_pyobject(py)?.into_any(),
        PyBool::new(py, o.live).to_owned().into_any(),
        o.lot_c().into_pyobject(py)?.into_any(),
        o.fills().maker_fees_cc.into_pyobject(py)?.into_any(),
        o.fills().maker_fill_cost_fine.into_pyobject(py)?.into_any(),
        group.into_pyobject(py)?.into_any(),
        e.id_text(1, o.id).into_pyobject(py)?.into_any(),
        o.order_type().into_pyobject(py)?.into_any(),
        o.outcome_limit_cc().into_pyobject(py)?.into_any(),
        PyBool::new(py, o.post_only).to_owned().into_any(),
        o.price_cc.into_pyobject(py)?.into_any(),
        o.price_idx.into_pyobject(py)?.into_any(),
        o.queue_seq.into_pyobject(py)?.into_any(),
        PyBool::new(py, o.reduce_only).to_owned().into_any(),
        o.remaining_c.into_pyobject(py)?.into_any(),
        o.self_trade_prevention.as_str().into_pyobject(py)?.into_any(),
        o.status.as_str().into_pyobject(py)?.into_any(),
        o.fills().taker_fees_cc.into_pyobject(py)?.into_any(),
        o.fills().taker_fill_cost_fine.into_pyobject(py)?.into_any(),
        (*e.markets[o.market as usize].ticker).into_pyobject(py)?.into_any(),
        o.time_in_force.as_str().into_pyobject(py)?.into_any(),
        o.updated_ns.into_pyobject(py)?.into_any(),
    ];
    PyTuple::new(py, items)
}

#[pymodule]
fn augury_native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Core>()?;
    m.add_class::<Outcomes>()?;
    Ok(())
}
