//! Request topics in plain words: the names the design gives them (`legal_aid`) shown in the
//! language spoken, typed as a number or in words in any of the app's languages, and matched
//! against what a collective says it offers.

use sangam_protocol::kinds::TOPICS;

use crate::catalogue::{self, Language};
use crate::t;

/// The known topics and the catalogue keys of their words.
const WORDS: [(&str, &str); 5] = [
    ("victim_compensation", "topic-victim-compensation"),
    ("legal_aid", "topic-legal-aid"),
    ("livelihoods", "topic-livelihoods"),
    ("leadership_training", "topic-leadership-training"),
    ("trauma_support", "topic-trauma-support"),
];

/// A known topic in the language spoken.
fn known_in_words(topic: &str) -> Option<String> {
    let (_, key) = WORDS.iter().find(|(known, _)| *known == topic)?;
    Some(catalogue::text(key, None))
}

/// A topic in words: a known one in the language spoken, any other as it was written.
pub fn in_words(topic: &str) -> String {
    known_in_words(topic).unwrap_or_else(|| topic.replace('_', " "))
}

/// The choice of topics for a form's hint: "1 legal aid · 2 …, or your own words".
pub fn choices() -> String {
    let listed: Vec<String> = TOPICS
        .iter()
        .enumerate()
        .map(|(i, topic)| format!("{} {}", i + 1, in_words(topic)))
        .collect();
    t!("topic-choices", topics = listed.join(" · "))
}

fn simplified(words: &str) -> String {
    words.trim().to_lowercase().replace([' ', '-'], "_")
}

thread_local! {
    /// Every known topic's words in every language, simplified, to the topic: looked up for
    /// each request on screen, so made once.
    static IN_ANY_LANGUAGE: Vec<(String, &'static str)> = Language::ALL
        .into_iter()
        .flat_map(|language| {
            WORDS
                .iter()
                .map(move |(topic, key)| (simplified(&catalogue::text_in(language, key)), *topic))
        })
        .collect();
}

/// The known topic `words` names in any of the app's languages, if any.
fn known_topic(words: &str) -> Option<&'static str> {
    let wanted = simplified(words);
    if let Some(topic) = TOPICS.iter().find(|t| **t == wanted) {
        return Some(topic);
    }
    IN_ANY_LANGUAGE.with(|words| {
        words
            .iter()
            .find(|(known, _)| *known == wanted)
            .map(|(_, topic)| *topic)
    })
}

/// A request's topic from what was typed: a known topic's number or its words (in any of the
/// app's languages) become its name, like `legal_aid`; other words are kept as typed.
pub fn topic_of(typed: &str) -> String {
    let number = typed.trim().parse::<usize>().ok();
    if let Some(topic) = number.and_then(|n| TOPICS.get(n.checked_sub(1)?)) {
        return topic.to_string();
    }
    match known_topic(typed) {
        Some(topic) => topic.to_string(),
        None => typed.trim().to_string(),
    }
}

/// Whether a request on `topic` matches what a collective offers (its profile's focus areas,
/// in any of the app's languages, or a topic's number).
pub fn matches(topic: &str, offers: &[String]) -> bool {
    let topic = simplified(&topic_of(topic));
    !topic.is_empty()
        && offers
            .iter()
            .any(|offered| simplified(&topic_of(offered)) == topic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_topic_is_chosen_by_number_or_in_plain_words_in_any_language() {
        assert_eq!(topic_of("1"), "victim_compensation");
        assert_eq!(topic_of(" 5 "), "trauma_support");
        assert_eq!(topic_of("Leadership training"), "leadership_training");
        assert_eq!(topic_of("कानूनी सहायता"), "legal_aid");
        assert_eq!(topic_of("আইনি সহায়তা"), "legal_aid");
        assert_eq!(topic_of("Health camp"), "Health camp");
        assert_eq!(topic_of("9"), "9");
    }

    #[test]
    fn a_request_matches_a_collective_that_offers_its_topic_in_any_words() {
        let offers = vec!["Legal aid".to_string(), "स्वास्थ्य".to_string()];
        assert!(matches("legal_aid", &offers));
        assert!(matches("legal_aid", &["আইনি সহায়তা".to_string()]));
        assert!(matches("Health camp", &["health camp".to_string()]));
        assert!(!matches("livelihoods", &offers));
        assert!(!matches("legal_aid", &[]));
    }
}
