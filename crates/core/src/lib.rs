//! crew's domain: every context as pure logic over the storage traits of [`store`].
//!
//! No I/O, no clock, no randomness: time, ids and random bytes come in as arguments.

pub mod app;
pub mod authz;
pub mod error;
pub mod events;
pub mod hiring;
pub mod iam;
pub mod ids;
pub mod imports;
pub mod mail;
pub mod matching;
pub mod ordering;
pub mod store;
pub mod types;

pub use error::{Error, ErrorKind, Result};
