//! The audit form's fields and how they become an audit: office types and outcomes typed in
//! plain words, ratings as numbers or left empty, and the warning before a note that seems to
//! be about a person.

use sangam_protocol::audit::{Audit, OfficeType, Outcome, Ratings, personal_details};

use super::{Field, field};
use crate::t;

/// The audit form's fields, in order.
pub(super) fn fields() -> Vec<Field> {
    let rating = |label, name| field(label, name, false, t!("hint-rating"));
    let offices: Vec<String> = OfficeType::ALL
        .iter()
        .enumerate()
        .map(|(i, office)| format!("{} {}", i + 1, crate::labels::office_label(*office)))
        .collect();
    let outcomes: Vec<String> = Outcome::ALL
        .iter()
        .enumerate()
        .map(|(i, outcome)| format!("{} {}", i + 1, crate::labels::outcome_label(*outcome)))
        .collect();
    vec![
        field(
            t!("field-office-type"),
            "office type",
            true,
            offices.join(" · "),
        ),
        field(
            t!("field-office-name"),
            "office name",
            true,
            t!("hint-office-name"),
        ),
        field(t!("field-district"), "district", true, String::new()),
        field(t!("field-state"), "state", true, String::new()),
        field(t!("field-date"), "date", true, t!("hint-date")),
        field(t!("field-sought"), "sought", true, t!("hint-sought")),
        rating(t!("field-responsiveness"), "responsiveness"),
        rating(t!("field-dignity"), "dignity"),
        rating(t!("field-timeliness"), "timeliness"),
        rating(t!("field-outcome-rating"), "outcome rating"),
        field(t!("field-result"), "result", true, outcomes.join(" · ")),
        field(t!("field-note"), "note", false, t!("hint-note")),
    ]
}

/// The index of the note field.
pub(super) const NOTE: usize = 11;

/// The office type typed in words or as its number in the hint's list.
fn office_type(text: &str) -> Option<OfficeType> {
    let lower = text.trim().to_lowercase();
    if let Ok(number) = lower.parse::<usize>() {
        return number
            .checked_sub(1)
            .and_then(|i| OfficeType::ALL.get(i).copied());
    }
    let first = lower.split_whitespace().next().unwrap_or("");
    OfficeType::from_name(&lower.replace(' ', "_")).or(match first {
        "ahtu" | "anti" => Some(OfficeType::Ahtu),
        "police" | "ps" | "thana" => Some(OfficeType::PoliceStation),
        "shelter" => Some(OfficeType::ShelterHome),
        "cwc" | "child" => Some(OfficeType::ChildWelfareCommittee),
        "dlsa" | "legal" => Some(OfficeType::Dlsa),
        "labour" | "labor" => Some(OfficeType::LabourDepartment),
        "health" | "hospital" => Some(OfficeType::Health),
        "scheme" => Some(OfficeType::SchemeOffice),
        "court" => Some(OfficeType::Court),
        "other" => Some(OfficeType::Other),
        _ => None,
    })
}

fn rating(label: &str, text: &str) -> Result<u8, String> {
    match text.trim() {
        "" | "-" | "na" => Ok(0),
        number => number
            .parse::<u8>()
            .ok()
            .filter(|n| (1..=5).contains(n))
            .ok_or_else(|| t!("problem-rating", field = label)),
    }
}

/// The audit the typed values (`value(i)` is field i) make, or what is wrong with them.
pub(super) fn body(value: impl Fn(usize) -> String) -> Result<Audit, String> {
    let office_type = office_type(&value(0)).ok_or_else(|| t!("problem-office-type"))?;
    let outcome = match value(10).to_lowercase().as_str() {
        "" => return Err(t!("problem-needed", field = t!("field-result"))),
        word => outcome_of(word).ok_or_else(|| t!("problem-result"))?,
    };
    Ok(Audit {
        office_type,
        office_name: value(1),
        district: value(2),
        state: value(3),
        date: value(4),
        sought: value(5),
        ratings: Ratings {
            responsiveness: rating(&t!("field-responsiveness"), &value(6))?,
            dignity: rating(&t!("field-dignity"), &value(7))?,
            timeliness: rating(&t!("field-timeliness"), &value(8))?,
            outcome: rating(&t!("field-outcome-rating"), &value(9))?,
        },
        outcome,
        note: value(NOTE),
    })
}

/// The warning for a note that seems to be about a person, if it does.
pub(super) fn warning(note: &str) -> Option<String> {
    personal_details(note).map(|what| t!("warning-note", what = details_in_words(what)))
}

/// What `personal_details` found, in the language spoken.
pub(super) fn details_in_words(what: &str) -> String {
    match what {
        "an Aadhaar number" => t!("details-aadhaar"),
        "a phone number" => t!("details-phone"),
        _ => t!("details-personal"),
    }
}

/// The outcome typed as its number in the hint's list, its name, or its words on screen.
fn outcome_of(typed: &str) -> Option<Outcome> {
    if let Ok(number) = typed.trim().parse::<usize>() {
        return number
            .checked_sub(1)
            .and_then(|i| Outcome::ALL.get(i).copied());
    }
    Outcome::from_name(typed).or_else(|| {
        Outcome::ALL
            .into_iter()
            .find(|o| crate::labels::outcome_label(*o).to_lowercase() == typed)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_types_in_plain_words_or_numbers() {
        assert_eq!(office_type("AHTU"), Some(OfficeType::Ahtu));
        assert_eq!(
            office_type("Police station"),
            Some(OfficeType::PoliceStation)
        );
        assert_eq!(office_type("2"), Some(OfficeType::PoliceStation));
        assert_eq!(office_type("cwc"), Some(OfficeType::ChildWelfareCommittee));
        assert_eq!(office_type("10"), Some(OfficeType::Other));
        assert_eq!(office_type("11"), None);
        assert_eq!(office_type("bank"), None);
    }

    #[test]
    fn ratings_are_one_to_five_or_empty() {
        assert_eq!(rating("Dignity", " 4 "), Ok(4));
        assert_eq!(rating("Dignity", ""), Ok(0));
        assert_eq!(
            rating("Dignity", "7"),
            Err("Dignity: type 1 to 5, or leave it empty.".into())
        );
        assert_eq!(outcome_of("3"), Some(Outcome::Refused));
        assert_eq!(outcome_of("partly granted"), Some(Outcome::Partly));
    }
}
