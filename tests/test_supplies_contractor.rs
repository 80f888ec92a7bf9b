//! The HTTP cookie contractor against a real local server started by the test: answers that are
//! lost, late, 5xx, doubled or refused never make two cookies for one kit, and the API key never
//! shows.

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use crate::common::{Env, PASSWORD};

const KEY: &str = "secret-contractor-key-123";

/// What the server does with the next request.
#[derive(Debug, Clone, Copy)]
enum Behaviour {
    /// Answer as the published interface says.
    Normal,
    /// Do the work, then answer with this status and no cookie (a 5xx: outcome unknown).
    FailAfter(u16),
    /// Refuse without doing anything (a 4xx).
    Refuse(u16),
    /// Do the work, then close the connection without a word.
    DropAfter,
    /// Do the work, then say nothing for longer than crew waits.
    HangAfter,
    /// Do the work and send the answer twice on the connection.
    Twice,
}

#[derive(Debug, Default)]
struct State {
    script: VecDeque<Behaviour>,
    /// Idempotency key → cookie id: what was baked.
    baked: BTreeMap<String, String>,
    /// Cookie ids that are ready.
    ready: Vec<String>,
    ready_at: String,
    /// Every request: method, path, authorization, idempotency key, body.
    requests: Vec<(String, String, String, String, String)>,
}

struct Contractor {
    url: String,
    state: Arc<Mutex<State>>,
}

impl Contractor {
    fn start(script: &[Behaviour]) -> Contractor {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            script: script.iter().copied().collect(),
            ready_at: "2026-11-30T09:00:00Z".into(),
            ..State::default()
        }));
        let shared = state.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                // One thread per connection: a hanging answer must not hold up the next request.
                let shared = shared.clone();
                thread::spawn(move || serve(stream, &shared));
            }
        });
        Contractor { url, state }
    }

    fn requests(&self) -> Vec<(String, String, String, String, String)> {
        self.state.lock().unwrap().requests.clone()
    }

    fn baked(&self) -> BTreeMap<String, String> {
        self.state.lock().unwrap().baked.clone()
    }
}

