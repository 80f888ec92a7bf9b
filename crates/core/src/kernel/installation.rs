//! The installation: what tells one crew database apart from every other.
//!
//! Idempotency keys crew sends to outside services (the cookie contractor, the money services)
//! start with the installation key, so two databases — a demo and production sharing a
//! contractor account, or a company's database made anew after a wipe — never send the same key
//! for different things. Without it a fresh database's first kit (`kit-1`) would be answered with
//! the cookie an older database ordered under the same key.

use crate::error::Result;

/// Where the database keeps its installation key.
pub trait InstallationRead {
    /// The installation key: 16 lowercase hexadecimal digits, random, made by the database once
    /// (when `crew init` creates the schema, or when the migration that added it ran on an older
    /// database), never changed afterwards.
    fn installation_key(&mut self) -> Result<String>;
}
