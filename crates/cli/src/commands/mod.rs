//! One module per command group; [`run`] dispatches, [`required_actions`] says what each command
//! needs, checked before any other work.

mod account;
mod auth;
mod docs;
mod events;
mod hiring;
mod import;
mod matching;
mod order;
mod outbox;
mod service_type;

use anyhow::Result;
use crew_core::authz::Action;

use crate::cli::{
    AccountCommand, Cli, Command, EventsCommand, HiringCommand, ImportCommand, MatchingCommand, OrderCommand,
    OutboxCommand, ServiceTypeCommand,
};
use crate::context::App;

/// The actions a command needs; empty for commands anyone may run (they need no login).
pub fn required_actions(command: &Command) -> &'static [Action] {
    use Action::*;
    match command {
        Command::Init(_) | Command::Login(_) | Command::Logout | Command::Completions { .. } | Command::Man { .. } => {
            &[]
        }
        Command::Whoami => &[WhoAmI],
        // Activation is how a new worker gets in: it needs no login, only the mailed secret.
        Command::Account(AccountCommand::Activate { .. }) => &[],
        Command::Account(_) => &[ManageAccounts],
        Command::Hiring(HiringCommand::Apply { .. } | HiringCommand::Import { .. }) => &[TakeApplications],
        Command::Hiring(_) => &[ManageHiring],
        Command::Import(args) => match (&args.what, &args.folder) {
            (Some(ImportCommand::Clients { .. }), _) => &[ImportClients],
            (Some(ImportCommand::Workers { .. }), _) => &[ImportWorkers],
            (None, _) => &[ManageAccounts, ManageServiceTypes, ImportClients, ImportWorkers],
        },
        Command::ServiceType(c) => match c {
            ServiceTypeCommand::List { .. } => &[ListServiceTypes],
            ServiceTypeCommand::Add { .. } | ServiceTypeCommand::Edit { .. } | ServiceTypeCommand::Retire { .. } => {
                &[ManageServiceTypes]
            }
        },
        Command::Order(c) => match c {
            OrderCommand::Quote(_) => &[QuoteOrder],
            OrderCommand::Create(_) => &[CreateOrder],
            OrderCommand::List { .. } | OrderCommand::Show { .. } => &[ViewOrders],
            OrderCommand::Cancel { .. } => &[CancelOrder],
            OrderCommand::Copy { .. } => &[CopyOrder],
            OrderCommand::Assign { .. } => &[AssignOrder],
            OrderCommand::CheckIn { .. } => &[CheckInOrder],
            OrderCommand::Complete { .. } => &[CompleteOrder],
            OrderCommand::Fail { .. } => &[FailOrder],
            OrderCommand::Reopen { .. } => &[ReopenOrder],
            OrderCommand::SweepNoShows { .. } => &[SweepNoShows],
        },
        Command::Matching(c) => match c {
            MatchingCommand::Run { .. } => &[RunMatching],
            MatchingCommand::Explain { .. } => &[ExplainMatching],
            MatchingCommand::Workers { .. } | MatchingCommand::Profile { .. } => &[ViewWorkers],
            MatchingCommand::Edit { .. } | MatchingCommand::Suspend { .. } | MatchingCommand::Reinstate { .. } => {
                &[ManageWorkers]
            }
        },
        Command::Events(EventsCommand::List { .. }) => &[ViewEvents],
        Command::Outbox(c) => match c {
            OutboxCommand::Deliver { .. } => &[DeliverMail],
            OutboxCommand::List { .. } => &[ViewOutbox],
            OutboxCommand::Retry { .. } => &[ManageOutbox],
        },
    }
}

pub fn run(cli: Cli) -> Result<()> {
    // Commands that need neither configuration nor a database.
    match &cli.command {
        Command::Completions { shell } => return docs::completions(*shell),
        Command::Man { dir } => return docs::man(dir.as_deref()),
        _ => {}
    }
    let mut app = App::new(&cli.global)?;
    let actions = required_actions(&cli.command);
    if !actions.is_empty() {
        app.authorize(actions)?;
    }
    match cli.command {
        Command::Init(args) => auth::init(&mut app, args),
        Command::Login(args) => auth::login(&mut app, args),
        Command::Logout => auth::logout(&mut app),
        Command::Whoami => auth::whoami(&mut app),
        Command::Account(c) => account::run(&mut app, c),
        Command::Import(args) => import::run(&mut app, args),
        Command::ServiceType(c) => service_type::run(&mut app, c),
        Command::Order(c) => order::run(&mut app, c),
        Command::Matching(c) => matching::run(&mut app, c),
        Command::Hiring(c) => hiring::run(&mut app, c),
        Command::Events(c) => events::run(&mut app, c),
        Command::Outbox(c) => outbox::run(&mut app, c),
        Command::Completions { .. } | Command::Man { .. } => unreachable!("handled above"),
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
    use std::io::Read;
    let raw = if from_stdin {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes)?;
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
