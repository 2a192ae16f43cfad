//! The Sangam terminal app: a client of a running node's control API, and the local demo mesh.

pub mod app;
pub mod backend;
pub mod catalogue;
pub mod client;
#[cfg(feature = "demo")]
pub mod demo;
pub mod form;
pub mod keymap;
pub mod labels;
pub mod launcher;
pub mod logfile;
pub mod runtime;
pub mod screen;
pub mod settings;
pub mod setup;
pub mod tab;
pub mod topics;
pub mod view;

pub use sangam_node::t;
