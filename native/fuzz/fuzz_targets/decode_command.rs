//! Fuzz the journal command decoder, and apply whatever decodes to a fresh engine: neither
//! may panic on any input (a panic is a crash libFuzzer reports with its input).
#![no_main]

use augury_core::{decode_command, Engine};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(command) = decode_command(data) {
        let mut engine = Engine::new("fuzz", "0123abcd", (1, 2));
        let _ = engine.apply(&command);
    }
});
