//! IAM's rules: the first admin, logins and sessions, the last admin, roles, credentials,
//! activation, imports of clients and staff.

use crew_core::authz::{Actor, Role};
use crew_core::error::ErrorKind;
use crew_core::iam::{
    self, AccountRequest, ActivationIssue, Credential, IamEvent, LoginOutcome, LoginRefusal, Password, SessionKind,
    SessionLifetime, Whose,
};
use crew_core::imports::{ImportSummary, RawRecord};
use crew_core::types::{Email, Login, Name};
use crew_core::wiring::{Event, Store, Tx};
use crew_store::SqliteStore;

use super::{at, ctx, events, kind, store};

const PASSWORD: &str = "correct horse";

fn hash(password: &str) -> String {
    Password::parse(password).unwrap().hash(&[7; 16]).unwrap()
}

fn login(s: &str) -> Login {
    Login::parse(s).unwrap()
}

/// A store with its first admin, `root`, who has [`PASSWORD`].
fn company() -> (SqliteStore, Actor) {
    let mut store = store();
    let admin = store
        .write(|tx: &mut dyn Tx| {
            iam::init(tx, at(0), login("root"), Name::parse("Root").unwrap(), None, hash(PASSWORD))
        })
        .unwrap();
    (store, admin.actor())
}

fn request(l: &str, role: Role, credential: Credential) -> AccountRequest {
    AccountRequest {
        login: login(l),
        name: Name::parse(l).unwrap(),
        email: Some(Email::parse(&format!("{l}@crew.example")).unwrap()),
        role,
        credential,
    }
}

fn person(store: &mut SqliteStore, admin: &Actor, l: &str, role: Role) -> Actor {
    let req = request(l, role, Credential::PasswordHash(hash(PASSWORD)));
    store.write(|tx: &mut dyn Tx| iam::create_account(tx, &ctx(admin, at(1)), req)).unwrap().actor()
}

fn log_in(store: &mut SqliteStore, l: &str, password: &str, token: &str, minutes: i64) -> LoginOutcome {
    let password = Password::typed(password).unwrap();
    let lifetime = SessionLifetime::hours(1).unwrap();
    store
        .write(|tx: &mut dyn Tx| iam::login(tx, at(minutes), &login(l), &password, iam::token_hash(token), lifetime))
        .unwrap()
}

fn refusal(outcome: LoginOutcome) -> LoginRefusal {
    match outcome {
        LoginOutcome::Refused(r) => r.reason,
        LoginOutcome::LoggedIn(a) => panic!("`{}` logged in", a.login),
    }
}

fn sessions_of(store: &mut SqliteStore, l: &str) -> usize {
    store
        .read(|tx: &mut dyn Tx| {
            let account = tx.account_by_login(&login(l))?.unwrap();
            tx.sessions(Some(account.id))
        })
        .unwrap()
        .len()
}

#[test]
fn init_creates_the_first_admin_once() {
    let (mut store, admin) = company();
    assert_eq!(admin.role, Role::Admin);
    let again = store
        .write(|tx: &mut dyn Tx| iam::init(tx, at(5), login("other"), Name::parse("O").unwrap(), None, hash(PASSWORD)));
    assert_eq!(kind(again), ErrorKind::Conflict);
}

#[test]
fn a_password_is_8_to_1024_characters() {
    assert!(Password::parse("1234567").is_err());
    assert!(Password::parse("12345678").is_ok());
    assert!(Password::parse("12345678\n").is_ok(), "a typed newline is not part of it");
    assert!(Password::parse("1234567\n").is_err());
    assert!(Password::parse(&"p".repeat(1024)).is_ok());
    assert!(Password::parse(&"p".repeat(1025)).is_err());
    assert!(Password::parse(&"é".repeat(8)).is_ok(), "characters, not bytes");
    assert!(Password::parse(&"é".repeat(600)).is_ok(), "1,200 bytes but 600 characters");
    assert_eq!(format!("{:?}", Password::parse("12345678").unwrap()), "Password(…)");
}

#[test]
fn a_session_lasts_1_hour_to_a_year() {
    assert_eq!(SessionLifetime::MAX_HOURS, 8784, "366 days");
    assert!(SessionLifetime::hours(0).is_err());
    assert_eq!(SessionLifetime::hours(1).unwrap().end(at(0)), at(60));
    assert_eq!(SessionLifetime::hours(8784).unwrap().end(at(0)), at(8784 * 60));
    assert!(SessionLifetime::hours(8785).is_err());
}

