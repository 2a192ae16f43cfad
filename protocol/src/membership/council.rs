//! The recovery council: the stewards whose majority alone may replace the founder's key.
//!
//! Named in advance, so that the electorate of a replacement never depends on the cut-off its
//! voters choose: a founder names the first term while the network has none, and only a
//! majority of a term names the next. A thief holding the founder's laptop can neither change
//! the council nor stop it; one steward, or any minority of the council, can do nothing.

use std::collections::{BTreeMap, BTreeSet};

use super::{Act, Action};
use crate::identity::AuthorId;
use crate::ids::MessageId;
use crate::kinds::Council;

/// The council in force: term 1 is the first `council` act of term 1 a root wrote (the earliest
/// root first, then its lowest seq, then the lowest id); term n + 1 is the member list that more than half of term
/// n's keys named in `council` acts of term n + 1 (most such keys first, then the lowest list).
/// `counts` says whether an act counts (its author's authority and cut-off).
pub(super) fn in_force(
    roots: &[AuthorId],
    acts: &[Act],
    counts: impl Fn(&Act) -> bool,
) -> Option<Council> {
    // Ranked by root, then seq, then id: two term-1 acts at one seq (a forked founder feed)
    // must not be picked by the order they arrived in.
    let mut first: Option<((usize, u64, MessageId), &Council)> = None;
    for act in acts {
        let Action::Council(named) = &act.action else {
            continue;
        };
        let Some(root) = roots.iter().position(|key| *key == act.author) else {
            continue;
        };
        let rank = (root, act.seq, act.id);
        if named.term == 1 && counts(act) && first.is_none_or(|(best, _)| rank < best) {
            first = Some((rank, named));
        }
    }
    let mut council = first?.1.clone();
    loop {
        let Some(next) = council.term.checked_add(1) else {
            return Some(council);
        };
        let seats: BTreeSet<AuthorId> = council.members.iter().copied().collect();
        let mut named: BTreeMap<&Vec<AuthorId>, BTreeSet<AuthorId>> = BTreeMap::new();
        for act in acts {
            if let Action::Council(change) = &act.action
                && change.term == next
                && seats.contains(&act.author)
                && counts(act)
            {
                named.entry(&change.members).or_default().insert(act.author);
            }
        }
        let chosen = named
            .into_iter()
            .filter(|(_, keys)| keys.len() * 2 > seats.len())
            .max_by(|a, b| a.1.len().cmp(&b.1.len()).then(b.0.cmp(a.0)));
        match chosen {
            Some((members, _)) => {
                council = Council {
                    term: next,
                    members: members.clone(),
                }
            }
            None => return Some(council),
        }
    }
}
