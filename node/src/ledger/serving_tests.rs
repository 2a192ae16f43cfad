//! What a node offers its peers about forks and revoked keys, tried piece by piece: fork proofs
//! given and taken, the version vector of a forked feed, which acts above a gap travel, and
//! which of a revoked key's messages are served whole (cargo-mutants found these guarded only
//! by the multi-node tests).

use sangam_protocol::kinds::{KeyCompromised, Revoke};
use sangam_protocol::{Body, Keypair, Message, MessageId, Role};

use super::Ledger;
use super::testing::{NOW, admit, note, open, signed, with_steward};

fn ids(wires: &[Vec<u8>]) -> std::collections::BTreeSet<MessageId> {
    wires
        .iter()
        .map(|w| Message::from_trusted_bytes(w.clone()).unwrap().id())
        .collect()
}

fn has_body(wire: &[u8]) -> bool {
    Message::from_trusted_bytes(wire.to_vec())
        .unwrap()
        .body_bytes()
        .is_some()
}

/// A second node of `ledger`'s network in `dir`, holding its genesis and admissions.
fn peer_of(ledger: &Ledger, dir: &std::path::Path) -> Ledger {
    let mut peer = open(dir);
    peer.start(ledger.joined().unwrap().genesis.clone(), NOW)
        .unwrap();
    let admits = ledger
        .store()
        .all_of_kind(sangam_protocol::Kind::Admit)
        .unwrap();
    peer.ingest_batch(&admits, NOW).unwrap();
    peer
}

#[test]
fn a_fork_proof_given_by_a_peer_freezes_the_feed_here_too() {
    let temp = tempfile::tempdir().unwrap();
    let (mut ledger, _, steward) = with_steward(&temp.path().join("a"), NOW);
    let one = signed(&ledger, &steward, 1, None, note("one"));
    let twin = signed(&ledger, &steward, 1, None, note("one, told differently"));
    let two = signed(&ledger, &steward, 2, Some(one.id()), note("two"));
    ledger
        .ingest_batch(&[one.wire().to_vec(), two.wire().to_vec()], NOW)
        .unwrap();
    assert_eq!(ledger.vector().unwrap().get(&steward.author()), 2);
    ledger.ingest(twin.wire(), NOW).unwrap();
    // Both headers, without bodies; the vector counts the feed only below the fork.
    let proof = ledger.fork_proof(&steward.author(), 1).unwrap();
    assert_eq!(
        ids(&proof),
        ids(&[one.wire().to_vec(), twin.wire().to_vec()])
    );
    assert!(proof.iter().all(|w| !has_body(w)));
    assert_eq!(ids(&ledger.all_fork_proofs().unwrap()), ids(&proof));
    assert_eq!(ledger.vector().unwrap().get(&steward.author()), 0);

    // A node holding one branch takes the proof: one new fork, then none on a second look.
    let mut peer = peer_of(&ledger, &temp.path().join("b"));
    peer.ingest(one.wire(), NOW).unwrap();
    let _ = peer.take_new_forks();
    assert_eq!(peer.record_fork_proofs(&proof, NOW).unwrap(), 1);
    assert_eq!(peer.take_new_forks(), vec![(steward.author(), 1)]);
    assert_eq!(peer.store().fork_point(&steward.author()).unwrap(), Some(1));
    assert_eq!(
        ids(&peer.fork_proof(&steward.author(), 1).unwrap()),
        ids(&proof),
        "the other branch is kept as evidence"
    );
    assert_eq!(peer.record_fork_proofs(&proof, NOW).unwrap(), 0);

    // One message alone proves nothing; a stranger's "fork" is not taken at all.
    let mut third = peer_of(&ledger, &temp.path().join("c"));
    assert_eq!(third.record_fork_proofs(&proof[..1], NOW).unwrap(), 0);
    let stranger = Keypair::from_secret_bytes(&[9; 32]);
    let strange = [
        signed(&ledger, &stranger, 1, None, note("a"))
            .wire()
            .to_vec(),
        signed(&ledger, &stranger, 1, None, note("b"))
            .wire()
            .to_vec(),
    ];
    assert_eq!(third.record_fork_proofs(&strange, NOW).unwrap(), 0);
}

