//! `crew hiring …`: one file per subcommand, a folder per nested group (`test/`, `set/`); the
//! application as shown and the TOML/JSON document reader are shared here.

mod accept;
mod apply;
mod assign;
mod import;
mod list;
mod rank;
mod reject;
mod set;
mod show;
mod submit;
mod test;

use std::path::Path;

use anyhow::Result;
use clap::Subcommand;
use crew_core::authz::Action;
use crew_core::error::Error;
use crew_core::hiring::pipeline::Application;

use crate::context::{App, bad_input};
use crate::files::{Input, Limits, read_input};

/// Hire the best: tests and test sets, applications, scoring, ranking, accepting
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  crew hiring test create fixtures/tests/company/hiring/test.toml\n  crew hiring set create \"Cleaners 2026\" --tests 1\n  crew hiring import applications.csv                   # the website's intake; bad rows reported\n  crew hiring assign 7 1                                # application 7 takes set 1\n  crew hiring rank 1 --top 3%\n  crew hiring accept 7 --reason \"Top of the set\"\n\nSee docs/hiring.md."
)]
pub enum HiringCommand {
    #[command(subcommand)]
    Test(test::TestCommand),
    #[command(subcommand)]
    Set(set::SetCommand),
    Apply(apply::ApplyArgs),
    Import(import::ImportArgs),
    Assign(assign::AssignArgs),
    Submit(submit::SubmitArgs),
    Accept(accept::AcceptArgs),
    Reject(reject::RejectArgs),
    List(list::ListArgs),
    Show(show::ShowArgs),
    Rank(rank::RankArgs),
}

impl HiringCommand {
    /// The actions this subcommand needs.
    pub fn actions(&self) -> &'static [Action] {
        match self {
            Self::Test(c) => c.actions(),
            Self::Set(c) => c.actions(),
            Self::Apply(_) => apply::ACTIONS,
            Self::Import(_) => import::ACTIONS,
            Self::Assign(_) => assign::ACTIONS,
            Self::Submit(_) => submit::ACTIONS,
            Self::Accept(_) => accept::ACTIONS,
            Self::Reject(_) => reject::ACTIONS,
            Self::List(_) => list::ACTIONS,
            Self::Show(_) => show::ACTIONS,
            Self::Rank(_) => rank::ACTIONS,
        }
    }
}

pub fn run(app: &mut App, command: HiringCommand) -> Result<()> {
    match command {
        HiringCommand::Test(c) => test::run(app, c),
        HiringCommand::Set(c) => set::run(app, c),
        HiringCommand::Apply(args) => apply::run(app, args),
        HiringCommand::Import(args) => import::run(app, args),
        HiringCommand::Assign(args) => assign::run(app, args),
        HiringCommand::Submit(args) => submit::run(app, args),
        HiringCommand::Accept(args) => accept::run(app, args),
        HiringCommand::Reject(args) => reject::run(app, args),
        HiringCommand::List(args) => list::run(app, args),
        HiringCommand::Show(args) => show::run(app, args),
        HiringCommand::Rank(args) => rank::run(app, args),
    }
}

/// Reads a TOML (or, by extension, JSON) file into `T`, naming the file and line on error.
fn read_document<T: serde::de::DeserializeOwned>(path: &Path, limits: &Limits) -> Result<T> {
    let text = String::from_utf8(read_input(path, Input::Document, limits)?).map_err(|e| bad_input(e.into()))?;
    let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let parsed = if is_json {
        serde_json::from_str(&text).map_err(|e| format!("line {}: {e}", e.line()))
    } else {
        toml::from_str(&text).map_err(|e| {
            let line = e.span().map_or(0, |s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            format!("line {line}: {}", e.message().trim_end())
        })
    };
    parsed.map_err(|e| Error::bad_input(format!("{}: {e}", path.display())).into())
}

const APPLICATION_HEADERS: &[&str] = &["ID", "STATUS", "NAME", "EMAIL", "ZONE", "STRENGTHS", "SET", "SCORE"];

fn application_cells(a: &Application) -> Vec<String> {
    vec![
        a.id.to_string(),
        a.status.as_str().to_string(),
        a.applicant.name.to_string(),
        a.applicant.email.to_string(),
        a.applicant.zone.to_string(),
        a.applicant.strengths.to_string(),
        a.set.map(|s| s.to_string()).unwrap_or_default(),
        match (a.score, a.max_score, a.passed) {
            (Some(s), Some(m), Some(p)) => format!("{s}/{m}{}", if p { "" } else { " (below pass mark)" }),
            _ => String::new(),
        },
    ]
}

fn application_fields(a: &Application) -> Vec<(&'static str, String)> {
    let c = &a.applicant;
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let mut f: Vec<(&'static str, String)> = ["id", "status", "name", "email", "zone", "strengths", "set", "score"]
        .into_iter()
        .zip(application_cells(a))
        .collect();
    f.extend([
        ("weaknesses", c.weaknesses.to_string()),
        ("age", c.age.map(|a| a.to_string()).unwrap_or_default()),
        ("breed", opt(&c.breed)),
        ("coat", opt(&c.coat)),
        ("photo", opt(&c.photo)),
        ("source", opt(&c.source)),
        ("tests", a.tests.iter().map(|(t, v)| format!("#{t} v{v}")).collect::<Vec<_>>().join(", ")),
        ("reason", a.reason.as_ref().map(ToString::to_string).unwrap_or_default()),
    ]);
    f
}
