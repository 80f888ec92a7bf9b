//! `crew service-type retire`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ordering;
use crew_core::types::ServiceCode;

use super::fields;
use crate::context::{App, FromFlag};

/// Stop offering a service type (existing orders go on)
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew service-type retire gardening")]
pub struct RetireArgs {
    code: String,
}

pub const ACTIONS: &[Action] = &[Action::ManageServiceTypes];

pub fn run(app: &mut App, args: RetireArgs) -> Result<()> {
    let code = ServiceCode::parse(&args.code).flag("CODE")?;
    let st = app.write(|tx, ctx| ordering::retire_service_type(tx, ctx, &code))?;
    app.out.done(&st, &fields(&st), &format!("Retired service type `{}`; existing orders go on.", st.code))
}
