//! Sync bookkeeping: at most one session per peer, a sync asked for while one runs is queued
//! and run after it, and the periodic sync picks a peer at random. The protocol's own state
//! machine ([`SyncSession`]) decides each step; this machine keeps one per peer. No sockets.

use std::collections::{HashMap, HashSet};

use libp2p::PeerId;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use sangam_protocol::limits::{SYNC_REQUEST_BURST, SYNC_REQUESTS_PER_MINUTE};
use sangam_protocol::rate::RateLimiter;
use sangam_protocol::sync::{
    SessionEnd, Step, SyncRequest, SyncResponse, SyncSession, VersionVector,
};
use sangam_protocol::{AuthorId, Error as Rule};

/// What to do next in a sync with one peer.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum SyncStep {
    /// Send this request to the peer.
    Send(SyncRequest),
    /// Check and store these messages, then call [`SyncDriver::after_ingest`].
    Ingest(Vec<Vec<u8>>),
    /// Check and record these fork proofs, then call [`SyncDriver::after_ingest`].
    Proofs(Vec<Vec<u8>>),
    /// The session is over.
    Done {
        /// How it ended.
        outcome: SessionEnd,
        /// Messages received in it.
        received: u64,
        /// Another sync with the same peer was asked for meanwhile: start it now.
        again: bool,
    },
    /// The peer broke the protocol; the session is dropped.
    Failed(Rule),
    /// No session with this peer (a late answer): nothing to do.
    Nothing,
}

/// The sync machine.
pub(super) struct SyncDriver {
    sessions: HashMap<PeerId, SyncSession>,
    again: HashSet<PeerId>,
    rng: StdRng,
    /// How many of a peer's sync requests this node answers (a member that keeps asking would
    /// otherwise have it read and send up to a megabyte per request, without end).
    answers: RateLimiter,
    /// When this node last synced back with each peer whose digest differed (ms), and that
    /// digest.
    synced_back: HashMap<PeerId, ([u8; 32], u64)>,
}

/// How soon a node syncs back again with the same peer: two nodes whose digests keep differing
/// (a fork one of them has not heard of yet) cost one round trip each per this long, not a
/// ping-pong.
pub(super) const SYNC_BACK_EVERY_MS: u64 = 10_000;

impl SyncDriver {
    /// A driver whose random picks come from `rng`.
    pub(super) fn new(rng: StdRng) -> SyncDriver {
        SyncDriver {
            sessions: HashMap::new(),
            again: HashSet::new(),
            rng,
            answers: RateLimiter::new(SYNC_REQUEST_BURST, SYNC_REQUESTS_PER_MINUTE),
            synced_back: HashMap::new(),
        }
    }

    /// Whether to start a sync of this node's own with `peer`, whose request (with `digest`)
    /// just showed that the two hold different things: it may hold something this node lacks
    /// (the asker only pulls what *it* lacks). At once when its digest is new (it holds
    /// something it did not hold the last time: a message that just reached it); for the same
    /// digest, at most once per [`SYNC_BACK_EVERY_MS`] (two nodes whose digests keep differing,
    /// over a fork one of them has not heard of, do not ping-pong).
    pub(super) fn should_sync_back(&mut self, peer: PeerId, digest: [u8; 32], now_ms: u64) -> bool {
        if self.synced_back.get(&peer).is_some_and(|(last, at)| {
            *last == digest && now_ms.saturating_sub(*at) < SYNC_BACK_EVERY_MS
        }) {
            return false;
        }
        if self.synced_back.len() >= 1024 {
            self.synced_back
                .retain(|_, (_, at)| now_ms.saturating_sub(*at) < SYNC_BACK_EVERY_MS);
        }
        self.synced_back.insert(peer, (digest, now_ms));
        true
    }

    /// Whether to answer one more sync request from `peer` at `now_ms` (takes its allowance).
    pub(super) fn may_answer(&mut self, peer: &PeerId, now_ms: u64) -> bool {
        AuthorId::from_peer_id(peer).is_some_and(|author| self.answers.allow(&author, now_ms))
    }

    /// A driver seeded from the operating system.
    pub(super) fn from_entropy() -> SyncDriver {
        SyncDriver::new(StdRng::from_entropy())
    }

    /// Starts a sync with `peer` from `local`, or queues one if a session is already running.
    pub(super) fn begin(&mut self, peer: PeerId, local: &VersionVector) -> Option<SyncRequest> {
        if self.sessions.contains_key(&peer) {
            self.again.insert(peer);
            return None;
        }
        let (session, request) = SyncSession::start(local);
        self.sessions.insert(peer, session);
        Some(request)
    }

    /// Whether a session with `peer` is running.
    #[cfg(test)]
    fn is_syncing(&self, peer: &PeerId) -> bool {
        self.sessions.contains_key(peer)
    }

    /// The peers being synced with.
    pub(super) fn syncing(&self) -> impl Iterator<Item = &PeerId> {
        self.sessions.keys()
    }

    /// A random peer among `open` that is not being synced with.
    pub(super) fn pick(&mut self, open: &[PeerId]) -> Option<PeerId> {
        let idle: Vec<PeerId> = open
            .iter()
            .filter(|peer| !self.sessions.contains_key(*peer))
            .copied()
            .collect();
        idle.choose(&mut self.rng).copied()
    }

    /// The peer answered.
    pub(super) fn on_response(
        &mut self,
        peer: PeerId,
        response: SyncResponse,
        local: &VersionVector,
    ) -> SyncStep {
        let Some(session) = self.sessions.get_mut(&peer) else {
            return SyncStep::Nothing;
        };
        let step = session.handle(response, local);
        self.next(peer, step)
    }

