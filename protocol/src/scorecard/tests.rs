use super::*;
use crate::audit::Ratings;

fn author(n: u8) -> AuthorId {
    AuthorId([n; 32])
}

fn entry(n: u8, by: u8, office: &str, district: &str, date: &str, ratings: [u8; 4]) -> AuditEntry {
    AuditEntry {
        id: MessageId([n; 32]),
        author: author(by),
        audit: Audit {
            office_type: OfficeType::Ahtu,
            office_name: office.into(),
            district: district.into(),
            state: "West Bengal".into(),
            date: date.into(),
            sought: "FIR".into(),
            ratings: Ratings {
                responsiveness: ratings[0],
                dignity: ratings[1],
                timeliness: ratings[2],
                outcome: ratings[3],
            },
            outcome: Outcome::Pending,
            note: String::new(),
        },
    }
}

fn endorse(n: u8, by: u8, audit: u8) -> EndorsementEntry {
    EndorsementEntry {
        id: MessageId([n; 32]),
        author: author(by),
        audit: MessageId([audit; 32]),
    }
}

#[test]
fn medians_take_the_middle_rating_or_the_mean_of_the_two_middle_ones() {
    assert_eq!(median(&[9, 0, 0, 0, 0, 0]), None, "not applicable only");
    assert_eq!(median(&[0, 0, 0, 1, 0, 0]), Some(3.0));
    assert_eq!(median(&[0, 1, 1, 1, 1, 0]), Some(2.5));
    assert_eq!(median(&[5, 3, 0, 0, 0, 1]), Some(1.0));
    assert_eq!(median(&[0, 1, 0, 0, 0, 1]), Some(3.0));
}

#[test]
fn one_office_however_it_is_spelled() {
    let audits = [
        entry(1, 1, "AHTU Kolkata", "Kolkata", "2026-01-10", [1, 2, 3, 0]),
        entry(
            2,
            2,
            "  ahtu   kolkata ",
            "kolkata",
            "2026-05-10",
            [2, 2, 2, 2],
        ),
        entry(3, 3, "AHTU Kolkata", "KOLKATA", "2026-05-11", [5, 5, 5, 5]),
    ];
    let card = compute(&audits, &[], &ScorecardFilter::default());
    assert_eq!(card.offices.len(), 1);
    let office = &card.offices[0];
    assert_eq!(office.office_name, "AHTU Kolkata", "the usual spelling");
    assert_eq!(office.summary.audits, 3);
    assert_eq!(office.summary.auditing_collectives, 3);
    let responsiveness = &office.summary.criteria[0];
    assert_eq!(responsiveness.ratings, [1, 1, 0, 0, 1]);
    assert_eq!(responsiveness.median, Some(2.0));
    assert_eq!(office.summary.criteria[3].not_applicable, 1);
    let quarters: Vec<(&str, u64)> = office
        .summary
        .quarters
        .iter()
        .map(|q| (q.quarter.as_str(), q.audits))
        .collect();
    assert_eq!(quarters, [("2026-Q1", 1), ("2026-Q2", 2)]);
    assert_eq!(card.districts.len(), 1);
    assert_eq!(card.districts[0].offices, 1);
}

#[test]
fn endorsements_count_once_per_collective_and_never_by_the_author() {
    let audits = [
        entry(1, 1, "AHTU Kolkata", "Kolkata", "2026-01-10", [1, 1, 1, 1]),
        entry(2, 1, "AHTU Kolkata", "Kolkata", "2026-01-11", [3, 3, 3, 3]),
    ];
    let endorsements = [
        endorse(10, 2, 1),
        endorse(11, 2, 1), // the same collective again
        endorse(12, 3, 1),
        endorse(13, 1, 2),  // its own audit
        endorse(14, 4, 99), // an audit not covered
    ];
    let card = compute(&audits, &endorsements, &ScorecardFilter::default());
    assert_eq!(card.total.audits, 2);
    assert_eq!(card.total.endorsed_audits, 1);
    assert_eq!(card.total.endorsing_collectives, 2);
    assert_eq!(card.total.endorsed_score, Some(1.0));
    assert_eq!(card.total.score, Some(2.0));
    let ids: Vec<u8> = card.message_ids.iter().map(|id| id.0[0]).collect();
    assert_eq!(
        ids,
        [1, 2, 10, 11, 12],
        "what the card rests on, and only that"
    );
}

