//! The contractor's published HTTP interface (DESIGN.md §7), over reqwest (blocking, rustls).
//!
//! Each answer is classified for supplies: an accepted order (or the first outcome repeated for
//! the same key), a definite refusal (`4xx`, of which `409` is a key reused with another body),
//! or an **unknown** outcome — a timeout, a dropped connection, a `5xx`, `408`, `429`, an answer
//! that cannot be read — after which the same key is asked again. The API key is sent as a
//! bearer token and appears in no message.

use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, Utc};
use crew_core::error::Error;
use crew_core::supplies::{CookieJob, CookieOutcome, CookieSource};
use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use serde::Deserialize;
use serde_json::json;

use super::{Contractor, ContractorConfig};

/// A client of the contractor at `base`.
pub struct Http {
    base: String,
    key: String,
    client: Client,
}

/// `{"id", "status", "ready_at"}`: the contractor's answer about one cookie.
#[derive(Debug, Deserialize)]
struct CookieAnswer {
    id: String,
    status: String,
    #[serde(default)]
    ready_at: Option<DateTime<Utc>>,
}

impl Http {
    /// The client `[contractor]` describes, its key read from the environment variable it names.
    pub fn from_config(config: &ContractorConfig) -> Result<Http> {
        let url = config
            .url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .ok_or_else(|| Error::bad_input("[contractor] kind `http` needs `url`, the contractor's base URL"))?;
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(Error::bad_input(format!("[contractor] url `{url}` is not an http(s) URL")).into());
        }
        let key = std::env::var(&config.api_key_env).ok().filter(|k| !k.trim().is_empty()).ok_or_else(|| {
            Error::internal(format!(
                "the cookie contractor's API key is not set: put it in the environment variable {} ([contractor] api_key_env)",
                config.api_key_env
            ))
        })?;
        let client = Client::builder()
            .timeout(Duration::from_secs(config.timeout_seconds.clamp(1, 300)))
            .connect_timeout(Duration::from_secs(config.timeout_seconds.clamp(1, 300)))
            .user_agent(concat!("crew/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::internal(format!("cannot build the contractor's HTTP client: {e}")))?;
        Ok(Http { base: url.trim_end_matches('/').to_string(), key, client })
    }

    fn order(&self, key: &str, reference: &str, name: &str, zone: &str, message: &str) -> CookieOutcome {
        let body = json!({ "reference": reference, "client": { "name": name, "zone": zone }, "message": message });
        let sent = self
            .client
            .post(format!("{}/v1/cookies", self.base))
            .bearer_auth(&self.key)
            .header("Idempotency-Key", key)
            .json(&body)
            .send();
        match answer(sent) {
            Ok(a) => match a.status.as_str() {
                "baking" | "ready" => CookieOutcome::Accepted { cookie: a.id, ready_at: a.ready_at, sandbox: false },
                "failed" => CookieOutcome::Refused { reason: format!("the contractor says cookie {} failed", a.id) },
                other => CookieOutcome::Unknown { error: format!("the contractor answered status `{other}`") },
            },
            Err(outcome) => outcome,
        }
    }

    fn check(&self, cookie: &str) -> CookieOutcome {
        let sent =
            self.client.get(format!("{}/v1/cookies/{}", self.base, encode(cookie))).bearer_auth(&self.key).send();
        match answer(sent) {
            Ok(a) => match a.status.as_str() {
                "ready" => CookieOutcome::Arrived { by: CookieSource::Poll },
                "baking" => CookieOutcome::StillBaking,
                "failed" => CookieOutcome::Refused { reason: format!("the contractor says cookie {} failed", a.id) },
                other => CookieOutcome::Unknown { error: format!("the contractor answered status `{other}`") },
            },
            // A look-up is only a question: a refusal of it says nothing final about the cookie.
            Err(CookieOutcome::Refused { reason }) => CookieOutcome::Unknown { error: reason },
            Err(outcome) => outcome,
        }
    }
}

impl Contractor for Http {
    fn label(&self) -> String {
        format!("the cookie contractor at {}", self.base)
    }

    fn ask(&self, job: &CookieJob, _now: DateTime<Utc>) -> CookieOutcome {
        match job {
            CookieJob::Order { key, reference, client_name, zone, message, .. } => {
                self.order(key, reference, client_name, zone.as_str(), message)
            }
            CookieJob::Check { cookie, .. } => self.check(cookie),
        }
    }
}

/// The answer's cookie, or the outcome a failed exchange amounts to.
fn answer(sent: reqwest::Result<Response>) -> Result<CookieAnswer, CookieOutcome> {
    let response = sent.map_err(|e| CookieOutcome::Unknown { error: transport(&e) })?;
    let status = response.status();
    if status.is_success() {
        let bytes = response.bytes().map_err(|e| CookieOutcome::Unknown { error: transport(&e) })?;
        return serde_json::from_slice::<CookieAnswer>(&bytes)
            .map_err(|e| CookieOutcome::Unknown { error: format!("an answer crew cannot read ({status}): {e}") });
    }
    let detail = response.text().ok().map(|t| t.chars().take(200).collect::<String>()).unwrap_or_default();
    let detail = if detail.trim().is_empty() { String::new() } else { format!(": {}", detail.trim()) };
    if status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT || status == StatusCode::TOO_MANY_REQUESTS {
        return Err(CookieOutcome::Unknown { error: format!("{status}{detail}") });
    }
    if status == StatusCode::CONFLICT {
        return Err(CookieOutcome::Refused {
            reason: format!("{status}: the key was used with another request{detail}"),
        });
    }
    if status.is_client_error() {
        return Err(CookieOutcome::Refused { reason: format!("{status}{detail}") });
    }
    Err(CookieOutcome::Unknown { error: format!("an unexpected answer {status}{detail}") })
}

/// What went wrong on the wire, in a few words (never the key: reqwest's errors name the URL
/// only).
fn transport(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer in time".into()
    } else if e.is_connect() {
        "cannot connect".into()
    } else if e.is_body() || e.is_decode() || e.is_request() {
        "the connection broke off".into()
    } else {
        "the exchange failed".into()
    }
}

/// A cookie id as one path segment.
fn encode(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
