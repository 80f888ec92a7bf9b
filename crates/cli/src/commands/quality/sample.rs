//! `crew quality sample`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::error::Error;
use crew_core::ids::OrderId;
use crew_core::quality;
use serde::Serialize;

use crate::context::App;

/// Draw completed orders at random into the review queue (reproducible with --seed)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew quality sample 5 --seed 2026   # the same database and seed draw the same orders\n  crew quality sample 3               # a seed from the system, printed so the draw can be repeated"
)]
pub struct SampleArgs {
    /// How many completed orders to draw
    n: String,
    /// The seed of the draw (a whole number); default: a fresh one, printed
    #[arg(long)]
    seed: Option<String>,
}

pub const ACTIONS: &[Action] = &[Action::ManageQuality];

#[derive(Serialize)]
struct Drawn {
    seed: u64,
    orders: Vec<OrderId>,
}

pub fn run(app: &mut App, args: SampleArgs) -> Result<()> {
    let n: u32 = args
        .n
        .trim()
        .parse()
        .ok()
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(|| Error::bad_input(format!("N `{}` is not a number of orders from 1 to 10000", args.n)))?;
    let seed = match &args.seed {
        Some(raw) => raw
            .trim()
            .parse::<u64>()
            .map_err(|_| Error::bad_input(format!("--seed `{raw}` is not a whole number from 0 to 2^64-1")))?,
        None => {
            let mut bytes = [0u8; 8];
            getrandom::fill(&mut bytes).map_err(|e| Error::internal(format!("no randomness from the system: {e}")))?;
            u64::from_le_bytes(bytes)
        }
    };
    let orders = app.write(|tx, ctx| quality::sample(tx, ctx, n, seed))?;
    let d = Drawn { seed, orders };
    let list: Vec<String> = d.orders.iter().map(|o| format!("#{o}")).collect();
    let sentence = if list.is_empty() {
        format!("No completed order is left to sample (seed {seed}).")
    } else {
        format!("Queued {} for review: {} (seed {seed}).", list.len(), list.join(", "))
    };
    app.out.done(&d, &[("seed", seed.to_string()), ("orders", list.join(" "))], &sentence)
}