    /// The messages of the last step are stored (or refused); `local` is the vector now.
    pub(super) fn after_ingest(&mut self, peer: PeerId, local: &VersionVector) -> SyncStep {
        let Some(session) = self.sessions.get_mut(&peer) else {
            return SyncStep::Nothing;
        };
        // Only the fork proofs that came with the vector follow a batch (the session makes sure
        // nothing loops).
        let step = session.after_ingest(local);
        self.next(peer, step)
    }

    /// The request failed (the peer left, timed out, or does not speak sync).
    pub(super) fn on_failure(&mut self, peer: &PeerId) {
        self.sessions.remove(peer);
    }

    /// The peer is gone: forget any queued sync with it.
    pub(super) fn forget(&mut self, peer: &PeerId) {
        self.sessions.remove(peer);
        self.again.remove(peer);
    }

    fn next(&mut self, peer: PeerId, step: Result<Step, Rule>) -> SyncStep {
        match step {
            Ok(Step::Send(request)) => SyncStep::Send(request),
            Ok(Step::Ingest(messages)) => SyncStep::Ingest(messages),
            Ok(Step::Proofs(proofs)) => SyncStep::Proofs(proofs),
            Ok(Step::Done(outcome)) => {
                let received = self
                    .sessions
                    .remove(&peer)
                    .map_or(0, |session| session.received());
                SyncStep::Done {
                    outcome,
                    received,
                    again: self.again.remove(&peer),
                }
            }
            Err(rule) => {
                self.sessions.remove(&peer);
                SyncStep::Failed(rule)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use sangam_protocol::sync::respond;

    use super::*;

    fn driver() -> SyncDriver {
        SyncDriver::new(StdRng::seed_from_u64(7))
    }

    #[test]
    fn syncing_back_happens_once_per_interval_per_peer() {
        let mut driver = SyncDriver::new(StdRng::seed_from_u64(1));
        let peer = libp2p::identity::Keypair::generate_ed25519()
            .public()
            .to_peer_id();
        let other = libp2p::identity::Keypair::generate_ed25519()
            .public()
            .to_peer_id();
        let (digest, newer) = ([1; 32], [2; 32]);
        assert!(driver.should_sync_back(peer, digest, 1_000));
        // Two nodes whose digests keep differing do not ping-pong.
        assert!(!driver.should_sync_back(peer, digest, 1_000 + SYNC_BACK_EVERY_MS - 1));
        assert!(driver.should_sync_back(other, digest, 1_500));
        assert!(driver.should_sync_back(peer, digest, 1_000 + SYNC_BACK_EVERY_MS));
        // A peer that now holds something new is pulled from at once.
        assert!(driver.should_sync_back(peer, newer, 1_000 + SYNC_BACK_EVERY_MS + 1));
    }

    #[test]
    fn a_peer_that_keeps_asking_is_answered_at_a_bounded_rate() {
        let mut driver = SyncDriver::new(StdRng::seed_from_u64(1));
        let greedy = libp2p::identity::Keypair::generate_ed25519()
            .public()
            .to_peer_id();
        let other = libp2p::identity::Keypair::generate_ed25519()
            .public()
            .to_peer_id();
        let answered = (0..1000).filter(|_| driver.may_answer(&greedy, 0)).count();
        assert_eq!(
            answered, SYNC_REQUEST_BURST as usize,
            "a burst, then nothing at once"
        );
        assert!(driver.may_answer(&other, 0), "another peer is not affected");
        let per_second = SYNC_REQUESTS_PER_MINUTE as usize / 60;
        let second_later = (0..1000)
            .filter(|_| driver.may_answer(&greedy, 1_000))
            .count();
        assert_eq!(second_later, per_second, "then one a second");
    }

    #[test]
    fn one_session_per_peer_and_a_second_request_runs_after_the_first() {
        let peer = PeerId::random();
        let mut sync = driver();
        let local = VersionVector::new();
        let request = sync.begin(peer, &local).unwrap();
        assert!(sync.begin(peer, &local).is_none(), "queued, not doubled");
        let answer = respond(&request, &local, Vec::new, |_, _| None);
        assert_eq!(
            sync.on_response(peer, answer, &local),
            SyncStep::Done {
                outcome: SessionEnd::InSync,
                received: 0,
                again: true
            }
        );
        assert!(!sync.is_syncing(&peer));
    }

    #[test]
    fn a_late_answer_after_a_failure_is_ignored() {
        let peer = PeerId::random();
        let mut sync = driver();
        let local = VersionVector::new();
        let request = sync.begin(peer, &local).unwrap();
        sync.on_failure(&peer);
        let answer = respond(&request, &local, Vec::new, |_, _| None);
        assert_eq!(sync.on_response(peer, answer, &local), SyncStep::Nothing);
    }

    #[test]
    fn the_periodic_pick_skips_busy_peers_and_spreads_over_the_others() {
        let peers: Vec<PeerId> = (0..4).map(|_| PeerId::random()).collect();
        let mut sync = driver();
        sync.begin(peers[0], &VersionVector::new());
        let mut seen = HashSet::new();
        for _ in 0..200 {
            let picked = sync.pick(&peers).unwrap();
            assert_ne!(picked, peers[0]);
            seen.insert(picked);
        }
        assert_eq!(seen.len(), 3, "every idle peer gets picked");
        assert!(sync.pick(&peers[..1]).is_none());
    }

    #[test]
    fn a_forgotten_peer_leaves_nothing_behind() {
        let peer = PeerId::random();
        let mut sync = driver();
        sync.begin(peer, &VersionVector::new());
        sync.begin(peer, &VersionVector::new());
        sync.forget(&peer);
        assert!(sync.sessions.is_empty() && sync.again.is_empty());
    }
}
