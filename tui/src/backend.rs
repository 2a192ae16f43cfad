//! A backend wrapper that keeps Indic text from shifting the rest of a line.
//!
//! Since the app lays text out as terminals count columns (`crate::screen`), tmux, xterm and
//! VTE agree with ratatui on every cell; this stays as a second line of defence for a terminal
//! whose width tables differ from theirs.
//!
//! ratatui and terminals do not always agree on how many columns a Devanagari or Bengali syllable
//! takes. Left alone, the terminal's cursor drifts from where ratatui believes it is, and the
//! rest of the line lands in the wrong columns. Re-positioning right after the Indic text would
//! draw over its last vowel sign, so this wrapper re-positions at the next gap instead: before a
//! border character, or after two blank cells. Text is drawn whole; columns and borders line up.

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

/// Wraps a backend, re-positioning at the first gap after non-ASCII text.
pub struct AlignedBackend<B>(pub B);

impl<B: Backend> Backend for AlignedBackend<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut run: Vec<(u16, u16, &'a Cell)> = Vec::new();
        let mut drifting = false;
        let mut blanks = 0;
        let mut last_y = None;
        for (x, y, cell) in content {
            let symbol = cell.symbol();
            let border = symbol
                .chars()
                .next()
                .is_some_and(|c| ('\u{2500}'..='\u{257f}').contains(&c));
            if last_y != Some(y) {
                drifting = false;
                blanks = 0;
            }
            if drifting && (border || blanks >= 2) && !run.is_empty() {
                // Each draw call starts by moving the cursor to its first cell.
                self.0.draw(run.drain(..))?;
                drifting = false;
            }
            drifting |= !symbol.is_ascii();
            blanks = if symbol == " " { blanks + 1 } else { 0 };
            last_y = Some(y);
            run.push((x, y, cell));
        }
        self.0.draw(run.into_iter())
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.0.append_lines(n)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.0.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.0.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.0.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.0.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.0.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.0.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.0.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.0.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.0.flush()
    }
}
