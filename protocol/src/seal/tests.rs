//! Sealed bodies open for their readers only; everyone else learns the header and nothing more.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::identity::Keypair;
use crate::ids::MessageId;
use crate::kind::Kind;
use crate::kinds::{Announcement, Offer};
use crate::sealed::{PADDING, SealingSecret};
use crate::validate::{validate_body, validate_envelope};
use crate::{Draft, Message};

struct Collective {
    key: Keypair,
    secret: SealingSecret,
}

fn collective(seed: u8) -> Collective {
    let key = Keypair::from_secret_bytes(&[seed; 32]);
    let secret = SealingSecret::of(&key);
    Collective { key, secret }
}

const NETWORK: NetworkId = NetworkId([7; 32]);
const WORDS: &str = "Call Meena at 98300 12345; we can come on Saturday.";

fn offer() -> Body {
    Body::Offer(Offer {
        request: MessageId([3; 32]),
        body: WORDS.into(),
    })
}

fn sealed_by(author: &Collective, to: &[&Collective], body: &Body) -> Sealed {
    let recipients: Vec<(AuthorId, EncryptionKey)> = to
        .iter()
        .map(|c| (c.key.author(), c.secret.public()))
        .collect();
    SealRequest {
        network: NETWORK,
        author: author.key.author(),
        author_key: author.secret.public(),
        recipients: &recipients,
        body,
    }
    .seal()
    .unwrap()
}

fn signed(author: &Collective, sealed: &Sealed) -> Message {
    Draft {
        network: NETWORK,
        seq: 1,
        prev: None,
        timestamp: 1_000,
        body: Body::Sealed(sealed.clone()),
    }
    .sign(&author.key)
    .unwrap()
}

#[test]
fn recipients_and_the_author_open_it_and_read_the_same_words() {
    let (author, utthan, jagori) = (collective(1), collective(2), collective(3));
    let sealed = sealed_by(&author, &[&utthan, &jagori], &offer());
    for reader in [&utthan, &jagori, &author] {
        let opened = sealed
            .open(
                &NETWORK,
                &author.key.author(),
                &reader.key.author(),
                &reader.secret,
            )
            .unwrap();
        assert_eq!(opened, offer());
    }
    assert_eq!(sealed.reference, Some(MessageId([3; 32])));
    assert_eq!(sealed.inner_kind, Kind::Offer);
}

#[test]
fn a_non_recipient_member_an_observer_and_an_outsider_learn_only_the_header() {
    let (author, utthan) = (collective(1), collective(2));
    let (member, observer, outsider) = (collective(4), collective(5), collective(6));
    let message = signed(&author, &sealed_by(&author, &[&utthan], &offer()));
    // Everyone can check the message and read its public fields.
    let checked = validate_envelope(message.wire(), &NETWORK, 2_000).unwrap();
    let Some(Body::Sealed(public)) = validate_body(&checked).unwrap() else {
        panic!("a sealed body")
    };
    assert_eq!(public.recipients, vec![utthan.key.author()]);
    // Not the words: they are not in the bytes, and no other key opens them.
    let words = WORDS.as_bytes();
    assert!(!message.wire().windows(words.len()).any(|w| w == words));
    assert!(!message.wire().windows(5).any(|w| w == b"Meena"));
    for stranger in [&member, &observer, &outsider] {
        let me = stranger.key.author();
        assert_eq!(
            public.open(&NETWORK, &author.key.author(), &me, &stranger.secret),
            Err(Error::CannotOpen("it was not sealed for this collective"))
        );
        // Claiming to be the recipient does not help without its key.
        assert!(matches!(
            public.open(
                &NETWORK,
                &author.key.author(),
                &utthan.key.author(),
                &stranger.secret
            ),
            Err(Error::CannotOpen(_))
        ));
    }
}

#[test]
fn tampering_fails_to_open() {
    let (author, utthan, other) = (collective(1), collective(2), collective(3));
    let sealed = sealed_by(&author, &[&utthan], &offer());
    let open = |s: &Sealed, author: &AuthorId| {
        s.open(&NETWORK, author, &utthan.key.author(), &utthan.secret)
    };
    let me = author.key.author();
    // A flipped bit in the words, the wrapped key or the commitment.
    let mut flipped = sealed.clone();
    flipped.ciphertext[10] ^= 1;
    assert_eq!(
        open(&flipped, &me),
        Err(Error::CannotOpen("its words were altered"))
    );
    let mut flipped = sealed.clone();
    flipped.keys[0].key[0] ^= 1;
    assert!(matches!(open(&flipped, &me), Err(Error::CannotOpen(_))));
    let mut flipped = sealed.clone();
    flipped.commitment.0[0] ^= 1;
    assert!(matches!(open(&flipped, &me), Err(Error::CannotOpen(_))));
    // The same bytes re-signed by another member, or pointed at another request, or in
    // another network, do not open: the lock is bound to all of them.
    assert!(matches!(
        open(&sealed, &other.key.author()),
        Err(Error::CannotOpen(_))
    ));
    let mut moved = sealed.clone();
    moved.reference = Some(MessageId([9; 32]));
    assert!(matches!(open(&moved, &me), Err(Error::CannotOpen(_))));
    assert!(matches!(
        sealed.open(
            &NetworkId([8; 32]),
            &me,
            &utthan.key.author(),
            &utthan.secret
        ),
        Err(Error::CannotOpen(_))
    ));
    // And within a signed message, any change breaks the signature first.
    let message = signed(&author, &sealed);
    let mut wire = message.wire().to_vec();
    let last = wire.len() - 1;
    wire[last] ^= 1;
    assert!(validate_envelope(&wire, &NETWORK, 2_000).is_err());
}

