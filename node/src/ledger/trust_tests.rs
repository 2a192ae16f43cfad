//! The ledger against the people issue #27 names: a wiped key that should stay out, a revoked
//! steward whose earlier acts must outlive the grace period, a founder whose genesis must too,
//! a seized steward that backdates what it signs, and acts that sync would never carry (past a
//! fork point, trusting a message this node holds another of).

use sangam_protocol::kinds::{KeyCompromised, Revoke};
use sangam_protocol::{Body, Keypair, Message, MessageId, Role};

use super::testing::{
    NOW, admit, note, open, signed, steward_and_member_to_revoke, sync_into, with_steward,
};
use super::{Ledger, REVOKED_BODIES_GRACE_MS};

const DAY: u64 = 24 * 3_600_000;

fn revoke(ledger: &Ledger, member: &Keypair) -> Body {
    let (trusted_seq, trusted) = ledger.trusted_point(&member.author(), None).unwrap();
    Body::Revoke(Revoke {
        member: member.author(),
        reason: "seized".into(),
        trusted_seq,
        trusted,
    })
}

fn has_body(ledger: &Ledger, id: &MessageId) -> bool {
    let wire = ledger.store().get(id).unwrap().unwrap();
    Message::from_trusted_bytes(wire)
        .unwrap()
        .body_bytes()
        .is_some()
}

/// A second node of `ledger`'s network in `dir`, given every message `ledger` holds at `now`.
fn copy_at(ledger: &Ledger, dir: &std::path::Path, now: u64) -> Ledger {
    let mut copy = open(dir);
    copy.start(ledger.joined().unwrap().genesis.clone(), now)
        .unwrap();
    let mut wires = Vec::new();
    for kind in sangam_protocol::Kind::KNOWN {
        if kind != sangam_protocol::Kind::Genesis {
            wires.extend(ledger.store().all_of_kind(kind).unwrap());
        }
    }
    // Feeds must arrive in order; the ledger takes a batch in any order it builds on.
    copy.ingest_batch(&wires, now).unwrap();
    copy
}

#[test]
fn a_wiped_key_stays_out_after_a_restart() {
    let temp = tempfile::tempdir().unwrap();
    let founder = Keypair::from_secret_bytes(&[1; 32]);
    let member = Keypair::from_secret_bytes(&[2; 32]);
    {
        let mut ledger = super::testing::founded(temp.path(), &founder);
        ledger
            .publish(&founder, admit(&member, Role::Member, "M"), NOW)
            .unwrap();
        let wiped = Body::KeyCompromised(KeyCompromised {
            reason: "wiped".into(),
        });
        ledger.publish(&member, wiped, NOW + 1).unwrap();
        assert_eq!(ledger.role_of(&member.author()), None);
    }
    let reopened = open(temp.path());
    assert_eq!(
        reopened.role_of(&member.author()),
        None,
        "back after restart"
    );
    assert!(reopened.membership().unwrap().is_revoked(&member.author()));
}

#[test]
fn a_revoked_stewards_earlier_revocation_outlives_the_grace_period_and_a_restart() {
    let temp = tempfile::tempdir().unwrap();
    let founder = Keypair::from_secret_bytes(&[1; 32]);
    let steward = Keypair::from_secret_bytes(&[2; 32]);
    let infiltrator = Keypair::from_secret_bytes(&[3; 32]);
    let (words, its_revocation) = {
        let mut ledger = super::testing::founded(temp.path(), &founder);
        ledger
            .publish(&founder, admit(&steward, Role::Steward, "S"), NOW)
            .unwrap();
        ledger
            .publish(&founder, admit(&infiltrator, Role::Member, "X"), NOW)
            .unwrap();
        let words = ledger.publish(&steward, note("hello"), NOW).unwrap();
        let its_revocation = ledger
            .publish(&steward, revoke(&ledger, &infiltrator), NOW)
            .unwrap();
        // The founder revokes S, trusting everything S signed so far.
        let body = revoke(&ledger, &steward);
        ledger.publish(&founder, body, NOW + 1).unwrap();
        let later = NOW + 8 * DAY;
        assert_eq!(
            ledger
                .drop_revoked_bodies(later, &founder.author())
                .unwrap(),
            1,
            "S's words go, its act stays"
        );
        (words.id(), its_revocation.id())
    };
    let reopened = open(temp.path());
    assert!(!has_body(&reopened, &words));
    assert!(has_body(&reopened, &its_revocation));
    assert_eq!(reopened.role_of(&infiltrator.author()), None, "X is back");
    assert_eq!(reopened.role_of(&steward.author()), None);
}

