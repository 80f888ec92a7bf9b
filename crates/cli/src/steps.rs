//! External matching steps: a program fed the whole batch as JSON on stdin, answering a score per
//! pair as JSON on stdout, within a timeout. The protocol is in docs/matching.md.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use crew_core::error::Error;
use crew_core::matching::{Batch, StepKind};
use serde::{Deserialize, Serialize};
use std::os::unix::process::CommandExt;

use wait_timeout::ChildExt;

/// Kills a step and everything in its process group.
fn kill_group(child: &mut std::process::Child) {
    let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]).status();
    let _ = child.kill();
    let _ = child.wait();
}

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

/// Runs every external step of the batch (in `dir`, the configuration's folder) and stores its
/// scores.
pub fn run_external_steps(batch: &mut Batch, dir: &std::path::Path) -> crew_core::Result<()> {
    for i in 0..batch.steps.len() {
        if batch.steps[i].kind != StepKind::External {
            continue;
        }
        let scores = if batch.pairs.is_empty() { Vec::new() } else { run_one(batch, i, dir)? };
        batch.set_scores(i, scores)?;
    }
    Ok(())
}

fn run_one(batch: &Batch, step: usize, dir: &std::path::Path) -> crew_core::Result<Vec<f64>> {
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
    let deadline = std::time::Instant::now() + Duration::from_secs(spec.timeout_seconds);
    // Its own process group, so a timeout ends whatever the step started too.
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .process_group(0)
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
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = sender.send(stdout.read_to_end(&mut buf).map(|_| buf));
    });
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let err_reader = std::thread::spawn(move || {
        let mut buf = String::new();
        let _ = stderr.read_to_string(&mut buf);
        buf
    });
    let too_slow = |child: &mut std::process::Child| {
        kill_group(child);
        fail(format!("no answer within {} s (timeout_seconds)", spec.timeout_seconds))
    };
    let status = match child.wait_timeout(deadline.saturating_duration_since(std::time::Instant::now())) {
        Ok(Some(status)) => status,
        Ok(None) => return Err(too_slow(&mut child)),
        Err(e) => return Err(fail(e.to_string())),
    };
    // Its output ends when every process holding it has exited: wait no longer than the deadline.
    let out = match receiver.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now())) {
        Ok(read) => read.map_err(|e| fail(e.to_string()))?,
        Err(_) => return Err(too_slow(&mut child)),
    };
    let _ = writer.join();
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
