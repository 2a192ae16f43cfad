//! Membership rules: who is in the network, with which role, computed from the set of `Genesis`,
//! `Admit` and `Revoke` messages alone, whatever order they arrived in.
//!
//! The rules (also in `PROTOCOL.md`):
//! 1. The founder (author of the genesis) is a steward and can never be revoked.
//! 2. A key is a member while some `Admit` of it was written by a current steward and the key has
//!    not been revoked; its role is the highest any such admission gives. So revoking a steward
//!    also removes every admission that rested on that steward alone.
//! 3. `Revoke`s are applied one by one in (timestamp, message id) order; each takes effect if its
//!    author is a current steward at that point. A revoked key is revoked for good: a collective
//!    that comes back does so with a new key.
//! 4. Admissions and revocations by non-stewards, of the founder, or of oneself change nothing.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::envelope::{Envelope, Header, Message};
use crate::error::Error;
use crate::identity::AuthorId;
use crate::ids::{MessageId, NetworkId};
use crate::kinds::{Admit, Body, Genesis, Kind, Revoke, Role};
use crate::limits::MAX_PROOF_ADMITS;
use crate::validate::{validate_body, validate_envelope};

/// What a membership message does.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Action {
    /// Admits a key.
    Admit(Admit),
    /// Revokes a key.
    Revoke(Revoke),
}

/// One admission or revocation, taken from a verified message.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Act {
    /// The message's id.
    pub id: MessageId,
    /// Who wrote it.
    pub author: AuthorId,
    /// Its timestamp (ms).
    pub timestamp: u64,
    /// What it does.
    pub action: Action,
}

impl Act {
    /// The act carried by a verified message, if it is an `Admit` or `Revoke` with its body.
    pub fn from_message(message: &Message) -> Result<Option<Act>, Error> {
        let action = match message.body()? {
            Some(Body::Admit(admit)) => Action::Admit(admit),
            Some(Body::Revoke(revoke)) => Action::Revoke(revoke),
            _ => return Ok(None),
        };
        let header = message.header();
        Ok(Some(Act {
            id: message.id(),
            author: header.author,
            timestamp: header.timestamp,
            action,
        }))
    }

    fn order_key(&self) -> (u64, MessageId) {
        (self.timestamp, self.id)
    }
}

/// A current member.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct MemberInfo {
    /// Its role.
    pub role: Role,
    /// Its name, as given at admission (or in the genesis, for the founder).
    pub name: String,
    /// Who admitted it (absent for the founder).
    pub admitted_by: Option<AuthorId>,
    /// The admission that gives it its role (absent for the founder).
    pub admission: Option<MessageId>,
    /// When that admission was written (ms).
    pub admitted_at: u64,
}

/// A revoked key.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Revocation {
    /// The steward who revoked it.
    pub by: AuthorId,
    /// Why.
    pub reason: String,
    /// When (ms).
    pub at: u64,
    /// The revoking message.
    pub id: MessageId,
}

/// The current membership of one network.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Membership {
    network: NetworkId,
    network_name: String,
    founder: AuthorId,
    founder_name: String,
    founded_at: u64,
    members: BTreeMap<AuthorId, MemberInfo>,
    revoked: BTreeMap<AuthorId, Revocation>,
}

impl Membership {
    /// The membership of a network with only its founder, from its verified genesis message.
    pub fn from_genesis(genesis: &Message) -> Result<Membership, Error> {
        let Some(Body::Genesis(Genesis {
            network_name,
            founder_name,
            ..
        })) = validate_body(genesis)?
        else {
            return Err(Error::InvalidGenesis(
                "it is not a founding message with its body",
            ));
        };
        let header = genesis.header();
        let mut membership = Membership {
            network: header.network,
            network_name,
            founder: header.author,
            founder_name,
            founded_at: header.timestamp,
            members: BTreeMap::new(),
            revoked: BTreeMap::new(),
        };
        membership.members = membership.reachable(&[], &BTreeSet::new());
        Ok(membership)
    }

