//! Every receiver-side rule of PROTOCOL.md §7 (version 2), each broken by one crafted message fed through the
//! ledger's intake (the door gossip and sync both use): the message is refused with exactly the
//! reason code the spec names, and nothing of it is stored. Messages the node's own signing code
//! would never produce are built by hand, byte for byte as §3–§5 describe.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use sangam_node::ledger::{Ledger, Verdict};
use sangam_node::store::Store;
use sangam_protocol::envelope::{FORMAT_VERSION, Header, signed_bytes};
use sangam_protocol::kinds::{Admit, Announcement, Genesis, Offer};
use sangam_protocol::limits::{MAX_FUTURE_SKEW_MS, MAX_MESSAGE_BYTES, MAX_TAGS, MAX_TITLE};
use sangam_protocol::{
    AuthorId, Body, ContentHash, Draft, Keypair, Kind, MessageId, NetworkId, Role,
};
use serde::Serialize;

const NOW: u64 = 1_800_000_000_000;

/// The framing of §3, written out here as a third party would.
#[derive(Serialize)]
struct Wire<'a> {
    header: &'a [u8],
    signature: &'a [u8],
    body: Option<&'a [u8]>,
}

/// Signs `header` (with the body's length and hash filled in) and frames it with `body`.
fn hand_signed(key: &Keypair, mut header: Header, body: &[u8]) -> Vec<u8> {
    header.body_len = body.len() as u32;
    header.body_hash = ContentHash::of(body);
    let header_bytes = postcard::to_stdvec(&header).unwrap();
    let signature = key.sign(&signed_bytes(&header_bytes));
    postcard::to_stdvec(&Wire {
        header: &header_bytes,
        signature: &signature,
        body: Some(body),
    })
    .unwrap()
}

/// A header for `author`'s message `seq` (no previous) of `kind` in `network`.
fn header(author: AuthorId, network: NetworkId, seq: u64, kind: Kind) -> Header {
    Header {
        version: FORMAT_VERSION,
        network,
        author,
        seq,
        prev: None,
        timestamp: NOW,
        expires_at: None,
        kind,
        body_len: 0,
        body_hash: ContentHash::of(&[]),
    }
}

fn announcement(title: &str, tags: Vec<String>) -> Body {
    Body::Announcement(Announcement {
        title: title.into(),
        body: String::new(),
        tags,
        expires_at: None,
    })
}

fn signed(
    key: &Keypair,
    network: NetworkId,
    seq: u64,
    prev: Option<MessageId>,
    body: Body,
) -> Vec<u8> {
    Draft {
        network,
        seq,
        prev,
        timestamp: NOW,
        body,
    }
    .sign(key)
    .unwrap()
    .into_wire()
}

/// The receiving node: a network with the founder, a member and an observer.
struct Receiver {
    ledger: Ledger,
    network: NetworkId,
    _temp: tempfile::TempDir,
}

fn receiver() -> Receiver {
    let temp = tempfile::tempdir().unwrap();
    let founder = Keypair::from_secret_bytes(&[1; 32]);
    let member = Keypair::from_secret_bytes(&[2; 32]);
    let observer = Keypair::from_secret_bytes(&[3; 32]);
    let mut ledger = Ledger::open(Store::open(temp.path()).unwrap()).unwrap();
    ledger.found(&founder, "Rules", "Founder", NOW).unwrap();
    for (key, role) in [(&member, Role::Member), (&observer, Role::Observer)] {
        let admit = Body::Admit(Admit {
            member: key.author(),
            role,
            name: format!("{role:?}"),
        });
        ledger.publish(&founder, admit, NOW).unwrap();
    }
    let network = ledger.network().unwrap();
    Receiver {
        ledger,
        network,
        _temp: temp,
    }
}

/// How many messages the ledger holds, all kinds together.
fn held(ledger: &Ledger) -> usize {
    Kind::KNOWN
        .iter()
        .map(|kind| ledger.store().all_of_kind(*kind).unwrap().len())
        .sum()
}

/// Feeds `wire` to the receiver; it must be refused with `reason` and leave nothing behind.
fn refused(receiver: &mut Receiver, wire: Vec<u8>, reason: &str) {
    let before = held(&receiver.ledger);
    let result = receiver
        .ledger
        .ingest_batch(&[wire], NOW)
        .unwrap()
        .remove(0);
    match result {
        Verdict::Refused(rule) => assert_eq!(rule.reason(), reason, "{rule}"),
        other => panic!("expected `{reason}`, got {other:?}"),
    }
    assert_eq!(
        held(&receiver.ledger),
        before,
        "`{reason}` left something stored"
    );
}

