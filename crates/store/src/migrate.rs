//! Forward-only migrations, tracked in SQLite's `user_version`. Never edit a released migration;
//! add the next one.

use crew_core::error::{Error, Result};
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, TransactionBehavior};
use unicode_normalization::UnicodeNormalization;

use crate::database_file::{APPLICATION_ID, Identity, identify};
use crate::row::internal;

pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_foundation.sql"),
    include_str!("migrations/0002_matching.sql"),
    include_str!("migrations/0003_mail.sql"),
    include_str!("migrations/0004_hiring.sql"),
    include_str!("migrations/0005_settings.sql"),
    include_str!("migrations/0006_identity_nfc.sql"),
    include_str!("migrations/0007_sessions.sql"),
    include_str!("migrations/0008_clock.sql"),
    include_str!("migrations/0009_mail_classes_and_digests.sql"),
    include_str!("migrations/0010_billing_ledger.sql"),
    include_str!("migrations/0011_billing_cycles.sql"),
    include_str!("migrations/0012_supplies.sql"),
    include_str!("migrations/0013_quality.sql"),
    include_str!("migrations/0014_supplies_one_open_kit.sql"),
    include_str!("migrations/0015_installation.sql"),
    include_str!("migrations/0016_quality_hypotheses_closed.sql"),
    include_str!("migrations/0017_bets.sql"),
    include_str!("migrations/0018_billing_manager_cycle.sql"),
    include_str!("migrations/0019_billing_collection_retries.sql"),
    include_str!("migrations/0020_matching_time.sql"),
    include_str!("migrations/0021_applications_status_without_in.sql"),
    include_str!("migrations/0022_outbox_status_without_in.sql"),
    include_str!("migrations/0023_intake_indexes.sql"),
];

/// Writes the schema of an older crew, `version` (1 to [`SCHEMA_VERSION`]), into an empty SQLite
/// file: for tests of what migrations do to databases older crews left. Not for production use.
#[doc(hidden)]
pub fn write_old_schema(path: &std::path::Path, version: usize) -> Result<()> {
    let conn = Connection::open(path).map_err(internal)?;
    register_nfc(&conn)?;
    for migration in &MIGRATIONS[..version] {
        conn.execute_batch(migration).map_err(internal)?;
    }
    conn.pragma_update(None, "user_version", version as i64).map_err(internal)
}

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Makes an empty database a crew database: marks it with crew's `application_id` and applies
/// every migration, in one transaction. Refuses (changing nothing) if it is not empty by the time
/// the write lock is held: another `crew init` may have got there first.
pub(crate) fn create(conn: &mut Connection) -> Result<()> {
    register_nfc(conn)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(internal)?;
    if identify(&tx).map_err(internal)? != Identity::Empty {
        return Err(Error::conflict("the file already holds a database; crew init makes a new database"));
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID).map_err(internal)?;
    for (i, migration) in MIGRATIONS.iter().enumerate() {
        tx.execute_batch(migration).map_err(|e| Error::internal(format!("migration {} failed: {e}", i + 1)))?;
        tx.pragma_update(None, "user_version", (i + 1) as i64).map_err(internal)?;
    }
    tx.commit().map_err(internal)
}

/// Applies the migrations an existing crew database lacks (its identity is checked by the caller).
pub(crate) fn apply(conn: &mut Connection) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(internal)?;
    if current >= SCHEMA_VERSION {
        return newer(current);
    }
    register_nfc(conn)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(internal)?;
    // Another process may have migrated while we waited for the lock.
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(internal)?;
    if current >= SCHEMA_VERSION {
        return newer(current);
    }
    // Databases made before crew marked its files get the mark with their next migration.
    tx.pragma_update(None, "application_id", APPLICATION_ID).map_err(internal)?;
    for (i, migration) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(migration).map_err(|e| Error::internal(format!("migration {} failed: {e}", i + 1)))?;
        tx.pragma_update(None, "user_version", (i + 1) as i64).map_err(internal)?;
    }
    tx.commit().map_err(internal)
}

/// `crew_nfc(text)`: the Unicode NFC form of `text` (NULL stays NULL), for migrations that bring
/// stored keys into the form crew compares them in (`0006_identity_nfc.sql`).
pub(crate) fn register_nfc(conn: &Connection) -> Result<()> {
    conn.create_scalar_function(
        "crew_nfc",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(ctx.get::<Option<String>>(0)?.map(|s| s.nfc().collect::<String>())),
    )
    .map_err(internal)
}

/// Nothing to do at this version; a newer schema is refused, not touched.
fn newer(current: i64) -> Result<()> {
    if current > SCHEMA_VERSION {
        return Err(Error::bad_input(format!(
            "not a crew database this crew can use: its schema version {current} is newer than this crew's \
             ({SCHEMA_VERSION}); upgrade crew"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod numbering {
    /// A migration file's number is the schema version it brings a database to: the files are
    /// numbered 0001, 0002, … without a gap, and `MIGRATIONS` lists each at its number's place.
    /// (Branches that reserve numbers for parallel work rename theirs on merge; this test says so.)
    #[test]
    fn migration_files_are_numbered_without_gaps_and_listed_in_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/migrations");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        names.sort();
        assert_eq!(names.len(), super::MIGRATIONS.len(), "every file is listed: {names:?}");
        for (i, name) in names.iter().enumerate() {
            assert!(name.starts_with(&format!("{:04}_", i + 1)), "file {} is `{name}`", i + 1);
            let text = std::fs::read_to_string(dir.join(name)).unwrap();
            assert_eq!(text, super::MIGRATIONS[i], "`{name}` is listed at place {}", i + 1);
        }
    }
}
