//! Envelope decoding and validation: any bytes give a message or an error, never a panic; a
//! message that validates has a body that decodes or errors cleanly.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::envelope(data));
