//! What each fuzz target checks, as plain functions: the fuzz targets call them with libFuzzer's
//! inputs, and the main test suite (protocol/tests/fuzz_corpora.rs) replays every committed corpus
//! file through them, so a regression a fuzzer once found is caught by `cargo test`.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use sangam_protocol::AuthorId;
use sangam_protocol::NetworkId;
use sangam_protocol::api::Request;
use sangam_protocol::envelope::Envelope;
use sangam_protocol::invite::Invite;
use sangam_protocol::limits::MAX_BATCH_MESSAGES;
use sangam_protocol::sync::{SyncRequest, SyncResponse, VersionVector, respond};
use sangam_protocol::validate::{validate_body, validate_envelope};
use sangam_protocol::{Body, Kind};

/// Control-API request lines: any bytes give a request or a parse error, never a panic; parsed
/// requests survive a JSON round trip.
pub fn api(data: &[u8]) {
    if let Ok(request) = serde_json::from_slice::<Request>(data) {
        let text = serde_json::to_string(&request).expect("requests encode");
        assert_eq!(serde_json::from_str::<Request>(&text).ok(), Some(request));
    }
}

/// Every body kind: the first two bytes pick the kind number, the rest is the body. Whatever
/// decodes re-encodes to the same bytes, and field checks never panic.
pub fn bodies(data: &[u8]) {
    if data.len() < 2 {
        return;
    }
    let kind = Kind::from_number(u16::from_le_bytes([data[0], data[1]]) % 16);
    if let Ok(body) = Body::decode(kind, &data[2..]) {
        let _ = body.check_fields();
        let again = Body::decode(kind, &body.encode()).expect("an encoded body decodes");
        assert_eq!(again, body);
        // A sealed body that cannot open says so; it never panics, whatever its parts hold.
        if let Body::Sealed(sealed) = &body {
            let key = sangam_protocol::Keypair::from_secret_bytes(&[6; 32]);
            let secret = sangam_protocol::sealed::SealingSecret::of(&key);
            let reader = sealed.recipients.first().copied().unwrap_or(key.author());
            let _ = sealed.open(&NetworkId([0; 32]), &key.author(), &reader, &secret);
        }
    }
}

/// Envelope decoding and validation: any bytes give a message or an error, never a panic; a
/// message that validates has a body that decodes or errors cleanly.
pub fn envelope(data: &[u8]) {
    // The network named by the bytes themselves, so signed inputs from the corpus can validate.
    let network = Envelope::parse(data)
        .map(|e| e.header.network)
        .unwrap_or(NetworkId([0; 32]));
    if let Ok(message) = validate_envelope(data, &network, u64::MAX / 2) {
        let _ = validate_body(&message);
        let dropped = message.without_body();
        assert_eq!(dropped.id(), message.id());
        assert!(validate_envelope(dropped.wire(), &network, u64::MAX / 2).is_ok());
    }
}

/// Invites: any text gives an invite or a plain error; a decoded invite's proof is checked
/// without panicking, whatever it holds.
pub fn invite(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Also try the bytes as an invite's payload, which reaches the proof checks far more often.
    let wrapped = format!(
        "sangam-invite-1:{}",
        text.replace(
            |c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_',
            ""
        )
    );
    for candidate in [text, wrapped.as_str()] {
        if let Ok(invite) = Invite::decode(candidate) {
            let _ = invite.proof.verify(&AuthorId([7; 32]), u64::MAX / 2);
            assert_eq!(Invite::decode(&invite.encode()).ok(), Some(invite));
        }
    }
}

/// Sync frames: any bytes give a request/response or an error; decoded frames round-trip, and a
/// responder answering any decoded request stays within the batch bounds.
pub fn sync(data: &[u8]) {
    if let Ok(request) = SyncRequest::decode(data) {
        assert_eq!(
            SyncRequest::decode(&request.encode()).ok(),
            Some(request.clone())
        );
        let mut vector = VersionVector::new();
        if let SyncRequest::Want(wants) = &request {
            for want in wants.iter().take(4) {
                vector.set(want.author, want.after.saturating_add(3).min(5000));
            }
        }
        if let SyncResponse::Batch { messages, .. } =
            respond(&request, &vector, Vec::new, |_, _| Some(vec![0; 8]))
        {
            assert!(messages.len() <= MAX_BATCH_MESSAGES);
        }
    }
    if let Ok(response) = SyncResponse::decode(data) {
        assert_eq!(
            SyncResponse::decode(&response.encode()).ok(),
            Some(response)
        );
    }
}

/// USB bundles: any bytes read as a bundle or a plain error, never a panic; a real bundle reads
/// back as written, and the same bundle cut anywhere or changed anywhere (by the input) is
/// refused.
pub fn bundle(data: &[u8]) {
    use sangam_protocol::Keypair;
    use sangam_protocol::bundle::{read_bundle, write_bundle};
    let network = NetworkId([3; 32]);
    let _ = read_bundle(data, &network);
    let key = Keypair::from_secret_bytes(&[5; 32]);
    let messages: Vec<Vec<u8>> = data.chunks(7).take(20).map(<[u8]>::to_vec).collect();
    let whole = write_bundle(&key, network, 1, VersionVector::new(), &messages);
    assert_eq!(
        read_bundle(&whole, &network).map(|b| b.messages),
        Ok(messages)
    );
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let cut = usize::from(first) * 7 % whole.len();
    assert!(
        read_bundle(&whole[..cut], &network).is_err(),
        "cut at {cut}"
    );
    let mut damaged = whole.clone();
    for (i, byte) in rest.iter().enumerate() {
        let at = (usize::from(first) * 31 + i * 131) % damaged.len();
        damaged[at] ^= byte;
    }
    if damaged != whole {
        assert!(
            read_bundle(&damaged, &network).is_err(),
            "a changed bundle was read"
        );
    }
    sealed_bundle(data, &whole, &key);
}

/// Sealed bundles: any bytes give a plain error for a reader; a sealed bundle opens for its
/// readers to exactly the plain one, and changed anywhere does not open.
fn sealed_bundle(data: &[u8], whole: &[u8], writer: &sangam_protocol::Keypair) {
    use sangam_protocol::Keypair;
    use sangam_protocol::bundle::sealed::{SealBundle, open_bundle, sealed_header};
    use sangam_protocol::sealed::{SealingSecret, randomness_for};
    let reader = Keypair::from_secret_bytes(&[6; 32]);
    let secret = SealingSecret::of(&reader);
    let _ = sealed_header(data);
    let _ = open_bundle(data, &reader.author(), &secret);
    let sealed = SealBundle {
        network: NetworkId([3; 32]),
        writer: (writer.author(), SealingSecret::of(writer).public()),
        written_at: 1,
        recipients: &[(reader.author(), secret.public())],
    }
    .seal(whole, &[9; 96][..randomness_for(2)])
    .expect("a bundle seals");
    let opened = open_bundle(&sealed, &reader.author(), &secret).expect("opens for its reader");
    assert_eq!(&opened[..], whole);
    let mut damaged = sealed.clone();
    for (i, byte) in data.iter().enumerate() {
        let at = (i * 131 + 7) % damaged.len();
        damaged[at] ^= byte;
    }
    if damaged != sealed {
        assert!(
            open_bundle(&damaged, &reader.author(), &secret).is_err(),
            "a changed sealed bundle opened"
        );
    }
}
