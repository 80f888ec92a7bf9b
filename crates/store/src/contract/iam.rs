//! [`IamRead`](crew_core::iam::IamRead) and [`IamStore`](crew_core::iam::IamStore): accounts, sessions and tokens, client details, activation.

use crew_core::authz::Role;
use crew_core::error::ErrorKind;
use crew_core::iam::{Account, Activation, ClientProfile, NewAccount, NewSession, Session, SessionKind};
use crew_core::ids::{AccountId, SessionId};
use crew_core::types::{PaymentMethod, Phone};
use crew_core::wiring::Store;

use super::{account, at, email, expect_err, login, name, new_account, read, write, zone};

/// A session opened at `at(3)`: a login one expires 12 hours later, a service token never.
fn session(hash: &str, account: AccountId, kind: SessionKind) -> NewSession {
    let expires_at = (kind == SessionKind::Login).then(|| at(3 + 12 * 60));
    NewSession { token_hash: hash.to_string(), account, kind, created_at: at(3), expires_at }
}

/// The session as stored under `id`.
fn stored(id: SessionId, new: &NewSession) -> Session {
    Session {
        id,
        token_hash: new.token_hash.clone(),
        account: new.account,
        kind: new.kind,
        created_at: new.created_at,
        expires_at: new.expires_at,
    }
}

fn hashes(sessions: &[Session]) -> Vec<&str> {
    sessions.iter().map(|s| s.token_hash.as_str()).collect()
}

fn ids(accounts: &[Account]) -> Vec<AccountId> {
    accounts.iter().map(|a| a.id).collect()
}

pub(crate) fn missing_accounts_are_none_by_id_login_and_email<S: Store>(store: &mut S) {
    let ann = write(store, |tx| account(tx, "ann", Role::Manager));
    let (by_id, by_login, by_email) = read(store, |tx| {
        Ok((
            tx.account(AccountId::new(ann.get() + 1000))?,
            tx.account_by_login(&login("bob"))?,
            tx.account_by_email(&email("bob@example.com"))?,
        ))
    });
    assert_eq!((by_id, by_login, by_email), (None, None, None));
}

pub(crate) fn an_inserted_account_reads_back_active_with_every_field<S: Store>(store: &mut S) {
    let mut new = new_account("ann", Role::Accountant);
    new.created_at = at(42);
    let without = NewAccount { email: None, password_hash: None, ..new_account("svc", Role::Service) };
    let (ann, svc) = write(store, |tx| Ok((tx.insert_account(&new)?, tx.insert_account(&without)?)));
    let (got_ann, got_svc) = read(store, |tx| Ok((tx.account(ann)?, tx.account(svc)?)));
    assert_eq!(
        got_ann,
        Some(Account {
            id: ann,
            login: new.login.clone(),
            name: new.name.clone(),
            email: new.email.clone(),
            role: Role::Accountant,
            active: true,
            password_hash: new.password_hash.clone(),
            created_at: at(42),
        })
    );
    assert_eq!(
        got_svc,
        Some(Account {
            id: svc,
            login: without.login.clone(),
            name: without.name.clone(),
            email: None,
            role: Role::Service,
            active: true,
            password_hash: None,
            created_at: without.created_at,
        })
    );
}

pub(crate) fn accounts_are_found_by_exact_login_and_email<S: Store>(store: &mut S) {
    let (ann, bob) = write(store, |tx| Ok((account(tx, "ann", Role::Client)?, account(tx, "bob", Role::Client)?)));
    let found = read(store, |tx| {
        Ok((
            tx.account_by_login(&login("ann"))?.map(|a| a.id),
            tx.account_by_login(&login("bob"))?.map(|a| a.id),
            tx.account_by_email(&email("ann@example.com"))?.map(|a| a.id),
            tx.account_by_email(&email("bob@example.com"))?.map(|a| a.id),
            // Exact: neither a prefix nor a longer name matches.
            tx.account_by_login(&login("an"))?,
            tx.account_by_login(&login("anna"))?,
            tx.account_by_email(&email("nn@example.com"))?,
        ))
    });
    assert_eq!(found, (Some(ann), Some(bob), Some(ann), Some(bob), None, None, None));
}

