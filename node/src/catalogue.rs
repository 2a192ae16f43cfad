//! Sangam's words in English, Hindi and Bengali — the terminal app's and the command line's:
//! one Project Fluent catalogue per language (`node/locales/*.ftl`, built into the programs),
//! with each language's plural rules, and the language spoken on this thread.
//!
//! Code names a message by its key, `t!("tab-feed")` or `t!("count-offers", count = 3)`; a key is
//! lowercase words joined by hyphens, written as a literal where it is used, so a test can find
//! every key the code uses and check it in all three languages.

use std::cell::Cell;

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};

/// A language the app speaks.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English.
    #[default]
    English,
    /// Hindi.
    Hindi,
    /// Bengali.
    Bengali,
}

impl Language {
    /// Every language, in the order the switch key goes through them.
    pub const ALL: [Language; 3] = [Language::English, Language::Hindi, Language::Bengali];

    /// Its code (BCP 47).
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Hindi => "hi",
            Language::Bengali => "bn",
        }
    }

    /// Its name, written in itself.
    pub fn name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::Hindi => "हिन्दी",
            Language::Bengali => "বাংলা",
        }
    }

    /// The language after this one.
    pub fn next(self) -> Language {
        let at = Language::ALL.iter().position(|l| *l == self).unwrap_or(0);
        Language::ALL[(at + 1) % Language::ALL.len()]
    }

    /// The language a locale name such as `hi_IN.UTF-8` or `bn-IN` means, if the app speaks it.
    pub fn of_locale(locale: &str) -> Option<Language> {
        let code = locale
            .split(['_', '-', '.', '@'])
            .next()
            .unwrap_or_default();
        Language::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code))
    }

    /// The language the environment asks for (`LC_ALL`, `LC_MESSAGES`, then `LANG`), if the
    /// app speaks it.
    pub fn from_environment() -> Option<Language> {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.is_empty())
            .and_then(|value| Language::of_locale(&value))
    }

    /// Its catalogue, as written.
    pub fn source(self) -> &'static str {
        match self {
            Language::English => include_str!("../locales/en.ftl"),
            Language::Hindi => include_str!("../locales/hi.ftl"),
            Language::Bengali => include_str!("../locales/bn.ftl"),
        }
    }

    fn index(self) -> usize {
        Language::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }
}

/// Bengali readers count in Bengali digits (০–৯); Hindi and English readers in 0–9.
fn bengali_digits<M>(value: &FluentValue, _: &M) -> Option<String> {
    let FluentValue::Number(number) = value else {
        return None;
    };
    Some(in_bengali_digits(&number.as_string()))
}

fn in_bengali_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) if c.is_ascii_digit() => char::from_u32(0x09E6 + d).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// A number written out elsewhere (a score like `3.5`, a count in a column) in the digits of
/// the language spoken.
pub fn digits(number: impl std::fmt::Display) -> String {
    let text = number.to_string();
    match speaking() {
        Language::Bengali => in_bengali_digits(&text),
        _ => text,
    }
}

fn bundle(language: Language) -> FluentBundle<FluentResource> {
    let id = language
        .code()
        .parse()
        .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default());
    let mut bundle = FluentBundle::new(vec![id]);
    // Terminals show the bidi isolation marks Fluent puts around arguments as stray cells.
    bundle.set_use_isolating(false);
    if language == Language::Bengali {
        bundle.set_formatter(Some(bengali_digits));
    }
    // A catalogue with a mistake still gives every message it could read (the catalogue test
    // fails on the mistake); a missing message falls back to English.
    let resource = FluentResource::try_new(language.source().to_string())
        .unwrap_or_else(|(partial, _)| partial);
    let _ = bundle.add_resource(resource);
    bundle
}

/// A way of laying words out (the terminal app's, while it draws a frame).
pub type Layout = fn(&str) -> String;

thread_local! {
    static SPEAKING: Cell<Language> = const { Cell::new(Language::English) };
    static LAYOUT: Cell<Option<Layout>> = const { Cell::new(None) };
    static BUNDLES: [FluentBundle<FluentResource>; 3] = Language::ALL.map(bundle);
}

/// From now on this thread's words are in `language`.
pub fn speak(language: Language) {
    SPEAKING.with(|speaking| speaking.set(language));
}

/// The language this thread's words are in.
pub fn speaking() -> Language {
    SPEAKING.with(Cell::get)
}

fn format_in(language: Language, key: &str, args: Option<&FluentArgs>) -> Option<String> {
    BUNDLES.with(|bundles| {
        let bundle = &bundles[language.index()];
        let pattern = bundle.get_message(key)?.value()?;
        let mut errors = vec![];
        Some(
            bundle
                .format_pattern(pattern, args, &mut errors)
                .into_owned(),
        )
    })
}

/// From now on (until set to `None`) every message on this thread is passed through `layout`
/// before it is returned: the terminal app lays its words out for the terminal while it draws.
pub fn lay_out_with(layout: Option<Layout>) {
    LAYOUT.with(|current| current.set(layout));
}

/// The message `key` in the language spoken, else in English, else the key itself (so a
/// missing message shows as its name rather than failing).
pub fn text(key: &str, args: Option<&FluentArgs>) -> String {
    let words = format_in(speaking(), key, args)
        .or_else(|| format_in(Language::English, key, args))
        .unwrap_or_else(|| key.to_string());
    match LAYOUT.with(Cell::get) {
        Some(layout) => layout(&words),
        None => words,
    }
}

/// The message `key` (without arguments) in `language`, whatever language is spoken.
pub fn text_in(language: Language, key: &str) -> String {
    format_in(language, key, None).unwrap_or_else(|| key.to_string())
}

/// The arguments of a message (for [`t!`](crate::t)).
pub type Args<'a> = FluentArgs<'a>;

/// A message from the catalogue in the language spoken: `t!("tab-feed")`, or with arguments
/// `t!("title-admit", name = "Utthan", role = "member")`.
#[macro_export]
macro_rules! t {
    ($key:literal) => {
        $crate::catalogue::text($key, None)
    };
    ($key:literal, $($name:ident = $value:expr),+ $(,)?) => {{
        let mut args = $crate::catalogue::Args::new();
        $( args.set(stringify!($name), $value); )+
        $crate::catalogue::text($key, Some(&args))
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locale_name_picks_its_language() {
        assert_eq!(Language::of_locale("hi_IN.UTF-8"), Some(Language::Hindi));
        assert_eq!(Language::of_locale("bn-IN"), Some(Language::Bengali));
        assert_eq!(Language::of_locale("en_GB.UTF-8"), Some(Language::English));
        assert_eq!(Language::of_locale("ta_IN"), None);
        assert_eq!(Language::of_locale("C"), None);
    }

    #[test]
    fn plurals_follow_each_language_and_bengali_counts_in_its_digits() {
        speak(Language::English);
        assert_eq!(
            t!("count-new-matching", count = 1),
            "1 new that matches you"
        );
        assert_eq!(t!("count-new-matching", count = 3), "3 new that match you");
        speak(Language::Bengali);
        assert_eq!(
            t!("count-new-matching", count = 12),
            "আপনার সঙ্গে মেলে এমন ১২টি নতুন"
        );
        speak(Language::Hindi);
        assert_eq!(t!("count-new-matching", count = 1), "1 नया, आपसे मेल खाता");
        assert_eq!(t!("count-new-matching", count = 4), "4 नए, आपसे मेल खाते");
        speak(Language::English);
    }

    #[test]
    fn a_missing_message_shows_its_key_instead_of_failing() {
        assert_eq!(text("no-such-message", None), "no-such-message");
    }
}