#[test]
fn filters_narrow_by_place_type_and_day() {
    let mut other_state = entry(3, 1, "AHTU Patna", "Patna", "2026-03-01", [4, 4, 4, 4]);
    other_state.audit.state = "Bihar".into();
    let mut police = entry(4, 1, "Sonagachi PS", "Kolkata", "2026-06-01", [2, 2, 2, 2]);
    police.audit.office_type = OfficeType::PoliceStation;
    let audits = [
        entry(1, 1, "AHTU Kolkata", "Kolkata", "2025-12-31", [1, 1, 1, 1]),
        entry(2, 1, "AHTU Kolkata", "Kolkata", "2026-01-01", [3, 3, 3, 3]),
        other_state,
        police,
    ];
    let count = |filter: ScorecardFilter| compute(&audits, &[], &filter).total.audits;
    assert_eq!(count(ScorecardFilter::default()), 4);
    let state = |s: &str| ScorecardFilter {
        state: Some(s.into()),
        ..ScorecardFilter::default()
    };
    assert_eq!(count(state("bihar")), 1);
    assert_eq!(count(state("West  Bengal")), 3);
    let since = ScorecardFilter {
        since: Some("2026-01-01".into()),
        ..ScorecardFilter::default()
    };
    assert_eq!(count(since), 3);
    let police_only = ScorecardFilter {
        office_type: Some(OfficeType::PoliceStation),
        district: Some("kolkata".into()),
        ..ScorecardFilter::default()
    };
    assert_eq!(count(police_only), 1);
}

#[test]
fn the_worst_offices_come_first_and_many_audits_outrank_few() {
    let audits = [
        entry(1, 1, "A", "Kolkata", "2026-01-10", [1, 1, 1, 1]),
        entry(2, 1, "B", "Kolkata", "2026-01-10", [1, 1, 1, 1]),
        entry(3, 2, "B", "Kolkata", "2026-01-10", [1, 1, 1, 1]),
        entry(4, 1, "C", "Kolkata", "2026-01-10", [4, 4, 4, 4]),
        entry(5, 1, "D", "Kolkata", "2026-01-10", [0, 0, 0, 0]),
    ];
    let card = compute(&audits, &[], &ScorecardFilter::default());
    let names: Vec<&str> = card.worst.iter().map(|o| o.office_name.as_str()).collect();
    assert_eq!(names, ["B", "A", "C"], "D rated nothing");
}

#[test]
fn the_same_messages_in_any_order_give_the_same_bytes() {
    let mut audits: Vec<AuditEntry> = (1..=40)
        .map(|n| {
            let district = ["Kolkata", "Nadia", "Patna"][usize::from(n % 3)];
            let office = ["AHTU", "CWC", "DLSA"][usize::from(n % 3)];
            entry(
                n,
                n % 5,
                &format!("{office} {district}"),
                district,
                "2026-07-01",
                [n % 6, 2, 3, n % 4],
            )
        })
        .collect();
    let endorsements: Vec<EndorsementEntry> =
        (100..120).map(|n| endorse(n, n % 7, n - 99)).collect();
    let filter = ScorecardFilter::default();
    let forward = serde_json::to_vec(&compute(&audits, &endorsements, &filter)).unwrap();
    audits.reverse();
    let mut endorsements = endorsements;
    endorsements.reverse();
    let backward = serde_json::to_vec(&compute(&audits, &endorsements, &filter)).unwrap();
    assert_eq!(forward, backward);
}

#[test]
fn names_are_compared_with_spaces_and_case_evened_out_in_any_script() {
    let old_way = |name: &str| {
        name.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    for name in [
        "  AHTU   South 24  Parganas ",
        "পাটনা   থানা",
        "ΟΔΟΣ ΣΤΑΘΜΟΣ",
        "Thana\tB",
        "",
    ] {
        assert_eq!(normalise(name), old_way(name), "{name:?}");
    }
    assert_eq!(normalise("  AHTU   South "), "ahtu south");
}
