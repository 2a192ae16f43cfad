//! The words a person wrote in a body — titles, descriptions, names, notes, tags — and nothing
//! else: no field names, ids, dates or numbers. Search looks only at these, so "title" or
//! "kind" finds a post only when someone wrote it.

use crate::kinds::Body;

/// Every piece of text written in `body`, in field order.
pub fn words(body: &Body) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    match body {
        Body::Genesis(b) => out.extend([b.network_name.as_str(), &b.founder_name]),
        Body::Profile(b) => {
            out.extend([b.name.as_str(), &b.state, &b.district, &b.about]);
            out.extend(b.focus_areas.iter().chain(&b.languages).map(String::as_str));
        }
        Body::Announcement(b) => {
            out.extend([b.title.as_str(), &b.body]);
            out.extend(b.tags.iter().map(String::as_str));
        }
        Body::MentoringRequest(b) => out.extend([
            b.topic.as_str(),
            &b.title,
            &b.description,
            &b.region,
            &b.language,
        ]),
        Body::Offer(b) => out.push(&b.body),
        Body::Resource(b) => {
            out.extend([b.title.as_str(), &b.description]);
            out.extend(b.tags.iter().map(String::as_str));
            out.extend(b.link.as_deref());
        }
        Body::Close(b) => out.push(&b.note),
        Body::Admit(b) => out.push(&b.name),
        Body::Revoke(b) => out.push(&b.reason),
        Body::ReplaceFounder(b) => out.extend([b.name.as_str(), &b.reason]),
        Body::KeyCompromised(b) => out.push(&b.reason),
        Body::Audit(b) => out.extend([
            b.office_name.as_str(),
            &b.district,
            &b.state,
            &b.sought,
            &b.note,
        ]),
        Body::Endorsement(b) => out.push(&b.note),
        Body::Council(_)
        | Body::Withdraw(_)
        | Body::SealingKey(_)
        | Body::Sealed(_)
        | Body::Unsupported { .. } => {}
    }
    out.retain(|text| !text.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MessageId;
    use crate::kinds::{Announcement, Withdraw};

    #[test]
    fn only_what_was_written_counts_as_words() {
        let post = Body::Announcement(Announcement {
            title: "Legal aid camp".into(),
            body: String::new(),
            tags: vec!["legal".into()],
            expires_at: None,
        });
        assert_eq!(words(&post), vec!["Legal aid camp", "legal"]);
        let withdrawal = Body::Withdraw(Withdraw {
            item: MessageId([7; 32]),
        });
        assert!(words(&withdrawal).is_empty());
    }
}
