//! The audit form's fields and how they become an audit: office types and outcomes typed in
//! plain words, ratings as numbers or left empty, and the warning before a note that seems to
//! be about a person.

use sangam_protocol::audit::{Audit, OfficeType, Outcome, Ratings, personal_details};

use super::{Field, field};

/// The audit form's fields, in order.
pub(super) fn fields() -> Vec<Field> {
    let rating = |label, name| {
        field(
            label,
            name,
            false,
            "1 (worst) to 5 (best); empty if it does not apply",
        )
    };
    vec![
        field(
            "Office type",
            "office type",
            true,
            "AHTU, police, shelter, CWC, DLSA, labour, health, scheme, court, other",
        ),
        field(
            "Office name",
            "office name",
            true,
            "e.g. AHTU South 24 Parganas",
        ),
        field("District", "district", true, ""),
        field("State", "state", true, ""),
        field("Date", "date", true, "the day you went, like 2026-11-20"),
        field(
            "Sought",
            "sought",
            true,
            "e.g. FIR, compensation application, release order",
        ),
        rating("Responsiveness", "responsiveness"),
        rating("Dignity", "dignity"),
        rating("Timeliness", "timeliness"),
        rating("Outcome rating", "outcome rating"),
        field(
            "Result",
            "result",
            true,
            "granted, partly, refused or pending",
        ),
        field(
            "Note",
            "note",
            false,
            "about the office only: no names, phone numbers or addresses",
        ),
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
            .ok_or_else(|| format!("{label}: type 1 to 5, or leave it empty.")),
    }
}

/// The audit the typed values (`value(i)` is field i) make, or what is wrong with them.
pub(super) fn body(value: impl Fn(usize) -> String) -> Result<Audit, String> {
    let office_type = office_type(&value(0)).ok_or(
        "Office type: type one of AHTU, police, shelter, CWC, DLSA, labour, health, scheme, \
         court or other.",
    )?;
    let outcome = match value(10).to_lowercase().as_str() {
        "" => return Err("Result is needed.".into()),
        word => {
            Outcome::from_name(word).ok_or("Result: type granted, partly, refused or pending.")?
        }
    };
    Ok(Audit {
        office_type,
        office_name: value(1),
        district: value(2),
        state: value(3),
        date: value(4),
        sought: value(5),
        ratings: Ratings {
            responsiveness: rating("Responsiveness", &value(6))?,
            dignity: rating("Dignity", &value(7))?,
            timeliness: rating("Timeliness", &value(8))?,
            outcome: rating("Outcome rating", &value(9))?,
        },
        outcome,
        note: value(NOTE),
    })
}

/// The warning for a note that seems to be about a person, if it does.
pub(super) fn warning(note: &str) -> Option<String> {
    personal_details(note).map(|what| {
        format!(
            "The note seems to hold {what}. Score cards are about offices, not people: take it \
             out, or press Enter again to send it as it is."
        )
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
    }
}
