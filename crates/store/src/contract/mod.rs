//! The storage contract: what every storage trait promises in its doc comment (a missing row, a
//! duplicate, the order results come in, round trips, the event log, transactions), checked by
//! plain generic functions over crew_core's public traits.
//!
//! Each contract is a `pub(crate) fn the_promise<S: Store>(store: &mut S)` in the file of its
//! trait group (`events`, `settings`, `iam`, `ordering`, `matching`, `hiring`, `mail`,
//! `transactions`). It gets a fresh, empty, migrated store, and uses only [`Store`] and the traits
//! [`Tx`] offers: never SQL, never rusqlite. So the very same functions can check any backend.
//!
//! [`contract_suite!`] turns every contract into one `#[test]` for a backend:
//!
//! ```text
//! contract_suite!(sqlite_memory, || ((), crate::SqliteStore::in_memory().unwrap()));
//! ```
//!
//! The constructor returns `(guard, store)`: the guard lives as long as the test (a `TempDir`,
//! a throw-away PostgreSQL schema; `()` when there is nothing to keep). The constructor is
//! expanded inside generated modules, so it names everything by full path (`crate::…`,
//! `tempfile::…`). The tests are `contract::<backend>::<group>::<promise>`.
//!
//! **A second backend** (PostgreSQL) plugs in with one invocation of the macro and a constructor
//! that hands out an empty, migrated store per test. While the suite lives here it is
//! `#[cfg(test)]` and crate-private; once the PostgreSQL store exists, move it behind a feature
//! (or into its own crate) made `pub`, export the macro (`#[macro_export]`, the paths below use
//! `$crate`), and invoke it from the PostgreSQL crate's tests:
//! `crew_store::contract_suite!(postgres, || (schema_guard, PgStore::connect(&url).unwrap()));`.
//!
//! **Adding a contract**: write the function, then list it in the macro under its group. A
//! function listed nowhere is dead code, which `cargo clippy -- -D warnings` refuses, so none is
//! forgotten.
//!
//! What only SQLite can show (the log's triggers refusing UPDATE and DELETE, WAL, migrations)
//! stays in `crate::tests`.

use std::fmt::Debug;

use chrono::{DateTime, Duration, TimeZone, Utc};
use crew_core::authz::Role;
use crew_core::error::{Error, ErrorKind, Result};
use crew_core::iam::NewAccount;
use crew_core::ids::{AccountId, OrderId, ServiceTypeId};
use crew_core::ordering::{NewOrder, NewServiceType, Timing};
use crew_core::types::{Email, Login, Money, Name, ServiceCode, SkillSet, Text, Zone};
use crew_core::wiring::{Store, Tx};

mod bets;
mod billing;
mod events;
mod hiring;
mod iam;
mod mail;
mod matching;
mod ordering;
mod quality;
mod settings;
mod supplies;
mod transactions;

