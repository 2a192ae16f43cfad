//! Text laid out the way terminals lay it out.
//!
//! Terminals (tmux, xterm, GNOME Terminal's VTE) give one column to every character except
//! non-spacing and enclosing marks and format characters. The `unicode-width` crate, by which
//! ratatui lays text out, also gives none to the few *spacing* marks that extend a grapheme —
//! Bengali া (U+09BE) and ৗ (U+09D7), Oriya, Tamil, Kannada and Malayalam length marks. Left
//! alone, every such vowel sign runs the terminal's cursor one column ahead of where ratatui
//! believes it is, and the rest of the line is drawn over itself: spaces vanish and letters are
//! overwritten ("শনিবার সকাল" shown as "শনিবারসকাল").
//!
//! So the app hands ratatui its text with each such mark replaced by a stand-in from a
//! private-use plane ([`for_screen`]): `unicode-width` counts a stand-in as one column and it is
//! a grapheme of its own, so wrapping, truncation and the cells ratatui fills agree with the
//! terminal. [`restore`] puts the real marks back into the finished frame before it is drawn;
//! each lands in the cell the terminal gives it, so every letter reaches the screen in order.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use serde::Serialize;
use serde::de::DeserializeOwned;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use unicode_width::UnicodeWidthChar;

/// Where stand-ins for marks of the Basic Multilingual Plane start (Supplementary Private Use
/// Area-A).
const BMP_STAND_INS: u32 = 0xF0000;
/// Where stand-ins for marks beyond it start (Supplementary Private Use Area-B).
const ASTRAL_STAND_INS: u32 = 0x100000;

/// Whether terminals give `c` a column that `unicode-width` does not: a spacing mark that
/// extends a grapheme.
fn needs_stand_in(c: char) -> bool {
    c.width() == Some(0) && c.general_category() == GeneralCategory::SpacingMark
}

fn stand_in(c: char) -> char {
    let code = c as u32;
    let stand_in = if code < 0x10000 {
        BMP_STAND_INS + code
    } else {
        ASTRAL_STAND_INS + (code - 0x10000)
    };
    char::from_u32(stand_in).unwrap_or(c)
}

/// The mark `c` stands in for, if it is a stand-in.
fn original(c: char) -> Option<char> {
    let code = c as u32;
    let mark = match code {
        0xF0000..=0xFFFFD => code - BMP_STAND_INS,
        0x100000..=0x10FFFD => code - ASTRAL_STAND_INS + 0x10000,
        _ => return None,
    };
    char::from_u32(mark).filter(|m| needs_stand_in(*m))
}

/// `text` ready for ratatui: each spacing mark that extends a grapheme replaced by its
/// stand-in (nothing is copied when there is none).
pub fn for_screen(text: &str) -> Cow<'_, str> {
    if text.is_ascii() || !text.chars().any(needs_stand_in) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if needs_stand_in(c) { stand_in(c) } else { c })
            .collect(),
    )
}

/// The same text with the real marks back (for anything read off the screen).
pub fn from_screen(text: &str) -> String {
    text.chars().map(|c| original(c).unwrap_or(c)).collect()
}

/// Puts the real marks back into every cell of a finished frame.
pub fn restore(buffer: &mut Buffer) {
    for cell in buffer.content.iter_mut() {
        let symbol = cell.symbol();
        if !symbol.is_ascii() && symbol.chars().any(|c| original(c).is_some()) {
            let restored = from_screen(symbol);
            cell.set_symbol(&restored);
        }
    }
}

/// Columns a terminal gives `text`: glibc's `wcwidth` (which tmux and xterm use) and VTE give
/// none to non-spacing and enclosing marks and format characters, two to wide characters, one
/// to everything else.
pub fn terminal_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c.general_category() {
            GeneralCategory::NonspacingMark
            | GeneralCategory::EnclosingMark
            | GeneralCategory::Format => 0,
            _ => c.width().unwrap_or(0).max(1),
        })
        .sum()
}

