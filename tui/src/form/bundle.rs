//! The bundle forms (Network tab): a file to write the messages another node lacks into —
//! sealed for the collectives named, or plain after a warning — or a bundle file to read in.
//! They ask the node to do it rather than posting anything.

use sangam_protocol::AuthorId;
use sangam_protocol::api::Request;
use sangam_protocol::audit::Day;

use super::{Field, FormKind, field};
use crate::t;

/// The file to write or read.
pub(super) const FILE: usize = 0;
/// Whom an exported bundle is for.
pub(super) const FOR: usize = 1;
/// The day an exported bundle starts from.
pub(super) const SINCE: usize = 2;

/// The fields of a bundle form.
pub(super) fn fields(kind: FormKind) -> Vec<Field> {
    match kind {
        FormKind::BundleExport => vec![
            field(t!("field-file"), "file", true, t!("hint-file-write")),
            field(t!("field-for"), "for", false, t!("hint-for")),
            field(t!("field-since"), "since", false, t!("hint-since")),
        ],
        _ => vec![field(t!("field-file"), "file", true, t!("hint-file-read"))],
    }
}

/// The request the typed values make (`members` to find the named collectives in), or what is
/// wrong with them.
pub(super) fn request(
    kind: FormKind,
    value: impl Fn(usize) -> String,
    members: &[(AuthorId, String)],
) -> Result<Request, String> {
    let file = value(FILE);
    if file.is_empty() {
        return Err(t!("problem-needed", field = t!("field-file")));
    }
    // The node reads and writes the file itself: it needs the whole path.
    let path = std::path::absolute(&file)
        .map_err(|_| t!("problem-whole-path"))?
        .display()
        .to_string();
    if kind != FormKind::BundleExport {
        return Ok(Request::ImportBundle { path });
    }
    let since = match value(SINCE).as_str() {
        "" => None,
        day => Some(
            Day::parse(day)
                .map_err(|_| t!("problem-date", field = t!("field-since")))?
                .unix_ms(),
        ),
    };
    let for_members = named(&value(FOR), members)?;
    Ok(if for_members.is_empty() {
        Request::ExportBundle {
            path,
            since,
            for_members,
        }
    } else {
        Request::ExportSealedBundle {
            path,
            since,
            for_members,
        }
    })
}

/// The members a comma-separated list of names (any case) names.
fn named(list: &str, members: &[(AuthorId, String)]) -> Result<Vec<AuthorId>, String> {
    super::split_list(list)
        .iter()
        .map(|wanted| {
            members
                .iter()
                .find(|(_, name)| name.to_lowercase() == wanted.to_lowercase())
                .map(|(id, _)| *id)
                .ok_or_else(|| t!("problem-no-such-collective", name = wanted.as_str()))
        })
        .collect()
}

/// What to say before a plain bundle is written.
pub(super) fn plain_warning() -> String {
    t!("warning-plain-bundle")
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::KeyCode;
    use sangam_protocol::Keypair;

    use super::*;
    use crate::form::tests::press;
    use crate::form::{Form, FormOutcome};

    #[test]
    fn a_bundle_for_named_collectives_is_sealed_and_a_plain_one_asks_first() {
        let utthan = Keypair::from_secret_bytes(&[2; 32]).author();
        let members = vec![(utthan, "Utthan".to_string())];
        let mut form = Form::bundle_export(members.clone());
        form.set(FILE, "/media/usb/for-utthan.bundle");
        form.set(FOR, "utthan");
        form.focus = SINCE;
        match press(&mut form, KeyCode::Enter) {
            FormOutcome::Ask(Request::ExportSealedBundle { for_members, .. }) => {
                assert_eq!(for_members, vec![utthan])
            }
            other => panic!("{other:?}"),
        }
        form.set(FOR, "Nobody");
        assert_eq!(press(&mut form, KeyCode::Enter), FormOutcome::Editing);
        assert_eq!(
            form.problem.as_deref(),
            Some("For: no collective is called Nobody.")
        );
        form.set(FOR, "");
        assert_eq!(press(&mut form, KeyCode::Enter), FormOutcome::Editing);
        assert_eq!(form.problem, Some(plain_warning()));
        assert!(matches!(
            press(&mut form, KeyCode::Enter),
            FormOutcome::Ask(Request::ExportBundle { .. })
        ));
    }
}
