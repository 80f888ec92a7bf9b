//! `crew supplies stock`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::supplies;

use super::rules;
use crate::context::App;

/// Show the stock of every counted item: on hand, reserved by open kits, available, warnings
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  crew supplies stock\n\nAn item is LOW at or below the company rule supplies.low_stock_units available units;\nSHORT counts units open kits still lack."
)]
pub struct StockArgs {}

pub const ACTIONS: &[Action] = &[Action::ViewKits];

pub fn run(app: &mut App, _args: StockArgs) -> Result<()> {
    let list = app.read(|tx, ctx| {
        let rules = rules(tx)?;
        supplies::stock(tx, ctx, &rules)
    })?;
    app.out.list(&list, &["ITEM", "ON HAND", "RESERVED", "AVAILABLE", "SHORT", "WARNING"], |s| {
        let warning = match (s.low, s.short) {
            (_, n) if n > 0 => format!("open kits lack {n}"),
            (true, _) => "low".into(),
            _ => String::new(),
        };
        vec![
            s.stock.item.to_string(),
            s.stock.on_hand.to_string(),
            s.stock.reserved.to_string(),
            s.available.to_string(),
            s.short.to_string(),
            warning,
        ]
    })
}
