//! Replacing the founder, tried by the people who should not manage it: one steward naming a
//! cut-off that leaves it alone in the electorate, a key another steward revoked, and two groups
//! that both reach a majority (the spec and the code must pick the same one).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use sangam_protocol::membership::Membership;
use sangam_protocol::{Message, Role};

/// Founder 1 admits steward 2, then stewards 3 and 4 and member 5.
fn network_of_four() -> (Message, Feed, Vec<Feed>, Vec<Message>) {
    let (genesis, mut founder) = network();
    let stewards: Vec<Feed> = (2..5).map(|n| Feed::new(key(n), founder.network)).collect();
    let mut messages: Vec<Message> = (2..5)
        .map(|n| founder.admit(&key(n), Role::Steward, NOW))
        .collect();
    messages.push(founder.admit(&key(5), Role::Member, NOW));
    (genesis, founder, stewards, messages)
}

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
fn a_key_another_steward_revoked_never_votes() {
    let (genesis, mut founder, mut stewards, mut messages) = network_of_four();
    let last_of_three = messages[2].clone();
    // The founder then admits steward 6, who revokes steward 3.
    let mut six = Feed::new(key(6), founder.network);
    messages.push(founder.admit(&key(6), Role::Steward, NOW + 1));
    messages.push(six.revoke(&key(3), NOW + 2));
    // Revoked 3 and honest 4 vote with the founder cut off before 6 was admitted, where 6's
    // revocation would not count and 3 would be one of three stewards.
    let successor = key(9);
    messages.push(stewards[1].replace_founder(
        &founder.key,
        &successor,
        Some(&last_of_three),
        NOW + 3,
    ));
    messages.push(stewards[2].replace_founder(
        &founder.key,
        &successor,
        Some(&last_of_three),
        NOW + 4,
    ));
    let membership = Membership::compute(&genesis, &acts(&messages)).unwrap();
    assert_eq!(membership.founder(), founder.author(), "3's vote counted");
    assert!(membership.is_revoked(&key(3).author()));
    // Steward 2 joining the vote makes a real majority without 3.
    messages.push(stewards[0].replace_founder(
        &founder.key,
        &successor,
        Some(&last_of_three),
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
