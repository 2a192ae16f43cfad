//! Message kinds and their typed bodies, with a length bound on every field.
//!
//! Bodies are encoded with postcard (see `PROTOCOL.md`). A kind number this version does not know
//! decodes as [`Body::Unsupported`]: such messages are kept and relayed, so older nodes keep
//! carrying content made by newer ones.

use serde::{Deserialize, Serialize};

pub use crate::audit::{Audit, Endorsement};
use crate::error::Error;
pub use crate::fields::is_invisible;
use crate::fields::{line, list, text};
use crate::identity::AuthorId;
use crate::ids::{ContentHash, MessageId};
pub use crate::kind::{Kind, Role};
use crate::limits::*;
pub use crate::sealed::{Sealed, SealingKey};

/// How soon a mentoring request needs an answer.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Whenever someone can (wire value 0).
    Low,
    /// Within days (wire value 1).
    Normal,
    /// As soon as possible (wire value 2).
    High,
}

/// Founds a network; always its founder's first message.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Genesis {
    /// The network's name.
    pub network_name: String,
    /// The founding collective's name.
    pub founder_name: String,
    /// When the network was founded (ms); makes each founding unique.
    pub founded_at: u64,
}

/// A collective's profile.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Profile {
    /// The collective's name.
    pub name: String,
    /// State.
    pub state: String,
    /// District.
    pub district: String,
    /// What the collective works on.
    pub focus_areas: Vec<String>,
    /// Languages it works in.
    pub languages: Vec<String>,
    /// A few words about the collective.
    pub about: String,
}

/// An announcement: a workshop, a legal win, a campaign.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Announcement {
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// Tags.
    pub tags: Vec<String>,
    /// When it stops being relevant (ms), if ever.
    pub expires_at: Option<u64>,
}

/// A request for mentoring or help from other collectives.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct MentoringRequest {
    /// Topic, e.g. `victim_compensation` (see [`TOPICS`]; other values are allowed).
    pub topic: String,
    /// Title.
    pub title: String,
    /// What is needed.
    pub description: String,
    /// Where help is needed.
    pub region: String,
    /// Preferred language.
    pub language: String,
    /// How urgent it is.
    pub urgency: Urgency,
    /// When the request lapses (ms), if ever.
    pub expires_at: Option<u64>,
}

/// The request topics the design names; requests may use others.
pub const TOPICS: [&str; 5] = [
    "victim_compensation",
    "legal_aid",
    "livelihoods",
    "leadership_training",
    "trauma_support",
];

/// An offer of help answering a request.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Offer {
    /// The request it answers.
    pub request: MessageId,
    /// What is offered.
    pub body: String,
}

/// A shared resource: a guide, scheme information, contacts, training material.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Resource {
    /// Title.
    pub title: String,
    /// What it is and who it helps.
    pub description: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Where to find it, if online.
    pub link: Option<String>,
    /// BLAKE3 hash of an attached file, if any.
    pub file_hash: Option<ContentHash>,
}

/// The author closes or withdraws one of its own items.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Close {
    /// The item being closed.
    pub item: MessageId,
    /// Why (may be empty).
    pub note: String,
}

/// A steward admits a key to the network with a role.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Admit {
    /// The admitted node's key.
    pub member: AuthorId,
    /// Its role.
    pub role: Role,
    /// The collective's (or person's) name.
    pub name: String,
}

/// A steward revokes a member; the key can never be admitted again.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Revoke {
    /// The revoked key.
    pub member: AuthorId,
    /// Why.
    pub reason: String,
    /// The seq of the revoked key's last message the revoker still trusts (0: none). The key's
    /// acts after it have no effect anywhere.
    pub trusted_seq: u64,
    /// The id of that message (absent exactly when `trusted_seq` is 0).
    pub trusted: Option<MessageId>,
}

