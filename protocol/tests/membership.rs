//! Membership rules: cascade, roles, order independence, admission proofs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use proptest::prelude::*;
use sangam_protocol::membership::{AdmissionProof, Membership};
use sangam_protocol::membership::{Permission, validate_permission};
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
        Ok(Permission::Member(Role::Observer))
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
fn a_revocation_made_after_seeing_the_other_wins_whatever_the_clocks_say() {
    // B revokes A after having seen A's revocation of B (B trusts A up to and including it).
    // B's clock is far behind: the timestamps would have made B's act the earlier one.
    let (genesis, mut founder) = network();
    let (a, b) = (key(2), key(3));
    let mut a_feed = Feed::new(key(2), founder.network);
    let mut b_feed = Feed::new(key(3), founder.network);
    let admit_a = founder.admit(&a, Role::Steward, NOW);
    let admit_b = founder.admit(&b, Role::Steward, NOW);
    let a_revokes_b = a_feed.revoke_trusting(&b, None, NOW + 50);
    let b_revokes_a = b_feed.revoke_trusting(&a, Some(&a_revokes_b), NOW + 1);
    let membership = Membership::compute(
        &genesis,
        &acts(&[admit_a, admit_b, a_revokes_b, b_revokes_a]),
    )
    .unwrap();
    assert_eq!(membership.role_of(&a.author()), Some(Role::Steward));
    assert_eq!(membership.role_of(&b.author()), None);
    assert_eq!(membership.disputed().count(), 0);
}

#[test]
fn two_stewards_revoking_each_other_blindly_both_lose_steward_rights_until_the_founder_decides() {
    let (genesis, mut founder) = network();
    let (a, b, newcomer) = (key(2), key(3), key(4));
    let mut a_feed = Feed::new(key(2), founder.network);
    let mut b_feed = Feed::new(key(3), founder.network);
    let mut messages = vec![
        founder.admit(&a, Role::Steward, NOW),
        founder.admit(&b, Role::Steward, NOW),
    ];
    let b_first = b_feed.post(announcement("B's first post"));
    messages.push(b_first.clone());
    messages.push(a_feed.revoke_trusting(&b, Some(&b_first), NOW + 10));
    messages.push(b_feed.revoke_trusting(&a, None, NOW + 10));
    // Whatever either admits while the conflict stands has no effect.
    messages.push(a_feed.admit(&newcomer, Role::Member, NOW + 20));
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(
        membership.role_of(&a.author()),
        Some(Role::Member),
        "disputed"
    );
    assert_eq!(
        membership.role_of(&b.author()),
        Some(Role::Member),
        "disputed"
    );
    assert_eq!(membership.disputed().count(), 2);
    assert_eq!(membership.role_of(&newcomer.author()), None);

    // The founder sides with A: revokes B, trusting B only up to its first post.
    messages.push(founder.revoke_trusting(&b, Some(&b_first), NOW + 30));
    let settled = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(settled.role_of(&a.author()), Some(Role::Steward));
    assert_eq!(settled.role_of(&b.author()), None);
    assert_eq!(settled.disputed().count(), 0);
    assert_eq!(settled.role_of(&newcomer.author()), Some(Role::Member));
}

#[test]
fn a_revoked_stewards_earlier_revocations_still_apply() {
    let (genesis, mut founder) = network();
    let (s, x) = (key(2), key(3));
    let mut s_feed = Feed::new(key(2), founder.network);
    let admit_s = founder.admit(&s, Role::Steward, NOW);
    let admit_x = founder.admit(&x, Role::Member, NOW);
    let s_revokes_x = s_feed.revoke(&x, NOW + 1);
    let founder_revokes_s = founder.revoke_trusting(&s, Some(&s_revokes_x), NOW + 2);
    let membership = Membership::compute(
        &genesis,
        &acts(&[admit_s, admit_x, s_revokes_x, founder_revokes_s]),
    )
    .unwrap();
    assert!(membership.is_revoked(&s.author()));
    assert!(
        membership.is_revoked(&x.author()),
        "S revoked X while trusted"
    );
    assert_eq!(membership.members().count(), 1);
}

