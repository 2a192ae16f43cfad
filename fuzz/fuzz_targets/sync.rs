//! Sync frames: any bytes give a request/response or an error; decoded frames round-trip, and a
//! responder answering any decoded request stays within the batch bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::sync(data));