/// A steward's vote to replace the founder's key (a seized or lost founder laptop). It takes
/// effect once a majority of the other stewards voted for the same successor and cut-off.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ReplaceFounder {
    /// The founder key being replaced.
    pub founder: AuthorId,
    /// The key that becomes the founder.
    pub successor: AuthorId,
    /// The successor's name.
    pub name: String,
    /// The seq of the old founder key's last message still trusted (0: none).
    pub trusted_seq: u64,
    /// The id of that message (absent exactly when `trusted_seq` is 0).
    pub trusted: Option<MessageId>,
    /// Why.
    pub reason: String,
}

/// The author withdraws one of its own items: every node drops the item's body (its header and
/// place in the feed stay). Unlike [`Close`], which keeps the words of a settled request.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Withdraw {
    /// The item withdrawn.
    pub item: MessageId,
}

/// The author's own notice that its key is compromised (a wiped or seized laptop): every node
/// treats it as a revocation of the key at this message. Nothing the key signs later counts.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct KeyCompromised {
    /// Why (may be empty).
    pub reason: String,
}

/// The recovery council: the stewards whose majority alone may replace the founder's key (a
/// seized founder laptop). Term 1 is named by the founder while the network has none; each
/// later term by a majority of the term before it, never by the founder alone.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Council {
    /// Which term this names: 1 for the first, the current term + 1 for a change.
    pub term: u32,
    /// The council's keys, in ascending byte order, no repeats.
    pub members: Vec<AuthorId>,
}

/// A message body, typed by kind.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    /// See [`Genesis`].
    Genesis(Genesis),
    /// See [`Profile`].
    Profile(Profile),
    /// See [`Announcement`].
    Announcement(Announcement),
    /// See [`MentoringRequest`].
    MentoringRequest(MentoringRequest),
    /// See [`Offer`].
    Offer(Offer),
    /// See [`Resource`].
    Resource(Resource),
    /// See [`Close`].
    Close(Close),
    /// See [`Admit`].
    Admit(Admit),
    /// See [`Revoke`].
    Revoke(Revoke),
    /// See [`ReplaceFounder`].
    ReplaceFounder(ReplaceFounder),
    /// See [`Council`].
    Council(Council),
    /// See [`Withdraw`].
    Withdraw(Withdraw),
    /// See [`KeyCompromised`].
    KeyCompromised(KeyCompromised),
    /// See [`Audit`].
    Audit(Audit),
    /// See [`Endorsement`].
    Endorsement(Endorsement),
    /// See [`SealingKey`].
    SealingKey(SealingKey),
    /// See [`Sealed`].
    Sealed(Sealed),
    /// A kind from a newer protocol version, kept as raw bytes.
    Unsupported {
        /// Its kind number.
        number: u16,
        /// Its body bytes, untouched.
        bytes: Vec<u8>,
    },
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // postcard only fails when writing to a full fixed buffer; a Vec grows.
    postcard::to_stdvec(value).unwrap_or_default()
}

/// Decodes `bytes` as `T`, insisting that every byte is used.
fn decode_exact<'a, T: Deserialize<'a>>(bytes: &'a [u8], kind: Kind) -> Result<T, Error> {
    match postcard::take_from_bytes::<T>(bytes) {
        Ok((value, [])) => Ok(value),
        _ => Err(Error::MalformedBody { kind }),
    }
}

impl Body {
    /// The kind of this body.
    pub fn kind(&self) -> Kind {
        match self {
            Body::Genesis(_) => Kind::Genesis,
            Body::Profile(_) => Kind::Profile,
            Body::Announcement(_) => Kind::Announcement,
            Body::MentoringRequest(_) => Kind::MentoringRequest,
            Body::Offer(_) => Kind::Offer,
            Body::Resource(_) => Kind::Resource,
            Body::Close(_) => Kind::Close,
            Body::Admit(_) => Kind::Admit,
            Body::Revoke(_) => Kind::Revoke,
            Body::ReplaceFounder(_) => Kind::ReplaceFounder,
            Body::Council(_) => Kind::Council,
            Body::Withdraw(_) => Kind::Withdraw,
            Body::KeyCompromised(_) => Kind::KeyCompromised,
            Body::Audit(_) => Kind::Audit,
            Body::Endorsement(_) => Kind::Endorsement,
            Body::SealingKey(_) => Kind::SealingKey,
            Body::Sealed(_) => Kind::Sealed,
            Body::Unsupported { number, .. } => Kind::Unsupported(*number),
        }
    }

