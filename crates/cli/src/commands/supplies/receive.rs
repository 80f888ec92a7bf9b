//! `crew supplies receive`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::supplies::{self, ItemCode};
use crew_core::types::Text;
use serde::Serialize;

use crate::context::{App, FromFlag};

/// Record units arriving on the shelf (the item is counted from now on); short kits are filled first
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew supplies receive gloves 40 --reason \"delivery note 1187\"")]
pub struct ReceiveArgs {
    item: String,
    quantity: String,
    /// Where the units came from
    #[arg(long)]
    reason: String,
}

pub const ACTIONS: &[Action] = &[Action::HandleKits];

#[derive(Serialize)]
struct Received {
    item: String,
    quantity: u32,
    on_hand: u32,
    reserved: u32,
    filled_kits: Vec<crew_core::ids::KitId>,
}

pub fn run(app: &mut App, args: ReceiveArgs) -> Result<()> {
    let item = ItemCode::parse(&args.item).flag("ITEM")?;
    let quantity = supplies::units(&args.quantity).flag("QUANTITY")?;
    let reason = Text::one_line(&args.reason).flag("--reason")?;
    let (stock, filled) = app.write(|tx, ctx| supplies::receive(tx, ctx, &item, quantity, reason))?;
    let r = Received {
        item: stock.item.to_string(),
        quantity,
        on_hand: stock.on_hand,
        reserved: stock.reserved,
        filled_kits: filled,
    };
    let kits: Vec<String> = r.filled_kits.iter().map(|k| format!("#{k}")).collect();
    let filled = if kits.is_empty() { String::new() } else { format!(" Filled short kits {}.", kits.join(", ")) };
    let sentence = format!("Received {quantity} {}: {} on hand, {} reserved.{filled}", r.item, r.on_hand, r.reserved);
    let fields = [
        ("item", r.item.clone()),
        ("quantity", quantity.to_string()),
        ("on_hand", r.on_hand.to_string()),
        ("reserved", r.reserved.to_string()),
        ("filled_kits", kits.join(" ")),
    ];
    app.out.done(&r, &fields, &sentence)
}