/// A copy of `value` with every string in it ready for the screen (through its serde form, so
/// every text field of a message body is covered). Falls back to a plain copy.
pub fn value_for_screen<T: Serialize + DeserializeOwned + Clone>(value: &T) -> T {
    let Ok(mut json) = serde_json::to_value(value) else {
        return value.clone();
    };
    if !strings_for_screen(&mut json) {
        return value.clone();
    }
    serde_json::from_value(json).unwrap_or_else(|_| value.clone())
}

/// Makes every string in `json` ready for the screen; whether any changed.
fn strings_for_screen(json: &mut serde_json::Value) -> bool {
    match json {
        serde_json::Value::String(text) => match for_screen(text) {
            Cow::Owned(changed) => {
                *text = changed;
                true
            }
            Cow::Borrowed(_) => false,
        },
        // Every string is visited (no stopping at the first that changed).
        serde_json::Value::Array(values) => {
            let mut changed = false;
            for value in values {
                changed |= strings_for_screen(value);
            }
            changed
        }
        serde_json::Value::Object(map) => {
            let mut changed = false;
            for value in map.values_mut() {
                changed |= strings_for_screen(value);
            }
            changed
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::text::Line;
    use ratatui::widgets::{Paragraph, Widget};

    use super::*;

    const BENGALI: &str = "শনিবার সকাল ১০টা, ডায়মন্ড হারবার। সব সংগঠনকে স্বাগত।";
    const HINDI: &str = "कार्यशाला: मुआवज़ा दावे, शनिवार सुबह 10 बजे";

    #[test]
    fn text_for_the_screen_is_as_wide_as_terminals_draw_it() {
        for text in [BENGALI, HINDI, "কর্মশালা: ক্ষতিপূরণের আবেদন", "ঐ ৗ ো"]
        {
            let shown = for_screen(text);
            assert_eq!(
                Line::from(shown.as_ref()).width(),
                terminal_width(text),
                "{text}"
            );
            assert_eq!(from_screen(&shown), text);
        }
        // Nothing to do: nothing copied.
        assert!(matches!(for_screen("Utthan"), Cow::Borrowed(_)));
        assert!(matches!(for_screen(HINDI), Cow::Borrowed(_)));
    }

    /// What a terminal is sent for a row: each cell's symbol, leaving out the cells a wider
    /// symbol covers (ratatui never sends them), and how many columns that takes.
    fn drawn(buffer: &Buffer) -> (String, usize) {
        let (mut text, mut columns, mut covered) = (String::new(), 0, 0);
        for cell in &buffer.content {
            if covered > 0 {
                covered -= 1;
                continue;
            }
            text.push_str(cell.symbol());
            covered = Line::from(cell.symbol()).width().saturating_sub(1);
            columns += terminal_width(cell.symbol()).max(1);
        }
        (text, columns)
    }

    #[test]
    fn a_drawn_line_holds_every_letter_in_order_with_its_spaces() {
        let area = Rect::new(0, 0, 60, 1);
        let mut buffer = Buffer::empty(area);
        Paragraph::new(for_screen(BENGALI).into_owned()).render(area, &mut buffer);
        restore(&mut buffer);
        let (text, columns) = drawn(&buffer);
        assert_eq!(text.trim_end(), BENGALI);
        // Where ratatui put each cell is where the terminal's cursor is when it is drawn.
        assert_eq!(columns, 60);
    }

    #[test]
    fn message_bodies_are_covered_through_their_fields() {
        use sangam_protocol::Body;
        use sangam_protocol::kinds::Announcement;
        let body = Body::Announcement(Announcement {
            title: "কর্মশালা".into(),
            body: BENGALI.into(),
            tags: vec!["সভা".into()],
            expires_at: None,
        });
        let Body::Announcement(shown) = value_for_screen(&body) else {
            panic!("same kind")
        };
        assert_eq!(shown.body, for_screen(BENGALI));
        assert_eq!(shown.tags, vec![for_screen("সভা").into_owned()]);
    }
}
