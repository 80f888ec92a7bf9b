//! The built-in sandbox contractor: answers like the real one, bakes nothing, uses no network.

use chrono::{DateTime, Duration, Utc};
use crew_core::supplies::{CookieJob, CookieOutcome, CookieSource};

use super::Contractor;

/// How long the sandbox "bakes" a cookie: the ten minutes the real contractor promises.
pub const BAKING_MINUTES: i64 = 10;

/// Accepts every order (its cookie id is `sandbox-` and the key, so the same key always gives
/// the same cookie) and says a cookie is ready once its ready time has come.
pub struct Sandbox;

impl Contractor for Sandbox {
    fn label(&self) -> String {
        "the built-in sandbox contractor (no real cookies are baked)".into()
    }

    fn ask(&self, job: &CookieJob, now: DateTime<Utc>) -> CookieOutcome {
        match job {
            CookieJob::Order { key, .. } => CookieOutcome::Accepted {
                cookie: format!("sandbox-{key}"),
                ready_at: Some(now + Duration::minutes(BAKING_MINUTES)),
                sandbox: true,
            },
            CookieJob::Check { ready_at, .. } => match ready_at {
                Some(t) if *t > now => CookieOutcome::StillBaking,
                _ => CookieOutcome::Arrived { by: CookieSource::Poll },
            },
        }
    }
}
