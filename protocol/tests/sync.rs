//! The catch-up state machine, driven between two in-memory holders of messages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use common::*;
use sangam_protocol::limits::MAX_BATCH_MESSAGES;
use sangam_protocol::sync::*;
use sangam_protocol::validate::validate_envelope;
use sangam_protocol::{AuthorId, Error, Keypair, NetworkId};

/// Messages held by one side, by (author, seq), as wire bytes.
#[derive(Default)]
struct Holder {
    messages: BTreeMap<(AuthorId, u64), Vec<u8>>,
}

impl Holder {
    fn vector(&self) -> VersionVector {
        let mut vector = VersionVector::new();
        for (author, seq) in self.messages.keys() {
            if *seq == vector.get(author) + 1 {
                vector.set(*author, *seq);
            }
        }
        vector
    }

    fn ingest(&mut self, wire: Vec<u8>, network: &NetworkId) {
        let message = validate_envelope(&wire, network, NOW).expect("peers send valid messages");
        let header = message.header();
        self.messages.insert((header.author, header.seq), wire);
    }

    fn fetch(&self, author: &AuthorId, seq: u64) -> Option<Vec<u8>> {
        self.messages.get(&(*author, seq)).cloned()
    }
}

/// Runs one pull session of `local` from `remote`; returns (outcome, bytes sent both ways, rounds).
fn pull(local: &mut Holder, remote: &Holder, network: &NetworkId) -> (SessionEnd, usize, u32) {
    let (mut session, mut request) = SyncSession::start(&local.vector());
    let mut bytes = 0;
    loop {
        let request_bytes = request.encode();
        bytes += request_bytes.len();
        let received = SyncRequest::decode(&request_bytes).unwrap();
        let response = respond(&received, &remote.vector(), Vec::new, |a, s| {
            remote.fetch(a, s)
        });
        let response_bytes = response.encode();
        bytes += response_bytes.len();
        let response = SyncResponse::decode(&response_bytes).unwrap();
        let mut step = session.handle(response, &local.vector()).unwrap();
        if let Step::Ingest(messages) = step {
            for wire in messages {
                local.ingest(wire, network);
            }
            step = session.after_ingest(&local.vector()).unwrap();
        }
        match step {
            Step::Send(next) => request = next,
            Step::Done(outcome) => return (outcome, bytes, session.rounds()),
            Step::Ingest(_) | Step::Proofs(_) => {
                unreachable!("no batch follows a batch, and this responder knows no fork")
            }
        }
    }
}

fn populate(holder: &mut Holder, authors: &[Keypair], per_author: usize, network: NetworkId) {
    for key in authors {
        let mut feed = Feed::new(Keypair::from_secret_bytes(&key.secret_bytes()), network);
        for i in 0..per_author {
            let message = feed.post(announcement(&format!("post {i}")));
            holder
                .messages
                .insert((feed.author(), feed.seq), message.into_wire());
        }
    }
}

#[test]
fn two_holders_in_sync_confirm_it_in_one_round_trip_with_few_bytes() {
    // 100 authors at 1,000 messages each: only the vectors matter for the check.
    let mut vector = VersionVector::new();
    for n in 0..100u8 {
        vector.set(key(n).author(), 1000);
    }
    let (mut session, request) = SyncSession::start(&vector);
    let response = respond(&request, &vector, Vec::new, |_, _| None);
    let bytes = request.encode().len() + response.encode().len();
    assert_eq!(
        session.handle(response, &vector).unwrap(),
        Step::Done(SessionEnd::InSync)
    );
    assert_eq!(session.rounds(), 1);
    assert!(bytes < 2048, "{bytes} bytes");
}

#[test]
fn a_holder_that_missed_messages_catches_up_and_bytes_follow_the_difference() {
    let network = network().1.network;
    let authors: Vec<Keypair> = (10..30).map(key).collect();
    let mut remote = Holder::default();
    populate(&mut remote, &authors, 60, network);
    let mut local = Holder::default();
    // The local side already has the first 50 of every author.
    for ((author, seq), wire) in &remote.messages {
        if *seq <= 50 {
            local.messages.insert((*author, *seq), wire.clone());
        }
    }
    let (outcome, bytes, _) = pull(&mut local, &remote, &network);
    assert_eq!(outcome, SessionEnd::CaughtUp);
    assert_eq!(local.messages, remote.messages);
    let missing: usize = remote
        .messages
        .iter()
        .filter(|((_, s), _)| *s > 50)
        .map(|(_, w)| w.len())
        .sum();
    let vectors = 2 * 20 * (32 + 9);
    assert!(
        bytes <= missing + vectors + 200,
        "{bytes} bytes for {missing} missing"
    );
}

