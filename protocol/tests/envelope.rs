//! The envelope and validation rules, each tried against an attempt to break it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use sangam_protocol::envelope::{Envelope, signed_bytes};
use sangam_protocol::kinds::{Close, MentoringRequest, Offer, Urgency};
use sangam_protocol::limits::{MAX_FUTURE_SKEW_MS, MAX_MESSAGE_BYTES, MAX_TEXT};
use sangam_protocol::membership::Membership;
use sangam_protocol::membership::{Permission, require_body, validate_permission};
use sangam_protocol::validate::*;
use sangam_protocol::{Body, Draft, Error, Kind, MessageId, NetworkId, Role};

#[test]
fn a_signed_message_validates_and_keeps_its_exact_bytes() {
    let (_, mut feed) = network();
    let message = feed.post(announcement("Workshop"));
    let received = validate_envelope(message.wire(), &feed.network, NOW).unwrap();
    assert_eq!(received, message);
    assert_eq!(received.wire(), message.wire());
    assert_eq!(received.body().unwrap(), Some(announcement("Workshop")));
    assert_eq!(received.header().seq, 2);
    assert_eq!(
        received.id(),
        sangam_protocol::envelope::message_id_for(message.header_bytes())
    );
}

#[test]
fn a_message_without_its_body_still_verifies() {
    let (_, mut feed) = network();
    let message = feed.post(announcement("Workshop"));
    let dropped = message.without_body();
    assert_eq!(dropped.id(), message.id());
    assert_eq!(dropped.body_bytes(), None);
    let received = validate_envelope(dropped.wire(), &feed.network, NOW).unwrap();
    assert_eq!(received, dropped);
    assert_eq!(received.body(), Ok(None));
}

#[test]
fn a_forged_signature_is_rejected() {
    let (_, mut feed) = network();
    let message = feed.post(announcement("Workshop"));
    let envelope = Envelope::parse(message.wire()).unwrap();
    // Someone else signs the same header bytes and claims the author's name.
    let forger = key(66);
    let forged_sig = forger.sign(&signed_bytes(envelope.header_bytes));
    let mut wire = message.wire().to_vec();
    let at = wire
        .windows(64)
        .position(|w| w == envelope.signature)
        .unwrap();
    wire[at..at + 64].copy_from_slice(&forged_sig);
    assert_eq!(
        validate_envelope(&wire, &feed.network, NOW),
        Err(Error::BadSignature)
    );
}

#[test]
fn a_swapped_body_is_rejected() {
    let (_, mut feed) = network();
    let message = feed.post(announcement("Workshop"));
    let other = feed.post(announcement("Other"));
    let envelope = Envelope::parse(message.wire()).unwrap();
    let swapped = postcard::to_stdvec(&(
        envelope.header_bytes,
        &envelope.signature[..],
        Some(other.body_bytes().unwrap()),
    ))
    .unwrap();
    assert_eq!(
        validate_envelope(&swapped, &feed.network, NOW),
        Err(Error::BodyMismatch)
    );
}

#[test]
fn a_message_for_another_network_is_rejected() {
    let (_, mut feed) = network();
    let message = feed.post(announcement("Workshop"));
    let elsewhere = NetworkId([9; 32]);
    assert_eq!(
        validate_envelope(message.wire(), &elsewhere, NOW),
        Err(Error::WrongNetwork)
    );
}

#[test]
fn timestamps_too_far_ahead_are_rejected_but_skew_within_bounds_is_fine() {
    let (_, mut feed) = network();
    let ok = feed.post_at(announcement("soon"), NOW + MAX_FUTURE_SKEW_MS);
    assert!(validate_envelope(ok.wire(), &feed.network, NOW).is_ok());
    let old = feed.post_at(announcement("old"), NOW - 30 * 24 * 3600 * 1000);
    assert!(validate_envelope(old.wire(), &feed.network, NOW).is_ok());
    let late = feed.post_at(announcement("future"), NOW + MAX_FUTURE_SKEW_MS + 1);
    assert!(matches!(
        validate_envelope(late.wire(), &feed.network, NOW),
        Err(Error::TimestampInFuture { .. })
    ));
}

