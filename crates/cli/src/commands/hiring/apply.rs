//! `crew hiring apply`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::error::Error;
use crew_core::hiring::pipeline::{self, Applicant};
use crew_core::imports::RawRecord;

use super::application_fields;
use crate::context::App;

/// Take one application (the public intake; a re-sent email updates it)
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  crew hiring apply --name \"Mo Whisker\" --email mo@example.com --zone north --strengths \"cleaning:4;gardening\""
)]
pub struct ApplyArgs {
    #[arg(long)]
    name: String,
    #[arg(long)]
    email: String,
    #[arg(long)]
    zone: String,
    /// Claimed strengths as skills, `cleaning:4;gardening` (a missing level is 3)
    #[arg(long)]
    strengths: String,
    #[arg(long)]
    weaknesses: Option<String>,
    #[arg(long)]
    age: Option<String>,
    #[arg(long)]
    breed: Option<String>,
    #[arg(long)]
    coat: Option<String>,
    #[arg(long)]
    photo: Option<String>,
    #[arg(long)]
    source: Option<String>,
}

pub const ACTIONS: &[Action] = &[Action::TakeApplications];

/// The application's fields are this command's flags: "field `name`: …" becomes "--name: …".
fn field_as_flag(e: Error) -> Error {
    let named = e.message.strip_prefix("field `").and_then(|rest| rest.split_once("`: "));
    match named {
        Some((field, message)) => Error::new(e.kind, format!("--{}: {message}", field.replace('_', "-"))),
        None => e,
    }
}

pub fn run(app: &mut App, args: ApplyArgs) -> Result<()> {
    let ApplyArgs { name, email, zone, strengths, weaknesses, age, breed, coat, photo, source } = args;
    let mut fields = std::collections::BTreeMap::new();
    for (k, v) in [
        ("name", Some(name)),
        ("email", Some(email)),
        ("zone", Some(zone)),
        ("strengths", Some(strengths)),
        ("weaknesses", weaknesses),
        ("age", age),
        ("breed", breed),
        ("coat", coat),
        ("photo", photo),
        ("source", source),
    ] {
        if let Some(v) = v {
            fields.insert(k.to_string(), v);
        }
    }
    let c = Applicant::parse(&RawRecord { location: "the application".into(), fields: fields.into() })
        .map_err(field_as_flag)?;
    let a = app.write(|tx, ctx| pipeline::take_application(tx, ctx, c))?;
    app.out.done(
        &a,
        &application_fields(&a),
        &format!("Application #{} from {} is in ({}).", a.id, a.applicant.email, a.status.as_str()),
    )
}
