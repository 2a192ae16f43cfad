//! How a set of membership acts settles into one membership, the same on every node that holds
//! the same set, whatever order the acts arrived in and whatever their authors' clocks said.
//!
//! Authority is causal, not timed: a steward's act counts if the steward's admission counts and
//! the act comes no later in the steward's own feed than the cut-off of any revocation of it
//! (`trusted_seq`: the revoker still trusts the key up to there). Revocations of each other
//! therefore depend on each other; they are settled by a fixpoint that only ever decides a
//! revocation once it is decided under every possible outcome of the others:
//! - *effective* once its author certainly has authority for it (every revocation that could
//!   cut the author off below it has turned out void),
//! - *void* once its author could not have authority for it even if every undecided
//!   revocation turned out void.
//!
//! What is left undecided is a genuine conflict (two stewards who revoked each other without
//! having seen the other's act). It is settled conservatively: both cut-offs apply to authority,
//! and every target of an undecided revocation keeps its membership but loses steward rights
//! (it is *disputed*) until the founder or the other stewards decide.
//!
//! The founder key is replaced when at least two stewards, more than half of the other current
//! stewards as they stand with the old founder cut off at the votes' `trusted_seq`, voted for the
//! same successor and cut-off (see [`replacement`]). Replaced founders are revoked at that cut-off; the successor is the new root.

use std::collections::{BTreeMap, BTreeSet};

use super::{Act, Action, MemberInfo, Revocation, council};
use crate::identity::AuthorId;
use crate::ids::MessageId;
use crate::kinds::{Council, Role};

/// A root of authority: the founder, or a former founder (cut off where it was replaced).
#[derive(Clone, Debug)]
pub(super) struct Root {
    pub key: AuthorId,
    pub name: String,
    /// Its acts with a higher seq have no effect (replaced founders only).
    pub cut: Option<u64>,
    /// Its acts dated earlier have no effect (the founding time, for the first founder).
    pub since: u64,
    /// The replacement that made it founder (its accepted votes: voter, vote), if any.
    pub votes: Vec<(AuthorId, MessageId)>,
    /// Why it was replaced, by which successor and vote (former founders only).
    pub replaced: Option<Revocation>,
}

