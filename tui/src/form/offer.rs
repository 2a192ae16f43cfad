//! The offer form: what a collective offers, and whether only the collective that asked can
//! read it. Offers often hold a phone number or an address, so sealing is the default, and an
//! unsealed offer that looks like it holds such details is sent only after a second Enter.

use sangam_protocol::audit::personal_details;

use super::{Field, field};
use crate::t;

/// The offer's words.
pub(super) const WORDS: usize = 0;
/// Whether it is sealed for the requester.
pub(super) const SEALED: usize = 1;

/// The offer form's fields; "only they can read it" starts at yes.
pub(super) fn fields() -> Vec<Field> {
    let mut sealed = field(
        t!("field-only-for-them"),
        "sealed",
        false,
        t!("hint-only-for-them"),
    );
    sealed.input = tui_input::Input::new(t!("answer-yes"));
    vec![
        field(t!("field-your-offer"), "offer", true, t!("hint-your-offer")),
        sealed,
    ]
}

/// Whether the answer means sealed, or what to type instead.
pub(super) fn sealed(answer: &str) -> Result<bool, String> {
    match answer.trim().to_lowercase().as_str() {
        "" | "y" | "yes" | "हाँ" | "हां" | "হ্যাঁ" | "হাঁ" => Ok(true),
        "n" | "no" | "नहीं" | "ना" | "না" => Ok(false),
        _ => Err(t!("problem-yes-or-no", field = t!("field-only-for-them"))),
    }
}

/// What to say before an unsealed offer that seems to hold contact details goes to everyone.
pub(super) fn warning(words: &str) -> Option<String> {
    personal_details(words).map(|what| {
        t!(
            "warning-open-offer",
            what = super::audit::details_in_words(what),
            field = t!("field-only-for-them")
        )
    })
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::KeyCode;
    use sangam_protocol::api::Request;
    use sangam_protocol::{Body, Keypair, MessageId};

    use super::*;
    use crate::form::tests::{press, type_text};
    use crate::form::{Form, FormOutcome};

    fn offer_form() -> (Form, sangam_protocol::AuthorId) {
        let asker = Keypair::from_secret_bytes(&[2; 32]).author();
        (Form::offer(MessageId([1; 32]), "Help".into(), asker), asker)
    }

    #[test]
    fn an_offer_is_sealed_for_the_asker_unless_told_otherwise() {
        let (mut form, asker) = offer_form();
        type_text(&mut form, "Call 98300 12345");
        press(&mut form, KeyCode::Tab);
        match press(&mut form, KeyCode::Enter) {
            FormOutcome::Ask(Request::Seal { body, to }) => {
                assert_eq!(to, vec![asker]);
                assert!(matches!(body, Body::Offer(o) if o.body == "Call 98300 12345"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_open_offer_with_a_phone_number_asks_before_it_goes_to_everyone() {
        let (mut form, _) = offer_form();
        type_text(&mut form, "Call 98300 12345");
        press(&mut form, KeyCode::Tab);
        form.set(SEALED, "no");
        let first = press(&mut form, KeyCode::Enter);
        assert_eq!(first, FormOutcome::Editing);
        assert!(
            form.problem
                .as_deref()
                .unwrap_or("")
                .contains("a phone number")
        );
        assert!(matches!(
            press(&mut form, KeyCode::Enter),
            FormOutcome::Submit(Body::Offer(_))
        ));
        // Without such details an open offer goes at once.
        let (mut form, _) = offer_form();
        type_text(&mut form, "We can come on Saturday");
        press(&mut form, KeyCode::Tab);
        form.set(SEALED, "no");
        assert!(matches!(
            press(&mut form, KeyCode::Enter),
            FormOutcome::Submit(_)
        ));
    }

    #[test]
    fn yes_and_no_in_three_languages() {
        assert_eq!(sealed(""), Ok(true));
        assert_eq!(sealed("Yes"), Ok(true));
        assert_eq!(sealed("हाँ"), Ok(true));
        assert_eq!(sealed("no"), Ok(false));
        assert_eq!(sealed("না"), Ok(false));
        assert!(sealed("maybe").is_err());
    }

    #[test]
    fn a_phone_number_in_an_open_offer_is_warned_about() {
        assert!(warning("Call 98300 12345").is_some());
        assert!(warning("We can come on Saturday").is_none());
    }
}