#[test]
fn a_founder_that_wiped_leaves_every_node_opening() {
    let temp = tempfile::tempdir().unwrap();
    let founder = Keypair::from_secret_bytes(&[1; 32]);
    let steward = Keypair::from_secret_bytes(&[2; 32]);
    let genesis = {
        let mut ledger = super::testing::founded(temp.path(), &founder);
        ledger
            .publish(&founder, admit(&steward, Role::Steward, "S"), NOW)
            .unwrap();
        let wiped = Body::KeyCompromised(KeyCompromised {
            reason: "wiped".into(),
        });
        ledger.publish(&founder, wiped, NOW + 1).unwrap();
        ledger
            .drop_revoked_bodies(NOW + 8 * DAY, &steward.author())
            .unwrap();
        ledger.joined().unwrap().genesis.id()
    };
    let reopened = open(temp.path());
    assert!(has_body(&reopened, &genesis));
    assert_eq!(reopened.role_of(&steward.author()), Some(Role::Steward));
}

#[test]
fn a_node_never_drops_its_own_words() {
    let temp = tempfile::tempdir().unwrap();
    let founder = Keypair::from_secret_bytes(&[1; 32]);
    let member = Keypair::from_secret_bytes(&[2; 32]);
    let mut ledger = super::testing::founded(temp.path(), &founder);
    ledger
        .publish(&founder, admit(&member, Role::Member, "M"), NOW)
        .unwrap();
    let words = ledger.publish(&member, note("ours"), NOW).unwrap();
    let body = revoke(&ledger, &member);
    ledger.publish(&founder, body, NOW + 1).unwrap();
    // On the revoked collective's own laptop its words stay, however long it waits.
    assert_eq!(
        ledger
            .drop_revoked_bodies(NOW + 30 * DAY, &member.author())
            .unwrap(),
        0
    );
    assert!(has_body(&ledger, &words.id()));
}

#[test]
fn a_backdated_revocation_erases_nothing_before_the_grace_period_here() {
    let written = tempfile::tempdir().unwrap();
    let here = tempfile::tempdir().unwrap();
    let victim = Keypair::from_secret_bytes(&[3; 32]);
    let start = NOW - 30 * DAY;
    let (mut seized, founder, steward) = with_steward(written.path(), start);
    seized
        .publish(&founder, admit(&victim, Role::Member, "V"), start)
        .unwrap();
    let words = seized.publish(&victim, note("our work"), start).unwrap();
    let mut ledger = copy_at(&seized, here.path(), start);
    // The thief holding S's key dates the revocation four weeks back.
    let body = revoke(&seized, &victim);
    let revocation = seized.publish(&steward, body, start + DAY).unwrap();
    ledger.ingest(revocation.wire(), NOW).unwrap();
    assert_eq!(ledger.role_of(&victim.author()), None);
    assert_eq!(
        ledger
            .drop_revoked_bodies(NOW + 1, &founder.author())
            .unwrap(),
        0,
        "the grace period counts from when this node stored the revocation"
    );
    assert!(has_body(&ledger, &words.id()));
    let after = NOW + REVOKED_BODIES_GRACE_MS;
    assert_eq!(
        ledger
            .drop_revoked_bodies(after, &founder.author())
            .unwrap(),
        1
    );
}

#[test]
fn from_when_goes_by_when_this_node_stored_a_message_not_its_date() {
    let written = tempfile::tempdir().unwrap();
    let here = tempfile::tempdir().unwrap();
    let start = NOW - 30 * DAY;
    let (mut seized, _founder, steward) = with_steward(written.path(), start);
    let honest = seized.publish(&steward, note("before"), start).unwrap();
    let mut ledger = copy_at(&seized, here.path(), start + 1);
    // Stolen on day 10; the thief's forgery is dated day 2 but reaches this node on day 11.
    let forged = seized
        .publish(&steward, note("forged"), start + 2 * DAY)
        .unwrap();
    ledger.ingest(forged.wire(), start + 11 * DAY).unwrap();
    let theft = start + 10 * DAY;
    assert_eq!(
        ledger
            .trusted_point(&steward.author(), Some(theft))
            .unwrap(),
        (honest.header().seq, Some(honest.id()))
    );
}

#[test]
fn an_act_above_a_fork_point_stops_counting() {
    let temp = tempfile::tempdir().unwrap();
    let (mut ledger, steward, member, body) = steward_and_member_to_revoke(temp.path());
    let first = signed(&ledger, &steward, 1, None, note("one"));
    let revocation = signed(&ledger, &steward, 2, Some(first.id()), body);
    ledger
        .ingest_batch(&[first.wire().to_vec(), revocation.wire().to_vec()], NOW)
        .unwrap();
    assert_eq!(ledger.role_of(&member.author()), None);
    // The same key signs another seq 1: its feed is frozen below 1 on every node, so the
    // revocation at seq 2 travels nowhere and counts nowhere.
    let twin = signed(&ledger, &steward, 1, None, note("one, told differently"));
    ledger.ingest(twin.wire(), NOW).unwrap();
    assert_eq!(ledger.role_of(&member.author()), Some(Role::Member));
    drop(ledger);
    assert_eq!(
        open(temp.path()).role_of(&member.author()),
        Some(Role::Member)
    );
}

