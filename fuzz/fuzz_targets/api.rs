//! Control-API request lines: any bytes give a request or a parse error, never a panic; parsed
//! requests survive a JSON round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::api(data));
