//! The settings' events: every change of a company rule with its old and new value, and every
//! registration, approval and removal of an external matching step. They are the audit trail
//! (`crew events list`).

use serde::{Deserialize, Serialize};

use super::StepFile;
use super::rules::StepName;
use crate::domain_events;
use crate::ids::AccountId;
use crate::kernel::events::EventDetails;
use crate::types::Sha256Hex;

/// One file of a step whose checksum an admin approved anew.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    pub path: String,
    pub old: Sha256Hex,
    pub new: Sha256Hex,
}

domain_events! {
    /// What the settings record.
    pub enum SettingsEvent {
        /// A rule's value changed (`old` and `new` as `crew settings show` writes them).
        SettingChanged { key: String, old: String, new: String } = "setting_changed",
        /// An admin registered an external step (or replaced its registration by an import).
        StepRegistered {
            name: StepName,
            program: String,
            args: Vec<String>,
            files: Vec<StepFile>,
            timeout_seconds: u32,
        } = "step_registered",
        /// An admin approved a step's changed files.
        StepApproved { name: StepName, files: Vec<FileChange> } = "step_approved",
        /// An admin removed a registered step (and it left the pipeline).
        StepRemoved { name: StepName } = "step_removed",
    }
}

fn short(sha: &Sha256Hex) -> &str {
    &sha.as_str()[..12]
}

impl EventDetails for SettingsEvent {
    fn summary(&self, _name: &dyn Fn(AccountId) -> String) -> String {
        let shown = |v: &str| if v.is_empty() { "(none)".to_string() } else { v.to_string() };
        match self {
            SettingsEvent::SettingChanged { key, old, new } => format!("{key}: {} → {}", shown(old), shown(new)),
            SettingsEvent::StepRegistered { name, program, args, files, timeout_seconds } => {
                let sums: Vec<String> =
                    files.iter().map(|f| format!("{} sha256 {}…", f.path, short(&f.sha256))).collect();
                let command =
                    std::iter::once(program.as_str()).chain(args.iter().map(String::as_str)).collect::<Vec<_>>();
                format!(
                    "step {name} registered: `{}`, timeout {timeout_seconds} s; {}",
                    command.join(" "),
                    sums.join(", ")
                )
            }
            SettingsEvent::StepApproved { name, files } => {
                let changes: Vec<String> = files
                    .iter()
                    .map(|f| format!("{} sha256 {}… → {}…", f.path, short(&f.old), short(&f.new)))
                    .collect();
                format!("step {name} approved again: {}", changes.join(", "))
            }
            SettingsEvent::StepRemoved { name } => format!("step {name} removed"),
        }
    }
}