pub(crate) fn inserting_accounts_gives_distinct_ids<S: Store>(store: &mut S) {
    let ids = write(store, |tx| {
        ["ann", "bob", "cat", "dan"]
            .into_iter()
            .map(|l| account(tx, l, Role::Worker))
            .collect::<crew_core::Result<Vec<_>>>()
    });
    let distinct: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "{ids:?}");
}

pub(crate) fn inserting_a_taken_login_is_a_conflict_and_adds_nothing<S: Store>(store: &mut S) {
    let ann = write(store, |tx| account(tx, "ann", Role::Manager));
    let mut again = new_account("ann", Role::Admin);
    again.email = Some(email("other@example.com"));
    // The refusal adds nothing, even to the transaction that goes on after it.
    write(store, |tx| {
        expect_err(tx.insert_account(&again), ErrorKind::Conflict);
        assert_eq!(tx.count_accounts()?, 1);
        Ok(())
    });
    let (count, by_email, original) = read(store, |tx| {
        Ok((tx.count_accounts()?, tx.account_by_email(&email("other@example.com"))?, tx.account(ann)?))
    });
    assert_eq!((count, by_email), (1, None));
    assert_eq!(original.map(|a| (a.role, a.email)), Some((Role::Manager, Some(email("ann@example.com")))));
}

pub(crate) fn inserting_a_taken_email_is_a_conflict_and_adds_nothing<S: Store>(store: &mut S) {
    let ann = write(store, |tx| account(tx, "ann", Role::Client));
    let mut again = new_account("bob", Role::Client);
    again.email = Some(email("ann@example.com"));
    write(store, |tx| {
        expect_err(tx.insert_account(&again), ErrorKind::Conflict);
        assert_eq!(tx.count_accounts()?, 1);
        Ok(())
    });
    let (count, bob, by_email) = read(store, |tx| {
        Ok((
            tx.count_accounts()?,
            tx.account_by_login(&login("bob"))?,
            tx.account_by_email(&email("ann@example.com"))?.map(|a| a.id),
        ))
    });
    assert_eq!((count, bob, by_email), (1, None, Some(ann)));
}

pub(crate) fn accounts_without_email_do_not_clash<S: Store>(store: &mut S) {
    let no_email = |l: &str| NewAccount { email: None, ..new_account(l, Role::Manager) };
    write(store, |tx| {
        tx.insert_account(&no_email("ann"))?;
        tx.insert_account(&no_email("bob"))
    });
    assert_eq!(read(store, |tx| tx.count_accounts()), 2);
}

pub(crate) fn accounts_are_listed_by_id_ascending_active_or_not_filtered_by_role<S: Store>(store: &mut S) {
    assert!(read(store, |tx| tx.accounts(None)).is_empty());
    let (w1, c1, w2, m1) = write(store, |tx| {
        let w1 = account(tx, "zed", Role::Worker)?;
        let c1 = account(tx, "amy", Role::Client)?;
        let w2 = account(tx, "bob", Role::Worker)?;
        let m1 = account(tx, "max", Role::Manager)?;
        Ok((w1, c1, w2, m1))
    });
    // An inactive account is listed too.
    write(store, |tx| {
        let mut zed = tx.account(w1)?.unwrap();
        zed.active = false;
        tx.update_account(&zed)
    });
    let mut all_ids = vec![w1, c1, w2, m1];
    all_ids.sort();
    let mut workers = vec![w1, w2];
    workers.sort();
    let (all, work, clients, admins) = read(store, |tx| {
        Ok((
            tx.accounts(None)?,
            tx.accounts(Some(Role::Worker))?,
            tx.accounts(Some(Role::Client))?,
            tx.accounts(Some(Role::Admin))?,
        ))
    });
    assert_eq!(ids(&all), all_ids);
    assert_eq!(ids(&work), workers);
    assert_eq!(ids(&clients), [c1]);
    assert!(admins.is_empty());
}

