//! `crew hiring submit`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::hiring::pipeline::{self, AnswerSheet};
use crew_core::ids::ApplicationId;

use super::{application_fields, read_document};
use crate::context::App;

/// Score a candidate's answers (a TOML or JSON file: [[test]] id, answers = [option numbers])
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  crew hiring submit 42 answers.toml\n\nanswers.toml:\n  [[test]]\n  id = 1\n  answers = [2, 1, 3]"
)]
pub struct SubmitArgs {
    application: i64,
    answers: PathBuf,
}

pub const ACTIONS: &[Action] = &[Action::ManageHiring];

pub fn run(app: &mut App, args: SubmitArgs) -> Result<()> {
    let application = ApplicationId::new(args.application);
    let sheet: AnswerSheet = read_document(&args.answers, &app.limits())?;
    let a = app.write(|tx, ctx| pipeline::submit(tx, ctx, application, &sheet))?;
    let verdict = if a.passed == Some(true) { "passed" } else { "below the pass mark" };
    let s =
        format!("Application #{application} scored {}/{} ({verdict}).", a.score.unwrap_or(0), a.max_score.unwrap_or(0));
    app.out.done(&a, &application_fields(&a), &s)
}
