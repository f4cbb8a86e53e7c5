//! Augury's exchange engine and ledger in Rust: the same state machine as the Python
//! engine (`augury.engine`, `augury.ledger`, `augury.domain`), which stays the executable
//! specification. Pure: no Python, no I/O, no clock, no randomness (time, ids and hash keys
//! are injected); integer money throughout. See docs/decisions/0036-native-engine.md.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod audit;
pub mod book;
pub mod catalog;
pub mod chunked;
pub mod commands;
pub mod domain;
pub mod events;
pub mod exchange;
pub mod fees;
pub mod grid;
pub mod groups;
pub mod hash;
pub mod holdings;
pub mod ledger;
pub mod maintenance;
pub mod model;
pub mod order_index;
pub mod msgpack;
pub mod outcome;
pub mod rejects;
pub mod snapshot;
pub mod state;
pub mod trading;
pub mod units;

pub use commands::{decode_command, decode_record, Command};
pub use exchange::{Engine, Outcome, Step, Value};
