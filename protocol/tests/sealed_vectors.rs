//! Test vectors for sealed messages and sealed bundles (PROTOCOL.md §15): fixed identity keys,
//! fixed randomness, every intermediate value, the exact bytes.
//!
//! `protocol/tests/vectors/sealed.json` is committed. This test rebuilds it from the same inputs
//! and checks it byte for byte, then checks that the committed bytes validate, open for their
//! readers to the listed body, and do not open for anyone else. Regenerate (only for a
//! deliberate format change) with `SANGAM_WRITE_VECTORS=1 cargo test -p sangam-protocol --test
//! sealed_vectors`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use sangam_protocol::bundle::sealed::{SealBundle, open_bundle};
use sangam_protocol::bundle::{read_bundle, write_bundle};
use sangam_protocol::kinds::Offer;
use sangam_protocol::seal::SealRequest;
use sangam_protocol::sealed::{SealingKey, SealingSecret, pad, randomness_for};
use sangam_protocol::sync::VersionVector;
use sangam_protocol::validate::{validate_body, validate_envelope};
use sangam_protocol::{Body, Draft, Error, Keypair, Message, MessageId, NetworkId};
use serde_json::{Value, json};

/// The requester (the vectors' founder, "National Forum").
const REQUESTER_SEED: [u8; 32] = [0x5a; 32];
/// The offer's author (the vectors' member, "উত্থান কালেক্টিভ").
const AUTHOR_SEED: [u8; 32] = [0xa5; 32];
/// Someone else in the network: it stores the offer and cannot read it.
const OTHER_SEED: [u8; 32] = [0x3c; 32];
/// 2026-01-26T00:00:00Z in ms, as in `messages.json`.
const T0: u64 = 1_769_385_600_000;
/// Content key, then one ephemeral HPKE input (ikmE) per reader.
const CONTENT_KEY: [u8; 32] = [0x42; 32];
const EPHEMERAL: [[u8; 32]; 2] = [[0x43; 32], [0x44; 32]];

fn network() -> NetworkId {
    "637bd11651440fe370f4c31648a70707e6728a05ad5cede19cd5e53173518cb7"
        .parse()
        .unwrap()
}

/// The `mentoring_request` vector of `messages.json`, which the offer answers.
fn request() -> MessageId {
    "8dd01a3b8b9b9b4a65bafcd930f22909f247ef4efe222ab3a986a5bb1acdc801"
        .parse()
        .unwrap()
}

fn randomness() -> Vec<u8> {
    let mut bytes = CONTENT_KEY.to_vec();
    for ikm in EPHEMERAL {
        bytes.extend_from_slice(&ikm);
    }
    assert_eq!(bytes.len(), randomness_for(2));
    bytes
}

fn offer() -> Body {
    Body::Offer(Offer {
        request: request(),
        body: "মীনা দিদিকে ফোন করুন: 98300 12345. Saturday 10am, DLSA office.".into(),
    })
}

/// A standalone signed message (seq 100 after a fixed previous id: chains are not the point).
fn signed(key: &Keypair, timestamp: u64, body: Body) -> Message {
    Draft {
        network: network(),
        seq: 100,
        prev: Some(MessageId([0x11; 32])),
        timestamp,
        body,
    }
    .sign(key)
    .unwrap()
}

fn collective(seed: [u8; 32]) -> Value {
    let key = Keypair::from_secret_bytes(&seed);
    let ikm = blake3::derive_key("sangam 2026-12 sealing key v1", &seed);
    json!({
        "identity_seed_hex": hex::encode(seed),
        "author": key.author().to_string(),
        "sealing_ikm_hex": hex::encode(ikm),
        "sealing_public_hex": SealingSecret::of(&key).public().to_string(),
    })
}

