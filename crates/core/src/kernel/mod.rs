//! The kernel: what every context builds on, knowing none of them.
//!
//! Errors and their kinds, typed ids, validated value types, the roles and the permission matrix,
//! import rows, the event log, and running a command (its [`command::Ctx`], recording events,
//! subscribers and their dispatch). Nothing here imports a context; `cargo test` checks that no
//! `use crate::<context>` appears under `kernel/`.

pub mod authz;
pub mod clock;
pub mod command;
pub mod error;
pub mod events;
pub mod ids;
pub mod imports;
pub mod installation;
pub mod types;
