//! `crew hiring …`.

use std::path::Path;

use anyhow::Result;
use crew_core::error::Error;
use crew_core::hiring::pipeline::{
    self, AnswerSheet, Application, ApplicationStatus, Candidate, HiringTest, IntakeReport, TestSet, TestSpec,
};
use crew_core::imports::RawRecord;
use crew_core::types::{Name, Text};
use serde::Serialize;

use crate::cli::{HiringCommand, HiringSetCommand, HiringTestCommand};
use crate::context::{App, bad_input, read_user_file};

/// Reads a TOML (or, by extension, JSON) file into `T`, naming the file and line on error.
fn read_document<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = String::from_utf8(read_user_file(path)?).map_err(|e| bad_input(e.into()))?;
    let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let parsed = if is_json {
        serde_json::from_str(&text).map_err(|e| format!("line {}: {e}", e.line()))
    } else {
        toml::from_str(&text).map_err(|e| {
            let line = e.span().map_or(0, |s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            format!("line {line}: {}", e.message().trim_end())
        })
    };
    parsed.map_err(|e| Error::bad_input(format!("{}: {e}", path.display())).into())
}

fn read_test(path: &Path) -> Result<TestSpec> {
    let spec: TestSpec = read_document(path)?;
    spec.validate().map_err(|e| e.context(path.display()))?;
    Ok(spec)
}

const APPLICATION_HEADERS: &[&str] = &["ID", "STATUS", "NAME", "EMAIL", "ZONE", "STRENGTHS", "SET", "SCORE"];

fn application_cells(a: &Application) -> Vec<String> {
    vec![
        a.id.to_string(),
        a.status.as_str().to_string(),
        a.candidate.name.to_string(),
        a.candidate.email.to_string(),
        a.candidate.zone.to_string(),
        a.candidate.strengths.to_string(),
        a.set.map(|s| s.to_string()).unwrap_or_default(),
        match (a.score, a.max_score, a.passed) {
            (Some(s), Some(m), Some(p)) => format!("{s}/{m}{}", if p { "" } else { " (below pass mark)" }),
            _ => String::new(),
        },
    ]
}

