//! `crew quality case`.

use std::path::Path;

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::iam;
use crew_core::ids::OrderId;
use crew_core::kernel::events::EventFilter;
use crew_core::ordering::{self, Photo};
use crew_core::quality::{self, CaseFile};
use crew_core::wiring;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::context::App;
use crate::output::one_line as line;

/// Show an order's case: its whole history, its worker's scorecard, its photos with checksums checked
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  crew quality case 7\n  crew quality case 7 --format json")]
pub struct CaseArgs {
    order: String,
}

pub const ACTIONS: &[Action] = &[Action::ManageQuality, Action::ViewEvents, Action::ViewOrders];

#[derive(Serialize)]
struct HistoryLine {
    seq: crew_core::ids::EventSeq,
    at: chrono::DateTime<chrono::Utc>,
    actor: String,
    r#type: &'static str,
    what: String,
}

#[derive(Serialize)]
struct PhotoCheck {
    kind: &'static str,
    path: String,
    sha256: String,
    /// `verified`, `CHANGED` (the file's checksum differs) or `MISSING`.
    check: String,
}

#[derive(Serialize)]
struct Shown {
    #[serde(flatten)]
    file: CaseFile,
    worker_login: Option<String>,
    history: Vec<HistoryLine>,
    photos: Vec<PhotoCheck>,
}

pub fn run(app: &mut App, args: CaseArgs) -> Result<()> {
    let order: OrderId = args.order.parse()?;
    let filter = EventFilter { order: Some(order), ..EventFilter::default() };
    let (file, o, events, logins) = app.read(|tx, ctx| {
        let file = quality::case_file(tx, ctx, order)?;
        let o = ordering::show_order(tx, ctx, order)?;
        Ok((file, o, wiring::list_events(tx, ctx, &filter)?, iam::logins(tx)?))
    })?;
    let name = |a: crew_core::ids::AccountId| logins.get(&a).map_or_else(|| format!("#{a}"), ToString::to_string);
    let history = events
        .iter()
        .map(|e| HistoryLine {
            seq: e.seq,
            at: e.at,
            actor: e.actor.map_or_else(|| "crew".to_string(), name),
            r#type: e.event.type_name(),
            what: e.event.summary(&name),
        })
        .collect();
    let media = app.config.media_dir.clone();
    let photo_limit = app.limits().photo_bytes;
    let photos = [("check-in", &o.check_in_photo), ("report", &o.completion_photo)]
        .into_iter()
        .filter_map(|(kind, p)| p.as_ref().map(|p| check(&media, kind, p, photo_limit)))
        .collect();
    let shown = Shown { worker_login: file.life.as_ref().and_then(|l| l.worker).map(name), file, history, photos };
    if app.out.format != crate::cli::Format::Table {
        let fields = [("order", order.to_string())];
        return app.out.record(&shown, &fields);
    }
    print(app, &shown)
}

/// Reads the photo kept under `media` and compares its SHA-256 with the one recorded. Only a
/// regular file is read (a symbolic link is not followed, a FIFO or device never opened for a
/// blocking read), and at most `limit` bytes of it: anything else is shown as NOT A FILE or
/// CHANGED, never waited on.
fn check(media: &Path, kind: &'static str, p: &Photo, limit: u64) -> PhotoCheck {
    let check = match read_kept_photo(&media.join(&p.path), limit) {
        Ok(Kept::Bytes(bytes)) if format!("{:x}", Sha256::digest(&bytes)) == p.sha256.as_str() => {
            "verified".to_string()
        }
        Ok(Kept::Bytes(_)) => "CHANGED: the file's checksum is not the one recorded".to_string(),
        Ok(Kept::TooBig) => {
            format!("CHANGED: the file is larger than the photo limit ({})", crate::files::human_bytes(limit))
        }
        Ok(Kept::NotAFile(what)) => format!("NOT A FILE: it is {what}"),
        Err(e) => format!("MISSING: {e}"),
    };
    PhotoCheck { kind, path: p.path.clone(), sha256: p.sha256.to_string(), check }
}

enum Kept {
    Bytes(Vec<u8>),
    TooBig,
    NotAFile(&'static str),
}

fn read_kept_photo(path: &Path, limit: u64) -> std::io::Result<Kept> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.file_type().is_file() {
        return Ok(Kept::NotAFile(crate::files::kind_of(&meta.file_type())));
    }
    // Swapped for a link or a FIFO after the look above: not followed, not waited on.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Ok(Kept::NotAFile(crate::files::kind_of(&meta.file_type())));
    }
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    Ok(if bytes.len() as u64 > limit { Kept::TooBig } else { Kept::Bytes(bytes) })
}

fn print(app: &App, s: &Shown) -> Result<()> {
    let f = &s.file;
    let queue = match &f.case {
        Some(c) => format!("in the review queue ({}, since {})", c.reason.as_str(), app.show_time(c.queued_at)),
        None => "not in the review queue".into(),
    };
    // Quality knows how an order ended, not where a live one stands: a live order is "not ended".
    let ending = f.life.as_ref().map_or("unknown", |l| match l.ending {
        crew_core::quality::Ending::Open => "not ended yet",
        e => e.as_str(),
    });
    line(&format!("Order #{}: {ending}, {queue}", f.order))?;
    line("")?;
    line("History")?;
    for h in &s.history {
        line(&format!("  {}  #{:<4} {:<22} {:<16} {}", app.show_time(h.at), h.seq, h.r#type, h.actor, h.what))?;
    }
    line("")?;
    match (&f.scorecard, &s.worker_login) {
        (Some(c), Some(login)) => {
            let rate = c.completion_rate.map_or("—".into(), |r| format!("{r}%"));
            let finish = c.median_minutes_to_finish.map_or("—".into(), |m| format!("{m} min"));
            line(&format!("Worker {login}"))?;
            line(&format!(
                "  completed {}, failed {}, cancelled {}; completion rate {rate}; median time to finish {finish}",
                c.completed, c.failed, c.cancelled
            ))?;
            for r in &c.reviews {
                line(&format!("  review of #{}: {} — {}", r.order, r.verdict.as_str(), r.cause))?;
            }
            if c.reviews.is_empty() {
                line("  no reviews yet")?;
            }
        }
        _ => line("No worker")?,
    }
    line("")?;
    line("Photos")?;
    for p in &s.photos {
        line(&format!("  {}: {} sha256 {} — {}", p.kind, p.path, p.sha256, p.check))?;
    }
    if s.photos.is_empty() {
        line("  none")?;
    }
    line("")?;
    match &f.review {
        Some(r) => {
            let amended = if r.revision > 1 { format!(" (revision {})", r.revision) } else { String::new() };
            line(&format!("Review{amended}: {} — {}", r.verdict.as_str(), r.cause))?;
            if !r.hypothesis.is_empty() {
                line(&format!("  hypothesis: {}", r.hypothesis))?;
            }
        }
        None => line("Not reviewed yet: crew quality review ORDER --verdict … --cause …")?,
    }
    Ok(())
}
