//! Sealed messages in the ledger: who published which sealing key, sealing a post for named
//! members, and opening what was sealed for this node when clients read it.

use std::collections::HashMap;

use sangam_protocol::api::SealedView;
use sangam_protocol::ids::EncryptionKey;
use sangam_protocol::seal::SealRequest;
use sangam_protocol::sealed::{Sealed, SealingKey, SealingSecret};
use sangam_protocol::{AuthorId, Body, Keypair, Kind, Message};

use super::Ledger;
use crate::error::{NodeError, Result};

/// This node's own key for opening what was sealed for it.
pub(super) struct Reader {
    me: AuthorId,
    secret: SealingSecret,
}

impl Ledger {
    /// Lets the ledger open items sealed for `keypair`'s collective when clients read them.
    pub fn set_reader(&mut self, keypair: &Keypair) {
        self.reader = Some(Reader {
            me: keypair.author(),
            secret: SealingSecret::of(keypair),
        });
    }

    /// Every author's latest published sealing key.
    pub fn sealing_keys(&self) -> Result<HashMap<AuthorId, EncryptionKey>> {
        let mut latest: HashMap<AuthorId, (u64, EncryptionKey)> = HashMap::new();
        for wire in self.store.all_of_kind(Kind::SealingKey)? {
            let message = Message::from_trusted_bytes(wire)?;
            let header = message.header();
            if let Ok(Some(Body::SealingKey(SealingKey { key }))) = message.body() {
                let newer = latest
                    .get(&header.author)
                    .is_none_or(|(seq, _)| *seq < header.seq);
                if newer {
                    latest.insert(header.author, (header.seq, key));
                }
            }
        }
        Ok(latest.into_iter().map(|(a, (_, k))| (a, k)).collect())
    }

    /// The sealing key message this node should publish, if it is a member whose latest
    /// published key is not its own current one (and it can post at all).
    pub fn sealing_key_due(&self, keypair: &Keypair) -> Result<Option<Body>> {
        let me = keypair.author();
        if self.role_of(&me).is_none() || self.own_feed_pending()? {
            return Ok(None);
        }
        let mine = SealingSecret::of(keypair).public();
        if self.sealing_keys()?.get(&me) == Some(&mine) {
            return Ok(None);
        }
        Ok(Some(Body::SealingKey(SealingKey { key: mine })))
    }

    /// `body` sealed so that only `to` (current members that published a sealing key) and this
    /// node can read it.
    pub fn seal_for(&self, keypair: &Keypair, body: &Body, to: &[AuthorId]) -> Result<Body> {
        let network = self.network().ok_or(NodeError::NoNetwork)?;
        let recipients = self.recipients(to)?;
        let sealed = SealRequest {
            network,
            author: keypair.author(),
            author_key: SealingSecret::of(keypair).public(),
            recipients: &recipients,
            body,
        }
        .seal()?;
        Ok(Body::Sealed(sealed))
    }

    /// The sealing keys of `to`, each a current member that published one (else a sentence
    /// saying who cannot be sealed for).
    pub fn recipients(&self, to: &[AuthorId]) -> Result<Vec<(AuthorId, EncryptionKey)>> {
        let keys = self.sealing_keys()?;
        to.iter()
            .map(|member| {
                let name = self.member_name(member);
                if self.role_of(member).is_none() {
                    return Err(NodeError::NotAllowed(format!(
                        "{name} is not a member of this network, so nothing can be sealed for it"
                    )));
                }
                keys.get(member).map(|key| (*member, *key)).ok_or_else(|| {
                    NodeError::NotAllowed(format!(
                        "{name} has not published a key for private messages yet (its Sangam \
                         must be updated and run once while connected); send it unsealed only \
                         if it holds nothing private"
                    ))
                })
            })
            .collect()
    }

    /// A member's name, or its short id.
    pub fn member_name(&self, member: &AuthorId) -> String {
        self.membership()
            .and_then(|m| m.member(member).map(|info| info.name.clone()))
            .unwrap_or_else(|| member.short())
    }

