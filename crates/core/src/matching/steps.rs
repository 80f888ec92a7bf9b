//! Scoring steps. Each gives every candidate pair a score from 0 (worst) to 1 (best); the cycle
//! weighs them by their configured weights. Eligibility is not a step but a gate applied first:
//! same zone (or a configured neighbour, when nobody in the zone can), every required skill at its
//! level, active, spare capacity.

use serde::Serialize;

use super::{MatchOrder, WorkerProfile};
use crate::settings::StepFile;

/// What a step computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Prefers the closest fit: a master is kept free for work that needs one.
    SkillFit,
    /// The worker's rating, 0–100, as 0–1.
    Rating,
    /// Prefers workers with more spare capacity.
    Load,
    /// The worker's past results with this client: no history is 0.5; each completed order adds
    /// 0.1, each failed one takes 0.25.
    History,
    /// An external program scores the whole batch at once (see docs/matching.md).
    External,
}

impl StepKind {
    /// The built-in step of this name, if any.
    pub fn built_in(name: &str) -> Option<StepKind> {
        match name {
            "skill_fit" => Some(StepKind::SkillFit),
            "rating" => Some(StepKind::Rating),
            "load" => Some(StepKind::Load),
            "history" => Some(StepKind::History),
            _ => None,
        }
    }
}

/// A configured step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub name: String,
    pub kind: StepKind,
    pub weight: f64,
    /// For external steps: the program and its arguments.
    pub command: Vec<String>,
    /// For external steps: how long the program may take, in seconds.
    pub timeout_seconds: u64,
    /// For external steps: the files it runs (its program first) with the checksums an admin
    /// approved; the shell refuses to run a step whose files changed since.
    pub files: Vec<StepFile>,
}

impl Step {
    pub fn built_in(name: &str, weight: f64) -> Step {
        Step {
            name: name.to_string(),
            kind: StepKind::built_in(name).expect("a built-in step name"),
            weight,
            command: Vec::new(),
            timeout_seconds: 0,
            files: Vec::new(),
        }
    }
}

/// The steps when configuration names none.
pub fn default_steps() -> Vec<Step> {
    vec![
        Step::built_in("skill_fit", 1.0),
        Step::built_in("rating", 1.0),
        Step::built_in("load", 0.5),
        Step::built_in("history", 0.5),
    ]
}

/// A built-in step's score for one pair; `history` is (completed, failed) with this client.
pub fn built_in(kind: StepKind, order: &MatchOrder, worker: &WorkerProfile, history: (u32, u32)) -> f64 {
    match kind {
        StepKind::SkillFit => {
            let needs: Vec<f64> = order
                .skills
                .iter()
                .map(|(skill, need)| {
                    let have = worker.skills.level(skill).map_or(0, |l| l.get());
                    let excess = f64::from(have.saturating_sub(need.get()));
                    1.0 - excess / 4.0
                })
                .collect();
            if needs.is_empty() { 1.0 } else { needs.iter().sum::<f64>() / needs.len() as f64 }
        }
        StepKind::Rating => f64::from(worker.rating.min(100)) / 100.0,
        StepKind::Load => {
            if worker.capacity == 0 {
                0.0
            } else {
                1.0 - f64::from(worker.load.min(worker.capacity)) / f64::from(worker.capacity)
            }
        }
        StepKind::History => {
            let (done, failed) = history;
            (0.5 + 0.1 * f64::from(done) - 0.25 * f64::from(failed)).clamp(0.0, 1.0)
        }
        StepKind::External => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{AccountId, OrderId};
    use crate::ordering::OrderStatus;
    use crate::types::{ServiceCode, SkillSet, Zone};
    use chrono::{TimeZone, Utc};

    fn order(skills: &str) -> MatchOrder {
        MatchOrder {
            order: OrderId::new(1),
            client: AccountId::new(2),
            service_type: ServiceCode::parse("cleaning").unwrap(),
            skills: SkillSet::parse(skills).unwrap(),
            zone: Zone::parse("north").unwrap(),
            scheduled_at: Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap(),
            timing: crate::ordering::Timing::DEFAULT,
            status: OrderStatus::Open,
            worker: None,
        }
    }

    fn worker(skills: &str, rating: u8, load: u32, capacity: u32) -> WorkerProfile {
        WorkerProfile {
            worker: AccountId::new(3),
            zone: Zone::parse("north").unwrap(),
            skills: SkillSet::parse(skills).unwrap(),
            capacity,
            rating,
            status: super::super::WorkerStatus::Active,
            load,
            completed: 0,
            failed: 0,
            hired_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    #[test]
    fn the_built_in_steps_are_the_ones_the_settings_know() {
        for name in crate::settings::BUILT_IN_STEPS {
            assert!(StepKind::built_in(name).is_some_and(|k| k != StepKind::External), "{name}");
        }
        let defaults: Vec<String> = default_steps().into_iter().map(|s| s.name).collect();
        let rules: Vec<String> = crate::settings::Rules::default().steps.iter().map(|s| s.name.to_string()).collect();
        assert_eq!(defaults, rules, "matching's defaults are the settings' defaults");
        assert_eq!(StepKind::built_in("zone_affinity"), None);
    }

    #[test]
    fn skill_fit_prefers_the_closest_fit() {
        let o = order("cleaning:2");
        let exact = built_in(StepKind::SkillFit, &o, &worker("cleaning:2", 50, 0, 1), (0, 0));
        let master = built_in(StepKind::SkillFit, &o, &worker("cleaning:5", 50, 0, 1), (0, 0));
        assert_eq!(exact, 1.0);
        assert_eq!(master, 0.25);
        assert_eq!(built_in(StepKind::SkillFit, &order(""), &worker("cleaning:5", 50, 0, 1), (0, 0)), 1.0);
    }

    #[test]
    fn rating_and_load_scale_to_one() {
        let o = order("");
        assert_eq!(built_in(StepKind::Rating, &o, &worker("a:1", 80, 0, 1), (0, 0)), 0.8);
        assert_eq!(built_in(StepKind::Load, &o, &worker("a:1", 80, 1, 2), (0, 0)), 0.5);
        assert_eq!(built_in(StepKind::Load, &o, &worker("a:1", 80, 0, 3), (0, 0)), 1.0);
    }

    #[test]
    fn history_rewards_completions_and_punishes_failures() {
        let o = order("");
        let w = worker("a:1", 50, 0, 1);
        assert_eq!(built_in(StepKind::History, &o, &w, (0, 0)), 0.5);
        assert!((built_in(StepKind::History, &o, &w, (3, 0)) - 0.8).abs() < 1e-9);
        assert_eq!(built_in(StepKind::History, &o, &w, (0, 2)), 0.0);
        assert_eq!(built_in(StepKind::History, &o, &w, (9, 0)), 1.0);
    }
}
