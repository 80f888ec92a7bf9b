//! The command line: every command, its flags and its help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes: 0 ok · 1 internal error · 2 bad input or usage · 3 not allowed (or not logged in) ·
4 not found · 5 conflict with the current state.

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
    /// The database file [default: `database` in crew.toml, else ./crew.db]
    #[arg(long, global = true, env = "CREW_DB", hide_env_values = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The configuration file [default: ./crew.toml if it exists]
    #[arg(long, global = true, env = "CREW_CONFIG", hide_env_values = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Run as if it were this moment (RFC 3339), for reproducible runs and tests
    #[arg(long, global = true, env = "CREW_NOW", hide_env_values = true, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Output format: tables for people, json or csv for scripts
    #[arg(long, global = true, value_enum, default_value_t = Format::Table, env = "CREW_FORMAT", hide_env_values = true)]
    pub format: Format,
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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new database and its first admin
    #[command(
        after_help = "Examples:\n  crew init\n  echo \"$ADMIN_PASSWORD\" | crew --db /srv/crew.db init --login root --password-stdin"
    )]
    Init(InitArgs),
    /// Log in; the session is kept in your config directory (mode 0600)
    #[command(
        after_help = "Examples:\n  crew login admin\n  printf '%s' \"$PW\" | crew login mia@crew.example --password-stdin"
    )]
    Login(LoginArgs),
    /// End this database's session
    #[command(after_help = "Example:\n  crew logout")]
    Logout,
    /// Show the account you are logged in as
    #[command(after_help = "Example:\n  crew whoami")]
    Whoami,
    /// Manage accounts and roles (admin)
    #[command(subcommand)]
    Account(AccountCommand),
    /// Import clients, workers, or a whole company folder (admin)
    Import(ImportArgs),
    /// Manage the kinds of work clients can order
    #[command(subcommand, name = "service-type")]
    ServiceType(ServiceTypeCommand),
    /// Quote, place and follow orders through their life
    #[command(subcommand)]
    Order(OrderCommand),
    /// Hire the best: tests and test sets, applications, scoring, ranking, accepting
    #[command(subcommand)]
    Hiring(HiringCommand),
    /// Match open orders to the best workers: the cycle, explanations, worker profiles
    #[command(subcommand)]
    Matching(MatchingCommand),
    /// Read the event log: every change, when and by whom
    #[command(subcommand)]
    Events(EventsCommand),
    /// The mail outbox: deliver queued mail, list it, retry dead letters
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Print a shell completion script
    #[command(after_help = "Example:\n  crew completions bash > ~/.local/share/bash-completion/completions/crew")]
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
    /// Print the man page (or write one page per command into a folder)
    #[command(after_help = "Examples:\n  crew man | man -l -\n  crew man --dir target/man")]
    Man {
        /// Write crew.1 and a page per command into this folder
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The first admin's login
    #[arg(long, default_value = "admin")]
    pub login: String,
    /// The first admin's name
    #[arg(long, default_value = "Administrator")]
    pub name: String,
    /// The first admin's email
    #[arg(long)]
    pub email: Option<String>,
    /// Read the password from standard input instead of prompting
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Your login (an email for clients and workers)
    pub login: String,
    /// Read the password from standard input instead of prompting
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create a staff account (clients are imported; workers are hired)
    #[command(
        after_help = "Examples:\n  crew account create mia --role manager --name \"Mia Stone\" --email mia@crew.example\n  crew account create cron --role service --name \"Cron jobs\"   # prints its token once"
    )]
    Create {
        login: String,
        /// admin, manager, accountant, warehouse or service
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// Read the password from standard input instead of prompting
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts
    #[command(after_help = "Examples:\n  crew account list\n  crew account list --role worker --format csv")]
    List {
        /// Only accounts with this role
        #[arg(long)]
        role: Option<String>,
    },
    /// Show one account
    #[command(after_help = "Example:\n  crew account show mia")]
    Show { login: String },
    /// Stop an account from logging in; its sessions and tokens end
    #[command(after_help = "Example:\n  crew account deactivate mia")]
    Deactivate { login: String },
    /// Change a staff account's role
    #[command(name = "set-role", after_help = "Example:\n  crew account set-role mia admin")]
    SetRole { login: String, role: String },
    /// Choose your first password with the one-time secret mailed to you (new workers)
    #[command(
        after_help = "Examples:\n  crew account activate tom@crew.example          # asks for the secret, then the password\n  printf '%s\\n%s\\n' \"$SECRET\" \"$PASSWORD\" | crew account activate tom@crew.example --stdin"
    )]
    Activate {
        login: String,
        /// Read the secret (first line) and the new password (second line) from standard input
        #[arg(long)]
        stdin: bool,
    },
    /// Set a new password (a service account gets a new token); every session of it ends
    #[command(
        name = "reset-password",
        after_help = "Examples:\n  crew account reset-password ann@example.com\n  crew account reset-password cron        # prints the new token once"
    )]
    ResetPassword {
        login: String,
        /// Read the new password from standard input instead of prompting
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  crew import fixtures/demo/\n  crew import clients clients.csv\n  crew import workers workforce.jsonl\n\n\
A folder may hold staff.toml, service-types.toml, clients.csv|json|jsonl and workers.csv|json|jsonl;\n\
everything in it is imported in one transaction. See docs/formats.md."
)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub what: Option<ImportCommand>,
    /// A company folder to import whole
    pub folder: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Clients from the parent company (CSV, JSON or JSON Lines); idempotent by email
    #[command(
        after_help = "Example:\n  crew import clients clients.csv\n\nFields: name, email, zone (required); phone, payment_method (card|bank_transfer|invoice)."
    )]
    Clients { file: PathBuf },
    /// The company's existing workforce; each new worker is hired (a WorkerHired event)
    #[command(
        after_help = "Example:\n  crew import workers workers.csv\n\nFields: name, email, zone, skills (`cleaning:3;gardening:2`) (required);\ncapacity, rating, age, breed, coat, photo."
    )]
    Workers { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum ServiceTypeCommand {
    /// Add a service type
    #[command(
        after_help = "Example:\n  crew service-type add cleaning --name \"Home cleaning\" --skills cleaning:2 --description \"Two rooms\""
    )]
    Add {
        code: String,
        #[arg(long)]
        name: String,
        /// Skills a worker needs, `skill:level;skill:level`
        #[arg(long, default_value = "")]
        skills: String,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// List service types
    #[command(after_help = "Examples:\n  crew service-type list\n  crew service-type list --all")]
    List {
        /// Include retired service types
        #[arg(long)]
        all: bool,
    },
    /// Change a service type's name, description or skills
    #[command(after_help = "Example:\n  crew service-type edit cleaning --skills cleaning:3")]
    Edit {
        code: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        skills: Option<String>,
        #[arg(long)]
        description: Option<String>,
    },
    /// Stop offering a service type (existing orders go on)
    #[command(after_help = "Example:\n  crew service-type retire gardening")]
    Retire { code: String },
}

