//! Multi-node and end-to-end tests for Sangam live in `tests/`.