pub(crate) fn counting_accounts_counts_every_role_active_or_not<S: Store>(store: &mut S) {
    assert_eq!(read(store, |tx| tx.count_accounts()), 0);
    let ann = write(store, |tx| {
        account(tx, "bob", Role::Client)?;
        account(tx, "cat", Role::Service)?;
        account(tx, "ann", Role::Admin)
    });
    write(store, |tx| {
        let mut a = tx.account(ann)?.unwrap();
        a.active = false;
        tx.update_account(&a)
    });
    assert_eq!(read(store, |tx| tx.count_accounts()), 3);
}

pub(crate) fn counting_active_accounts_counts_only_active_holders_of_the_role<S: Store>(store: &mut S) {
    let gone = write(store, |tx| {
        account(tx, "ann", Role::Admin)?;
        account(tx, "bob", Role::Admin)?;
        account(tx, "max", Role::Manager)?;
        account(tx, "cat", Role::Admin)
    });
    write(store, |tx| {
        let mut cat = tx.account(gone)?.unwrap();
        cat.active = false;
        tx.update_account(&cat)
    });
    let counts = read(store, |tx| {
        Ok((
            tx.count_active_accounts(Role::Admin)?,
            tx.count_active_accounts(Role::Manager)?,
            tx.count_active_accounts(Role::Worker)?,
        ))
    });
    assert_eq!(counts, (2, 1, 0));
}

pub(crate) fn updating_an_account_saves_name_email_role_active_and_password_hash<S: Store>(store: &mut S) {
    let (ann, bob) = write(store, |tx| Ok((account(tx, "ann", Role::Worker)?, account(tx, "bob", Role::Worker)?)));
    let mut changed = read(store, |tx| tx.account(ann)).unwrap();
    changed.name = name("Ann Other");
    changed.email = Some(email("ann.other@example.com"));
    changed.role = Role::Manager;
    changed.active = false;
    changed.password_hash = Some("a new hash".to_string());
    write(store, |tx| tx.update_account(&changed));
    let (got, untouched) = read(store, |tx| Ok((tx.account(ann)?, tx.account(bob)?)));
    assert_eq!(got, Some(changed));
    assert_eq!(untouched.map(|b| (b.name, b.role, b.active)), Some((name("bob Example"), Role::Worker, true)));
    // And back: no email, no password.
    let mut cleared = read(store, |tx| tx.account(ann)).unwrap();
    cleared.email = None;
    cleared.password_hash = None;
    cleared.active = true;
    write(store, |tx| tx.update_account(&cleared));
    assert_eq!(read(store, |tx| tx.account(ann)), Some(cleared));
}

pub(crate) fn updating_an_account_keeps_its_creation_time<S: Store>(store: &mut S) {
    let ann = write(store, |tx| account(tx, "ann", Role::Worker));
    let mut changed = read(store, |tx| tx.account(ann)).unwrap();
    let created_at = changed.created_at;
    changed.created_at = at(999);
    changed.name = name("Ann Other");
    write(store, |tx| tx.update_account(&changed));
    let got = read(store, |tx| tx.account(ann)).unwrap();
    assert_eq!((got.name, got.created_at), (name("Ann Other"), created_at));
}

pub(crate) fn a_session_reads_back_by_its_hash_and_a_missing_one_is_none<S: Store>(store: &mut S) {
    let (person, token) = write(store, |tx| {
        let ann = account(tx, "ann", Role::Manager)?;
        let svc = account(tx, "svc", Role::Service)?;
        let person = session("hash-1", ann, SessionKind::Login);
        let token = NewSession { created_at: at(9), ..session("hash-2", svc, SessionKind::ServiceToken) };
        Ok((stored(tx.insert_session(&person)?, &person), stored(tx.insert_session(&token)?, &token)))
    });
    let got = read(store, |tx| Ok((tx.session("hash-1")?, tx.session("hash-2")?, tx.session("hash-3")?)));
    assert_eq!(got, (Some(person), Some(token), None));
}

