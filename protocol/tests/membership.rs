//! Membership rules: cascade, roles, order independence, admission proofs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use proptest::prelude::*;
use sangam_protocol::membership::validate_permission;
use sangam_protocol::membership::{AdmissionProof, Membership};
use sangam_protocol::{Error, Message, Role};

#[test]
fn the_founder_alone_is_the_first_steward() {
    let (genesis, founder) = network();
    let membership = Membership::from_genesis(&genesis).unwrap();
    assert_eq!(membership.founder(), founder.author());
    assert_eq!(membership.role_of(&founder.author()), Some(Role::Steward));
    assert_eq!(membership.members().count(), 1);
    assert_eq!(membership.network_name(), "Sangam test");
}

#[test]
fn revoking_a_steward_revokes_the_admissions_that_rest_on_it_alone() {
    let (genesis, mut founder) = network();
    let (steward, alone, both) = (key(2), key(3), key(4));
    let mut steward_feed = Feed::new(key(2), founder.network);
    let messages = vec![
        founder.admit(&steward, Role::Steward, NOW),
        steward_feed.admit(&alone, Role::Member, NOW + 1),
        steward_feed.admit(&both, Role::Member, NOW + 2),
        founder.admit(&both, Role::Observer, NOW + 3),
    ];
    let before = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(before.role_of(&alone.author()), Some(Role::Member));
    assert_eq!(before.role_of(&both.author()), Some(Role::Member));

    let mut all = messages;
    all.push(founder.revoke(&steward, NOW + 10));
    let after = Membership::compute(&genesis, &acts(&all)).unwrap();
    assert_eq!(after.role_of(&steward.author()), None);
    assert!(after.is_revoked(&steward.author()));
    assert_eq!(
        after.role_of(&alone.author()),
        None,
        "rested on the revoked steward alone"
    );
    assert_eq!(
        after.role_of(&both.author()),
        Some(Role::Observer),
        "the founder's admission holds"
    );
}

#[test]
fn a_member_cannot_admit_or_revoke() {
    let (genesis, mut founder) = network();
    let member = key(2);
    let mut member_feed = Feed::new(key(2), founder.network);
    let messages = vec![
        founder.admit(&member, Role::Member, NOW),
        member_feed.admit(&key(5), Role::Steward, NOW + 1),
        member_feed.revoke(&key(1), NOW + 2),
    ];
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(membership.role_of(&key(5).author()), None);
    assert_eq!(membership.role_of(&founder.author()), Some(Role::Steward));
    assert!(matches!(
        validate_permission(&membership, messages[1].header()),
        Err(Error::RoleNotAllowed {
            role: Role::Member,
            ..
        })
    ));
}

#[test]
fn an_observer_cannot_post_but_may_publish_its_profile() {
    let (genesis, mut founder) = network();
    let observer = key(2);
    let admit = founder.admit(&observer, Role::Observer, NOW);
    let membership = Membership::compute(&genesis, &acts(&[admit])).unwrap();
    let mut feed = Feed::new(observer, founder.network);
    let post = feed.post(announcement("hello"));
    assert!(matches!(
        validate_permission(&membership, post.header()),
        Err(Error::RoleNotAllowed {
            role: Role::Observer,
            ..
        })
    ));
    let profile = feed.post(sangam_protocol::Body::Profile(
        sangam_protocol::kinds::Profile {
            name: "National forum".into(),
            ..Default::default()
        },
    ));
    assert_eq!(
        validate_permission(&membership, profile.header()),
        Ok(Role::Observer)
    );
}

#[test]
fn the_founder_cannot_be_revoked_and_a_revoked_key_cannot_come_back() {
    let (genesis, mut founder) = network();
    let (steward, member) = (key(2), key(3));
    let mut steward_feed = Feed::new(key(2), founder.network);
    let messages = vec![
        founder.admit(&steward, Role::Steward, NOW),
        founder.admit(&member, Role::Member, NOW),
        steward_feed.revoke(&key(1), NOW + 1),
        founder.revoke(&member, NOW + 2),
        steward_feed.admit(&member, Role::Member, NOW + 3),
    ];
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(membership.role_of(&founder.author()), Some(Role::Steward));
    assert_eq!(membership.role_of(&member.author()), None);
    assert_eq!(membership.revoked().count(), 1);
}

#[test]
fn revocations_apply_in_timestamp_order() {
    // Two stewards revoke each other; the earlier revocation wins, whatever order they arrive in.
    let (genesis, mut founder) = network();
    let (a, b) = (key(2), key(3));
    let mut a_feed = Feed::new(key(2), founder.network);
    let mut b_feed = Feed::new(key(3), founder.network);
    let messages = vec![
        founder.admit(&a, Role::Steward, NOW),
        founder.admit(&b, Role::Steward, NOW),
        b_feed.revoke(&a, NOW + 20),
        a_feed.revoke(&b, NOW + 10),
    ];
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(membership.role_of(&a.author()), Some(Role::Steward));
    assert_eq!(membership.role_of(&b.author()), None);
}

