//! External matching steps: a program fed the whole batch as JSON on stdin, answering a score per
//! pair as JSON on stdout, within a timeout. The protocol is in docs/matching.md.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use crew_core::error::Error;
use crew_core::matching::{Batch, StepKind};
use serde::{Deserialize, Serialize};
use wait_timeout::ChildExt;

/// One pair as an external step sees it.
#[derive(Serialize)]
struct PairIn<'a> {
    order: i64,
    worker: i64,
    client: i64,
    service_type: &'a str,
    order_zone: &'a str,
    worker_zone: &'a str,
    scheduled_at: String,
    required_skills: String,
    worker_skills: String,
    rating: u8,
    load: u32,
    capacity: u32,
}

#[derive(Serialize)]
struct Request<'a> {
    step: &'a str,
    pairs: Vec<PairIn<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Response {
    scores: Vec<f64>,
}

/// Runs every external step of the batch and stores its scores.
pub fn run_external_steps(batch: &mut Batch) -> crew_core::Result<()> {
    for i in 0..batch.steps.len() {
        if batch.steps[i].kind != StepKind::External {
            continue;
        }
        let scores = if batch.pairs.is_empty() { Vec::new() } else { run_one(batch, i)? };
        batch.set_scores(i, scores)?;
    }
    Ok(())
}

fn run_one(batch: &Batch, step: usize) -> crew_core::Result<Vec<f64>> {
    let spec = &batch.steps[step];
    let name = spec.name.as_str();
    let fail = |why: String| Error::bad_input(format!("matching step `{name}` failed: {why}; nothing was assigned"));
    let pairs = batch
        .pairs
        .iter()
        .map(|p| {
            let o = &batch.orders[p.order];
            let w = &batch.workers[p.worker];
            PairIn {
                order: o.order.get(),
                worker: w.worker.get(),
                client: o.client.get(),
                service_type: o.service_type.as_str(),
                order_zone: o.zone.as_str(),
                worker_zone: w.zone.as_str(),
                scheduled_at: o.scheduled_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                required_skills: o.skills.to_string(),
                worker_skills: w.skills.to_string(),
                rating: w.rating,
                load: w.load,
                capacity: w.capacity,
            }
        })
        .collect();
    let input = serde_json::to_vec(&Request { step: name, pairs }).map_err(|e| fail(e.to_string()))?;
    let (program, args) = spec.command.split_first().ok_or_else(|| fail("no command".into()))?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("cannot start `{program}`: {e}")))?;
    // Feed and drain on their own threads so a large batch cannot deadlock on full pipes.
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        stdout.read_to_end(&mut buf).map(|_| buf)
    });
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let err_reader = std::thread::spawn(move || {
        let mut buf = String::new();
        let _ = stderr.read_to_string(&mut buf);
        buf
    });
    let status = match child.wait_timeout(Duration::from_secs(spec.timeout_seconds)) {
        Ok(Some(status)) => status,
        Ok(None) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(fail(format!("no answer within {} s (timeout_seconds)", spec.timeout_seconds)));
        }
        Err(e) => return Err(fail(e.to_string())),
    };
    let _ = writer.join();
    let out = reader.join().map_err(|_| fail("reading its output".into()))?.map_err(|e| fail(e.to_string()))?;
    let err = err_reader.join().unwrap_or_default();
    if !status.success() {
        let last = err.lines().last().unwrap_or("").trim();
        return Err(fail(format!(
            "it exited with {status}{}",
            if last.is_empty() { String::new() } else { format!(": {last}") }
        )));
    }
    let response: Response =
        serde_json::from_slice(&out).map_err(|e| fail(format!("its output is not {{\"scores\": [numbers…]}}: {e}")))?;
    Ok(response.scores)
}
