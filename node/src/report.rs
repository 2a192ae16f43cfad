//! A score card written for people: plain text for the terminal, CSV for spreadsheets, and a
//! self-contained Markdown report for media and officials. Each lists what it was computed
//! from (the CSV per office, the report in full), so any member can check it against their node.

use std::fmt::Write as _;

use sangam_protocol::audit::Criterion;
use sangam_protocol::scorecard::{OfficeCard, Scorecard, ScorecardFilter, Summary};

/// A median as people read it: `2`, `2.5`, or `—` when nothing was rated.
pub fn score(value: Option<f64>) -> String {
    match value {
        Some(v) if v.fract() == 0.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
        None => "—".into(),
    }
}

/// What a filter covers, in words.
pub fn covers(filter: &ScorecardFilter) -> String {
    let mut parts = Vec::new();
    if let Some(kind) = filter.office_type {
        parts.push(format!("{}s", kind.label().to_lowercase()));
    }
    match (&filter.district, &filter.state) {
        (Some(district), Some(state)) => parts.push(format!("in {district}, {state}")),
        (Some(district), None) => parts.push(format!("in {district}")),
        (None, Some(state)) => parts.push(format!("in {state}")),
        (None, None) => {}
    }
    if let Some(since) = &filter.since {
        parts.push(format!("since {since}"));
    }
    if parts.is_empty() {
        "every audit held".into()
    } else {
        format!("audits of {}", parts.join(" "))
            .replace("audits of in ", "audits in ")
            .replace("audits of since ", "audits since ")
    }
}

/// One sentence for a group of audits.
pub fn summary_line(summary: &Summary) -> String {
    format!(
        "{} audit(s) by {} collective(s); {} endorsed by {} other collective(s); median rating {} \
         (1 worst, 5 best)",
        summary.audits,
        summary.auditing_collectives,
        summary.endorsed_audits,
        summary.endorsing_collectives,
        score(summary.score)
    )
}

fn criteria_line(summary: &Summary) -> String {
    summary
        .criteria
        .iter()
        .map(|c| format!("{} {}", c.criterion.label().to_lowercase(), score(c.median)))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn quarters_line(summary: &Summary) -> String {
    summary
        .quarters
        .iter()
        .map(|q| format!("{} {} ({})", q.quarter, score(q.score), q.audits))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn place(card: &OfficeCard) -> String {
    format!("{}, {}", card.district, card.state)
}

/// The score card as plain text for the terminal.
pub fn text(card: &Scorecard) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Score card: {}", covers(&card.filter));
    if card.total.audits == 0 {
        let _ = writeln!(
            out,
            "No audits yet. Collectives record them with `sangam post audit` or in the app."
        );
        return out;
    }
    let _ = writeln!(out, "{}.", summary_line(&card.total));
    let _ = writeln!(out, "\nWorst-rated offices");
    for office in &card.worst {
        let _ = writeln!(
            out,
            "  {:>3}  {} ({}, {}): {} audit(s), {} endorsed",
            score(Some(office.score)),
            office.office_name,
            office.district,
            office.state,
            office.audits,
            office.endorsed_audits
        );
    }
    let _ = writeln!(out, "\nBy district");
    for district in &card.districts {
        let _ = writeln!(
            out,
            "  {}, {}: {} audit(s) of {} office(s), median {}",
            district.district,
            district.state,
            district.summary.audits,
            district.offices,
            score(district.summary.score)
        );
    }
    let _ = writeln!(out, "\nOffices");
    for office in &card.offices {
        let s = &office.summary;
        let _ = writeln!(
            out,
            "  {} ({}, {})",
            office.office_name,
            office.office_type.label(),
            place(office)
        );
        let _ = writeln!(
            out,
            "      {} audit(s), {} endorsed · median {} · {}",
            s.audits,
            s.endorsed_audits,
            score(s.score),
            criteria_line(s)
        );
        let _ = writeln!(out, "      by quarter: {}", quarters_line(s));
        let o = s.outcomes;
        let _ = writeln!(
            out,
            "      outcomes: {} granted, {} partly, {} refused, {} pending",
            o.granted, o.partly, o.refused, o.pending
        );
    }
    let _ = writeln!(
        out,
        "\nComputed from {} message(s); `sangam scorecard --json` lists their ids.",
        card.message_ids.len()
    );
    out
}

/// The score card as CSV, one row per office, with the ids of its audits.
pub fn csv(card: &Scorecard) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "state",
        "district",
        "office_type",
        "office_name",
        "audits",
        "endorsed_audits",
        "auditing_collectives",
        "endorsing_collectives",
        "median_rating",
        "median_rating_endorsed",
    ];
    header.extend(Criterion::ALL.map(Criterion::name));
    header.extend(["granted", "partly", "refused", "pending", "audit_ids"]);
    writer.write_record(&header)?;
    for office in &card.offices {
        let s = &office.summary;
        let number = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        let mut row = vec![
            office.state.clone(),
            office.district.clone(),
            office.office_type.name().to_string(),
            office.office_name.clone(),
            s.audits.to_string(),
            s.endorsed_audits.to_string(),
            s.auditing_collectives.to_string(),
            s.endorsing_collectives.to_string(),
            number(s.score),
            number(s.endorsed_score),
        ];
        row.extend(s.criteria.iter().map(|c| number(c.median)));
        let o = s.outcomes;
        row.extend([o.granted, o.partly, o.refused, o.pending].map(|n| n.to_string()));
        row.push(
            office
                .audit_ids
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" "),
        );
        writer.write_record(&row)?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The score card as a self-contained Markdown report; `network` and `written` (a date) head it.