    /// The body's wire bytes.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Body::Genesis(b) => encode(b),
            Body::Profile(b) => encode(b),
            Body::Announcement(b) => encode(b),
            Body::MentoringRequest(b) => encode(b),
            Body::Offer(b) => encode(b),
            Body::Resource(b) => encode(b),
            Body::Close(b) => encode(b),
            Body::Admit(b) => encode(b),
            Body::Revoke(b) => encode(b),
            Body::ReplaceFounder(b) => encode(b),
            Body::Council(b) => encode(b),
            Body::Withdraw(b) => encode(b),
            Body::KeyCompromised(b) => encode(b),
            Body::Audit(b) => encode(b),
            Body::Endorsement(b) => encode(b),
            Body::SealingKey(b) => encode(b),
            Body::Sealed(b) => encode(b),
            Body::Unsupported { bytes, .. } => bytes.clone(),
        }
    }

    /// Decodes the body of a `kind` message. Every byte must be used; unknown kinds are kept raw.
    /// This checks structure only: see [`Body::check_fields`] for the field bounds.
    pub fn decode(kind: Kind, bytes: &[u8]) -> Result<Body, Error> {
        Ok(match kind {
            Kind::Genesis => Body::Genesis(decode_exact(bytes, kind)?),
            Kind::Profile => Body::Profile(decode_exact(bytes, kind)?),
            Kind::Announcement => Body::Announcement(decode_exact(bytes, kind)?),
            Kind::MentoringRequest => Body::MentoringRequest(decode_exact(bytes, kind)?),
            Kind::Offer => Body::Offer(decode_exact(bytes, kind)?),
            Kind::Resource => Body::Resource(decode_exact(bytes, kind)?),
            Kind::Close => Body::Close(decode_exact(bytes, kind)?),
            Kind::Admit => Body::Admit(decode_exact(bytes, kind)?),
            Kind::Revoke => Body::Revoke(decode_exact(bytes, kind)?),
            Kind::ReplaceFounder => Body::ReplaceFounder(decode_exact(bytes, kind)?),
            Kind::Council => Body::Council(decode_exact(bytes, kind)?),
            Kind::Withdraw => Body::Withdraw(decode_exact(bytes, kind)?),
            Kind::KeyCompromised => Body::KeyCompromised(decode_exact(bytes, kind)?),
            Kind::Audit => Body::Audit(decode_exact(bytes, kind)?),
            Kind::Endorsement => Body::Endorsement(decode_exact(bytes, kind)?),
            Kind::SealingKey => Body::SealingKey(decode_exact(bytes, kind)?),
            Kind::Sealed => Body::Sealed(decode_exact(bytes, kind)?),
            Kind::Unsupported(number) => Body::Unsupported {
                number,
                bytes: bytes.to_vec(),
            },
        })
    }

    /// Checks every field against its bound: length, emptiness of required fields, control
    /// characters (which could rewrite a reader's terminal), list sizes.
    pub fn check_fields(&self) -> Result<(), Error> {
        match self {
            Body::Genesis(b) => {
                line("network name", &b.network_name, MAX_NAME, true)?;
                line("founder name", &b.founder_name, MAX_NAME, true)
            }
            Body::Profile(b) => {
                line("name", &b.name, MAX_NAME, true)?;
                line("state", &b.state, MAX_PLACE, false)?;
                line("district", &b.district, MAX_PLACE, false)?;
                list("focus areas", &b.focus_areas)?;
                list("languages", &b.languages)?;
                text("about", &b.about, MAX_TEXT, false)
            }
            Body::Announcement(b) => {
                line("title", &b.title, MAX_TITLE, true)?;
                text("body", &b.body, MAX_TEXT, false)?;
                list("tags", &b.tags)
            }
            Body::MentoringRequest(b) => {
                line("topic", &b.topic, MAX_TITLE, true)?;
                line("title", &b.title, MAX_TITLE, true)?;
                text("description", &b.description, MAX_TEXT, false)?;
                line("region", &b.region, MAX_PLACE, false)?;
                line("language", &b.language, MAX_PLACE, false)
            }
            Body::Offer(b) => text("offer", &b.body, MAX_TEXT, true),
            Body::Resource(b) => {
                line("title", &b.title, MAX_TITLE, true)?;
                text("description", &b.description, MAX_TEXT, false)?;
                list("tags", &b.tags)?;
                match &b.link {
                    Some(link) => line("link", link, MAX_LINK, true),
                    None => Ok(()),
                }
            }
            Body::Close(b) => text("note", &b.note, MAX_NOTE, false),
            Body::Admit(b) => line("name", &b.name, MAX_NAME, true),
            Body::Revoke(b) => {
                text("reason", &b.reason, MAX_NOTE, true)?;
                trusted_pair(b.trusted_seq, &b.trusted)
            }
            Body::ReplaceFounder(b) => {
                line("name", &b.name, MAX_NAME, true)?;
                text("reason", &b.reason, MAX_NOTE, true)?;
                trusted_pair(b.trusted_seq, &b.trusted)
            }
            Body::Council(b) => b.check_fields(),
            Body::Withdraw(_) => Ok(()),
            Body::KeyCompromised(b) => text("reason", &b.reason, MAX_NOTE, false),
            Body::Audit(b) => b.check_fields(),
            Body::Endorsement(b) => b.check_fields(),
            Body::SealingKey(_) => Ok(()),
            Body::Sealed(b) => b.check_fields(),
            Body::Unsupported { .. } => Ok(()),
        }
    }

    /// When the body lapses (ms), if ever: the header carries the same value, so that a copy
    /// whose body was dropped still proves it lapsed.
    pub fn expires_at(&self) -> Option<u64> {
        match self {
            Body::Announcement(b) => b.expires_at,
            Body::MentoringRequest(b) => b.expires_at,
            _ => None,
        }
    }
}