/// The settled membership.
#[derive(Clone, Debug, Default)]
pub(super) struct Settled {
    pub roots: Vec<Root>,
    pub members: BTreeMap<AuthorId, MemberInfo>,
    pub revoked: BTreeMap<AuthorId, Revocation>,
    pub disputed: BTreeSet<AuthorId>,
    /// How each key with authority got it: (admitted by, admission), for proofs.
    pub links: BTreeMap<AuthorId, (AuthorId, MessageId)>,
    /// The recovery council in force, if one was named.
    pub council: Option<Council>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Status {
    Undecided,
    Effective,
    Void,
}

/// Who has steward authority, since when, and through which admission.
type Authority = BTreeMap<AuthorId, Standing>;

#[derive(Clone, Copy, Debug)]
struct Standing {
    /// Acts dated before this have no effect.
    since: u64,
    /// The admission that gives it (with its author), absent for roots.
    link: Option<(AuthorId, MessageId)>,
    /// Ordering key of that admission, to pick the same one everywhere.
    order: (u64, MessageId),
}

/// Settles `acts` on top of the genesis founder.
pub(super) fn settle(founder: Root, acts: &[Act]) -> Settled {
    let mut roots = vec![founder];
    let replacements = acts
        .iter()
        .filter(|a| matches!(a.action, Action::ReplaceFounder(_)))
        .count();
    for _ in 0..replacements {
        match replacement(&roots, acts) {
            Some((cut, successor)) => {
                if let Some(last) = roots.last_mut() {
                    last.cut = Some(cut);
                    last.replaced = successor.replaced.clone();
                }
                let mut successor = successor;
                successor.replaced = None;
                roots.push(successor);
            }
            None => break,
        }
    }
    outcome(roots, acts).0
}

/// The replacement of the current founder that a majority voted for: (the old founder's
/// cut-off, the new root).
///
/// A vote trusting the founder up to seq t supports every cut-off at t or below. The
/// electorate is the recovery council in force as the network stands (its keys other than the
/// founder), or, while none was named, the stewards other than the founder settled with the
/// founder cut off at t. A candidate (successor, cut-off) takes effect when at least
/// [`MIN_VOTERS`] distinct supporters of the electorate whose votes count, each a current
/// steward as settled at the cut-off (a council seat may also be disputed there: see
/// [`may_vote`]), are more than half of it. Candidates
/// are taken highest cut-off first, then lowest successor key.
fn replacement(roots: &[Root], acts: &[Act]) -> Option<(u64, Root)> {
    let current = roots.last()?.key;
    let mut by_successor: BTreeMap<AuthorId, Vec<&Act>> = BTreeMap::new();
    for act in acts {
        if let Action::ReplaceFounder(vote) = &act.action
            && vote.founder == current
            && !roots.iter().any(|r| r.key == vote.successor)
        {
            by_successor.entry(vote.successor).or_default().push(act);
        }
    }
    let mut candidates: Vec<(u64, AuthorId)> = by_successor
        .iter()
        .flat_map(|(successor, votes)| votes.iter().map(|a| (trusted_seq_of(a), *successor)))
        .collect();
    candidates.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    candidates.dedup();
    if candidates.is_empty() {
        return None;
    }
    // The council is taken as the network stands: a cut-off cannot make it unnamed. (Who may
    // vote is judged at the cut-off: a revocation of a voter counts there unless it rests on
    // the founder's acts after it, which is what the voters say the thief signed.)
    let (standing, _, _) = outcome(roots.to_vec(), acts);
    let seats: Option<BTreeSet<AuthorId>> = standing.council.as_ref().map(|council| {
        council
            .members
            .iter()
            .copied()
            .filter(|key| *key != current)
            .collect()
    });
    for (cut, successor) in candidates {
        let mut votes = by_successor.get(&successor)?.clone();
        votes.sort_by_key(|a| (a.timestamp, a.id));
        let mut trial = roots.to_vec();
        if let Some(last) = trial.last_mut() {
            last.cut = Some(cut);
        }
        let (settled, with_disputes, their_cuts) = outcome(trial.clone(), acts);
        // A council seat's vote is judged by the revocations that took effect only: a seized
        // steward's blind revocation of every seat (undecided, a dispute only the founder could
        // settle) must not stop the council that replaces that founder.
        let undisputed = seats.as_ref().map(|_| {
            let decided = decide(&trial, acts);
            let effective = cuts(&trial, acts, &decided, |s| s == Status::Effective);
            (authority(&trial, acts, &effective), effective)
        });
        let (judged_by, cut_offs) = match &undisputed {
            Some((judged_by, cut_offs)) => (judged_by, cut_offs),
            None => (&with_disputes, &their_cuts),
        };
        let stewards: BTreeSet<AuthorId> = settled
            .members
            .iter()
            .filter(|(key, info)| info.role == Role::Steward && **key != current)
            .map(|(key, _)| *key)
            .collect();
        let supporting: Vec<&&Act> = votes
            .iter()
            .filter(|a| {
                trusted_seq_of(a) >= cut
                    && may_vote(&settled, &stewards, seats.as_ref(), judged_by, &a.author)
                    && authorised(judged_by, cut_offs, a)
            })
            .collect();
        let voters: BTreeSet<AuthorId> = supporting.iter().map(|a| a.author).collect();
        let electorate = seats.as_ref().map_or(stewards.len(), BTreeSet::len);
        if voters.len() < MIN_VOTERS || voters.len() * 2 <= electorate {
            continue;
        }
        let first = supporting.first()?;
        let Action::ReplaceFounder(vote) = &first.action else {
            continue;
        };
        let mut counted = BTreeSet::new();
        let root = Root {
            key: successor,
            name: vote.name.clone(),
            cut: None,
            since: 0,
            votes: supporting
                .iter()
                .filter(|a| counted.insert(a.author))
                .map(|a| (a.author, a.id))
                .collect(),
            replaced: Some(Revocation {
                by: first.author,
                reason: vote.reason.clone(),
                at: first.timestamp,
                id: first.id,
                trusted_seq: cut,
            }),
        };
        return Some((cut, root));
    }
    None
}

/// Whether `voter` may vote at a cut-off settled as `settled`. Without a council: a current
/// steward there. With one: a seat that has steward authority by the revocations that took
/// effect (`judged_by`) and that no effective revocation removed — a seized steward's blind
/// revocations of the other seats (disputes, which only the founder could settle) must not
/// silence the council that replaces that founder.
fn may_vote(
    settled: &Settled,
    stewards: &BTreeSet<AuthorId>,
    seats: Option<&BTreeSet<AuthorId>>,
    judged_by: &Authority,
    voter: &AuthorId,
) -> bool {
    match seats {
        Some(seats) => {
            seats.contains(voter)
                && judged_by.contains_key(voter)
                && !settled.revoked.contains_key(voter)
        }
        None => stewards.contains(voter),
    }
}

/// The fewest distinct stewards that can replace a founder, however small the electorate: no
/// single key, ever, replaces one.
pub(super) const MIN_VOTERS: usize = 2;

fn trusted_seq_of(act: &Act) -> u64 {
    match &act.action {
        Action::ReplaceFounder(vote) => vote.trusted_seq,
        _ => 0,
    }
}

/// Decides every revocation it can (see the module comment).
fn decide(roots: &[Root], acts: &[Act]) -> Vec<(usize, Status)> {
    let mut revokes: Vec<(usize, Status)> = acts
        .iter()
        .enumerate()
        .filter(|(_, act)| match &act.action {
            Action::Revoke(r) => r.member != act.author && !roots.iter().any(|x| x.key == r.member),
            _ => false,
        })
        .map(|(i, _)| (i, Status::Undecided))
        .collect();
    loop {
        let low = cuts(roots, acts, &revokes, |s| s == Status::Effective);
        let high = cuts(roots, acts, &revokes, |s| s != Status::Void);
        let certain = authority(roots, acts, &high);
        let possible = authority(roots, acts, &low);
        let mut changed = false;
        for (index, status) in revokes.iter_mut() {
            if *status != Status::Undecided {
                continue;
            }
            let act = &acts[*index];
            if authorised(&certain, &high, act) {
                *status = Status::Effective;
                changed = true;
            } else if !authorised(&possible, &low, act) {
                *status = Status::Void;
                changed = true;
            }
        }
        if !changed {
            return revokes;
        }
    }
}

/// Each key's cut-off: the lowest `trusted_seq` among the revocations `counts` accepts (and a
/// replaced founder's cut-off).
fn cuts(
    roots: &[Root],
    acts: &[Act],
    revokes: &[(usize, Status)],
    counts: impl Fn(Status) -> bool,
) -> BTreeMap<AuthorId, u64> {
    let mut cuts = BTreeMap::new();
    for root in roots {
        if let Some(cut) = root.cut {
            cuts.insert(root.key, cut);
        }
    }
    for (index, status) in revokes {
        if let Action::Revoke(revoke) = &acts[*index].action
            && counts(*status)
        {
            let cut = cuts.entry(revoke.member).or_insert(u64::MAX);
            *cut = (*cut).min(revoke.trusted_seq);
        }
    }
    // A key's own compromise notice needs no authority: the key is cut off at the notice.
    for act in acts {
        if let Action::KeyCompromised(_) = &act.action {
            let cut = cuts.entry(act.author).or_insert(u64::MAX);
            *cut = (*cut).min(act.seq);
        }
    }
    cuts
}

/// Whether `act` counts: its author has authority, the act is within the author's cut-off and
/// is not dated before the author got authority.
fn authorised(authority: &Authority, cuts: &BTreeMap<AuthorId, u64>, act: &Act) -> bool {
    authority.get(&act.author).is_some_and(|standing| {
        act.seq <= cuts.get(&act.author).copied().unwrap_or(u64::MAX)
            && act.timestamp >= standing.since
    })
}

/// Everyone with steward authority given these cut-offs: the roots, and whoever a steward
/// admission that counts names, transitively. A least fixpoint, so it depends on the set only.
fn authority(roots: &[Root], acts: &[Act], cuts: &BTreeMap<AuthorId, u64>) -> Authority {
    let mut authority: Authority = roots
        .iter()
        .map(|root| {
            let standing = Standing {
                since: root.since,
                link: None,
                order: (0, MessageId([0; 32])),
            };
            (root.key, standing)
        })
        .collect();
    loop {
        let mut changed = false;
        for act in acts {
            let Action::Admit(admit) = &act.action else {
                continue;
            };
            if admit.role != Role::Steward
                || admit.member == act.author
                || roots.iter().any(|r| r.key == admit.member)
                || !authorised(&authority, cuts, act)
            {
                continue;
            }
            let order = (act.timestamp, act.id);
            let better = authority
                .get(&admit.member)
                .is_none_or(|current| current.link.is_some() && order < current.order);
            if better {
                let standing = Standing {
                    since: act.timestamp,
                    link: Some((act.author, act.id)),
                    order,
                };
                authority.insert(admit.member, standing);
                changed = true;
            }
        }
        if !changed {
            return authority;
        }
    }
}

/// The membership these roots and acts give, with the authority and cut-offs it was settled
/// with (undecided revocations counting as cut-offs: the conservative reading of a conflict).
fn outcome(roots: Vec<Root>, acts: &[Act]) -> (Settled, Authority, BTreeMap<AuthorId, u64>) {
    let decided = decide(&roots, acts);
    let cuts = cuts(&roots, acts, &decided, |s| s != Status::Void);
    let authority = authority(&roots, acts, &cuts);
    let mut revoked: BTreeMap<AuthorId, Revocation> = BTreeMap::new();
    let mut disputed = BTreeSet::new();
    let mut effective: Vec<&Act> = decided
        .iter()
        .filter(|(_, s)| *s == Status::Effective)
        .map(|(i, _)| &acts[*i])
        .collect();
    effective.sort_by_key(|a| (a.seq_cut(), a.id));
    for act in effective {
        if let Action::Revoke(revoke) = &act.action {
            revoked.entry(revoke.member).or_insert(Revocation {
                by: act.author,
                reason: revoke.reason.clone(),
                at: act.timestamp,
                id: act.id,
                trusted_seq: revoke.trusted_seq,
            });
        }
    }
    for (index, status) in &decided {
        if let (Status::Undecided, Action::Revoke(revoke)) = (status, &acts[*index].action)
            && !revoked.contains_key(&revoke.member)
        {
            disputed.insert(revoke.member);
        }
    }
    for root in &roots {
        if let Some(replaced) = &root.replaced {
            revoked.insert(root.key, replaced.clone());
        }
    }
    for act in acts {
        if let Action::KeyCompromised(notice) = &act.action {
            let record = Revocation {
                by: act.author,
                reason: notice.reason.clone(),
                at: act.timestamp,
                id: act.id,
                trusted_seq: act.seq,
            };
            // The strictest cut-off names the record, whichever act made it.
            match revoked.get(&act.author) {
                Some(held) if (held.trusted_seq, held.id) <= (act.seq, act.id) => {}
                _ => {
                    revoked.insert(act.author, record);
                }
            }
        }
    }
    let mut members = BTreeMap::new();
    if let Some(founder) = roots.last().filter(|root| !revoked.contains_key(&root.key)) {
        members.insert(
            founder.key,
            MemberInfo {
                role: Role::Steward,
                name: founder.name.clone(),
                admitted_by: None,
                admission: None,
                admitted_at: founder.since,
            },
        );
    }
    let mut order: BTreeMap<AuthorId, (u8, std::cmp::Reverse<(u64, MessageId)>)> = BTreeMap::new();
    for act in acts {
        let Action::Admit(admit) = &act.action else {
            continue;
        };
        if admit.member == act.author
            || roots.iter().any(|r| r.key == admit.member)
            || revoked.contains_key(&admit.member)
            || !authorised(&authority, &cuts, act)
        {
            continue;
        }
        let role = if disputed.contains(&admit.member) && admit.role == Role::Steward {
            Role::Member
        } else {
            admit.role
        };
        let rank = (role.rank(), std::cmp::Reverse((act.timestamp, act.id)));
        if order.get(&admit.member).is_none_or(|best| rank > *best) {
            order.insert(admit.member, rank);
            members.insert(
                admit.member,
                MemberInfo {
                    role,
                    name: admit.name.clone(),
                    admitted_by: Some(act.author),
                    admission: Some(act.id),
                    admitted_at: act.timestamp,
                },
            );
        }
    }
    let links = authority
        .iter()
        .filter_map(|(key, standing)| standing.link.map(|link| (*key, link)))
        .collect();
    let keys: Vec<AuthorId> = roots.iter().map(|root| root.key).collect();
    let council = council::in_force(&keys, acts, |act| authorised(&authority, &cuts, act));
    let settled = Settled {
        roots,
        members,
        revoked,
        disputed,
        links,
        council,
    };
    (settled, authority, cuts)
}

impl Act {
    /// Revocations are recorded lowest cut-off first, so the record names the strictest one.
    fn seq_cut(&self) -> u64 {
        match &self.action {
            Action::Revoke(revoke) => revoke.trusted_seq,
            _ => u64::MAX,
        }
    }
}
