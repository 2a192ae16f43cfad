//! The forms for plain posts — an announcement, a request for help, a shared resource and the
//! collective's profile: the fields each asks for and the body each makes.

use sangam_protocol::Body;
use sangam_protocol::kinds::{Announcement, MentoringRequest, Profile, Resource, Urgency};

use super::{Field, field, split_list, topic_of};
use crate::t;

/// An announcement's fields: title, text, tags.
pub(super) fn announcement_fields() -> Vec<Field> {
    vec![
        field(
            t!("field-title"),
            "title",
            true,
            t!("hint-announcement-title"),
        ),
        field(
            t!("field-text"),
            "body",
            false,
            t!("hint-announcement-text"),
        ),
        field(t!("field-tags"), "tags", false, t!("hint-tags-example")),
    ]
}

/// A request's fields: topic (from a list in plain words), title, what is needed, region,
/// language, urgency.
pub(super) fn request_fields() -> Vec<Field> {
    vec![
        field(t!("field-topic"), "topic", true, crate::topics::choices()),
        field(t!("field-title"), "title", true, t!("hint-request-title")),
        field(
            t!("field-what-is-needed"),
            "description",
            false,
            t!("hint-request-needed"),
        ),
        field(t!("field-region"), "region", false, t!("hint-region")),
        field(
            t!("field-language"),
            "language",
            false,
            t!("hint-language-field"),
        ),
        field(t!("field-urgency"), "urgency", false, t!("hint-urgency")),
    ]
}

/// A resource's fields: title, description, link, tags.
pub(super) fn resource_fields() -> Vec<Field> {
    vec![
        field(t!("field-title"), "title", true, t!("hint-resource-title")),
        field(
            t!("field-description"),
            "description",
            false,
            t!("hint-resource-description"),
        ),
        field(t!("field-link"), "link", false, t!("hint-link")),
        field(t!("field-tags"), "tags", false, t!("hint-comma-separated")),
    ]
}

/// The profile's fields: name, state, district, what the collective offers, languages, about.
pub(super) fn profile_fields() -> Vec<Field> {
    vec![
        field(t!("field-name"), "name", true, t!("hint-profile-name")),
        field(t!("field-state"), "state", false, String::new()),
        field(t!("field-district"), "district", false, String::new()),
        field(
            t!("field-focus-areas"),
            "focus areas",
            false,
            t!("hint-focus-areas"),
        ),
        field(
            t!("field-languages"),
            "languages",
            false,
            t!("hint-comma-separated"),
        ),
        field(t!("field-about"), "about", false, t!("hint-about")),
    ]
}

/// The announcement the fields make.
pub(super) fn announcement(v: impl Fn(usize) -> String) -> Body {
    Body::Announcement(Announcement {
        title: v(0),
        body: v(1),
        tags: split_list(&v(2)),
        expires_at: None,
    })
}

/// The request the fields make, or why the urgency is not understood.
pub(super) fn request(v: impl Fn(usize) -> String) -> Result<Body, String> {
    let urgency = match v(5).to_lowercase().as_str() {
        "" | "normal" => Urgency::Normal,
        "low" => Urgency::Low,
        "high" | "urgent" => Urgency::High,
        word if word == t!("urgency-low") => Urgency::Low,
        word if word == t!("urgency-normal") => Urgency::Normal,
        word if word == t!("urgency-high") => Urgency::High,
        _ => return Err(t!("problem-urgency")),
    };
    let topic = topic_of(&v(0));
    Ok(Body::MentoringRequest(MentoringRequest {
        topic,
        title: v(1),
        description: v(2),
        region: v(3),
        language: v(4),
        urgency,
        expires_at: None,
    }))
}

/// The resource the fields make.
pub(super) fn resource(v: impl Fn(usize) -> String) -> Body {
    Body::Resource(Resource {
        title: v(0),
        description: v(1),
        tags: split_list(&v(3)),
        link: Some(v(2)).filter(|l| !l.is_empty()),
        file_hash: None,
    })
}

/// The profile the fields make.
pub(super) fn profile(v: impl Fn(usize) -> String) -> Body {
    Body::Profile(Profile {
        name: v(0),
        state: v(1),
        district: v(2),
        focus_areas: split_list(&v(3)),
        languages: split_list(&v(4)),
        about: v(5),
    })
}