/// One `#[test]` per contract function for one backend: `contract_suite!(name, constructor)`,
/// where the constructor returns `(guard, store)` (see the module doc).
macro_rules! contract_suite {
    ($backend:ident, $make:expr $(,)?) => {
        mod $backend {
            contract_suite!(@group $make; events;
                appended_positions_start_after_start_and_strictly_increase,
                an_appended_event_reads_back_as_it_was_appended,
                events_after_the_end_of_the_log_is_empty,
                events_after_pages_through_the_log_oldest_first_at_most_limit_each,
                find_events_without_filters_returns_every_event_oldest_first,
                find_events_by_order_returns_only_that_orders_events,
                find_events_by_application_returns_only_that_applications_events,
                find_events_since_a_time_leaves_out_earlier_events,
                find_events_after_a_position_returns_only_later_events,
                find_events_with_a_limit_returns_the_oldest_matches,
                find_events_applies_every_filter_together,
                find_events_matching_nothing_is_empty,
                a_subscriber_never_seen_is_at_start,
                setting_a_subscriber_position_creates_then_replaces_it,
                subscriber_positions_are_kept_apart_by_name,
                the_last_event_seq_is_start_for_an_empty_log_then_the_newest,
                the_last_event_of_some_types_is_the_newest_of_them_or_start,
                every_event_gets_a_real_time_that_never_runs_backwards,
                the_clock_policy_is_system_until_set_and_is_set_once,
                a_batch_of_events_is_appended_in_order_after_the_log_as_one_by_one,
                a_batch_with_a_missing_actor_is_a_conflict_and_appends_nothing,
                events_read_in_the_transaction_that_appended_them_are_as_read_later,
                events_handed_over_whole_are_as_read_later,
            );
            contract_suite!(@group $make; iam;
                missing_accounts_are_none_by_id_login_and_email,
                an_inserted_account_reads_back_active_with_every_field,
                accounts_are_found_by_exact_login_and_email,
                inserting_accounts_gives_distinct_ids,
                inserting_a_taken_login_is_a_conflict_and_adds_nothing,
                inserting_a_taken_email_is_a_conflict_and_adds_nothing,
                accounts_without_email_do_not_clash,
                accounts_are_listed_by_id_ascending_active_or_not_filtered_by_role,
                counting_accounts_counts_every_role_active_or_not,
                counting_active_accounts_counts_only_active_holders_of_the_role,
                updating_an_account_saves_name_email_role_active_and_password_hash,
                updating_an_account_keeps_its_creation_time,
                a_session_reads_back_by_its_hash_and_a_missing_one_is_none,
                a_session_reads_back_by_its_id_and_a_missing_one_is_none,
                session_ids_increase_and_an_ended_sessions_id_is_never_given_again,
                a_session_keeps_its_expiry_to_the_microsecond_and_a_token_has_none,
                sessions_are_listed_by_id_per_account_or_all_expired_ones_too,
                inserting_a_session_whose_hash_is_stored_is_a_conflict,
                deleting_a_session_ends_only_that_one_and_says_whether_it_existed,
                deleting_the_sessions_of_an_account_ends_all_of_them_and_counts_them,
                a_client_profile_is_none_for_an_account_that_is_not_a_client,
                upserting_a_client_profile_adds_it_then_replaces_it,
                an_account_without_an_activation_secret_has_none,
                setting_an_activation_secret_makes_it_the_current_one,
                setting_another_activation_secret_replaces_the_earlier_one,
                a_used_activation_secret_is_none_and_a_new_one_is_usable,
                using_an_activation_secret_an_account_lacks_leaves_it_as_it_is,
            );
            contract_suite!(@group $make; ordering;
                a_missing_service_type_is_none,
                an_inserted_service_type_reads_back_not_retired_with_every_field,
                service_types_are_listed_by_code_ascending_retired_ones_too,
                inserting_a_taken_service_type_code_is_a_conflict,
                updating_a_service_type_saves_name_description_skills_and_retired_only,
                a_missing_order_is_none,
                an_inserted_order_reads_back_open_without_worker_with_every_field,
                each_inserted_order_gets_an_id_greater_than_every_earlier_one,
                inserting_an_order_for_a_missing_client_is_a_conflict,
                inserting_an_order_of_a_missing_service_type_is_a_conflict,
                updating_an_order_saves_its_life_and_keeps_what_was_ordered,
                an_assigned_or_active_order_without_a_worker_is_a_conflict,
                orders_are_filtered_by_status_client_and_worker,
                orders_are_at_most_the_limit,
            );
            contract_suite!(@group $make; matching;
                an_account_without_a_profile_has_none,
                an_inserted_profile_reads_back_with_no_load_and_no_outcomes,
                inserting_a_second_profile_for_a_worker_is_a_conflict,
                profiles_are_listed_by_worker_id_and_filtered_by_zone_skill_and_status,
                updating_a_profile_saves_zone_skills_capacity_rating_and_status,
                updating_a_profile_that_does_not_exist_leaves_it_missing,
                load_counts_the_workers_assigned_and_active_orders_and_is_never_stored,
                an_order_matching_never_saw_is_none,
                an_upserted_match_order_reads_back_with_every_field,
                upserting_a_match_order_again_replaces_its_status_and_worker,
                open_match_orders_are_only_open_ones_by_time_then_order_id,
                there_are_no_outcomes_until_one_is_recorded,
                recorded_outcomes_add_up_per_worker_and_client,
                held_slots_are_the_assigned_and_active_orders_with_their_timing_by_start,
                a_workers_hours_are_set_replaced_and_cleared,
                time_off_is_added_listed_by_start_read_and_removed,
            );
            contract_suite!(@group $make; hiring;
                a_missing_test_or_version_is_none,
                an_inserted_test_reads_back_at_version_1_not_deleted,
                a_new_version_becomes_current_and_earlier_ones_stay_readable,
                inserting_a_stored_version_again_is_a_conflict,
                inserting_a_version_of_a_missing_test_is_a_conflict,
                tests_are_listed_by_id_at_their_current_version_deleted_ones_too,
                deleting_a_test_marks_it_deleted_and_keeps_its_versions,
                deleting_a_missing_test_leaves_it_missing,
                applications_holding_a_test_are_counted_by_any_version,
                a_missing_test_set_is_none,
                an_inserted_test_set_reads_back_with_its_tests_in_order,
                inserting_a_taken_test_set_name_is_a_conflict,
                updating_a_test_set_saves_name_description_and_tests,
                renaming_a_test_set_to_another_sets_name_is_a_conflict,
                test_sets_are_listed_by_id_ascending,
                missing_applications_are_none_by_id_and_email,
                an_inserted_application_reads_back_applied_with_every_field,
                inserting_an_application_for_an_email_that_has_one_is_a_conflict,
                updating_an_application_saves_its_progress_and_keeps_its_creation_time,
                applications_are_listed_by_id_filtered_by_status_and_set_at_most_the_limit,
                intake_hours_add_up_per_hour_from_zero,
                applications_inserted_in_a_batch_get_increasing_ids_in_order_and_read_back_applied,
                a_batch_with_an_email_that_has_an_application_or_comes_twice_is_a_conflict,
                applications_are_read_by_a_list_of_emails_one_per_email_that_has_one,
            );
            contract_suite!(@group $make; mail;
                a_missing_mail_is_none,
                an_inserted_mail_reads_back_queued_due_at_its_creation_with_every_field,
                inserting_a_mail_with_a_cause_already_queued_returns_false_and_adds_nothing,
                updating_a_mail_saves_its_delivery_state_and_keeps_its_content,
                mails_are_listed_oldest_first_filtered_by_status_at_most_the_limit,
                due_mails_are_queued_ones_due_at_or_before_now_oldest_first,
                due_mails_are_at_most_the_limit,
                due_mails_are_transactional_before_bulk_then_oldest_first,
                queued_mails_are_listed_in_delivery_order_transactional_before_bulk_then_oldest,
                a_row_that_cannot_be_read_is_returned_as_unreadable_and_can_be_buried,
                a_digest_is_queued_then_rewritten_until_it_is_taken,
                mails_queued_in_a_batch_keep_their_order_and_leave_out_causes_already_taken,
            );
            contract_suite!(@group $make; settings;
                nothing_is_stored_until_a_rule_is_set,
                stored_settings_read_back_by_key_ascending_with_every_field,
                putting_a_setting_again_replaces_its_value_time_and_author,
                putting_a_setting_by_a_missing_account_is_a_conflict_and_stores_nothing,
                a_put_step_reads_back_with_every_field_and_a_missing_one_is_none,
                putting_a_step_again_replaces_every_field,
                putting_a_step_approved_by_a_missing_account_is_a_conflict_and_stores_nothing,
                steps_are_listed_by_name_ascending,
                deleting_a_step_removes_only_it_and_says_whether_it_existed,
            );
            contract_suite!(@group $make; billing;
                a_missing_entry_is_none_and_an_unposted_account_has_zero_balance,
                an_inserted_entry_reads_back_with_every_field_and_its_postings_in_order,
                inserting_an_id_again_is_a_conflict_and_changes_nothing,
                kept_balances_add_each_posting_in_the_same_transaction_and_equal_the_recomputed_ones,
                a_rolled_back_entry_leaves_no_posting_and_no_balance,
                entries_are_filtered_by_account_kind_and_time_and_come_by_time_then_insertion,
                unbalanced_entries_are_listed_with_their_sums,
                open_amounts_count_uninvoiced_entries_before_the_end_per_holder_and_linking_takes_them,
                invoices_read_back_by_number_and_a_taken_number_or_period_is_a_conflict,
                a_period_is_closed_once_and_reads_back,
                payments_are_one_per_invoice_with_a_unique_key_and_open_ones_are_listed,
                a_retry_is_another_payment_of_its_invoice_and_the_latest_is_the_invoices,
                total_paid_is_the_sum_of_a_clients_collections_only,
            );
            contract_suite!(@group $make; supplies;
                a_service_type_without_a_bill_of_materials_has_an_empty_one,
                a_set_bill_of_materials_reads_back_in_its_order_and_is_replaced_whole,
                a_bill_of_materials_listing_an_item_twice_is_a_conflict_and_keeps_the_old_one,
                an_untracked_item_has_no_stock_and_put_stock_tracks_then_replaces_it,
                stock_with_more_reserved_than_on_hand_is_a_conflict_and_changes_nothing,
                a_missing_kit_is_none,
                an_inserted_kit_reads_back_open_with_its_cookie_not_ordered_under_its_key,
                a_second_kit_with_a_used_cookie_key_is_a_conflict,
                an_order_has_at_most_one_open_kit_beside_issued_ones,
                updating_a_kit_saves_worker_lines_status_cookie_and_times,
                updating_a_missing_kit_is_not_found,
                kits_are_listed_by_time_then_id_and_filtered_by_status_order_and_worker,
            );
            contract_suite!(@group $make; bets;
                no_bets_or_books_at_first,
                bets_read_back_by_id_for_one_order_or_all,
                a_bet_by_a_missing_manager_or_on_a_missing_order_is_a_conflict_and_changes_nothing,
                held_bets_are_a_managers_bets_on_books_not_settled,
                a_book_reads_back_and_is_replaced_not_duplicated,
            );
            contract_suite!(@group $make; quality;
                nothing_is_queued_reviewed_or_seen_at_first,
                cases_read_back_by_queue_time_then_order_and_are_replaced_not_duplicated,
                a_review_reads_back_and_a_later_revision_replaces_it_while_its_case_stays,
                an_order_life_reads_back_and_is_replaced_by_order_id,
            );
            contract_suite!(@group $make; transactions;
                a_write_commits_what_it_did_and_returns_its_value,
                a_write_sees_its_own_changes_before_commit,
                a_failed_write_leaves_nothing_and_returns_its_error,
                a_write_that_propagates_a_conflict_keeps_none_of_its_earlier_changes,
                a_rehearsal_sees_its_own_changes_then_leaves_nothing,
                a_failed_rehearsal_leaves_nothing_and_returns_its_error,
                a_read_returns_its_value_and_sees_what_was_committed,
                the_log_keeps_growing_after_a_rolled_back_append,
            );
        }
    };
    (@group $make:expr; $group:ident; $($name:ident),* $(,)?) => {
        mod $group {
            $(
                #[test]
                fn $name() {
                    let (_guard, mut store) = ($make)();
                    $crate::contract::$group::$name(&mut store);
                }
            )*
        }
    };
}

