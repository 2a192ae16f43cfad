//! What a message is (its [`Kind`], as numbered on the wire) and who may publish it (a member's
//! [`Role`]). Kept apart from the bodies so that the error type can name them without depending
//! on the bodies' rules.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The kind of a message, as numbered on the wire.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum Kind {
    /// Founds a network (kind 0).
    Genesis,
    /// A collective's profile (kind 1).
    Profile,
    /// An announcement (kind 2).
    Announcement,
    /// A cross-collective mentoring request (kind 3).
    MentoringRequest,
    /// An offer answering a request (kind 4).
    Offer,
    /// A shared resource (kind 5).
    Resource,
    /// The author closes one of its own items (kind 6).
    Close,
    /// A steward admits a member (kind 7).
    Admit,
    /// A steward revokes a member (kind 8).
    Revoke,
    /// Stewards vote to replace the founder's key (kind 9).
    ReplaceFounder,
    /// The author withdraws one of its own items: every node drops its body (kind 10).
    Withdraw,
    /// The author says its own key is compromised: nothing it signs later counts (kind 11).
    KeyCompromised,
    /// A collective's audit of one interaction with a public office (kind 12).
    Audit,
    /// Another collective endorses an audit: it witnessed the same interaction (kind 13).
    Endorsement,
    /// A collective's public key for sealed messages (kind 14).
    SealingKey,
    /// A message only named collectives can read (kind 15).
    Sealed,
    /// Names the stewards who may replace the founder's key (kind 16).
    Council,
    /// A kind number from a newer version of the protocol.
    Unsupported(u16),
}

impl Kind {
    /// Whether this kind changes who is a member or who may replace the founder (admit, revoke,
    /// replace the founder, a key's own compromise notice, the recovery council).
    pub fn is_membership_act(self) -> bool {
        Kind::MEMBERSHIP_ACTS.contains(&self)
    }

    /// The kinds membership is settled from besides the genesis: the one list that loading a
    /// ledger, ingesting and serving all read, so they cannot drift apart.
    pub const MEMBERSHIP_ACTS: [Kind; 5] = [
        Kind::Admit,
        Kind::Revoke,
        Kind::ReplaceFounder,
        Kind::KeyCompromised,
        Kind::Council,
    ];

    /// Whether membership or reaching a member rests on this kind's body (the genesis, every
    /// membership act, a sealing key): its body is never dropped, whoever wrote it.
    pub fn body_is_kept(self) -> bool {
        self == Kind::Genesis || self == Kind::SealingKey || self.is_membership_act()
    }

    /// Whether its author can withdraw a message of this kind (its body is then dropped
    /// everywhere): what collectives post for each other, not what membership rests on.
    pub fn is_withdrawable(self) -> bool {
        matches!(
            self,
            Kind::Profile
                | Kind::Announcement
                | Kind::MentoringRequest
                | Kind::Offer
                | Kind::Resource
                | Kind::Close
                | Kind::Audit
                | Kind::Endorsement
                | Kind::Sealed
        )
    }

    /// Every kind this version understands, in wire-number order.
    pub const KNOWN: [Kind; 17] = [
        Kind::Genesis,
        Kind::Profile,
        Kind::Announcement,
        Kind::MentoringRequest,
        Kind::Offer,
        Kind::Resource,
        Kind::Close,
        Kind::Admit,
        Kind::Revoke,
        Kind::ReplaceFounder,
        Kind::Withdraw,
        Kind::KeyCompromised,
        Kind::Audit,
        Kind::Endorsement,
        Kind::SealingKey,
        Kind::Sealed,
        Kind::Council,
    ];

    /// The kind's number on the wire.
    pub fn number(self) -> u16 {
        match self {
            Kind::Genesis => 0,
            Kind::Profile => 1,
            Kind::Announcement => 2,
            Kind::MentoringRequest => 3,
            Kind::Offer => 4,
            Kind::Resource => 5,
            Kind::Close => 6,
            Kind::Admit => 7,
            Kind::Revoke => 8,
            Kind::ReplaceFounder => 9,
            Kind::Withdraw => 10,
            Kind::KeyCompromised => 11,
            Kind::Audit => 12,
            Kind::Endorsement => 13,
            Kind::SealingKey => 14,
            Kind::Sealed => 15,
            Kind::Council => 16,
            Kind::Unsupported(n) => n,
        }
    }

    /// The kind for a wire number; unknown numbers become [`Kind::Unsupported`].
    pub fn from_number(number: u16) -> Kind {
        Kind::KNOWN
            .get(usize::from(number))
            .copied()
            .unwrap_or(Kind::Unsupported(number))
    }

    /// The snake_case name used in JSON and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Genesis => "genesis",
            Kind::Profile => "profile",
            Kind::Announcement => "announcement",
            Kind::MentoringRequest => "mentoring_request",
            Kind::Offer => "offer",
            Kind::Resource => "resource",
            Kind::Close => "close",
            Kind::Admit => "admit",
            Kind::Revoke => "revoke",
            Kind::ReplaceFounder => "replace_founder",
            Kind::Withdraw => "withdraw",
            Kind::KeyCompromised => "key_compromised",
            Kind::Audit => "audit",
            Kind::Endorsement => "endorsement",
            Kind::SealingKey => "sealing_key",
            Kind::Sealed => "sealed",
            Kind::Council => "council",
            Kind::Unsupported(_) => "unsupported",
        }
    }

    /// The kind named by `name` (as printed by [`Kind::name`]).
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::KNOWN.into_iter().find(|kind| kind.name() == name)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kind::Unsupported(n) => write!(f, "unsupported kind {n}"),
            known => f.write_str(known.name()),
        }
    }
}

impl Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            match self {
                Kind::Unsupported(n) => serializer.serialize_str(&format!("unsupported_{n}")),
                known => serializer.serialize_str(known.name()),
            }
        } else {
            serializer.serialize_u16(self.number())
        }
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            // A name this version does not know (from a newer node) reads as unsupported rather
            // than failing the whole answer: an older client keeps reading its feed.
            let name = String::deserialize(deserializer)?;
            Ok(Kind::from_name(&name).unwrap_or_else(|| {
                let number = name
                    .strip_prefix("unsupported_")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(u16::MAX);
                Kind::Unsupported(number)
            }))
        } else {
            u16::deserialize(deserializer).map(Kind::from_number)
        }
    }
}

/// A member's role in the network.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// May admit and revoke members, vote on the founder's key, and post (wire value 0).
    Steward,
    /// May post (wire value 1).
    Member,
    /// Reads only; may publish its own profile (wire value 2).
    Observer,
}

impl Role {
    /// How much the role may do; higher is more.
    pub fn rank(self) -> u8 {
        match self {
            Role::Observer => 0,
            Role::Member => 1,
            Role::Steward => 2,
        }
    }

    /// Whether this role may publish messages of `kind`.
    pub fn may_publish(self, kind: Kind) -> bool {
        match kind {
            Kind::Genesis => false,
            // Every member may describe itself, take back its own words and report its own
            // key stolen.
            // An observer may be written to privately, so it publishes its sealing key too.
            Kind::Profile | Kind::Withdraw | Kind::KeyCompromised | Kind::SealingKey => true,
            Kind::Admit | Kind::Revoke | Kind::ReplaceFounder | Kind::Council => {
                self == Role::Steward
            }
            _ => self != Role::Observer,
        }
    }

    /// The role's lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Steward => "steward",
            Role::Member => "member",
            Role::Observer => "observer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
