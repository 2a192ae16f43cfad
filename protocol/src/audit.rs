//! Survivors' audits of duty bearers (kind 12) and endorsements of them (kind 13): one
//! collective's record of one interaction with a public office — an Anti Human Trafficking Unit,
//! a police station, a shelter home — rated on fixed criteria, and another collective's word
//! that it witnessed the same interaction. Score cards (`crate::scorecard`) are computed from
//! them. Score cards are about offices, not people: the fields name an office, never a person.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::fields::{line, text};
use crate::ids::MessageId;
use crate::limits::{MAX_NAME, MAX_NOTE, MAX_PLACE, MAX_TITLE};

/// The kind of public office an audit is about (a fixed list, numbered on the wire).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfficeType {
    /// Anti Human Trafficking Unit (wire value 0).
    Ahtu,
    /// Police station (1).
    PoliceStation,
    /// Shelter home (2).
    ShelterHome,
    /// Child Welfare Committee (3).
    ChildWelfareCommittee,
    /// District Legal Services Authority: victim compensation, legal aid (4).
    Dlsa,
    /// Labour department (5).
    LabourDepartment,
    /// Health services (6).
    Health,
    /// An office enrolling people in government schemes (7).
    SchemeOffice,
    /// A court (8).
    Court,
    /// Any other public office (9).
    Other,
}

impl OfficeType {
    /// Every office type, in wire order.
    pub const ALL: [OfficeType; 10] = [
        OfficeType::Ahtu,
        OfficeType::PoliceStation,
        OfficeType::ShelterHome,
        OfficeType::ChildWelfareCommittee,
        OfficeType::Dlsa,
        OfficeType::LabourDepartment,
        OfficeType::Health,
        OfficeType::SchemeOffice,
        OfficeType::Court,
        OfficeType::Other,
    ];

    /// The snake_case name used in JSON and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            OfficeType::Ahtu => "ahtu",
            OfficeType::PoliceStation => "police_station",
            OfficeType::ShelterHome => "shelter_home",
            OfficeType::ChildWelfareCommittee => "child_welfare_committee",
            OfficeType::Dlsa => "dlsa",
            OfficeType::LabourDepartment => "labour_department",
            OfficeType::Health => "health",
            OfficeType::SchemeOffice => "scheme_office",
            OfficeType::Court => "court",
            OfficeType::Other => "other",
        }
    }

    /// The office type named by `name` (as printed by [`OfficeType::name`]).
    pub fn from_name(name: &str) -> Option<OfficeType> {
        OfficeType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The name people use for it.
    pub fn label(self) -> &'static str {
        match self {
            OfficeType::Ahtu => "Anti Human Trafficking Unit",
            OfficeType::PoliceStation => "Police station",
            OfficeType::ShelterHome => "Shelter home",
            OfficeType::ChildWelfareCommittee => "Child Welfare Committee",
            OfficeType::Dlsa => "Legal Services Authority (DLSA)",
            OfficeType::LabourDepartment => "Labour department",
            OfficeType::Health => "Health services",
            OfficeType::SchemeOffice => "Scheme office",
            OfficeType::Court => "Court",
            OfficeType::Other => "Other office",
        }
    }
}

impl fmt::Display for OfficeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How the interaction ended.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// What was sought was given (wire value 0).
    Granted,
    /// Part of it was given (1).
    Partly,
    /// It was refused (2).
    Refused,
    /// Still waiting for an answer (3).
    Pending,
}

impl Outcome {
    /// Every outcome, in wire order.
    pub const ALL: [Outcome; 4] = [
        Outcome::Granted,
        Outcome::Partly,
        Outcome::Refused,
        Outcome::Pending,
    ];

    /// The snake_case name used in JSON and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Granted => "granted",
            Outcome::Partly => "partly",
            Outcome::Refused => "refused",
            Outcome::Pending => "pending",
        }
    }

    /// The outcome named by `name`.
    pub fn from_name(name: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.name() == name)
    }
}

/// The fixed criteria an office is rated on.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// Did the office act when asked.
    Responsiveness,
    /// Were survivors treated with respect and dignity.
    Dignity,
    /// Did it act in time.
    Timeliness,
    /// Did it give what the law entitles survivors to.
    Outcome,
}

impl Criterion {
    /// Every criterion, in the order ratings are written.
    pub const ALL: [Criterion; 4] = [
        Criterion::Responsiveness,
        Criterion::Dignity,
        Criterion::Timeliness,
        Criterion::Outcome,
    ];

