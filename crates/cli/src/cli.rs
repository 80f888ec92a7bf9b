//! The command line's root: the global flags and the top-level commands. Each command's own flags,
//! help and handler are in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::{
    account, auth, bets, billing, dashboard, db, docs, events, hiring, import, matching, order, outbox, quality,
    report, service_type, settings, supplies,
};

const EXIT_CODES: &str = "\
Exit codes: 0 ok · 1 the environment (no database, a read-only database or folder, a full disk)
or an internal error · 2 bad input or usage · 3 not allowed (or not logged in) · 4 not found ·
5 conflict with the current state.

Examples:
  crew init --login admin            create the database and the first admin
  crew login admin                   log in (asks for the password)
  crew import fixtures/demo/         load a whole company
  crew order list --status open      what still needs a worker
  crew --format json order show 7    one order, for scripts";

/// crew — the operations suite of a marketplace of workers.
#[derive(Debug, Parser)]
#[command(name = "crew", version, about, after_help = EXIT_CODES, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes. A flag beats the environment, which beats `crew.toml`, which beats
/// the default.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// The database: a file, or a postgres:// URL [default: `database` in crew.toml, else ./crew.db]
    #[arg(long, global = true, env = "CREW_DB", hide_env_values = true, value_name = "FILE|URL")]
    pub db: Option<PathBuf>,
    /// The configuration file [default: ./crew.toml if it exists]
    #[arg(long, global = true, env = "CREW_CONFIG", hide_env_values = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Run as if it were this moment (RFC 3339): tests and replays (admins only, unless the database was created with --now)
    #[arg(long, global = true, env = "CREW_NOW", hide_env_values = true, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Output format: tables for people, json or csv for scripts
    #[arg(long, global = true, value_enum, default_value_t = Format::Table, env = "CREW_FORMAT", hide_env_values = true)]
    pub format: Format,
    /// Whether `--format` or `CREW_FORMAT` chose the format (else crew.toml's `format` may).
    #[arg(skip)]
    pub format_chosen: bool,
    /// Print only data and errors: no confirmations, no progress bars
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Say more about what crew is doing (on stderr)
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

// The command groups and the few top-level commands, in the order `crew --help` lists them. Each
// one's help (its doc comment, examples) is on its own type in `commands/`: a `///` comment here
// would become clap help text.
#[derive(Debug, Subcommand)]
pub enum Command {
    Init(auth::init::InitArgs),
    Login(auth::login::LoginArgs),
    Logout(auth::logout::LogoutArgs),
    Whoami(auth::whoami::WhoamiArgs),
    #[command(subcommand)]
    Account(account::AccountCommand),
    Import(import::ImportArgs),
    #[command(subcommand, name = "service-type")]
    ServiceType(service_type::ServiceTypeCommand),
    #[command(subcommand)]
    Order(order::OrderCommand),
    #[command(subcommand)]
    Hiring(hiring::HiringCommand),
    #[command(subcommand)]
    Matching(matching::MatchingCommand),
    #[command(subcommand)]
    Events(events::EventsCommand),
    #[command(subcommand)]
    Outbox(outbox::OutboxCommand),
    #[command(subcommand)]
    Settings(settings::SettingsCommand),
    #[command(subcommand)]
    Billing(billing::BillingCommand),
    #[command(subcommand)]
    Supplies(supplies::SuppliesCommand),
    #[command(subcommand)]
    Quality(quality::QualityCommand),
    #[command(subcommand)]
    Bets(bets::BetsCommand),
    Dashboard(dashboard::DashboardArgs),
    #[command(subcommand)]
    Report(report::ReportCommand),
    #[command(subcommand)]
    Db(db::DbCommand),
    Completions(docs::completions::CompletionsArgs),
    Man(docs::man::ManArgs),
}
