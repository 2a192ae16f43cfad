//! USB bundles, plain and sealed: any bytes give a bundle or a plain error; a real bundle cut or
//! changed anywhere is refused, and a sealed one opens only unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::bundle(data));
