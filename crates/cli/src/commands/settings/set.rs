//! `crew settings set`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::settings;
use serde::Serialize;

use crate::context::App;

/// Change one of the company's rules (admin); recorded with its old and new value
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew settings set pricing.base_price 90.00\n  crew settings set time_zone Europe/Berlin\n  crew settings set ordering.no_show_grace_minutes 45\n  crew settings set matching.steps \"skill_fit:1, rating:2, load:0.5, history:0.5\"\n  crew settings set matching.neighbours \"north: centre; south: centre, north\"\n\nEvery rule, its value and how it is written: `crew settings show KEY`. Each change is a\n`setting_changed` event in `crew events list`; the value is checked first, and a refused one\nchanges nothing."
)]
pub struct SetArgs {
    /// The rule (`pricing.base_price`; all of them: `crew settings show`)
    key: String,
    /// Its new value, written as `crew settings show KEY` says
    #[arg(allow_hyphen_values = true)]
    value: String,
}

pub const ACTIONS: &[Action] = &[Action::ManageSettings];

#[derive(Serialize)]
struct View {
    key: String,
    old: String,
    new: String,
    changed: bool,
}

pub fn run(app: &mut App, args: SetArgs) -> Result<()> {
    let SetArgs { key, value } = args;
    let (change, now) = app.write(|tx, ctx| {
        let change = settings::set(tx, ctx, &key, &value)?;
        let rule = settings::rules::rule(&key)?;
        let now = settings::show(tx, ctx)?.into_iter().find(|s| s.key == rule.key).map(|s| s.value);
        Ok((change, now.unwrap_or_default()))
    })?;
    let (view, sentence) = match change {
        Some(c) => {
            let sentence = format!("{}: {} → {}.", c.key, shown(&c.old), shown(&c.new));
            (View { key: c.key.to_string(), old: c.old, new: c.new, changed: true }, sentence)
        }
        None => {
            let key = settings::rules::rule(&key)?.key;
            let sentence = format!("{key} is {} already; nothing changed.", shown(&now));
            (View { key: key.to_string(), old: now.clone(), new: now, changed: false }, sentence)
        }
    };
    let fields = [("key", view.key.clone()), ("old", view.old.clone()), ("new", view.new.clone())];
    app.out.done(&view, &fields, &sentence)
}

fn shown(value: &str) -> &str {
    if value.is_empty() { "(none)" } else { value }
}