#[test]
fn large_differences_arrive_in_bounded_batches() {
    let network = network().1.network;
    let mut remote = Holder::default();
    populate(&mut remote, &[key(40)], 1300, network);
    let mut local = Holder::default();
    let (outcome, _, rounds) = pull(&mut local, &remote, &network);
    assert_eq!(outcome, SessionEnd::CaughtUp);
    assert_eq!(local.messages.len(), 1300);
    // Digest, then three batches of at most MAX_BATCH_MESSAGES.
    assert_eq!(
        rounds,
        1 + 1300usize.div_ceil(sangam_protocol::limits::MAX_BATCH_MESSAGES) as u32
    );
}

#[test]
fn a_responder_that_sends_nothing_new_ends_the_session() {
    let network = network().1.network;
    let mut remote = Holder::default();
    populate(&mut remote, &[key(41)], 3, network);
    let local = Holder::default();
    let (mut session, _) = SyncSession::start(&local.vector());
    let step = session
        .handle(SyncResponse::Vector(remote.vector()), &local.vector())
        .unwrap();
    assert!(matches!(step, Step::Send(SyncRequest::Want(_))));
    // The responder claims more but sends an empty, incomplete batch.
    let empty = SyncResponse::Batch {
        messages: vec![],
        complete: false,
    };
    assert_eq!(
        session.handle(empty, &local.vector()).unwrap(),
        Step::Ingest(vec![])
    );
    assert_eq!(
        session.after_ingest(&local.vector()).unwrap(),
        Step::Done(SessionEnd::Stalled)
    );
}

#[test]
fn answers_out_of_turn_are_errors_not_panics() {
    let vector = VersionVector::new();
    let (mut session, _) = SyncSession::start(&vector);
    let batch = SyncResponse::Batch {
        messages: vec![],
        complete: true,
    };
    assert!(matches!(
        session.handle(batch, &vector),
        Err(Error::InvalidSync(_))
    ));
    assert!(matches!(
        session.after_ingest(&vector),
        Err(Error::InvalidSync(_))
    ));
}

#[test]
fn malformed_and_oversized_sync_frames_are_rejected() {
    assert!(matches!(
        SyncRequest::decode(&[7, 1, 2]),
        Err(Error::InvalidSync(_))
    ));
    assert!(matches!(
        SyncResponse::decode(&[]),
        Err(Error::InvalidSync(_))
    ));
    let mut with_extra = SyncRequest::Digest([0; 32]).encode();
    with_extra.push(0);
    assert!(matches!(
        SyncRequest::decode(&with_extra),
        Err(Error::InvalidSync(_))
    ));
    let too_many = SyncResponse::Batch {
        messages: vec![vec![]; sangam_protocol::limits::MAX_BATCH_MESSAGES + 1],
        complete: true,
    };
    assert!(matches!(
        SyncResponse::decode(&too_many.encode()),
        Err(Error::InvalidSync(_))
    ));
    let huge = vec![0u8; sangam_protocol::limits::MAX_SYNC_FRAME_BYTES + 1];
    assert!(matches!(
        SyncResponse::decode(&huge),
        Err(Error::Oversized { .. })
    ));
}

#[test]
fn vectors_count_only_contiguous_messages() {
    let network = network().1.network;
    let mut holder = Holder::default();
    populate(&mut holder, &[key(42)], 5, network);
    holder.messages.remove(&(key(42).author(), 3));
    assert_eq!(holder.vector().get(&key(42).author()), 2);
    assert_eq!(holder.vector().total(), 2);
}

#[test]
fn sync_frames_have_the_bytes_protocol_md_describes() {
    assert_eq!(
        SyncRequest::Digest([0xaa; 32]).encode(),
        [&[0x00][..], &[0xaa; 32]].concat()
    );
    let author = AuthorId([0x11; 32]);
    assert_eq!(
        SyncRequest::Want(vec![Want { author, after: 300 }]).encode(),
        [&[0x01, 0x01][..], &[0x11; 32], &[0xac, 0x02]].concat()
    );
    assert_eq!(SyncResponse::InSync.encode(), [0x00]);
    let mut vector = VersionVector::new();
    vector.set(author, 300);
    assert_eq!(
        SyncResponse::Vector(vector).encode(),
        [&[0x01, 0x01][..], &[0x11; 32], &[0xac, 0x02]].concat()
    );
    let batch = SyncResponse::Batch {
        messages: vec![vec![7, 8]],
        complete: true,
    };
    assert_eq!(batch.encode(), [0x02, 0x01, 0x02, 0x07, 0x08, 0x01]);
}

