//! The ledger as clients read it: items with their replies counted, the feed, the members with
//! their profiles.

use std::collections::HashMap;

use sangam_protocol::api::{Item, MemberView};
use sangam_protocol::words::words;
use sangam_protocol::{AuthorId, Body, Kind, Message, MessageId};

use super::Ledger;
use super::store::From;
use crate::error::Result;

impl Ledger {
    /// A stored message as clients see it.
    pub fn item(&self, id: &MessageId) -> Result<Option<Item>> {
        match self.store.get(id)? {
            Some(wire) => Ok(Some(self.item_of(&Message::from_trusted_bytes(wire)?)?)),
            None => Ok(None),
        }
    }

    /// One page of items in time order from `from` (newest first, or oldest first after a
    /// cursor), filtered, at most `limit`; and whether more match beyond it.
    pub fn feed(
        &self,
        kind: Option<Kind>,
        author: Option<AuthorId>,
        limit: usize,
        from: From,
    ) -> Result<(Vec<Item>, bool)> {
        self.page_of(kind, from, limit, |item| {
            author.is_none_or(|a| a == item.author)
        })
    }

    /// Newest-first items whose words (or author's name) contain `text`, any case, over every
    /// message held; and whether more match.
    pub fn search(&self, text: &str, limit: usize) -> Result<(Vec<Item>, bool)> {
        let wanted = text.to_lowercase();
        self.page_of(None, From::Newest, limit, |item| {
            item.shown_body().is_some_and(|body| {
                words(body)
                    .iter()
                    .any(|text| text.to_lowercase().contains(&wanted))
            }) || item
                .author_name
                .as_ref()
                .is_some_and(|name| name.to_lowercase().contains(&wanted))
        })
    }

    /// Up to `limit` items from `from` that `keep` keeps, and whether one more exists.
    fn page_of(
        &self,
        kind: Option<Kind>,
        from: From,
        limit: usize,
        keep: impl Fn(&Item) -> bool,
    ) -> Result<(Vec<Item>, bool)> {
        let mut items = Vec::new();
        for id in self.store.page(kind, from) {
            if let Some(item) = self.item(&id?)?
                && keep(&item)
            {
                if items.len() == limit {
                    return Ok((items, true));
                }
                items.push(item);
            }
        }
        Ok((items, false))
    }

    /// A message as clients see it (its replies counted from the store).
    pub fn item_of(&self, message: &Message) -> Result<Item> {
        let header = message.header();
        let author_name = self.membership().and_then(|m| {
            m.member(&header.author)
                .map(|info| info.name.clone())
                .or_else(|| {
                    m.revoked()
                        .find(|(id, _)| **id == header.author)
                        .map(|_| "(revoked)".to_string())
                })
        });
        let body = message.body().unwrap_or(None);
        let sealed = match &body {
            Some(Body::Sealed(sealed)) => Some(self.sealed_view(message, sealed)),
            _ => None,
        };
        let (closed, offers, withdrawn, endorsements) = self.replies_to(message)?;
        Ok(Item {
            id: message.id(),
            author: header.author,
            author_name,
            seq: header.seq,
            kind: header.kind,
            timestamp: header.timestamp,
            arrived_at: self.store.arrived_at(&message.id())?,
            body,
            closed,
            offers,
            withdrawn,
            expires_at: header.expires_at,
            endorsements,
            sealed,
        })
    }

    /// Whether an item was closed by its author, how many offers answer it, whether its
    /// author withdrew it, and how many other collectives endorsed it (an audit).
    fn replies_to(&self, message: &Message) -> Result<(bool, u64, bool, u64)> {
        if !message.header().kind.is_withdrawable() {
            return Ok((false, 0, false, 0));
        }
        let (mut closed, mut offers, mut withdrawn) = (false, 0, false);
        let mut endorsers = std::collections::BTreeSet::new();
        let own = message.header().author;
        for (_, kind, author) in self.store.replies(&message.id())? {
            match kind {
                Kind::Close if author == own => closed = true,
                Kind::Withdraw if author == own => withdrawn = true,
                // A sealed message answers a request only as a sealed offer.
                Kind::Offer | Kind::Sealed if message.header().kind == Kind::MentoringRequest => {
                    offers += 1
                }
                Kind::Endorsement if author != own && message.header().kind == Kind::Audit => {
                    endorsers.insert(author);
                }
                _ => {}
            }
        }
        Ok((closed, offers, withdrawn, endorsers.len() as u64))
    }

