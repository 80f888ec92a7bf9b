//! `crew bets list`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::{bets, iam};

use super::{login, pool_view};
use crate::context::App;

/// Orders with bets: their pots and where they stand (managers, accountants)
#[derive(Debug, Args)]
#[command(after_help = "\
Without --all, only pools whose stakes are still held (open or closed, not yet settled).

Examples:
  crew bets list
  crew bets list --all --format json")]
pub struct ListArgs {
    /// Settled pools too
    #[arg(long)]
    all: bool,
}

pub const ACTIONS: &[Action] = &[Action::ViewBets];

pub fn run(app: &mut App, args: ListArgs) -> Result<()> {
    let (pools, logins) = app.read(|tx, ctx| Ok((bets::list(tx, ctx, args.all)?, iam::logins(tx)?)))?;
    let views: Vec<_> = pools.iter().map(|p| pool_view(p, &logins)).collect();
    app.out.list(&views, &["ORDER", "STATE", "POT", "STAKES", "BETTORS", "OUTCOME", "WINNERS"], |v| {
        let stakes: Vec<String> = v.stakes.iter().map(|(o, m)| format!("{o} {m}")).collect();
        let mut bettors: Vec<String> = v.bets.iter().map(|b| b.manager_login.clone()).collect();
        bettors.dedup();
        let winners = match v.outcome {
            None => String::new(),
            Some(_) if v.winnings.is_empty() => format!("house {}", v.house),
            Some(_) => v
                .winnings
                .iter()
                .map(|w| format!("{} {}", login(&logins, w.winning.manager), w.winning.won))
                .collect::<Vec<_>>()
                .join(", "),
        };
        vec![
            format!("#{}", v.order),
            v.state.to_string(),
            v.pot.to_string(),
            stakes.join(", "),
            bettors.join(", "),
            v.outcome.unwrap_or_default().to_string(),
            winners,
        ]
    })
}