#[test]
fn the_public_structure_is_checked() {
    let (author, utthan) = (collective(1), collective(2));
    let good = sealed_by(&author, &[&utthan], &offer());
    assert_eq!(good.check_fields(), Ok(()));
    let mut none = good.clone();
    none.recipients.clear();
    assert!(matches!(
        none.check_fields(),
        Err(Error::InvalidField {
            field: "recipients",
            ..
        })
    ));
    let mut twice = good.clone();
    twice.recipients.push(utthan.key.author());
    assert!(twice.check_fields().is_err());
    let mut nine = good.clone();
    nine.recipients = (10..19).map(|s| collective(s).key.author()).collect();
    assert!(nine.check_fields().is_err());
    let mut wrong_kind = good.clone();
    wrong_kind.inner_kind = Kind::Admit;
    assert!(wrong_kind.check_fields().is_err());
    let mut no_reference = good.clone();
    no_reference.reference = None;
    assert!(no_reference.check_fields().is_err());
    let mut missing_wrap = good.clone();
    missing_wrap.keys.pop();
    assert!(missing_wrap.check_fields().is_err());
    let mut cut = good.clone();
    cut.ciphertext.truncate(20);
    assert!(cut.check_fields().is_err());
}

#[test]
fn sealing_refuses_what_it_cannot_do() {
    let (author, utthan) = (collective(1), collective(2));
    let recipients = [(utthan.key.author(), utthan.secret.public())];
    let request = |body| SealRequest {
        network: NETWORK,
        author: author.key.author(),
        author_key: author.secret.public(),
        recipients: &recipients,
        body,
    };
    let close = Body::Close(crate::kinds::Close {
        item: MessageId([1; 32]),
        note: String::new(),
    });
    assert!(matches!(request(&close).seal(), Err(Error::CannotSeal(_))));
    let myself = [(author.key.author(), author.secret.public())];
    let offered = offer();
    let to_myself = SealRequest {
        recipients: &myself,
        ..request(&offered)
    };
    assert!(matches!(to_myself.seal(), Err(Error::CannotSeal(_))));
    assert!(matches!(
        request(&offer()).seal_with(&[0; 40]),
        Err(Error::CannotSeal("not enough randomness"))
    ));
}

#[test]
fn lengths_are_padded_so_short_and_long_words_look_alike() {
    let (author, utthan) = (collective(1), collective(2));
    let body = |text: &str| {
        Body::Announcement(Announcement {
            title: "Meeting".into(),
            body: text.into(),
            tags: vec![],
            expires_at: None,
        })
    };
    let short = sealed_by(&author, &[&utthan], &body("yes"));
    let longer = sealed_by(&author, &[&utthan], &body("yes, on Saturday at ten"));
    assert_eq!(short.ciphertext.len(), longer.ciphertext.len());
    assert_eq!(pad(b"abc").len(), PADDING);
    assert_eq!(unpad(&pad(b"abc")).unwrap(), b"abc");
    let mut bad = pad(b"abc").to_vec();
    bad[10] = 1;
    assert!(unpad(&bad).is_err());
}

#[test]
fn the_sealing_key_is_not_the_signing_key_and_is_stable() {
    let author = collective(1);
    assert_ne!(author.secret.public().0, author.key.author().0);
    assert_eq!(
        SealingSecret::of(&Keypair::from_secret_bytes(&[1; 32])).public(),
        author.secret.public()
    );
}

#[test]
fn json_shows_bytes_as_hex_and_round_trips() {
    let (author, utthan) = (collective(1), collective(2));
    let body = Body::Sealed(sealed_by(&author, &[&utthan], &offer()));
    let json = serde_json::to_value(&body).unwrap();
    assert_eq!(json["kind"], "sealed");
    assert_eq!(json["inner_kind"], "offer");
    assert!(json["ciphertext"].is_string());
    assert_eq!(serde_json::from_value::<Body>(json).unwrap(), body);
    assert_eq!(Body::decode(Kind::Sealed, &body.encode()).unwrap(), body);
}
