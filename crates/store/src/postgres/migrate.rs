//! The PostgreSQL store's forward-only migrations, tracked in `crew_meta.version`. Never edit a
//! released migration; add the next one, as the twin of the SQLite migration of the same number.
//!
//! No PostgreSQL database of crew existed before schema version [`BASELINE_VERSION`]: its first
//! migration builds what SQLite's 0001–0020 build. From then on the two lists grow together, and
//! a test checks they end at the same version, so a number means the same schema in both stores.

use std::collections::HashMap;

use crew_core::error::{Error, Result};
use postgres::{Client, IsolationLevel, Statement};

use super::PostgresTarget;
use super::row::{PgTx, internal};

/// The version the first PostgreSQL migration brings an empty schema to.
pub const BASELINE_VERSION: i64 = 20;

/// `(version, SQL)`, in order, without gaps from [`BASELINE_VERSION`].
pub(crate) const MIGRATIONS: &[(i64, &str)] = &[
    (20, include_str!("migrations/0020_baseline.sql")),
    (21, include_str!("migrations/0021_applications_status_without_in.sql")),
    (22, include_str!("migrations/0022_outbox_status_without_in.sql")),
    (23, include_str!("migrations/0023_intake_indexes.sql")),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// What the schema a URL names holds.
enum Identity {
    Missing,
    Empty,
    Crew(i64),
    Foreign(String),
}

fn identify(client: &mut impl postgres::GenericClient, schema: &str) -> Result<Identity> {
    let exists: bool = client
        .query_one("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", &[&schema])
        .map_err(internal)?
        .get(0);
    if !exists {
        return Ok(Identity::Missing);
    }
    // Anything in it counts: tables, views, sequences, indexes, types, functions.
    let tables: Vec<String> = client
        .query(
            "SELECT c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1
             UNION SELECT p.proname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = $1
             UNION SELECT t.typname::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = $1 AND t.typtype IN ('c', 'd', 'e', 'r') AND t.typrelid = 0
             ORDER BY 1",
            &[&schema],
        )
        .map_err(internal)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if tables.is_empty() {
        return Ok(Identity::Empty);
    }
    if !tables.iter().any(|t| t == "crew_meta") {
        let some: Vec<&str> = tables.iter().take(3).map(String::as_str).collect();
        return Ok(Identity::Foreign(format!("it holds objects crew did not make ({})", some.join(", "))));
    }
    let row = client
        .query_opt(&format!("SELECT application, version FROM \"{schema}\".crew_meta WHERE id = 1"), &[])
        .map_err(internal)?;
    match row {
        Some(row) if row.get::<_, String>(0) == "crew" => Ok(Identity::Crew(row.get(1))),
        _ => Ok(Identity::Foreign("its crew_meta table does not say crew".into())),
    }
}

fn not_crew(target: &PostgresTarget, why: &str) -> Error {
    Error::bad_input(format!(
        "{} is not a crew database: {why}; crew init makes one in an empty database or schema",
        target.shown()
    ))
}

/// Makes an empty (or missing) schema crew's: every migration in one transaction, under the
/// schema's write lock, refused (changing nothing) if the schema holds any table by then.
///
/// `first` runs in the same transaction once the schema is made (the first admin): a failure
/// anywhere leaves the database as it was.
pub(crate) fn create<R>(
    client: &mut Client,
    cache: &mut HashMap<String, Statement>,
    target: &PostgresTarget,
    (class, lock): (i32, i32),
    first: impl FnOnce(&mut PgTx<'_, '_>) -> Result<R>,
) -> Result<R> {
    let schema = target.schema();
    let mut tx = client.build_transaction().isolation_level(IsolationLevel::ReadCommitted).start().map_err(internal)?;
    tx.execute("SELECT pg_advisory_xact_lock($1, $2)", &[&class, &lock]).map_err(internal)?;
    match identify(&mut tx, schema)? {
        Identity::Missing => {
            tx.batch_execute(&format!("CREATE SCHEMA \"{schema}\"")).map_err(|e| {
                let e = internal(e);
                Error::new(e.kind, format!("cannot create the schema {schema} in {}: {}", target.shown(), e.message))
            })?;
        }
        Identity::Empty => {}
        Identity::Crew(_) => {
            // Worded as for a file that exists.
            return Err(Error::conflict(format!("{} already exists; crew init makes a new database", target.shown())));
        }
        Identity::Foreign(why) => {
            return Err(Error::conflict(format!(
                "{} is not empty ({why}); crew init makes a database in an empty database or schema",
                target.shown()
            )));
        }
    }
    tx.batch_execute(
        "CREATE TABLE crew_meta (
             id          bigint PRIMARY KEY CHECK (id = 1),
             application text   NOT NULL CHECK (application = 'crew'),
             version     bigint NOT NULL
         );
         INSERT INTO crew_meta (id, application, version) VALUES (1, 'crew', 0);",
    )
    .map_err(internal)?;
    for (version, sql) in MIGRATIONS {
        tx.batch_execute(sql).map_err(|e| Error::internal(format!("migration {version} failed: {}", internal(e))))?;
        tx.execute("UPDATE crew_meta SET version = $1", &[version]).map_err(internal)?;
    }
    let mut pg = PgTx { tx, cache };
    let out = first(&mut pg)?;
    pg.tx.commit().map_err(internal)?;
    Ok(out)
}

