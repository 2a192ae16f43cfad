//! What `sangam post` takes, and turning it into a message body.

use anyhow::{Result, anyhow};
use clap::{Subcommand, ValueEnum};
use sangam_protocol::audit::{Audit, Endorsement, OfficeType, Outcome, Ratings, personal_details};
use sangam_protocol::kinds::{Announcement, MentoringRequest, Offer, Profile, Resource, Urgency};
use sangam_protocol::{Body, MessageId};

use super::parse_id;
use super::text::long_text;
use sangam_node::clock::now_ms;

/// Urgency on the command line.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum UrgencyArg {
    /// Whenever someone can.
    Low,
    /// Within days.
    Normal,
    /// As soon as possible.
    High,
}

/// Things to publish.
#[derive(Subcommand, Debug)]
pub enum PostCommand {
    /// An announcement: a workshop, a legal win, a campaign.
    Announcement {
        /// Title.
        #[arg(long)]
        title: String,
        /// Text. Left out: read from standard input (it then stays out of
        /// shell history and the process list).
        #[arg(long)]
        body: Option<String>,
        /// A tag (repeatable).
        #[arg(long)]
        tag: Vec<String>,
        /// How long it stays relevant, e.g. 7d, 12h.
        #[arg(long)]
        expires: Option<String>,
        /// Seal it for this collective (name or id, repeatable, up to 8): only they and you
        /// can read it.
        #[arg(long = "for", value_name = "COLLECTIVE")]
        for_collective: Vec<String>,
    },
    /// A request for mentoring or help.
    Request {
        /// Topic, e.g. victim_compensation, legal_aid, livelihoods, leadership_training,
        /// trauma_support.
        #[arg(long)]
        topic: String,
        /// Title.
        #[arg(long)]
        title: String,
        /// What is needed. Left out: read from standard input (it then stays out of
        /// shell history and the process list).
        #[arg(long)]
        body: Option<String>,
        /// Where help is needed.
        #[arg(long, default_value = "")]
        region: String,
        /// Preferred language.
        #[arg(long, default_value = "")]
        language: String,
        /// How urgent.
        #[arg(long, value_enum, default_value_t = UrgencyArg::Normal)]
        urgency: UrgencyArg,
        /// How long the request stays open, e.g. 30d.
        #[arg(long)]
        expires: Option<String>,
    },
    /// An offer answering a request.
    Offer {
        /// The request's id.
        #[arg(long)]
        to: String,
        /// What you offer. Left out: read from standard input (it then stays out of
        /// shell history and the process list).
        #[arg(long)]
        body: Option<String>,
        /// Seal it: only the collective that asked (and you) can read it.
        #[arg(long, conflicts_with = "public")]
        sealed: bool,
        /// Post it for everyone even if it looks like it holds a phone number or an address.
        #[arg(long)]
        public: bool,
    },
    /// A shared resource.
    Resource {
        /// Title.
        #[arg(long)]
        title: String,
        /// What it is. Left out: read from standard input (it then stays out of
        /// shell history and the process list).
        #[arg(long)]
        body: Option<String>,
        /// Where to find it.
        #[arg(long)]
        link: Option<String>,
        /// A tag (repeatable).
        #[arg(long)]
        tag: Vec<String>,
        /// Seal it for this collective (name or id, repeatable, up to 8): only they and you
        /// can read it.
        #[arg(long = "for", value_name = "COLLECTIVE")]
        for_collective: Vec<String>,
    },
    /// An audit of one interaction with a public office, for the forum's score cards. About the
    /// office, never about a person: no names, phone numbers or addresses in the note.
    Audit {
        /// The kind of office: ahtu, police_station, shelter_home, child_welfare_committee,
        /// dlsa, labour_department, health, scheme_office, court, other.
        #[arg(long)]
        office_type: String,
        /// The office's name, e.g. "AHTU South 24 Parganas".
        #[arg(long)]
        office: String,
        /// District.
        #[arg(long)]
        district: String,
        /// State.
        #[arg(long)]
        state: String,
        /// The day of the interaction, e.g. 2026-11-20.
        #[arg(long)]
        date: String,
        /// What was sought, e.g. FIR, "compensation application", "release order".
        #[arg(long)]
        sought: String,
        /// Ratings 1 (worst) to 5 (best), or na, in this order: responsiveness, respect and
        /// dignity, timeliness, outcome. E.g. 2,3,1,na.
        #[arg(long)]
        ratings: String,
        /// How it ended: granted, partly, refused or pending.
        #[arg(long)]
        outcome: String,
        /// A short note about the office (optional).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Endorse another collective's audit: you witnessed the same interaction.
    Endorsement {
        /// The audit's id.
        #[arg(long)]
        audit: String,
        /// A short note (optional).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// This collective's profile.
    Profile {
        /// Name.
        #[arg(long)]
        name: String,
        /// State.
        #[arg(long, default_value = "")]
        state: String,
        /// District.
        #[arg(long, default_value = "")]
        district: String,
        /// A focus area (repeatable).
        #[arg(long)]
        focus: Vec<String>,
        /// A language (repeatable).
        #[arg(long)]
        language: Vec<String>,
        /// About the collective.
        #[arg(long, default_value = "")]
        about: String,
    },
}

fn expiry(text: &Option<String>) -> Result<Option<u64>> {
    let Some(text) = text else { return Ok(None) };
    let duration = humantime::parse_duration(text)
        .map_err(|_| anyhow!("`{text}` is not a duration; write it like 7d, 12h or 30m"))?;
    Ok(Some(now_ms().saturating_add(duration.as_millis() as u64)))
}

/// Whom a post is sealed for, as the command line said.
pub(super) enum SealFor {
    /// Nobody: everyone in the network reads it.
    Nobody,
    /// The author of this request (an offer sealed to the collective that asked).
    Requester(MessageId),
    /// These collectives, by name or id.
    Named(Vec<String>),
}

/// Whom `what` is to be sealed for; an unsealed offer that looks like it holds contact details
/// is stopped with a sentence saying how to seal it (or to post it anyway).
pub(super) fn seal_of(what: &PostCommand) -> Result<SealFor> {
    Ok(match what {
        PostCommand::Offer {
            to, sealed: true, ..
        } => SealFor::Requester(parse_id(to)?),
        PostCommand::Offer {
            body: Some(body),
            public: false,
            ..
        } if personal_details(body).is_some() => {
            return Err(anyhow!(
                "this offer looks like it holds {}: add --sealed so only the collective that \
                 asked can read it, or --public to post it for everyone",
                personal_details(body).unwrap_or("contact details")
            ));
        }
        PostCommand::Announcement { for_collective, .. }
        | PostCommand::Resource { for_collective, .. }
            if !for_collective.is_empty() =>
        {
            SealFor::Named(for_collective.clone())
        }
        _ => SealFor::Nobody,
    })
}

pub(super) fn body_of(what: PostCommand) -> Result<Body> {
    Ok(match what {
        PostCommand::Announcement {
            title,
            body,
            tag,
            expires,
            ..
        } => Body::Announcement(Announcement {
            title,
            body: long_text(body, "announcement's text")?,
            tags: tag,
            expires_at: expiry(&expires)?,
        }),
        PostCommand::Request {
            topic,
            title,
            body,
            region,
            language,
            urgency,
            expires,
        } => {
            let urgency = match urgency {
                UrgencyArg::Low => Urgency::Low,
                UrgencyArg::Normal => Urgency::Normal,
                UrgencyArg::High => Urgency::High,
            };
            Body::MentoringRequest(MentoringRequest {
                topic,
                title,
                description: long_text(body, "request's description")?,
                region,
                language,
                urgency,
                expires_at: expiry(&expires)?,
            })
        }
        PostCommand::Offer { to, body, .. } => Body::Offer(Offer {
            request: parse_id(&to)?,
            body: long_text(body, "offer")?,
        }),
        PostCommand::Resource {
            title,
            body,
            link,
            tag,
            ..
        } => Body::Resource(Resource {
            title,
            description: long_text(body, "resource's description")?,
            tags: tag,
            link,
            file_hash: None,
        }),
        PostCommand::Profile {
            name,
            state,
            district,
            focus,
            language,
            about,
        } => Body::Profile(Profile {
            name,
            state,
            district,
            focus_areas: focus,
            languages: language,
            about,
        }),
        PostCommand::Audit {
            office_type,
            office,
            district,
            state,
            date,
            sought,
            ratings,
            outcome,
            note,
        } => Body::Audit(Audit {
            office_type: office_type_named(&office_type)?,
            office_name: office,
            district,
            state,
            date,
            sought,
            ratings: ratings_of(&ratings)?,
            outcome: Outcome::from_name(&outcome).ok_or_else(|| {
                anyhow!("`{outcome}` is not an outcome; use granted, partly, refused or pending")
            })?,
            note,
        }),
        PostCommand::Endorsement { audit, note } => Body::Endorsement(Endorsement {
            audit: parse_id(&audit)?,
            note,
        }),
    })
}

/// The office type named on the command line, or a sentence listing them.
pub(super) fn office_type_named(name: &str) -> Result<OfficeType> {
    OfficeType::from_name(name).ok_or_else(|| {
        anyhow!(
            "`{name}` is not an office type; use one of: {}",
            OfficeType::ALL.map(OfficeType::name).join(", ")
        )
    })
}

/// Four ratings, `2,3,1,na`: each 1–5, or `na` (or 0) for not applicable.
fn ratings_of(text: &str) -> Result<Ratings> {
    let wrong = || {
        anyhow!(
            "`{text}` is not four ratings; write four numbers from 1 to 5 (or na) separated by \
             commas, like 2,3,1,na"
        )
    };
    let values: Vec<u8> = text
        .split(',')
        .map(|part| match part.trim() {
            "na" | "n/a" | "-" => Some(0),
            number => number.parse::<u8>().ok().filter(|n| *n <= 5),
        })
        .collect::<Option<_>>()
        .ok_or_else(wrong)?;
    let [responsiveness, dignity, timeliness, outcome] = values[..] else {
        return Err(wrong());
    };
    Ok(Ratings {
        responsiveness,
        dignity,
        timeliness,
        outcome,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_are_four_numbers_or_na() {
        let ratings = ratings_of("2, 3,1,na").unwrap();
        assert_eq!(
            (
                ratings.responsiveness,
                ratings.dignity,
                ratings.timeliness,
                ratings.outcome
            ),
            (2, 3, 1, 0)
        );
        for wrong in ["2,3,1", "2,3,1,6", "a,b,c,d", "2,3,1,4,5", ""] {
            let error = ratings_of(wrong).unwrap_err().to_string();
            assert!(error.contains("like 2,3,1,na"), "{wrong}: {error}");
        }
    }
}
