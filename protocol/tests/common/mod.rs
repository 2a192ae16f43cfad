//! Helpers shared by the protocol's integration tests.
#![allow(dead_code)]

use sangam_protocol::envelope::found_network;
use sangam_protocol::kinds::{Admit, Announcement, Genesis, ReplaceFounder, Revoke};
use sangam_protocol::membership::Act;
use sangam_protocol::{AuthorId, Body, Draft, Keypair, Message, MessageId, NetworkId, Role};

/// A fixed "now" for every test: 2026-06-01.
pub const NOW: u64 = 1_780_272_000_000;

/// A deterministic keypair.
pub fn key(n: u8) -> Keypair {
    Keypair::from_secret_bytes(&[n; 32])
}

/// One author's feed: signs messages with increasing seq, each linked to the last.
pub struct Feed {
    pub key: Keypair,
    pub network: NetworkId,
    pub seq: u64,
    pub prev: Option<MessageId>,
}

impl Feed {
    pub fn new(key: Keypair, network: NetworkId) -> Feed {
        Feed {
            key,
            network,
            seq: 0,
            prev: None,
        }
    }

    pub fn author(&self) -> AuthorId {
        self.key.author()
    }

    pub fn post(&mut self, body: Body) -> Message {
        self.post_at(body, NOW)
    }

    pub fn post_at(&mut self, body: Body, timestamp: u64) -> Message {
        let draft = Draft {
            network: self.network,
            seq: self.seq + 1,
            prev: self.prev,
            timestamp,
            body,
        };
        let message = draft.sign(&self.key).expect("test drafts are valid");
        self.seq += 1;
        self.prev = Some(message.id());
        message
    }

    pub fn admit(&mut self, member: &Keypair, role: Role, timestamp: u64) -> Message {
        let body = Body::Admit(Admit {
            member: member.author(),
            role,
            name: format!("m{}", self.seq),
        });
        self.post_at(body, timestamp)
    }

    /// Revokes `member`, trusting none of its messages (its acts all lose their effect).
    pub fn revoke(&mut self, member: &Keypair, timestamp: u64) -> Message {
        self.revoke_trusting(member, None, timestamp)
    }

    /// Revokes `member`, trusting its messages up to and including `trusted`.
    pub fn revoke_trusting(
        &mut self,
        member: &Keypair,
        trusted: Option<&Message>,
        timestamp: u64,
    ) -> Message {
        let body = Body::Revoke(Revoke {
            member: member.author(),
            reason: "lost laptop".into(),
            trusted_seq: trusted.map_or(0, |m| m.header().seq),
            trusted: trusted.map(Message::id),
        });
        self.post_at(body, timestamp)
    }

    /// Votes to replace the founder `founder` by `successor`, trusting the founder's messages up
    /// to `trusted_seq` (and `trusted`, its id).
    pub fn replace_founder(
        &mut self,
        founder: &Keypair,
        successor: &Keypair,
        trusted: Option<&Message>,
        timestamp: u64,
    ) -> Message {
        let body = Body::ReplaceFounder(ReplaceFounder {
            founder: founder.author(),
            successor: successor.author(),
            name: "New founder".into(),
            trusted_seq: trusted.map_or(0, |m| m.header().seq),
            trusted: trusted.map(Message::id),
            reason: "the founder's laptop was seized".into(),
        });
        self.post_at(body, timestamp)
    }
}

/// A network founded by `key(1)`, with the founder's feed positioned after the genesis.
pub fn network() -> (Message, Feed) {
    let founder = key(1);
    let genesis = found_network(
        &founder,
        Genesis {
            network_name: "Sangam test".into(),
            founder_name: "Founders".into(),
            founded_at: NOW,
        },
        NOW,
    )
    .expect("genesis is valid");
    let network = genesis.header().network;
    let mut feed = Feed::new(founder, network);
    feed.seq = 1;
    feed.prev = Some(genesis.id());
    (genesis, feed)
}

pub fn announcement(title: &str) -> Body {
    Body::Announcement(Announcement {
        title: title.into(),
        body: "Workshop on compensation claims".into(),
        tags: vec!["legal".into()],
        expires_at: None,
    })
}

pub fn acts(messages: &[Message]) -> Vec<Act> {
    messages
        .iter()
        .filter_map(|m| Act::from_message(m).expect("valid body"))
        .collect()
}

/// Founder 1 admits steward 2, then stewards 3 and 4 and member 5: the genesis, the founder's
/// feed, the stewards' feeds and the four admissions.
pub fn network_of_four() -> (Message, Feed, Vec<Feed>, Vec<Message>) {
    let (genesis, mut founder) = network();
    let stewards: Vec<Feed> = (2..5).map(|n| Feed::new(key(n), founder.network)).collect();
    let mut messages: Vec<Message> = (2..5)
        .map(|n| founder.admit(&key(n), Role::Steward, NOW))
        .collect();
    messages.push(founder.admit(&key(5), Role::Member, NOW));
    (genesis, founder, stewards, messages)
}
