//! A steward's forms (Collectives tab): welcoming a collective — its id as it sent it, a
//! name and a role — and removing one, with its reason and the typed word that says the
//! steward knows what removal means.

use sangam_protocol::api::{Item, Request};
use sangam_protocol::{AuthorId, Role};

use super::{Field, FormKind, confirmed, field};
use crate::t;

/// Welcoming: the id the collective sent.
pub(super) const ID: usize = 0;
/// Welcoming: its name.
pub(super) const NAME: usize = 1;
/// Welcoming: its role.
pub(super) const ROLE: usize = 2;
/// Removing: why.
pub(super) const REASON: usize = 0;
/// Removing: from when the key's messages stop counting (optional).
pub(super) const SINCE: usize = 1;
/// Removing: the typed word.
pub(super) const WORD: usize = 2;
/// Voting for a new founder: the new key's id.
pub(super) const NEW_KEY: usize = 0;
/// Voting for a new founder: its name.
pub(super) const NEW_NAME: usize = 1;
/// Voting for a new founder: why.
pub(super) const VOTE_WHY: usize = 2;
/// Voting for a new founder: from when the old key's messages stop counting.
pub(super) const VOTE_SINCE: usize = 3;

const DAY_MS: u64 = 24 * 3_600_000;

/// The fields of a steward's form.
pub(super) fn fields(kind: FormKind) -> Vec<Field> {
    match kind {
        FormKind::Admit => vec![
            field(t!("field-their-id"), "id", true, t!("hint-their-id")),
            field(t!("field-name"), "name", true, t!("hint-their-name")),
            field(t!("field-role"), "role", false, t!("hint-role")),
        ],
        FormKind::Council => vec![field(
            t!("field-council-names"),
            "council",
            true,
            t!("hint-council-names"),
        )],
        FormKind::FounderVote => vec![
            field(t!("field-new-key"), "id", true, t!("hint-new-key")),
            field(t!("field-name"), "name", true, t!("hint-new-founder-name")),
            field(t!("field-why"), "reason", true, t!("hint-founder-why")),
            field(
                t!("field-cut-off"),
                "since",
                false,
                t!("hint-founder-cut-off"),
            ),
        ],
        _ => vec![
            field(t!("field-why"), "reason", true, t!("hint-remove-why")),
            field(t!("field-cut-off"), "since", false, t!("hint-cut-off")),
            field(
                t!("field-type-word", word = t!("word-remove")),
                "confirmation",
                true,
                t!("hint-remove-word"),
            ),
        ],
    }
}

/// The role a steward typed (in any of the app's words for it, or English).
fn role_of(typed: &str) -> Result<Role, String> {
    let typed = typed.trim().to_lowercase();
    if typed.is_empty() {
        return Ok(Role::Member);
    }
    [Role::Member, Role::Steward, Role::Observer]
        .into_iter()
        .find(|role| typed == role.name() || typed == crate::labels::role_label(*role))
        .ok_or_else(|| t!("problem-role"))
}

/// The moment a steward typed for "from when": a day (2026-11-20, from its start, UTC) or days
/// ago (3d); none when empty. The node goes by when it stored each message, never by the dates
/// the key signed.
fn since_of(typed: &str, now_ms: u64) -> Result<Option<u64>, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    if let Some(days) = typed
        .strip_suffix('d')
        .and_then(|n| n.trim().parse::<u64>().ok())
    {
        return Ok(Some(now_ms.saturating_sub(days.saturating_mul(DAY_MS))));
    }
    sangam_protocol::audit::Day::parse(typed)
        .map(|day| Some(day.unix_ms()))
        .map_err(|_| t!("problem-cut-off"))
}

/// What removing a collective "from when" `typed` keeps and stops counting of its messages
/// held here, decided as the node decides it: walking its feed down from the newest, every
/// message this node stored at or after that moment stops counting, down to the first stored
/// before it (the date the key wrote on a message does not matter: a thief backdates).
pub(super) fn removal_preview(items: &[Item], typed: &str, now: u64) -> Vec<String> {
    let Ok(since) = since_of(typed, now) else {
        return Vec::new();
    };
    if items.is_empty() {
        return vec![t!("preview-nothing-held")];
    }
    let mut feed: Vec<&Item> = items.iter().collect();
    feed.sort_by_key(|item| std::cmp::Reverse(item.seq));
    let stored = |item: &Item| item.arrived_at.unwrap_or(item.timestamp);
    let lost = since.map_or(0, |since| {
        feed.iter().take_while(|item| stored(item) >= since).count()
    });
    let mut lines = Vec::new();
    match feed.get(lost) {
        Some(last) => lines.push(t!(
            "preview-kept",
            title = crate::labels::title_of(last),
            ago = crate::labels::age(now, stored(last))
        )),
        None => lines.push(t!("preview-nothing-kept")),
    }
    match lost.checked_sub(1).and_then(|first| feed.get(first)) {
        Some(first) => lines.push(t!(
            "preview-lost",
            count = lost,
            title = crate::labels::title_of(first),
            ago = crate::labels::age(now, stored(first))
        )),
        None => lines.push(t!("preview-nothing-lost")),
    }
    lines
}