#[test]
fn a_cut_off_naming_another_message_than_the_one_held_trusts_only_below_it() {
    let temp = tempfile::tempdir().unwrap();
    let founder = Keypair::from_secret_bytes(&[1; 32]);
    let member = Keypair::from_secret_bytes(&[2; 32]);
    let mut ledger = super::testing::founded(temp.path(), &founder);
    ledger
        .publish(&founder, admit(&member, Role::Member, "M"), NOW)
        .unwrap();
    let held = signed(&ledger, &member, 1, None, note("held here"));
    ledger.ingest(held.wire(), NOW).unwrap();
    let elsewhere = signed(&ledger, &member, 1, None, note("held elsewhere"));
    let body = Body::Revoke(Revoke {
        member: member.author(),
        reason: "r".into(),
        trusted_seq: 1,
        trusted: Some(elsewhere.id()),
    });
    ledger.publish(&founder, body, NOW + 1).unwrap();
    assert_eq!(
        ledger.membership().unwrap().trusted_until(&member.author()),
        Some(0)
    );
}

#[test]
fn a_founder_vote_naming_another_message_than_the_one_held_trusts_only_below_it() {
    // The votes trust the founder up to a seq where they name another message than the one
    // this node holds (the founder key forked there): the old founder is cut off below it.
    let temp = tempfile::tempdir().unwrap();
    let (mut ledger, founder, first) = with_steward(temp.path(), NOW);
    let second = Keypair::from_secret_bytes(&[3; 32]);
    let third = Keypair::from_secret_bytes(&[4; 32]);
    for steward in [&second, &third] {
        ledger
            .publish(&founder, admit(steward, Role::Steward, "T"), NOW)
            .unwrap();
    }
    let held = ledger.publish(&founder, note("held here"), NOW).unwrap();
    let seq = held.header().seq;
    let elsewhere = signed(
        &ledger,
        &founder,
        seq,
        held.header().prev,
        note("elsewhere"),
    );
    let successor = Keypair::from_secret_bytes(&[9; 32]);
    for voter in [&first, &second] {
        let vote = Body::ReplaceFounder(sangam_protocol::kinds::ReplaceFounder {
            founder: founder.author(),
            successor: successor.author(),
            name: "New".into(),
            trusted_seq: seq,
            trusted: Some(elsewhere.id()),
            reason: "taken".into(),
        });
        ledger.publish(voter, vote, NOW + 1).unwrap();
    }
    let membership = ledger.membership().unwrap();
    assert_eq!(membership.founder(), successor.author());
    assert_eq!(membership.trusted_until(&founder.author()), Some(seq - 1));
}

#[test]
fn a_strangers_proof_resting_on_a_revoked_or_forked_keys_later_act_is_refused_unstored() {
    let temp = tempfile::tempdir().unwrap();
    let (mut ledger, founder, steward) = with_steward(temp.path(), NOW);
    let x = Keypair::from_secret_bytes(&[9; 32]);
    let s_proof = ledger.admission_proof(&steward.author()).unwrap();
    let first = signed(&ledger, &steward, 1, None, note("one"));
    ledger.ingest(first.wire(), NOW).unwrap();
    let with_act = |act: &Message| {
        let mut admits = s_proof.admits.clone();
        admits.push(act.wire().to_vec());
        admits
    };
    // While S stands, its act at seq 2 is one a proof may rest on.
    let x_at_2 = signed(
        &ledger,
        &steward,
        2,
        Some(first.id()),
        admit(&x, Role::Member, "X"),
    );
    assert_eq!(ledger.stale_act_in_proof(&with_act(&x_at_2)).unwrap(), None);
    // S's feed forks at seq 1: acts from 1 on cannot count.
    let twin = signed(&ledger, &steward, 1, None, note("one, told differently"));
    ledger.ingest(twin.wire(), NOW).unwrap();
    let x_at_1 = signed(&ledger, &steward, 1, None, admit(&x, Role::Member, "X"));
    assert!(
        ledger
            .stale_act_in_proof(&with_act(&x_at_1))
            .unwrap()
            .is_some()
    );
    assert!(
        ledger
            .stale_act_in_proof(&with_act(&x_at_2))
            .unwrap()
            .is_some()
    );

    // Another steward T, revoked with a cut-off at 1: its act at 1 may still count, at 2 not.
    let t = Keypair::from_secret_bytes(&[4; 32]);
    ledger
        .publish(&founder, admit(&t, Role::Steward, "T"), NOW)
        .unwrap();
    let t_proof = ledger.admission_proof(&t.author()).unwrap();
    let t_first = signed(&ledger, &t, 1, None, admit(&x, Role::Member, "X"));
    ledger.ingest(t_first.wire(), NOW).unwrap();
    let body = revoke(&ledger, &t);
    ledger.publish(&founder, body, NOW).unwrap();
    let t_later = signed(
        &ledger,
        &t,
        2,
        Some(t_first.id()),
        admit(&x, Role::Member, "X"),
    );
    let mut proof = t_proof.admits.clone();
    proof.push(t_first.wire().to_vec());
    assert_eq!(ledger.stale_act_in_proof(&proof).unwrap(), None);
    proof.push(t_later.wire().to_vec());
    assert!(matches!(
        ledger.stale_act_in_proof(&proof).unwrap(),
        Some(sangam_protocol::Error::InvalidProof(_))
    ));
}