#[test]
fn session_kinds_read_as_people_see_them() {
    // `crew whoami` and `crew account sessions` show the kind; a revocation names the noun.
    assert_eq!((SessionKind::Login.as_str(), SessionKind::ServiceToken.as_str()), ("login", "service token"));
    assert_eq!((SessionKind::Login.noun(), SessionKind::ServiceToken.noun()), ("session", "service token"));
    // A `login_failed` event names its reason.
    let reasons = [
        LoginRefusal::UnknownLogin,
        LoginRefusal::NoPassword,
        LoginRefusal::WrongPassword,
        LoginRefusal::Deactivated,
        LoginRefusal::ServiceAccount,
    ];
    assert_eq!(
        reasons.map(LoginRefusal::as_str),
        ["unknown login", "no password set", "wrong password", "account deactivated", "service account"]
    );
}

#[test]
fn the_right_password_opens_a_session_and_wrong_ones_do_not() {
    let (mut store, admin) = company();
    person(&mut store, &admin, "mia", Role::Manager);
    match log_in(&mut store, "mia", PASSWORD, "t1", 10) {
        LoginOutcome::LoggedIn(a) => assert_eq!(a.login.as_str(), "mia"),
        other => panic!("{other:?}"),
    }
    assert_eq!(sessions_of(&mut store, "mia"), 1);
    assert_eq!(refusal(log_in(&mut store, "mia", "wrong horse", "t2", 11)), LoginRefusal::WrongPassword);
    assert_eq!(refusal(log_in(&mut store, "nobody", PASSWORD, "t3", 11)), LoginRefusal::UnknownLogin);
    assert_eq!(sessions_of(&mut store, "mia"), 1, "a refused login opens nothing");
    // The session the right password opened authenticates, as mia, until it expires (1 hour).
    let me = store.write(|tx: &mut dyn Tx| iam::authenticate(tx, &iam::token_hash("t1"), at(69))).unwrap();
    assert_eq!(me.login.as_str(), "mia");
    let late = store.write(|tx: &mut dyn Tx| iam::authenticate(tx, &iam::token_hash("t1"), at(70)));
    assert!(kind(late) == ErrorKind::NotAllowed);
    let unknown = store.write(|tx: &mut dyn Tx| iam::authenticate(tx, &iam::token_hash("t9"), at(11)));
    assert_eq!(kind(unknown), ErrorKind::NotAllowed);
}

#[test]
fn a_login_is_refused_for_the_right_reason() {
    let (mut store, admin) = company();
    let ann = person(&mut store, &admin, "ann", Role::Manager);
    let req = request("bot", Role::Service, Credential::ServiceToken(iam::token_hash("bot-token")));
    store.write(|tx: &mut dyn Tx| iam::create_account(tx, &ctx(&admin, at(1)), req)).unwrap();
    assert_eq!(refusal(log_in(&mut store, "bot", PASSWORD, "t", 2)), LoginRefusal::ServiceAccount);
    store.write(|tx: &mut dyn Tx| iam::deactivate(tx, &ctx(&admin, at(3)), &ann.login)).unwrap();
    assert_eq!(refusal(log_in(&mut store, "ann", PASSWORD, "t", 4)), LoginRefusal::Deactivated);
    assert_eq!(
        refusal(log_in(&mut store, "ann", "wrong horse", "t", 4)),
        LoginRefusal::WrongPassword,
        "a wrong password is told as wrong, whether or not the account is active"
    );
    // An imported client has no password yet.
    let rows = [client_row("line 2", "duchess@meow.example", "Duchess", "north")];
    store.write(|tx: &mut dyn Tx| iam::import_clients(tx, &ctx(&admin, at(5)), &rows, &mut ())).unwrap();
    assert_eq!(refusal(log_in(&mut store, "duchess@meow.example", PASSWORD, "t", 6)), LoginRefusal::NoPassword);
}

#[test]
fn a_failed_login_is_recorded_with_the_login_cut_to_64_characters() {
    let (mut store, _) = company();
    // Emails are logins too, and may be longer than the 64 characters an event keeps.
    let exactly = format!("{}@x.example", "a".repeat(54));
    let longer = format!("{}@x.example", "b".repeat(55));
    for l in [exactly.clone(), longer.clone()] {
        let outcome = log_in(&mut store, &l, PASSWORD, "t", 1);
        let LoginOutcome::Refused(refused) = outcome else { panic!("logged in") };
        store.write(|tx: &mut dyn Tx| iam::record_failed_login(tx, at(1), &login(&l), &refused)).unwrap();
    }
    let failed: Vec<String> = events(&mut store)
        .into_iter()
        .filter_map(|e| match e {
            Event::Iam(IamEvent::LoginFailed { login, reason, .. }) => {
                assert_eq!(reason, LoginRefusal::UnknownLogin);
                Some(login)
            }
            _ => None,
        })
        .collect();
    assert_eq!(failed, vec![exactly, format!("{}…", &longer[..64])]);
}