#[test]
fn drafts_that_would_be_rejected_are_never_signed() {
    let (_, feed) = network();
    let draft = |seq, prev: Option<MessageId>, body| Draft {
        network: feed.network,
        seq,
        prev,
        timestamp: NOW,
        body,
    };
    let body = announcement("x");
    assert!(matches!(
        draft(0, None, body.clone()).sign(&feed.key),
        Err(Error::SeqPrevMismatch(_))
    ));
    assert!(matches!(
        draft(2, None, body.clone()).sign(&feed.key),
        Err(Error::SeqPrevMismatch(_))
    ));
    let prev = Some(MessageId([1; 32]));
    assert!(matches!(
        draft(1, prev, body).sign(&feed.key),
        Err(Error::SeqPrevMismatch(_))
    ));
    let long = Body::Offer(Offer {
        request: MessageId([1; 32]),
        body: "a".repeat(MAX_TEXT + 1),
    });
    assert!(matches!(
        draft(3, prev, long).sign(&feed.key),
        Err(Error::FieldTooLong { .. })
    ));
    // Within every field bound, but Devanagari text is three bytes a character.
    let big = Body::Offer(Offer {
        request: MessageId([1; 32]),
        body: "क".repeat(MAX_TEXT),
    });
    let fits = draft(3, prev, big).sign(&feed.key).unwrap();
    assert!(fits.wire().len() <= MAX_MESSAGE_BYTES);
}

#[test]
fn oversized_input_is_rejected_before_anything_is_decoded() {
    let wire = vec![0u8; MAX_MESSAGE_BYTES + 1];
    assert_eq!(
        validate_envelope(&wire, &NetworkId([0; 32]), NOW),
        Err(Error::Oversized {
            size: MAX_MESSAGE_BYTES + 1,
            max: MAX_MESSAGE_BYTES
        })
    );
}

#[test]
fn an_unknown_header_version_is_named_as_such() {
    let (_, mut feed) = network();
    let message = feed.post(announcement("Workshop"));
    let mut wire = message.wire().to_vec();
    let header = message.header_bytes();
    let at = wire
        .windows(header.len())
        .position(|w| w == header)
        .unwrap();
    for older_or_newer in [1, 2, 3, 5] {
        wire[at] = older_or_newer; // the header's first byte is its version
        assert_eq!(
            validate_envelope(&wire, &feed.network, NOW),
            Err(Error::UnsupportedVersion(older_or_newer))
        );
    }
}

#[test]
fn genesis_must_found_the_network_it_names_and_come_from_the_founder() {
    let (genesis, _) = network();
    let membership = Membership::from_genesis(&genesis).unwrap();
    assert_eq!(
        validate_body(&genesis).map(|b| b.map(|b| b.kind())),
        Ok(Some(Kind::Genesis))
    );
    assert_eq!(
        validate_permission(&membership, genesis.header()),
        Ok(Permission::Member(Role::Steward))
    );

    // A member signs a "genesis" claiming the same network: not the founder.
    let mut impostor = Feed::new(key(7), genesis.header().network);
    let fake = impostor.post(genesis.body().unwrap().unwrap());
    assert!(matches!(
        validate_body(&fake),
        Err(Error::InvalidGenesis(_))
    ));
    assert!(matches!(
        validate_permission(&membership, fake.header()),
        Err(Error::InvalidGenesis(_))
    ));
}

#[test]
fn a_revoked_keys_messages_are_kept_without_words_up_to_its_cut_off_and_refused_after() {
    let (genesis, mut founder) = network();
    let member = key(2);
    let mut acts_so_far = vec![founder.admit(&member, Role::Member, NOW)];
    let mut feed = Feed::new(key(2), founder.network);
    let first = feed.post(announcement("one"));
    let second = feed.post(announcement("two"));
    let third = feed.post(announcement("three"));
    acts_so_far.push(founder.revoke_trusting(&member, Some(&second), NOW + 1));
    let membership = Membership::compute(&genesis, &acts(&acts_so_far)).unwrap();
    for kept in [&first, &second] {
        assert_eq!(
            validate_permission(&membership, kept.header()),
            Ok(Permission::Former)
        );
    }
    assert_eq!(
        validate_permission(&membership, third.header()),
        Err(Error::NotAMember)
    );
}

#[test]
fn non_members_and_wrong_roles_are_refused() {
    let (genesis, mut founder) = network();
    let member = key(2);
    let observer = key(3);
    let admits = vec![
        founder.admit(&member, Role::Member, NOW),
        founder.admit(&observer, Role::Observer, NOW),
    ];
    let membership = Membership::compute(&genesis, &acts(&admits)).unwrap();

    let mut outsider = Feed::new(key(99), founder.network);
    let post = outsider.post(announcement("spam"));
    assert_eq!(
        validate_permission(&membership, post.header()),
        Err(Error::NotAMember)
    );

    let mut watcher = Feed::new(observer, founder.network);
    let post = watcher.post(announcement("hello"));
    assert_eq!(
        validate_permission(&membership, post.header()),
        Err(Error::RoleNotAllowed {
            role: Role::Observer,
            kind: Kind::Announcement
        })
    );

    let mut ordinary = Feed::new(member, founder.network);
    let post = ordinary.post(announcement("hello"));
    assert_eq!(
        validate_permission(&membership, post.header()),
        Ok(Permission::Member(Role::Member))
    );
    let admit = ordinary.admit(&key(4), Role::Member, NOW);
    assert_eq!(
        validate_permission(&membership, admit.header()),
        Err(Error::RoleNotAllowed {
            role: Role::Member,
            kind: Kind::Admit
        })
    );
}

