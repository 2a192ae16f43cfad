//! Score cards: audits of public offices aggregated per office and per district — how many
//! audits, how many endorsed by a second collective, the median and spread of each criterion,
//! the trend by quarter, the worst-rated offices — with the id of every message they were
//! computed from, so that any member can check a card against its own node.
//!
//! A pure function of the audits and endorsements given: two nodes holding the same messages
//! compute the same card, byte for byte once serialised (every list is sorted, every map ordered).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::audit::{Audit, Criterion, Day, MAX_RATING, OfficeType, Outcome};
use crate::identity::AuthorId;
use crate::ids::MessageId;

/// How many offices the worst-rated list names.
pub const WORST_OFFICES: usize = 10;

/// Which audits a score card covers. Names match whatever their case and spacing.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct ScorecardFilter {
    /// Only this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Only this district.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// Only this kind of office.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office_type: Option<OfficeType>,
    /// Only interactions on or after this day (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
}

/// A stored audit, as the score card reads it.
#[derive(Clone, Debug)]
pub struct AuditEntry {
    /// The audit's message id.
    pub id: MessageId,
    /// The collective that wrote it.
    pub author: AuthorId,
    /// The audit.
    pub audit: Audit,
}

/// A stored endorsement, as the score card reads it.
#[derive(Clone, Copy, Debug)]
pub struct EndorsementEntry {
    /// The endorsement's message id.
    pub id: MessageId,
    /// The collective that endorsed.
    pub author: AuthorId,
    /// The audit it endorses.
    pub audit: MessageId,
}

/// One criterion's ratings.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct CriterionSummary {
    /// Which criterion.
    pub criterion: Criterion,
    /// The median rating (1–5; a half where two middle ratings differ), if any audit rated it.
    pub median: Option<f64>,
    /// How many audits gave each rating, 1 to 5.
    pub ratings: [u64; 5],
    /// How many audits said "not applicable".
    pub not_applicable: u64,
}

/// Audits in one quarter.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct QuarterSummary {
    /// The quarter, e.g. `2026-Q3`.
    pub quarter: String,
    /// Audits of interactions in it.
    pub audits: u64,
    /// The median of every rating given in it.
    pub score: Option<f64>,
}

/// How interactions ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct OutcomeCounts {
    /// What was sought was given.
    pub granted: u64,
    /// Part of it was given.
    pub partly: u64,
    /// It was refused.
    pub refused: u64,
    /// Still waiting.
    pub pending: u64,
}

/// The figures of a group of audits (one office, one district, or everything covered).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Summary {
    /// Audits counted.
    pub audits: u64,
    /// Of them, endorsed by at least one other collective.
    pub endorsed_audits: u64,
    /// Collectives that wrote them.
    pub auditing_collectives: u64,
    /// Collectives that endorsed them.
    pub endorsing_collectives: u64,
    /// The median of every rating given (all criteria), if any.
    pub score: Option<f64>,
    /// The same over endorsed audits only.
    pub endorsed_score: Option<f64>,
    /// Each criterion.
    pub criteria: Vec<CriterionSummary>,
    /// How the interactions ended.
    pub outcomes: OutcomeCounts,
    /// By quarter of the interaction, oldest first.
    pub quarters: Vec<QuarterSummary>,
}

/// One office's card.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct OfficeCard {
    /// What kind of office.
    pub office_type: OfficeType,
    /// Its name (the spelling most audits use).
    pub office_name: String,
    /// District.
    pub district: String,
    /// State.
    pub state: String,
    /// Its figures.
    pub summary: Summary,
    /// The audits it was computed from.
    pub audit_ids: Vec<MessageId>,
}

/// One district's card: every office in it.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct DistrictCard {
    /// District.
    pub district: String,
    /// State.
    pub state: String,
    /// Offices audited in it.
    pub offices: u64,
    /// Its figures.
    pub summary: Summary,
}