#[test]
fn a_login_clears_away_the_accounts_expired_sessions_only() {
    let (mut store, admin) = company();
    person(&mut store, &admin, "mia", Role::Manager);
    log_in(&mut store, "mia", PASSWORD, "t1", 0); // ends at 60
    log_in(&mut store, "mia", PASSWORD, "t2", 30); // ends at 90
    assert_eq!(sessions_of(&mut store, "mia"), 2);
    log_in(&mut store, "mia", PASSWORD, "t3", 59);
    assert_eq!(sessions_of(&mut store, "mia"), 3, "t1 has a minute left");
    log_in(&mut store, "mia", PASSWORD, "t4", 60);
    assert_eq!(sessions_of(&mut store, "mia"), 3, "t1 expired at 60 and was cleared; t2, t3, t4 live");
}

#[test]
fn logout_ends_a_login_session_but_not_a_service_token() {
    let (mut store, admin) = company();
    person(&mut store, &admin, "mia", Role::Manager);
    log_in(&mut store, "mia", PASSWORD, "t1", 0);
    let out = store.write(|tx: &mut dyn Tx| iam::logout(tx, at(1), &iam::token_hash("t1"))).unwrap();
    assert_eq!(out, Some(login("mia")));
    assert_eq!(sessions_of(&mut store, "mia"), 0);
    assert!(matches!(events(&mut store).last(), Some(Event::Iam(IamEvent::SessionEnded { .. }))));
    let again = store.write(|tx: &mut dyn Tx| iam::logout(tx, at(2), &iam::token_hash("t1"))).unwrap();
    assert_eq!(again, None, "ending an unknown session is not an error");
    let req = request("bot", Role::Service, Credential::ServiceToken(iam::token_hash("bot-token")));
    store.write(|tx: &mut dyn Tx| iam::create_account(tx, &ctx(&admin, at(3)), req)).unwrap();
    let token = store.write(|tx: &mut dyn Tx| iam::logout(tx, at(4), &iam::token_hash("bot-token")));
    assert_eq!(kind(token), ErrorKind::BadInput);
    assert_eq!(sessions_of(&mut store, "bot"), 1);
}

#[test]
fn accounts_are_created_by_admins_with_the_credential_their_role_uses() {
    let (mut store, admin) = company();
    let mia = person(&mut store, &admin, "mia", Role::Manager);
    let by_manager = request("leo", Role::Manager, Credential::PasswordHash(hash(PASSWORD)));
    assert_eq!(
        kind(store.write(|tx: &mut dyn Tx| iam::create_account(tx, &ctx(&mia, at(2)), by_manager))),
        ErrorKind::NotAllowed
    );
    for role in [Role::Worker, Role::Client] {
        let req = request("joiner", role, Credential::PasswordHash(hash(PASSWORD)));
        assert_eq!(
            kind(store.write(|tx: &mut dyn Tx| iam::create_account(tx, &ctx(&admin, at(2)), req))),
            ErrorKind::BadInput
        );
    }
    let taken = request("mia", Role::Manager, Credential::PasswordHash(hash(PASSWORD)));
    assert_eq!(
        kind(store.write(|tx: &mut dyn Tx| iam::create_account(tx, &ctx(&admin, at(2)), taken))),
        ErrorKind::Conflict
    );
    let mut same_email = request("mia2", Role::Manager, Credential::PasswordHash(hash(PASSWORD)));
    same_email.email = Some(Email::parse("mia@crew.example").unwrap());
    assert_eq!(
        kind(store.write(|tx: &mut dyn Tx| iam::create_account(tx, &ctx(&admin, at(2)), same_email))),
        ErrorKind::Conflict
    );
    let bot_with_password = request("bot", Role::Service, Credential::PasswordHash(hash(PASSWORD)));
    assert_eq!(
        kind(store.write(|tx: &mut dyn Tx| iam::create_account(tx, &ctx(&admin, at(2)), bot_with_password))),
        ErrorKind::BadInput
    );
    let person_with_token = request("leo", Role::Manager, Credential::ServiceToken(iam::token_hash("x")));
    assert_eq!(
        kind(store.write(|tx: &mut dyn Tx| iam::create_account(tx, &ctx(&admin, at(2)), person_with_token))),
        ErrorKind::BadInput
    );
    let bot = request("bot", Role::Service, Credential::ServiceToken(iam::token_hash("bot-token")));
    store.write(|tx: &mut dyn Tx| iam::create_account(tx, &ctx(&admin, at(3)), bot)).unwrap();
    let actor =
        store.write(|tx: &mut dyn Tx| iam::authenticate(tx, &iam::token_hash("bot-token"), at(10_000))).unwrap();
    assert_eq!((actor.login.as_str(), actor.role), ("bot", Role::Service), "a service token does not expire");
    let all = store.write(|tx: &mut dyn Tx| iam::list_accounts(tx, &ctx(&admin, at(4)), None)).unwrap();
    assert_eq!(all.iter().map(|a| a.login.as_str()).collect::<Vec<_>>(), ["root", "mia", "bot"]);
    let managers =
        store.write(|tx: &mut dyn Tx| iam::list_accounts(tx, &ctx(&admin, at(4)), Some(Role::Manager))).unwrap();
    assert_eq!(managers.len(), 1);
    assert_eq!(
        kind(store.write(|tx: &mut dyn Tx| iam::list_accounts(tx, &ctx(&mia, at(4)), None))),
        ErrorKind::NotAllowed
    );
}

