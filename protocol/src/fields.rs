//! The bounds every text field of a message body is checked against: length in characters,
//! emptiness, control characters (which could rewrite a reader's terminal), invisible and
//! direction-changing characters (which could make one name display as another), list sizes.

use crate::error::Error;
use crate::limits::{MAX_TAG, MAX_TAGS};

/// A one-line field: no control characters at all.
pub(crate) fn line(
    field: &'static str,
    value: &str,
    max: usize,
    required: bool,
) -> Result<(), Error> {
    bounded(field, value, max, required, |c| c.is_control())
}

/// A multi-line field: newlines and tabs allowed, other control characters not.
pub(crate) fn text(
    field: &'static str,
    value: &str,
    max: usize,
    required: bool,
) -> Result<(), Error> {
    bounded(field, value, max, required, |c| {
        c.is_control() && c != '\n' && c != '\t'
    })
}

fn bounded(
    field: &'static str,
    value: &str,
    max: usize,
    required: bool,
    forbidden: impl Fn(char) -> bool,
) -> Result<(), Error> {
    let len = value.chars().count();
    if len > max {
        return Err(Error::FieldTooLong { field, len, max });
    }
    if required && value.trim().is_empty() {
        return Err(Error::FieldEmpty { field });
    }
    if value.chars().any(forbidden) {
        return Err(Error::ControlCharacters { field });
    }
    if value.chars().any(is_invisible) {
        return Err(Error::InvisibleCharacters { field });
    }
    Ok(())
}

/// Characters that change how text around them is shown without being seen themselves: bidi
/// controls (which can make one collective's name display as another's, or reorder a title) and
/// zero-width or invisible characters (which make two names that look the same differ). ZWJ
/// (U+200D) and ZWNJ (U+200C) are *not* in the class: Bengali and Hindi need them to choose how
/// letters join.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        // Bidi: ALM, LRM, RLM, LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI.
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        // Zero-width and invisible: ZWSP, word joiner, invisible operators, BOM / ZWNBSP,
        // soft hyphen, Mongolian vowel separator, combining grapheme joiner, Hangul fillers.
        | '\u{200B}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}'
        | '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}'
    )
}

pub(crate) fn list(field: &'static str, values: &[String]) -> Result<(), Error> {
    if values.len() > MAX_TAGS {
        return Err(Error::TooManyEntries {
            field,
            len: values.len(),
            max: MAX_TAGS,
        });
    }
    values
        .iter()
        .try_for_each(|value| line(field, value, MAX_TAG, true))
}
