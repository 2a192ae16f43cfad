//! Sync as the event loop carries it out: [`super::SyncDriver`] keeps the sessions and decides
//! each step; here requests go out, answers come in, and received messages go through the
//! ledger's door.

use libp2p::PeerId;
use libp2p::request_response;
use sangam_protocol::api::Event;
use sangam_protocol::sync::{SessionEnd, SyncRequest, SyncResponse};

use super::EventLoop;
use super::sync_driver::SyncStep;
use super::verdicts::{after_intake, new_fork_proofs};
use crate::error::PeerRefusal;

impl EventLoop {
    /// Starts a sync with a member whose protocols are open (queued if one is running).
    pub(super) fn start_sync(&mut self, peer: PeerId) {
        if !self.peers.is_member(&peer) || self.peers.is_hidden(&peer) {
            return;
        }
        let Ok(vector) = self.ledger.vector() else {
            return;
        };
        if let Some(request) = self.sync.begin(peer, &vector) {
            self.send_sync(peer, request);
        }
    }

    /// The periodic sync, with a random member.
    pub(super) fn sync_with_random_peer(&mut self) {
        let open = self.peers.open_members();
        if let Some(peer) = self.sync.pick(&open) {
            self.start_sync(peer);
        }
    }

    fn send_sync(&mut self, peer: PeerId, request: SyncRequest) {
        self.swarm
            .behaviour_mut()
            .sync
            .inner()
            .send_request(&peer, request);
    }

    pub(super) fn on_sync_event(
        &mut self,
        event: request_response::Event<SyncRequest, SyncResponse>,
    ) {
        use request_response::{Event as E, Message as M};
        match event {
            E::Message {
                peer,
                message: M::Request {
                    request, channel, ..
                },
                ..
            } => {
                if !self.sync.may_answer(&peer, self.now()) {
                    // Unanswered: the asker's request times out; it may ask again later.
                    drop(channel);
                    self.apply(vec![super::Action::Count(PeerRefusal::SyncRateLimited)]);
                    return;
                }
                let vector = self.ledger.vector().unwrap_or_default();
                let vector = self.unflushed.offerable(&self.keypair.author(), vector);
                let response = self.ledger.answer_sync(&request, &vector);
                // Different digests: the asker pulls only what it lacks, so pull back in case it
                // holds what this node lacks.
                let now = self.now();
                let differ = match request {
                    SyncRequest::Digest(digest) if !matches!(response, SyncResponse::InSync) => {
                        Some(digest)
                    }
                    _ => None,
                };
                if let Some(digest) = differ
                    && self.sync.should_sync_back(peer, digest, now)
                {
                    self.start_sync(peer);
                }
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .sync
                    .inner()
                    .send_response(channel, response);
            }
            E::Message {
                peer,
                message: M::Response { response, .. },
                ..
            } => {
                let vector = self.ledger.vector().unwrap_or_default();
                let step = self.sync.on_response(peer, response, &vector);
                self.follow(peer, step);
            }
            E::OutboundFailure { peer, error, .. } => {
                tracing::debug!(%peer, "sync failed: {error}");
                self.sync.on_failure(&peer);
            }
            _ => {}
        }
    }

    /// Carries out the sync machine's steps until it waits for the peer or is done.
    fn follow(&mut self, peer: PeerId, mut step: SyncStep) {
        loop {
            step = match step {
                SyncStep::Send(request) => return self.send_sync(peer, request),
                SyncStep::Ingest(messages) => {
                    let now = self.now();
                    let verdicts = self.ledger.ingest_batch(&messages, now);
                    let actions = after_intake(&mut self.ledger, Some(peer), verdicts);
                    self.apply(actions);
                    let vector = self.ledger.vector().unwrap_or_default();
                    self.sync.after_ingest(peer, &vector)
                }
                SyncStep::Proofs(proofs) => {
                    let now = self.now();
                    if let Err(error) = self.ledger.record_fork_proofs(&proofs, now) {
                        tracing::warn!("could not record fork proofs: {error}");
                    }
                    let actions = new_fork_proofs(&mut self.ledger);
                    self.apply(actions);
                    let vector = self.ledger.vector().unwrap_or_default();
                    self.sync.after_ingest(peer, &vector)
                }
                SyncStep::Done {
                    outcome,
                    received,
                    again,
                } => return self.finish_sync(peer, outcome, received, again),
                SyncStep::Failed(rule) => return self.count_rejection(&rule, Some(peer)),
                SyncStep::Nothing => return,
            }
        }
    }

    fn finish_sync(&mut self, peer: PeerId, outcome: SessionEnd, received: u64, again: bool) {
        tracing::debug!(%peer, ?outcome, received, "sync finished");
        if outcome != SessionEnd::Stalled
            && self.ledger.own_feed_pending().unwrap_or(false)
            && let Some(member) = sangam_protocol::AuthorId::from_peer_id(&peer)
        {
            match self.ledger.own_feed_reported_by(&member) {
                Ok(true) => {
                    tracing::info!(%peer, "learned this node's earlier posts; posting is open")
                }
                Ok(false) => tracing::info!(
                    %peer,
                    "one member told this node its earlier posts; waiting for a second"
                ),
                Err(e) => tracing::warn!("could not record the own-feed check: {e}"),
            }
        }
        let now = self.now();
        super::lapse::drop_revoked_words(&mut self.ledger, now, &self.keypair.author());
        let mut actions = self.peers.on_synced(peer, now);
        actions.push(super::Action::Tell(Event::SyncDone {
            peer: peer.to_string(),
            received,
        }));
        self.apply(actions);
        if again {
            self.start_sync(peer);
        }
        // What arrived by sync is news to the other members too: offer it to each (a digest
        // each; those that lack it pull it back), so it spreads in seconds, not sync rounds.
        if received > 0 {
            for other in self.peers.open_members() {
                if other != peer {
                    self.start_sync(other);
                }
            }
        }
    }
}