fn serve(mut stream: TcpStream, state: &Mutex<State>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).unwrap();
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_lowercase(), v.trim().to_string());
        }
    }
    let length: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let body = String::from_utf8(body).unwrap();
    let header = |k: &str| headers.get(k).cloned().unwrap_or_default();
    let (behaviour, answer) = {
        let mut s = state.lock().unwrap();
        s.requests.push((method.clone(), path.clone(), header("authorization"), header("idempotency-key"), body));
        let behaviour = s.script.pop_front().unwrap_or(Behaviour::Normal);
        if header("authorization") != format!("Bearer {KEY}") {
            (Behaviour::Normal, (401, r#"{"error": "unauthorized"}"#.to_string()))
        } else if let Behaviour::Refuse(code) = behaviour {
            (behaviour, (code, r#"{"error": "no"}"#.to_string()))
        } else if method == "POST" && path == "/v1/cookies" {
            let key = header("idempotency-key");
            let n = s.baked.len() + 1;
            let id = s.baked.entry(key).or_insert_with(|| format!("cookie-{n}")).clone();
            (behaviour, (202, format!(r#"{{"id": "{id}", "status": "baking", "ready_at": "{}"}}"#, s.ready_at)))
        } else if let Some(id) = path.strip_prefix("/v1/cookies/") {
            let status = if s.ready.iter().any(|r| r == id) { "ready" } else { "baking" };
            (behaviour, (200, format!(r#"{{"id": "{id}", "status": "{status}"}}"#)))
        } else {
            (behaviour, (404, "{}".to_string()))
        }
    };
    let response = |(code, body): &(u16, String)| {
        format!("HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len())
    };
    match behaviour {
        Behaviour::Normal | Behaviour::Refuse(_) => {
            let _ = stream.write_all(response(&answer).as_bytes());
        }
        Behaviour::FailAfter(code) => {
            let _ = stream.write_all(response(&(code, r#"{"error": "oven on fire"}"#.into())).as_bytes());
        }
        Behaviour::DropAfter => {}
        Behaviour::HangAfter => thread::sleep(Duration::from_millis(2500)),
        Behaviour::Twice => {
            let once = response(&answer);
            let _ = stream.write_all(format!("{once}{once}").as_bytes());
        }
    }
    let _ = stream.flush();
}

/// A company whose crew.toml names the local contractor, with `orders` cleaning orders assigned
/// to tom (kits 1…).
fn company(contractor: &Contractor, orders: usize) -> Env {
    let env = Env::company();
    std::fs::write(
        env.path().join("crew.toml"),
        format!("[contractor]\nkind = \"http\"\nurl = \"{}/\"\ntimeout_seconds = 1\n", contractor.url),
    )
    .unwrap();
    env.login("ann@example.com", PASSWORD);
    for i in 0..orders {
        env.ok(&["order", "create", "--service", "cleaning", "--at", &format!("2026-12-01 1{i}:00")]);
    }
    env.login("mia", PASSWORD);
    for i in 0..orders {
        env.ok(&[
            "order",
            "assign",
            &(i + 1).to_string(),
            "tom@crew.example",
            "--force",
            "--reason",
            "tom does them all",
        ]);
    }
    env.login("wes", PASSWORD);
    env
}

/// `crew supplies poll` with the API key in the environment, recorded in the transcript.
fn poll(env: &mut Env) {
    let mut cmd = env.command(&["supplies", "poll"]);
    cmd.env("CREW_CONTRACTOR_KEY", KEY);
    let run = env.run_with(cmd, None);
    env.transcript.push_str(&format!("$ crew supplies poll   # at {}\n{}", env.now, run.stdout));
    for line in run.stderr.lines() {
        env.transcript.push_str(&format!("stderr: {}\n", line.replace(&env.url_marker(), "[contractor]")));
    }
    if run.code != 0 {
        env.transcript.push_str(&format!("[exit {}]\n", run.code));
    }
    env.transcript.push('\n');
}

trait Marker {
    fn url_marker(&self) -> String;
}

impl Marker for Env {
    /// The contractor's URL as crew.toml gives it (it changes from run to run).
    fn url_marker(&self) -> String {
        let toml = std::fs::read_to_string(self.path().join("crew.toml")).unwrap();
        toml.lines().find_map(|l| l.strip_prefix("url = \"")).unwrap().trim_end_matches("/\"").to_string()
    }
}

#[test]
fn a_contractor_failing_every_way_a_web_service_can_never_bakes_two_cookies_for_one_kit() {
    use Behaviour::*;
    let contractor = Contractor::start(&[DropAfter, FailAfter(500), HangAfter, FailAfter(503), Twice]);
    let mut env = company(&contractor, 1);
    env.note("lost answer, 500, no answer in time, 503, then the answer twice: each retried with the same key");
    for now in ["08:00", "08:01", "08:02", "08:06", "08:14", "08:30"] {
        env.now = format!("2026-11-30T{now}:00Z");
        poll(&mut env);
    }
    env.note("the cookie bakes until 09:00; crew looks it up then");
    env.now = "2026-11-30T09:00:00Z".into();
    poll(&mut env);
    let id = contractor.baked().values().next().unwrap().clone();
    contractor.state.lock().unwrap().ready.push(id);
    env.now = "2026-11-30T09:05:00Z".into();
    poll(&mut env);
    env.step(&["supplies", "show", "1"], None);
    env.login("mia", PASSWORD);
    env.step(&["events", "list", "--order", "1"], None);
    insta::assert_snapshot!(env.transcript);

    let requests = contractor.requests();
    let posts: Vec<_> = requests.iter().filter(|r| r.0 == "POST").collect();
    assert_eq!(posts.len(), 5, "one attempt per poll that was due: {posts:?}");
    assert!(
        posts
            .iter()
            .all(|r| r.3 == posts[0].3 && crate::common::redact_installation(&r.3).starts_with("crew-[INST]-kit-1-")),
        "one key: {posts:?}"
    );
    assert!(posts.iter().all(|r| r.4 == posts[0].4), "the same body each time");
    let body: serde_json::Value = serde_json::from_str(&posts[0].4).unwrap();
    assert_eq!(body["reference"], "kit-1");
    assert_eq!(body["client"]["name"], "Ann Whiskers");
    assert_eq!(body["client"]["zone"], "north");
    assert!(requests.iter().all(|r| r.2 == format!("Bearer {KEY}")));
    assert_eq!(contractor.baked().len(), 1, "exactly one cookie baked");
    // The key is in no output and no event.
    let events = env.ok(&["--format", "json", "events", "list"]);
    assert!(!env.transcript.contains(KEY) && !events.contains(KEY));
}

#[test]
fn refusals_are_final_and_a_cookie_on_its_way_is_never_ordered_again() {
    use Behaviour::*;
    let contractor = Contractor::start(&[Refuse(422), Refuse(409)]);
    let mut env = company(&contractor, 3);
    env.note("no key in the environment: nothing is asked");
    env.step(&["supplies", "poll"], None);
    env.note("kit 1 refused (422), kit 2 refused (409: its key was used with another body), kit 3 baking");
    poll(&mut env);
    env.note("order 3 moves to another worker, is reopened and cancelled while its cookie bakes");
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "3", "tia@crew.example", "--force", "--reason", "tom is ill"]);
    env.ok(&["order", "reopen", "3"]);
    env.ok(&["order", "cancel", "3", "--reason", "client away"]);
    env.login("wes", PASSWORD);
    env.now = "2026-11-30T10:00:00Z".into();
    poll(&mut env);
    env.step(&["supplies", "list", "--status", "all"], None);
    insta::assert_snapshot!(env.transcript);

    let posts = contractor.requests().into_iter().filter(|r| r.0 == "POST").count();
    assert_eq!(posts, 3, "each kit asked once; the refused and the cancelled never again");
    assert_eq!(contractor.baked().len(), 1);
}
