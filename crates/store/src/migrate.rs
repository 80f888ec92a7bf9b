//! Forward-only migrations, tracked in SQLite's `user_version`. Never edit a released migration;
//! add the next one.

use crew_core::error::{Error, Result};
use rusqlite::{Connection, TransactionBehavior};

use crate::row::internal;

const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_foundation.sql"),
    include_str!("migrations/0002_matching.sql"),
    include_str!("migrations/0003_mail.sql"),
    include_str!("migrations/0004_hiring.sql"),
    include_str!("migrations/0005_settings.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(crate) fn apply(conn: &mut Connection) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(internal)?;
    if current == SCHEMA_VERSION {
        return Ok(());
    }
    if current > SCHEMA_VERSION {
        return Err(Error::conflict(format!(
            "the database has schema version {current}, newer than this crew knows ({SCHEMA_VERSION}); upgrade crew"
        )));
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(internal)?;
    // Another process may have migrated while we waited for the lock.
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(internal)?;
    for (i, migration) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(migration).map_err(|e| Error::internal(format!("migration {} failed: {e}", i + 1)))?;
        tx.pragma_update(None, "user_version", (i + 1) as i64).map_err(internal)?;
    }
    tx.commit().map_err(internal)
}