contract_suite!(sqlite_memory, || ((), crate::SqliteStore::in_memory().unwrap()));

contract_suite!(sqlite_file, || {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::SqliteStore::create(&dir.path().join("crew.db")).unwrap();
    (dir, store)
});

// A schema of its own on the test server per test (`crate::postgres::test_server`: the server
// named by CREW_TEST_POSTGRES, else a private one started from the machine's binaries).
contract_suite!(postgres, crate::postgres::test_server::fresh_store);

// ---------------------------------------------------------------- running transactions

/// Runs `f` in a write transaction that must succeed.
fn write<S: Store, R>(store: &mut S, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> R {
    store.write(f).unwrap_or_else(|e| panic!("the write failed: {e} ({:?})", e.kind))
}

/// Runs `f` in a read transaction that must succeed.
fn read<S: Store, R>(store: &mut S, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> R {
    store.read(f).unwrap_or_else(|e| panic!("the read failed: {e} ({:?})", e.kind))
}

/// The error of `result`, which must be of `kind`.
#[track_caller]
fn expect_err<T: Debug>(result: Result<T>, kind: ErrorKind) -> Error {
    match result {
        Ok(value) => panic!("expected a {kind:?} error, got Ok({value:?})"),
        Err(e) => {
            assert_eq!(e.kind, kind, "expected a {kind:?} error, got: {e}");
            e
        }
    }
}

// ---------------------------------------------------------------- values

/// A moment `minutes` after a fixed start; with microseconds, the precision every store keeps.
fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap() + Duration::microseconds(123_456) + Duration::minutes(minutes)
}

fn login(raw: &str) -> Login {
    Login::parse(raw).unwrap()
}

fn name(raw: &str) -> Name {
    Name::parse(raw).unwrap()
}

fn email(raw: &str) -> Email {
    Email::parse(raw).unwrap()
}

fn zone(raw: &str) -> Zone {
    Zone::parse(raw).unwrap()
}

fn code(raw: &str) -> ServiceCode {
    ServiceCode::parse(raw).unwrap()
}

fn skills(raw: &str) -> SkillSet {
    SkillSet::parse(raw).unwrap()
}

fn text(raw: &str) -> Text {
    Text::parse(raw).unwrap()
}

// ---------------------------------------------------------------- rows other contracts stand on

/// An account of `role` with login `login` and email `login@example.com`.
fn new_account(login_: &str, role: Role) -> NewAccount {
    NewAccount {
        login: login(login_),
        name: name(&format!("{login_} Example")),
        email: Some(email(&format!("{login_}@example.com"))),
        role,
        password_hash: Some(format!("hash-of-{login_}")),
        created_at: at(0),
    }
}

fn account(tx: &mut dyn Tx, login: &str, role: Role) -> Result<AccountId> {
    tx.insert_account(&new_account(login, role))
}

fn new_service_type(code_: &str) -> NewServiceType {
    NewServiceType {
        code: code(code_),
        name: name(&format!("{code_} service")),
        description: text(&format!("All about {code_}.")),
        skills: skills(&format!("{code_}:2")),
        timing: Timing::DEFAULT,
        created_at: at(0),
    }
}

fn service_type(tx: &mut dyn Tx, code: &str) -> Result<ServiceTypeId> {
    tx.insert_service_type(&new_service_type(code))
}

fn new_order(client: AccountId, service: &str, scheduled_minutes: i64) -> NewOrder {
    NewOrder {
        client,
        service_type: code(service),
        zone: zone("north"),
        scheduled_at: at(scheduled_minutes),
        description: text("Two rooms, one balcony."),
        quote: Money::from_cents(10_000),
        copied_from: None,
        created_at: at(1),
    }
}

/// An order of `service` (which must exist) for `client`, scheduled `scheduled_minutes` in.
fn order(tx: &mut dyn Tx, client: AccountId, service: &str, scheduled_minutes: i64) -> Result<OrderId> {
    tx.insert_order(&new_order(client, service, scheduled_minutes))
}