    /// Every member, current and revoked, with profile details where known.
    pub fn members(&self) -> Result<Vec<MemberView>> {
        let Some(membership) = self.membership() else {
            return Ok(Vec::new());
        };
        let mut profiles = HashMap::new();
        for wire in self.store.all_of_kind(Kind::Profile)? {
            let message = Message::from_trusted_bytes(wire)?;
            if let Ok(Some(Body::Profile(profile))) = message.body() {
                profiles.insert(message.header().author, profile);
            }
        }
        let keys = self.sealing_keys()?;
        let mut views: Vec<MemberView> = membership
            .members()
            .map(|(id, info)| MemberView {
                id: *id,
                name: info.name.clone(),
                role: Some(info.role),
                admitted_by: info.admitted_by,
                admitted_at: Some(info.admitted_at),
                revoked: false,
                disputed: membership.disputed().any(|d| d == id),
                state: profiles.get(id).map(|p| p.state.clone()),
                district: profiles.get(id).map(|p| p.district.clone()),
                seals: keys.contains_key(id),
                council: membership
                    .council()
                    .is_some_and(|council| council.members.contains(id)),
            })
            .collect();
        views.extend(membership.revoked().map(|(id, _)| MemberView {
            id: *id,
            name: "(revoked)".into(),
            role: None,
            admitted_by: None,
            admitted_at: None,
            revoked: true,
            disputed: false,
            state: None,
            district: None,
            seals: false,
            council: false,
        }));
        Ok(views)
    }
}

#[cfg(test)]
mod tests {
    use sangam_protocol::kinds::Announcement;
    use sangam_protocol::{Body, Keypair};

    use super::Ledger;
    use crate::ledger::store::Store;
    use crate::ledger::testing::{NOW, founded};

    const DAY: u64 = 24 * 60 * 60 * 1000;

    #[test]
    fn an_item_says_when_it_arrived_here_apart_from_when_it_was_written() {
        let temp = tempfile::tempdir().unwrap();
        let founder = Keypair::from_secret_bytes(&[1; 32]);
        let mut writer = founded(&temp.path().join("writer"), &founder);
        let note = Body::Announcement(Announcement {
            title: "Saturday meeting".into(),
            body: String::new(),
            tags: vec![],
            expires_at: None,
        });
        let message = writer.publish(&founder, note, NOW).unwrap();
        let here = writer.item(&message.id()).unwrap().unwrap();
        assert_eq!(
            here.arrived_at,
            Some(NOW),
            "its own post arrives as it is written"
        );

        // Three days later it reaches a node that was offline (by sync or on a USB stick).
        let mut late = Ledger::open(Store::open(&temp.path().join("late")).unwrap()).unwrap();
        let genesis = writer.joined().unwrap().genesis.clone();
        late.start(genesis, NOW + 3 * DAY).unwrap();
        late.ingest(message.wire(), NOW + 3 * DAY).unwrap();
        let there = late.item(&message.id()).unwrap().unwrap();
        assert_eq!(there.timestamp, NOW);
        assert_eq!(there.arrived_at, Some(NOW + 3 * DAY));
        // A second copy later changes nothing.
        late.ingest(message.wire(), NOW + 4 * DAY).unwrap();
        let again = late.item(&message.id()).unwrap().unwrap();
        assert_eq!(again.arrived_at, Some(NOW + 3 * DAY));
    }

    #[test]
    fn search_finds_what_was_written_never_the_names_of_fields() {
        let temp = tempfile::tempdir().unwrap();
        let founder = Keypair::from_secret_bytes(&[1; 32]);
        let mut ledger = founded(temp.path(), &founder);
        let post = Body::Announcement(Announcement {
            title: "Legal aid camp".into(),
            body: "At the block office".into(),
            tags: vec!["compensation".into()],
            expires_at: None,
        });
        ledger.publish(&founder, post, NOW).unwrap();
        let found = |text: &str| ledger.search(text, 10).unwrap().0.len();
        assert_eq!(found("AID CAMP"), 1);
        assert_eq!(found("block office"), 1);
        assert_eq!(found("compensation"), 1);
        for field_name in ["title", "kind", "announcement", "tags", "expires_at", "\""] {
            assert_eq!(found(field_name), 0, "{field_name}");
        }
    }
}