#[test]
fn a_seized_stewards_backdated_revocations_are_undone_by_a_revocation_that_distrusts_them() {
    let (genesis, mut founder) = network();
    let (honest_a, honest_b, seized) = (key(2), key(3), key(4));
    let mut seized_feed = Feed::new(key(4), founder.network);
    let mut messages = vec![
        founder.admit(&honest_a, Role::Steward, NOW),
        founder.admit(&honest_b, Role::Steward, NOW),
        founder.admit(&seized, Role::Steward, NOW),
    ];
    let last_honest = seized_feed.post_at(announcement("Meeting on Friday"), NOW + 5);
    messages.push(last_honest.clone());
    // The laptop is taken much later; the thief dates its acts back to just after the last
    // honest post (as far back as the key's own chain allows), before anything else happened.
    messages.push(seized_feed.revoke_trusting(&honest_a, None, NOW + 5));
    messages.push(seized_feed.revoke_trusting(&honest_b, None, NOW + 5));
    let during = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert!(during.is_revoked(&honest_a.author()));
    assert!(during.is_revoked(&honest_b.author()));

    messages.push(founder.revoke_trusting(&seized, Some(&last_honest), NOW + 100));
    let after = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(after.role_of(&honest_a.author()), Some(Role::Steward));
    assert_eq!(after.role_of(&honest_b.author()), Some(Role::Steward));
    assert!(after.is_revoked(&seized.author()));
}

#[test]
fn acts_dated_before_their_authors_admission_have_no_effect() {
    let (genesis, mut founder) = network();
    let (s, x) = (key(2), key(3));
    let mut s_feed = Feed::new(key(2), founder.network);
    let messages = vec![
        founder.admit(&x, Role::Member, NOW),
        founder.admit(&s, Role::Steward, NOW + 1000),
        s_feed.revoke(&x, NOW + 10),
    ];
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(membership.role_of(&x.author()), Some(Role::Member));
}

/// Founder 1, stewards 2, 3, 4; member 5 admitted by the founder after the seizure.
fn seized_founder() -> (Message, Feed, Vec<Feed>, Vec<Message>, Message) {
    let (genesis, mut founder) = network();
    let mut stewards: Vec<Feed> = (2..5).map(|n| Feed::new(key(n), founder.network)).collect();
    let mut messages: Vec<Message> = (2..5)
        .map(|n| founder.admit(&key(n), Role::Steward, NOW))
        .collect();
    let last_honest = messages[2].clone();
    messages.push(founder.admit(&key(5), Role::Member, NOW + 50));
    messages.push(founder.revoke(&key(2), NOW + 60));
    let _ = &mut stewards;
    (genesis, founder, stewards, messages, last_honest)
}

#[test]
fn votes_trusting_the_founder_to_different_points_combine_at_the_highest_a_majority_trusts() {
    let (genesis, mut old_founder, mut stewards, mut messages, last_honest) = seized_founder();
    let successor = key(9);
    // Steward 3 trusts the founder up to the admissions (seq 4); steward 4 had also seen the
    // admission of 5 (seq 5) and trusts up to there.
    let admission_of_five = messages[3].clone();
    messages.push(stewards[1].replace_founder(
        &old_founder.key,
        &successor,
        Some(&last_honest),
        NOW + 70,
    ));
    messages.push(stewards[2].replace_founder(
        &old_founder.key,
        &successor,
        Some(&admission_of_five),
        NOW + 71,
    ));
    let replaced = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(replaced.founder(), successor.author());
    let cut = replaced
        .revoked()
        .find(|(id, _)| **id == old_founder.author())
        .map(|(_, r)| r.trusted_seq);
    assert_eq!(
        cut,
        Some(last_honest.header().seq),
        "the cut-off both voters trust"
    );
    assert_eq!(replaced.role_of(&key(5).author()), None);
    let _ = &mut old_founder;
}