    /// The snake_case name used in JSON and CSV.
    pub fn name(self) -> &'static str {
        match self {
            Criterion::Responsiveness => "responsiveness",
            Criterion::Dignity => "dignity",
            Criterion::Timeliness => "timeliness",
            Criterion::Outcome => "outcome",
        }
    }

    /// The name people use for it.
    pub fn label(self) -> &'static str {
        match self {
            Criterion::Responsiveness => "Responsiveness",
            Criterion::Dignity => "Respect and dignity",
            Criterion::Timeliness => "Timeliness",
            Criterion::Outcome => "Outcome",
        }
    }
}

/// Ratings 1 (worst) to 5 (best) on each criterion; 0 means "not applicable".
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
pub struct Ratings {
    /// Did the office act when asked.
    pub responsiveness: u8,
    /// Were survivors treated with respect and dignity.
    pub dignity: u8,
    /// Did it act in time.
    pub timeliness: u8,
    /// Did it give what survivors are entitled to.
    pub outcome: u8,
}

/// The highest rating.
pub const MAX_RATING: u8 = 5;

impl Ratings {
    /// The rating on one criterion (0: not applicable).
    pub fn of(&self, criterion: Criterion) -> u8 {
        match criterion {
            Criterion::Responsiveness => self.responsiveness,
            Criterion::Dignity => self.dignity,
            Criterion::Timeliness => self.timeliness,
            Criterion::Outcome => self.outcome,
        }
    }
}

/// Things collectives commonly seek from an office (the `sought` field may hold others).
pub const SOUGHT: [&str; 8] = [
    "FIR",
    "compensation application",
    "release order",
    "scheme enrolment",
    "rescue",
    "medical examination",
    "legal aid",
    "wage recovery",
];

/// One collective's record of one interaction with a public office.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Audit {
    /// What kind of office.
    pub office_type: OfficeType,
    /// The office's name, e.g. "AHTU South 24 Parganas".
    pub office_name: String,
    /// District.
    pub district: String,
    /// State.
    pub state: String,
    /// The day of the interaction, `YYYY-MM-DD`.
    pub date: String,
    /// What was sought, e.g. "FIR" (see [`SOUGHT`]).
    pub sought: String,
    /// The ratings.
    pub ratings: Ratings,
    /// How it ended.
    pub outcome: Outcome,
    /// A short note (about the office, not about people).
    pub note: String,
}

/// Another collective's word that it witnessed the interaction an audit records.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Endorsement {
    /// The audit endorsed.
    pub audit: MessageId,
    /// A short note (may be empty).
    pub note: String,
}

impl Audit {
    /// Checks every field: the text bounds, a real calendar date, ratings 0–5.
    pub fn check_fields(&self) -> Result<(), Error> {
        line("office name", &self.office_name, MAX_NAME, true)?;
        line("district", &self.district, MAX_PLACE, true)?;
        line("state", &self.state, MAX_PLACE, true)?;
        line("sought", &self.sought, MAX_TITLE, true)?;
        text("note", &self.note, MAX_NOTE, false)?;
        Day::parse(&self.date)?;
        for criterion in Criterion::ALL {
            if self.ratings.of(criterion) > MAX_RATING {
                return Err(Error::InvalidField {
                    field: "ratings",
                    detail: "a rating is 1 to 5, or 0 for not applicable",
                });
            }
        }
        Ok(())
    }

    /// The quarter of the interaction, e.g. `2026-Q3` (the date was checked on receipt).
    pub fn quarter(&self) -> String {
        match Day::parse(&self.date) {
            Ok(day) => day.quarter(),
            Err(_) => "unknown".into(),
        }
    }
}

impl Endorsement {
    /// Checks the note's bound.
    pub fn check_fields(&self) -> Result<(), Error> {
        text("note", &self.note, MAX_NOTE, false)
    }
}

/// A calendar day, as written in an audit (`YYYY-MM-DD`, years 2000–2100).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct Day {
    /// Year.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, 1–31.
    pub day: u8,
}

