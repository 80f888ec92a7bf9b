//! Settings: the company's rules — currency, time zone, prices, the no-show grace, limits,
//! matching's steps, weights and relaxations — and the external step programs an admin approved.
//!
//! They belong to the company, not to whoever runs crew: they live in the database, only an admin
//! changes them (`crew settings set|import`, `crew settings step …`), and every change is an event
//! with the old and the new value. Each rule is a typed key with a default and a validator
//! ([`rules::RULES`]); [`rules`] gives every command the rules in force. A command function takes
//! the rules it decides with as arguments (the shell reads them inside the command's transaction);
//! a subscriber, which no command calls, reads them through [`SettingsRead`].

pub mod events;
pub mod hours;
pub mod rules;
pub mod store;

pub use events::{FileChange, SettingsEvent};
pub use rules::{BUILT_IN_STEPS, Currency, Kind, RULES, Rule, Rules, StepName, StepWeight, Value};
pub use store::{SettingsRead, SettingsStore, SettingsTx, StoredSetting};

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::authz::{Action, require};
use crate::error::{Error, Result};
use crate::ids::AccountId;
use crate::kernel::command::{Ctx, record};
use crate::types::{Money, Sha256Hex};

/// The longest an external step may run, in seconds.
pub const MAX_STEP_TIMEOUT: u32 = 3600;

/// One file a registered step runs (its program, or a script an argument names), with the
/// checksum an admin approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepFile {
    /// An absolute path.
    pub path: String,
    pub sha256: Sha256Hex,
}

/// An external matching step an admin registered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepProgram {
    pub name: StepName,
    /// The program's absolute path.
    pub program: String,
    pub args: Vec<String>,
    /// The program first, then every file an argument names, each with its approved checksum.
    pub files: Vec<StepFile>,
    pub timeout_seconds: u32,
    pub approved_at: DateTime<Utc>,
    pub approved_by: Option<AccountId>,
}

/// A step about to be registered: the shell has resolved its paths and hashed its files.
#[derive(Debug, Clone, PartialEq)]
pub struct NewStepProgram {
    pub name: StepName,
    pub program: String,
    pub args: Vec<String>,
    pub files: Vec<StepFile>,
    pub timeout_seconds: u32,
}

impl NewStepProgram {
    fn check(&self) -> Result<()> {
        let name = &self.name;
        if name.is_built_in() {
            return Err(Error::bad_input(format!("`{name}` is a built-in step; give an external step another name")));
        }
        if !self.program.starts_with('/') {
            return Err(Error::bad_input(format!("step `{name}`: the program must be an absolute path")));
        }
        if self.files.first().map(|f| f.path.as_str()) != Some(self.program.as_str())
            || self.files.iter().any(|f| !f.path.starts_with('/'))
        {
            return Err(Error::internal(format!(
                "step `{name}`: its files must start with its program, as absolute paths"
            )));
        }
        if !(1..=MAX_STEP_TIMEOUT).contains(&self.timeout_seconds) {
            return Err(Error::bad_input(format!(
                "step `{name}`: the timeout must be from 1 to {MAX_STEP_TIMEOUT} seconds, not {}",
                self.timeout_seconds
            )));
        }
        Ok(())
    }

    fn registers(&self, p: &StepProgram) -> bool {
        (&self.name, &self.program, &self.args, &self.files, self.timeout_seconds)
            == (&p.name, &p.program, &p.args, &p.files, p.timeout_seconds)
    }
}

// ---------------------------------------------------------------- the rules in force

/// The rules in force: what an admin set, and the default of every rule nobody set. Every command
/// may read them (no permission: they decide, they are not shown).
pub fn rules(tx: &mut (impl SettingsRead + ?Sized)) -> Result<Rules> {
    Rules::from_values(&values(tx)?)
}

