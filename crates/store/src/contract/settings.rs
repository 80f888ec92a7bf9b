//! [`SettingsRead`](crew_core::settings::SettingsRead) and
//! [`SettingsStore`](crew_core::settings::SettingsStore): the company's rules and registered steps.

use crew_core::authz::Role;
use crew_core::error::ErrorKind;
use crew_core::ids::AccountId;
use crew_core::settings::{StepFile, StepName, StepProgram, StoredSetting};
use crew_core::types::Sha256Hex;
use crew_core::wiring::Store;

use super::{account, at, expect_err, read, write};

fn setting(key: &str, value: &str, minutes: i64, by: Option<AccountId>) -> StoredSetting {
    StoredSetting { key: key.into(), value: value.into(), changed_at: at(minutes), changed_by: by }
}

fn name(raw: &str) -> StepName {
    StepName::parse(raw).unwrap()
}

fn step(raw: &str, by: Option<AccountId>) -> StepProgram {
    let program = format!("/opt/steps/{raw}");
    StepProgram {
        name: name(raw),
        program: program.clone(),
        args: vec!["--fast".into(), "/opt/steps/model.json".into()],
        files: vec![
            StepFile { path: program, sha256: Sha256Hex::of(raw.as_bytes()) },
            StepFile { path: "/opt/steps/model.json".into(), sha256: Sha256Hex::of(b"{}") },
        ],
        timeout_seconds: 10,
        approved_at: at(5),
        approved_by: by,
    }
}

pub(crate) fn nothing_is_stored_until_a_rule_is_set<S: Store>(store: &mut S) {
    let got = read(store, |tx| Ok((tx.stored_settings()?, tx.step_programs()?, tx.step_program(&name("x"))?)));
    assert_eq!(got, (vec![], vec![], None));
}

pub(crate) fn stored_settings_read_back_by_key_ascending_with_every_field<S: Store>(store: &mut S) {
    let admin = write(store, |tx| account(tx, "root", Role::Admin));
    let given = [
        setting("time_zone", "Europe/Berlin", 3, Some(admin)),
        setting("currency", "CHF", 1, None),
        setting("pricing.base_price", "80.00", 2, Some(admin)),
    ];
    write(store, |tx| given.iter().try_for_each(|s| tx.put_setting(s)));
    let got = read(store, |tx| tx.stored_settings());
    assert_eq!(got, vec![given[1].clone(), given[2].clone(), given[0].clone()]);
}

pub(crate) fn putting_a_setting_again_replaces_its_value_time_and_author<S: Store>(store: &mut S) {
    let (root, ada) = write(store, |tx| Ok((account(tx, "root", Role::Admin)?, account(tx, "ada", Role::Admin)?)));
    write(store, |tx| {
        tx.put_setting(&setting("currency", "CHF", 1, Some(root)))?;
        tx.put_setting(&setting("time_zone", "UTC", 1, Some(root)))
    });
    write(store, |tx| tx.put_setting(&setting("currency", "GBP", 9, Some(ada))));
    let got = read(store, |tx| tx.stored_settings());
    assert_eq!(got, vec![setting("currency", "GBP", 9, Some(ada)), setting("time_zone", "UTC", 1, Some(root))]);
}

pub(crate) fn putting_a_setting_by_a_missing_account_is_a_conflict_and_stores_nothing<S: Store>(store: &mut S) {
    let ghost = AccountId::new(4242);
    expect_err(store.write(|tx| tx.put_setting(&setting("currency", "CHF", 1, Some(ghost)))), ErrorKind::Conflict);
    assert_eq!(read(store, |tx| tx.stored_settings()), vec![]);
}

pub(crate) fn a_put_step_reads_back_with_every_field_and_a_missing_one_is_none<S: Store>(store: &mut S) {
    let admin = write(store, |tx| account(tx, "root", Role::Admin));
    write(store, |tx| tx.put_step_program(&step("zone", Some(admin))));
    let got = read(store, |tx| Ok((tx.step_program(&name("zone"))?, tx.step_program(&name("zon"))?)));
    assert_eq!(got, (Some(step("zone", Some(admin))), None));
}

pub(crate) fn putting_a_step_again_replaces_every_field<S: Store>(store: &mut S) {
    let (root, ada) = write(store, |tx| Ok((account(tx, "root", Role::Admin)?, account(tx, "ada", Role::Admin)?)));
    write(store, |tx| tx.put_step_program(&step("zone", Some(root))));
    let replaced = StepProgram {
        program: "/usr/bin/python3".into(),
        args: vec![],
        files: vec![StepFile { path: "/usr/bin/python3".into(), sha256: Sha256Hex::of(b"py") }],
        timeout_seconds: 3600,
        approved_at: at(60),
        approved_by: Some(ada),
        ..step("zone", None)
    };
    write(store, |tx| tx.put_step_program(&replaced));
    assert_eq!(read(store, |tx| tx.step_programs()), vec![replaced]);
}

pub(crate) fn putting_a_step_approved_by_a_missing_account_is_a_conflict_and_stores_nothing<S: Store>(store: &mut S) {
    expect_err(store.write(|tx| tx.put_step_program(&step("zone", Some(AccountId::new(4242))))), ErrorKind::Conflict);
    assert_eq!(read(store, |tx| tx.step_programs()), vec![]);
}

pub(crate) fn steps_are_listed_by_name_ascending<S: Store>(store: &mut S) {
    write(store, |tx| ["zeta", "alpha", "mid"].iter().try_for_each(|n| tx.put_step_program(&step(n, None))));
    let names: Vec<String> = read(store, |tx| tx.step_programs()).into_iter().map(|s| s.name.to_string()).collect();
    assert_eq!(names, ["alpha", "mid", "zeta"]);
}

pub(crate) fn deleting_a_step_removes_only_it_and_says_whether_it_existed<S: Store>(store: &mut S) {
    write(store, |tx| ["alpha", "beta"].iter().try_for_each(|n| tx.put_step_program(&step(n, None))));
    let (first, again) =
        write(store, |tx| Ok((tx.delete_step_program(&name("alpha"))?, tx.delete_step_program(&name("alpha"))?)));
    assert_eq!((first, again), (true, false));
    assert_eq!(read(store, |tx| tx.step_programs()), vec![step("beta", None)]);
}