#[test]
fn every_receiver_rule_refuses_its_crafted_violation_with_its_reason() {
    let mut r = receiver();
    let network = r.network;
    let member = Keypair::from_secret_bytes(&[2; 32]);
    let good = signed(&member, network, 1, None, announcement("fine", vec![]));

    // 1. Envelope.
    refused(&mut r, vec![0; MAX_MESSAGE_BYTES + 1], "oversized");
    refused(&mut r, vec![1, 2, 3], "malformed");
    let mut extra = good.clone();
    extra.push(0);
    refused(&mut r, extra, "malformed");
    let body = announcement("from another version", vec![]).encode();
    // Version 1 (before membership settled causally), 2 (before words could be taken back), 3
    // (before the recovery council) and a future version 5 alike.
    for version in [1, 2, 3, 5] {
        let mut other = header(member.author(), network, 1, Kind::Announcement);
        other.version = version;
        refused(
            &mut r,
            hand_signed(&member, other, &body),
            "unsupported_version",
        );
    }
    refused(
        &mut r,
        signed(
            &member,
            NetworkId([9; 32]),
            1,
            None,
            announcement("elsewhere", vec![]),
        ),
        "wrong_network",
    );
    // y = 2 is not the y coordinate of any point on the curve.
    let mut not_a_point = [0u8; 32];
    not_a_point[0] = 2;
    let no_key = header(AuthorId(not_a_point), network, 1, Kind::Announcement);
    refused(
        &mut r,
        hand_signed(&member, no_key, &body),
        "bad_author_key",
    );
    let mut forged = good.clone();
    let at = forged.len() - body_of(&good).len() - 10; // inside the signature
    forged[at] ^= 1;
    refused(&mut r, forged, "bad_signature");
    let mut tampered = good.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    refused(&mut r, tampered, "body_mismatch");
    let no_prev = header(member.author(), network, 2, Kind::Announcement);
    refused(
        &mut r,
        hand_signed(&member, no_prev, &body),
        "seq_prev_mismatch",
    );
    let mut zero = header(member.author(), network, 0, Kind::Announcement);
    zero.prev = None;
    refused(
        &mut r,
        hand_signed(&member, zero, &body),
        "seq_prev_mismatch",
    );
    let future = Draft {
        network,
        seq: 1,
        prev: None,
        timestamp: NOW + MAX_FUTURE_SKEW_MS + 60_000,
        body: announcement("tomorrow", vec![]),
    }
    .sign(&member)
    .unwrap()
    .into_wire();
    refused(&mut r, future, "timestamp_in_future");

    // 2. Body.
    let garbage = header(member.author(), network, 1, Kind::Announcement);
    refused(
        &mut r,
        hand_signed(&member, garbage.clone(), &[0xff, 0xff, 0xff]),
        "malformed_body",
    );
    let long = announcement(&"a".repeat(MAX_TITLE + 1), vec![]).encode();
    refused(
        &mut r,
        hand_signed(&member, garbage.clone(), &long),
        "field_too_long",
    );
    let tags = announcement("tags", vec!["t".into(); MAX_TAGS + 1]).encode();
    refused(
        &mut r,
        hand_signed(&member, garbage.clone(), &tags),
        "too_many_entries",
    );
    let empty = announcement("", vec![]).encode();
    refused(
        &mut r,
        hand_signed(&member, garbage.clone(), &empty),
        "field_empty",
    );
    let bell = announcement("ring\u{7}ring", vec![]).encode();
    refused(
        &mut r,
        hand_signed(&member, garbage.clone(), &bell),
        "control_characters",
    );
    let reversed = announcement("\u{202E}Utthan", vec![]).encode();
    refused(
        &mut r,
        hand_signed(&member, garbage.clone(), &reversed),
        "invisible_characters",
    );
    // A header that says the words lapse when the body says they do not: a stripped copy
    // could then pass as expired.
    let mut expiring = garbage;
    expiring.expires_at = Some(NOW - 1);
    refused(
        &mut r,
        hand_signed(&member, expiring, &body),
        "expiry_mismatch",
    );
    let genesis = Body::Genesis(Genesis {
        network_name: "Rules".into(),
        founder_name: "Impostor".into(),
        founded_at: NOW,
    });
    refused(
        &mut r,
        signed(&member, network, 1, None, genesis),
        "invalid_genesis",
    );

    // 3. Permission.
    let stranger = Keypair::from_secret_bytes(&[9; 32]);
    refused(
        &mut r,
        signed(
            &stranger,
            network,
            1,
            None,
            announcement("let me in", vec![]),
        ),
        "not_a_member",
    );
    let observer = Keypair::from_secret_bytes(&[3; 32]);
    refused(
        &mut r,
        signed(
            &observer,
            network,
            1,
            None,
            announcement("observers only read", vec![]),
        ),
        "role_not_allowed",
    );
    let admit = Body::Admit(Admit {
        member: stranger.author(),
        role: Role::Member,
        name: "Friend".into(),
    });
    refused(
        &mut r,
        signed(&member, network, 1, None, admit),
        "role_not_allowed",
    );

    // 4. Chain: the member's seq 1 is stored; another seq 1 is a fork, a seq 2 that does not
    //    link to it breaks the chain.
    let accepted = r
        .ledger
        .ingest_batch(std::slice::from_ref(&good), NOW)
        .unwrap()
        .remove(0);
    assert!(matches!(accepted, Verdict::Stored(_)), "{accepted:?}");
    let wrong_prev = signed(
        &member,
        network,
        2,
        Some(MessageId([5; 32])),
        announcement("not after my first", vec![]),
    );
    refused(&mut r, wrong_prev, "seq_prev_mismatch");
    let good_id = sangam_protocol::envelope::Envelope::parse(&good)
        .map(|e| sangam_protocol::envelope::message_id_for(e.header_bytes))
        .unwrap();
    let back_in_time = Draft {
        network,
        seq: 2,
        prev: Some(good_id),
        timestamp: NOW - 1,
        body: announcement("dated before my first", vec![]),
    }
    .sign(&member)
    .unwrap()
    .into_wire();
    refused(&mut r, back_in_time, "timestamp_went_back");
    let held_before_fork = held(&r.ledger);
    let other_first = signed(&member, network, 1, None, announcement("rewritten", vec![]));
    let fork = r
        .ledger
        .ingest_batch(&[other_first], NOW)
        .unwrap()
        .remove(0);
    match fork {
        Verdict::Refused(rule) => assert_eq!(rule.reason(), "fork"),
        other => panic!("expected `fork`, got {other:?}"),
    }
    assert_eq!(
        held(&r.ledger),
        held_before_fork,
        "a fork's second message is not stored"
    );
    // Once forked, the feed is frozen: even a message that links correctly is refused.
    let after_fork = signed(
        &member,
        network,
        2,
        Some(good_id),
        announcement("carrying on", vec![]),
    );
    refused(&mut r, after_fork, "forked");

    // 5. References: an offer must answer a mentoring request (here: an announcement).
    let announcement_id = sangam_protocol::envelope::Envelope::parse(&good)
        .map(|e| sangam_protocol::envelope::message_id_for(e.header_bytes))
        .unwrap();
    let founder = Keypair::from_secret_bytes(&[1; 32]);
    let founder_next = r.ledger.store().contiguous(&founder.author()).unwrap() + 1;
    let founder_prev = r
        .ledger
        .store()
        .id_at(&founder.author(), founder_next - 1)
        .unwrap();
    let offer = Body::Offer(Offer {
        request: announcement_id,
        body: "I can help".into(),
    });
    let offer_wire = signed(&founder, network, founder_next, founder_prev, offer);
    refused(&mut r, offer_wire.clone(), "bad_reference");
    // A withdrawal of another collective's post (the member's announcement, by the founder).
    let withdraw = Body::Withdraw(sangam_protocol::kinds::Withdraw {
        item: announcement_id,
    });
    let withdraw_wire = signed(&founder, network, founder_next, founder_prev, withdraw);
    refused(&mut r, withdraw_wire, "bad_reference");

    // 6. Body presence: an offer (a kind others act on) without its body.
    let stripped = sangam_protocol::Message::from_trusted_bytes(offer_wire)
        .unwrap()
        .without_body()
        .into_wire();
    refused(&mut r, stripped, "body_required");
}

/// The body bytes of a well-formed message (the part after the signature).
fn body_of(wire: &[u8]) -> Vec<u8> {
    sangam_protocol::envelope::Envelope::parse(wire)
        .unwrap()
        .body
        .unwrap()
        .to_vec()
}