fn application_fields(a: &Application) -> Vec<(&'static str, String)> {
    let c = &a.candidate;
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let mut f: Vec<(&'static str, String)> = ["id", "status", "name", "email", "zone", "strengths", "set", "score"]
        .into_iter()
        .zip(application_cells(a))
        .collect();
    f.extend([
        ("weaknesses", c.weaknesses.to_string()),
        ("age", c.age.map(|a| a.to_string()).unwrap_or_default()),
        ("breed", opt(&c.breed)),
        ("coat", opt(&c.coat)),
        ("photo", opt(&c.photo)),
        ("source", opt(&c.source)),
        ("tests", a.tests.iter().map(|(t, v)| format!("#{t} v{v}")).collect::<Vec<_>>().join(", ")),
        ("reason", a.reason.as_ref().map(ToString::to_string).unwrap_or_default()),
    ]);
    f
}

fn test_fields(t: &HiringTest) -> Vec<(&'static str, String)> {
    vec![
        ("id", t.id.to_string()),
        ("version", t.version.to_string()),
        ("name", t.spec.name.clone()),
        ("questions", t.spec.questions.len().to_string()),
        ("points", t.spec.max_points().to_string()),
        ("pass_mark", t.spec.pass_mark.to_string()),
    ]
}

fn set_cells(s: &TestSet) -> Vec<String> {
    vec![
        s.id.to_string(),
        s.name.to_string(),
        s.tests.iter().map(|t| format!("#{t}")).collect::<Vec<_>>().join(", "),
        s.description.to_string(),
    ]
}

pub fn run(app: &mut App, command: HiringCommand) -> Result<()> {
    match command {
        HiringCommand::Test(c) => run_test(app, c),
        HiringCommand::Set(c) => run_set(app, c),
        HiringCommand::Apply { name, email, zone, strengths, weaknesses, age, breed, coat, photo, source } => {
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
            let c = Candidate::parse(&RawRecord { location: "the application".into(), fields })?;
            let a = app.write(|tx, ctx| pipeline::apply(tx, ctx, c))?;
            app.out.done(
                &a,
                &application_fields(&a),
                &format!("Application #{} from {} is in ({}).", a.id, a.candidate.email, a.status.as_str()),
            )
        }
        HiringCommand::Import { file, strict } => import(app, &file, strict),
        HiringCommand::Assign { application, set } => {
            let a = app.write(|tx, ctx| pipeline::assign(tx, ctx, application, set))?;
            app.out.done(
                &a,
                &application_fields(&a),
                &format!("Application #{application} has the tests of set #{set}."),
            )
        }
        HiringCommand::Submit { application, answers } => {
            let sheet: AnswerSheet = read_document(&answers)?;
            let a = app.write(|tx, ctx| pipeline::submit(tx, ctx, application, &sheet))?;
            let verdict = if a.passed == Some(true) { "passed" } else { "below the pass mark" };
            let s = format!(
                "Application #{application} scored {}/{} ({verdict}).",
                a.score.unwrap_or(0),
                a.max_score.unwrap_or(0)
            );
            app.out.done(&a, &application_fields(&a), &s)
        }
        HiringCommand::Accept { application, reason } => {
            let reason = Text::parse(&reason)?;
            let a = app.write(|tx, ctx| pipeline::accept(tx, ctx, application, reason))?;
            let s = format!(
                "Application #{application} is accepted: {} joins the pool (an activation secret is mailed).",
                a.candidate.email
            );
            app.out.done(&a, &application_fields(&a), &s)
        }
        HiringCommand::Reject { application, reason } => {
            let reason = Text::parse(&reason)?;
            let a = app.write(|tx, ctx| pipeline::reject(tx, ctx, application, reason))?;
            app.out.done(&a, &application_fields(&a), &format!("Application #{application} is rejected."))
        }
        HiringCommand::List { status, limit } => {
            let status = status.as_deref().map(ApplicationStatus::parse).transpose()?;
            let list = app.read(|tx, ctx| pipeline::list(tx, ctx, status, limit))?;
            app.out.list(&list, APPLICATION_HEADERS, application_cells)
        }
        HiringCommand::Show { application } => {
            let (a, history) = app.read(|tx, ctx| pipeline::show(tx, ctx, application))?;
            if app.out.format != crate::cli::Format::Table {
                #[derive(Serialize)]
                struct View<'a> {
                    #[serde(flatten)]
                    application: &'a Application,
                    history: &'a [crew_core::events::StoredEvent],
                }
                return app.out.record(&View { application: &a, history: &history }, &application_fields(&a));
            }
            app.out.record(&a, &application_fields(&a))?;
            crate::output::line("")?;
            app.out.list(&history, &["SEQ", "AT", "TYPE", "SUMMARY"], |e| {
                vec![
                    e.seq.to_string(),
                    app.show_time(e.at),
                    e.event.type_name().to_string(),
                    e.event.summary(|a| format!("#{a}")),
                ]
            })
        }
        HiringCommand::Rank { set, top } => {
            let top = top
                .as_deref()
                .map(|t| {
                    t.trim()
                        .trim_end_matches('%')
                        .parse::<f64>()
                        .ok()
                        .filter(|p| *p > 0.0 && *p <= 100.0)
                        .ok_or_else(|| Error::bad_input(format!("--top `{t}` is not a share like `3%`")))
                })
                .transpose()?;
            let ranked = app.read(|tx, ctx| pipeline::rank(tx, ctx, set, top))?;
            app.out.list(&ranked, &["RANK", "APPLICATION", "NAME", "EMAIL", "SCORE", "PERCENTILE", "STATUS"], |r| {
                vec![
                    r.rank.to_string(),
                    r.application.to_string(),
                    r.name.to_string(),
                    r.email.to_string(),
                    format!("{}/{}{}", r.score, r.max_score, if r.passed { "" } else { " (below pass mark)" }),
                    format!("{:.1}", r.percentile),
                    r.status.as_str().to_string(),
                ]
            })
        }
    }
}