impl Council {
    /// A term from 1, between [`MIN_COUNCIL`] and [`MAX_COUNCIL`] keys in ascending order (one
    /// way to write each council, so two acts naming the same council compare equal).
    fn check_fields(&self) -> Result<(), Error> {
        if self.term == 0 {
            return Err(Error::InvalidField {
                field: "council term",
                detail: "terms count from 1",
            });
        }
        if self.members.len() > MAX_COUNCIL {
            return Err(Error::TooManyEntries {
                field: "council",
                len: self.members.len(),
                max: MAX_COUNCIL,
            });
        }
        if self.members.len() < MIN_COUNCIL {
            return Err(Error::InvalidField {
                field: "council",
                detail: "a council has at least two keys",
            });
        }
        if !self.members.windows(2).all(|pair| pair[0] < pair[1]) {
            return Err(Error::InvalidField {
                field: "council",
                detail: "keys in ascending order, each once",
            });
        }
        Ok(())
    }
}

/// A trusted message is named by both its seq and its id, or (seq 0) by neither.
fn trusted_pair(seq: u64, id: &Option<MessageId>) -> Result<(), Error> {
    if (seq == 0) == id.is_none() {
        Ok(())
    } else {
        Err(Error::FieldEmpty {
            field: "trusted message (seq and id go together)",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_numbers_and_names_round_trip() {
        for kind in Kind::KNOWN {
            assert_eq!(Kind::from_number(kind.number()), kind);
            assert_eq!(Kind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(Kind::from_number(300), Kind::Unsupported(300));
        assert_eq!(Kind::Unsupported(300).number(), 300);
    }

    #[test]
    fn unknown_kinds_are_kept_not_rejected() {
        let body = Body::decode(Kind::Unsupported(42), &[1, 2, 3]).unwrap();
        assert_eq!(
            body,
            Body::Unsupported {
                number: 42,
                bytes: vec![1, 2, 3]
            }
        );
        assert_eq!(body.encode(), vec![1, 2, 3]);
        assert_eq!(body.check_fields(), Ok(()));
    }

    #[test]
    fn trailing_bytes_make_a_body_malformed() {
        let body = Body::Close(Close {
            item: MessageId([1; 32]),
            note: String::new(),
        });
        let mut bytes = body.encode();
        assert_eq!(Body::decode(Kind::Close, &bytes), Ok(body));
        bytes.push(0);
        assert_eq!(
            Body::decode(Kind::Close, &bytes),
            Err(Error::MalformedBody { kind: Kind::Close })
        );
    }

    #[test]
    fn bidi_controls_and_zero_width_characters_are_refused_but_indic_joiners_are_not() {
        let profile = |name: &str| {
            Body::Profile(Profile {
                name: name.into(),
                ..Profile::default()
            })
        };
        // "Utthan" with a right-to-left override would show as "nahttU" — another collective.
        for sneaky in [
            "\u{202E}Utthan",
            "Utt\u{200B}han",
            "Utthan\u{2066}",
            "\u{FEFF}Utthan",
        ] {
            assert_eq!(
                profile(sneaky).check_fields(),
                Err(Error::InvisibleCharacters { field: "name" }),
                "{sneaky:?}"
            );
        }
        // Bengali র‍্যাব needs ZWJ to join as written; Hindi uses ZWNJ too.
        for indic in ["র\u{200D}্যাব", "क्\u{200C}ष", "উত্থান কালেক্টিভ"]
        {
            assert_eq!(profile(indic).check_fields(), Ok(()), "{indic:?}");
        }
    }

    #[test]
    fn field_bounds_are_enforced() {
        let announcement = |title: &str, tags: usize| {
            Body::Announcement(Announcement {
                title: title.into(),
                body: "text".into(),
                tags: vec!["tag".into(); tags],
                expires_at: None,
            })
        };
        assert_eq!(announcement("Workshop", 2).check_fields(), Ok(()));
        assert!(matches!(
            announcement(&"क".repeat(MAX_TITLE + 1), 0).check_fields(),
            Err(Error::FieldTooLong { field: "title", .. })
        ));
        // Bounds count characters, not bytes: a full-length Hindi title is fine.
        assert_eq!(
            announcement(&"क".repeat(MAX_TITLE), 0).check_fields(),
            Ok(())
        );
        assert_eq!(
            announcement("  ", 0).check_fields(),
            Err(Error::FieldEmpty { field: "title" })
        );
        assert_eq!(
            announcement("\u{1b}[2J", 0).check_fields(),
            Err(Error::ControlCharacters { field: "title" })
        );
        assert!(matches!(
            announcement("ok", MAX_TAGS + 1).check_fields(),
            Err(Error::TooManyEntries { field: "tags", .. })
        ));
    }

    #[test]
    fn roles_may_publish_only_what_they_are_allowed() {
        assert!(Role::Steward.may_publish(Kind::Admit));
        assert!(!Role::Member.may_publish(Kind::Admit));
        assert!(!Role::Member.may_publish(Kind::Revoke));
        assert!(Role::Member.may_publish(Kind::MentoringRequest));
        assert!(!Role::Observer.may_publish(Kind::Announcement));
        assert!(Role::Observer.may_publish(Kind::Profile));
        assert!(!Role::Steward.may_publish(Kind::Genesis));
    }
}