/// The stored values of the rules this crew knows, checked.
fn values(tx: &mut (impl SettingsRead + ?Sized)) -> Result<BTreeMap<&'static str, Value>> {
    let mut values = BTreeMap::new();
    for s in tx.stored_settings()? {
        // A rule a later crew added and this one does not know does not concern it.
        let Some(rule) = RULES.iter().find(|r| r.key == s.key) else { continue };
        let value = Value::parse(rule.kind, &s.value).map_err(|e| {
            Error::internal(format!(
                "the stored value of `{}` is not valid ({e}); an admin can set it again with `crew settings set {} VALUE`",
                rule.key, rule.key
            ))
        })?;
        values.insert(rule.key, value);
    }
    Ok(values)
}

/// One rule as `crew settings show` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Setting {
    pub key: &'static str,
    /// The value in force, in canonical text.
    pub value: String,
    pub default: &'static str,
    pub about: &'static str,
    /// How the value is written.
    pub syntax: String,
    /// When an admin last set it; `None` while it is at its default, never set.
    pub changed_at: Option<DateTime<Utc>>,
    pub changed_by: Option<AccountId>,
}

/// `crew settings show`: every rule, its value in force, its default and who set it when.
pub fn show(tx: &mut (impl SettingsTx + ?Sized), ctx: &Ctx) -> Result<Vec<Setting>> {
    require(&ctx.actor, Action::ViewSettings)?;
    // The stored text is shown as it is (it is canonical), so that a value a later check would
    // refuse can still be seen and set again.
    let stored: BTreeMap<String, StoredSetting> =
        tx.stored_settings()?.into_iter().map(|s| (s.key.clone(), s)).collect();
    Ok(RULES
        .iter()
        .map(|r| {
            let set = stored.get(r.key);
            Setting {
                key: r.key,
                value: set.map_or_else(|| r.default.to_string(), |s| s.value.clone()),
                default: r.default,
                about: r.about,
                syntax: r.kind.syntax(),
                changed_at: set.map(|s| s.changed_at),
                changed_by: set.and_then(|s| s.changed_by),
            }
        })
        .collect())
}

/// A rule's value changing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub key: &'static str,
    pub old: String,
    pub new: String,
}

/// `crew settings set`: checks the value against its rule (and the steps against the registered
/// programs), stores it and records the change. `None` when the value is already in force.
pub fn set(tx: &mut (impl SettingsTx + ?Sized), ctx: &Ctx, key: &str, raw: &str) -> Result<Option<Change>> {
    require(&ctx.actor, Action::ManageSettings)?;
    let rule = rules::rule(key)?;
    let value = Value::parse(rule.kind, raw).map_err(|e| e.context(format!("`{}`", rule.key)))?;
    change(tx, ctx, rule, value).map_err(|e| e.context(format!("`{}`", rule.key)))
}

fn change(tx: &mut (impl SettingsTx + ?Sized), ctx: &Ctx, rule: &'static Rule, value: Value) -> Result<Option<Change>> {
    if let Value::Money(m) = &value
        && m.cents() > Money::MAX_TYPED.cents()
    {
        return Err(Error::bad_input(format!("{m} is more than crew takes: amounts are at most {}", Money::MAX_TYPED)));
    }
    if let Value::Steps(steps) = &value {
        for s in steps.iter().filter(|s| !s.name.is_built_in()) {
            if tx.step_program(&s.name)?.is_none() {
                return Err(Error::bad_input(format!(
                    "step `{}` is neither built in ({}) nor registered: an admin registers its program with `crew settings step add {} --program PATH`",
                    s.name,
                    BUILT_IN_STEPS.join(", "),
                    s.name
                )));
            }
        }
    }
    let old = tx
        .stored_settings()?
        .into_iter()
        .find(|s| s.key == rule.key)
        .map_or_else(|| rule.default.to_string(), |s| s.value);
    let new = value.to_string();
    if old == new {
        return Ok(None);
    }
    tx.put_setting(&StoredSetting {
        key: rule.key.to_string(),
        value: new.clone(),
        changed_at: ctx.now,
        changed_by: Some(ctx.actor.id),
    })?;
    record(tx, ctx, SettingsEvent::SettingChanged { key: rule.key.to_string(), old: old.clone(), new: new.clone() })?;
    Ok(Some(Change { key: rule.key, old, new }))
}

