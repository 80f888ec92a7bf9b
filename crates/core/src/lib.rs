//! crew's domain: a kernel, every context as pure logic over its own storage traits, and one
//! wiring module that assembles them.
//!
//! No I/O, no clock, no randomness: time, ids and random bytes come in as arguments.
//!
//! - [`kernel`]: errors, ids, value types, roles, import rows, the event log, running commands.
//! - Contexts, each a folder owning its model, rules, events, storage traits, subscribers and the
//!   mail its events cause: [`settings`] (the company's rules), [`iam`], [`hiring`], [`ordering`],
//!   [`matching`], [`mail`], [`billing`] (the ledger).
//! - [`wiring`]: the only module that names every context: the transaction every command gets,
//!   the subscribers and their order, the union of all events.

pub mod kernel;

pub mod bets;
pub mod billing;
pub mod hiring;
pub mod iam;
pub mod mail;
pub mod matching;
pub mod ordering;
pub mod quality;
pub mod settings;
pub mod supplies;

pub mod wiring;

// The kernel's modules at the crate root, for short paths (`crew_core::types::Money`).
pub use kernel::{authz, error, ids, imports, types};

pub use error::{Error, ErrorKind, Result};
