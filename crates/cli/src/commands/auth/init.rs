//! `crew init`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::error::Error;
use crew_core::iam;
use crew_core::kernel::clock;
use crew_core::types::{Email, Login, Name};
use crew_core::wiring::Store;
use crew_store::{Database, PostgresStore, SqliteStore};

use crate::commands::read_new_password;
use crate::context::{App, FromFlag};
use crate::session;

/// Create a new database and its first admin
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew init\n  echo \"$ADMIN_PASSWORD\" | crew --db /srv/crew.db init --login root --password-stdin\n\n  CREW_DB=postgres://crew@db.example/company crew init --password-stdin < admin-password\n\nThe database is a new file, or an existing empty one; either way it is made private (mode 0600).\nOn PostgreSQL (a postgres:// URL; see docs/postgres.md) it is an empty database or schema\n(`?schema=NAME`, made if missing); the server's password comes from PGPASSWORD.\ninit is the only command that makes a database: every other refuses a file that is not one."
)]
pub struct InitArgs {
    /// The first admin's login
    #[arg(long, default_value = "admin")]
    login: String,
    /// The first admin's name
    #[arg(long, default_value = "Administrator")]
    name: String,
    /// The first admin's email
    #[arg(long)]
    email: Option<String>,
    /// Read the password from standard input instead of prompting
    #[arg(long)]
    password_stdin: bool,
}

/// There is nobody to log in as yet.
pub const ACTIONS: &[Action] = &[];

pub fn run(app: &mut App, args: InitArgs) -> Result<()> {
    // Everything that can be wrong with the input is checked before the file exists.
    let login = Login::parse(&args.login).flag("--login")?;
    let name = Name::parse(&args.name).flag("--name")?;
    let email = args.email.as_deref().map(Email::parse).transpose().flag("--email")?;
    let db = app.db().to_path_buf();
    if Database::is_postgres(&db) {
        return init_on_server(app, &db.to_string_lossy(), (login, name, email), args.password_stdin);
    }
    // Only a new file or an empty one becomes a database; anything else is refused before the
    // password is asked for (SqliteStore::create checks again, atomically).
    let was_empty = match std::fs::metadata(&db) {
        Ok(meta) if meta.is_file() && meta.len() == 0 => true,
        Ok(meta) if meta.is_file() => {
            return Err(
                Error::conflict(format!("{} already exists; crew init makes a new database", db.display())).into()
            );
        }
        Ok(meta) => {
            return Err(Error::bad_input(format!(
                "{} is {}; crew init makes a database in a new or empty file",
                db.display(),
                crate::files::kind_of(&meta.file_type())
            ))
            .into());
        }
        Err(_) => false,
    };
    let password = read_new_password(args.password_stdin)?;
    let hash = password.hash(&session::new_salt()?)?;
    let now = app.now;
    // A database another process created is never touched; one this process created is removed
    // again (or emptied, if it was an empty file before) if the first admin cannot be written.
    let mut store = SqliteStore::create(&db)?;
    let chosen = app.chosen_now.is_some();
    let created = store.write(|tx| {
        clock::set_at_creation(tx, chosen)?;
        iam::init(tx, now, login, name, email, hash)
    });
    match created.map(|_| store) {
        Ok(store) => {
            app.set_store(Database::Sqlite(store));
            app.out.note(&format!(
                "Created {} with admin `{}`. Next: crew login {}",
                db.display(),
                args.login.trim().to_lowercase(),
                args.login.trim().to_lowercase()
            ))
        }
        Err(e) => {
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
            }
            let _ = if was_empty {
                std::fs::OpenOptions::new().write(true).truncate(true).open(&db).map(drop)
            } else {
                std::fs::remove_file(&db)
            };
            Err(e.into())
        }
    }
}

/// `crew init` on PostgreSQL: the schema, its migrations and the first admin in one transaction,
/// so a failure leaves the server as it was.
fn init_on_server(
    app: &mut App,
    url: &str,
    (login, name, email): (Login, Name, Option<Email>),
    stdin: bool,
) -> Result<()> {
    // A URL crew would refuse (a password in it, a bad schema name) is refused before the
    // password is asked for.
    let target = crew_store::PostgresTarget::parse(url)?;
    let password = read_new_password(stdin)?;
    let hash = password.hash(&session::new_salt()?)?;
    let (now, chosen) = (app.now, app.chosen_now.is_some());
    let shown_login = login.as_str().to_string();
    let (store, _) = PostgresStore::create_with(url, |tx| {
        clock::set_at_creation(tx, chosen)?;
        iam::init(tx, now, login, name, email, hash)
    })?;
    app.set_store(Database::Postgres(Box::new(store)));
    app.out.note(&format!("Created {} with admin `{shown_login}`. Next: crew login {shown_login}", target.shown()))
}
