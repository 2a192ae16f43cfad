//! Membership: who is in the network, with which role, computed from the set of `Genesis`,
//! `Admit`, `Revoke` and `ReplaceFounder` messages alone — whatever order they arrived in and
//! whatever their authors' clocks said (`settle.rs` holds the rules; `PROTOCOL.md` §8 states them).
//!
//! Two different questions are answered here:
//! - whether a membership act may be *stored*: its author was ever a steward (reachable from a
//!   founder through steward admissions, ignoring revocations — a set that only grows, so the
//!   answer never depends on what else has arrived), and
//! - what the stored acts *mean*: [`Membership`], settled from the whole set.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::envelope::{Envelope, Header, Message};
use crate::error::Error;
use crate::identity::AuthorId;
use crate::ids::{MessageId, NetworkId};
use crate::kinds::{
    Admit, Body, Council, Genesis, KeyCompromised, Kind, ReplaceFounder, Revoke, Role,
};
use crate::limits::MAX_PROOF_ADMITS;
use crate::validate::{validate_body, validate_envelope};

mod council;
mod settle;

use settle::{Root, Settled};

/// What a membership message does.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Action {
    /// Admits a key.
    Admit(Admit),
    /// Revokes a key.
    Revoke(Revoke),
    /// Votes to replace the founder's key.
    ReplaceFounder(ReplaceFounder),
    /// The author's own key is compromised: a revocation of itself at this act.
    KeyCompromised(KeyCompromised),
    /// Names the recovery council (a founder's first term, or a council's majority's change).
    Council(Council),
}

/// One membership act, taken from a verified message.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Act {
    /// The message's id.
    pub id: MessageId,
    /// Who wrote it.
    pub author: AuthorId,
    /// Its place in the author's feed (what a revocation's cut-off compares against).
    pub seq: u64,
    /// Its timestamp (ms); only compared with its author's admission.
    pub timestamp: u64,
    /// What it does.
    pub action: Action,
}

