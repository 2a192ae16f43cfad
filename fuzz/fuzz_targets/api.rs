//! Control-API request lines: any bytes give a request or a parse error, never a panic; parsed
//! requests survive a JSON round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sangam_protocol::api::Request;

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = serde_json::from_slice::<Request>(data) {
        let text = serde_json::to_string(&request).expect("requests encode");
        assert_eq!(serde_json::from_str::<Request>(&text).ok(), Some(request));
    }
});
