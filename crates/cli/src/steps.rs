//! External matching steps: a program fed the whole batch as JSON on stdin, answering a score per
//! pair as JSON on stdout, within a timeout. The protocol is in docs/matching.md.
//!
//! Only programs an admin registered run (`crew settings step add`): before each run crew hashes
//! the step's files again and refuses any whose checksum is not the approved one, or that others
//! could change; the program gets a cleared environment (no token, no password: only `PATH` and
//! `LANG`), runs in `/`, and is killed with everything it started when its time is up.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crew_core::error::Error;
use crew_core::matching::{Batch, Step, StepKind};
use crew_core::settings::{NewStepProgram, StepFile, StepName};
use crew_core::types::Sha256Hex;
use serde::{Deserialize, Serialize};
use std::os::unix::process::CommandExt;

use wait_timeout::ChildExt;

use crate::config::check_owner_and_mode;

/// The whole environment a step gets: a system `PATH` and a UTF-8 locale.
pub const STEP_ENV: &[(&str, &str)] = &[("PATH", "/usr/local/bin:/usr/bin:/bin"), ("LANG", "C.UTF-8")];

/// Kills a step and everything in its process group.
fn kill_group(child: &mut std::process::Child) {
    // A signal, not a `kill` program found on the PATH with crew's environment (and its secrets).
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory is touched.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
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

/// Runs every external step of the batch and stores its scores. Each step's files are checked
/// against the checksums an admin approved first; a changed one stops the cycle.
pub fn run_external_steps(batch: &mut Batch) -> crew_core::Result<()> {
    for i in 0..batch.steps.len() {
        if batch.steps[i].kind != StepKind::External {
            continue;
        }
        verify(&batch.steps[i])?;
        let scores = if batch.pairs.is_empty() { Vec::new() } else { run_one(batch, i)? };
        batch.set_scores(i, scores)?;
    }
    Ok(())
}

/// Refuses a step whose files are not as an admin approved them.
fn verify(step: &Step) -> crew_core::Result<()> {
    let name = &step.name;
    if step.files.is_empty() {
        return Err(Error::internal(format!("matching step `{name}` has no approved files")));
    }
    for f in &step.files {
        let now = hash_file(Path::new(&f.path)).map_err(|e| {
            Error::new(e.kind, format!("matching step `{name}` is not run: {}; nothing was assigned", e.message))
        })?;
        if now != f.sha256 {
            return Err(Error::not_allowed(format!(
                "matching step `{name}` is not run: {} changed since an admin approved it (sha256 {}…, now {}…); an admin checks it and runs `crew settings step approve {name}`. Nothing was assigned",
                f.path,
                &f.sha256.as_str()[..12],
                &now.as_str()[..12]
            )));
        }
    }
    Ok(())
}

/// The SHA-256 of a step's file, refusing anything but a regular file that only its owner (the
/// user crew runs as, or root) can change.
pub fn hash_file(path: &Path) -> crew_core::Result<Sha256Hex> {
    use sha2::{Digest, Sha256};
    let shown = path.display();
    let mut file = std::fs::File::open(path).map_err(|e| Error::bad_input(format!("cannot read {shown}: {e}")))?;
    let meta = file.metadata().map_err(|e| Error::bad_input(format!("cannot read {shown}: {e}")))?;
    if !meta.is_file() {
        return Err(Error::bad_input(format!("{shown} is not a regular file")));
    }
    check_owner_and_mode(path, &meta, "step file").map_err(|e| Error::not_allowed(e.to_string()))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| Error::bad_input(format!("cannot read {shown}: {e}")))?;
    Sha256Hex::parse(&format!("{:x}", hasher.finalize()))
}

/// Hashes a registered step's files again, in their order (for `crew settings step approve`).
pub fn hash_files(files: &[StepFile]) -> crew_core::Result<Vec<StepFile>> {
    files.iter().map(|f| Ok(StepFile { path: f.path.clone(), sha256: hash_file(Path::new(&f.path))? })).collect()
}

/// How a registered step's files stand now: `approved`, or what changed.
pub fn state(files: &[StepFile]) -> String {
    for f in files {
        match hash_file(Path::new(&f.path)) {
            Ok(now) if now == f.sha256 => {}
            Ok(_) => return format!("changed: {}", f.path),
            Err(e) => return format!("refused: {}", e.message),
        }
    }
    "approved".to_string()
}

/// A step to register: its program found (a bare name on crew's `PATH`, a relative path from
/// `base`) and made absolute, every argument that names a file made absolute too, and each of
/// those files hashed.
pub fn describe(
    name: StepName,
    program: &str,
    args: &[String],
    base: &Path,
    timeout_seconds: u32,
) -> crew_core::Result<NewStepProgram> {
    let program_path = find_program(program, base)?;
    let meta = std::fs::metadata(&program_path)
        .map_err(|e| Error::bad_input(format!("cannot read {}: {e}", program_path.display())))?;
    if meta.permissions().mode() & 0o111 == 0 {
        return Err(Error::bad_input(format!(
            "{} is not executable: make it so (`chmod u+x`, with a `#!` line for a script), or name its interpreter as the program and the script as an argument",
            program_path.display()
        )));
    }
    let program = absolute(&program_path)?;
    let mut files = vec![StepFile { path: program.clone(), sha256: hash_file(&program_path)? }];
    let mut resolved = Vec::with_capacity(args.len());
    for arg in args {
        let candidate = base.join(arg);
        if arg.contains('/') && candidate.is_file() {
            let path = absolute(&candidate)?;
            files.push(StepFile { path: path.clone(), sha256: hash_file(&candidate)? });
            resolved.push(path);
        } else {
            resolved.push(arg.clone());
        }
    }
    Ok(NewStepProgram { name, program, args: resolved, files, timeout_seconds })
}

fn find_program(program: &str, base: &Path) -> crew_core::Result<PathBuf> {
    if program.trim().is_empty() {
        return Err(Error::bad_input("a step needs a program"));
    }
    if program.contains('/') {
        let path = base.join(program);
        if !path.exists() {
            return Err(Error::bad_input(format!("no program at {}", path.display())));
        }
        return Ok(path);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file() && p.metadata().is_ok_and(|m| m.permissions().mode() & 0o111 != 0))
        .ok_or_else(|| Error::bad_input(format!("`{program}` is not on PATH: give the program's path")))
}

/// The canonical absolute path (symbolic links resolved: the file that is hashed is the one run).
fn absolute(path: &Path) -> crew_core::Result<String> {
    let canonical =
        path.canonicalize().map_err(|e| Error::bad_input(format!("cannot resolve {}: {e}", path.display())))?;
    canonical
        .to_str()
        .map(str::to_string)
        .ok_or_else(|| Error::bad_input(format!("{} is not a UTF-8 path", canonical.display())))
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
    let deadline = std::time::Instant::now() + Duration::from_secs(spec.timeout_seconds);
    // Its own process group, so a timeout ends whatever the step started too.
    // Nothing of crew's environment reaches the step: no token, no password, no locale surprises.
    let mut child = Command::new(program)
        .args(args)
        .env_clear()
        .envs(STEP_ENV.iter().copied())
        .current_dir("/")
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
        fail(format!("no answer within {} s (its timeout)", spec.timeout_seconds))
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