#[test]
fn a_fork_proof_below_a_known_fork_is_news_and_stops_an_act_counting() {
    let temp = tempfile::tempdir().unwrap();
    let member = Keypair::from_secret_bytes(&[3; 32]);
    let (mut ledger, founder, steward) = with_steward(&temp.path().join("a"), NOW);
    ledger
        .publish(&founder, admit(&member, Role::Member, "M"), NOW)
        .unwrap();
    let mut peer = peer_of(&ledger, &temp.path().join("b"));
    // S: seq 1, a revocation of M at seq 2, two different seq 3.
    let one = signed(&ledger, &steward, 1, None, note("one"));
    let body = Body::Revoke(Revoke {
        member: member.author(),
        reason: "r".into(),
        trusted_seq: 0,
        trusted: None,
    });
    let revocation = signed(&ledger, &steward, 2, Some(one.id()), body);
    let three = signed(&ledger, &steward, 3, Some(revocation.id()), note("three"));
    let other_three = signed(&ledger, &steward, 3, Some(revocation.id()), note("3"));
    for message in [&one, &revocation, &three] {
        peer.ingest(message.wire(), NOW).unwrap();
    }
    assert!(peer.membership().unwrap().is_revoked(&member.author()));
    let at_three = [three.wire().to_vec(), other_three.wire().to_vec()];
    assert_eq!(peer.record_fork_proofs(&at_three, NOW).unwrap(), 1);
    assert!(
        peer.membership().unwrap().is_revoked(&member.author()),
        "the act is below 3"
    );
    // A fork at 1 is found later: the revocation at 2 is above it and stops counting at once.
    let other_one = signed(&ledger, &steward, 1, None, note("1"));
    let at_one = [one.wire().to_vec(), other_one.wire().to_vec()];
    assert_eq!(peer.record_fork_proofs(&at_one, NOW).unwrap(), 1);
    assert_eq!(peer.store().fork_point(&steward.author()).unwrap(), Some(1));
    assert_eq!(peer.role_of(&member.author()), Some(Role::Member));
}

#[test]
fn which_acts_above_a_gap_travel_depends_on_forks_above_them_and_cut_offs() {
    let temp = tempfile::tempdir().unwrap();
    let (mut ledger, founder, steward) = with_steward(temp.path(), NOW);
    let x = Keypair::from_secret_bytes(&[5; 32]);
    // S keeps seq 1 back; its seq 2 admits X (above the gap); two different seq 4 follow.
    let one = signed(&ledger, &steward, 1, None, note("kept back"));
    let act = signed(
        &ledger,
        &steward,
        2,
        Some(one.id()),
        admit(&x, Role::Member, "X"),
    );
    let three = signed(&ledger, &steward, 3, Some(act.id()), note("three"));
    ledger.ingest(act.wire(), NOW).unwrap();
    assert_eq!(ledger.acts_above_gaps().unwrap(), vec![act.wire().to_vec()]);
    let four = signed(&ledger, &steward, 4, Some(three.id()), note("four"));
    let other_four = signed(&ledger, &steward, 4, Some(three.id()), note("4"));
    ledger
        .record_fork_proofs(&[four.wire().to_vec(), other_four.wire().to_vec()], NOW)
        .unwrap();
    assert_eq!(
        ledger.acts_above_gaps().unwrap(),
        vec![act.wire().to_vec()],
        "a fork above the act leaves it counting"
    );
    // S is revoked trusting it up to seq 2: the act still counts and travels.
    let body = Body::Revoke(Revoke {
        member: steward.author(),
        reason: "seized".into(),
        trusted_seq: 2,
        trusted: Some(act.id()),
    });
    ledger.publish(&founder, body, NOW).unwrap();
    assert_eq!(ledger.acts_above_gaps().unwrap(), vec![act.wire().to_vec()]);
    // A fork at the act's own seq: it counts nowhere, and is carried no more.
    let twin = signed(
        &ledger,
        &steward,
        2,
        Some(one.id()),
        note("two, told differently"),
    );
    ledger
        .record_fork_proofs(&[act.wire().to_vec(), twin.wire().to_vec()], NOW)
        .unwrap();
    assert!(ledger.acts_above_gaps().unwrap().is_empty());
}

#[test]
fn a_revoked_keys_acts_and_compromise_notice_are_served_whole_its_posts_without_words() {
    let temp = tempfile::tempdir().unwrap();
    let member = Keypair::from_secret_bytes(&[3; 32]);
    let (mut ledger, founder, steward) = with_steward(temp.path(), NOW);
    ledger
        .publish(&founder, admit(&member, Role::Member, "M"), NOW)
        .unwrap();
    let post = signed(&ledger, &steward, 1, None, note("before"));
    let act = signed(
        &ledger,
        &steward,
        2,
        Some(post.id()),
        admit(&member, Role::Member, "M"),
    );
    let member_post = signed(&ledger, &member, 1, None, note("hello"));
    let notice = Body::KeyCompromised(KeyCompromised {
        reason: "wiped".into(),
    });
    let stolen = signed(&ledger, &member, 2, Some(member_post.id()), notice);
    for message in [&post, &act, &member_post, &stolen] {
        ledger.ingest(message.wire(), NOW).unwrap();
    }
    let body = Body::Revoke(Revoke {
        member: steward.author(),
        reason: "seized".into(),
        trusted_seq: 2,
        trusted: Some(act.id()),
    });
    ledger.publish(&founder, body, NOW).unwrap();
    let served = |who: &Keypair, seq: u64| ledger.servable(&who.author(), seq).unwrap();
    assert!(
        !has_body(&served(&steward, 1)),
        "a revoked steward's post, without words"
    );
    assert!(has_body(&served(&steward, 2)), "its act, whole");
    assert!(
        !has_body(&served(&member, 1)),
        "a compromised key's post, without words"
    );
    assert!(
        has_body(&served(&member, 2)),
        "its own compromise notice, whole"
    );
}
