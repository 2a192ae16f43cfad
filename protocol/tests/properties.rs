//! Property tests: bodies round-trip, and any damage to a signed message is caught, never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use proptest::prelude::*;
use sangam_protocol::audit::{OfficeType, Outcome, Ratings};
use sangam_protocol::kinds::*;
use sangam_protocol::validate::{validate_body, validate_envelope};
use sangam_protocol::{AuthorId, Body, ContentHash, Kind, MessageId, NetworkId};

fn text() -> impl Strategy<Value = String> {
    // Printable text in several scripts (no control characters), never blank.
    "[a-zA-Z0-9 कखगघ অআইঈ.,!?\n]{0,40}".prop_map(|s| format!("x{s}"))
}

fn line() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 कखगघ অআইঈ-]{0,30}".prop_map(|s| format!("x{s}"))
}

fn tags() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec("[a-z]{1,10}", 0..5)
}

fn id() -> impl Strategy<Value = MessageId> {
    any::<[u8; 32]>().prop_map(MessageId)
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![
        Just(Role::Steward),
        Just(Role::Member),
        Just(Role::Observer)
    ]
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        (line(), line(), any::<u64>()).prop_map(|(network_name, founder_name, founded_at)| {
            Body::Genesis(Genesis {
                network_name,
                founder_name,
                founded_at,
            })
        }),
        (line(), line(), line(), tags(), tags(), text()).prop_map(
            |(name, state, district, focus_areas, languages, about)| {
                Body::Profile(Profile {
                    name,
                    state,
                    district,
                    focus_areas,
                    languages,
                    about,
                })
            }
        ),
        (line(), text(), tags(), any::<Option<u64>>()).prop_map(
            |(title, body, tags, expires_at)| {
                Body::Announcement(Announcement {
                    title,
                    body,
                    tags,
                    expires_at,
                })
            }
        ),
        (
            line(),
            line(),
            text(),
            line(),
            line(),
            0..3u8,
            any::<Option<u64>>()
        )
            .prop_map(
                |(topic, title, description, region, language, urgency, expires_at)| {
                    let urgency = [Urgency::Low, Urgency::Normal, Urgency::High][urgency as usize];
                    Body::MentoringRequest(MentoringRequest {
                        topic,
                        title,
                        description,
                        region,
                        language,
                        urgency,
                        expires_at,
                    })
                }
            ),
        (id(), text()).prop_map(|(request, body)| Body::Offer(Offer { request, body })),
        (
            line(),
            text(),
            tags(),
            prop::option::of(line()),
            prop::option::of(any::<[u8; 32]>())
        )
            .prop_map(|(title, description, tags, link, file_hash)| {
                Body::Resource(Resource {
                    title,
                    description,
                    tags,
                    link,
                    file_hash: file_hash.map(ContentHash),
                })
            }),
        (id(), text()).prop_map(|(item, note)| Body::Close(Close { item, note })),
        (any::<[u8; 32]>(), role(), line()).prop_map(|(member, role, name)| {
            Body::Admit(Admit {
                member: AuthorId(member),
                role,
                name,
            })
        }),
        (any::<[u8; 32]>(), text(), prop::option::of(id())).prop_map(
            |(member, reason, trusted)| Body::Revoke(Revoke {
                member: AuthorId(member),
                reason,
                trusted_seq: u64::from(trusted.is_some()) * 7,
                trusted,
            })
        ),
        (
            any::<[u8; 32]>(),
            any::<[u8; 32]>(),
            line(),
            text(),
            prop::option::of(id())
        )
            .prop_map(|(founder, successor, name, reason, trusted)| {
                Body::ReplaceFounder(ReplaceFounder {
                    founder: AuthorId(founder),
                    successor: AuthorId(successor),
                    name,
                    trusted_seq: u64::from(trusted.is_some()) * 3,
                    trusted,
                    reason,
                })
            }),
        id().prop_map(|item| Body::Withdraw(Withdraw { item })),
        text().prop_map(|reason| Body::KeyCompromised(KeyCompromised { reason })),
        (
            (0usize..10, line(), line(), line()),
            (2000u16..=2100, 1u8..=12, 1u8..=28),
            (
                line(),
                [0u8..=5, 0u8..=5, 0u8..=5, 0u8..=5],
                0usize..4,
                text()
            )
        )
            .prop_map(
                |(
                    (office, office_name, district, state),
                    (y, m, d),
                    (sought, r, outcome, note),
                )| {
                    Body::Audit(Audit {
                        office_type: OfficeType::ALL[office],
                        office_name,
                        district,
                        state,
                        date: format!("{y:04}-{m:02}-{d:02}"),
                        sought,
                        ratings: Ratings {
                            responsiveness: r[0],
                            dignity: r[1],
                            timeliness: r[2],
                            outcome: r[3],
                        },
                        outcome: Outcome::ALL[outcome],
                        note,
                    })
                }
            ),
        (id(), text()).prop_map(|(audit, note)| Body::Endorsement(Endorsement { audit, note })),
        (14..u16::MAX, prop::collection::vec(any::<u8>(), 0..64))
            .prop_map(|(number, bytes)| Body::Unsupported { number, bytes }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_kind_round_trips(body in body()) {
        let bytes = body.encode();
        prop_assert_eq!(Body::decode(body.kind(), &bytes), Ok(body.clone()));
        prop_assert_eq!(body.check_fields(), Ok(()));
        // And through a signed message (a genesis only as the founder's first message).
        if body.kind() != Kind::Genesis {
            let (_, mut feed) = network();
            let message = feed.post(body.clone());
            let received = validate_envelope(message.wire(), &feed.network, NOW).unwrap();
            prop_assert_eq!(validate_body(&received), Ok(Some(body)));
        }
    }

    #[test]
    fn flipping_any_bit_of_a_signed_message_fails_validation(
        body in body(),
        position in any::<prop::sample::Index>(),
        bit in 0..8u8,
    ) {
        prop_assume!(body.kind() != Kind::Genesis);
        let (_, mut feed) = network();
        let message = feed.post(body);
        let mut wire = message.wire().to_vec();
        let at = position.index(wire.len());
        wire[at] ^= 1 << bit;
        prop_assert!(validate_envelope(&wire, &feed.network, NOW).is_err());
    }

    #[test]
    fn a_message_signed_for_one_network_fails_in_another(body in body(), other in any::<[u8; 32]>()) {
        prop_assume!(body.kind() != Kind::Genesis);
        let (_, mut feed) = network();
        prop_assume!(NetworkId(other) != feed.network);
        let message = feed.post(body);
        prop_assert_eq!(
            validate_envelope(message.wire(), &NetworkId(other), NOW),
            Err(sangam_protocol::Error::WrongNetwork)
        );
    }

    #[test]
    fn truncated_or_extended_messages_are_rejected(
        body in body(),
        cut in any::<prop::sample::Index>(),
        extra in prop::collection::vec(any::<u8>(), 1..16),
    ) {
        prop_assume!(body.kind() != Kind::Genesis);
        let (_, mut feed) = network();
        let wire = feed.post(body).into_wire();
        let truncated = &wire[..cut.index(wire.len())];
        prop_assert!(validate_envelope(truncated, &feed.network, NOW).is_err());
        let mut extended = wire.clone();
        extended.extend_from_slice(&extra);
        prop_assert!(validate_envelope(&extended, &feed.network, NOW).is_err());
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512), kind in any::<u16>()) {
        let _ = validate_envelope(&bytes, &NetworkId([0; 32]), NOW);
        let _ = Body::decode(Kind::from_number(kind), &bytes);
        let _ = sangam_protocol::sync::SyncRequest::decode(&bytes);
        let _ = sangam_protocol::sync::SyncResponse::decode(&bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any title with a bidi control or zero-width character anywhere is refused with
    /// `invisible_characters`; the same title without it is accepted.
    #[test]
    fn invisible_characters_anywhere_are_refused(
        title in line(),
        at in 0usize..40,
        sneaky in prop::sample::select(vec![
            '\u{061C}', '\u{200B}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}',
            '\u{202C}', '\u{202D}', '\u{202E}', '\u{2060}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{FEFF}', '\u{00AD}',
        ]),
    ) {
        let announcement = |title: String| Body::Announcement(Announcement {
            title,
            body: String::new(),
            tags: vec![],
            expires_at: None,
        });
        prop_assert_eq!(announcement(title.clone()).check_fields(), Ok(()));
        let mut chars: Vec<char> = title.chars().collect();
        chars.insert(at.min(chars.len()), sneaky);
        let reason = announcement(chars.into_iter().collect()).check_fields().map_err(|e| e.reason());
        prop_assert_eq!(reason, Err("invisible_characters"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever a stranger sends as a hello, a frame past the bound is refused by its size alone,
    /// and anything within it either decodes within the proof's shape limits or is refused —
    /// never a panic, never a proof with more or larger entries than a real one.
    #[test]
    fn hello_frames_are_bounded_whatever_they_hold(
        entries in 0usize..12,
        entry in 0usize..7_000,
        padding in 0usize..64,
        noise in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        use sangam_protocol::membership::AdmissionProof;
        use sangam_protocol::transport::{Hello, MAX_HELLO_BYTES, MAX_PROOF_ENTRY_BYTES};
        use sangam_protocol::limits::MAX_PROOF_ADMITS;
        let hello = Hello {
            network: NetworkId([1; 32]),
            proof: Some(AdmissionProof {
                genesis: vec![7; padding],
                admits: vec![vec![0; entry]; entries],
            }),
        };
        let mut bytes = hello.encode();
        match Hello::decode(&bytes) {
            Ok(read) => {
                prop_assert!(bytes.len() <= MAX_HELLO_BYTES);
                let proof = read.proof.unwrap();
                prop_assert!(proof.admits.len() <= MAX_PROOF_ADMITS);
                prop_assert!(proof.admits.iter().all(|a| a.len() <= MAX_PROOF_ENTRY_BYTES));
            }
            Err(_) => prop_assert!(
                bytes.len() > MAX_HELLO_BYTES
                    || entries > MAX_PROOF_ADMITS
                    || (entries > 0 && entry > MAX_PROOF_ENTRY_BYTES)
            ),
        }
        bytes.extend_from_slice(&noise);
        let _ = Hello::decode(&bytes);
        let oversized = vec![0u8; MAX_HELLO_BYTES + 1 + noise.len()];
        prop_assert!(Hello::decode(&oversized).is_err());
    }
}
