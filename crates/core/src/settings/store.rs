//! The settings' storage: what every context may read ([`SettingsRead`]) and what only the
//! settings write ([`SettingsStore`]).

use chrono::{DateTime, Utc};

use super::StepProgram;
use super::rules::StepName;
use crate::error::Result;
use crate::ids::AccountId;
use crate::kernel::events::EventLog;

/// A rule's value as stored: its canonical text, and who set it when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSetting {
    pub key: String,
    /// The canonical text of the value (see [`super::rules::Value`]'s `Display`).
    pub value: String,
    pub changed_at: DateTime<Utc>,
    pub changed_by: Option<AccountId>,
}

/// The company's rules and registered steps, as any context may read them.
pub trait SettingsRead {
    /// Every rule an admin has set, by key ascending. A rule never set is absent (its default is in
    /// force); an empty list means every rule is at its default.
    fn stored_settings(&mut self) -> Result<Vec<StoredSetting>>;
    /// The registered external step of this name, `None` if there is none.
    fn step_program(&mut self, name: &StepName) -> Result<Option<StepProgram>>;
    /// Every registered external step, by name ascending (an empty list if there are none).
    fn step_programs(&mut self) -> Result<Vec<StepProgram>>;
}

/// The settings' own tables. Only the settings context writes them.
pub trait SettingsStore: SettingsRead {
    /// Stores a rule's value: adds the key, or replaces its value, time and author. The key is
    /// stored as given (the context checks it). An author account that does not exist is a
    /// conflict error and stores nothing.
    fn put_setting(&mut self, setting: &StoredSetting) -> Result<()>;
    /// Stores a registered step: adds it, or replaces every field of the step of that name. An
    /// approver account that does not exist is a conflict error and stores nothing.
    fn put_step_program(&mut self, step: &StepProgram) -> Result<()>;
    /// Removes the step of that name, and says whether there was one (other steps stay).
    fn delete_step_program(&mut self, name: &StepName) -> Result<bool>;
}

/// The transaction the settings' commands run in: their own tables and the event log.
pub trait SettingsTx: EventLog + SettingsStore {}
impl<T: EventLog + SettingsStore + ?Sized> SettingsTx for T {}
