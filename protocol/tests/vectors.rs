//! Test vectors: fixed keys, one message of every kind, their exact bytes and ids.
//!
//! `protocol/tests/vectors/messages.json` is committed. This test rebuilds every message from the
//! same inputs and checks the file byte for byte, then checks that the file's bytes validate and
//! decode to the bodies it lists. Regenerate (only for a deliberate format change) with
//! `SANGAM_WRITE_VECTORS=1 cargo test -p sangam-protocol --test vectors`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use sangam_protocol::audit::{OfficeType, Outcome, Ratings};
use sangam_protocol::envelope::{FORMAT_VERSION, Header, found_network, signed_bytes};
use sangam_protocol::kinds::*;
use sangam_protocol::limits::{MAX_FUTURE_SKEW_MS, MAX_MESSAGE_BYTES, MAX_TAGS, MAX_TITLE};
use sangam_protocol::validate::{validate_body, validate_envelope};
use sangam_protocol::{
    Body, ContentHash, Draft, Error, Keypair, Kind, Message, MessageId, NetworkId,
};
use serde_json::{Value, json};

const FOUNDER_SEED: [u8; 32] = [0x5a; 32];
const MEMBER_SEED: [u8; 32] = [0xa5; 32];
const SUCCESSOR_SEED: [u8; 32] = [0x3c; 32];
/// 2026-01-26T00:00:00Z in ms.
const T0: u64 = 1_769_385_600_000;
/// Later than every vector's timestamp, for validation.
const CHECK_NOW: u64 = T0 + 3_600_000;

struct Author {
    key: Keypair,
    seq: u64,
    prev: Option<MessageId>,
}

impl Author {
    fn post(&mut self, network: NetworkId, timestamp: u64, body: Body) -> Message {
        let draft = Draft {
            network,
            seq: self.seq + 1,
            prev: self.prev,
            timestamp,
            body,
        };
        let message = draft.sign(&self.key).expect("vector drafts are valid");
        self.seq += 1;
        self.prev = Some(message.id());
        message
    }
}

fn entry(name: &str, message: &Message) -> Value {
    let header = message.header();
    json!({
        "name": name,
        "author": header.author.to_string(),
        "seq": header.seq,
        "prev": header.prev.map(|p| p.to_string()),
        "timestamp": header.timestamp,
        "kind": header.kind.number(),
        "body": message.body().expect("valid").map(|b| serde_json::to_value(b).expect("json")),
        "header_hex": hex::encode(message.header_bytes()),
        "signature_hex": hex::encode(message.signature()),
        "body_hex": message.body_bytes().map(hex::encode),
        "wire_hex": hex::encode(message.wire()),
        "id": message.id().to_string(),
    })
}