/// An office among the worst rated.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct RankedOffice {
    /// What kind of office.
    pub office_type: OfficeType,
    /// Its name.
    pub office_name: String,
    /// District.
    pub district: String,
    /// State.
    pub state: String,
    /// The median of its ratings.
    pub score: f64,
    /// Audits behind it.
    pub audits: u64,
    /// Of them, endorsed.
    pub endorsed_audits: u64,
}

/// A score card: everything the filter covers, by district and by office.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Scorecard {
    /// What it covers.
    pub filter: ScorecardFilter,
    /// Everything covered.
    pub total: Summary,
    /// Per district, by state then district.
    pub districts: Vec<DistrictCard>,
    /// Per office, by state, district, office type, name.
    pub offices: Vec<OfficeCard>,
    /// The worst-rated offices (at most [`WORST_OFFICES`]), worst first.
    pub worst: Vec<RankedOffice>,
    /// Every audit and endorsement it was computed from, sorted.
    pub message_ids: Vec<MessageId>,
}

/// A name as compared: trimmed, inner spaces collapsed, lowercase.
pub fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        if word.is_ascii() {
            out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            // Word by word, as the whole string would be (a Greek final sigma depends only on
            // its own word).
            out.push_str(&word.to_lowercase());
        }
    }
    out
}

impl ScorecardFilter {
    /// Whether an audit is covered.
    pub fn covers(&self, audit: &Audit) -> bool {
        let same = |wanted: &Option<String>, value: &str| {
            wanted
                .as_ref()
                .is_none_or(|w| normalise(w) == normalise(value))
        };
        let since = self.since.as_deref().and_then(|d| Day::parse(d).ok());
        same(&self.state, &audit.state)
            && same(&self.district, &audit.district)
            && self.office_type.is_none_or(|t| t == audit.office_type)
            && since.is_none_or(|since| Day::parse(&audit.date).is_ok_and(|day| day >= since))
    }
}

/// Ratings counted by value: index 0 is "not applicable", 1–5 the ratings.
type Counts = [u64; MAX_RATING as usize + 1];

/// What a group of audits adds up to, before medians are taken.
#[derive(Default)]
struct Tally {
    audits: u64,
    endorsed: u64,
    authors: BTreeSet<AuthorId>,
    endorsers: BTreeSet<AuthorId>,
    criteria: [Counts; 4],
    all: Counts,
    endorsed_all: Counts,
    outcomes: OutcomeCounts,
    quarters: BTreeMap<(u16, u8), (u64, Counts)>,
}

/// What an audit is grouped by, worked out once per audit.
struct Keys {
    state: String,
    district: String,
    office: String,
    /// (year, quarter); (0, 0) for a date that does not parse (never stored).
    quarter: (u16, u8),
}

impl Keys {
    fn of(audit: &Audit) -> Keys {
        Keys {
            state: normalise(&audit.state),
            district: normalise(&audit.district),
            office: normalise(&audit.office_name),
            quarter: Day::parse(&audit.date)
                .map(|day| (day.year, (day.month - 1) / 3 + 1))
                .unwrap_or((0, 0)),
        }
    }
}

fn quarter_name((year, quarter): (u16, u8)) -> String {
    if year == 0 {
        "unknown".into()
    } else {
        format!("{year}-Q{quarter}")
    }
}

/// Counts one more `name`.
fn count<'a>(names: &mut BTreeMap<&'a str, u64>, name: &'a str) {
    *names.entry(name).or_insert(0) += 1;
}

impl Tally {
    fn add(&mut self, entry: &AuditEntry, keys: &Keys, endorsers: Option<&BTreeSet<AuthorId>>) {
        let audit = &entry.audit;
        self.audits += 1;
        self.authors.insert(entry.author);
        let quarter = self.quarters.entry(keys.quarter).or_default();
        quarter.0 += 1;
        for (slot, criterion) in Criterion::ALL.iter().enumerate() {
            let rating = usize::from(audit.ratings.of(*criterion).min(MAX_RATING));
            self.criteria[slot][rating] += 1;
            if rating > 0 {
                self.all[rating] += 1;
                quarter.1[rating] += 1;
                if endorsers.is_some() {
                    self.endorsed_all[rating] += 1;
                }
            }
        }
        if let Some(endorsers) = endorsers {
            self.endorsed += 1;
            self.endorsers.extend(endorsers.iter().copied());
        }
        match audit.outcome {
            Outcome::Granted => self.outcomes.granted += 1,
            Outcome::Partly => self.outcomes.partly += 1,
            Outcome::Refused => self.outcomes.refused += 1,
            Outcome::Pending => self.outcomes.pending += 1,
        }
    }