impl Act {
    /// The act carried by a verified message, if it is a membership act with its body.
    pub fn from_message(message: &Message) -> Result<Option<Act>, Error> {
        let action = match message.body()? {
            Some(Body::Admit(admit)) => Action::Admit(admit),
            Some(Body::Revoke(revoke)) => Action::Revoke(revoke),
            Some(Body::ReplaceFounder(vote)) => Action::ReplaceFounder(vote),
            Some(Body::KeyCompromised(notice)) => Action::KeyCompromised(notice),
            Some(Body::Council(council)) => Action::Council(council),
            _ => return Ok(None),
        };
        let header = message.header();
        Ok(Some(Act {
            id: message.id(),
            author: header.author,
            seq: header.seq,
            timestamp: header.timestamp,
            action,
        }))
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
    /// The steward who revoked it (for a replaced founder: the first vote's author).
    pub by: AuthorId,
    /// Why.
    pub reason: String,
    /// When (ms, the revoker's clock).
    pub at: u64,
    /// The revoking message.
    pub id: MessageId,
    /// The key's messages up to this seq still count; later ones never do.
    pub trusted_seq: u64,
}

/// The current membership of one network.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Membership {
    network: NetworkId,
    network_name: String,
    genesis_founder: AuthorId,
    founder_name: String,
    founded_at: u64,
    founder: AuthorId,
    founders: Vec<AuthorId>,
    members: BTreeMap<AuthorId, MemberInfo>,
    revoked: BTreeMap<AuthorId, Revocation>,
    disputed: BTreeSet<AuthorId>,
    links: BTreeMap<AuthorId, (AuthorId, MessageId)>,
    founder_votes: BTreeMap<AuthorId, Vec<(AuthorId, MessageId)>>,
    council: Option<Council>,
    ever_stewards: BTreeSet<AuthorId>,
    ever_admitted: BTreeSet<AuthorId>,
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
            genesis_founder: header.author,
            founder_name,
            founded_at: header.timestamp,
            founder: header.author,
            founders: vec![header.author],
            members: BTreeMap::new(),
            revoked: BTreeMap::new(),
            disputed: BTreeSet::new(),
            links: BTreeMap::new(),
            founder_votes: BTreeMap::new(),
            council: None,
            ever_stewards: BTreeSet::new(),
            ever_admitted: BTreeSet::new(),
        };
        membership.apply(&[]);
        Ok(membership)
    }

    /// The membership that `acts` produce on top of `genesis`. The result depends only on the
    /// set of acts, not their order.
    pub fn compute(genesis: &Message, acts: &[Act]) -> Result<Membership, Error> {
        let mut membership = Membership::from_genesis(genesis)?;
        membership.apply(acts);
        Ok(membership)
    }

    /// Recomputes the membership from the genesis with `acts` (all acts known, not only new ones).
    pub fn apply(&mut self, acts: &[Act]) {
        let founder = Root {
            key: self.genesis_founder,
            name: self.founder_name.clone(),
            cut: None,
            since: self.founded_at,
            votes: Vec::new(),
            replaced: None,
        };
        let Settled {
            roots,
            members,
            revoked,
            disputed,
            links,
            council,
        } = settle::settle(founder, acts);
        self.council = council;
        self.founder = roots.last().map_or(self.genesis_founder, |r| r.key);
        self.founders = roots.iter().map(|r| r.key).collect();
        self.founder_votes = roots
            .iter()
            .filter(|r| !r.votes.is_empty())
            .map(|r| (r.key, r.votes.clone()))
            .collect();
        self.members = members;
        self.revoked = revoked;
        self.disputed = disputed;
        self.links = links;
        (self.ever_stewards, self.ever_admitted) = ever(self.genesis_founder, acts);
    }

    /// The network's id.
    pub fn network(&self) -> NetworkId {
        self.network
    }

    /// The network's name.
    pub fn network_name(&self) -> &str {
        &self.network_name
    }

    /// The current founder's key (the genesis author unless stewards replaced it).
    pub fn founder(&self) -> AuthorId {
        self.founder
    }

    /// The key that founded the network (wrote the genesis).
    pub fn genesis_founder(&self) -> AuthorId {
        self.genesis_founder
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

    /// All revoked keys (replaced founders included).
    pub fn revoked(&self) -> impl Iterator<Item = (&AuthorId, &Revocation)> {
        self.revoked.iter()
    }

    /// Whether `author` has been revoked.
    pub fn is_revoked(&self, author: &AuthorId) -> bool {
        self.revoked.contains_key(author)
    }

    /// The recovery council in force: the stewards whose majority alone may replace the
    /// founder's key. None until a founder names one (the fallback rule of PROTOCOL.md §8 then
    /// applies, which two early stewards could abuse).
    pub fn council(&self) -> Option<&Council> {
        self.council.as_ref()
    }

    /// Members whose steward rights are suspended by a revocation that conflicts with another
    /// (two stewards who revoked each other): they stay members until the founder or the other
    /// stewards decide.
    pub fn disputed(&self) -> impl Iterator<Item = &AuthorId> {
        self.disputed.iter()
    }

    /// Whether membership acts by `author` may be stored: it was ever a steward or founder
    /// (a set that only grows, so storing never depends on arrival order).
    pub fn may_store_acts_of(&self, author: &AuthorId) -> bool {
        self.ever_stewards.contains(author)
    }

    /// Whether `author` was ever admitted (or founded).
    pub fn was_ever_admitted(&self, author: &AuthorId) -> bool {
        self.ever_admitted.contains(author)
    }

    /// For a revoked key: the seq up to which its messages still count (they are kept without
    /// their bodies, so its feed stays contiguous everywhere); nothing after it is accepted.
    pub fn trusted_until(&self, author: &AuthorId) -> Option<u64> {
        self.revoked.get(author).map(|r| r.trusted_seq)
    }

    /// The membership messages that lead from the genesis founder to `member`: admissions, and
    /// the votes of any founder replacement on the way (with the voters' own admissions).
    /// Empty for the genesis founder; `None` if `member` is not a current member.
    pub fn admission_chain(&self, member: &AuthorId) -> Option<Vec<MessageId>> {
        self.members.get(member)?;
        let mut chain = Vec::new();
        let mut seen = BTreeSet::new();
        self.collect_chain(member, &mut chain, &mut seen)?;
        Some(chain)
    }

    /// Appends the acts that lead to `key`. Each key is visited once (`seen`), so the walk ends
    /// after at most as many steps as there are keys, whatever the links look like.
    fn collect_chain(
        &self,
        key: &AuthorId,
        chain: &mut Vec<MessageId>,
        seen: &mut BTreeSet<AuthorId>,
    ) -> Option<()> {
        if !seen.insert(*key) || *key == self.genesis_founder {
            return Some(());
        }
        if let Some(votes) = self.founder_votes.get(key) {
            // A founder by replacement: its authority is the votes, and the voters' authority.
            let previous = self
                .founders
                .iter()
                .position(|f| f == key)
                .and_then(|i| i.checked_sub(1))
                .map(|i| self.founders[i])?;
            self.collect_chain(&previous, chain, seen)?;
            for (voter, vote) in votes {
                self.collect_chain(voter, chain, seen)?;
                chain.push(*vote);
            }
            return Some(());
        }
        let (by, admission) = match self.members.get(key) {
            Some(MemberInfo {
                admitted_by: Some(by),
                admission: Some(admission),
                ..
            }) if !self.links.contains_key(key) => (*by, *admission),
            _ => *self.links.get(key)?,
        };
        self.collect_chain(&by, chain, seen)?;
        chain.push(admission);
        Some(())
    }
}