fn build() -> Value {
    let mut founder = Author {
        key: Keypair::from_secret_bytes(&FOUNDER_SEED),
        seq: 0,
        prev: None,
    };
    let mut member = Author {
        key: Keypair::from_secret_bytes(&MEMBER_SEED),
        seq: 0,
        prev: None,
    };
    let genesis = found_network(
        &founder.key,
        Genesis {
            network_name: "Sangam vectors".into(),
            founder_name: "National Forum".into(),
            founded_at: T0,
        },
        T0,
    )
    .expect("valid genesis");
    let net = genesis.header().network;
    founder.seq = 1;
    founder.prev = Some(genesis.id());
    let admit = founder.post(
        net,
        T0 + 1000,
        Body::Admit(Admit {
            member: member.key.author(),
            role: Role::Member,
            name: "উত্থান কালেক্টিভ".into(),
        }),
    );
    let profile = member.post(
        net,
        T0 + 2000,
        Body::Profile(Profile {
            name: "উত্থান কালেক্টিভ".into(),
            state: "West Bengal".into(),
            district: "South 24 Parganas".into(),
            focus_areas: vec!["victim_compensation".into(), "livelihoods".into()],
            languages: vec!["Bengali".into(), "Hindi".into()],
            about: "Survivor-led collective.".into(),
        }),
    );
    let announcement = member.post(
        net,
        T0 + 3000,
        Body::Announcement(Announcement {
            title: "कार्यशाला: मुआवज़ा दावे".into(),
            body: "Workshop on compensation claims.\nAll collectives welcome.".into(),
            tags: vec!["legal".into(), "workshop".into()],
            expires_at: Some(T0 + 7 * 86_400_000),
        }),
    );
    let request = member.post(
        net,
        T0 + 4000,
        Body::MentoringRequest(MentoringRequest {
            topic: "victim_compensation".into(),
            title: "Compensation claim stuck at DLSA".into(),
            description: "Need mentoring on following up with the legal services authority.".into(),
            region: "West Bengal".into(),
            language: "Bengali".into(),
            urgency: Urgency::High,
            expires_at: None,
        }),
    );
    let offer = founder.post(
        net,
        T0 + 5000,
        Body::Offer(Offer {
            request: request.id(),
            body: "We did this in 2024; call us.".into(),
        }),
    );
    let resource = founder.post(
        net,
        T0 + 6000,
        Body::Resource(Resource {
            title: "Victim compensation scheme guide".into(),
            description: "State-by-state amounts and forms.".into(),
            tags: vec!["legal".into()],
            link: Some("https://example.org/guide".into()),
            file_hash: Some(ContentHash::of(b"guide")),
        }),
    );
    let close = member.post(
        net,
        T0 + 7000,
        Body::Close(Close {
            item: request.id(),
            note: "Resolved, thank you".into(),
        }),
    );
    let unsupported = member.post(
        net,
        T0 + 8000,
        Body::Unsupported {
            number: 42,
            bytes: vec![1, 2, 3],
        },
    );
    let withdraw = member.post(
        net,
        T0 + 8500,
        Body::Withdraw(Withdraw {
            item: announcement.id(),
        }),
    );
    let key_compromised = member.post(
        net,
        T0 + 8600,
        Body::KeyCompromised(KeyCompromised {
            reason: "The laptop was wiped after a raid".into(),
        }),
    );
    let revoke = founder.post(
        net,
        T0 + 9000,
        Body::Revoke(Revoke {
            member: member.key.author(),
            reason: "Laptop was seized".into(),
            trusted_seq: close.header().seq,
            trusted: Some(close.id()),
        }),
    );
    let mut successor = Author {
        key: Keypair::from_secret_bytes(&SUCCESSOR_SEED),
        seq: 0,
        prev: None,
    };
    // Signed by the founder key here only to fix the bytes; on a network a steward votes.
    let replace_founder = founder.post(
        net,
        T0 + 10_000,
        Body::ReplaceFounder(ReplaceFounder {
            founder: founder.key.author(),
            successor: successor.key.author(),
            name: "National Forum (new laptop)".into(),
            trusted_seq: 2,
            trusted: Some(admit.id()),
            reason: "The founder's laptop was taken on 2026-01-20".into(),
        }),
    );
    // Added with kinds 12 and 13, after every earlier vector so that those keep their bytes.
    let audit = founder.post(net, T0 + 11_000, Body::Audit(audit_body("2026-01-20", 2)));
    let endorsement = member.post(
        net,
        T0 + 12_000,
        Body::Endorsement(Endorsement {
            audit: audit.id(),
            note: "আমরাও সেদিন থানায় ছিলাম".into(),
        }),
    );
    // Added with kind 16, after every earlier vector so that those keep their bytes.
    let mut seats = vec![member.key.author(), successor.key.author()];
    seats.sort();
    let council = founder.post(
        net,
        T0 + 13_000,
        Body::Council(Council {
            term: 1,
            members: seats,
        }),
    );
    let dropped = announcement.without_body();
    // Refused inputs, each with the rule that refuses it.
    let admit_without_body = admit.without_body();
    let late = successor.post(net, T0 + 20_000, announcement_body("First"));
    let back_in_time = successor.post(net, T0 + 19_000, announcement_body("Second"));
    successor.seq = 0;
    successor.prev = None;
    let twin = successor.post(
        net,
        T0 + 20_000,
        announcement_body("First, told differently"),
    );
    successor.seq = 1;
    successor.prev = Some(late.id());
    let after_fork = successor.post(net, T0 + 21_000, announcement_body("Carrying on"));
    let stand_alone = standalone_refusals(&member.key, net, (&founder.key, &genesis));
    json!({
        "founder_seed_hex": hex::encode(FOUNDER_SEED),
        "member_seed_hex": hex::encode(MEMBER_SEED),
        "founder": founder.key.author().to_string(),
        "member": member.key.author().to_string(),
        "network_id": net.to_string(),
        "messages": [
            entry("genesis", &genesis),
            entry("admit", &admit),
            entry("profile", &profile),
            entry("announcement", &announcement),
            entry("mentoring_request", &request),
            entry("offer", &offer),
            entry("resource", &resource),
            entry("close", &close),
            entry("unsupported", &unsupported),
            entry("withdraw", &withdraw),
            entry("key_compromised", &key_compromised),
            entry("revoke", &revoke),
            entry("replace_founder", &replace_founder),
            entry("announcement_without_body", &dropped),
            entry("audit", &audit),
            entry("endorsement", &endorsement),
            entry("council", &council),
        ],
        "refused": [
            refused("body_required", "an admission without its body", &[&admit_without_body]),
            refused(
                "timestamp_went_back",
                "the second message is dated before the first it follows",
                &[&late, &back_in_time],
            ),
            refused(
                "fork",
                "two different messages with the same author and seq 1",
                &[&late, &twin],
            ),
            refused(
                "forked",
                "the author's next message, after the fork of the first two is known",
                &[&late, &twin, &after_fork],
            ),
        ],
        "refused_alone": stand_alone,
    })
}

