//! `crew supplies issue`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ids::KitId;
use crew_core::supplies;

use super::{fields, rules, shown};
use crate::context::App;

/// Hand a kit to its worker: only when every item and the cookie are there (the worker is mailed)
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew supplies issue 3")]
pub struct IssueArgs {
    kit: String,
}

pub const ACTIONS: &[Action] = &[Action::HandleKits];

pub fn run(app: &mut App, args: IssueArgs) -> Result<()> {
    let id: KitId = args.kit.parse()?;
    let s = app.write(|tx, ctx| {
        let rules = rules(tx)?;
        let v = supplies::issue_kit(tx, ctx, id, &rules)?;
        shown(tx, v)
    })?;
    let who = s.worker_login.clone().unwrap_or_default();
    let sentence = format!("Kit #{id} for order #{} issued to {who}; they are mailed.", s.view.kit.order);
    app.out.done(&s, &fields(app, &s), &sentence)
}