    /// The membership that `acts` produce on top of `genesis` (see the module rules). The result
    /// depends only on the set of acts, not their order.
    pub fn compute(genesis: &Message, acts: &[Act]) -> Result<Membership, Error> {
        let mut membership = Membership::from_genesis(genesis)?;
        membership.apply(acts);
        Ok(membership)
    }

    /// Recomputes the membership from the founder with `acts` (all acts known, not only new ones).
    pub fn apply(&mut self, acts: &[Act]) {
        let mut admits: Vec<&Act> = acts
            .iter()
            .filter(|act| matches!(act.action, Action::Admit(_)))
            .collect();
        admits.sort_by_key(|act| act.order_key());
        let mut revokes: Vec<&Act> = acts
            .iter()
            .filter(|act| matches!(act.action, Action::Revoke(_)))
            .collect();
        revokes.sort_by_key(|act| act.order_key());

        let mut revoked = BTreeMap::new();
        let mut members = self.reachable(&admits, &BTreeSet::new());
        for act in revokes {
            let Action::Revoke(revoke) = &act.action else {
                continue;
            };
            let author_is_steward = members
                .get(&act.author)
                .is_some_and(|info| info.role == Role::Steward);
            if !author_is_steward
                || revoke.member == self.founder
                || revoke.member == act.author
                || revoked.contains_key(&revoke.member)
            {
                continue;
            }
            revoked.insert(
                revoke.member,
                Revocation {
                    by: act.author,
                    reason: revoke.reason.clone(),
                    at: act.timestamp,
                    id: act.id,
                },
            );
            let keys: BTreeSet<AuthorId> = revoked.keys().copied().collect();
            members = self.reachable(&admits, &keys);
        }
        self.members = members;
        self.revoked = revoked;
    }

    /// Everyone reachable from the founder through admissions by current stewards, skipping
    /// revoked keys. `admits` is sorted by (timestamp, id), so ties resolve the same everywhere.
    fn reachable(
        &self,
        admits: &[&Act],
        revoked: &BTreeSet<AuthorId>,
    ) -> BTreeMap<AuthorId, MemberInfo> {
        let mut members = BTreeMap::new();
        members.insert(
            self.founder,
            MemberInfo {
                role: Role::Steward,
                name: self.founder_name.clone(),
                admitted_by: None,
                admission: None,
                admitted_at: self.founded_at,
            },
        );
        // Roles only ever rise while this runs, so it reaches a fixpoint.
        loop {
            let mut changed = false;
            for act in admits {
                let Action::Admit(admit) = &act.action else {
                    continue;
                };
                let author_is_steward = members
                    .get(&act.author)
                    .is_some_and(|m: &MemberInfo| m.role == Role::Steward);
                if !author_is_steward
                    || admit.member == self.founder
                    || admit.member == act.author
                    || revoked.contains(&admit.member)
                {
                    continue;
                }
                let better = members
                    .get(&admit.member)
                    .is_none_or(|current| admit.role.rank() > current.role.rank());
                if better {
                    members.insert(
                        admit.member,
                        MemberInfo {
                            role: admit.role,
                            name: admit.name.clone(),
                            admitted_by: Some(act.author),
                            admission: Some(act.id),
                            admitted_at: act.timestamp,
                        },
                    );
                    changed = true;
                }
            }
            if !changed {
                return members;
            }
        }
    }

    /// The network's id.
    pub fn network(&self) -> NetworkId {
        self.network
    }

    /// The network's name.
    pub fn network_name(&self) -> &str {
        &self.network_name
    }

    /// The founder's key.
    pub fn founder(&self) -> AuthorId {
        self.founder
    }

    /// The role of `author`, if it is a current member.
    pub fn role_of(&self, author: &AuthorId) -> Option<Role> {
        self.members.get(author).map(|info| info.role)
    }

    /// Details of a current member.
    pub fn member(&self, author: &AuthorId) -> Option<&MemberInfo> {
        self.members.get(author)
    }

