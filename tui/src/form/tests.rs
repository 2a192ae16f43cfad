//! The forms typed key by key: what they send and what they say is wrong.

use sangam_protocol::kinds::Urgency;

use super::*;

/// Presses one key in `form`.
pub(crate) fn press(form: &mut Form, code: KeyCode) -> FormOutcome {
    form.on_key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Types `text` into the focused field.
pub(crate) fn type_text(form: &mut Form, text: &str) {
    for c in text.chars() {
        press(form, KeyCode::Char(c));
    }
}

#[test]
fn an_announcement_is_typed_and_sent() {
    let mut form = Form::new(FormKind::Announcement);
    type_text(&mut form, "कार्यशाला शनिवार");
    press(&mut form, KeyCode::Tab);
    type_text(&mut form, "10 बजे");
    press(&mut form, KeyCode::Tab);
    type_text(&mut form, "workshop, legal");
    match press(&mut form, KeyCode::Enter) {
        FormOutcome::Submit(Body::Announcement(a)) => {
            assert_eq!(a.title, "कार्यशाला शनिवार");
            assert_eq!(a.tags, vec!["workshop", "legal"]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn missing_and_overlong_fields_are_explained_before_sending() {
    let mut form = Form::new(FormKind::Announcement);
    assert_eq!(press(&mut form, KeyCode::Char('s')), FormOutcome::Editing);
    form.set(0, "");
    form.focus = 2;
    assert_eq!(press(&mut form, KeyCode::Enter), FormOutcome::Editing);
    assert_eq!(form.problem.as_deref(), Some("Title is needed."));
    form.set(0, &"ক".repeat(200));
    assert_eq!(
        form.problem.as_deref(),
        Some("Title is too long: 200 characters, at most 160.")
    );
    assert_eq!(press(&mut form, KeyCode::Esc), FormOutcome::Cancelled);
}

fn filled_audit(note: &str) -> Form {
    let mut form = Form::audit("2026-11-20");
    for (index, text) in [
        (0, "police"),
        (1, "Canning PS"),
        (2, "South 24 Parganas"),
        (3, "West Bengal"),
        (5, "FIR"),
        (6, "2"),
        (7, "1"),
        (10, "refused"),
        (11, note),
    ] {
        form.set(index, text);
    }
    form.focus = form.fields.len() - 1;
    form
}

#[test]
fn an_audit_is_typed_in_plain_words() {
    let mut form = filled_audit("Made to wait four hours.");
    assert_eq!(form.problem, None);
    match press(&mut form, KeyCode::Enter) {
        FormOutcome::Submit(Body::Audit(audit)) => {
            assert_eq!(
                audit.office_type,
                sangam_protocol::audit::OfficeType::PoliceStation
            );
            assert_eq!(audit.date, "2026-11-20");
            assert_eq!(audit.ratings.dignity, 1);
            assert_eq!(audit.ratings.timeliness, 0, "left empty: not applicable");
        }
        other => panic!("{other:?}"),
    }
    form.set(4, "2026-02-30");
    assert_eq!(
        form.problem.as_deref(),
        Some("Date: write the day like 2026-11-20.")
    );
}

#[test]
fn a_note_about_a_person_is_questioned_once_before_sending() {
    let mut form = filled_audit("Call SI at 98300 12345");
    let warning = form.problem.clone().unwrap();
    assert!(warning.contains("a phone number"), "{warning}");
    assert!(warning.contains("about offices, not people"), "{warning}");
    assert_eq!(press(&mut form, KeyCode::Enter), FormOutcome::Editing);
    assert!(matches!(
        press(&mut form, KeyCode::Enter),
        FormOutcome::Submit(Body::Audit(_))
    ));
}

#[test]
fn a_request_needs_a_known_urgency() {
    let mut form = Form::new(FormKind::Request);
    form.set(0, "legal aid");
    form.set(1, "Lawyer needed");
    form.set(5, "someday");
    assert_eq!(
        form.body(),
        Err("Urgency must be low, normal or high.".into())
    );
    form.set(5, "HIGH");
    match form.body() {
        Ok(Body::MentoringRequest(r)) => {
            assert_eq!(r.topic, "legal_aid");
            assert_eq!(r.urgency, Urgency::High);
        }
        other => panic!("{other:?}"),
    }
}
