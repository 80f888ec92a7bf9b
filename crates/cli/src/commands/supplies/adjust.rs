//! `crew supplies adjust`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::supplies::{self, ItemCode};
use crew_core::types::Text;

use crate::context::{App, FromFlag};

/// Correct an item's stock to what a count found (never below what open kits reserved)
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew supplies adjust gloves --to 12 --reason \"monthly count\"")]
pub struct AdjustArgs {
    item: String,
    /// The units the shelf holds
    #[arg(long, value_name = "N")]
    to: String,
    /// Why the count changed
    #[arg(long)]
    reason: String,
}

pub const ACTIONS: &[Action] = &[Action::HandleKits];

pub fn run(app: &mut App, args: AdjustArgs) -> Result<()> {
    let item = ItemCode::parse(&args.item).flag("ITEM")?;
    let to = supplies::units(&args.to).flag("--to")?;
    let reason = Text::one_line(&args.reason).flag("--reason")?;
    let (stock, changed) = app.write(|tx, ctx| supplies::adjust(tx, ctx, &item, to, reason))?;
    let sentence = if changed {
        format!("{}: {} on hand, {} reserved.", stock.item, stock.on_hand, stock.reserved)
    } else {
        format!("{}: the stock is already {}; nothing changed.", stock.item, stock.on_hand)
    };
    let fields = [
        ("item", stock.item.to_string()),
        ("on_hand", stock.on_hand.to_string()),
        ("reserved", stock.reserved.to_string()),
    ];
    app.out.done(&stock, &fields, &sentence)
}
