//! What each tab lists: the recent items (or what a search found) filtered and ordered for
//! the tab, and members by name.

use sangam_protocol::api::{Item, MemberView};
use sangam_protocol::{Kind, MessageId};

use super::App;

impl App {
    fn matches_query(&self, item: &Item) -> bool {
        if self.query.is_empty() {
            return true;
        }
        let query = self.query.to_lowercase();
        let text = serde_json::to_string(&item.body)
            .unwrap_or_default()
            .to_lowercase();
        text.contains(&query) || self.who(&item.author).to_lowercase().contains(&query)
    }

    /// What the tabs list: what a search over the whole store found while one is in force,
    /// else the recent items.
    fn pool(&self) -> &[Item] {
        match &self.found {
            Some(found) if !self.query.is_empty() => found,
            _ => &self.items,
        }
    }

    /// The feed as shown: filtered by kind and search.
    pub fn feed_view(&self) -> Vec<&Item> {
        self.pool()
            .iter()
            .filter(|i| self.kind_filter.is_none_or(|k| i.kind == k))
            .filter(|i| !matches!(i.kind, Kind::Close))
            .filter(|i| self.matches_query(i))
            .collect()
    }

    /// Requests as shown: open ones first (newest first), then closed ones.
    pub fn requests_view(&self) -> Vec<&Item> {
        let mut requests: Vec<&Item> = self
            .pool()
            .iter()
            .filter(|i| i.kind == Kind::MentoringRequest && self.matches_query(i))
            .collect();
        requests.sort_by_key(|i| (i.closed, std::cmp::Reverse(i.timestamp)));
        requests
    }

    /// Offers on a request, oldest first.
    pub fn offers_on(&self, request: &MessageId) -> Vec<&Item> {
        let mut offers: Vec<&Item> = self
            .items
            .iter()
            .filter(|i| i.answers() == Some(*request))
            .collect();
        offers.reverse();
        offers
    }

    /// Resources as shown.
    pub fn resources_view(&self) -> Vec<&Item> {
        self.pool()
            .iter()
            .filter(|i| i.kind == Kind::Resource && self.matches_query(i))
            .collect()
    }

    /// A member's name from its id as text (as `status` lists forks), else the id shortened.
    pub fn name_of_id(&self, id: &str) -> String {
        self.members
            .iter()
            .find(|m| m.id.to_string() == id && !m.name.starts_with('('))
            .map(|m| m.name.clone())
            .unwrap_or_else(|| match id.parse::<sangam_protocol::AuthorId>() {
                Ok(author) => author.short(),
                Err(_) => id.chars().take(12).collect(),
            })
    }

    /// Members as shown: current first, by name.
    pub fn collectives_view(&self) -> Vec<&MemberView> {
        let query = self.query.to_lowercase();
        let mut members: Vec<&MemberView> = self
            .members
            .iter()
            .filter(|m| query.is_empty() || format!("{m:?}").to_lowercase().contains(&query))
            .collect();
        members.sort_by_key(|m| (m.revoked, m.name.to_lowercase()));
        members
    }
}