fn run_test(app: &mut App, command: HiringTestCommand) -> Result<()> {
    match command {
        HiringTestCommand::Create { file } => {
            let spec = read_test(&file)?;
            let t = app.write(|tx, ctx| pipeline::create_test(tx, ctx, spec))?;
            app.out.done(&t, &test_fields(&t), &format!("Test #{} `{}` created.", t.id, t.spec.name))
        }
        HiringTestCommand::Edit { test, file } => {
            let spec = read_test(&file)?;
            let t = app.write(|tx, ctx| pipeline::edit_test(tx, ctx, test, spec))?;
            let s = format!("Test #{test} is now version {}; candidates who hold an older one keep it.", t.version);
            app.out.done(&t, &test_fields(&t), &s)
        }
        HiringTestCommand::Show { test, version } => {
            let t = app.read(|tx, ctx| pipeline::show_test(tx, ctx, test, version))?;
            if app.out.format != crate::cli::Format::Table {
                return app.out.record(&t, &test_fields(&t));
            }
            app.out.record(&t, &test_fields(&t))?;
            for (i, q) in t.spec.questions.iter().enumerate() {
                crate::output::line(&format!("\n{}. {} ({} points)", i + 1, q.text, q.points))?;
                for (j, o) in q.options.iter().enumerate() {
                    let mark = if j + 1 == q.correct { "*" } else { " " };
                    crate::output::line(&format!("   {mark} {}) {o}", j + 1))?;
                }
            }
            Ok(())
        }
        HiringTestCommand::List => {
            let tests = app.read(|tx, ctx| pipeline::list_tests(tx, ctx))?;
            app.out.list(&tests, &["ID", "VERSION", "NAME", "QUESTIONS", "POINTS", "PASS MARK"], |t| {
                test_fields(t).into_iter().map(|(_, v)| v).collect()
            })
        }
        HiringTestCommand::Delete { test } => {
            let t = app.write(|tx, ctx| pipeline::delete_test(tx, ctx, test))?;
            app.out.done(&t, &test_fields(&t), &format!("Test #{test} deleted."))
        }
    }
}

fn run_set(app: &mut App, command: HiringSetCommand) -> Result<()> {
    let fields = |s: &TestSet| -> Vec<(&'static str, String)> {
        ["id", "name", "tests", "description"].into_iter().zip(set_cells(s)).collect()
    };
    match command {
        HiringSetCommand::Create { name, tests, description } => {
            let name = Name::parse(&name)?;
            let description = Text::parse(&description)?;
            let s = app.write(|tx, ctx| pipeline::create_set(tx, ctx, name, description, tests))?;
            app.out.done(&s, &fields(&s), &format!("Test set #{} `{}` created.", s.id, s.name))
        }
        HiringSetCommand::Edit { set, name, tests } => {
            let name = name.as_deref().map(Name::parse).transpose()?;
            let s = app.write(|tx, ctx| pipeline::edit_set(tx, ctx, set, name, tests))?;
            app.out.done(&s, &fields(&s), &format!("Test set #{set} saved."))
        }
        HiringSetCommand::List => {
            let sets = app.read(|tx, ctx| pipeline::list_sets(tx, ctx))?;
            app.out.list(&sets, &["ID", "NAME", "TESTS", "DESCRIPTION"], set_cells)
        }
    }
}

fn import(app: &mut App, file: &Path, strict: bool) -> Result<()> {
    let (records, mut unreadable) = crate::files::read_records_lenient(file, Candidate::REQUIRED, Candidate::OPTIONAL)?;
    if strict && let Some(first) = unreadable.first() {
        return Err(Error::bad_input(format!("{}: {}: {}", file.display(), first.location, first.reason)).into());
    }
    let mut bar = app.progress("applications", records.len());
    let mut report: IntakeReport =
        app.write(|tx, ctx| pipeline::import(tx, ctx, &records, strict, &mut bar)).map_err(|e| {
            match e.downcast::<Error>() {
                Ok(ce) => ce.context(file.display()).into(),
                Err(e) => e,
            }
        })?;
    drop(bar);
    unreadable.append(&mut report.invalid);
    unreadable.sort_by_key(|r| r.location.split(' ').nth(1).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0));
    report.invalid = unreadable;
    if app.out.format != crate::cli::Format::Table {
        return app.out.record(&report, &[]);
    }
    crate::output::line(&format!(
        "{}: {} new, {} updated, {} unchanged, {} invalid.",
        file.display(),
        report.received,
        report.updated,
        report.unchanged,
        report.invalid.len()
    ))?;
    const SHOWN: usize = 20;
    for r in report.invalid.iter().take(SHOWN) {
        eprintln!("{}: {}: {}", file.display(), r.location, r.reason);
    }
    if report.invalid.len() > SHOWN {
        eprintln!("… and {} more invalid rows (all of them with --format json)", report.invalid.len() - SHOWN);
    }
    Ok(())
}
