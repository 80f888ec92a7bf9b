//! A small JSON-over-HTTP client for the outside services crew calls (the money services; the
//! cookie contractor may use it too): a base URL, a bearer key read from a named environment
//! variable, an `Idempotency-Key` on requests that change something, a timeout, and retries with
//! backoff for what may have failed in passing — and an answer classified as **definite** (the
//! service answered: 2xx or 4xx), **not sent** (no attempt could connect: nothing reached the
//! service, so nothing was carried out — a definite non-execution, to be sent again with the same
//! key), or **unknown** (a timeout, a dropped connection, a 5xx, a 409 — a request with the same key
//! still in progress at the service, as Stripe answers —, a body that is not JSON: the request may
//! or may not have been carried out, so only the same key may be sent again).
//!
//! The key never appears in messages, and nothing here logs a request body.

use std::time::Duration;

use anyhow::Result;
use crew_core::error::Error;
use serde::Deserialize;
use serde_json::Value;

/// Where a service is and how to call it (a section of crew.toml such as `[services.payment]`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// The base URL (`https://pay.example.com`); paths are appended to it.
    pub url: String,
    /// The environment variable holding the API key (sent as `Authorization: Bearer KEY`).
    pub api_key_env: String,
    /// How long one attempt may take, in seconds (connect, send, answer).
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
    /// Attempts in one call before the answer is left unknown (at least 1).
    #[serde(default = "default_attempts")]
    pub attempts: u32,
    /// The wait before the second attempt, in milliseconds; it doubles after each further one.
    #[serde(default = "default_backoff")]
    pub backoff_ms: u64,
}

fn default_timeout() -> u64 {
    10
}
fn default_attempts() -> u32 {
    3
}
fn default_backoff() -> u64 {
    200
}

/// What a call came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The service answered with this status (2xx or 4xx) and body (`Null` if it had none or was
    /// not JSON on a 4xx).
    Definite { status: u16, body: Value },
    /// No attempt could connect (refused, unreachable): the request never reached the service, so
    /// it was certainly not carried out. Why, after every attempt.
    NotSent { reason: String },
    /// Nobody can tell whether the request was carried out: why, after every attempt.
    Unknown { reason: String },
}

/// A client of one service.
pub struct JsonClient {
    client: reqwest::blocking::Client,
    base: String,
    key: String,
    attempts: u32,
    backoff: Duration,
}

impl JsonClient {
    /// A client for `endpoint`. Its key variable unset or empty is refused, naming the variable
    /// (never a value).
    pub fn new(endpoint: &Endpoint, service: &str) -> Result<JsonClient> {
        let key = std::env::var(&endpoint.api_key_env).unwrap_or_default();
        if key.trim().is_empty() {
            return Err(Error::internal(format!(
                "the {service} service's API key is not set: put it in the environment variable {} \
                 (named by api_key_env in crew.toml)",
                endpoint.api_key_env
            ))
            .into());
        }
        let url = endpoint.url.trim_end_matches('/').to_string();
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(Error::bad_input(format!("the {service} service's url `{url}` is not http(s)://…")).into());
        }
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(endpoint.timeout_seconds.max(1)))
            .connect_timeout(Duration::from_secs(endpoint.timeout_seconds.max(1)))
            .user_agent(concat!("crew/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::internal(format!("cannot start an HTTP client: {e}")))?;
        Ok(JsonClient {
            client,
            base: url,
            key,
            attempts: endpoint.attempts.max(1),
            backoff: Duration::from_millis(endpoint.backoff_ms),
        })
    }

    /// `POST base+path` with a JSON body and `Idempotency-Key: key`; every attempt sends the same
    /// key and body.
    pub fn post(&self, path: &str, idempotency_key: &str, body: &Value) -> Answer {
        self.call(|| {
            self.client
                .post(format!("{}{path}", self.base))
                .bearer_auth(&self.key)
                .header("Idempotency-Key", idempotency_key)
                .json(body)
        })
    }

    /// `GET base+path` with `query` parameters.
    pub fn get(&self, path: &str, query: &[(&str, &str)]) -> Answer {
        let query: Vec<String> = query.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
        let url = if query.is_empty() {
            format!("{}{path}", self.base)
        } else {
            format!("{}{path}?{}", self.base, query.join("&"))
        };
        self.call(|| self.client.get(&url).bearer_auth(&self.key))
    }

    fn call(&self, request: impl Fn() -> reqwest::blocking::RequestBuilder) -> Answer {
        let mut wait = self.backoff;
        let mut reason = String::new();
        // Whether any attempt may have reached the service (anything but a failure to connect).
        let mut reached = false;
        for attempt in 1..=self.attempts {
            if attempt > 1 {
                std::thread::sleep(wait);
                wait *= 2;
            }
            match request().send() {
                Ok(response) => {
                    reached = true;
                    let status = response.status().as_u16();
                    let text = response.text();
                    match (status, text) {
                        // Stripe's semantics: the same key is still being processed; try again
                        // later with the same key (a key reused with other parameters is a 400).
                        (409, _) => {
                            reason = "a request with the same key is still in progress at the service (409)".into()
                        }
                        (200..=299, Ok(text)) => match serde_json::from_str(&text) {
                            Ok(body) => return Answer::Definite { status, body },
                            Err(e) => reason = format!("answered {status} with a body that is not JSON ({e})"),
                        },
                        (400..=499, Ok(text)) => {
                            return Answer::Definite {
                                status,
                                body: serde_json::from_str(&text).unwrap_or(Value::Null),
                            };
                        }
                        (_, Ok(_)) => reason = format!("answered {status}"),
                        (_, Err(e)) => reason = format!("answered {status}, then the body was lost ({})", describe(&e)),
                    }
                }
                Err(e) => {
                    reached |= !e.is_connect();
                    reason = describe(&e);
                }
            }
        }
        let reason = format!("{reason} (after {} attempts)", self.attempts);
        if reached { Answer::Unknown { reason } } else { Answer::NotSent { reason } }
    }
}

/// Percent-encodes a query component (RFC 3986: everything but unreserved characters).
fn encode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A transport error in words, without the URL's query or any header.
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else if e.is_body() || e.is_decode() {
        "the connection dropped while reading the answer".into()
    } else if e.is_request() {
        "the connection dropped".into()
    } else {
        "the request failed".into()
    }
}