#[test]
fn the_last_active_admin_stays() {
    let (mut store, root) = company();
    assert_eq!(
        kind(store.write(|tx: &mut dyn Tx| iam::deactivate(tx, &ctx(&root, at(2)), &root.login))),
        ErrorKind::Conflict
    );
    assert_eq!(
        kind(store.write(|tx: &mut dyn Tx| iam::set_role(tx, &ctx(&root, at(2)), &root.login, Role::Manager))),
        ErrorKind::Conflict
    );
    let ada = person(&mut store, &root, "ada", Role::Admin);
    store.write(|tx: &mut dyn Tx| iam::set_role(tx, &ctx(&ada, at(3)), &root.login, Role::Manager)).unwrap();
    assert_eq!(
        kind(store.write(|tx: &mut dyn Tx| iam::deactivate(tx, &ctx(&ada, at(4)), &ada.login))),
        ErrorKind::Conflict
    );
    // A manager is no admin: demoting or deactivating one needs no other admin.
    let mia = person(&mut store, &ada, "mia", Role::Manager);
    store.write(|tx: &mut dyn Tx| iam::deactivate(tx, &ctx(&ada, at(5)), &mia.login)).unwrap();
    let again = store.write(|tx: &mut dyn Tx| iam::deactivate(tx, &ctx(&ada, at(6)), &mia.login));
    assert_eq!(kind(again), ErrorKind::Conflict, "already deactivated");
}

#[test]
fn deactivating_ends_the_accounts_sessions() {
    let (mut store, root) = company();
    person(&mut store, &root, "mia", Role::Manager);
    log_in(&mut store, "mia", PASSWORD, "t1", 2);
    store.write(|tx: &mut dyn Tx| iam::deactivate(tx, &ctx(&root, at(3)), &login("mia"))).unwrap();
    assert_eq!(sessions_of(&mut store, "mia"), 0);
    assert!(matches!(events(&mut store).last(), Some(Event::Iam(IamEvent::AccountDeactivated { .. }))));
}