pub(crate) fn a_session_reads_back_by_its_id_and_a_missing_one_is_none<S: Store>(store: &mut S) {
    let (person, token) = write(store, |tx| {
        let ann = account(tx, "ann", Role::Manager)?;
        let person = session("hash-1", ann, SessionKind::Login);
        let token = session("hash-2", ann, SessionKind::ServiceToken);
        Ok((stored(tx.insert_session(&person)?, &person), stored(tx.insert_session(&token)?, &token)))
    });
    let missing = SessionId::new(token.id.get().max(person.id.get()) + 1000);
    let got =
        read(store, |tx| Ok((tx.session_by_id(person.id)?, tx.session_by_id(token.id)?, tx.session_by_id(missing)?)));
    assert_eq!(got, (Some(person), Some(token), None));
}

pub(crate) fn session_ids_increase_and_an_ended_sessions_id_is_never_given_again<S: Store>(store: &mut S) {
    let (ann, first, second) = write(store, |tx| {
        let ann = account(tx, "ann", Role::Manager)?;
        let first = tx.insert_session(&session("hash-1", ann, SessionKind::Login))?;
        let second = tx.insert_session(&session("hash-2", ann, SessionKind::Login))?;
        Ok((ann, first, second))
    });
    assert!(second > first, "{second} after {first}");
    // The newest one ends; the next session must not take its id (a revoke by id would end it).
    assert!(write(store, |tx| tx.delete_session("hash-2")));
    let third = write(store, |tx| tx.insert_session(&session("hash-3", ann, SessionKind::Login)));
    assert!(third > second, "{third} after the ended {second}");
    assert_eq!(read(store, |tx| tx.session_by_id(second)), None);
}

pub(crate) fn a_session_keeps_its_expiry_to_the_microsecond_and_a_token_has_none<S: Store>(store: &mut S) {
    write(store, |tx| {
        let ann = account(tx, "ann", Role::Manager)?;
        let svc = account(tx, "svc", Role::Service)?;
        tx.insert_session(&NewSession { expires_at: Some(at(61)), ..session("hash-1", ann, SessionKind::Login) })?;
        tx.insert_session(&session("hash-2", svc, SessionKind::ServiceToken))
    });
    let got = read(store, |tx| Ok((tx.session("hash-1")?, tx.session("hash-2")?)));
    assert_eq!(got.0.map(|s| s.expires_at), Some(Some(at(61))));
    assert_eq!(got.1.map(|s| s.expires_at), Some(None));
}

pub(crate) fn sessions_are_listed_by_id_per_account_or_all_expired_ones_too<S: Store>(store: &mut S) {
    let (ann, bob, cat) = write(store, |tx| {
        let ann = account(tx, "ann", Role::Manager)?;
        let bob = account(tx, "bob", Role::Service)?;
        let cat = account(tx, "cat", Role::Manager)?;
        tx.insert_session(&NewSession { created_at: at(30), ..session("ann-1", ann, SessionKind::Login) })?;
        tx.insert_session(&NewSession { created_at: at(10), ..session("bob-1", bob, SessionKind::ServiceToken) })?;
        // Long expired: still listed (whether it counts is the domain's to decide).
        tx.insert_session(&NewSession {
            created_at: at(0),
            expires_at: Some(at(1)),
            ..session("ann-2", ann, SessionKind::Login)
        })?;
        tx.insert_session(&session("ann-3", ann, SessionKind::Login))?;
        Ok((ann, bob, cat))
    });
    let (of_ann, of_bob, of_cat, all) = read(store, |tx| {
        Ok((tx.sessions(Some(ann))?, tx.sessions(Some(bob))?, tx.sessions(Some(cat))?, tx.sessions(None)?))
    });
    assert_eq!(hashes(&of_ann), ["ann-1", "ann-2", "ann-3"]);
    assert_eq!(hashes(&of_bob), ["bob-1"]);
    assert!(of_cat.is_empty());
    assert_eq!(hashes(&all), ["ann-1", "bob-1", "ann-2", "ann-3"]);
    assert_eq!(of_ann[1].expires_at, Some(at(1)), "rows come back whole");
}

