//! The words for things on screen, in the language spoken: shared with the command line
//! (`sangam_node::labels`).

pub use sangam_node::labels::*;