#[test]
fn the_highest_admitted_role_counts() {
    let (genesis, mut founder) = network();
    let x = key(2);
    let messages = vec![
        founder.admit(&x, Role::Observer, NOW),
        founder.admit(&x, Role::Steward, NOW + 1),
    ];
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(membership.role_of(&x.author()), Some(Role::Steward));
}

/// A network with stewards admitting in chains, and some revocations.
fn busy_network() -> (Message, Vec<Message>) {
    let (genesis, mut founder) = network();
    let mut feeds: Vec<Feed> = (2..8).map(|n| Feed::new(key(n), founder.network)).collect();
    let mut messages = vec![
        founder.admit(&key(2), Role::Steward, NOW),
        founder.admit(&key(3), Role::Steward, NOW + 1),
    ];
    messages.push(feeds[0].admit(&key(4), Role::Steward, NOW + 2));
    messages.push(feeds[2].admit(&key(5), Role::Member, NOW + 3));
    messages.push(feeds[1].admit(&key(6), Role::Observer, NOW + 4));
    messages.push(feeds[2].admit(&key(7), Role::Member, NOW + 5));
    messages.push(feeds[1].admit(&key(7), Role::Member, NOW + 6));
    messages.push(founder.revoke(&key(2), NOW + 7));
    messages.push(feeds[1].revoke(&key(6), NOW + 8));
    messages.push(feeds[2].revoke(&key(3), NOW + 1)); // by key 4 before it lost its admitter
    messages.push(feeds[3].admit(&key(8), Role::Member, NOW + 9)); // key 5 is a member: no effect
    (genesis, messages)
}

#[test]
fn the_busy_network_resolves_as_the_rules_say() {
    let (genesis, messages) = busy_network();
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    let role = |n| membership.role_of(&key(n).author());
    assert_eq!(role(1), Some(Role::Steward));
    assert_eq!(role(2), None, "revoked by the founder");
    assert_eq!(role(3), None, "revoked by 4 while 4 was a steward");
    assert_eq!(role(4), None, "admitted only by 2");
    assert_eq!(role(5), None, "admitted only by 4");
    assert_eq!(role(6), None, "admitted only by 3");
    assert_eq!(role(7), None, "admitted by 4 and 3, both gone");
    assert_eq!(role(8), None, "a member cannot admit");
}

proptest! {
    #[test]
    fn membership_does_not_depend_on_arrival_order(seed in any::<u64>()) {
        let (genesis, messages) = busy_network();
        let expected = Membership::compute(&genesis, &acts(&messages)).unwrap();
        let mut shuffled = acts(&messages);
        // A seeded Fisher–Yates shuffle.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(Membership::compute(&genesis, &shuffled).unwrap(), expected);
    }
}

#[test]
fn an_admission_proof_convinces_a_peer_that_never_saw_the_admission() {
    let (genesis, mut founder) = network();
    let (steward, newcomer) = (key(2), key(3));
    let mut steward_feed = Feed::new(key(2), founder.network);
    let first = founder.admit(&steward, Role::Steward, NOW);
    let second = steward_feed.admit(&newcomer, Role::Member, NOW + 1);
    let membership =
        Membership::compute(&genesis, &acts(&[first.clone(), second.clone()])).unwrap();
    assert_eq!(
        membership.admission_chain(&newcomer.author()),
        Some(vec![first.id(), second.id()])
    );
    assert_eq!(membership.admission_chain(&founder.author()), Some(vec![]));
    assert_eq!(membership.admission_chain(&key(9).author()), None);

    let proof = AdmissionProof {
        genesis: genesis.wire().to_vec(),
        admits: vec![first.wire().to_vec(), second.wire().to_vec()],
    };
    let proven = proof.verify(&newcomer.author(), NOW).unwrap();
    assert_eq!(proven.network, founder.network);
    assert_eq!(proven.role, Role::Member);

    // The same proof does not prove anyone else.
    assert!(matches!(
        proof.verify(&key(9).author(), NOW),
        Err(Error::InvalidProof(_))
    ));
    // A chain with a missing link proves nothing.
    let broken = AdmissionProof {
        genesis: genesis.wire().to_vec(),
        admits: vec![second.wire().to_vec()],
    };
    assert!(matches!(
        broken.verify(&newcomer.author(), NOW),
        Err(Error::InvalidProof(_))
    ));
    // A self-made network's admission is not this network's.
    let (_, mut rogue) = {
        let rogue_key = key(50);
        let g = sangam_protocol::envelope::found_network(
            &rogue_key,
            sangam_protocol::kinds::Genesis {
                network_name: "Sangam test".into(),
                founder_name: "Founders".into(),
                founded_at: NOW,
            },
            NOW,
        )
        .unwrap();
        let mut f = Feed::new(rogue_key, g.header().network);
        f.seq = 1;
        f.prev = Some(g.id());
        (g, f)
    };
    let rogue_admit = rogue.admit(&newcomer, Role::Steward, NOW);
    let mixed = AdmissionProof {
        genesis: genesis.wire().to_vec(),
        admits: vec![rogue_admit.wire().to_vec()],
    };
    assert_eq!(
        mixed.verify(&newcomer.author(), NOW),
        Err(Error::WrongNetwork)
    );
}