#[test]
fn a_majority_of_stewards_replaces_a_seized_founder_key() {
    let (genesis, mut old_founder, mut stewards, mut messages, last_honest) = seized_founder();
    let successor = key(9);
    // The thief revoked steward 2; stewards 3 and 4 (a majority of the three others once the
    // thief's acts are cut off) vote for the new key, trusting the old one up to the admissions.
    messages.push(stewards[1].replace_founder(
        &old_founder.key,
        &successor,
        Some(&last_honest),
        NOW + 70,
    ));
    let one_vote = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(
        one_vote.founder(),
        old_founder.author(),
        "one vote of three is not enough"
    );
    messages.push(stewards[2].replace_founder(
        &old_founder.key,
        &successor,
        Some(&last_honest),
        NOW + 71,
    ));
    let replaced = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(replaced.founder(), successor.author());
    assert_eq!(replaced.role_of(&successor.author()), Some(Role::Steward));
    assert!(replaced.is_revoked(&old_founder.author()));
    assert_eq!(
        replaced.role_of(&key(2).author()),
        Some(Role::Steward),
        "the thief's revocation is void"
    );
    assert_eq!(
        replaced.role_of(&key(5).author()),
        None,
        "the thief's admission is void"
    );

    // The old key can do nothing any more; the new one can.
    messages.push(old_founder.admit(&key(6), Role::Steward, NOW + 80));
    let mut new_founder = Feed::new(successor, old_founder.network);
    messages.push(new_founder.admit(&key(7), Role::Member, NOW + 90));
    let later = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(later.role_of(&key(6).author()), None);
    assert_eq!(later.role_of(&key(7).author()), Some(Role::Member));
    assert!(
        matches!(
            validate_permission(&later, messages[messages.len() - 2].header()),
            Ok(Permission::Act)
        ),
        "its acts are still stored, so every node holds the same set"
    );
    // A proof for the new founder's member leads through the votes.
    let chain = later.admission_chain(&key(7).author()).unwrap();
    assert!(chain.len() >= 3, "{chain:?}");
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
    assert_eq!(
        role(2),
        None,
        "revoked by the founder, trusting none of its acts"
    );
    assert_eq!(role(4), None, "admitted only by 2, whose acts are void");
    assert_eq!(role(5), None, "admitted only by 4");
    assert_eq!(
        role(3),
        Some(Role::Steward),
        "4's revocation is void (and dated before 4's admission)"
    );
    assert_eq!(role(6), None, "revoked by 3");
    assert_eq!(role(7), Some(Role::Member), "3's admission holds");
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

#[test]
fn a_keys_own_compromise_notice_revokes_it_at_the_notice() {
    let (genesis, mut founder) = network();
    let mut member = Feed::new(key(2), founder.network);
    let mut messages = vec![founder.admit(&key(2), Role::Steward, NOW)];
    let before = member.admit(&key(3), Role::Member, NOW + 1);
    messages.push(before.clone());
    let notice = member.post_at(
        sangam_protocol::Body::KeyCompromised(sangam_protocol::kinds::KeyCompromised {
            reason: "the laptop was taken".into(),
        }),
        NOW + 2,
    );
    messages.push(notice.clone());
    // What the thief signs after the notice counts for nothing.
    messages.push(member.admit(&key(4), Role::Member, NOW + 3));
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert!(membership.is_revoked(&key(2).author()));
    assert_eq!(
        membership.trusted_until(&key(2).author()),
        Some(notice.header().seq)
    );
    assert_eq!(membership.role_of(&key(3).author()), Some(Role::Member));
    assert_eq!(membership.role_of(&key(4).author()), None);
}

#[test]
fn only_a_key_that_was_ever_admitted_may_report_itself_compromised() {
    let (genesis, mut founder) = network();
    let messages = vec![founder.admit(&key(2), Role::Member, NOW)];
    let mut revoked = messages.clone();
    revoked.push(founder.revoke(&key(2), NOW + 1));
    let notice = |n: u8| {
        Feed::new(key(n), founder.network).post_at(
            sangam_protocol::Body::KeyCompromised(sangam_protocol::kinds::KeyCompromised {
                reason: String::new(),
            }),
            NOW + 2,
        )
    };
    for set in [&messages, &revoked] {
        let membership = Membership::compute(&genesis, &acts(set)).unwrap();
        assert!(membership.was_ever_admitted(&key(2).author()));
        assert!(matches!(
            validate_permission(&membership, notice(2).header()),
            Ok(Permission::Act)
        ));
        assert!(!membership.was_ever_admitted(&key(9).author()));
        assert_eq!(
            validate_permission(&membership, notice(9).header()),
            Err(Error::NotAMember),
            "a stranger's notice is refused"
        );
    }
}

#[test]
fn a_revocation_of_oneself_does_nothing() {
    // Leaving is a compromise notice (rule 8); a steward's revocation of its own key is an act
    // of oneself, which never counts (rule 2) — else a thief could also undo the key's past.
    let (genesis, mut founder) = network();
    let mut steward = Feed::new(key(2), founder.network);
    let mut messages = vec![founder.admit(&key(2), Role::Steward, NOW)];
    messages.push(steward.admit(&key(3), Role::Member, NOW + 1));
    messages.push(steward.revoke(&key(2), NOW + 2));
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(membership.role_of(&key(2).author()), Some(Role::Steward));
    assert!(!membership.is_revoked(&key(2).author()));
    assert_eq!(membership.disputed().count(), 0);
    assert_eq!(membership.role_of(&key(3).author()), Some(Role::Member));
}

#[test]
fn acts_are_stored_from_every_key_that_was_ever_a_steward_and_only_from_them() {
    // A steward admitted by a steward, and a founder key voted in, may have acts stored for good
    // (even once revoked); a member may not.
    let (genesis, mut founder) = network();
    let mut stewards: Vec<Feed> = (2..4).map(|n| Feed::new(key(n), founder.network)).collect();
    let mut messages: Vec<Message> = (2..4)
        .map(|n| founder.admit(&key(n), Role::Steward, NOW))
        .collect();
    messages.push(stewards[0].admit(&key(4), Role::Steward, NOW + 1));
    messages.push(stewards[0].admit(&key(5), Role::Member, NOW + 1));
    let last = messages[1].clone();
    for steward in &mut stewards {
        messages.push(steward.replace_founder(&founder.key, &key(9), Some(&last), NOW + 2));
    }

    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(membership.founder(), key(9).author());
    let act_by = |n: u8| {
        let mut feed = Feed::new(key(n), founder.network);
        feed.admit(&key(30), Role::Member, NOW + 3)
    };
    for n in [1, 2, 4, 9] {
        assert!(membership.may_store_acts_of(&key(n).author()), "key {n}");
        assert_eq!(
            validate_permission(&membership, act_by(n).header()),
            Ok(Permission::Act),
            "key {n}"
        );
    }
    assert!(!membership.may_store_acts_of(&key(5).author()));
    assert!(matches!(
        validate_permission(&membership, act_by(5).header()),
        Err(Error::RoleNotAllowed { .. })
    ));
}

#[test]
fn an_admission_proof_holds_at_most_eight_admissions() {
    // Stewards admitting stewards, eight deep: a proof of the eighth is the longest accepted.
    let (genesis, mut founder) = network();
    let mut chain = vec![founder.admit(&key(2), Role::Steward, NOW)];
    for n in 2..10 {
        let mut feed = Feed::new(key(n), founder.network);
        chain.push(feed.admit(&key(n + 1), Role::Steward, NOW + u64::from(n)));
    }
    let proof_of = |len: usize| AdmissionProof {
        genesis: genesis.wire().to_vec(),
        admits: chain[..len].iter().map(|m| m.wire().to_vec()).collect(),
    };
    let eighth = chain[7].clone();
    let Some(sangam_protocol::Body::Admit(admit)) = eighth.body().unwrap() else {
        panic!("an admission");
    };
    assert_eq!(
        proof_of(8).verify(&admit.member, NOW + 20).map(|p| p.role),
        Ok(Role::Steward)
    );
    let ninth = chain[8].clone();
    let Some(sangam_protocol::Body::Admit(admit)) = ninth.body().unwrap() else {
        panic!("an admission");
    };
    assert!(matches!(
        proof_of(9).verify(&admit.member, NOW + 20),
        Err(Error::InvalidProof(_))
    ));
}

#[test]
fn only_a_steward_admission_gives_authority_and_only_authorised_admissions_count() {
    let (genesis, mut founder) = network();
    let mut member = Feed::new(key(2), founder.network);
    let mut steward = Feed::new(key(3), founder.network);
    let mut messages = vec![
        founder.admit(&key(2), Role::Member, NOW),
        founder.admit(&key(3), Role::Steward, NOW),
    ];
    // A member's admission of anyone does nothing.
    messages.push(member.admit(&key(4), Role::Steward, NOW + 1));
    messages.push(member.admit(&key(5), Role::Member, NOW + 1));
    // A steward revoked trusting none of its acts admits nobody afterwards.
    messages.push(steward.admit(&key(6), Role::Member, NOW + 2));
    messages.push(founder.revoke(&key(3), NOW + 3));
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    for n in [4, 5, 6] {
        assert_eq!(membership.role_of(&key(n).author()), None, "key {n}");
    }
}

#[test]
fn a_steward_admitted_twice_has_authority_from_the_earlier_admission() {
    // Acts dated before their author's admission do nothing; with two admissions the earlier
    // one counts, whatever order they arrive in.
    let (genesis, mut founder) = network();
    let mut second = Feed::new(key(2), founder.network);
    let mut twice = Feed::new(key(3), founder.network);
    let messages = vec![
        founder.admit(&key(2), Role::Steward, NOW),
        founder.admit(&key(3), Role::Steward, NOW + 10),
        second.admit(&key(3), Role::Steward, NOW + 30),
        twice.admit(&key(4), Role::Member, NOW + 20),
    ];
    for order in [messages.clone(), messages.iter().rev().cloned().collect()] {
        let membership = Membership::compute(&genesis, &acts(&order)).unwrap();
        assert_eq!(membership.role_of(&key(4).author()), Some(Role::Member));
    }
}

#[test]
fn a_revocation_with_a_lower_cut_off_names_the_record_before_a_compromise_notice() {
    let (genesis, mut founder) = network();
    let mut member = Feed::new(key(2), founder.network);
    let first = member.post_at(announcement("one"), NOW + 1);
    let mut messages = vec![founder.admit(&key(2), Role::Member, NOW)];
    messages.push(founder.revoke_trusting(&key(2), Some(&first), NOW + 2));
    member.post_at(announcement("two"), NOW + 3);
    messages.push(member.post_at(
        sangam_protocol::Body::KeyCompromised(sangam_protocol::kinds::KeyCompromised {
            reason: String::new(),
        }),
        NOW + 4,
    ));
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(membership.trusted_until(&key(2).author()), Some(1));
}

#[test]
fn no_admission_makes_the_founder_anything_but_the_founder() {
    let (genesis, mut founder) = network();
    let mut steward = Feed::new(key(2), founder.network);
    let messages = vec![
        founder.admit(&key(2), Role::Steward, NOW),
        steward.admit(&key(1), Role::Member, NOW + 1),
    ];
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(membership.role_of(&key(1).author()), Some(Role::Steward));
    assert_eq!(membership.founder(), key(1).author());
}

#[test]
fn of_two_revocations_the_record_names_the_strictest_cut_off() {
    // Whatever the two revocations' ids (the variants give them different ones), the record —
    // what a node serves and accepts of the key — is the lower cut-off.
    for variant in 0..8u64 {
        let (genesis, mut founder) = network();
        let mut steward = Feed::new(key(2), founder.network);
        let mut member = Feed::new(key(3), founder.network);
        let first = member.post_at(announcement("one"), NOW + 1);
        let _second = member.post_at(announcement("two"), NOW + 2);
        let third = member.post_at(announcement("three"), NOW + 3);
        let messages = vec![
            founder.admit(&key(2), Role::Steward, NOW),
            founder.admit(&key(3), Role::Member, NOW),
            founder.revoke_trusting(&key(3), Some(&third), NOW + 10 + variant),
            steward.revoke_trusting(&key(3), Some(&first), NOW + 20 + variant),
        ];
        let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
        assert_eq!(
            membership.trusted_until(&key(3).author()),
            Some(1),
            "variant {variant}"
        );
    }
}