    /// All current members.
    pub fn members(&self) -> impl Iterator<Item = (&AuthorId, &MemberInfo)> {
        self.members.iter()
    }

    /// All revoked keys.
    pub fn revoked(&self) -> impl Iterator<Item = (&AuthorId, &Revocation)> {
        self.revoked.iter()
    }

    /// Whether `author` has been revoked.
    pub fn is_revoked(&self, author: &AuthorId) -> bool {
        self.revoked.contains_key(author)
    }

    /// The admissions that lead from the founder to `member`, founder's first. Empty for the
    /// founder; `None` if `member` is not a current member.
    pub fn admission_chain(&self, member: &AuthorId) -> Option<Vec<MessageId>> {
        let mut chain = Vec::new();
        let mut current = *member;
        while current != self.founder {
            let info = self.members.get(&current)?;
            chain.push(info.admission?);
            current = info.admitted_by?;
            if chain.len() > self.members.len() {
                return None;
            }
        }
        chain.reverse();
        Some(chain)
    }
}

/// Proof that a key was admitted: the genesis and the chain of admissions from the founder to the
/// key, as exact wire bytes. An invite carries it, so peers that have not yet heard of the
/// admission can still check it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AdmissionProof {
    /// The network's genesis message.
    pub genesis: Vec<u8>,
    /// The `Admit` messages, founder's first.
    pub admits: Vec<Vec<u8>>,
}

/// What a valid admission proof establishes.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Proven {
    /// The network.
    pub network: NetworkId,
    /// Its founder.
    pub founder: AuthorId,
    /// The proven member's role.
    pub role: Role,
    /// The proven member's name.
    pub name: String,
}

impl AdmissionProof {
    /// Checks that this proof admits `member`.
    ///
    /// Rules: the genesis is a valid founding message; there are at most
    /// [`MAX_PROOF_ADMITS`] admissions, each a valid signed `Admit` of the same network; by the
    /// membership rules they make `member` a member. Revocations are not in a proof: peers that
    /// know of one apply it on top.
    pub fn verify(&self, member: &AuthorId, now_ms: u64) -> Result<Proven, Error> {
        if self.admits.len() > MAX_PROOF_ADMITS {
            return Err(Error::InvalidProof("the chain of admissions is too long"));
        }
        let network = Envelope::parse(&self.genesis)?.header.network;
        let genesis = validate_envelope(&self.genesis, &network, now_ms)?;
        let mut acts = Vec::with_capacity(self.admits.len());
        for wire in &self.admits {
            let message = validate_envelope(wire, &network, now_ms)?;
            match Act::from_message(&message)? {
                Some(
                    act @ Act {
                        action: Action::Admit(_),
                        ..
                    },
                ) => acts.push(act),
                _ => {
                    return Err(Error::InvalidProof(
                        "it holds something other than admissions",
                    ));
                }
            }
        }
        let membership = Membership::compute(&genesis, &acts)?;
        let info = membership.member(member).ok_or(Error::InvalidProof(
            "its admissions do not lead from the founder to this key",
        ))?;
        Ok(Proven {
            network,
            founder: membership.founder,
            role: info.role,
            name: info.name.clone(),
        })
    }
}

/// Checks that the author may publish this message, by the current membership.
///
/// Rules: a genesis must come from the network's founder; any other message's author must be a
/// current member whose role allows the kind (observers publish only their profile, only
/// stewards admit and revoke). Returns the author's role.
pub fn validate_permission(membership: &Membership, header: &Header) -> Result<Role, Error> {
    if header.kind == Kind::Genesis {
        return if header.author == membership.founder() {
            Ok(Role::Steward)
        } else {
            Err(Error::InvalidGenesis(
                "only the founder can found the network",
            ))
        };
    }
    let role = membership
        .role_of(&header.author)
        .ok_or(Error::NotAMember)?;
    if role.may_publish(header.kind) {
        Ok(role)
    } else {
        Err(Error::RoleNotAllowed {
            role,
            kind: header.kind,
        })
    }
}