/// Signs `header` (its body length and hash filled in from `body`) and frames it with `body`,
/// byte for byte as PROTOCOL.md §3–§5 say, for inputs the signing code would never produce.
fn hand_signed(key: &Keypair, mut header: Header, body: &[u8]) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct Wire<'a> {
        header: &'a [u8],
        signature: &'a [u8],
        body: Option<&'a [u8]>,
    }
    header.body_len = body.len() as u32;
    header.body_hash = ContentHash::of(body);
    let header_bytes = postcard::to_stdvec(&header).expect("header");
    let signature = key.sign(&signed_bytes(&header_bytes));
    postcard::to_stdvec(&Wire {
        header: &header_bytes,
        signature: &signature,
        body: Some(body),
    })
    .expect("wire")
}

/// One input per reason code that a receiver can decide from the bytes alone (envelope and
/// body rules, PROTOCOL.md §7.1–2), checked at `CHECK_NOW` in the vectors' network.
/// Refusals of one message each, by `key` (a member's) — and one by the founder, re-signing the
/// `genesis` it founded with at a later seq.
fn standalone_refusals(
    key: &Keypair,
    net: NetworkId,
    (founder, genesis): (&Keypair, &Message),
) -> Value {
    let header = |seq: u64, prev: Option<MessageId>, kind: Kind| Header {
        version: FORMAT_VERSION,
        network: net,
        author: key.author(),
        seq,
        prev,
        timestamp: T0,
        expires_at: None,
        kind,
        body_len: 0,
        body_hash: ContentHash::of(&[]),
    };
    let body = announcement_body("Workshop").encode();
    let good = hand_signed(key, header(1, None, Kind::Announcement), &body);
    let mut cases: Vec<(&str, &str, Vec<u8>)> = Vec::new();
    cases.push(("oversized", "16,385 bytes", vec![0; MAX_MESSAGE_BYTES + 1]));
    cases.push(("malformed", "not a framed message", vec![1, 2, 3]));
    let mut trailing = good.clone();
    trailing.push(0);
    cases.push((
        "malformed",
        "a valid message with one byte after it",
        trailing,
    ));
    let mut old = header(1, None, Kind::Announcement);
    old.version = 1;
    cases.push((
        "unsupported_version",
        "header version 1",
        hand_signed(key, old, &body),
    ));
    let mut elsewhere = header(1, None, Kind::Announcement);
    elsewhere.network = NetworkId([9; 32]);
    cases.push((
        "wrong_network",
        "signed for another network",
        hand_signed(key, elsewhere, &body),
    ));
    let mut not_a_point = header(1, None, Kind::Announcement);
    let mut y = [0u8; 32];
    y[0] = 2; // y = 2 is the y coordinate of no point on the curve
    not_a_point.author = sangam_protocol::AuthorId(y);
    cases.push((
        "bad_author_key",
        "an author that is no Ed25519 point",
        hand_signed(key, not_a_point, &body),
    ));
    let mut forged = good.clone();
    let at = forged.len() - body.len() - 10; // inside the signature
    forged[at] ^= 1;
    cases.push(("bad_signature", "one signature bit flipped", forged));
    let mut tampered = good.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    cases.push(("body_mismatch", "one body bit flipped", tampered));
    cases.push((
        "seq_prev_mismatch",
        "seq 2 naming no previous",
        hand_signed(key, header(2, None, Kind::Announcement), &body),
    ));
    cases.push((
        "seq_prev_mismatch",
        "seq 1 naming a previous",
        hand_signed(
            key,
            header(1, Some(MessageId([7; 32])), Kind::Announcement),
            &body,
        ),
    ));
    let mut refounding = header(2, Some(genesis.id()), Kind::Genesis);
    refounding.author = founder.author();
    cases.push((
        "invalid_genesis",
        "the founder's own genesis body again at seq 2",
        hand_signed(founder, refounding, genesis.body_bytes().expect("body")),
    ));
    cases.push((
        "seq_prev_mismatch",
        "seq 0",
        hand_signed(key, header(0, None, Kind::Announcement), &body),
    ));
    let mut ahead = header(1, None, Kind::Announcement);
    ahead.timestamp = CHECK_NOW + MAX_FUTURE_SKEW_MS + 1;
    cases.push((
        "timestamp_in_future",
        "10 minutes and 1 ms ahead",
        hand_signed(key, ahead, &body),
    ));
    let plain = header(1, None, Kind::Announcement);
    cases.push((
        "malformed_body",
        "three 0xff bytes as an announcement",
        hand_signed(key, plain.clone(), &[0xff; 3]),
    ));
    let long = announcement_body(&"x".repeat(MAX_TITLE + 1)).encode();
    cases.push((
        "field_too_long",
        "a 161-character title",
        hand_signed(key, plain.clone(), &long),
    ));
    let tags = Body::Announcement(Announcement {
        title: "Tags".into(),
        body: String::new(),
        tags: vec!["t".into(); MAX_TAGS + 1],
        expires_at: None,
    })
    .encode();
    cases.push((
        "too_many_entries",
        "17 tags",
        hand_signed(key, plain.clone(), &tags),
    ));
    cases.push((
        "field_empty",
        "an empty title",
        hand_signed(key, plain.clone(), &announcement_body("").encode()),
    ));
    cases.push((
        "field_empty",
        "a blank title (spaces only)",
        hand_signed(key, plain.clone(), &announcement_body("   ").encode()),
    ));
    let bell = announcement_body("ring\u{7}ring").encode();
    cases.push((
        "control_characters",
        "a title with BEL (U+0007)",
        hand_signed(key, plain, &bell),
    ));
    let reversed = announcement_body("\u{202E}Utthan").encode();
    cases.push((
        "invisible_characters",
        "a title starting with RIGHT-TO-LEFT OVERRIDE (U+202E)",
        hand_signed(key, header(1, None, Kind::Announcement), &reversed),
    ));
    let mut mismatched = header(1, None, Kind::Announcement);
    mismatched.expires_at = Some(T0 + 1);
    cases.push((
        "expiry_mismatch",
        "a header that expires over a body that does not",
        hand_signed(key, mismatched, &body),
    ));
    let no_such_day = Body::Audit(audit_body("2026-02-30", 2)).encode();
    cases.push((
        "invalid_field",
        "an audit dated 30 February",
        hand_signed(key, header(1, None, Kind::Audit), &no_such_day),
    ));
    let six = Body::Audit(audit_body("2026-01-20", 6)).encode();
    cases.push((
        "invalid_field",
        "an audit rating an office 6 out of 5",
        hand_signed(key, header(1, None, Kind::Audit), &six),
    ));
    let impostor = Body::Genesis(Genesis {
        network_name: "Sangam vectors".into(),
        founder_name: "Impostor".into(),
        founded_at: T0,
    })
    .encode();
    cases.push((
        "invalid_genesis",
        "a member's genesis for this network",
        hand_signed(key, header(1, None, Kind::Genesis), &impostor),
    ));
    Value::Array(
        cases
            .into_iter()
            .map(|(reason, why, wire)| json!({"reason": reason, "why": why, "wire_hex": hex::encode(wire)}))
            .collect(),
    )
}