    fn summary(&self) -> Summary {
        Summary {
            audits: self.audits,
            endorsed_audits: self.endorsed,
            auditing_collectives: self.authors.len() as u64,
            endorsing_collectives: self.endorsers.len() as u64,
            score: median(&self.all),
            endorsed_score: median(&self.endorsed_all),
            criteria: Criterion::ALL
                .iter()
                .zip(&self.criteria)
                .map(|(criterion, counts)| CriterionSummary {
                    criterion: *criterion,
                    median: median(counts),
                    ratings: [counts[1], counts[2], counts[3], counts[4], counts[5]],
                    not_applicable: counts[0],
                })
                .collect(),
            outcomes: self.outcomes,
            quarters: self
                .quarters
                .iter()
                .map(|(quarter, (audits, counts))| QuarterSummary {
                    quarter: quarter_name(*quarter),
                    audits: *audits,
                    score: median(counts),
                })
                .collect(),
        }
    }
}

/// The median of the ratings 1–5 counted in `counts` (index 0, "not applicable", is ignored);
/// the mean of the two middle ratings when their number is even.
fn median(counts: &Counts) -> Option<f64> {
    let total: u64 = counts[1..].iter().sum();
    if total == 0 {
        return None;
    }
    // The ratings at 0-based positions (total-1)/2 and total/2 of the sorted list.
    let at = |position: u64| {
        let mut seen = 0;
        for (rating, count) in counts.iter().enumerate().skip(1) {
            seen += count;
            if position < seen {
                return rating as f64;
            }
        }
        f64::from(MAX_RATING)
    };
    Some((at((total - 1) / 2) + at(total / 2)) / 2.0)
}

/// The spelling most entries use; among equals, the first in byte order.
fn usual_spelling(spellings: &BTreeMap<&str, u64>) -> String {
    let mut best: Option<(&str, u64)> = None;
    for (spelling, count) in spellings {
        if best.is_none_or(|(_, most)| *count > most) {
            best = Some((spelling, *count));
        }
    }
    best.map(|(s, _)| s.to_string()).unwrap_or_default()
}

/// An office's or a district's audits, with the spellings of its names (borrowed from the
/// audits and their keys: nothing is copied per audit).
#[derive(Default)]
struct Group<'a> {
    tally: Tally,
    names: BTreeMap<&'a str, u64>,
    districts: BTreeMap<&'a str, u64>,
    states: BTreeMap<&'a str, u64>,
    ids: Vec<MessageId>,
    offices: BTreeSet<(OfficeType, &'a str)>,
}

impl<'a> Group<'a> {
    fn add(
        &mut self,
        entry: &'a AuditEntry,
        keys: &'a Keys,
        endorsers: Option<&BTreeSet<AuthorId>>,
    ) {
        self.tally.add(entry, keys, endorsers);
        let audit = &entry.audit;
        count(&mut self.names, audit.office_name.trim());
        count(&mut self.districts, audit.district.trim());
        count(&mut self.states, audit.state.trim());
        self.ids.push(entry.id);
        self.offices
            .insert((audit.office_type, keys.office.as_str()));
    }
}

/// Computes the score card of the audits `filter` covers. Endorsements of audits not given, or
/// by the audit's own author, are ignored; one collective endorsing an audit twice counts once.
pub fn compute(
    audits: &[AuditEntry],
    endorsements: &[EndorsementEntry],
    filter: &ScorecardFilter,
) -> Scorecard {
    compute_from(audits, endorsements, filter)
}

