//! The app's words: Sangam's catalogue (`sangam_node::catalogue`, shared with the command line),
//! laid out for the terminal while a frame is drawn, and the [`t!`](crate::t) macro the app
//! names its messages with.

pub use sangam_node::catalogue::*;

/// Whether a frame is being drawn on this thread: words are then laid out for the terminal
/// (see [`crate::screen`]), as the app's other text is in the copy a frame is drawn from.
pub fn drawing(on: bool) {
    lay_out_with(on.then_some(for_terminal as Layout));
}

fn for_terminal(words: &str) -> String {
    crate::screen::for_screen(words).into_owned()
}

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
