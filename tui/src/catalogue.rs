//! The app's words: Sangam's catalogue (`sangam_node::catalogue`, shared with the command line),
//! laid out for the terminal while a frame is drawn. The app names its messages with the
//! catalogue's own [`t!`](crate::t) macro.

pub use sangam_node::catalogue::*;

/// Whether a frame is being drawn on this thread: words are then laid out for the terminal
/// (see [`crate::screen`]), as the app's other text is in the copy a frame is drawn from.
pub fn drawing(on: bool) {
    lay_out_with(on.then_some(for_terminal as Layout));
}

fn for_terminal(words: &str) -> String {
    crate::screen::for_screen(words).into_owned()
}
