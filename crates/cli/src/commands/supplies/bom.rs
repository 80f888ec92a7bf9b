//! `crew supplies bom`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::supplies::{self, BillOfMaterials};
use crew_core::types::ServiceCode;

use crate::context::{App, FromFlag};

/// Show what a kit holds, per service type (its bill of materials)
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  crew supplies bom\n  crew supplies bom cleaning --format json")]
pub struct BomArgs {
    /// One service type (default: every one in use)
    service: Option<String>,
}

pub const ACTIONS: &[Action] = &[Action::ViewKits];

pub fn run(app: &mut App, args: BomArgs) -> Result<()> {
    let service = args.service.as_deref().map(ServiceCode::parse).transpose().flag("SERVICE")?;
    let list = app.read(|tx, ctx| supplies::bills_of_materials(tx, ctx, service.as_ref()))?;
    app.out.list(&list, &["SERVICE", "ITEMS"], |b| vec![b.service_type.to_string(), items(b)])
}

pub(super) fn items(b: &BillOfMaterials) -> String {
    if b.lines.is_empty() {
        return "(only the form and the cookie)".into();
    }
    b.lines.iter().map(|l| format!("{} × {}", l.quantity, l.item)).collect::<Vec<_>>().join(", ")
}