pub(crate) fn inserting_a_session_whose_hash_is_stored_is_a_conflict<S: Store>(store: &mut S) {
    let (ann, bob) = write(store, |tx| {
        let ann = account(tx, "ann", Role::Manager)?;
        tx.insert_session(&session("hash-1", ann, SessionKind::Login))?;
        Ok((ann, account(tx, "bob", Role::Manager)?))
    });
    let err = store.write(|tx| tx.insert_session(&session("hash-1", bob, SessionKind::Login)));
    expect_err(err, ErrorKind::Conflict);
    assert_eq!(read(store, |tx| tx.session("hash-1")).map(|s| s.account), Some(ann));
}

pub(crate) fn deleting_a_session_ends_only_that_one_and_says_whether_it_existed<S: Store>(store: &mut S) {
    write(store, |tx| {
        let ann = account(tx, "ann", Role::Manager)?;
        tx.insert_session(&session("hash-1", ann, SessionKind::Login))?;
        tx.insert_session(&session("hash-2", ann, SessionKind::Login))
    });
    assert!(write(store, |tx| tx.delete_session("hash-1")));
    assert!(!write(store, |tx| tx.delete_session("hash-1")), "already ended");
    assert!(!write(store, |tx| tx.delete_session("hash-9")), "never there");
    let got = read(store, |tx| Ok((tx.session("hash-1")?.is_some(), tx.session("hash-2")?.is_some())));
    assert_eq!(got, (false, true));
}

pub(crate) fn deleting_the_sessions_of_an_account_ends_all_of_them_and_counts_them<S: Store>(store: &mut S) {
    let (ann, bob, cat) = write(store, |tx| {
        let ann = account(tx, "ann", Role::Manager)?;
        let bob = account(tx, "bob", Role::Service)?;
        let cat = account(tx, "cat", Role::Manager)?;
        tx.insert_session(&session("ann-1", ann, SessionKind::Login))?;
        tx.insert_session(&session("ann-2", ann, SessionKind::Login))?;
        tx.insert_session(&session("bob-1", bob, SessionKind::ServiceToken))?;
        Ok((ann, bob, cat))
    });
    assert_eq!(write(store, |tx| tx.delete_sessions_of(ann)), 2);
    assert_eq!(write(store, |tx| tx.delete_sessions_of(ann)), 0, "none left");
    assert_eq!(write(store, |tx| tx.delete_sessions_of(cat)), 0, "never had one");
    let left =
        read(store, |tx| Ok((tx.session("ann-1")?, tx.session("ann-2")?, tx.session("bob-1")?.map(|s| s.account))));
    assert_eq!(left, (None, None, Some(bob)));
}

fn profile(account: AccountId) -> ClientProfile {
    ClientProfile {
        account,
        zone: zone("north"),
        phone: Some(Phone::parse("+44 20 7946 0958").unwrap()),
        payment_method: PaymentMethod::BankTransfer,
    }
}

pub(crate) fn a_client_profile_is_none_for_an_account_that_is_not_a_client<S: Store>(store: &mut S) {
    let (client, manager) = write(store, |tx| {
        let client = account(tx, "ann", Role::Client)?;
        tx.upsert_client_profile(&profile(client))?;
        Ok((client, account(tx, "max", Role::Manager)?))
    });
    let got =
        read(store, |tx| Ok((tx.client_profile(manager)?, tx.client_profile(AccountId::new(client.get() + 1000))?)));
    assert_eq!(got, (None, None));
}

