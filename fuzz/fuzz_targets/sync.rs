//! Sync frames: any bytes give a request/response or an error; decoded frames round-trip, and a
//! responder answering any decoded request stays within the batch bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sangam_protocol::limits::MAX_BATCH_MESSAGES;
use sangam_protocol::sync::{SyncRequest, SyncResponse, VersionVector, respond};

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = SyncRequest::decode(data) {
        assert_eq!(SyncRequest::decode(&request.encode()).ok(), Some(request.clone()));
        let mut vector = VersionVector::new();
        if let SyncRequest::Want(wants) = &request {
            for want in wants.iter().take(4) {
                vector.set(want.author, want.after.saturating_add(3).min(5000));
            }
        }
        if let SyncResponse::Batch { messages, .. } = respond(&request, &vector, |_, _| Some(vec![0; 8])) {
            assert!(messages.len() <= MAX_BATCH_MESSAGES);
        }
    }
    if let Ok(response) = SyncResponse::decode(data) {
        assert_eq!(SyncResponse::decode(&response.encode()).ok(), Some(response));
    }
});
