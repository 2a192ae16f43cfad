//! The words for things on screen, in the language spoken: an item's headline, a kind, a role,
//! an office, an outcome, how long ago, a list of names.

use sangam_protocol::api::Item;
use sangam_protocol::audit::{OfficeType, Outcome};
use sangam_protocol::scorecard::ScorecardFilter;
use sangam_protocol::{Body, Kind, Role};

use crate::t;

/// An item's headline; a sealed one says who can read it.
pub fn title_of(item: &Item) -> String {
    if let (Some(Body::Sealed(sealed)), Some(view)) = (&item.body, &item.sealed) {
        let readers = readers_in_words(&view.readers);
        return match item.opened() {
            Some(opened) => t!(
                "title-sealed-opened",
                title = title_of(&opened),
                readers = readers
            ),
            None if view.for_me => t!("title-sealed-unreadable"),
            None => t!(
                "title-sealed",
                kind = kind_label(sealed.inner_kind),
                readers = readers
            ),
        };
    }
    match &item.body {
        Some(Body::Announcement(b)) => b.title.clone(),
        Some(Body::MentoringRequest(b)) => b.title.clone(),
        Some(Body::Offer(b)) => b.body.clone(),
        Some(Body::Resource(b)) => b.title.clone(),
        Some(Body::Profile(b)) => t!("title-profile", name = b.name.as_str()),
        Some(Body::Close(_)) => t!("title-close"),
        Some(Body::Admit(b)) => t!(
            "title-admit",
            name = b.name.as_str(),
            role = role_label(b.role)
        ),
        Some(Body::Revoke(b)) => t!("title-revoke", reason = b.reason.as_str()),
        Some(Body::ReplaceFounder(b)) => t!(
            "title-replace-founder",
            name = b.name.as_str(),
            reason = b.reason.as_str()
        ),
        Some(Body::Council(b)) => t!("title-council", term = b.term, count = b.members.len()),
        Some(Body::Genesis(b)) => t!("title-genesis", name = b.network_name.as_str()),
        Some(Body::Withdraw(_)) => t!("title-withdraw"),
        Some(Body::KeyCompromised(_)) => t!("title-key-compromised"),
        Some(Body::Audit(b)) => format!(
            "{} ({}): {}, {}",
            b.office_name,
            b.district,
            b.sought,
            outcome_label(b.outcome)
        ),
        Some(Body::Endorsement(_)) => t!("title-endorsement"),
        Some(Body::SealingKey(_)) => t!("title-sealing-key"),
        Some(Body::Sealed(_)) => t!("title-sealed-plain"),
        Some(Body::Unsupported { .. }) => t!("title-unsupported"),
        // Without a body: withdrawn, expired (the header says when), or a removed member's.
        None if item.withdrawn => t!("title-withdrawn"),
        None if item.expires_at.is_some() => t!("title-expired"),
        None => t!("content-removed"),
    }
}

/// "Utthan", "Utthan and Jagori", "Utthan, Jagori and Sneh".
pub fn readers_in_words(names: &[String]) -> String {
    match names {
        [] => t!("its-readers"),
        [one] => one.clone(),
        [rest @ .., last] => t!("names-and", first = rest.join(", "), last = last.as_str()),
    }
}

/// The words for a kind on screen.
pub fn kind_label(kind: Kind) -> String {
    match kind {
        Kind::Announcement => t!("kind-announcement"),
        Kind::MentoringRequest => t!("kind-request"),
        Kind::Offer => t!("kind-offer"),
        Kind::Resource => t!("kind-resource"),
        Kind::Profile => t!("kind-profile"),
        Kind::Close => t!("kind-close"),
        Kind::Admit => t!("kind-admit"),
        Kind::Revoke => t!("kind-revoke"),
        Kind::ReplaceFounder => t!("kind-replace-founder"),
        Kind::Council => t!("kind-council"),
        Kind::Withdraw => t!("kind-withdraw"),
        Kind::KeyCompromised => t!("kind-key-compromised"),
        Kind::Genesis => t!("kind-genesis"),
        Kind::Audit => t!("kind-audit"),
        Kind::Endorsement => t!("kind-endorsement"),
        Kind::SealingKey => t!("kind-sealing-key"),
        Kind::Sealed => t!("kind-sealed"),
        Kind::Unsupported(_) => t!("kind-other"),
    }
}

