//! Sample audits for the demo: collectives in four states recording how AHTUs, police
//! stations, shelter homes, CWCs and DLSAs treated survivors over the past year, a few endorsed
//! by a second collective, so the Score cards tab has something to show.

use std::path::PathBuf;

use sangam_protocol::Body;
use sangam_protocol::audit::{Audit, Endorsement, OfficeType, Outcome, Ratings};

use super::post;

/// (collective, office type, office, district, state, date, sought, ratings, outcome, note,
/// endorsed by).
type Sample = (
    usize,
    OfficeType,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    [u8; 4],
    Outcome,
    &'static str,
    Option<usize>,
);

#[rustfmt::skip]
const SAMPLES: [Sample; 16] = [
    (0, OfficeType::Ahtu, "AHTU South 24 Parganas", "South 24 Parganas", "West Bengal", "2026-01-14", "FIR", [2, 2, 1, 2], Outcome::Partly, "FIR registered only after a second visit with a lawyer.", Some(3)),
    (0, OfficeType::Ahtu, "AHTU South 24 Parganas", "South 24 Parganas", "West Bengal", "2026-05-06", "rescue", [3, 3, 2, 3], Outcome::Granted, "Rescue within two days of the complaint.", None),
    (3, OfficeType::Ahtu, "AHTU South 24 Parganas", "South 24 Parganas", "West Bengal", "2026-09-22", "FIR", [4, 3, 3, 4], Outcome::Granted, "Officer on duty took the statement the same day.", None),
    (0, OfficeType::PoliceStation, "Canning Police Station", "South 24 Parganas", "West Bengal", "2026-03-02", "FIR", [1, 1, 1, 1], Outcome::Refused, "Sent back twice; told to settle with the trafficker.", Some(3)),
    (3, OfficeType::PoliceStation, "Canning Police Station", "South 24 Parganas", "West Bengal", "2026-08-11", "FIR", [2, 1, 2, 0], Outcome::Pending, "Statement taken in the corridor, in front of others.", None),
    (0, OfficeType::Dlsa, "DLSA South 24 Parganas", "South 24 Parganas", "West Bengal", "2026-04-18", "compensation application", [2, 3, 1, 0], Outcome::Pending, "Application accepted; no hearing date in six months.", None),
    (3, OfficeType::ShelterHome, "Government Shelter Home, Kolkata", "Kolkata", "West Bengal", "2026-06-30", "release order", [2, 1, 1, 2], Outcome::Partly, "Release took four months after the CWC order.", Some(0)),
    (3, OfficeType::ChildWelfareCommittee, "CWC Kolkata", "Kolkata", "West Bengal", "2026-07-09", "release order", [4, 4, 3, 4], Outcome::Granted, "Heard the girl in private, with a counsellor.", None),
    (1, OfficeType::Ahtu, "AHTU Patna", "Patna", "Bihar", "2026-02-20", "rescue", [3, 2, 3, 3], Outcome::Granted, "", None),
    (1, OfficeType::Dlsa, "DLSA Patna", "Patna", "Bihar", "2026-03-27", "compensation application", [1, 2, 1, 1], Outcome::Refused, "Told the scheme does not cover trafficking cases; it does.", Some(2)),
    (1, OfficeType::Dlsa, "DLSA Patna", "Patna", "Bihar", "2026-10-05", "compensation application", [2, 3, 2, 2], Outcome::Partly, "Interim relief only, after a High Court order.", None),
    (1, OfficeType::LabourDepartment, "Labour Office Gaya", "Gaya", "Bihar", "2026-06-12", "wage recovery", [2, 3, 1, 1], Outcome::Pending, "Release certificates promised, not issued.", None),
    (2, OfficeType::PoliceStation, "Budhwar Peth Police Chowky", "Pune", "Maharashtra", "2026-04-03", "FIR", [3, 2, 3, 3], Outcome::Granted, "", None),
    (2, OfficeType::SchemeOffice, "Women and Child Development Office, Pune", "Pune", "Maharashtra", "2026-08-25", "scheme enrolment", [4, 4, 3, 4], Outcome::Granted, "Ration cards and Manodhairya scheme in one visit.", None),
    (3, OfficeType::Health, "District Hospital Anantapur", "Anantapur", "Andhra Pradesh", "2026-05-19", "medical examination", [3, 2, 2, 3], Outcome::Granted, "Examination done, but no woman doctor available.", None),
    (3, OfficeType::Court, "Sessions Court Anantapur", "Anantapur", "Andhra Pradesh", "2026-09-30", "legal aid", [2, 3, 1, 2], Outcome::Pending, "Trial adjourned seven times.", Some(2)),
];

/// A sample's audit.
fn audit_of(sample: &Sample) -> Body {
    let (_, office_type, office, district, state, date, sought, r, outcome, note, _) = *sample;
    Body::Audit(Audit {
        office_type,
        office_name: office.into(),
        district: district.into(),
        state: state.into(),
        date: date.into(),
        sought: sought.into(),
        ratings: Ratings {
            responsiveness: r[0],
            dignity: r[1],
            timeliness: r[2],
            outcome: r[3],
        },
        outcome,
        note: note.into(),
    })
}

/// Posts the sample audits from the collectives' nodes, and the endorsements of some.
pub(super) async fn post_samples(sockets: &[PathBuf]) {
    for sample in &SAMPLES {
        let (by, endorser) = (sample.0, sample.10);
        let Some(id) = post(&sockets[by], audit_of(sample)).await else {
            continue;
        };
        if let Some(endorser) = endorser {
            let endorsement = Body::Endorsement(Endorsement {
                audit: id,
                note: String::new(),
            });
            post(&sockets[endorser], endorsement).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_is_a_valid_audit_endorsed_by_someone_else() {
        for sample in &SAMPLES {
            let office = sample.2;
            assert_eq!(audit_of(sample).check_fields(), Ok(()), "{office}");
            assert_ne!(sample.10, Some(sample.0), "{office}: self-endorsed");
            assert_eq!(
                sangam_protocol::audit::personal_details(sample.9),
                None,
                "{office}"
            );
        }
    }
}
