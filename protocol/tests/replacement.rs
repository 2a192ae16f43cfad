//! Replacing the founder, tried by the people who should not manage it: one steward naming a
//! cut-off that leaves it alone in the electorate, two early stewards against a council, a
//! thief holding the founder key, a key another steward revoked, and two groups that both reach
//! a majority (the spec and the code must pick the same one).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use sangam_protocol::kinds::Council;
use sangam_protocol::membership::Membership;
use sangam_protocol::{Body, Message, Role};

#[test]
fn a_lone_steward_cannot_replace_the_founder_whatever_cut_off_it_names() {
    let (genesis, founder, mut stewards, mut messages) = network_of_four();
    let own_admission = messages[0].clone();
    let thief = key(9);
    // Cut off just after its own admission, steward 2 is the only steward left: a majority of
    // one, which must not be enough.
    messages.push(stewards[0].replace_founder(&founder.key, &thief, Some(&own_admission), NOW + 5));
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(membership.founder(), founder.author());
    assert_eq!(membership.role_of(&key(5).author()), Some(Role::Member));
    assert_eq!(membership.role_of(&key(3).author()), Some(Role::Steward));
    assert_eq!(membership.role_of(&thief.author()), None);
    // A vote trusting nothing at all leaves it just as alone.
    messages.push(stewards[0].replace_founder(&founder.key, &thief, None, NOW + 6));
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(membership.founder(), founder.author());
}

#[test]
fn a_key_revoked_before_the_cut_off_never_votes() {
    let (genesis, mut founder, mut stewards, mut messages) = network_of_four();
    // The founder admits steward 6, who revokes steward 3; then the founder's laptop is taken.
    let mut six = Feed::new(key(6), founder.network);
    let six_admitted = founder.admit(&key(6), Role::Steward, NOW + 1);
    messages.push(six_admitted.clone());
    messages.push(six.revoke(&key(3), NOW + 2));
    // Revoked 3 and honest 4 vote, trusting the founder up to 6's admission: 6's revocation of
    // 3 counts there, so 3's vote does not, and one vote of three stewards is not enough.
    let successor = key(9);
    for voter in [1, 2] {
        messages.push(stewards[voter].replace_founder(
            &founder.key,
            &successor,
            Some(&six_admitted),
            NOW + 3,
        ));
    }
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(membership.founder(), founder.author(), "3's vote counted");
    assert!(membership.is_revoked(&key(3).author()));
    // Steward 2 joining the vote makes two of the three stewards standing there (2, 4, 6).
    messages.push(stewards[0].replace_founder(
        &founder.key,
        &successor,
        Some(&six_admitted),
        NOW + 5,
    ));
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(membership.founder(), successor.author());
}

#[test]
fn of_two_groups_with_a_majority_the_higher_cut_off_wins_whichever_key_is_lower() {
    for (x, y) in [(key(10), key(11)), (key(11), key(10))] {
        let (genesis, founder, mut stewards, mut votes) = network_of_four();
        let early = votes[2].clone();
        let late = votes[3].clone();
        // 2 and 3 vote X trusting the founder to `early`; 3 and 4 vote Y trusting it to `late`.
        // Both groups are two of three stewards; the higher cut-off is taken first.
        votes.push(stewards[0].replace_founder(&founder.key, &x, Some(&early), NOW + 1));
        votes.push(stewards[1].replace_founder(&founder.key, &x, Some(&early), NOW + 2));
        votes.push(stewards[1].replace_founder(&founder.key, &y, Some(&late), NOW + 3));
        votes.push(stewards[2].replace_founder(&founder.key, &y, Some(&late), NOW + 4));
        let membership = Membership::compute(&genesis, &acts(&votes)).unwrap();
        assert_eq!(membership.founder(), y.author());
        let cut = membership
            .revoked()
            .find(|(id, _)| **id == founder.author())
            .map(|(_, r)| r.trusted_seq);
        assert_eq!(cut, Some(late.header().seq));
    }
}

fn council(term: u32, keys: &[u8]) -> Body {
    let mut members: Vec<_> = keys.iter().map(|n| key(*n).author()).collect();
    members.sort();
    Body::Council(Council { term, members })
}

#[test]
fn with_a_council_two_early_stewards_cannot_replace_the_founder() {
    let (genesis, mut founder) = network();
    let mut stewards: Vec<Feed> = (2..6).map(|n| Feed::new(key(n), founder.network)).collect();
    let mut messages: Vec<Message> = (2..6)
        .map(|n| founder.admit(&key(n), Role::Steward, NOW))
        .collect();
    let second_admission = messages[1].clone();
    messages.push(founder.post_at(council(1, &[2, 3, 4, 5]), NOW + 1));
    // 2 and 3, the first two stewards, cut the founder off before 4 and 5 were admitted: without
    // a council they would be all the stewards left, and a majority.
    let thief = key(9);
    for steward in &mut stewards[..2] {
        messages.push(steward.replace_founder(
            &founder.key,
            &thief,
            Some(&second_admission),
            NOW + 2,
        ));
    }
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(membership.founder(), founder.author());
    assert_eq!(membership.role_of(&key(5).author()), Some(Role::Steward));
    assert_eq!(membership.council().map(|c| c.term), Some(1));
    // Without the council, the same votes do replace it: the council is what stops them.
    let without: Vec<Message> = messages
        .iter()
        .filter(|m| m.header().kind != sangam_protocol::Kind::Council)
        .cloned()
        .collect();
    let membership = Membership::compute(&genesis, &acts(&without)).unwrap();
    assert_eq!(membership.founder(), thief.author());
}