impl Day {
    /// Reads `YYYY-MM-DD`, insisting on a day that exists.
    pub fn parse(text: &str) -> Result<Day, Error> {
        let bad = Error::InvalidField {
            field: "date",
            detail: "a date is written as YYYY-MM-DD, a real day between 2000 and 2100",
        };
        let parts: Vec<&str> = text.split('-').collect();
        let [year, month, day] = parts.as_slice() else {
            return Err(bad);
        };
        if year.len() != 4 || month.len() != 2 || day.len() != 2 {
            return Err(bad);
        }
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !(digits(year) && digits(month) && digits(day)) {
            return Err(bad);
        }
        let (year, month, day): (u16, u8, u8) = match (year.parse(), month.parse(), day.parse()) {
            (Ok(y), Ok(m), Ok(d)) => (y, m, d),
            _ => return Err(bad),
        };
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(bad),
        };
        if !(2000..=2100).contains(&year) || day == 0 || day > days_in_month {
            return Err(bad);
        }
        Ok(Day { year, month, day })
    }

    /// The day (UTC) of a time in ms since the Unix epoch (years outside 2000–2100 included).
    pub fn of_unix_ms(ms: u64) -> Day {
        // Howard Hinnant's civil-from-days, for days since 1970-01-01.
        let z = (ms / 86_400_000) as i64 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Day { year, month, day }
    }

    /// Midnight (UTC) at the start of the day, in ms since the Unix epoch.
    pub fn unix_ms(self) -> u64 {
        // Howard Hinnant's days-from-civil.
        let (month, day) = (i64::from(self.month), i64::from(self.day));
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let yoe = year - era * 400;
        let doy = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        u64::try_from(days).unwrap_or(0) * 86_400_000
    }

    /// The quarter it falls in, e.g. `2026-Q3`.
    pub fn quarter(self) -> String {
        format!("{}-Q{}", self.year, (self.month - 1) / 3 + 1)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Words that usually introduce a person's name (titles and "named", in English, Hindi and
/// Bengali).
const NAME_MARKERS: [&str; 16] = [
    "mr",
    "mrs",
    "ms",
    "shri",
    "smt",
    "sri",
    "kumari",
    "named",
    "श्री",
    "श्रीमती",
    "कुमारी",
    "नाम",
    "শ্রী",
    "শ্রীমতী",
    "কুমারী",
    "নাম",
];

/// Words that usually start an address.
const ADDRESS_MARKERS: [&str; 14] = [
    "house",
    "h.no",
    "village",
    "vill",
    "gali",
    "lane",
    "mohalla",
    "address",
    "गांव",
    "गाँव",
    "मकान",
    "पता",
    "গ্রাম",
    "ঠিকানা",
];

/// What a note seems to hold that a score card must not: a phone number, an Aadhaar number,
/// a person's name, an address. A hint for the person writing (the protocol does not refuse
/// such notes: it cannot tell for sure), so it errs towards asking.
pub fn personal_details(note: &str) -> Option<&'static str> {
    // Runs of digits (any script), in groups separated by the spaces, dashes and plus signs
    // numbers are written with.
    let mut runs: Vec<Vec<usize>> = Vec::new();
    let mut groups: Vec<usize> = Vec::new();
    let mut in_group = false;
    for c in note.chars().chain(std::iter::once('\n')) {
        if c.is_numeric() {
            match groups.last_mut() {
                Some(size) if in_group => *size += 1,
                _ => groups.push(1),
            }
            in_group = true;
        } else if !groups.is_empty() && matches!(c, ' ' | '-' | '+') {
            in_group = false;
        } else {
            if !groups.is_empty() {
                runs.push(std::mem::take(&mut groups));
            }
            in_group = false;
        }
    }
    let total = |run: &Vec<usize>| run.iter().sum::<usize>();
    // Aadhaar: twelve digits, written whole or as three groups of four.
    if runs.iter().any(|run| run == &[12] || run == &[4, 4, 4]) {
        return Some("an Aadhaar number");
    }
    if runs.iter().any(|run| total(run) >= 10) {
        return Some("a phone number");
    }
    let lower = note.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ':' | ';' | '(' | ')'))
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty())
        .collect();
    if words.iter().any(|w| NAME_MARKERS.contains(w)) {
        return Some("a person's name");
    }
    // A six-digit PIN code, or a word that starts an address.
    let pin_code = |run: &Vec<usize>| run == &[6] || run == &[3, 3];
    if runs.iter().any(pin_code) || words.iter().any(|w| ADDRESS_MARKERS.contains(w)) {
        return Some("an address");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn audit() -> Audit {
        Audit {
            office_type: OfficeType::Ahtu,
            office_name: "AHTU South 24 Parganas".into(),
            district: "South 24 Parganas".into(),
            state: "West Bengal".into(),
            date: "2026-08-14".into(),
            sought: "FIR".into(),
            ratings: Ratings {
                responsiveness: 2,
                dignity: 3,
                timeliness: 1,
                outcome: 0,
            },
            outcome: Outcome::Pending,
            note: "FIR registered only after three visits.".into(),
        }
    }

    #[test]
    fn a_plain_audit_passes_its_checks() {
        assert_eq!(audit().check_fields(), Ok(()));
        assert_eq!(audit().quarter(), "2026-Q3");
    }

    #[test]
    fn dates_must_be_real_days() {
        for good in ["2026-02-28", "2024-02-29", "2000-01-01", "2100-12-31"] {
            assert!(Day::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "26-04-01",
            "2026-4-1",
            "1999-12-31",
            "2101-01-01",
            "2026-04-01x",
            "२०२६-०४-०१",
            "",
        ] {
            let mut wrong = audit();
            wrong.date = bad.into();
            assert!(
                matches!(
                    wrong.check_fields(),
                    Err(Error::InvalidField { field: "date", .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn ratings_above_five_are_refused() {
        let mut wrong = audit();
        wrong.ratings.dignity = 6;
        assert!(matches!(
            wrong.check_fields(),
            Err(Error::InvalidField {
                field: "ratings",
                ..
            })
        ));
    }

    #[test]
    fn an_office_needs_a_name_and_a_place() {
        let mut wrong = audit();
        wrong.district = " ".into();
        assert_eq!(
            wrong.check_fields(),
            Err(Error::FieldEmpty { field: "district" })
        );
        let mut wrong = audit();
        wrong.office_name = "\u{202E}UTHA".into();
        assert_eq!(
            wrong.check_fields(),
            Err(Error::InvisibleCharacters {
                field: "office name"
            })
        );
    }

    #[test]
    fn names_round_trip() {
        for t in OfficeType::ALL {
            assert_eq!(OfficeType::from_name(t.name()), Some(t));
        }
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_name(o.name()), Some(o));
        }
    }

    #[test]
    fn notes_that_seem_to_name_people_are_caught() {
        for (note, what) in [
            ("Call 98300 12345 for details", "a phone number"),
            ("+91-98300-12345", "a phone number"),
            ("৯৮৩০০১২৩৪৫ নম্বরে ফোন", "a phone number"),
            ("Aadhaar 1234 5678 9012 was taken", "an Aadhaar number"),
            ("123456789012", "an Aadhaar number"),
            ("Mrs. Das was made to wait", "a person's name"),
            ("श्री वर्मा ने मना किया", "a person's name"),
            ("Her village is far", "an address"),
            ("Pin 743329", "an address"),
            ("গ্রাম: কুলতলি", "an address"),
        ] {
            assert_eq!(personal_details(note), Some(what), "{note}");
        }
        for fine in [
            "FIR registered only on the third visit.",
            "Waited 3 hours; 2 officers present out of 12.",
            "Compensation of Rs 1,50,000 delayed 14 months",
            "Shelter staff were respectful",
            "2026-08-14 hearing adjourned",
        ] {
            assert_eq!(personal_details(fine), None, "{fine}");
        }
    }

    #[test]
    fn days_of_unix_times() {
        assert_eq!(Day::of_unix_ms(0).to_string(), "1970-01-01");
        assert_eq!(Day::of_unix_ms(1_795_132_800_000).to_string(), "2026-11-20");
        assert_eq!(Day::of_unix_ms(1_709_164_800_000).to_string(), "2024-02-29");
        assert_eq!(Day::of_unix_ms(1_709_251_199_999).to_string(), "2024-02-29");
        for ms in [0, 1_709_164_800_000, 1_795_132_800_000, 4_102_444_800_000] {
            assert_eq!(Day::of_unix_ms(ms).unix_ms(), ms);
        }
    }

    #[test]
    fn quarters() {
        let q = |d: &str| Day::parse(d).unwrap().quarter();
        assert_eq!(q("2026-01-01"), "2026-Q1");
        assert_eq!(q("2026-03-31"), "2026-Q1");
        assert_eq!(q("2026-04-01"), "2026-Q2");
        assert_eq!(q("2026-12-31"), "2026-Q4");
    }
}
