//! `crew supplies cookie`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ids::KitId;
use crew_core::supplies::{self, CookieOutcome, CookieSource};

use super::{fields, rules, shown};
use crate::context::App;

/// Record by hand that a kit's cookie arrived (when the contractor's answer was not polled)
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew supplies cookie 3 --arrived")]
pub struct CookieArgs {
    kit: String,
    /// The cookie is here
    #[arg(long, required = true)]
    arrived: bool,
}

pub const ACTIONS: &[Action] = &[Action::HandleKits];

pub fn run(app: &mut App, args: CookieArgs) -> Result<()> {
    let id: KitId = args.kit.parse()?;
    let _ = args.arrived;
    let (s, changed) = app.write(|tx, ctx| {
        let rules = rules(tx)?;
        let (_, changed) =
            supplies::record_cookie(tx, ctx, id, CookieOutcome::Arrived { by: CookieSource::Hand }, &rules)?;
        let v = supplies::show_kit(tx, ctx, id, &rules)?;
        Ok((shown(tx, v)?, changed))
    })?;
    let sentence = if changed {
        format!("The cookie of kit #{id} is recorded as arrived.")
    } else {
        format!("The cookie of kit #{id} had already arrived; nothing changed.")
    };
    app.out.done(&s, &fields(app, &s), &sentence)
}
