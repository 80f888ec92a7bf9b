//! `crew matching …`.

use std::collections::HashMap;

use anyhow::Result;
use crew_core::error::{Error, ErrorKind};
use crew_core::ids::{AccountId, OrderId};
use crew_core::matching::{self, ProfileEdit, WorkerFilter, WorkerProfile, WorkerStatus};
use crew_core::ordering::Policy;
use crew_core::store::Tx;
use crew_core::types::{Login, Skill, SkillSet, Text, Zone};
use serde::Serialize;

use crate::cli::MatchingCommand;
use crate::context::App;
use crate::steps::run_external_steps;

/// The worker account behind a login.
fn worker_id(tx: &mut dyn Tx, login: &Login) -> crew_core::Result<AccountId> {
    let account =
        tx.account_by_login(login)?.ok_or_else(|| Error::not_found(format!("no account with login `{login}`")))?;
    if account.role != crew_core::authz::Role::Worker {
        return Err(Error::bad_input(format!("`{login}` is a {}, not a worker", account.role)));
    }
    Ok(account.id)
}

/// Logins of accounts, looked up once each.
fn logins(tx: &mut dyn Tx, ids: impl IntoIterator<Item = AccountId>) -> crew_core::Result<HashMap<AccountId, String>> {
    let mut out = HashMap::new();
    for id in ids {
        if let std::collections::hash_map::Entry::Vacant(e) = out.entry(id) {
            e.insert(tx.account(id)?.map_or_else(|| format!("#{id}"), |a| a.login.to_string()));
        }
    }
    Ok(out)
}

#[derive(Serialize)]
struct ProfileView {
    login: String,
    #[serde(flatten)]
    profile: WorkerProfile,
}

const HEADERS: &[&str] = &["WORKER", "ZONE", "SKILLS", "RATING", "LOAD", "STATUS", "DONE", "FAILED"];

fn cells(v: &ProfileView) -> Vec<String> {
    let p = &v.profile;
    vec![
        v.login.clone(),
        p.zone.to_string(),
        p.skills.to_string(),
        p.rating.to_string(),
        format!("{}/{}", p.load, p.capacity),
        p.status.as_str().to_string(),
        p.completed.to_string(),
        p.failed.to_string(),
    ]
}

fn fields(v: &ProfileView) -> Vec<(&'static str, String)> {
    ["worker", "zone", "skills", "rating", "load", "status", "completed", "failed"].into_iter().zip(cells(v)).collect()
}

fn views(tx: &mut dyn Tx, profiles: Vec<WorkerProfile>) -> crew_core::Result<Vec<ProfileView>> {
    let names = logins(tx, profiles.iter().map(|p| p.worker))?;
    Ok(profiles.into_iter().map(|profile| ProfileView { login: names[&profile.worker].clone(), profile }).collect())
}

pub fn run(app: &mut App, command: MatchingCommand) -> Result<()> {
    match command {
        MatchingCommand::Run { dry_run } => run_cycle(app, dry_run),
        MatchingCommand::Explain { order } => explain(app, order.parse()?),
        MatchingCommand::Workers { zone, skill, status } => {
            let filter = WorkerFilter {
                zone: zone.as_deref().map(Zone::parse).transpose()?,
                skill: skill.as_deref().map(Skill::parse).transpose()?,
                status: status.as_deref().map(WorkerStatus::parse).transpose()?,
            };
            let list = app.read(|tx, ctx| {
                let profiles = matching::list_workers(tx, ctx, &filter)?;
                views(tx, profiles)
            })?;
            app.out.list(&list, HEADERS, cells)
        }
        MatchingCommand::Profile { worker } => {
            let login = Login::parse(&worker)?;
            let v = app.read(|tx, ctx| {
                let id = worker_id(tx, &login)?;
                let p = matching::show_profile(tx, ctx, id)?;
                Ok(views(tx, vec![p])?.remove(0))
            })?;
            app.out.record(&v, &fields(&v))
        }
        MatchingCommand::Edit { worker, skills, capacity, zone } => {
            let login = Login::parse(&worker)?;
            let edit = ProfileEdit {
                zone: zone.as_deref().map(Zone::parse).transpose()?,
                skills: skills.as_deref().map(SkillSet::parse).transpose()?,
                capacity,
            };
            let v = app.write(|tx, ctx| {
                let id = worker_id(tx, &login)?;
                let p = matching::edit_profile(tx, ctx, id, edit)?;
                Ok(views(tx, vec![p])?.remove(0))
            })?;
            app.out.done(&v, &fields(&v), &format!("Profile of {} updated.", v.login))
        }
        MatchingCommand::Suspend { worker, reason } => {
            let login = Login::parse(&worker)?;
            let reason = Text::parse(&reason)?;
            let v = app.write(|tx, ctx| {
                let id = worker_id(tx, &login)?;
                let p = matching::suspend(tx, ctx, id, reason)?;
                Ok(views(tx, vec![p])?.remove(0))
            })?;
            let s = format!(
                "{} is suspended: no new orders. Their assigned orders go back to open at the next `crew order sweep-no-shows`.",
                v.login
            );
            app.out.done(&v, &fields(&v), &s)
        }
        MatchingCommand::Reinstate { worker } => {
            let login = Login::parse(&worker)?;
            let v = app.write(|tx, ctx| {
                let id = worker_id(tx, &login)?;
                let p = matching::reinstate(tx, ctx, id)?;
                Ok(views(tx, vec![p])?.remove(0))
            })?;
            app.out.done(&v, &fields(&v), &format!("{} is back in matching.", v.login))
        }
    }
}