fn audit_body(date: &str, dignity: u8) -> Audit {
    Audit {
        office_type: OfficeType::PoliceStation,
        office_name: "Canning Police Station".into(),
        district: "South 24 Parganas".into(),
        state: "West Bengal".into(),
        date: date.into(),
        sought: "FIR".into(),
        ratings: Ratings {
            responsiveness: 2,
            dignity,
            timeliness: 1,
            outcome: 0,
        },
        outcome: Outcome::Pending,
        note: "FIR registered only on the third visit.".into(),
    }
}

fn announcement_body(title: &str) -> Body {
    Body::Announcement(Announcement {
        title: title.into(),
        body: String::new(),
        tags: vec![],
        expires_at: None,
    })
}

fn refused(reason: &str, why: &str, messages: &[&Message]) -> Value {
    json!({
        "reason": reason,
        "why": why,
        "wires_hex": messages.iter().map(|m| hex::encode(m.wire())).collect::<Vec<_>>(),
    })
}

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/messages.json")
}

#[test]
fn the_code_reproduces_the_committed_vectors() {
    let built = build();
    let text = serde_json::to_string_pretty(&built).expect("json") + "\n";
    if std::env::var_os("SANGAM_WRITE_VECTORS").is_some() {
        std::fs::write(path(), &text).expect("write vectors");
    }
    let committed = std::fs::read_to_string(path()).expect("vectors file is committed");
    assert_eq!(
        committed, text,
        "the wire format changed; see this file's header"
    );
}