pub fn markdown(card: &Scorecard, network: &str, written: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Survivors' score card of public offices\n");
    let _ = writeln!(
        out,
        "Network: {} · covers {} · written {written}\n",
        cell(network),
        covers(&card.filter)
    );
    let _ = writeln!(
        out,
        "Survivor collectives recorded each interaction with a public office and rated it from 1 \
         (worst) to 5 (best) on responsiveness, respect and dignity, timeliness and outcome. An \
         audit is *endorsed* when another collective that witnessed the same interaction \
         confirmed it. Medians, not averages: half the ratings are at or below the median.\n"
    );
    let _ = writeln!(out, "**{}.**\n", summary_line(&card.total));
    let _ = writeln!(out, "## Worst-rated offices\n");
    let _ = writeln!(
        out,
        "| office | district | state | median | audits | endorsed |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for o in &card.worst {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&o.office_name),
            cell(&o.district),
            cell(&o.state),
            score(Some(o.score)),
            o.audits,
            o.endorsed_audits
        );
    }
    let _ = writeln!(out, "\n## By district\n");
    let _ = writeln!(
        out,
        "| district | state | offices | audits | endorsed | median |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for d in &card.districts {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&d.district),
            cell(&d.state),
            d.offices,
            d.summary.audits,
            d.summary.endorsed_audits,
            score(d.summary.score)
        );
    }
    let _ = writeln!(out, "\n## Offices\n");
    for office in &card.offices {
        let s = &office.summary;
        let _ = writeln!(
            out,
            "### {} — {}\n",
            cell(&office.office_name),
            cell(&place(office))
        );
        let _ = writeln!(
            out,
            "{}. {} audit(s), {} endorsed; median {}.\n",
            office.office_type.label(),
            s.audits,
            s.endorsed_audits,
            score(s.score)
        );
        let _ = writeln!(
            out,
            "| criterion | median | 1 | 2 | 3 | 4 | 5 | not applicable |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
        for c in &s.criteria {
            let r = c.ratings;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                c.criterion.label(),
                score(c.median),
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                c.not_applicable
            );
        }
        let _ = writeln!(out, "\nBy quarter: {}.\n", quarters_line(s));
        let o = s.outcomes;
        let _ = writeln!(
            out,
            "Outcomes: {} granted, {} partly, {} refused, {} pending.\n",
            o.granted, o.partly, o.refused, o.pending
        );
    }
    let _ = writeln!(out, "## How to check this report\n");
    let _ = writeln!(
        out,
        "It was computed from the {} messages below (audits and endorsements, each signed by \
         the collective that wrote it). Any member of the network can run `sangam show ID` on \
         their own laptop for each, or `sangam scorecard --json` with the same filter, and get \
         the same figures.\n",
        card.message_ids.len()
    );
    for id in &card.message_ids {
        let _ = writeln!(out, "- `{id}`");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sangam_protocol::audit::{Audit, OfficeType, Outcome, Ratings};
    use sangam_protocol::scorecard::{AuditEntry, compute};
    use sangam_protocol::{AuthorId, MessageId};

    fn card() -> Scorecard {
        let audit = |n: u8, name: &str, rating: u8| AuditEntry {
            id: MessageId([n; 32]),
            author: AuthorId([n; 32]),
            audit: Audit {
                office_type: OfficeType::ShelterHome,
                office_name: name.into(),
                district: "Nadia".into(),
                state: "West Bengal".into(),
                date: "2026-09-01".into(),
                sought: "release order".into(),
                ratings: Ratings {
                    responsiveness: rating,
                    dignity: rating,
                    timeliness: rating,
                    outcome: 0,
                },
                outcome: Outcome::Refused,
                note: String::new(),
            },
        };
        compute(
            &[
                audit(1, "Home, \"Asha\" | Nadia", 1),
                audit(2, "Other home", 4),
            ],
            &[],
            &ScorecardFilter::default(),
        )
    }

    #[test]
    fn the_csv_quotes_names_and_lists_each_offices_audits() {
        let text = csv(&card()).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][3], "Home, \"Asha\" | Nadia");
        assert_eq!(&rows[0][8], "1");
        assert_eq!(&rows[0][rows[0].len() - 1], MessageId([1; 32]).to_string());
    }

    #[test]
    fn the_report_names_the_worst_office_first_and_every_message() {
        let report = markdown(&card(), "Sangam", "2026-12-01");
        let worst = report.find("Home, \"Asha\" \\| Nadia").unwrap();
        let better = report.find("| Other home |").unwrap();
        assert!(worst < better);
        assert!(report.contains(&format!("- `{}`", MessageId([2; 32]))));
        assert!(text(&card()).contains("2 audit(s) by 2 collective(s)"));
    }

    #[test]
    fn scores_read_plainly() {
        assert_eq!(score(Some(2.0)), "2");
        assert_eq!(score(Some(2.5)), "2.5");
        assert_eq!(score(None), "—");
        let filter = ScorecardFilter {
            district: Some("Nadia".into()),
            office_type: Some(OfficeType::Ahtu),
            ..ScorecardFilter::default()
        };
        assert_eq!(
            covers(&filter),
            "audits of anti human trafficking units in Nadia"
        );
    }
}