#[test]
fn roles_change_only_between_staff_roles_of_the_same_kind() {
    let (mut store, root) = company();
    let mia = person(&mut store, &root, "mia", Role::Manager);
    let same = store.write(|tx: &mut dyn Tx| iam::set_role(tx, &ctx(&root, at(2)), &mia.login, Role::Manager));
    assert_eq!(kind(same), ErrorKind::Conflict);
    for role in [Role::Worker, Role::Client, Role::Service] {
        let r = store.write(|tx: &mut dyn Tx| iam::set_role(tx, &ctx(&root, at(2)), &mia.login, role));
        assert_eq!(kind(r), ErrorKind::BadInput, "manager → {role}");
    }
    let rows = [client_row("line 2", "duchess@meow.example", "Duchess", "north")];
    store.write(|tx: &mut dyn Tx| iam::import_clients(tx, &ctx(&root, at(2)), &rows, &mut ())).unwrap();
    let client = store
        .write(|tx: &mut dyn Tx| iam::set_role(tx, &ctx(&root, at(3)), &login("duchess@meow.example"), Role::Manager));
    assert_eq!(kind(client), ErrorKind::BadInput, "a client stays a client");
    let changed =
        store.write(|tx: &mut dyn Tx| iam::set_role(tx, &ctx(&root, at(4)), &mia.login, Role::Accountant)).unwrap();
    assert_eq!(changed.role, Role::Accountant);
    match events(&mut store).last() {
        Some(Event::Iam(IamEvent::RoleChanged { from, to, .. })) => {
            assert_eq!((*from, *to), (Role::Manager, Role::Accountant))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_new_credential_ends_every_session_and_replaces_the_old_one() {
    let (mut store, root) = company();
    person(&mut store, &root, "mia", Role::Manager);
    log_in(&mut store, "mia", PASSWORD, "t1", 2);
    let new = Credential::PasswordHash(hash("battery staple"));
    store.write(|tx: &mut dyn Tx| iam::reset_credential(tx, &ctx(&root, at(3)), &login("mia"), new)).unwrap();
    assert_eq!(sessions_of(&mut store, "mia"), 0);
    assert_eq!(refusal(log_in(&mut store, "mia", PASSWORD, "t2", 4)), LoginRefusal::WrongPassword);
    assert!(matches!(log_in(&mut store, "mia", "battery staple", "t3", 4), LoginOutcome::LoggedIn(_)));
    let token = Credential::ServiceToken(iam::token_hash("x"));
    let r = store.write(|tx: &mut dyn Tx| iam::reset_credential(tx, &ctx(&root, at(5)), &login("mia"), token));
    assert_eq!(kind(r), ErrorKind::BadInput);
    // A service account gets a new token; the old one stops working.
    let bot = request("bot", Role::Service, Credential::ServiceToken(iam::token_hash("old")));
    store.write(|tx: &mut dyn Tx| iam::create_account(tx, &ctx(&root, at(5)), bot)).unwrap();
    let pw = Credential::PasswordHash(hash(PASSWORD));
    let r = store.write(|tx: &mut dyn Tx| iam::reset_credential(tx, &ctx(&root, at(6)), &login("bot"), pw));
    assert_eq!(kind(r), ErrorKind::BadInput);
    let token = Credential::ServiceToken(iam::token_hash("new"));
    store.write(|tx: &mut dyn Tx| iam::reset_credential(tx, &ctx(&root, at(6)), &login("bot"), token)).unwrap();
    assert!(store.write(|tx: &mut dyn Tx| iam::authenticate(tx, &iam::token_hash("old"), at(7))).is_err());
    assert!(store.write(|tx: &mut dyn Tx| iam::authenticate(tx, &iam::token_hash("new"), at(7))).is_ok());
    // A deactivated account gets no new credential.
    store.write(|tx: &mut dyn Tx| iam::deactivate(tx, &ctx(&root, at(8)), &login("mia"))).unwrap();
    let pw = Credential::PasswordHash(hash(PASSWORD));
    let r = store.write(|tx: &mut dyn Tx| iam::reset_credential(tx, &ctx(&root, at(9)), &login("mia"), pw));
    assert_eq!(kind(r), ErrorKind::Conflict);
}

#[test]
fn a_deactivated_accounts_session_no_longer_authenticates() {
    let (mut store, root) = company();
    let req = request("bot", Role::Service, Credential::ServiceToken(iam::token_hash("bot-token")));
    let bot = store.write(|tx: &mut dyn Tx| iam::create_account(tx, &ctx(&root, at(1)), req)).unwrap();
    // Deactivation deletes sessions; an account turned inactive some other way is refused too.
    store
        .write(|tx: &mut dyn Tx| {
            let mut account = tx.account(bot.id)?.unwrap();
            account.active = false;
            tx.update_account(&account)
        })
        .unwrap();
    let r = store.write(|tx: &mut dyn Tx| iam::authenticate(tx, &iam::token_hash("bot-token"), at(2)));
    assert_eq!(kind(r), ErrorKind::NotAllowed);
}

fn client_row(location: &str, email: &str, name: &str, zone: &str) -> RawRecord {
    let fields = [("email", email), ("name", name), ("zone", zone)];
    RawRecord {
        location: location.into(),
        fields: fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    }
}

#[test]
fn a_client_import_counts_created_updated_and_unchanged_rows() {
    let (mut store, root) = company();
    let first = [client_row("line 2", "a@x.example", "A", "north"), client_row("line 3", "b@x.example", "B", "north")];
    let s = store.write(|tx: &mut dyn Tx| iam::import_clients(tx, &ctx(&root, at(1)), &first, &mut ())).unwrap();
    assert_eq!(s, ImportSummary { created: 2, ..ImportSummary::default() });
    let second = [client_row("line 2", "a@x.example", "A", "north"), client_row("line 3", "b@x.example", "B", "south")];
    let s = store.write(|tx: &mut dyn Tx| iam::import_clients(tx, &ctx(&root, at(2)), &second, &mut ())).unwrap();
    assert_eq!(s, ImportSummary { updated: 1, unchanged: 1, ..ImportSummary::default() });
    let b = store.write(|tx: &mut dyn Tx| iam::show_account(tx, &ctx(&root, at(2)), &login("b@x.example"))).unwrap();
    assert_eq!(b.client.unwrap().zone.as_str(), "south", "the changed row is the one updated");
    let s = store.write(|tx: &mut dyn Tx| iam::import_clients(tx, &ctx(&root, at(2)), &second, &mut ())).unwrap();
    assert_eq!(s, ImportSummary { unchanged: 2, ..ImportSummary::default() }, "the same file again changes nothing");
    let renamed = [client_row("line 2", "a@x.example", "Anna", "north")];
    let s = store.write(|tx: &mut dyn Tx| iam::import_clients(tx, &ctx(&root, at(3)), &renamed, &mut ())).unwrap();
    assert_eq!(s.updated, 1, "a new name is a change");
    let view = store.write(|tx: &mut dyn Tx| iam::show_account(tx, &ctx(&root, at(3)), &login("a@x.example"))).unwrap();
    assert_eq!(view.account.name.as_str(), "Anna");
    assert_eq!(view.client.unwrap().zone.as_str(), "north");
    // A staff email is not a client's; the whole import is refused.
    person(&mut store, &root, "mia", Role::Manager);
    let clash =
        [client_row("line 2", "c@x.example", "C", "north"), client_row("line 3", "mia@crew.example", "M", "north")];
    let r = store.write(|tx: &mut dyn Tx| iam::import_clients(tx, &ctx(&root, at(4)), &clash, &mut ()));
    let e = r.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert!(e.to_string().contains("line 3"), "{e}");
    assert!(
        store.read(|tx: &mut dyn Tx| tx.account_by_login(&login("c@x.example"))).unwrap().is_none(),
        "nothing kept"
    );
}

#[test]
fn find_worker_refuses_a_login_that_is_not_a_workers() {
    let (mut store, root) = company();
    let r = store.read(|tx: &mut dyn Tx| iam::find_worker(tx, &root.login));
    assert_eq!(kind(r), ErrorKind::BadInput);
    let r = store.read(|tx: &mut dyn Tx| iam::find_worker(tx, &login("ghost")));
    assert_eq!(kind(r), ErrorKind::NotFound);
    let names = store
        .read(|tx: &mut dyn Tx| {
            Ok((iam::login_of(tx, root.id)?, iam::login_of(tx, crew_core::ids::AccountId::new(99))?))
        })
        .unwrap();
    assert_eq!(names, ("root".to_string(), "#99".to_string()));
}

#[test]
fn sessions_are_listed_and_revoked_by_their_owner_or_an_admin() {
    let (mut store, root) = company();
    let mia = person(&mut store, &root, "mia", Role::Manager);
    let leo = person(&mut store, &root, "leo", Role::Manager);
    log_in(&mut store, "mia", PASSWORD, "m1", 0);
    log_in(&mut store, "mia", PASSWORD, "m2", 30);
    log_in(&mut store, "leo", PASSWORD, "l1", 0);
    let mine = |store: &mut SqliteStore, minutes| {
        store
            .write(|tx: &mut dyn Tx| {
                iam::list_sessions(tx, &ctx(&mia, at(minutes)), &iam::token_hash("m2"), Whose::Own)
            })
            .unwrap()
    };
    let listed = mine(&mut store, 40);
    assert_eq!(listed.len(), 2);
    assert_eq!(listed.iter().map(|s| s.current).collect::<Vec<_>>(), [false, true]);
    assert_eq!(mine(&mut store, 60).len(), 1, "m1 expired at 60 and is not listed");
    let own_by_name = store
        .write(|tx: &mut dyn Tx| iam::list_sessions(tx, &ctx(&mia, at(40)), "", Whose::Account(&mia.login)))
        .unwrap();
    assert_eq!(own_by_name.len(), 2);
    let others =
        store.write(|tx: &mut dyn Tx| iam::list_sessions(tx, &ctx(&mia, at(40)), "", Whose::Account(&leo.login)));
    assert_eq!(kind(others), ErrorKind::NotAllowed);
    let everyone = store.write(|tx: &mut dyn Tx| iam::list_sessions(tx, &ctx(&mia, at(40)), "", Whose::Everyone));
    assert_eq!(kind(everyone), ErrorKind::NotAllowed);
    let all = store.write(|tx: &mut dyn Tx| iam::list_sessions(tx, &ctx(&root, at(40)), "", Whose::Everyone)).unwrap();
    assert_eq!(all.len(), 3);
    let leos = store
        .write(|tx: &mut dyn Tx| iam::list_sessions(tx, &ctx(&root, at(40)), "", Whose::Account(&leo.login)))
        .unwrap();
    assert_eq!(leos.iter().map(|s| s.login.as_str()).collect::<Vec<_>>(), ["leo"]);

    let leo_session = leos[0].id;
    let r = store.write(|tx: &mut dyn Tx| iam::revoke_session(tx, &ctx(&mia, at(41)), "", leo_session));
    assert_eq!(kind(r), ErrorKind::NotAllowed);
    assert_eq!(sessions_of(&mut store, "leo"), 1);
    let own = listed[0].id;
    store.write(|tx: &mut dyn Tx| iam::revoke_session(tx, &ctx(&mia, at(41)), "", own)).unwrap();
    assert_eq!(sessions_of(&mut store, "mia"), 1);
    store.write(|tx: &mut dyn Tx| iam::revoke_session(tx, &ctx(&root, at(42)), "", leo_session)).unwrap();
    assert_eq!(sessions_of(&mut store, "leo"), 0);
    let gone = store.write(|tx: &mut dyn Tx| iam::revoke_session(tx, &ctx(&root, at(43)), "", leo_session));
    assert_eq!(kind(gone), ErrorKind::NotFound);
    let who = store.write(|tx: &mut dyn Tx| iam::whoami(tx, &ctx(&mia, at(44)), &iam::token_hash("m2"))).unwrap();
    assert!(who.session.current);
    assert_eq!(who.account.login.as_str(), "mia");
}

/// A worker account without a password, as hiring makes one, with an activation secret issued.
fn worker_to_activate(store: &mut SqliteStore, root: &Actor, secret: &str, minutes: i64) -> crew_core::ids::AccountId {
    let id = store
        .write(|tx: &mut dyn Tx| {
            tx.insert_account(&crew_core::iam::NewAccount {
                login: login("wes"),
                name: Name::parse("Wes").unwrap(),
                email: None,
                role: Role::Worker,
                password_hash: None,
                created_at: at(0),
            })
        })
        .unwrap();
    let mut mailer = root.clone();
    mailer.role = Role::Service;
    let issued =
        store.write(|tx: &mut dyn Tx| iam::issue_activation(tx, &ctx(&mailer, at(minutes)), id, secret)).unwrap();
    assert_eq!(issued, ActivationIssue::Issued);
    id
}

#[test]
fn an_activation_secret_works_once_within_seven_days() {
    let (mut store, root) = company();
    let id = worker_to_activate(&mut store, &root, "s3cret", 0);
    let seven_days = 7 * 24 * 60;
    let activate = |store: &mut SqliteStore, secret: &str, minutes: i64| {
        store.write(|tx: &mut dyn Tx| iam::activate(tx, at(minutes), &login("wes"), secret, hash(PASSWORD)))
    };
    assert_eq!(kind(activate(&mut store, "wrong", 1)), ErrorKind::NotAllowed);
    assert_eq!(kind(activate(&mut store, "s3cret", seven_days + 1)), ErrorKind::NotAllowed, "expired");
    activate(&mut store, "s3cret", seven_days).unwrap();
    assert_eq!(kind(activate(&mut store, "s3cret", seven_days)), ErrorKind::NotAllowed, "used");
    assert!(matches!(log_in(&mut store, "wes", PASSWORD, "w1", seven_days), LoginOutcome::LoggedIn(_)));
    // Once it has a password, an account gets no new secret.
    let mut mailer = root.clone();
    mailer.role = Role::Service;
    let again =
        store.write(|tx: &mut dyn Tx| iam::issue_activation(tx, &ctx(&mailer, at(seven_days)), id, "new")).unwrap();
    assert_eq!(again, ActivationIssue::AlreadyActive);
    let mut worker = root.clone();
    worker.role = Role::Worker;
    let by_worker = store.write(|tx: &mut dyn Tx| iam::issue_activation(tx, &ctx(&worker, at(1)), id, "x"));
    assert_eq!(kind(by_worker), ErrorKind::NotAllowed, "only those who deliver mail issue secrets");
}

#[test]
fn a_deactivated_worker_cannot_activate() {
    let (mut store, root) = company();
    worker_to_activate(&mut store, &root, "s3cret", 0);
    store.write(|tx: &mut dyn Tx| iam::deactivate(tx, &ctx(&root, at(1)), &login("wes"))).unwrap();
    let r = store.write(|tx: &mut dyn Tx| iam::activate(tx, at(2), &login("wes"), "s3cret", hash(PASSWORD)));
    assert_eq!(kind(r), ErrorKind::NotAllowed);
    assert_eq!(refusal(log_in(&mut store, "wes", PASSWORD, "w", 3)), LoginRefusal::NoPassword);
}

fn staff_row(location: &str, l: &str, name: &str, role: &str, email: Option<&str>) -> RawRecord {
    let mut fields: Vec<(String, String)> =
        vec![("login".into(), l.into()), ("name".into(), name.into()), ("role".into(), role.into())];
    if let Some(e) = email {
        fields.push(("email".into(), e.into()));
    }
    RawRecord { location: location.into(), fields: fields.into_iter().collect() }
}

#[test]
fn a_staff_import_creates_new_logins_and_leaves_existing_ones() {
    let (mut store, root) = company();
    let rows = [
        staff_row("line 1", "mia", "Mia", "manager", Some("mia@crew.example")),
        staff_row("line 2", "leo", "Leo", "warehouse", None),
    ];
    let s = store.write(|tx: &mut dyn Tx| iam::import_staff(tx, &ctx(&root, at(1)), &rows)).unwrap();
    assert_eq!(s, ImportSummary { created: 2, ..ImportSummary::default() });
    let rows = [
        staff_row("line 1", "mia", "Mia", "manager", Some("mia@crew.example")),
        staff_row("line 2", "leo", "Leo", "manager", None),
    ];
    let s = store.write(|tx: &mut dyn Tx| iam::import_staff(tx, &ctx(&root, at(2)), &rows)).unwrap();
    assert_eq!(s, ImportSummary { unchanged: 1, skipped: 1, ..ImportSummary::default() });
    let rows = [staff_row("line 1", "mia", "Mia", "manager", Some("mia@crew.example"))];
    let s = store.write(|tx: &mut dyn Tx| iam::import_staff(tx, &ctx(&root, at(2)), &rows)).unwrap();
    assert_eq!(s, ImportSummary { unchanged: 1, ..ImportSummary::default() }, "the same row is unchanged");
    let rows = [staff_row("line 1", "mia", "Mia", "manager", Some("other@crew.example"))];
    let s = store.write(|tx: &mut dyn Tx| iam::import_staff(tx, &ctx(&root, at(2)), &rows)).unwrap();
    assert_eq!(s.skipped, 1, "another email is a difference");
    let rows = [staff_row("line 1", "mia", "Mia M", "manager", Some("mia@crew.example"))];
    let s = store.write(|tx: &mut dyn Tx| iam::import_staff(tx, &ctx(&root, at(2)), &rows)).unwrap();
    assert_eq!(s.skipped, 1, "another name is a difference");
    let rows = [staff_row("line 4", "ada", "Ada", "admin", Some("mia@crew.example"))];
    let e = store.write(|tx: &mut dyn Tx| iam::import_staff(tx, &ctx(&root, at(3)), &rows)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert!(e.to_string().contains("line 4"), "{e}");
    // A service account authenticates with a token: a password hash for one is refused; a
    // person's is taken.
    let hash = hash(PASSWORD);
    let mut bot = staff_row("line 6", "bot", "Bot", "service", None);
    bot.fields.insert("password_hash".into(), hash.clone());
    let e = store.write(|tx: &mut dyn Tx| iam::import_staff(tx, &ctx(&root, at(3)), &[bot])).unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadInput);
    let mut otto = staff_row("line 7", "otto", "Otto", "accountant", None);
    otto.fields.insert("password_hash".into(), hash);
    store.write(|tx: &mut dyn Tx| iam::import_staff(tx, &ctx(&root, at(3)), &[otto])).unwrap();
    assert!(matches!(log_in(&mut store, "otto", PASSWORD, "o1", 4), LoginOutcome::LoggedIn(_)));
    let rows = [staff_row("line 5", "wes", "Wes", "worker", None)];
    let e = store.write(|tx: &mut dyn Tx| iam::import_staff(tx, &ctx(&root, at(3)), &rows)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadInput);
}