/// The committed vectors file and its network id.
fn committed() -> (Value, NetworkId) {
    let committed: Value =
        serde_json::from_str(&std::fs::read_to_string(path()).expect("read")).expect("json");
    let network: NetworkId = committed["network_id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("hex");
    (committed, network)
}

#[test]
fn the_committed_bytes_validate_and_decode_as_listed() {
    let (committed, network) = committed();
    let messages = committed["messages"].as_array().expect("array");
    assert_eq!(messages.len(), 17);
    for vector in messages {
        let wire = hex::decode(vector["wire_hex"].as_str().expect("hex")).expect("hex");
        let message = validate_envelope(&wire, &network, CHECK_NOW).expect("valid vector");
        assert_eq!(message.id().to_string(), vector["id"].as_str().expect("id"));
        assert_eq!(
            hex::encode(message.header_bytes()),
            vector["header_hex"].as_str().expect("hex")
        );
        assert_eq!(
            message.header().kind.number() as u64,
            vector["kind"].as_u64().expect("kind")
        );
        let body = validate_body(&message).expect("valid body");
        let body_json = body.map(|b| serde_json::to_value(b).expect("json"));
        assert_eq!(body_json.unwrap_or(Value::Null), vector["body"]);
    }
}

#[test]
fn each_refused_vector_is_refused_for_its_listed_reason() {
    use sangam_protocol::membership::{Permission, require_body};
    use sangam_protocol::validate::{Neighbours, validate_chain};
    let (committed, network) = committed();
    let refused = committed["refused"].as_array().expect("array");
    assert_eq!(refused.len(), 4);
    for vector in refused {
        let messages: Vec<Message> = vector["wires_hex"]
            .as_array()
            .expect("wires")
            .iter()
            .map(|w| {
                let wire = hex::decode(w.as_str().expect("hex")).expect("hex");
                validate_envelope(&wire, &network, CHECK_NOW).expect("each is signed correctly")
            })
            .collect();
        let reason = vector["reason"].as_str().expect("reason");
        let error = match reason {
            "body_required" => {
                let header = messages[0].header();
                require_body(
                    header,
                    messages[0].body_bytes().is_some(),
                    Permission::Act,
                    false,
                )
                .expect_err("refused")
            }
            "timestamp_went_back" => validate_chain(
                &messages[1],
                &Neighbours {
                    previous: Some(&messages[0]),
                    ..Neighbours::default()
                },
            )
            .expect_err("refused"),
            "fork" => validate_chain(
                &messages[1],
                &Neighbours {
                    existing: Some(messages[0].id()),
                    ..Neighbours::default()
                },
            )
            .expect_err("refused"),
            "forked" => {
                let fork = validate_chain(
                    &messages[1],
                    &Neighbours {
                        existing: Some(messages[0].id()),
                        ..Neighbours::default()
                    },
                )
                .expect_err("the first two fork");
                let Error::Fork { seq } = fork else {
                    panic!("{fork:?}")
                };
                validate_chain(
                    &messages[2],
                    &Neighbours {
                        forked_at: Some(seq),
                        ..Neighbours::default()
                    },
                )
                .expect_err("refused")
            }
            other => panic!("no check written for {other}"),
        };
        assert_eq!(error.reason(), reason);
    }
}

#[test]
fn each_standalone_refusal_gets_its_reason() {
    let (committed, network) = committed();
    let cases = committed["refused_alone"].as_array().expect("array");
    assert_eq!(cases.len(), 24);
    for case in cases {
        let wire = hex::decode(case["wire_hex"].as_str().expect("hex")).expect("hex");
        let reason = match validate_envelope(&wire, &network, CHECK_NOW) {
            Err(error) => error.reason(),
            Ok(message) => match validate_body(&message) {
                Err(error) => error.reason(),
                Ok(_) => "accepted",
            },
        };
        assert_eq!(reason, case["reason"], "{}", case["why"]);
    }
}