#[test]
fn an_act_above_a_gap_that_counts_here_reaches_a_node_that_joins_later() {
    let temp = tempfile::tempdir().unwrap();
    let (mut ledger, steward, member, body) = steward_and_member_to_revoke(temp.path());
    // S keeps its seq 1 and 2 to itself and gossips its seq 3, a revocation of M: this node
    // counts it.
    let withheld = signed(&ledger, &steward, 1, None, note("kept back"));
    let two = signed(&ledger, &steward, 2, Some(withheld.id()), note("two"));
    let revocation = signed(&ledger, &steward, 3, Some(two.id()), body);
    ledger.ingest(revocation.wire(), NOW).unwrap();
    assert!(ledger.membership().unwrap().is_revoked(&member.author()));
    assert_eq!(
        ledger.acts_above_gaps().unwrap(),
        vec![revocation.wire().to_vec()]
    );

    // A node that joins later syncs from this one and counts the same.
    let later = tempfile::tempdir().unwrap();
    let mut joiner = open(later.path());
    joiner
        .start(ledger.joined().unwrap().genesis.clone(), NOW)
        .unwrap();
    sync_into(&mut joiner, &ledger, NOW);
    assert!(joiner.membership().unwrap().is_revoked(&member.author()));
    assert_eq!(
        joiner.membership().unwrap().role_of(&steward.author()),
        Some(Role::Steward)
    );

    // Once S's feed is known to fork below the act (two seq 2), it counts nowhere and is
    // carried no more.
    let twin = signed(
        &ledger,
        &steward,
        2,
        Some(withheld.id()),
        note("two, told differently"),
    );
    ledger.ingest(two.wire(), NOW).unwrap();
    ledger.ingest(twin.wire(), NOW).unwrap();
    assert_eq!(
        ledger.store().fork_point(&steward.author()).unwrap(),
        Some(2)
    );
    assert!(ledger.acts_above_gaps().unwrap().is_empty());
    assert!(!ledger.membership().unwrap().is_revoked(&member.author()));
}

#[test]
fn a_cut_off_is_checked_again_when_the_key_s_messages_arrive_later_without_any_act() {
    let temp = tempfile::tempdir().unwrap();
    let (mut ledger, founder, _) = with_steward(temp.path(), NOW);
    let member = Keypair::from_secret_bytes(&[3; 32]);
    ledger
        .publish(&founder, admit(&member, Role::Member, "M"), NOW)
        .unwrap();
    // M's feed as the founder saw it, and the message M's laptop (seized) signed at seq 2.
    let one = signed(&ledger, &member, 1, None, note("one"));
    let two = signed(&ledger, &member, 2, Some(one.id()), note("two"));
    let other_two = signed(
        &ledger,
        &member,
        2,
        Some(one.id()),
        note("two, by the thief"),
    );
    // The revocation arrives first, trusting `two`, which this node does not hold yet.
    let body = Body::Revoke(Revoke {
        member: member.author(),
        reason: "seized".into(),
        trusted_seq: 2,
        trusted: Some(two.id()),
    });
    ledger.publish(&founder, body, NOW).unwrap();
    assert_eq!(
        ledger.membership().unwrap().trusted_until(&member.author()),
        Some(2)
    );
    // M's feed arrives in a batch holding no act, with another message at seq 2: the cut-off
    // trusts only below it, at once.
    ledger
        .ingest_batch(&[one.wire().to_vec(), other_two.wire().to_vec()], NOW)
        .unwrap();
    assert_eq!(
        ledger.membership().unwrap().trusted_until(&member.author()),
        Some(1)
    );
}
