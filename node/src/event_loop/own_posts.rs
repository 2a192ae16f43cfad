//! This node's own posts between being stored and being acknowledged: they wait for the flush
//! thread, and meanwhile sync does not offer them (a crash before the flush would otherwise let a
//! peer hold a post this node no longer has, and its next post would fork the feed).

use sangam_protocol::api::Response;
use sangam_protocol::sync::VersionVector;
use sangam_protocol::{AuthorId, Message};
use tokio::sync::oneshot;

use super::EventLoop;
use super::action::Action;
use super::flusher::Flushed;
use crate::error::NodeError;

/// A post by this node, stored, waiting for its flush before it is answered and gossiped.
pub(super) struct OwnPost {
    /// The stored message.
    pub(super) message: Message,
    /// The answer to send once it is on disk.
    pub(super) response: Response,
    /// Where the answer goes.
    pub(super) reply: oneshot::Sender<Response>,
}

/// Which of this node's own seqs are stored but not yet on disk.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Unflushed {
    /// The lowest such seq, if any.
    from: Option<u64>,
    /// The highest such seq.
    to: u64,
}

impl Unflushed {
    fn staged(&mut self, seq: u64) {
        self.from.get_or_insert(seq);
        self.to = self.to.max(seq);
    }

    fn flushed(&mut self, seq: u64) {
        self.from = (seq < self.to).then_some(seq + 1);
    }

    /// `vector` as sync may offer it: this node's own feed only as far as it is on disk.
    pub(super) fn offerable(&self, me: &AuthorId, mut vector: VersionVector) -> VersionVector {
        if let Some(from) = self.from
            && vector.get(me) >= from
        {
            vector.set(*me, from - 1);
        }
        vector
    }
}

impl EventLoop {
    /// Queues a stored post for the flush thread (or flushes here if the thread is overrun).
    pub(super) fn await_flush(&mut self, post: OwnPost) {
        self.unflushed.staged(post.message.header().seq);
        if let Err(post) = self.flusher.submit(post) {
            let result = self.ledger.flush().map_err(|e| e.to_string());
            self.on_flushed((vec![post], result));
        }
    }

    /// Publishes this collective's key for sealed messages once it is a member that can post
    /// and has not published it (others cannot seal anything for it before).
    pub(super) fn publish_sealing_key_if_due(&mut self) {
        let me = self.keypair.author();
        if self.sealing_key_published
            || self.ledger.role_of(&me).is_none()
            || self.ledger.own_feed_pending().unwrap_or(true)
        {
            return;
        }
        let due = match self.ledger.sealing_key_due(&self.keypair) {
            Ok(due) => due,
            Err(error) => {
                tracing::warn!("could not check this node's sealing key: {error}");
                return;
            }
        };
        self.sealing_key_published = true;
        let Some(body) = due else { return };
        let now = self.now();
        match self.ledger.publish_staged(&self.keypair, body, now) {
            Ok(message) => {
                tracing::info!("published this collective's key for sealed messages");
                // Nobody waits for this answer.
                let (reply, _) = oneshot::channel();
                let response = Response::Posted { id: message.id() };
                self.await_flush(OwnPost {
                    message,
                    response,
                    reply,
                });
            }
            Err(error) => {
                tracing::warn!("could not publish this node's sealing key: {error}");
                self.sealing_key_published = false;
            }
        }
    }

    /// Answers and gossips posts that are now on disk.
    pub(super) fn on_flushed(&mut self, (posts, result): Flushed<OwnPost>) {
        for post in posts {
            let response = match &result {
                Ok(()) => {
                    // A failed flush keeps the post (and everything after it) out of sync until a
                    // later flush succeeds, since that one writes it too.
                    self.unflushed.flushed(post.message.header().seq);
                    let wire = post.message.wire().to_vec();
                    self.apply(vec![Action::Publish(wire), Action::Stored(post.message)]);
                    post.response
                }
                Err(problem) => NodeError::NotSaved(problem.to_string()).to_response(),
            };
            let _ = post.reply.send(response);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use sangam_protocol::Keypair;

    use super::*;

    #[test]
    fn sync_offers_own_posts_only_once_they_are_on_disk() {
        let me = Keypair::from_secret_bytes(&[1; 32]).author();
        let other = Keypair::from_secret_bytes(&[2; 32]).author();
        let mut vector = VersionVector::new();
        vector.set(me, 7);
        vector.set(other, 9);
        let mut unflushed = Unflushed::default();
        assert_eq!(unflushed.offerable(&me, vector.clone()), vector);
        unflushed.staged(6);
        unflushed.staged(7);
        let offered = unflushed.offerable(&me, vector.clone());
        assert_eq!((offered.get(&me), offered.get(&other)), (5, 9));
        unflushed.flushed(6);
        assert_eq!(unflushed.offerable(&me, vector.clone()).get(&me), 6);
        unflushed.flushed(7);
        assert_eq!(unflushed.offerable(&me, vector.clone()), vector);
        unflushed.staged(1);
        assert_eq!(unflushed.offerable(&me, vector.clone()).get(&me), 0);
    }

    #[test]
    fn after_a_failed_flush_the_next_good_one_releases_both_posts() {
        let me = Keypair::from_secret_bytes(&[1; 32]).author();
        let mut vector = VersionVector::new();
        vector.set(me, 4);
        let mut unflushed = Unflushed::default();
        unflushed.staged(3); // its flush fails: `flushed` is not called for it
        unflushed.staged(4);
        assert_eq!(unflushed.offerable(&me, vector.clone()).get(&me), 2);
        unflushed.flushed(4);
        assert_eq!(unflushed.offerable(&me, vector.clone()).get(&me), 4);
    }
}
