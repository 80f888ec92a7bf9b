//! One folder per command group, one file per subcommand holding its clap arguments, its handler
//! and the actions it needs (`ACTIONS`). [`run`] dispatches; [`required_actions`] says what a
//! command needs, checked before any other work. Each group's `mod.rs` lists its subcommands.

pub(crate) mod account;
pub(crate) mod auth;
pub(crate) mod bets;
pub(crate) mod billing;
pub(crate) mod dashboard;
pub(crate) mod db;
pub(crate) mod docs;
pub(crate) mod events;
pub(crate) mod hiring;
pub(crate) mod import;
pub(crate) mod matching;
pub(crate) mod order;
pub(crate) mod outbox;
pub(crate) mod quality;
pub(crate) mod report;
pub(crate) mod service_type;
pub(crate) mod settings;
pub(crate) mod supplies;

use anyhow::Result;
use crew_core::authz::Action;

use crate::cli::{Cli, Command};
use crate::context::App;

/// The actions a command needs; empty for commands anyone may run (they need no login).
pub fn required_actions(command: &Command) -> &'static [Action] {
    match command {
        Command::Init(_) => auth::init::ACTIONS,
        Command::Login(_) => auth::login::ACTIONS,
        Command::Logout(_) => auth::logout::ACTIONS,
        Command::Whoami(_) => auth::whoami::ACTIONS,
        Command::Account(c) => c.actions(),
        Command::Import(args) => args.actions(),
        Command::ServiceType(c) => c.actions(),
        Command::Order(c) => c.actions(),
        Command::Hiring(c) => c.actions(),
        Command::Matching(c) => c.actions(),
        Command::Events(c) => c.actions(),
        Command::Outbox(c) => c.actions(),
        Command::Settings(c) => c.actions(),
        Command::Billing(c) => c.actions(),
        Command::Supplies(c) => c.actions(),
        Command::Quality(c) => c.actions(),
        Command::Bets(c) => c.actions(),
        Command::Dashboard(_) => dashboard::ACTIONS,
        Command::Report(c) => c.actions(),
        Command::Db(c) => c.actions(),
        Command::Completions(_) => docs::completions::ACTIONS,
        Command::Man(_) => docs::man::ACTIONS,
    }
}

pub fn run(cli: Cli) -> Result<()> {
    // Commands that need neither configuration nor a database.
    let command = match cli.command {
        Command::Completions(args) => return docs::completions::run(args),
        Command::Man(args) => return docs::man::run(args),
        command => command,
    };
    // Company rules in a local crew.toml are refused, except by the commands an admin needs to
    // move them into the database (they use none of them).
    let tolerates_company_rules = matches!(
        command,
        Command::Init(_)
            | Command::Login(_)
            | Command::Logout(_)
            | Command::Settings(settings::SettingsCommand::Import(_))
    );
    let mut app = App::new(&cli.global, tolerates_company_rules)?;
    // A command that names the database it runs on is authorized there.
    if let Command::Db(c) = &command
        && let Some(db) = c.database()
    {
        app.use_database(db);
    }
    let actions = required_actions(&command);
    if !actions.is_empty() {
        app.authorize(actions)?;
    }
    match command {
        Command::Init(args) => auth::init::run(&mut app, args),
        Command::Login(args) => auth::login::run(&mut app, args),
        Command::Logout(args) => auth::logout::run(&mut app, args),
        Command::Whoami(args) => auth::whoami::run(&mut app, args),
        Command::Account(c) => account::run(&mut app, c),
        Command::Import(args) => import::run(&mut app, args),
        Command::ServiceType(c) => service_type::run(&mut app, c),
        Command::Order(c) => order::run(&mut app, c),
        Command::Matching(c) => matching::run(&mut app, c),
        Command::Hiring(c) => hiring::run(&mut app, c),
        Command::Events(c) => events::run(&mut app, c),
        Command::Outbox(c) => outbox::run(&mut app, c),
        Command::Settings(c) => settings::run(&mut app, c),
        Command::Billing(c) => billing::run(&mut app, c),
        Command::Supplies(c) => supplies::run(&mut app, c),
        Command::Quality(c) => quality::run(&mut app, c),
        Command::Bets(c) => bets::run(&mut app, c),
        Command::Dashboard(args) => dashboard::run(&mut app, args),
        Command::Report(c) => report::run(&mut app, c),
        Command::Db(c) => db::run(&mut app, c),
        Command::Completions(_) | Command::Man(_) => unreachable!("handled above"),
    }
}

/// Reads a new password: from standard input with `--password-stdin`, else twice from the terminal.
pub fn read_new_password(from_stdin: bool) -> Result<crew_core::iam::Password> {
    Ok(crew_core::iam::Password::parse(&read_secret(from_stdin, true)?)?)
}

/// Reads a password to log in with (once).
pub fn read_login_password(from_stdin: bool) -> Result<crew_core::iam::Password> {
    Ok(crew_core::iam::Password::typed(&read_secret(from_stdin, false)?)?)
}

fn read_secret(from_stdin: bool, confirm: bool) -> Result<String> {
    let raw = if from_stdin {
        let bytes = crate::files::read_stdin("the password", crate::files::Limits::DEFAULT.stdin_bytes)?;
        String::from_utf8(bytes)
            .map_err(|_| crew_core::Error::bad_input("the password on standard input is not UTF-8 text"))?
    } else {
        let first = rpassword::prompt_password("Password: ").map_err(|e| {
            crew_core::Error::bad_input(format!("cannot ask for a password ({e}): use --password-stdin"))
        })?;
        if confirm {
            let again = rpassword::prompt_password("Again: ")?;
            if again != first {
                return Err(crew_core::Error::bad_input("the two passwords differ").into());
            }
        }
        first
    };
    Ok(raw)
}