/// What a client asks for.
#[derive(Debug, Args)]
pub struct OrderSpec {
    /// The service type's code
    #[arg(long)]
    pub service: String,
    /// When: RFC 3339, or `YYYY-MM-DD HH:MM` in the configured time zone
    #[arg(long)]
    pub at: String,
    /// Where [default: the client's zone]
    #[arg(long)]
    pub zone: Option<String>,
    /// What needs doing
    #[arg(long, default_value = "")]
    pub description: String,
}

#[derive(Debug, Subcommand)]
pub enum OrderCommand {
    /// See the approximate price of an order before placing it
    #[command(after_help = "Example:\n  crew order quote --service cleaning --at \"2026-11-27 10:00\"")]
    Quote(OrderSpec),
    /// Place an order (client); it stays open until a worker is assigned
    #[command(
        after_help = "Example:\n  crew order create --service cleaning --at \"2026-11-27 10:00\" --description \"Kitchen and hall\""
    )]
    Create(OrderSpec),
    /// List orders: all for managers, your own for clients and workers
    #[command(after_help = "Examples:\n  crew order list\n  crew order list --status open --format json")]
    List {
        #[arg(long)]
        status: Option<String>,
        /// Only this client's orders (managers)
        #[arg(long)]
        client: Option<String>,
        /// Only this worker's orders (managers)
        #[arg(long)]
        worker: Option<String>,
        /// At most this many
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Show one order
    #[command(after_help = "Example:\n  crew order show 7")]
    Show { order: String },
    /// Cancel an open or assigned order
    #[command(after_help = "Example:\n  crew order cancel 7 --reason \"moved the party\"")]
    Cancel {
        order: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Order the same again at a new time (e.g. after a no-show); priced afresh
    #[command(after_help = "Example:\n  crew order copy 7 --at \"2026-11-28 10:00\"")]
    Copy {
        order: String,
        /// The new time: RFC 3339, or `YYYY-MM-DD HH:MM` in the configured time zone
        #[arg(long)]
        at: String,
    },
    /// Assign a worker by hand (manager; the manual override of matching)
    #[command(after_help = "Example:\n  crew order assign 7 tom@crew.example")]
    Assign { order: String, worker: String },
    /// Arrive at the job, with a photo (assigned worker); the order becomes active
    #[command(name = "check-in", after_help = "Example:\n  crew order check-in 7 --photo door.jpg")]
    CheckIn {
        order: String,
        /// A JPEG, PNG, WebP or HEIC photo; copied into the media folder with its SHA-256
        #[arg(long)]
        photo: PathBuf,
    },
    /// Finish the job, with a photo of the signed paper report (assigned worker)
    #[command(after_help = "Example:\n  crew order complete 7 --photo report.jpg")]
    Complete {
        order: String,
        #[arg(long)]
        photo: PathBuf,
    },
    /// Record that the job failed (assigned worker or manager)
    #[command(after_help = "Example:\n  crew order fail 7 --reason \"client not at home\"")]
    Fail {
        order: String,
        #[arg(long)]
        reason: String,
    },
    /// Put an assigned or failed order back to open, without a worker (manager)
    #[command(after_help = "Example:\n  crew order reopen 7")]
    Reopen { order: String },
    /// Fail assigned orders whose worker has not checked in by their time plus the grace (cron)
    #[command(
        name = "sweep-no-shows",
        after_help = "Example:\n  CREW_TOKEN=… crew order sweep-no-shows\n\nThe grace is `ordering.no_show_grace_minutes` in crew.toml. Each no-show is failed and its client\noffered a copy (`crew order copy`). Orders of suspended or deactivated workers go back to open."
    )]
    SweepNoShows {
        /// Show what would happen; change nothing
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MatchingCommand {
    /// Assign every open order it can, in one optimal solve (cron, managers)
    #[command(
        after_help = "Examples:\n  crew matching run --dry-run     # the plan, changing nothing\n  CREW_TOKEN=… crew matching run\n\nFirst the most orders (earliest first), then the best total score; capacities respected.\nSee docs/matching.md."
    )]
    Run {
        /// Show the plan; assign nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Every candidate for an order, each step's score, and why the winner won
    #[command(after_help = "Example:\n  crew matching explain 7")]
    Explain { order: String },
    /// List worker profiles
    #[command(
        after_help = "Examples:\n  crew matching workers --zone north\n  crew matching workers --skill cleaning --format csv"
    )]
    Workers {
        #[arg(long)]
        zone: Option<String>,
        #[arg(long)]
        skill: Option<String>,
        /// active, suspended or deactivated
        #[arg(long)]
        status: Option<String>,
    },
    /// Show one worker's profile
    #[command(after_help = "Example:\n  crew matching profile tom@crew.example")]
    Profile { worker: String },
    /// Change a worker's skills, capacity or zone
    #[command(
        after_help = "Example:\n  crew matching edit tom@crew.example --skills \"cleaning:4;gardening:2\" --capacity 3"
    )]
    Edit {
        worker: String,
        /// `skill:level;skill:level`
        #[arg(long)]
        skills: Option<String>,
        #[arg(long)]
        capacity: Option<u32>,
        #[arg(long)]
        zone: Option<String>,
    },
    /// Take a worker out of matching (their assigned orders go back to open at the next sweep)
    #[command(after_help = "Example:\n  crew matching suspend tom@crew.example --reason \"two no-shows this week\"")]
    Suspend {
        worker: String,
        #[arg(long)]
        reason: String,
    },
    /// Put a suspended worker back into matching
    #[command(after_help = "Example:\n  crew matching reinstate tom@crew.example")]
    Reinstate { worker: String },
}