// ---------------------------------------------------------------- import

/// A rule's value from a file, with where it was written (`crew.toml: line 4, key `…``).
#[derive(Debug, Clone)]
pub struct ImportValue {
    pub at: String,
    pub key: String,
    /// As `crew settings set` takes it.
    pub value: String,
}

/// An external step from a file, with where it was written.
#[derive(Debug, Clone)]
pub struct ImportStep {
    pub at: String,
    pub step: NewStepProgram,
}

/// What `crew settings import` brings.
#[derive(Debug, Clone, Default)]
pub struct Import {
    pub values: Vec<ImportValue>,
    pub steps: Vec<ImportStep>,
}

/// What an import changed.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub changed: Vec<Change>,
    pub registered: Vec<StepName>,
    /// Values and steps that were already as the file says.
    pub unchanged: usize,
}

/// `crew settings import`: registers the file's external steps, then sets its rules, all or
/// nothing. Every error names where in the file it was written. Importing the same file twice
/// changes nothing the second time.
pub fn import(tx: &mut (impl SettingsTx + ?Sized), ctx: &Ctx, import: Import) -> Result<ImportReport> {
    require(&ctx.actor, Action::ManageSettings)?;
    let mut report = ImportReport { changed: Vec::new(), registered: Vec::new(), unchanged: 0 };
    // Steps first: the pipeline may name them.
    for s in import.steps {
        s.step.check().map_err(|e| e.context(&s.at))?;
        match tx.step_program(&s.step.name)? {
            Some(existing) if s.step.registers(&existing) => report.unchanged += 1,
            _ => {
                let p = register(tx, ctx, s.step).map_err(|e| e.context(&s.at))?;
                report.registered.push(p.name);
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for v in import.values {
        let rule = rules::rule(&v.key).map_err(|e| e.context(&v.at))?;
        if !seen.insert(rule.key) {
            return Err(Error::bad_input(format!("{}: `{}` is given twice", v.at, rule.key)));
        }
        let value = Value::parse(rule.kind, &v.value).map_err(|e| e.context(&v.at))?;
        match change(tx, ctx, rule, value).map_err(|e| e.context(&v.at))? {
            Some(c) => report.changed.push(c),
            None => report.unchanged += 1,
        }
    }
    Ok(report)
}

// ---------------------------------------------------------------- external steps

fn register(tx: &mut (impl SettingsTx + ?Sized), ctx: &Ctx, new: NewStepProgram) -> Result<StepProgram> {
    let p = StepProgram {
        name: new.name,
        program: new.program,
        args: new.args,
        files: new.files,
        timeout_seconds: new.timeout_seconds,
        approved_at: ctx.now,
        approved_by: Some(ctx.actor.id),
    };
    tx.put_step_program(&p)?;
    record(
        tx,
        ctx,
        SettingsEvent::StepRegistered {
            name: p.name.clone(),
            program: p.program.clone(),
            args: p.args.clone(),
            files: p.files.clone(),
            timeout_seconds: p.timeout_seconds,
        },
    )?;
    Ok(p)
}

fn no_step(name: &StepName) -> Error {
    Error::not_found(format!("no registered step `{name}` (see `crew settings step list`)"))
}

fn registered(tx: &mut (impl SettingsRead + ?Sized), name: &StepName) -> Result<StepProgram> {
    tx.step_program(name)?.ok_or_else(|| no_step(name))
}

/// `crew settings step add`: registers an external step (its program's path and checksum, and
/// those of the files its arguments name) and puts it at the end of the pipeline with `weight`.
pub fn add_step(
    tx: &mut (impl SettingsTx + ?Sized),
    ctx: &Ctx,
    new: NewStepProgram,
    weight: f64,
) -> Result<StepProgram> {
    require(&ctx.actor, Action::ManageSettings)?;
    new.check()?;
    let weight = rules::weight(new.name.as_str(), weight)?;
    if tx.step_program(&new.name)?.is_some() {
        return Err(Error::conflict(format!(
            "step `{}` is registered already: approve its changed program with `crew settings step approve {}`, or remove it first",
            new.name, new.name
        )));
    }
    let p = register(tx, ctx, new)?;
    let mut steps = rules(tx)?.steps;
    if !steps.iter().any(|s| s.name == p.name) {
        steps.push(StepWeight { name: p.name.clone(), weight });
        change(tx, ctx, rules::rule("matching.steps")?, Value::Steps(steps))?;
    }
    Ok(p)
}

/// `crew settings step approve`: records the checksums `now` (the step's files hashed again by the
/// shell, in the registered order) as approved. `None` when nothing changed.
pub fn approve_step(
    tx: &mut (impl SettingsTx + ?Sized),
    ctx: &Ctx,
    name: &StepName,
    now: Vec<StepFile>,
) -> Result<Option<StepProgram>> {
    require(&ctx.actor, Action::ManageSettings)?;
    let mut p = registered(tx, name)?;
    let same_files = now.len() == p.files.len() && now.iter().zip(&p.files).all(|(a, b)| a.path == b.path);
    if !same_files {
        return Err(Error::conflict(format!("step `{name}` was registered again meanwhile; approve it again")));
    }
    let files: Vec<FileChange> = p
        .files
        .iter()
        .zip(&now)
        .filter(|(old, new)| old.sha256 != new.sha256)
        .map(|(old, new)| FileChange { path: old.path.clone(), old: old.sha256.clone(), new: new.sha256.clone() })
        .collect();
    if files.is_empty() {
        return Ok(None);
    }
    p.files = now;
    p.approved_at = ctx.now;
    p.approved_by = Some(ctx.actor.id);
    tx.put_step_program(&p)?;
    record(tx, ctx, SettingsEvent::StepApproved { name: name.clone(), files })?;
    Ok(Some(p))
}

/// `crew settings step remove`: unregisters a step and takes it out of the pipeline.
pub fn remove_step(tx: &mut (impl SettingsTx + ?Sized), ctx: &Ctx, name: &StepName) -> Result<()> {
    require(&ctx.actor, Action::ManageSettings)?;
    if !tx.delete_step_program(name)? {
        return Err(no_step(name));
    }
    record(tx, ctx, SettingsEvent::StepRemoved { name: name.clone() })?;
    let steps = rules(tx)?.steps;
    if steps.iter().any(|s| &s.name == name) {
        let rest = steps.into_iter().filter(|s| &s.name != name).collect();
        change(tx, ctx, rules::rule("matching.steps")?, Value::Steps(rest))?;
    }
    Ok(())
}

/// A registered step and its weight in the pipeline (`None`: registered but not in it).
#[derive(Debug, Clone, Serialize)]
pub struct RegisteredStep {
    #[serde(flatten)]
    pub program: StepProgram,
    pub weight: Option<f64>,
}

/// `crew settings step list`.
pub fn list_steps(tx: &mut (impl SettingsTx + ?Sized), ctx: &Ctx) -> Result<Vec<RegisteredStep>> {
    require(&ctx.actor, Action::ViewSettings)?;
    let pipeline = rules(tx)?.steps;
    Ok(tx
        .step_programs()?
        .into_iter()
        .map(|program| {
            let weight = pipeline.iter().find(|s| s.name == program.name).map(|s| s.weight);
            RegisteredStep { program, weight }
        })
        .collect())
}

/// One registered step, for `crew settings step approve` (which hashes its files again first).
pub fn step(tx: &mut (impl SettingsTx + ?Sized), ctx: &Ctx, name: &StepName) -> Result<StepProgram> {
    require(&ctx.actor, Action::ManageSettings)?;
    registered(tx, name)
}
