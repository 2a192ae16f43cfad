//! Test vectors for everything on the wire besides messages: the hello and its answers, the
//! admission proof, the invite line, each sync frame, the version-vector digest and the gossip
//! message id. `protocol/tests/vectors/wire.json` is committed; this test rebuilds every value
//! from fixed inputs and checks the file byte for byte, then decodes every committed hex string
//! and checks it equals the value it names and encodes back to the same bytes (both ways).
//! Regenerate (only for a deliberate format change) with
//! `SANGAM_WRITE_VECTORS=1 cargo test -p sangam-protocol --test wire_vectors`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use sangam_protocol::envelope::{Envelope, found_network, message_id_for};
use sangam_protocol::invite::Invite;
use sangam_protocol::kinds::{Admit, Announcement, Genesis};
use sangam_protocol::membership::AdmissionProof;
use sangam_protocol::sync::{SyncRequest, SyncResponse, VersionVector, Want};
use sangam_protocol::transport::{Hello, HelloReply, ProtocolIds, gossip_topic};
use sangam_protocol::{Body, Draft, Keypair, Message, Role};
use serde_json::{Value, json};

const FOUNDER_SEED: [u8; 32] = [0x5a; 32];
const MEMBER_SEED: [u8; 32] = [0xa5; 32];
/// 2026-01-26T00:00:00Z in ms.
const T0: u64 = 1_769_385_600_000;

/// The fixed network: genesis, the member's admission, one announcement by the member.
fn messages() -> (Message, Message, Message) {
    let founder = Keypair::from_secret_bytes(&FOUNDER_SEED);
    let member = Keypair::from_secret_bytes(&MEMBER_SEED);
    let genesis = found_network(
        &founder,
        Genesis {
            network_name: "Sangam vectors".into(),
            founder_name: "National Forum".into(),
            founded_at: T0,
        },
        T0,
    )
    .unwrap();
    let network = genesis.header().network;
    let admit = Draft {
        network,
        seq: 2,
        prev: Some(genesis.id()),
        timestamp: T0 + 1000,
        body: Body::Admit(Admit {
            member: member.author(),
            role: Role::Member,
            name: "Utthan".into(),
        }),
    }
    .sign(&founder)
    .unwrap();
    let post = Draft {
        network,
        seq: 1,
        prev: None,
        timestamp: T0 + 2000,
        body: Body::Announcement(Announcement {
            title: "Workshop".into(),
            body: String::new(),
            tags: vec![],
            expires_at: None,
        }),
    }
    .sign(&member)
    .unwrap();
    (genesis, admit, post)
}

/// The gossipsub message id of a message (PROTOCOL.md §9): its id, then `01` with a body, `00`
/// without.
fn gossip_id(wire: &[u8]) -> Vec<u8> {
    let envelope = Envelope::parse(wire).unwrap();
    let mut id = message_id_for(envelope.header_bytes).as_bytes().to_vec();
    id.push(u8::from(envelope.body.is_some()));
    id
}

fn build() -> Value {
    let (genesis, admit, post) = messages();
    let network = genesis.header().network;
    let member = Keypair::from_secret_bytes(&MEMBER_SEED).author();
    let proof = AdmissionProof {
        genesis: genesis.wire().to_vec(),
        admits: vec![admit.wire().to_vec()],
    };
    let founder_hello = Hello {
        network,
        proof: None,
    };
    let member_hello = Hello {
        network,
        proof: Some(proof.clone()),
    };
    let invite = Invite {
        proof: proof.clone(),
        addresses: vec![format!(
            "/ip4/192.0.2.7/tcp/7117/p2p/{}",
            genesis.header().author.peer_id()
        )],
    };
    let mut vector = VersionVector::new();
    vector.set(genesis.header().author, 2);
    vector.set(member, 1);
    let hex = |bytes: &[u8]| hex::encode(bytes);
    json!({
        "network_id": network.to_string(),
        "gossip_topic": gossip_topic(&network),
        "protocol_ids": {
            "hello": ProtocolIds::of(&network).hello,
            "sync": ProtocolIds::of(&network).sync,
            "kad": ProtocolIds::of(&network).kad,
        },
        "hello_founder_hex": hex(&founder_hello.encode()),
        "hello_member_hex": hex(&member_hello.encode()),
        "hello_reply_welcome_hex": hex(&HelloReply::Welcome.encode()),
        "hello_reply_admitted_hex": hex(&HelloReply::Admitted.encode()),
        "hello_reply_refused_hex": hex(&HelloReply::Refused.encode()),
        "admission_proof_hex": hex(&postcard::to_stdvec(&proof).unwrap()),
        "invite": invite.encode(),
        "vector": vector.iter().map(|(a, s)| json!([a.to_string(), s])).collect::<Vec<_>>(),
        "vector_digest_hex": hex(&vector.digest()),
        "sync_digest_hex": hex(&SyncRequest::Digest(vector.digest()).encode()),
        "sync_want_hex": hex(&SyncRequest::Want(vec![Want { author: member, after: 0 }]).encode()),
        "sync_in_sync_hex": hex(&SyncResponse::InSync.encode()),
        "sync_vector_hex": hex(&SyncResponse::Vector(vector.clone()).encode()),
        "sync_batch_hex": hex(&SyncResponse::Batch {
            messages: vec![post.wire().to_vec()],
            complete: true,
        }
        .encode()),
        "sync_vector_with_forks_hex": hex(&SyncResponse::VectorWithForks {
            vector: vector.clone(),
            proofs: vec![post.without_body().into_wire(), admit.without_body().into_wire()],
        }
        .encode()),
        "gossip_id_with_body_hex": hex(&gossip_id(post.wire())),
        "gossip_id_without_body_hex": hex(&gossip_id(post.without_body().wire())),
    })
}

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/wire.json")
}

