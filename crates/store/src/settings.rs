//! The settings' tables: the company's rules an admin set, and the registered step programs.

use crew_core::error::Result;
use crew_core::ids::AccountId;
use crew_core::settings::{SettingsRead, SettingsStore, StepName, StepProgram, StoredSetting};
use rusqlite::{OptionalExtension, Row, params};

use crate::row::{SqliteTx, col, from_json, internal, json, time, ts};

fn setting_row(row: &Row<'_>) -> rusqlite::Result<StoredSetting> {
    Ok(StoredSetting {
        key: row.get(0)?,
        value: row.get(1)?,
        changed_at: col(row, 2, time)?,
        changed_by: row.get::<_, Option<i64>>(3)?.map(AccountId::new),
    })
}

fn step_row(row: &Row<'_>) -> rusqlite::Result<StepProgram> {
    Ok(StepProgram {
        name: col(row, 0, StepName::parse)?,
        program: row.get(1)?,
        args: from_json(row, 2)?,
        files: from_json(row, 3)?,
        timeout_seconds: row.get(4)?,
        approved_at: col(row, 5, time)?,
        approved_by: row.get::<_, Option<i64>>(6)?.map(AccountId::new),
    })
}

const STEP_COLUMNS: &str = "name, program, args, files, timeout_seconds, approved_at, approved_by";

impl SettingsRead for SqliteTx<'_> {
    fn stored_settings(&mut self) -> Result<Vec<StoredSetting>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, value, changed_at, changed_by FROM settings ORDER BY key")
            .map_err(internal)?;
        let rows = stmt.query_map([], setting_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn step_program(&mut self, name: &StepName) -> Result<Option<StepProgram>> {
        self.conn
            .prepare_cached(&format!("SELECT {STEP_COLUMNS} FROM settings_steps WHERE name = ?1"))
            .and_then(|mut s| s.query_row([name.as_str()], step_row).optional())
            .map_err(internal)
    }

    fn step_programs(&mut self) -> Result<Vec<StepProgram>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {STEP_COLUMNS} FROM settings_steps ORDER BY name"))
            .map_err(internal)?;
        let rows = stmt.query_map([], step_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }
}

impl SettingsStore for SqliteTx<'_> {
    fn put_setting(&mut self, s: &StoredSetting) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO settings (key, value, changed_at, changed_by) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, changed_at = excluded.changed_at,
                                                 changed_by = excluded.changed_by",
            )
            .and_then(|mut st| st.execute(params![s.key, s.value, ts(s.changed_at), s.changed_by.map(|a| a.get())]))
            .map(|_| ())
            .map_err(internal)
    }

    fn put_step_program(&mut self, p: &StepProgram) -> Result<()> {
        let args = json(&p.args)?;
        let files = json(&p.files)?;
        self.conn
            .prepare_cached(&format!(
                "INSERT INTO settings_steps ({STEP_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (name) DO UPDATE SET program = excluded.program, args = excluded.args,
                     files = excluded.files, timeout_seconds = excluded.timeout_seconds,
                     approved_at = excluded.approved_at, approved_by = excluded.approved_by"
            ))
            .and_then(|mut st| {
                st.execute(params![
                    p.name.as_str(),
                    p.program,
                    args,
                    files,
                    p.timeout_seconds,
                    ts(p.approved_at),
                    p.approved_by.map(|a| a.get())
                ])
            })
            .map(|_| ())
            .map_err(internal)
    }

    fn delete_step_program(&mut self, name: &StepName) -> Result<bool> {
        self.conn
            .prepare_cached("DELETE FROM settings_steps WHERE name = ?1")
            .and_then(|mut st| st.execute([name.as_str()]))
            .map(|n| n > 0)
            .map_err(internal)
    }
}
