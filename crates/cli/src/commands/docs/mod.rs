//! `crew completions SHELL` and `crew man`: top-level commands that need no database.

pub mod completions;
pub mod man;