#[test]
fn forks_and_broken_links_are_detected() {
    let (_, mut feed) = network();
    let first = feed.post(announcement("one"));
    let mut twin = Feed::new(key(1), feed.network);
    twin.seq = 1;
    twin.prev = first.header().prev;
    let fork = twin.post(announcement("one, but different"));
    assert_eq!(fork.header().seq, first.header().seq);
    let holding = |existing| Neighbours {
        existing,
        ..Neighbours::default()
    };
    assert_eq!(
        validate_chain(&fork, &holding(Some(first.id()))),
        Err(Error::Fork { seq: 2 })
    );
    assert_eq!(validate_chain(&first, &holding(Some(first.id()))), Ok(()));

    let next = feed.post(announcement("two"));
    let after = |previous| Neighbours {
        previous: Some(previous),
        ..Neighbours::default()
    };
    assert_eq!(validate_chain(&next, &after(&first)), Ok(()));
    assert!(matches!(
        validate_chain(&next, &after(&fork)),
        Err(Error::SeqPrevMismatch(_))
    ));
    // Seen from the other side: the message after `fork` does not name it.
    let before = Neighbours {
        next: Some(&next),
        ..Neighbours::default()
    };
    assert!(matches!(
        validate_chain(&fork, &before),
        Err(Error::SeqPrevMismatch(_))
    ));
    // Nothing at or after a known fork point is taken.
    let frozen = Neighbours {
        forked_at: Some(2),
        ..Neighbours::default()
    };
    assert_eq!(
        validate_chain(&next, &frozen),
        Err(Error::Forked { seq: 2 })
    );
}

#[test]
fn timestamps_never_go_back_along_a_chain() {
    let (_, mut feed) = network();
    let first = feed.post_at(announcement("one"), NOW + 100);
    let second = feed.post_at(announcement("two"), NOW + 50);
    let previous = Neighbours {
        previous: Some(&first),
        ..Neighbours::default()
    };
    assert_eq!(
        validate_chain(&second, &previous),
        Err(Error::TimestampWentBack)
    );
    // Whichever arrives first, the pair is refused when the second one arrives.
    let next = Neighbours {
        next: Some(&second),
        ..Neighbours::default()
    };
    assert_eq!(validate_chain(&first, &next), Err(Error::TimestampWentBack));
    // Two messages written in the same millisecond are in order, from either side.
    let (_, mut feed) = network();
    let first = feed.post_at(announcement("one"), NOW);
    let second = feed.post_at(announcement("two"), NOW);
    let before = Neighbours {
        previous: Some(&first),
        ..Neighbours::default()
    };
    assert_eq!(validate_chain(&second, &before), Ok(()));
    let after = Neighbours {
        next: Some(&second),
        ..Neighbours::default()
    };
    assert_eq!(validate_chain(&first, &after), Ok(()));
}

#[test]
fn members_messages_are_refused_without_their_body_except_from_former_members() {
    let (genesis, mut founder) = network();
    let admit = founder.admit(&key(2), Role::Member, NOW);
    let stripped = admit.without_body();
    assert_eq!(
        require_body(stripped.header(), false, Permission::Act, false),
        Err(Error::BodyRequired { kind: Kind::Admit })
    );
    assert_eq!(
        require_body(admit.header(), true, Permission::Act, false),
        Ok(())
    );
    assert_eq!(
        require_body(
            genesis.header(),
            false,
            Permission::Member(Role::Steward),
            false
        ),
        Err(Error::BodyRequired {
            kind: Kind::Genesis
        })
    );
    let post = founder.post(announcement("hello"));
    assert_eq!(
        require_body(
            post.header(),
            false,
            Permission::Member(Role::Steward),
            false
        ),
        Err(Error::BodyRequired {
            kind: Kind::Announcement
        }),
        "a stripped announcement would censor the real one (vectors would count it as held)"
    );
    assert_eq!(
        require_body(stripped.header(), false, Permission::Former, false),
        Ok(())
    );
    // A withdrawn or expired item may come without its words; a membership act never.
    assert_eq!(
        require_body(
            post.header(),
            false,
            Permission::Member(Role::Steward),
            true
        ),
        Ok(())
    );
    assert_eq!(
        require_body(stripped.header(), false, Permission::Act, true),
        Err(Error::BodyRequired { kind: Kind::Admit })
    );
}