#[test]
fn fork_proofs_come_with_the_vector_and_are_ingested_before_the_wants() {
    let mut remote = VersionVector::new();
    remote.set(key(1).author(), 3);
    let local = VersionVector::new();
    let proofs = vec![vec![1, 2, 3], vec![4, 5, 6]];
    let (mut session, request) = SyncSession::start(&local);
    let response = respond(&request, &remote, || proofs.clone(), |_, _| None);
    assert!(matches!(response, SyncResponse::VectorWithForks { .. }));
    let decoded = SyncResponse::decode(&response.encode()).unwrap();
    // The session goes on as after a plain vector; the proofs are ingested last, once the
    // admissions the session brings are known.
    let next = session.handle(decoded, &local).unwrap();
    assert!(matches!(next, Step::Send(SyncRequest::Want(_))), "{next:?}");
    let batch = SyncResponse::Batch {
        messages: vec![],
        complete: true,
    };
    assert_eq!(session.handle(batch, &local).unwrap(), Step::Ingest(vec![]));
    assert_eq!(session.after_ingest(&local).unwrap(), Step::Proofs(proofs));
    assert_eq!(
        session.after_ingest(&local).unwrap(),
        Step::Done(SessionEnd::CaughtUp)
    );
    // Equal digests need no proofs: one round trip, as before.
    let (mut same, request) = SyncSession::start(&remote);
    let response = respond(&request, &remote, || vec![vec![9]], |_, _| None);
    assert_eq!(
        same.handle(response, &remote).unwrap(),
        Step::Done(SessionEnd::InSync)
    );
}

#[test]
fn a_frame_announcing_too_many_entries_is_refused_before_they_are_read() {
    use proptest::prelude::*;
    // Variant, then a count past the limit, then almost nothing: the count alone refuses it.
    let frame = |variant: u8, count: u64| {
        let mut bytes = vec![variant];
        let mut rest = count;
        loop {
            let byte = (rest & 0x7f) as u8;
            rest >>= 7;
            if rest == 0 {
                bytes.push(byte);
                break;
            }
            bytes.push(byte | 0x80);
        }
        bytes.extend([0u8; 8]);
        bytes
    };
    let limits = sangam_protocol::limits::MAX_BATCH_MESSAGES as u64;
    let authors = sangam_protocol::limits::MAX_VECTOR_AUTHORS as u64;
    proptest!(|(extra in 1u64..1_000_000_000)| {
        prop_assert_eq!(
            SyncResponse::decode(&frame(2, limits + extra)),
            Err(Error::InvalidSync("its batch holds too many messages"))
        );
        prop_assert_eq!(
            SyncResponse::decode(&frame(1, authors + extra)),
            Err(Error::InvalidSync("its version vector lists too many authors"))
        );
        prop_assert_eq!(
            SyncRequest::decode(&frame(1, authors + extra)),
            Err(Error::InvalidSync("it wants too many authors at once"))
        );
    });
}

#[test]
fn acts_above_gaps_ride_with_the_batch_that_completes_an_answer_and_no_other() {
    let mut remote = VersionVector::new();
    remote.set(key(1).author(), 600);
    let acts = || (0..100u8).map(|n| vec![n]).collect::<Vec<_>>();
    let want = SyncRequest::Want(vec![Want {
        author: key(1).author(),
        after: 0,
    }]);
    // 600 messages wanted: the first batch is full and carries none of the acts.
    let first = respond_with(&want, &remote, Vec::new, acts, |_, seq| {
        Some(seq.to_be_bytes().to_vec())
    });
    match first {
        SyncResponse::Batch { messages, complete } => {
            assert!(!complete);
            assert_eq!(messages.len(), MAX_BATCH_MESSAGES);
        }
        other => panic!("{other:?}"),
    }
    // The rest completes the answer and carries the acts, at most MAX_GAP_ACTS of them.
    let rest = SyncRequest::Want(vec![Want {
        author: key(1).author(),
        after: MAX_BATCH_MESSAGES as u64,
    }]);
    match respond_with(&rest, &remote, Vec::new, acts, |_, seq| {
        Some(seq.to_be_bytes().to_vec())
    }) {
        SyncResponse::Batch { messages, complete } => {
            assert!(complete);
            let wanted = 600 - MAX_BATCH_MESSAGES;
            assert_eq!(messages.len(), wanted + MAX_GAP_ACTS);
            assert_eq!(messages[wanted], vec![0]);
        }
        other => panic!("{other:?}"),
    }
    // A digest is answered as before.
    let (_, digest) = SyncSession::start(&VersionVector::new());
    assert!(matches!(
        respond_with(&digest, &remote, Vec::new, acts, |_, _| None),
        SyncResponse::Vector(_)
    ));
}