    /// How a sealed item looks to this node: its readers by name, and its words when it is
    /// one of them.
    pub(super) fn sealed_view(&self, message: &Message, sealed: &Sealed) -> SealedView {
        let header = message.header();
        let readers = sealed
            .readers(&header.author)
            .iter()
            .map(|reader| self.member_name(reader))
            .collect();
        let mut view = SealedView {
            readers,
            for_me: false,
            opened: None,
            problem: None,
        };
        if let Some(reader) = &self.reader
            && sealed.is_for(&header.author, &reader.me)
        {
            view.for_me = true;
            match sealed.open(&header.network, &header.author, &reader.me, &reader.secret) {
                Ok(body) => view.opened = Some(body),
                Err(problem) => view.problem = Some(problem.to_string()),
            }
        }
        view
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use sangam_protocol::kinds::{Admit, MentoringRequest, Offer, Urgency};
    use sangam_protocol::{Body, Keypair, Role};

    use crate::ledger::testing::{NOW, founded};

    #[test]
    fn a_sealed_offer_opens_for_its_readers_and_counts_as_an_answer_everywhere() {
        let dir = tempfile::tempdir().unwrap();
        let forum = Keypair::from_secret_bytes(&[1; 32]);
        let utthan = Keypair::from_secret_bytes(&[2; 32]);
        let jagori = Keypair::from_secret_bytes(&[3; 32]);
        let newcomer = Keypair::from_secret_bytes(&[4; 32]);
        let mut ledger = founded(dir.path(), &forum);
        for (key, name) in [(&utthan, "Utthan"), (&jagori, "Jagori"), (&newcomer, "New")] {
            let admit = Body::Admit(Admit {
                member: key.author(),
                role: Role::Member,
                name: name.into(),
            });
            ledger.publish(&forum, admit, NOW).unwrap();
        }
        for key in [&forum, &utthan, &jagori] {
            let due = ledger.sealing_key_due(key).unwrap().unwrap();
            ledger.publish(key, due, NOW).unwrap();
            assert!(ledger.sealing_key_due(key).unwrap().is_none());
        }
        let request = Body::MentoringRequest(MentoringRequest {
            topic: "legal_aid".into(),
            title: "Compensation claim".into(),
            description: String::new(),
            region: String::new(),
            language: String::new(),
            urgency: Urgency::Normal,
            expires_at: None,
        });
        let request = ledger.publish(&utthan, request, NOW).unwrap();
        let offer = Body::Offer(Offer {
            request: request.id(),
            body: "Call Meena on 98300 12345".into(),
        });
        let sealed = ledger
            .seal_for(&jagori, &offer, &[utthan.author()])
            .unwrap();
        let posted = ledger.publish(&jagori, sealed, NOW).unwrap();
        // Every node counts the answer without reading it.
        assert_eq!(ledger.item(&request.id()).unwrap().unwrap().offers, 1);
        // Utthan (and Jagori, its author) read it; the forum does not.
        for (reader, opens) in [(&utthan, true), (&jagori, true), (&forum, false)] {
            ledger.set_reader(reader);
            let item = ledger.item(&posted.id()).unwrap().unwrap();
            let view = item.sealed.clone().unwrap();
            assert_eq!(view.readers, vec!["Utthan", "Jagori"]);
            assert_eq!(view.for_me, opens);
            assert_eq!(view.opened.as_ref() == Some(&offer), opens);
            assert_eq!(item.answers(), Some(request.id()));
        }
        // Sealing for someone who is not a member, or has no key yet, says so.
        let stranger = Keypair::from_secret_bytes(&[99; 32]).author();
        let error = ledger.seal_for(&jagori, &offer, &[stranger]).unwrap_err();
        assert!(error.to_string().contains("not a member"), "{error}");
        let error = ledger
            .seal_for(&jagori, &offer, &[newcomer.author()])
            .unwrap_err();
        assert!(
            error.to_string().contains("has not published a key"),
            "{error}"
        );
    }
}