fn committed() -> Value {
    serde_json::from_str(&std::fs::read_to_string(path()).expect("wire.json is committed"))
        .expect("json")
}

fn bytes(value: &Value, field: &str) -> Vec<u8> {
    hex::decode(value[field].as_str().expect(field)).expect("hex")
}

#[test]
fn the_code_reproduces_the_committed_wire_vectors() {
    let text = serde_json::to_string_pretty(&build()).expect("json") + "\n";
    if std::env::var_os("SANGAM_WRITE_VECTORS").is_some() {
        std::fs::write(path(), &text).expect("write vectors");
    }
    let on_disk = std::fs::read_to_string(path()).expect("wire.json is committed");
    assert_eq!(
        on_disk, text,
        "the wire format changed; see this file's header"
    );
}

#[test]
fn the_committed_wire_bytes_decode_to_what_they_name_and_back() {
    let v = committed();
    let (genesis, admit, post) = messages();
    let network = genesis.header().network;
    let proof = AdmissionProof {
        genesis: genesis.wire().to_vec(),
        admits: vec![admit.wire().to_vec()],
    };
    let member = Keypair::from_secret_bytes(&MEMBER_SEED).author();

    let hello = Hello::decode(&bytes(&v, "hello_founder_hex")).unwrap();
    assert_eq!(
        hello,
        Hello {
            network,
            proof: None
        }
    );
    assert_eq!(hello.encode(), bytes(&v, "hello_founder_hex"));
    let hello = Hello::decode(&bytes(&v, "hello_member_hex")).unwrap();
    assert_eq!(hello.proof.as_ref(), Some(&proof));
    assert_eq!(hello.encode(), bytes(&v, "hello_member_hex"));
    // The proof in it admits the member, and no one else.
    let proven = proof.verify(&member, T0 + 3_600_000).unwrap();
    assert_eq!(proven.role, Role::Member);
    for (field, reply) in [
        ("hello_reply_welcome_hex", HelloReply::Welcome),
        ("hello_reply_admitted_hex", HelloReply::Admitted),
        ("hello_reply_refused_hex", HelloReply::Refused),
    ] {
        assert_eq!(HelloReply::decode(&bytes(&v, field)).unwrap(), reply);
        assert_eq!(reply.encode(), bytes(&v, field));
    }
    let decoded: AdmissionProof = postcard::from_bytes(&bytes(&v, "admission_proof_hex")).unwrap();
    assert_eq!(decoded, proof);

    let invite = Invite::decode(v["invite"].as_str().unwrap()).unwrap();
    assert_eq!(invite.proof, proof);
    assert_eq!(invite.encode(), v["invite"].as_str().unwrap());

    let mut vector = VersionVector::new();
    vector.set(genesis.header().author, 2);
    vector.set(member, 1);
    assert_eq!(vector.digest().to_vec(), bytes(&v, "vector_digest_hex"));
    let requests = [
        ("sync_digest_hex", SyncRequest::Digest(vector.digest())),
        (
            "sync_want_hex",
            SyncRequest::Want(vec![Want {
                author: member,
                after: 0,
            }]),
        ),
    ];
    for (field, request) in requests {
        assert_eq!(SyncRequest::decode(&bytes(&v, field)).unwrap(), request);
        assert_eq!(request.encode(), bytes(&v, field));
    }
    let responses = [
        ("sync_in_sync_hex", SyncResponse::InSync),
        ("sync_vector_hex", SyncResponse::Vector(vector.clone())),
        (
            "sync_vector_with_forks_hex",
            SyncResponse::VectorWithForks {
                vector,
                proofs: vec![
                    post.without_body().into_wire(),
                    admit.without_body().into_wire(),
                ],
            },
        ),
        (
            "sync_batch_hex",
            SyncResponse::Batch {
                messages: vec![post.wire().to_vec()],
                complete: true,
            },
        ),
    ];
    for (field, response) in responses {
        assert_eq!(SyncResponse::decode(&bytes(&v, field)).unwrap(), response);
        assert_eq!(response.encode(), bytes(&v, field));
    }
    assert_eq!(
        bytes(&v, "gossip_id_with_body_hex"),
        [post.id().as_bytes().as_slice(), &[1]].concat()
    );
    assert_eq!(
        bytes(&v, "gossip_id_without_body_hex"),
        [post.id().as_bytes().as_slice(), &[0]].concat()
    );
    assert_eq!(v["gossip_topic"], format!("sangam/1/{network}"));
    // The protocol ids, recomputed from the spec's words rather than the code's function.
    let key = blake3::derive_key("sangam 2026-12 protocol ids v1", network.as_bytes());
    let tag = hex::encode(&key[..16]);
    assert_eq!(v["protocol_ids"]["hello"], format!("/{tag}/hello/2"));
    assert_eq!(v["protocol_ids"]["sync"], format!("/{tag}/sync/2"));
    assert_eq!(v["protocol_ids"]["kad"], format!("/{tag}/kad/2"));
}