#[test]
fn the_header_carries_the_bodys_expiry_and_proves_it_without_the_body() {
    let (_, mut founder) = network();
    let lasting = founder.post(announcement("for a week"));
    assert_eq!(lasting.header().expires_at, None);
    let body = Body::Announcement(sangam_protocol::kinds::Announcement {
        title: "Saturday only".into(),
        body: String::new(),
        tags: vec![],
        expires_at: Some(NOW + 1000),
    });
    let brief = founder.post(body);
    assert_eq!(brief.header().expires_at, Some(NOW + 1000));
    let stripped = brief.without_body();
    assert!(!sangam_protocol::membership::body_lapsed(
        stripped.header(),
        NOW + 999
    ));
    assert!(sangam_protocol::membership::body_lapsed(
        stripped.header(),
        NOW + 1000
    ));
}

#[test]
fn only_the_author_closes_an_item_and_offers_answer_requests() {
    let (_, mut founder) = network();
    let request = founder.post(Body::MentoringRequest(MentoringRequest {
        topic: "victim_compensation".into(),
        title: "Help with a compensation claim".into(),
        description: "The district board has not answered in a year.".into(),
        region: "West Bengal".into(),
        language: "Bengali".into(),
        urgency: Urgency::High,
        expires_at: None,
    }));
    let notice = founder.post(announcement("news"));
    let other = key(2).author();
    let close = Body::Close(Close {
        item: request.id(),
        note: String::new(),
    });
    assert_eq!(reference_of(&close), Some(request.id()));
    assert_eq!(
        validate_reference(&founder.author(), &close, request.header()),
        Ok(())
    );
    assert!(matches!(
        validate_reference(&other, &close, request.header()),
        Err(Error::BadReference(_))
    ));
    let offer = Body::Offer(Offer {
        request: request.id(),
        body: "We can help".into(),
    });
    assert_eq!(validate_reference(&other, &offer, request.header()), Ok(()));
    assert!(matches!(
        validate_reference(&other, &offer, notice.header()),
        Err(Error::BadReference(_))
    ));
}

#[test]
fn an_endorsement_names_another_collectives_audit() {
    use sangam_protocol::audit::{Audit, Endorsement, OfficeType, Outcome, Ratings};
    let (_, mut founder) = network();
    let audit = founder.post(Body::Audit(Audit {
        office_type: OfficeType::Ahtu,
        office_name: "AHTU Nadia".into(),
        district: "Nadia".into(),
        state: "West Bengal".into(),
        date: "2026-10-02".into(),
        sought: "rescue".into(),
        ratings: Ratings::default(),
        outcome: Outcome::Granted,
        note: String::new(),
    }));
    let notice = founder.post(announcement("news"));
    let endorse = |id| {
        Body::Endorsement(Endorsement {
            audit: id,
            note: String::new(),
        })
    };
    assert_eq!(reference_of(&endorse(audit.id())), Some(audit.id()));
    let other = key(2).author();
    assert_eq!(
        validate_reference(&other, &endorse(audit.id()), audit.header()),
        Ok(())
    );
    // A collective vouching for itself would double its own audit's weight.
    assert_eq!(
        validate_reference(&founder.author(), &endorse(audit.id()), audit.header()),
        Err(Error::BadReference(
            "a collective cannot endorse its own audit"
        ))
    );
    assert_eq!(
        validate_reference(&other, &endorse(notice.id()), notice.header()),
        Err(Error::BadReference("an endorsement must name an audit"))
    );
}

#[test]
fn every_rejection_has_a_stable_reason_code() {
    let codes = [
        Error::WrongNetwork.reason(),
        Error::BadSignature.reason(),
        Error::NotAMember.reason(),
        Error::Fork { seq: 1 }.reason(),
    ];
    assert_eq!(
        codes,
        ["wrong_network", "bad_signature", "not_a_member", "fork"]
    );
}

#[test]
fn what_postcard_does_with_a_non_minimal_varint_is_what_protocol_md_says() {
    // PROTOCOL.md §1: decoders accept a varint with redundant zero groups (`80 00` for 0), as
    // postcard does; a header written that way has other bytes, so another id and signature.
    assert_eq!(postcard::from_bytes::<u64>(&[0x80, 0x00]), Ok(0));
    assert_eq!(postcard::from_bytes::<u64>(&[0x00]), Ok(0));
    // More groups than a u64 can need (10) is refused.
    assert!(postcard::from_bytes::<u64>(&[0x80; 11]).is_err());
}
