//! The exit of every message the ledger judged, wherever it came from (gossip, sync, a hello's
//! proof, this node's own posts): what a verdict asks the world for.

use libp2p::PeerId;
use sangam_protocol::Error as Rule;

use super::action::Action;
use crate::error::Result;
use crate::ledger::{Ledger, Verdict};

/// What to do with the verdicts on messages `source` sent (none: this node's own): each stored
/// message goes out, each refusal is counted, and the proofs of forks just found are gossiped.
pub(super) fn after_intake(
    ledger: &mut Ledger,
    source: Option<PeerId>,
    verdicts: Result<Vec<Verdict>>,
) -> Vec<Action> {
    let mut actions = Vec::new();
    match verdicts {
        Ok(verdicts) => {
            for verdict in verdicts {
                match verdict {
                    Verdict::Stored(message) => actions.push(Action::Stored(message)),
                    Verdict::Duplicate => {}
                    Verdict::Refused(rule) => actions.push(refused(rule, source)),
                }
            }
        }
        Err(error) => tracing::warn!("could not store received messages: {error}"),
    }
    actions.extend(new_fork_proofs(ledger));
    actions
}

/// A refusal to count, of a message `source` sent.
pub(super) fn refused(rule: Rule, source: Option<PeerId>) -> Action {
    Action::Refused {
        rule,
        peer: source,
        author: None,
    }
}

/// Both headers of every fork the ledger just found, without bodies, to gossip, so every member
/// flags it (however the second branch arrived: gossip, sync or a hello's proof).
pub(super) fn new_fork_proofs(ledger: &mut Ledger) -> Vec<Action> {
    let mut actions = Vec::new();
    for (author, seq) in ledger.take_new_forks() {
        match ledger.fork_proof(&author, seq) {
            Ok(proof) => {
                tracing::warn!(%author, seq, "a member's messages split in two; passing the proof on");
                actions.extend(proof.into_iter().map(Action::Publish));
            }
            Err(error) => tracing::warn!("could not read a fork's proof: {error}"),
        }
    }
    actions
}