#[test]
fn a_council_majority_replaces_a_seized_founder_however_many_stewards_the_thief_admits() {
    let (genesis, mut founder) = network();
    let mut stewards: Vec<Feed> = (2..5).map(|n| Feed::new(key(n), founder.network)).collect();
    let mut messages: Vec<Message> = (2..5)
        .map(|n| founder.admit(&key(n), Role::Steward, NOW))
        .collect();
    let named = founder.post_at(council(1, &[2, 3, 4]), NOW + 1);
    messages.push(named.clone());
    // The laptop is taken: the thief admits five stewards of its own and revokes steward 2.
    for n in 10..15 {
        messages.push(founder.admit(&key(n), Role::Steward, NOW + 10));
    }
    messages.push(founder.revoke(&key(2), NOW + 11));
    // It cannot rename the council either.
    messages.push(founder.post_at(council(1, &[10, 11]), NOW + 12));
    messages.push(founder.post_at(council(2, &[10, 11]), NOW + 12));
    let successor = key(9);
    for steward in &mut stewards[..2] {
        messages.push(steward.replace_founder(&founder.key, &successor, Some(&named), NOW + 20));
    }
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(membership.founder(), successor.author());
    assert_eq!(membership.role_of(&key(2).author()), Some(Role::Steward));
    for n in 10..15 {
        assert_eq!(
            membership.role_of(&key(n).author()),
            None,
            "thief's steward {n}"
        );
    }
    let council_keys: Vec<_> = {
        let mut keys: Vec<_> = [2, 3, 4].iter().map(|n: &u8| key(*n).author()).collect();
        keys.sort();
        keys
    };
    assert_eq!(
        membership.council().map(|c| c.members.clone()),
        Some(council_keys)
    );
}

#[test]
fn only_a_majority_of_the_council_changes_it() {
    let (genesis, mut founder) = network();
    let mut stewards: Vec<Feed> = (2..6).map(|n| Feed::new(key(n), founder.network)).collect();
    let mut messages: Vec<Message> = (2..6)
        .map(|n| founder.admit(&key(n), Role::Steward, NOW))
        .collect();
    messages.push(founder.post_at(council(1, &[2, 3, 4]), NOW + 1));
    // The founder alone, or one seat, names another council: nothing changes.
    messages.push(founder.post_at(council(2, &[3, 5]), NOW + 2));
    messages.push(stewards[0].post_at(council(2, &[3, 5]), NOW + 3));
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(membership.council().map(|c| c.term), Some(1));
    // A second seat makes two of three: term 2 is in force.
    messages.push(stewards[1].post_at(council(2, &[3, 5]), NOW + 4));
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    let council = membership.council().unwrap();
    assert_eq!(council.term, 2);
    assert!(council.members.contains(&key(5).author()));
    assert!(!council.members.contains(&key(2).author()));
}

#[test]
fn a_council_is_named_in_one_way_only() {
    let two = key(2).author();
    let three = key(3).author();
    let (low, high) = if two < three {
        (two, three)
    } else {
        (three, two)
    };
    let bad = [
        Council {
            term: 0,
            members: vec![low, high],
        },
        Council {
            term: 1,
            members: vec![low],
        },
        Council {
            term: 1,
            members: vec![high, low],
        },
        Council {
            term: 1,
            members: vec![low, low],
        },
        Council {
            term: 1,
            members: (0..10).map(|n| key(n).author()).collect(),
        },
    ];
    for council in bad {
        assert!(
            Body::Council(council.clone()).check_fields().is_err(),
            "{council:?}"
        );
    }
    let good = Council {
        term: 1,
        members: vec![low, high],
    };
    assert!(Body::Council(good).check_fields().is_ok());
}

#[test]
fn a_council_changes_only_by_a_strict_majority_of_its_seats() {
    for (seats, proposing) in [(&[2u8, 3][..], &[2u8][..]), (&[2, 3, 4, 5], &[2, 3])] {
        let (genesis, mut founder) = network();
        let mut messages: Vec<Message> = (2..7)
            .map(|n| founder.admit(&key(n), Role::Steward, NOW))
            .collect();
        messages.push(founder.post_at(council(1, seats), NOW + 1));
        for n in proposing {
            let mut feed = Feed::new(key(*n), founder.network);
            messages.push(feed.post_at(council(2, &[2, 6]), NOW + 2));
        }
        let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
        assert_eq!(
            membership.council().map(|c| c.term),
            Some(1),
            "{proposing:?} of {seats:?} changed it"
        );
    }
}

#[test]
fn three_of_five_seats_replace_the_founder() {
    let (genesis, mut founder) = network();
    let mut messages: Vec<Message> = (2..7)
        .map(|n| founder.admit(&key(n), Role::Steward, NOW))
        .collect();
    let named = founder.post_at(council(1, &[2, 3, 4, 5, 6]), NOW + 1);
    messages.push(named.clone());
    let successor = key(9);
    for n in 2..5 {
        let mut feed = Feed::new(key(n), founder.network);
        messages.push(feed.replace_founder(&founder.key, &successor, Some(&named), NOW + 2));
    }
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(membership.founder(), successor.author());
}
