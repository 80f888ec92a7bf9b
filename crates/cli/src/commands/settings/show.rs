//! `crew settings show`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::settings::{self, Setting};
use serde::Serialize;

use super::who;
use crate::context::App;

/// Show the company's rules: the value in force, the default, who changed it when
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew settings show\n  crew settings show pricing.base_price\n  crew --format json settings show\n\nA rule nobody set is at its default. Admins change rules with `crew settings set` or\n`crew settings import`."
)]
pub struct ShowArgs {
    /// One rule only (`pricing.base_price`)
    key: Option<String>,
}

pub const ACTIONS: &[Action] = &[Action::ViewSettings];

#[derive(Serialize)]
struct View {
    #[serde(flatten)]
    setting: Setting,
    /// When and by whom, for people ("" while at the default, never set).
    changed: String,
}

pub fn run(app: &mut App, args: ShowArgs) -> Result<()> {
    let key = args.key.as_deref().map(settings::rules::rule).transpose()?.map(|r| r.key);
    let shown = app.read(|tx, ctx| {
        let list = settings::show(tx, ctx)?;
        list.into_iter()
            .filter(|s| key.is_none_or(|k| k == s.key))
            .map(|s| {
                let by = s.changed_at.map(|_| who(tx, s.changed_by)).transpose()?;
                Ok((s, by))
            })
            .collect::<crew_core::Result<Vec<_>>>()
    })?;
    let views: Vec<View> = shown
        .into_iter()
        .map(|(setting, by)| {
            let changed = match (setting.changed_at, by) {
                (Some(at), Some(by)) => format!("{} by {by}", app.show_time(at)),
                _ => String::new(),
            };
            View { setting, changed }
        })
        .collect();
    if let (Some(_), [v]) = (key, views.as_slice()) {
        let s = &v.setting;
        let fields = [
            ("key", s.key.to_string()),
            ("value", s.value.clone()),
            ("default", s.default.to_string()),
            ("about", s.about.to_string()),
            ("written", s.syntax.clone()),
            ("changed", v.changed.clone()),
        ];
        return app.out.record(v, &fields);
    }
    app.out.list(&views, &["KEY", "VALUE", "DEFAULT", "CHANGED"], |v| {
        vec![v.setting.key.to_string(), v.setting.value.clone(), v.setting.default.to_string(), v.changed.clone()]
    })
}