#[derive(Debug, Subcommand)]
pub enum HiringCommand {
    /// Tests: questions with options, the correct one, points, a pass mark
    #[command(subcommand)]
    Test(HiringTestCommand),
    /// Test sets: tests grouped for a vacancy or a candidate
    #[command(subcommand)]
    Set(HiringSetCommand),
    /// Take one application (the public intake; a re-sent email updates it)
    #[command(
        after_help = "Example:\n  crew hiring apply --name \"Mo Whisker\" --email mo@example.com --zone north --strengths \"cleaning:4;gardening\""
    )]
    Apply {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        zone: String,
        /// Claimed strengths as skills, `cleaning:4;gardening` (a missing level is 3)
        #[arg(long)]
        strengths: String,
        #[arg(long)]
        weaknesses: Option<String>,
        #[arg(long)]
        age: Option<String>,
        #[arg(long)]
        breed: Option<String>,
        #[arg(long)]
        coat: Option<String>,
        #[arg(long)]
        photo: Option<String>,
        #[arg(long)]
        source: Option<String>,
    },
    /// Import applications from the website (CSV or JSON Lines); bad rows are skipped and reported
    #[command(
        after_help = "Examples:\n  crew hiring import applications.csv\n  crew hiring import website.jsonl --strict   # one bad row refuses the file\n\nFields: name, email, zone, strengths (required); age, breed, coat, photo, weaknesses, source."
    )]
    Import {
        file: PathBuf,
        /// All or nothing: one invalid row refuses the whole file
        #[arg(long)]
        strict: bool,
    },
    /// Give a candidate a test set (the tests at their current versions)
    #[command(after_help = "Example:\n  crew hiring assign 42 1")]
    Assign { application: i64, set: i64 },
    /// Score a candidate's answers (a TOML or JSON file: [[test]] id, answers = [option numbers])
    #[command(
        after_help = "Example:\n  crew hiring submit 42 answers.toml\n\nanswers.toml:\n  [[test]]\n  id = 1\n  answers = [2, 1, 3]"
    )]
    Submit { application: i64, answers: PathBuf },
    /// Hire the candidate: their worker account (an activation secret is mailed) and profile
    #[command(after_help = "Example:\n  crew hiring accept 42 --reason \"top 3%\"")]
    Accept {
        application: i64,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Turn the candidate down
    #[command(after_help = "Example:\n  crew hiring reject 43 --reason \"below the pass mark\"")]
    Reject {
        application: i64,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// List applications
    #[command(after_help = "Examples:\n  crew hiring list --status tests_submitted\n  crew hiring list --format csv")]
    List {
        /// applied, tests_assigned, tests_submitted, accepted or rejected
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        limit: Option<usize>,
    },
    /// One application and the history of every step
    #[command(after_help = "Example:\n  crew hiring show 42")]
    Show { application: i64 },
    /// Everyone who took a set, best first, with percentiles
    #[command(after_help = "Examples:\n  crew hiring rank 1\n  crew hiring rank 1 --top 3%")]
    Rank {
        set: i64,
        /// Only the best share, e.g. `3%`
        #[arg(long)]
        top: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum HiringTestCommand {
    /// Create a test from a TOML file
    #[command(
        after_help = "Example:\n  crew hiring test create cleaning-basics.toml\n\nThe file:\n  name = \"Cleaning basics\"\n  pass_mark = 20\n  [[question]]\n  text = \"What cleans glass?\"\n  options = [\"Oil\", \"Vinegar\"]\n  correct = 2\n  points = 10"
    )]
    Create { file: PathBuf },
    /// Change a test: a new version; candidates who hold the old one keep it
    #[command(after_help = "Example:\n  crew hiring test edit 1 cleaning-basics.toml")]
    Edit { test: i64, file: PathBuf },
    /// Show a test (its current version, or --version N)
    #[command(after_help = "Examples:\n  crew hiring test show 1\n  crew hiring test show 1 --version 1")]
    Show {
        test: i64,
        #[arg(long)]
        version: Option<u32>,
    },
    /// List tests
    #[command(after_help = "Example:\n  crew hiring test list")]
    List,
    /// Delete a test no set lists and no candidate holds
    #[command(after_help = "Example:\n  crew hiring test delete 3")]
    Delete { test: i64 },
}

#[derive(Debug, Subcommand)]
pub enum HiringSetCommand {
    /// Create a test set
    #[command(
        after_help = "Example:\n  crew hiring set create \"Cleaner 2026\" --tests 1,2 --description \"for the cleaning vacancy\""
    )]
    Create {
        name: String,
        /// Test ids, comma-separated
        #[arg(long, value_delimiter = ',')]
        tests: Vec<i64>,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Change a set's name or tests (candidates already assigned keep theirs)
    #[command(after_help = "Example:\n  crew hiring set edit 1 --tests 1,2,3")]
    Edit {
        set: i64,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_delimiter = ',')]
        tests: Option<Vec<i64>>,
    },
    /// List test sets
    #[command(after_help = "Example:\n  crew hiring set list")]
    List,
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Send the mail that is due, through the configured transport (cron)
    #[command(
        after_help = "Examples:\n  crew outbox deliver\n  CREW_TOKEN=… crew outbox deliver --limit 500\n\nA failed attempt is retried later with exponential backoff (mail.backoff_seconds, doubling);\nafter mail.max_attempts the mail is a dead letter until `crew outbox retry`. See docs/mail.md."
    )]
    Deliver {
        /// At most this many mails in this run
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// List mail in the outbox
    #[command(after_help = "Examples:\n  crew outbox list\n  crew outbox list --status dead")]
    List {
        /// queued, sent or dead
        #[arg(long)]
        status: Option<String>,
        /// At most this many
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Queue a dead (or waiting) mail for the next delivery, with fresh attempts
    #[command(after_help = "Example:\n  crew outbox retry 12")]
    Retry { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// List events, oldest first
    #[command(
        after_help = "Examples:\n  crew events list --order 7\n  crew events list --since 2026-11-25T00:00:00Z --format json"
    )]
    List {
        /// Only events about this order
        #[arg(long)]
        order: Option<String>,
        /// Only events at or after this time (RFC 3339, or `YYYY-MM-DD HH:MM`)
        #[arg(long)]
        since: Option<String>,
        /// At most this many
        #[arg(long)]
        limit: Option<usize>,
    },
}