/// Now, by this laptop's clock (ms).
fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// An id as typed: read out over the phone or pasted in groups, spaces and dashes do not count.
fn id_of(typed: &str, field: String) -> Result<AuthorId, String> {
    let id: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if id.is_empty() {
        return Err(t!("problem-needed", field = field));
    }
    id.parse().map_err(|_| t!("problem-id"))
}

/// The council the typed names make: the stewards named (by name, in any case, separated by
/// commas), each once.
pub(super) fn council(
    value: impl Fn(usize) -> String,
    stewards: &[(AuthorId, String)],
) -> Result<Request, String> {
    let mut members = Vec::new();
    for wanted in value(0).split([',', '،', '।']).map(str::trim) {
        if wanted.is_empty() {
            continue;
        }
        let found = stewards
            .iter()
            .find(|(_, name)| name.to_lowercase() == wanted.to_lowercase())
            .ok_or_else(|| t!("problem-unknown-steward", name = wanted))?;
        if !members.contains(&found.0) {
            members.push(found.0);
        }
    }
    if !(2..=9).contains(&members.len()) {
        return Err(t!("problem-council-size"));
    }
    Ok(Request::NameCouncil { members })
}

/// The request the typed values make, or what is wrong with them.
pub(super) fn request(
    kind: FormKind,
    value: impl Fn(usize) -> String,
    member: Option<AuthorId>,
) -> Result<Request, String> {
    if kind == FormKind::FounderVote {
        let successor = id_of(&value(NEW_KEY), t!("field-new-key"))?;
        let name = value(NEW_NAME);
        if name.is_empty() {
            return Err(t!("problem-needed", field = t!("field-name")));
        }
        let reason = value(VOTE_WHY);
        if reason.is_empty() {
            return Err(t!("problem-needed", field = t!("field-why")));
        }
        let since = since_of(&value(VOTE_SINCE), now_ms())?;
        return Ok(Request::ReplaceFounder {
            successor,
            name,
            reason,
            since,
        });
    }
    if kind == FormKind::Admit {
        let member = id_of(&value(ID), t!("field-their-id"))?;
        let name = value(NAME);
        if name.is_empty() {
            return Err(t!("problem-needed", field = t!("field-name")));
        }
        let role = role_of(&value(ROLE))?;
        return Ok(Request::Admit { member, name, role });
    }
    let Some(member) = member else {
        return Err(t!("problem-choose-collective"));
    };
    let reason = value(REASON);
    if reason.is_empty() {
        return Err(t!("problem-needed", field = t!("field-why")));
    }
    let since = since_of(&value(SINCE), now_ms())?;
    confirmed(&value(WORD), "word-remove")?;
    Ok(Request::Revoke {
        member,
        reason,
        since,
    })
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::KeyCode;
    use sangam_protocol::Keypair;

    use super::*;
    use crate::form::tests::{press, type_text};
    use crate::form::{Form, FormOutcome};

    #[test]
    fn a_steward_welcomes_by_a_pasted_id_in_groups_and_a_role_in_words() {
        let id = Keypair::from_secret_bytes(&[3; 32]).author();
        let grouped: String = id
            .to_string()
            .chars()
            .collect::<Vec<_>>()
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ");
        let mut form = Form::new(FormKind::Admit);
        type_text(&mut form, &grouped);
        press(&mut form, KeyCode::Tab);
        type_text(&mut form, "Sneh");
        press(&mut form, KeyCode::Tab);
        type_text(&mut form, "Steward");
        match press(&mut form, KeyCode::Enter) {
            FormOutcome::Ask(Request::Admit { member, name, role }) => {
                assert_eq!((member, name.as_str(), role), (id, "Sneh", Role::Steward));
            }
            other => panic!("{other:?}"),
        }
        form.set(ID, "not an id");
        assert_eq!(press(&mut form, KeyCode::Enter), FormOutcome::Editing);
        assert_eq!(form.problem, Some(t!("problem-id")));
    }

    #[test]
    fn removing_needs_a_reason_and_the_word() {
        let id = Keypair::from_secret_bytes(&[4; 32]).author();
        let mut form = Form::revoke(id, "Sneh".into());
        type_text(&mut form, "laptop stolen");
        press(&mut form, KeyCode::Tab);
        press(&mut form, KeyCode::Tab);
        type_text(&mut form, "remov");
        assert_eq!(press(&mut form, KeyCode::Enter), FormOutcome::Editing);
        assert!(form.problem.as_deref().unwrap_or("").contains("remove"));
        type_text(&mut form, "e");
        match press(&mut form, KeyCode::Enter) {
            FormOutcome::Ask(Request::Revoke {
                member,
                reason,
                since,
            }) => {
                assert_eq!(
                    (member, reason.as_str(), since),
                    (id, "laptop stolen", None)
                );
            }
            other => panic!("{other:?}"),
        }
        // From when: a day, or days ago; anything else says how to write it.
        form.set(SINCE, "2026-11-20");
        match press(&mut form, KeyCode::Enter) {
            FormOutcome::Ask(Request::Revoke { since, .. }) => {
                assert_eq!(since, Some(1_795_132_800_000));
            }
            other => panic!("{other:?}"),
        }
        form.set(SINCE, "last tuesday");
        assert_eq!(press(&mut form, KeyCode::Enter), FormOutcome::Editing);
        assert_eq!(form.problem, Some(t!("problem-cut-off")));
    }

    #[test]
    fn a_council_is_named_by_the_stewards_names_and_a_founder_vote_by_the_new_key() {
        let [a, b] = [5, 6].map(|n| Keypair::from_secret_bytes(&[n; 32]).author());
        let stewards = vec![(a, "Utthan".to_string()), (b, "Sneh".to_string())];
        let mut form = Form::council(stewards);
        type_text(&mut form, "utthan");
        assert_eq!(press(&mut form, KeyCode::Enter), FormOutcome::Editing);
        assert_eq!(form.problem, Some(t!("problem-council-size")));
        type_text(&mut form, ", Sneh, Utthan");
        match press(&mut form, KeyCode::Enter) {
            FormOutcome::Ask(Request::NameCouncil { members }) => assert_eq!(members, vec![a, b]),
            other => panic!("{other:?}"),
        }
        form.set(0, "Utthan, Jagori");
        assert_eq!(press(&mut form, KeyCode::Enter), FormOutcome::Editing);
        assert_eq!(
            form.problem,
            Some(t!("problem-unknown-steward", name = "Jagori"))
        );

        let mut vote = Form::new(FormKind::FounderVote);
        type_text(&mut vote, &a.to_string());
        press(&mut vote, KeyCode::Tab);
        type_text(&mut vote, "Forum, new laptop");
        press(&mut vote, KeyCode::Tab);
        type_text(&mut vote, "taken in a raid");
        press(&mut vote, KeyCode::Tab);
        type_text(&mut vote, "2026-11-20");
        match press(&mut vote, KeyCode::Enter) {
            FormOutcome::Ask(Request::ReplaceFounder {
                successor,
                name,
                since,
                ..
            }) => {
                assert_eq!(successor, a);
                assert_eq!(name, "Forum, new laptop");
                assert_eq!(since, Some(1_795_132_800_000));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn from_when_is_a_day_or_days_ago() {
        let now = 1_800_000_000_000;
        assert_eq!(since_of(" ", now), Ok(None));
        assert_eq!(since_of("3d", now), Ok(Some(now - 3 * DAY_MS)));
        assert_eq!(since_of("2026-11-20", now), Ok(Some(1_795_132_800_000)));
        assert!(since_of("soon", now).is_err());
    }

    #[test]
    fn a_removal_shows_what_it_undoes_by_when_this_laptop_stored_each_message() {
        crate::catalogue::speak(crate::catalogue::Language::English);
        let now = 1_800_000_000_000;
        let by = Keypair::from_secret_bytes(&[7; 32]).author();
        // seq 1 came 5 days ago, seq 2 three days ago; seq 3 and 4 came an hour ago, though
        // seq 4 says it was written 6 days ago (a thief backdates).
        let post = |seq: u64, title: &str, written: u64, arrived: u64| Item {
            id: sangam_protocol::MessageId([seq as u8; 32]),
            author: by,
            author_name: None,
            seq,
            kind: sangam_protocol::Kind::Announcement,
            timestamp: now - written,
            arrived_at: Some(now - arrived),
            body: Some(sangam_protocol::Body::Announcement(
                sangam_protocol::kinds::Announcement {
                    title: title.into(),
                    body: String::new(),
                    tags: vec![],
                    expires_at: None,
                },
            )),
            closed: false,
            offers: 0,
            withdrawn: false,
            expires_at: None,
            endorsements: 0,
            sealed: None,
        };
        let hour = 3_600_000;
        let items = vec![
            post(4, "Send money here", 6 * DAY_MS, hour),
            post(2, "Meeting", 3 * DAY_MS, 3 * DAY_MS),
            post(3, "New rules", hour, hour),
            post(1, "Hello", 5 * DAY_MS, 5 * DAY_MS),
        ];
        assert_eq!(
            removal_preview(&items, "1d", now),
            vec![
                "Keeps counting: everything up to “Meeting” (arrived 3 days ago).".to_string(),
                "Stops counting: 2 messages, from “New rules” (arrived 1 h ago) on.".to_string(),
            ]
        );
        assert_eq!(
            removal_preview(&items, "4d", now)[1],
            "Stops counting: 3 messages, from “Meeting” (arrived 3 days ago) on."
        );
        assert_eq!(
            removal_preview(&items, "", now),
            vec![
                "Keeps counting: everything up to “Send money here” (arrived 1 h ago).".to_string(),
                t!("preview-nothing-lost"),
            ]
        );
        assert_eq!(
            removal_preview(&items, "9d", now)[0],
            t!("preview-nothing-kept")
        );
        assert_eq!(
            removal_preview(&[], "1d", now),
            vec![t!("preview-nothing-held")]
        );
        // What cannot be read as a moment shows nothing (the field says what to write).
        assert!(removal_preview(&items, "soon", now).is_empty());
    }
}
