//! The settings' tables on PostgreSQL: the company's rules an admin set, and the registered step
//! programs.

use crew_core::error::Result;
use crew_core::ids::AccountId;
use crew_core::settings::{SettingsRead, SettingsStore, StepName, StepProgram, StoredSetting};
use postgres::Row;

use super::row::{PgTx, col, from_json, get, json, narrow};

fn setting_row(row: &Row) -> Result<StoredSetting> {
    Ok(StoredSetting {
        key: get(row, 0)?,
        value: get(row, 1)?,
        changed_at: get(row, 2)?,
        changed_by: get::<Option<i64>>(row, 3)?.map(AccountId::new),
    })
}

fn step_row(row: &Row) -> Result<StepProgram> {
    Ok(StepProgram {
        name: col(row, 0, StepName::parse)?,
        program: get(row, 1)?,
        args: from_json(row, 2)?,
        files: from_json(row, 3)?,
        timeout_seconds: narrow(get(row, 4)?)?,
        approved_at: get(row, 5)?,
        approved_by: get::<Option<i64>>(row, 6)?.map(AccountId::new),
    })
}

const STEP_COLUMNS: &str = "name, program, args, files, timeout_seconds, approved_at, approved_by";

impl SettingsRead for PgTx<'_, '_> {
    fn stored_settings(&mut self) -> Result<Vec<StoredSetting>> {
        let rows =
            self.query("SELECT key, value, changed_at, changed_by FROM settings ORDER BY key COLLATE \"C\"", &[])?;
        rows.iter().map(setting_row).collect()
    }

    fn step_program(&mut self, name: &StepName) -> Result<Option<StepProgram>> {
        let row =
            self.query_opt(&format!("SELECT {STEP_COLUMNS} FROM settings_steps WHERE name = $1"), &[&name.as_str()])?;
        row.as_ref().map(step_row).transpose()
    }

    fn step_programs(&mut self) -> Result<Vec<StepProgram>> {
        let rows =
            self.query(&format!("SELECT {STEP_COLUMNS} FROM settings_steps ORDER BY name COLLATE \"C\""), &[])?;
        rows.iter().map(step_row).collect()
    }
}

impl SettingsStore for PgTx<'_, '_> {
    fn put_setting(&mut self, s: &StoredSetting) -> Result<()> {
        self.execute(
            "INSERT INTO settings (key, value, changed_at, changed_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, changed_at = excluded.changed_at,
                                             changed_by = excluded.changed_by",
            &[&s.key, &s.value, &s.changed_at, &s.changed_by.map(|a| a.get())],
        )?;
        Ok(())
    }

    fn put_step_program(&mut self, p: &StepProgram) -> Result<()> {
        let args = json(&p.args)?;
        let files = json(&p.files)?;
        self.execute(
            &format!(
                "INSERT INTO settings_steps ({STEP_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (name) DO UPDATE SET program = excluded.program, args = excluded.args,
                     files = excluded.files, timeout_seconds = excluded.timeout_seconds,
                     approved_at = excluded.approved_at, approved_by = excluded.approved_by"
            ),
            &[
                &p.name.as_str(),
                &p.program,
                &args,
                &files,
                &i64::from(p.timeout_seconds),
                &p.approved_at,
                &p.approved_by.map(|a| a.get()),
            ],
        )?;
        Ok(())
    }

    fn delete_step_program(&mut self, name: &StepName) -> Result<bool> {
        Ok(self.execute("DELETE FROM settings_steps WHERE name = $1", &[&name.as_str()])? > 0)
    }
}
