//! `crew supplies deliveries`.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::error::Error;
use crew_core::ids::KitId;
use crew_core::supplies::{self, CookieOutcome, CookieSource};
use serde::{Deserialize, Serialize};

use super::rules;
use crate::context::App;
use crate::files::{self, Input};

/// Record the cookies the contractor's delivery files say arrived (`*.json` in a folder)
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  crew supplies deliveries /srv/cookies/inbox\n\nA delivery file is JSON: {\"reference\": \"kit-7\", \"status\": \"ready\"} (or \"failed\", with an\noptional \"id\", which must be the contractor's id crew recorded). Each file read is moved to\ndone/ inside the folder (a private folder of crew's own; a link there is refused). A file that\ncannot be read, that is not a regular file (links are not followed), or that speaks for a cookie\nnever ordered from the contractor is left where it is and named (exit 2). Reading a file twice\nchanges nothing."
)]
pub struct DeliveriesArgs {
    folder: PathBuf,
}

pub const ACTIONS: &[Action] = &[Action::HandleKits];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = r#"a delivery object like {"reference": "kit-7", "status": "ready"}"#)]
struct Delivery {
    reference: String,
    status: String,
    /// The contractor's id of the cookie: when crew knows it too, they must agree.
    #[serde(default)]
    id: Option<String>,
}

#[derive(Serialize)]
struct Read {
    file: String,
    kit: KitId,
    result: String,
}

pub fn run(app: &mut App, args: DeliveriesArgs) -> Result<()> {
    let folder = &args.folder;
    let entries = std::fs::read_dir(folder)
        .map_err(|e| crate::files::cannot_read(format_args!("the folder {}", folder.display()), &e))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let limits = app.limits();
    let mut read = Vec::new();
    let mut bad = Vec::new();
    for path in paths {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        // Only regular files are read: a symbolic link is not followed, a folder or a FIFO named
        // `*.json` is named and left alone.
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_file() => {}
            Ok(m) => {
                bad.push(format!("{name}: {}, not a regular file", files::kind_of(&m.file_type())));
                continue;
            }
            Err(e) => {
                bad.push(format!("{name}: {e}"));
                continue;
            }
        }
        let (kit, outcome, contractor_id) = match parse(&path, &limits) {
            Ok(x) => x,
            Err(e) => {
                bad.push(format!("{name}: {e:#}"));
                continue;
            }
        };
        match app.write(|tx, ctx| {
            let rules = rules(tx)?;
            let view = supplies::show_kit(tx, ctx, kit, &rules)?;
            supplies::check_delivery(&view.kit, contractor_id.as_deref())?;
            supplies::record_cookie(tx, ctx, kit, outcome.clone(), &rules)
        }) {
            Ok((_, changed)) => {
                let result = match (&outcome, changed) {
                    (CookieOutcome::Arrived { .. }, true) => "arrived",
                    (CookieOutcome::Refused { .. }, true) => "failed at the contractor",
                    _ => "already recorded",
                };
                done(folder, &path)?;
                read.push(Read { file: name, kit, result: result.into() });
            }
            Err(e) => bad.push(format!("{name}: {e:#}")),
        }
    }
    app.out.list(&read, &["FILE", "KIT", "RESULT"], |r| vec![r.file.clone(), r.kit.to_string(), r.result.clone()])?;
    if !bad.is_empty() {
        return Err(Error::bad_input(format!(
            "{} delivery file(s) left in {}: {}",
            bad.len(),
            folder.display(),
            bad.join("; ")
        ))
        .into());
    }
    Ok(())
}

fn parse(path: &Path, limits: &files::Limits) -> Result<(KitId, CookieOutcome, Option<String>)> {
    let bytes = files::read_input(path, Input::Document, limits)?;
    let d: Delivery =
        serde_json::from_slice(&bytes).map_err(|e| Error::bad_input(format!("line {}: {e}", e.line())))?;
    let kit = supplies::kit_of_reference(&d.reference).map_err(|e| e.context("field `reference`"))?;
    let outcome = match d.status.as_str() {
        "ready" => CookieOutcome::Arrived { by: CookieSource::File },
        "failed" => CookieOutcome::Refused { reason: "the contractor's delivery file says it failed".into() },
        other => {
            return Err(Error::bad_input(format!("field `status`: `{other}` is not `ready` or `failed`")).into());
        }
    };
    Ok((kit, outcome, d.id))
}

/// Moves a read delivery file into `done/` (a private folder) so the next run skips it.
fn done(folder: &Path, path: &Path) -> Result<()> {
    let done = folder.join("done");
    // `done/` is crew's own private folder: a symbolic link (or anything else) there is refused,
    // never followed.
    if let Ok(m) = std::fs::symlink_metadata(&done)
        && !m.file_type().is_dir()
    {
        return Err(Error::bad_input(format!(
            "{} is {}, not a folder: crew moves read delivery files only into a folder of its own",
            done.display(),
            files::kind_of(&m.file_type())
        ))
        .into());
    }
    files::create_private_dir_all(&done)
        .map_err(|e| Error::internal(format!("cannot create {}: {e}", done.display())))?;
    let target = done.join(path.file_name().unwrap_or_default());
    files::check_replaceable(&target)?;
    std::fs::rename(path, &target)
        .map_err(|e| Error::internal(format!("cannot move {} to {}: {e}", path.display(), target.display())))?;
    Ok(())
}
