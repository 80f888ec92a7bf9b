//! `crew supplies set-bom`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::supplies::{self, BomLine};
use crew_core::types::ServiceCode;

use super::bom::items;
use crate::context::{App, FromFlag};

/// Say what every kit for a service type holds from now on (kits already open keep theirs)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew supplies set-bom cleaning --item gloves:2 --item sponge:1\n  crew supplies set-bom gardening --clear        # only the form and the cookie"
)]
pub struct SetBomArgs {
    service: String,
    /// An item and how many units a kit holds: `gloves:2` (or `gloves`, one); repeat for each
    #[arg(long = "item", value_name = "ITEM[:N]", required_unless_present = "clear")]
    items: Vec<String>,
    /// Kits hold no items
    #[arg(long, conflicts_with = "items")]
    clear: bool,
}

pub const ACTIONS: &[Action] = &[Action::ManageBillsOfMaterials];

pub fn run(app: &mut App, args: SetBomArgs) -> Result<()> {
    let service = ServiceCode::parse(&args.service).flag("SERVICE")?;
    let lines = args.items.iter().map(|i| BomLine::parse(i)).collect::<crew_core::Result<Vec<_>>>().flag("--item")?;
    let bom = app.write(|tx, ctx| supplies::set_bill_of_materials(tx, ctx, &service, lines))?;
    let sentence = format!("Kits for `{}` now hold {}.", bom.service_type, items(&bom));
    app.out.done(&bom, &[("service", bom.service_type.to_string()), ("items", items(&bom))], &sentence)
}
