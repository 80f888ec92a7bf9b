//! The cookie contractor (DESIGN.md §7): who bakes each kit's fortune cookie. The shell asks it
//! outside any transaction (`crew supplies poll`) and hands each answer, classified as a
//! [`CookieOutcome`], to supplies to record in its own transaction.
//!
//! Two contractors: the built-in **sandbox** (the default: no network, no real cookie, every
//! cookie it "bakes" is labelled `sandbox-…` and ready ten minutes after it was ordered), and
//! the **http** client of the contractor's published interface.

mod http;
mod sandbox;

use anyhow::Result;
use chrono::{DateTime, Utc};
use crew_core::error::Error;
use crew_core::supplies::{CookieJob, CookieOutcome};
use serde::Deserialize;

pub use http::Http;
pub use sandbox::Sandbox;

/// `[contractor]` in crew.toml: which contractor, where, and the name of the environment
/// variable holding its API key (the key itself is never in the file).
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields, default)]
pub struct ContractorConfig {
    /// `sandbox` (built in, no network: the default) or `http`.
    pub kind: String,
    /// For `http`: the base URL (`https://cookies.example/`).
    pub url: Option<String>,
    /// For `http`: the environment variable holding the API key (sent as a bearer token).
    pub api_key_env: String,
    /// For `http`: how long one request may take, in seconds.
    pub timeout_seconds: u64,
}

impl Default for ContractorConfig {
    fn default() -> Self {
        ContractorConfig {
            kind: "sandbox".into(),
            url: None,
            api_key_env: "CREW_CONTRACTOR_KEY".into(),
            timeout_seconds: 10,
        }
    }
}

/// A cookie contractor as the shell uses it: each call is one question, its answer classified.
pub trait Contractor {
    /// How the contractor is named to people (`the sandbox contractor (no real cookies)`).
    fn label(&self) -> String;
    /// Orders the cookie of a [`CookieJob::Order`] (repeating the same key is harmless), or looks
    /// up the cookie of a [`CookieJob::Check`], at `now`.
    fn ask(&self, job: &CookieJob, now: DateTime<Utc>) -> CookieOutcome;
}

/// The contractor `crew.toml` names.
pub fn from_config(config: &ContractorConfig) -> Result<Box<dyn Contractor>> {
    match config.kind.as_str() {
        "sandbox" => Ok(Box::new(Sandbox)),
        "http" => Ok(Box::new(Http::from_config(config)?)),
        other => Err(Error::bad_input(format!(
            "[contractor] kind `{other}` is not a contractor crew knows: use `sandbox` or `http`"
        ))
        .into()),
    }
}