pub(crate) fn upserting_a_client_profile_adds_it_then_replaces_it<S: Store>(store: &mut S) {
    let (ann, bob) = write(store, |tx| Ok((account(tx, "ann", Role::Client)?, account(tx, "bob", Role::Client)?)));
    write(store, |tx| {
        tx.upsert_client_profile(&profile(ann))?;
        tx.upsert_client_profile(&profile(bob))
    });
    assert_eq!(read(store, |tx| tx.client_profile(ann)), Some(profile(ann)));
    let replaced =
        ClientProfile { zone: zone("south"), phone: None, payment_method: PaymentMethod::Card, ..profile(ann) };
    write(store, |tx| tx.upsert_client_profile(&replaced));
    let got = read(store, |tx| Ok((tx.client_profile(ann)?, tx.client_profile(bob)?)));
    assert_eq!(got, (Some(replaced), Some(profile(bob))));
}

pub(crate) fn an_account_without_an_activation_secret_has_none<S: Store>(store: &mut S) {
    let (ann, bob) = write(store, |tx| {
        let ann = account(tx, "ann", Role::Worker)?;
        let bob = account(tx, "bob", Role::Worker)?;
        tx.set_activation(bob, "bob-secret", at(1))?;
        Ok((ann, bob))
    });
    let got = read(store, |tx| Ok((tx.activation(ann)?, tx.activation(AccountId::new(bob.get() + 1000))?)));
    assert_eq!(got, (None, None));
}

pub(crate) fn setting_an_activation_secret_makes_it_the_current_one<S: Store>(store: &mut S) {
    let ann = write(store, |tx| {
        let ann = account(tx, "ann", Role::Worker)?;
        tx.set_activation(ann, "ann-secret", at(5))?;
        Ok(ann)
    });
    let expected = Activation { secret_hash: "ann-secret".to_string(), issued_at: at(5) };
    assert_eq!(read(store, |tx| tx.activation(ann)), Some(expected));
}

pub(crate) fn setting_another_activation_secret_replaces_the_earlier_one<S: Store>(store: &mut S) {
    let (ann, bob) = write(store, |tx| {
        let ann = account(tx, "ann", Role::Worker)?;
        let bob = account(tx, "bob", Role::Worker)?;
        tx.set_activation(ann, "first", at(5))?;
        tx.set_activation(bob, "bobs", at(5))?;
        Ok((ann, bob))
    });
    write(store, |tx| tx.set_activation(ann, "second", at(9)));
    let got = read(store, |tx| Ok((tx.activation(ann)?, tx.activation(bob)?)));
    assert_eq!(
        got,
        (
            Some(Activation { secret_hash: "second".to_string(), issued_at: at(9) }),
            Some(Activation { secret_hash: "bobs".to_string(), issued_at: at(5) })
        )
    );
}

pub(crate) fn a_used_activation_secret_is_none_and_a_new_one_is_usable<S: Store>(store: &mut S) {
    let (ann, bob) = write(store, |tx| {
        let ann = account(tx, "ann", Role::Worker)?;
        let bob = account(tx, "bob", Role::Worker)?;
        tx.set_activation(ann, "first", at(5))?;
        tx.set_activation(bob, "bobs", at(5))?;
        Ok((ann, bob))
    });
    write(store, |tx| tx.use_activation(ann, at(6)));
    let got = read(store, |tx| Ok((tx.activation(ann)?, tx.activation(bob)?.is_some())));
    assert_eq!(got, (None, true), "only ann's secret was used");
    write(store, |tx| tx.set_activation(ann, "again", at(7)));
    assert_eq!(
        read(store, |tx| tx.activation(ann)),
        Some(Activation { secret_hash: "again".to_string(), issued_at: at(7) })
    );
}

pub(crate) fn using_an_activation_secret_an_account_lacks_leaves_it_as_it_is<S: Store>(store: &mut S) {
    let ann = write(store, |tx| account(tx, "ann", Role::Worker));
    write(store, |tx| tx.use_activation(ann, at(6)));
    assert_eq!(read(store, |tx| tx.activation(ann)), None);
    // A secret set later is not born used.
    write(store, |tx| tx.set_activation(ann, "later", at(8)));
    assert_eq!(
        read(store, |tx| tx.activation(ann)),
        Some(Activation { secret_hash: "later".to_string(), issued_at: at(8) })
    );
}