fn build() -> Value {
    let requester = Keypair::from_secret_bytes(&REQUESTER_SEED);
    let author = Keypair::from_secret_bytes(&AUTHOR_SEED);
    let requester_key = SealingSecret::of(&requester).public();
    let author_key = SealingSecret::of(&author).public();
    let key_message = signed(
        &author,
        T0 + 50_000,
        Body::SealingKey(SealingKey { key: author_key }),
    );
    let recipients = [(requester.author(), requester_key)];
    let sealed = SealRequest {
        network: network(),
        author: author.author(),
        author_key,
        recipients: &recipients,
        body: &offer(),
    }
    .seal_with(&randomness())
    .unwrap();
    let message = signed(&author, T0 + 51_000, Body::Sealed(sealed.clone()));
    let binding_fields = (
        network(),
        author.author(),
        vec![requester.author()],
        sangam_protocol::Kind::Offer,
        Some(request()),
    );
    let binding = blake3::derive_key(
        "sangam 2026-12 sealed binding v1",
        &postcard::to_stdvec(&binding_fields).unwrap(),
    );
    let plain_bundle = write_bundle(
        &author,
        network(),
        T0 + 60_000,
        VersionVector::new(),
        &[key_message.wire().to_vec(), message.wire().to_vec()],
    );
    let sealed_bundle = SealBundle {
        network: network(),
        writer: (author.author(), author_key),
        written_at: T0 + 60_000,
        recipients: &recipients,
    }
    .seal(&plain_bundle, &randomness())
    .unwrap();
    json!({
        "network_id": network().to_string(),
        "requester": collective(REQUESTER_SEED),
        "author": collective(AUTHOR_SEED),
        "other": collective(OTHER_SEED),
        "sealing_key": {
            "body": serde_json::to_value(Body::SealingKey(SealingKey { key: author_key })).unwrap(),
            "wire_hex": hex::encode(key_message.wire()),
            "id": key_message.id().to_string(),
        },
        "sealed_offer": {
            "inner_body": serde_json::to_value(offer()).unwrap(),
            "inner_body_hex": hex::encode(offer().encode()),
            "padded_plaintext_hex": hex::encode(&pad(&offer().encode())[..]),
            "content_key_hex": hex::encode(CONTENT_KEY),
            "ephemeral_ikm_hex": EPHEMERAL.iter().map(hex::encode).collect::<Vec<_>>(),
            "binding_hex": hex::encode(binding),
            "body": serde_json::to_value(Body::Sealed(sealed.clone())).unwrap(),
            "body_hex": hex::encode(Body::Sealed(sealed).encode()),
            "wire_hex": hex::encode(message.wire()),
            "id": message.id().to_string(),
        },
        "sealed_bundle": {
            "plain_hex": hex::encode(&plain_bundle),
            "content_key_hex": hex::encode(CONTENT_KEY),
            "ephemeral_ikm_hex": EPHEMERAL.iter().map(hex::encode).collect::<Vec<_>>(),
            "sealed_hex": hex::encode(&sealed_bundle),
        },
    })
}

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/sealed.json")
}

fn committed() -> Value {
    serde_json::from_str(&std::fs::read_to_string(path()).expect("committed")).expect("json")
}

fn bytes(value: &Value) -> Vec<u8> {
    hex::decode(value.as_str().expect("hex string")).expect("hex")
}

#[test]
fn the_code_reproduces_the_committed_sealed_vectors() {
    let text = serde_json::to_string_pretty(&build()).expect("json") + "\n";
    if std::env::var_os("SANGAM_WRITE_VECTORS").is_some() {
        std::fs::write(path(), &text).expect("write vectors");
    }
    let committed = std::fs::read_to_string(path()).expect("vectors file is committed");
    assert_eq!(
        committed, text,
        "the sealed format changed; see this file's header"
    );
}

#[test]
fn the_committed_sealed_offer_opens_for_its_readers_only() {
    let vectors = committed();
    let wire = bytes(&vectors["sealed_offer"]["wire_hex"]);
    let message = validate_envelope(&wire, &network(), T0 + 3_600_000).expect("valid");
    let Some(Body::Sealed(sealed)) = validate_body(&message).expect("valid body") else {
        panic!("a sealed body");
    };
    let author = message.header().author;
    let inner: Body =
        serde_json::from_value(vectors["sealed_offer"]["inner_body"].clone()).expect("body");
    for (seed, opens) in [
        (REQUESTER_SEED, true),
        (AUTHOR_SEED, true),
        (OTHER_SEED, false),
    ] {
        let key = Keypair::from_secret_bytes(&seed);
        let opened = sealed.open(&network(), &author, &key.author(), &SealingSecret::of(&key));
        match opens {
            true => assert_eq!(opened, Ok(inner.clone())),
            false => assert_eq!(
                opened,
                Err(Error::CannotOpen("it was not sealed for this collective"))
            ),
        }
    }
    // The words appear nowhere in the bytes the network carries.
    assert!(!wire.windows(5).any(|w| w == b"12345"));
}

#[test]
fn the_committed_sealed_bundle_opens_to_the_plain_one() {
    let vectors = committed();
    let sealed = bytes(&vectors["sealed_bundle"]["sealed_hex"]);
    let plain = bytes(&vectors["sealed_bundle"]["plain_hex"]);
    let requester = Keypair::from_secret_bytes(&REQUESTER_SEED);
    let opened =
        open_bundle(&sealed, &requester.author(), &SealingSecret::of(&requester)).expect("opens");
    assert_eq!(&opened[..], &plain[..]);
    assert_eq!(read_bundle(&opened, &network()).unwrap().messages.len(), 2);
    let other = Keypair::from_secret_bytes(&OTHER_SEED);
    assert!(open_bundle(&sealed, &other.author(), &SealingSecret::of(&other)).is_err());
}
