//! The encoding of outcomes handed back to Python: one MessagePack array per command,
//! `[reason, message, kind, value, events]`. `reason`/`message` are nil for an accepted
//! command; `kind` says how to read `value`: 0 a plain value (string, integer, boolean,
//! list of strings or nil), 1 one `OrderUpdate`, 2 `[old, new]` `OrderUpdate`s (an amend),
//! 3 a list of outcomes (a `Batch`, whose own event list is empty: its events are its
//! items'), 4 the index of the event that IS the value (an `OrderUpdate` equal to one of
//! the command's own events, as a placement's result usually is: the Python engine returns
//! that very event, and the binding hands back the same object instead of a second copy,
//! about 180 bytes less to write and to decode per placement). Events are written as msgspec writes them (`events::encode_event`), so the
//! Python side decodes everything with msgspec, in C, into the engine's own event classes.

use crate::events::{encode_events, encode_order};
use crate::events::{Event, OrderSnap};
use crate::exchange::{Engine, Outcome, Step, Value};
use crate::msgpack::{str_max, Out, Writer, HEADER_MAX, INT_MAX};
use crate::rejects::Reject;

/// Write an owned outcome.
pub fn encode_outcome(e: &Engine, o: &Outcome, w: &mut Writer) {
    encode_parts(e, o.reject.as_ref(), &o.value, &o.events, w);
}

/// Write the outcome of the engine's last `step` (its events are still in the engine).
pub fn encode_step(e: &Engine, step: &Step, w: &mut Writer) {
    encode_parts(e, step.reject.as_ref(), &step.value, e.events(), w);
}

/// The index of the last event that is an `OrderUpdate` of the same order equal to `snap`
/// in every field (so the two encode to the same bytes).
fn same_event(events: &[Event], snap: &OrderSnap) -> Option<usize> {
    let i = events.iter().rposition(|ev| matches!(ev, Event::Order(s) if s.id == snap.id))?;
    match &events[i] {
        Event::Order(s) if **s == *snap => Some(i),
        _ => None,
    }
}

fn encode_parts(e: &Engine, reject: Option<&Reject>, value: &Value, events: &[Event], w: &mut Writer) {
    // The usual accepted command (its value one of its events, or none): everything up to
    // the events in one frame (one room check where the parts took three).
    if reject.is_none() {
        let index = match value {
            Value::Event(i) => Some(*i),
            Value::None => None,
            _ => return encode_general(e, reject, value, events, w),
        };
        w.framed::<{ 3 + 1 + INT_MAX + HEADER_MAX }, _>(|c| {
            c.put_array(&[0x95, 0xc0, 0xc0]);
            match index {
                Some(i) => {
                    debug_assert!(matches!(events.get(i), Some(Event::Order(_))), "the value is an order event");
                    c.put(4);
                    c.int(i as i64);
                }
                None => c.put_array(&[0, 0xc0]),
            }
            c.array(events.len());
        });
        encode_events(e, events, w);
        return;
    }
    encode_general(e, reject, value, events, w)
}

/// `encode_parts` for any outcome.
fn encode_general(e: &Engine, reject: Option<&Reject>, value: &Value, events: &[Event], w: &mut Writer) {
    // The array and the refusal (or two nils), after one room check.
    let head_max = 1 + reject.map_or(2, |r| str_max(r.reason.as_str()) + str_max(&r.message));
    w.bounded(head_max, |c| {
        c.array(5);
        match reject {
            Some(r) => {
                c.str(r.reason.as_str());
                c.str(&r.message);
            }
            None => {
                c.nil();
                c.nil();
            }
        }
    });
    match value {
        Value::None => w.bounded(2, |c| {
            c.int(0);
            c.nil();
        }),
        Value::Str(s) => {
            w.int(0);
            w.str(s);
        }
        Value::Int(v) => {
            w.int(0);
            w.int128(*v);
        }
        Value::Bool(b) => {
            w.int(0);
            w.bool(*b);
        }
        Value::StrList(items) => {
            w.int(0);
            w.array(items.len());
            for s in items {
                w.str(s);
            }
        }
        Value::Order(snap) => match same_event(events, snap) {
            Some(i) => w.bounded(1 + INT_MAX, |c| {
                c.int(4);
                c.int(i as i64);
            }),
            None => {
                w.int(1);
                encode_order(e, snap, w);
            }
        },
        Value::Event(i) => {
            debug_assert!(matches!(events.get(*i), Some(Event::Order(_))), "the value is an order event");
            w.bounded(1 + INT_MAX, |c| {
                c.int(4);
                c.int(*i as i64);
            })
        }
        Value::Amend(old, new) => {
            w.int(2);
            w.array(2);
            encode_order(e, old, w);
            encode_order(e, new, w);
        }
        Value::Batch(items) => {
            w.int(3);
            w.array(items.len());
            for item in items {
                encode_outcome(e, item, w);
            }
        }
    }
    w.array(events.len());
    encode_events(e, events, w);
}
