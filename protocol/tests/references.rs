//! What a message may refer to (PROTOCOL.md §7 rule 7): every pairing of a referring body with
//! a target's kind and author, accepted or refused as the spec says, and the id each body names.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use sangam_protocol::envelope::{FORMAT_VERSION, Header};
use sangam_protocol::kinds::{Close, Endorsement, Offer, Sealed, Withdraw};
use sangam_protocol::validate::{reference_of, validate_reference};
use sangam_protocol::{AuthorId, Body, ContentHash, Kind, MessageId, NetworkId};

const TARGET: MessageId = MessageId([7; 32]);

fn header(author: AuthorId, kind: Kind) -> Header {
    Header {
        version: FORMAT_VERSION,
        network: NetworkId([1; 32]),
        author,
        seq: 1,
        prev: None,
        timestamp: NOW,
        expires_at: None,
        kind,
        body_len: 0,
        body_hash: ContentHash::of(&[]),
    }
}

fn sealed(reference: Option<MessageId>) -> Body {
    Body::Sealed(Sealed {
        recipients: vec![key(3).author()],
        inner_kind: if reference.is_some() {
            Kind::Offer
        } else {
            Kind::Announcement
        },
        reference,
        commitment: ContentHash::of(&[]),
        keys: Vec::new(),
        ciphertext: Vec::new(),
    })
}

#[test]
fn each_body_may_refer_only_to_what_the_spec_allows() {
    let me = key(1).author();
    let other = key(2).author();
    let offer = Body::Offer(Offer {
        request: TARGET,
        body: "I can help".into(),
    });
    let close = Body::Close(Close {
        item: TARGET,
        note: String::new(),
    });
    let withdraw = Body::Withdraw(Withdraw { item: TARGET });
    let endorse = Body::Endorsement(Endorsement {
        audit: TARGET,
        note: String::new(),
    });
    let closable = [
        Kind::Announcement,
        Kind::MentoringRequest,
        Kind::Offer,
        Kind::Resource,
        Kind::Sealed,
    ];
    for kind in Kind::KNOWN {
        let mine = header(me, kind);
        let theirs = header(other, kind);
        let request = kind == Kind::MentoringRequest;
        // (body, target, accepted)
        let cases = [
            (&offer, &theirs, request),
            (&sealed(Some(TARGET)), &theirs, request),
            (&sealed(None), &theirs, true),
            (&close, &mine, closable.contains(&kind)),
            (&close, &theirs, false),
            (&withdraw, &mine, kind.is_withdrawable()),
            (&withdraw, &theirs, false),
            (&endorse, &theirs, kind == Kind::Audit),
            (&endorse, &mine, false),
        ];
        for (body, target, accepted) in cases {
            let verdict = validate_reference(&me, body, target);
            assert_eq!(
                verdict.is_ok(),
                accepted,
                "{:?} naming a {kind:?} by {}: {verdict:?}",
                body.kind(),
                if target.author == me {
                    "itself"
                } else {
                    "another"
                }
            );
        }
    }
}

#[test]
fn each_referring_body_names_its_target() {
    let named = [
        Body::Offer(Offer {
            request: TARGET,
            body: "x".into(),
        }),
        Body::Close(Close {
            item: TARGET,
            note: String::new(),
        }),
        Body::Withdraw(Withdraw { item: TARGET }),
        Body::Endorsement(Endorsement {
            audit: TARGET,
            note: String::new(),
        }),
        sealed(Some(TARGET)),
    ];
    for body in &named {
        assert_eq!(reference_of(body), Some(TARGET), "{:?}", body.kind());
    }
    assert_eq!(reference_of(&sealed(None)), None);
    assert_eq!(reference_of(&announcement("no target")), None);
}