#[derive(Serialize)]
struct Row {
    order: OrderId,
    status: &'static str,
    worker: Option<String>,
    score: Option<f64>,
    price: Option<String>,
    note: String,
}

/// How often the cycle starts again when the database changed under it.
const ATTEMPTS: usize = 3;

fn run_cycle(app: &mut App, dry_run: bool) -> Result<()> {
    let policy = Policy { base_price: app.config.file.pricing.base_price };
    let settings = app.config.matching.clone();
    let steps_dir = app.config.base_dir();
    let spinner = crate::output::Bar::spinner("matching", !app.out.quiet);
    let mut attempt = 0;
    let report = loop {
        attempt += 1;
        let now = app.now;
        let mut batch = app.read(|tx, _| matching::prepare(tx, &settings, None, now))?;
        // External programs run outside any transaction: the database stays free meanwhile.
        run_external_steps(&mut batch, &steps_dir)?;
        let decision = matching::plan(&batch)?;
        let result = if dry_run {
            app.read(|tx, _| matching::report(tx, &batch, &decision, &policy, true))
        } else {
            app.write(|tx, ctx| matching::commit(tx, ctx, &batch, &decision, &policy))
        };
        match result {
            Err(e)
                if attempt < ATTEMPTS && e.downcast_ref::<Error>().is_some_and(|e| e.kind == ErrorKind::Conflict) =>
            {
                continue;
            }
            other => break other?,
        }
    };
    drop(spinner);
    let currency = app.config.file.currency.clone();
    let rows = app.read(|tx, _| {
        let names = logins(tx, report.assigned.iter().map(|a| a.worker))?;
        let mut rows: Vec<Row> = report
            .assigned
            .iter()
            .map(|a| Row {
                order: a.order,
                status: if dry_run { "would assign" } else { "assigned" },
                worker: Some(names[&a.worker].clone()),
                score: Some(a.score),
                price: Some(format!("{} {currency}", a.price)),
                note: a.relaxation.clone().unwrap_or_default(),
            })
            .collect();
        rows.extend(report.left_open.iter().map(|l| Row {
            order: l.order,
            status: "left open",
            worker: None,
            score: None,
            price: None,
            note: l.reason.clone(),
        }));
        Ok(rows)
    })?;
    app.out.list(&rows, &["ORDER", "STATUS", "WORKER", "SCORE", "PRICE", "NOTE"], |r| {
        vec![
            r.order.to_string(),
            r.status.to_string(),
            r.worker.clone().unwrap_or_default(),
            r.score.map(|s| format!("{s:.3}")).unwrap_or_default(),
            r.price.clone().unwrap_or_default(),
            r.note.clone(),
        ]
    })?;
    let verb = if dry_run { "would assign" } else { "assigned" };
    app.out.note(&format!(
        "Matching {verb} {} order(s); {} left open.{}",
        report.assigned.len(),
        report.left_open.len(),
        if dry_run { " Dry run: nothing was changed." } else { "" }
    ))
}

fn explain(app: &mut App, order: OrderId) -> Result<()> {
    let settings = app.config.matching.clone();
    let now = app.now;
    let mut batch = app.read(|tx, ctx| {
        matching::may_explain(tx, ctx, order)?;
        matching::prepare(tx, &settings, Some(order), now)
    })?;
    run_external_steps(&mut batch, &app.config.base_dir())?;
    let explanation = matching::explain(&batch)?;
    let names =
        app.read(|tx, _| logins(tx, explanation.candidates.iter().map(|c| c.worker).chain(explanation.worker)))?;
    let verdict = explanation.verdict.describe(explanation.status, |w| names[&w].clone());
    if app.out.format != crate::cli::Format::Table {
        return app.out.record(&explanation, &[("order", order.to_string()), ("verdict", verdict)]);
    }
    let step_names: Vec<String> = batch.steps.iter().map(|s| format!("{} ×{}", s.name, s.weight)).collect();
    let mut headers: Vec<&str> = vec!["WORKER", "ZONE", "SKILLS", "LOAD"];
    headers.extend(step_names.iter().map(String::as_str));
    headers.push("TOTAL");
    crate::output::line(&format!("Order #{order} ({}): {verdict}", explanation.status))?;
    if let Some(r) = &explanation.relaxation {
        crate::output::line(&format!("Nobody in the order's own zone could take it; relaxed to a {r}."))?;
    }
    if explanation.candidates.is_empty() {
        return Ok(());
    }
    crate::output::line("")?;
    app.out.list(&explanation.candidates, &headers, |c| {
        let mut row = vec![
            format!("{}{}", names[&c.worker], if Some(c.worker) == explanation.worker { " *" } else { "" }),
            c.zone.to_string(),
            c.skills.to_string(),
            format!("{}/{}", c.load, c.capacity),
        ];
        row.extend(c.scores.iter().map(|(_, s)| format!("{s:.3}")));
        row.push(format!("{:.3}", c.total));
        row
    })
}