/// [`compute`] over any audits and endorsements, borrowed (a node keeps them in memory and
/// hands over those of current members, without copying them).
pub fn compute_from<'a>(
    audits: impl IntoIterator<Item = &'a AuditEntry>,
    endorsements: impl IntoIterator<Item = &'a EndorsementEntry>,
    filter: &ScorecardFilter,
) -> Scorecard {
    let covered: BTreeMap<MessageId, &AuditEntry> = audits
        .into_iter()
        .filter(|entry| filter.covers(&entry.audit))
        .map(|entry| (entry.id, entry))
        .collect();
    let mut endorsers: BTreeMap<MessageId, BTreeSet<AuthorId>> = BTreeMap::new();
    let mut message_ids: BTreeSet<MessageId> = covered.keys().copied().collect();
    for endorsement in endorsements {
        if let Some(audit) = covered.get(&endorsement.audit)
            && audit.author != endorsement.author
        {
            endorsers
                .entry(endorsement.audit)
                .or_default()
                .insert(endorsement.author);
            message_ids.insert(endorsement.id);
        }
    }

    // Each audit's keys once; the groups borrow them (and the audits) instead of copying.
    let keys: Vec<Keys> = covered
        .values()
        .map(|entry| Keys::of(&entry.audit))
        .collect();
    let mut total = Tally::default();
    let mut offices: BTreeMap<(&str, &str, OfficeType, &str), Group> = BTreeMap::new();
    let mut districts: BTreeMap<(&str, &str), Group> = BTreeMap::new();
    for ((id, entry), keys) in covered.iter().zip(&keys) {
        let entry: &AuditEntry = entry;
        let endorsed = endorsers.get(id);
        total.add(entry, keys, endorsed);
        let office = (
            keys.state.as_str(),
            keys.district.as_str(),
            entry.audit.office_type,
            keys.office.as_str(),
        );
        offices
            .entry(office)
            .or_default()
            .add(entry, keys, endorsed);
        districts
            .entry((keys.state.as_str(), keys.district.as_str()))
            .or_default()
            .add(entry, keys, endorsed);
    }

    let offices: Vec<OfficeCard> = offices
        .into_iter()
        .map(|((_, _, office_type, _), group)| OfficeCard {
            office_type,
            office_name: usual_spelling(&group.names),
            district: usual_spelling(&group.districts),
            state: usual_spelling(&group.states),
            summary: group.tally.summary(),
            audit_ids: group.ids,
        })
        .collect();
    let districts = districts
        .into_values()
        .map(|group| DistrictCard {
            district: usual_spelling(&group.districts),
            state: usual_spelling(&group.states),
            offices: group.offices.len() as u64,
            summary: group.tally.summary(),
        })
        .collect();
    Scorecard {
        filter: filter.clone(),
        total: total.summary(),
        districts,
        worst: worst(&offices),
        offices,
        message_ids: message_ids.into_iter().collect(),
    }
}

/// The lowest-scoring offices: by score, then more audits first (a low score many audits agree
/// on is the stronger finding), then in the cards' order.
fn worst(offices: &[OfficeCard]) -> Vec<RankedOffice> {
    let mut ranked: Vec<(usize, f64)> = offices
        .iter()
        .enumerate()
        .filter_map(|(index, card)| card.summary.score.map(|score| (index, score)))
        .collect();
    ranked.sort_by(|(a, score_a), (b, score_b)| {
        score_a
            .total_cmp(score_b)
            .then(offices[*b].summary.audits.cmp(&offices[*a].summary.audits))
            .then(a.cmp(b))
    });
    ranked
        .into_iter()
        .take(WORST_OFFICES)
        .map(|(index, score)| {
            let card = &offices[index];
            RankedOffice {
                office_type: card.office_type,
                office_name: card.office_name.clone(),
                district: card.district.clone(),
                state: card.state.clone(),
                score,
                audits: card.summary.audits,
                endorsed_audits: card.summary.endorsed_audits,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