/// Who was ever a steward (may have acts stored) and who was ever admitted, ignoring every
/// revocation and cut-off: both only grow as acts arrive.
fn ever(founder: AuthorId, acts: &[Act]) -> (BTreeSet<AuthorId>, BTreeSet<AuthorId>) {
    let mut stewards = BTreeSet::from([founder]);
    loop {
        let mut changed = false;
        for act in acts {
            if !stewards.contains(&act.author) {
                continue;
            }
            let named = match &act.action {
                Action::Admit(admit) if admit.role == Role::Steward => admit.member,
                Action::ReplaceFounder(vote) => vote.successor,
                _ => continue,
            };
            changed |= stewards.insert(named);
        }
        if !changed {
            break;
        }
    }
    let mut admitted = stewards.clone();
    for act in acts {
        if let Action::Admit(admit) = &act.action
            && stewards.contains(&act.author)
        {
            admitted.insert(admit.member);
        }
    }
    (stewards, admitted)
}

/// Proof that a key was admitted: the genesis and the chain of admissions from the founder to the
/// key, as exact wire bytes. An invite carries it, so peers that have not yet heard of the
/// admission can still check it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AdmissionProof {
    /// The network's genesis message.
    pub genesis: Vec<u8>,
    /// The `Admit` (and founder-replacement) messages, founder's first.
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
    /// [`MAX_PROOF_ADMITS`] entries, each a valid signed `Admit` (or, past a founder
    /// replacement, `ReplaceFounder`) of the same network with its body; by the membership
    /// rules they make `member` a member. Revocations are not in a proof: peers that
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
                        action: Action::Admit(_) | Action::ReplaceFounder(_),
                        ..
                    },
                ) => acts.push(act),
                _ => {
                    return Err(Error::InvalidProof(
                        "it holds something other than admissions and founder votes",
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

/// On what grounds a message's author may have it stored.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Permission {
    /// A current member whose role allows the kind (the founder's genesis counts as a steward's).
    Member(Role),
    /// A membership act by a key that was ever a steward: stored, and the settled membership
    /// decides what it does.
    Act,
    /// A message by a key that was admitted once but is no longer a member: stored without its
    /// body, so the author's feed stays contiguous on every node.
    Former,
}

/// Checks that the author may have this message stored, by the current membership.
///
/// Rules: a genesis comes from the genesis founder; a membership act (`admit`, `revoke`,
/// `replace_founder`, `council`) from a key that was ever a steward; anything else from a current member
/// whose role allows the kind (observers publish only their profile), or — stored without its
/// body — from a revoked key, up to the revocation's cut-off (what it wrote while trusted). (Whether the body must be present is
/// [`require_body`], checked after the chain so that a body-less copy of a fork is still
/// recognised as one.)
pub fn validate_permission(membership: &Membership, header: &Header) -> Result<Permission, Error> {
    if header.kind == Kind::Genesis {
        return if header.author == membership.genesis_founder() {
            Ok(Permission::Member(Role::Steward))
        } else {
            Err(Error::InvalidGenesis(
                "only the founder can found the network",
            ))
        };
    }
    let role = membership.role_of(&header.author);
    // Any key that was ever admitted may report itself compromised (whatever the order its
    // admission and its notice arrive in, so storage does not depend on order).
    if header.kind == Kind::KeyCompromised {
        return if membership.was_ever_admitted(&header.author) {
            Ok(Permission::Act)
        } else {
            Err(Error::NotAMember)
        };
    }
    if header.kind.is_membership_act() {
        if membership.may_store_acts_of(&header.author) {
            return Ok(Permission::Act);
        }
        return Err(match role {
            Some(role) => Error::RoleNotAllowed {
                role,
                kind: header.kind,
            },
            None => Error::NotAMember,
        });
    }
    match role {
        Some(role) if role.may_publish(header.kind) => Ok(Permission::Member(role)),
        Some(role) => Err(Error::RoleNotAllowed {
            role,
            kind: header.kind,
        }),
        None if membership
            .trusted_until(&header.author)
            .is_some_and(|cut| header.seq <= cut) =>
        {
            Ok(Permission::Former)
        }
        None => Err(Error::NotAMember),
    }
}

/// Rule: a member's message (and every membership act) carries its body; only a revoked key's
/// messages, and messages whose body `lapsed` (withdrawn by their author, or past the header's
/// `expires_at`: see [`body_lapsed`]), are kept without bodies. A body-less copy of any other
/// member's message is either a stripped copy that would shadow the real one (and censor it: the
/// version vector would count it as held) or half of a fork proof, which is recognised before
/// this rule applies.
pub fn require_body(
    header: &Header,
    has_body: bool,
    grant: Permission,
    lapsed: bool,
) -> Result<(), Error> {
    let may_lack_body = match grant {
        Permission::Former => true,
        Permission::Member(_) => lapsed,
        Permission::Act => false,
    };
    if !has_body && !may_lack_body {
        Err(Error::BodyRequired { kind: header.kind })
    } else {
        Ok(())
    }
}

/// Whether a message's body has lapsed by its own header at `now`: its `expires_at` has passed.
/// (The other way a body lapses, a withdrawal by its author, needs the withdrawal.)
pub fn body_lapsed(header: &Header, now: u64) -> bool {
    header.expires_at.is_some_and(|at| at <= now)
}
