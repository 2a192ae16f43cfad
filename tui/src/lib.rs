//! The Sangam terminal app: a client of a running node's control API, and the local demo mesh.

pub mod app;
pub mod backend;
pub mod client;
#[cfg(feature = "demo")]
pub mod demo;
pub mod form;
pub mod keymap;
pub mod logfile;
pub mod runtime;
pub mod screen;
pub mod tab;
pub mod view;
