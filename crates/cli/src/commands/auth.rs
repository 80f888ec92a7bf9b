//! `crew init`, `login`, `logout`, `whoami`.

use anyhow::Result;
use crew_core::error::Error;
use crew_core::iam;
use crew_core::store::Store;
use crew_core::types::{Email, Login, Name};
use crew_store::SqliteStore;

use super::{read_login_password, read_new_password};
use crate::cli::{InitArgs, LoginArgs};
use crate::context::App;
use crate::session;

pub fn init(app: &mut App, args: InitArgs) -> Result<()> {
    // Everything that can be wrong with the input is checked before the file exists.
    let login = Login::parse(&args.login)?;
    let name = Name::parse(&args.name)?;
    let email = args.email.as_deref().map(Email::parse).transpose()?;
    let db = app.db().to_path_buf();
    if db.exists() {
        return Err(Error::conflict(format!("{} already exists; crew init makes a new database", db.display())).into());
    }
    let password = read_new_password(args.password_stdin)?;
    let hash = password.hash(&session::new_salt()?)?;
    let now = app.now;
    // A database another process created is never touched; one this process created is removed
    // again if the first admin cannot be written into it.
    let mut store = SqliteStore::create(&db)?;
    match store.write(|tx| iam::init(tx, now, login, name, email, hash)).map(|_| store) {
        Ok(store) => {
            app.set_store(store);
            app.out.note(&format!(
                "Created {} with admin `{}`. Next: crew login {}",
                db.display(),
                args.login.trim().to_lowercase(),
                args.login.trim().to_lowercase()
            ))
        }
        Err(e) => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
            }
            Err(e.into())
        }
    }
}

pub fn login(app: &mut App, args: LoginArgs) -> Result<()> {
    let login = Login::parse(&args.login)?;
    let password = read_login_password(args.password_stdin)?;
    let token = session::new_token()?;
    let hash = iam::token_hash(&token);
    let now = app.now;
    let account = app.write_anonymous(|tx| iam::login(tx, now, &login, &password, hash))?;
    session::save(app.db(), &token)?;
    app.out.note(&format!("Logged in as {} ({}).", account.login, account.role))
}

pub fn logout(app: &mut App) -> Result<()> {
    if std::env::var("CREW_TOKEN").is_ok_and(|t| !t.trim().is_empty()) {
        eprintln!("note: CREW_TOKEN is set; logout ends only this database's login session, not the token");
    }
    let Some(token) = session::load(app.db())? else {
        return app.out.note("Not logged in.");
    };
    let now = app.now;
    let hash = iam::token_hash(&token);
    let ended = app.write_anonymous(|tx| iam::logout(tx, now, &hash))?;
    session::forget(app.db())?;
    match ended {
        Some(login) => app.out.note(&format!("Logged out {login}.")),
        None => app.out.note("Logged out."),
    }
}

pub fn whoami(app: &mut App) -> Result<()> {
    let account =
        app.read(|tx, ctx| tx.account(ctx.actor.id)?.ok_or_else(|| Error::not_found("your account is gone")))?;
    let fields = [
        ("login", account.login.to_string()),
        ("name", account.name.to_string()),
        ("role", account.role.to_string()),
        ("email", account.email.as_ref().map(ToString::to_string).unwrap_or_default()),
    ];
    app.out.record(&account, &fields)
}