/// Checks the schema is crew's and applies the migrations it lacks, under its write lock.
pub(crate) fn open(client: &mut Client, target: &PostgresTarget, class: i32, lock: i32) -> Result<()> {
    let current = match identify(client, target.schema())? {
        Identity::Crew(version) => version,
        // As a missing file: nothing is there yet.
        Identity::Missing => {
            return Err(Error::internal(format!(
                "no crew database at {}; create one with `crew init` (or point --db / CREW_DB at one)",
                target.shown()
            )));
        }
        Identity::Empty => return Err(not_crew(target, "it is empty (no crew tables)")),
        Identity::Foreign(why) => return Err(not_crew(target, &why)),
    };
    if current > SCHEMA_VERSION {
        return Err(Error::bad_input(format!(
            "{} is not a crew database this crew can use: its schema version {current} is from a newer crew \
             (this one knows up to {SCHEMA_VERSION}); upgrade crew",
            target.shown()
        )));
    }
    if current == SCHEMA_VERSION {
        return Ok(());
    }
    let mut tx = client.build_transaction().isolation_level(IsolationLevel::ReadCommitted).start().map_err(internal)?;
    tx.execute("SELECT pg_advisory_xact_lock($1, $2)", &[&class, &lock]).map_err(internal)?;
    // Another process may have migrated while we waited for the lock.
    let current: i64 = tx.query_one("SELECT version FROM crew_meta", &[]).map_err(internal)?.get(0);
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        tx.batch_execute(sql).map_err(|e| Error::internal(format!("migration {version} failed: {}", internal(e))))?;
        tx.execute("UPDATE crew_meta SET version = $1", &[version]).map_err(internal)?;
    }
    tx.commit().map_err(internal)
}

#[cfg(test)]
mod numbering {
    /// The PostgreSQL migrations are numbered from the baseline without a gap, each file at its
    /// number, and end at the SQLite store's version: a number means the same schema in both.
    #[test]
    fn postgres_migrations_are_numbered_without_gaps_and_end_where_sqlites_do() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/postgres/migrations");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        names.sort();
        assert_eq!(names.len(), super::MIGRATIONS.len(), "every file is listed: {names:?}");
        for (i, name) in names.iter().enumerate() {
            let version = super::BASELINE_VERSION + i as i64;
            assert!(name.starts_with(&format!("{version:04}_")), "file {i} is `{name}`");
            assert_eq!(super::MIGRATIONS[i].0, version);
            let text = std::fs::read_to_string(dir.join(name)).unwrap();
            assert_eq!(text, super::MIGRATIONS[i].1, "`{name}` is listed at its place");
        }
        assert_eq!(super::SCHEMA_VERSION, crate::SCHEMA_VERSION, "each SQLite migration has its PostgreSQL twin");
    }
}