/// A member's role in words.
pub fn role_label(role: Role) -> String {
    match role {
        Role::Steward => t!("role-steward"),
        Role::Member => t!("role-member"),
        Role::Observer => t!("role-observer"),
    }
}

/// A kind of public office in words.
pub fn office_label(office: OfficeType) -> String {
    match office {
        OfficeType::Ahtu => t!("office-ahtu"),
        OfficeType::PoliceStation => t!("office-police-station"),
        OfficeType::ShelterHome => t!("office-shelter-home"),
        OfficeType::ChildWelfareCommittee => t!("office-cwc"),
        OfficeType::Dlsa => t!("office-dlsa"),
        OfficeType::LabourDepartment => t!("office-labour"),
        OfficeType::Health => t!("office-health"),
        OfficeType::SchemeOffice => t!("office-scheme"),
        OfficeType::Court => t!("office-court"),
        OfficeType::Other => t!("office-other"),
    }
}

/// How a visit to an office ended, in words.
pub fn outcome_label(outcome: Outcome) -> String {
    match outcome {
        Outcome::Granted => t!("outcome-granted"),
        Outcome::Partly => t!("outcome-partly"),
        Outcome::Refused => t!("outcome-refused"),
        Outcome::Pending => t!("outcome-pending"),
    }
}

/// What a score card's filter covers, in words.
pub fn covers(filter: &ScorecardFilter) -> String {
    let place = match (&filter.district, &filter.state) {
        (Some(district), Some(state)) => format!("{district}, {state}"),
        (Some(place), None) | (None, Some(place)) => place.clone(),
        (None, None) => String::new(),
    };
    let office = filter.office_type.map(office_label).unwrap_or_default();
    let since = filter.since.clone().unwrap_or_default();
    if place.is_empty() && office.is_empty() && since.is_empty() {
        return t!("covers-everything");
    }
    let mut parts = vec![];
    if !office.is_empty() {
        parts.push(office);
    }
    if !place.is_empty() {
        parts.push(t!("covers-in", place = place));
    }
    if !since.is_empty() {
        parts.push(t!("covers-since", since = since));
    }
    parts.join(" · ")
}

/// "just now", "5 min ago", "3 h ago", "yesterday", "2 days ago".
pub fn age(now: u64, then: u64) -> String {
    let seconds = now.saturating_sub(then) / 1000;
    match seconds {
        0..60 => t!("age-just-now"),
        60..3600 => t!("age-minutes", count = seconds / 60),
        3600..86400 => t!("age-hours", count = seconds / 3600),
        86400..172800 => t!("age-yesterday"),
        _ => t!("age-days", count = seconds / 86400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{Language, speak};

    #[test]
    fn ages_and_lists_read_naturally_in_each_language() {
        speak(Language::English);
        assert_eq!(age(3_600_000, 0), "1 h ago");
        assert_eq!(age(86_400_000 * 3, 0), "3 days ago");
        assert_eq!(
            readers_in_words(&["Utthan".into(), "Jagori".into(), "Sneh".into()]),
            "Utthan, Jagori and Sneh"
        );
        speak(Language::Hindi);
        assert_eq!(age(300_000, 0), "5 मिनट पहले");
        assert_eq!(
            readers_in_words(&["उत्थान".into(), "जागोरी".into()]),
            "उत्थान और जागोरी"
        );
        speak(Language::Bengali);
        assert_eq!(age(86_400_000 * 3, 0), "৩ দিন আগে");
        speak(Language::English);
    }
}
