//! IAM: accounts and roles, passwords and sessions, service tokens, and clients from the parent
//! company.

use std::collections::BTreeMap;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod events;
pub mod notifications;
pub mod store;
pub mod subscribers;

pub use events::{ClientDetails, IamEvent};
pub use store::{IamRead, IamStore, IamTx};

use crate::authz::{self, Action, Actor, Role, require};
use crate::error::{Error, Result};
use crate::ids::{AccountId, SessionId};
use crate::imports::{Field, ImportSummary, Progress, RawRecord};
use crate::kernel::command::{Ctx, append, record};
use crate::types::{Email, Login, Name, PaymentMethod, Phone, Sha256Hex, Zone};

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Account {
    pub id: AccountId,
    pub login: Login,
    pub name: Name,
    pub email: Option<Email>,
    pub role: Role,
    pub active: bool,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Account {
    pub fn actor(&self) -> Actor {
        Actor { id: self.id, login: self.login.clone(), role: self.role }
    }
}

/// An account about to be created.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub login: Login,
    pub name: Name,
    pub email: Option<Email>,
    pub role: Role,
    pub password_hash: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A client's details beyond the account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientProfile {
    pub account: AccountId,
    pub zone: Zone,
    pub phone: Option<Phone>,
    pub payment_method: PaymentMethod,
}

/// How a session came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// `crew login`: a person at a terminal.
    Login,
    /// The long-lived token of a `service` account (`CREW_TOKEN`).
    ServiceToken,
}

/// An account's unused one-time activation secret: only its hash is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activation {
    pub secret_hash: String,
    pub issued_at: DateTime<Utc>,
}

/// A session or token about to be opened; only the SHA-256 of the secret is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSession {
    pub token_hash: String,
    pub account: AccountId,
    pub kind: SessionKind,
    pub created_at: DateTime<Utc>,
    /// When a login session ends by itself; `None` for a service token, which lasts until it is
    /// revoked or rotated (a cron job must not stop working overnight).
    pub expires_at: Option<DateTime<Utc>>,
}

/// A session or token as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// What people see and revoke it by (never the token or its hash).
    pub id: SessionId,
    pub token_hash: String,
    pub account: AccountId,
    pub kind: SessionKind,
    pub created_at: DateTime<Utc>,
    /// `None`: a service token, which does not expire.
    pub expires_at: Option<DateTime<Utc>>,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Login => "login",
            SessionKind::ServiceToken => "service token",
        }
    }

    /// What one is called in a sentence.
    pub fn noun(self) -> &'static str {
        match self {
            SessionKind::Login => "session",
            SessionKind::ServiceToken => "service token",
        }
    }
}

impl Session {
    /// Whether the session has ended by itself at `now`: at its expiry time it has.
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|end| now >= end)
    }
}

/// How long a login session lasts before `crew login` is needed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLifetime(chrono::Duration);

impl SessionLifetime {
    /// The longest lifetime accepted: a year.
    pub const MAX_HOURS: u32 = 24 * 366;

    /// A lifetime of `hours`, from 1 to [`Self::MAX_HOURS`].
    pub fn hours(hours: u32) -> Result<Self> {
        if !(1..=Self::MAX_HOURS).contains(&hours) {
            return Err(Error::bad_input(format!(
                "a session lifetime of {hours} hours is out of range: use 1 to {} hours",
                Self::MAX_HOURS
            )));
        }
        Ok(SessionLifetime(chrono::Duration::hours(i64::from(hours))))
    }

    /// When a session started at `start` ends: `start` plus the lifetime, or the latest time crew
    /// stores ([`crate::kernel::clock::latest_time`]) if that comes first — a session opened in
    /// the year 9999 lasts to its end rather than storing a time that cannot be read back.
    pub fn end(self, start: DateTime<Utc>) -> DateTime<Utc> {
        let latest = crate::kernel::clock::latest_time();
        start.checked_add_signed(self.0).map_or(latest, |end| end.min(latest))
    }
}

/// A password that meets the policy (8 to 1024 characters). Never printed.
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self> {
        let raw = raw.strip_suffix('\n').unwrap_or(raw);
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let len = raw.chars().count();
        if len < 8 {
            return Err(Error::bad_input("the password must be at least 8 characters"));
        }
        if len > 1024 {
            return Err(Error::bad_input("the password must be at most 1024 characters"));
        }
        Ok(Password(raw.to_string()))
    }

    /// A password typed to log in: checked against the hash, whatever the policy was when it was set.
    pub fn typed(raw: &str) -> Result<Self> {
        let raw = raw.strip_suffix('\n').unwrap_or(raw);
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.is_empty() {
            return Err(Error::bad_input("the password is empty"));
        }
        Ok(Password(raw.to_string()))
    }

    /// The argon2id hash (PHC string) of the password with the given random salt.
    pub fn hash(&self, salt: &[u8; 16]) -> Result<String> {
        let salt = SaltString::encode_b64(salt).map_err(|e| Error::internal(format!("salt: {e}")))?;
        Argon2::default()
            .hash_password(self.0.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::internal(format!("password hashing failed: {e}")))
    }

    fn matches(&self, phc: &str) -> bool {
        PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(self.0.as_bytes(), &h).is_ok())
    }
}

/// An argon2id hash, with the parameters every password gets (`Argon2::default()`), of a random
/// password nobody knows. A login that does not exist, or an account without a password, is
/// checked against it, so that a refusal takes as long as a wrong password and the time does not
/// tell which logins exist.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$kE9eADWoTgvgyY/7Kt/UWw$BpyPdznYY1GrdG2On7QSEYB8La9WJPNfHQaimms1cAw";

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

/// The stored form of a session token or service token.
pub fn token_hash(token: &str) -> String {
    Sha256Hex::of(token.trim().as_bytes()).to_string()
}

/// `crew init`: creates the first admin. Refused once any account exists.
pub fn init(
    tx: &mut (impl IamTx + ?Sized),
    now: DateTime<Utc>,
    login: Login,
    name: Name,
    email: Option<Email>,
    password_hash: String,
) -> Result<Account> {
    if tx.count_accounts()? > 0 {
        return Err(Error::conflict("this database is already initialised; log in with `crew login`"));
    }
    let new = NewAccount { login, name, email, role: Role::Admin, password_hash: Some(password_hash), created_at: now };
    let id = tx.insert_account(&new)?;
    append(tx, now, None, &account_created(id, &new))?;
    load(tx, id)
}

pub(crate) fn account_created(id: AccountId, new: &NewAccount) -> IamEvent {
    IamEvent::AccountCreated {
        account: id,
        login: new.login.clone(),
        name: new.name.clone(),
        role: new.role,
        email: new.email.clone(),
    }
}

fn load(tx: &mut (impl IamTx + ?Sized), id: AccountId) -> Result<Account> {
    tx.account(id)?.ok_or_else(|| Error::internal(format!("account #{id} vanished")))
}

/// Finds an active or inactive account by login; not found otherwise.
pub fn find(tx: &mut (impl IamRead + ?Sized), login: &Login) -> Result<Account> {
    tx.account_by_login(login)?.ok_or_else(|| Error::not_found(format!("no account with login `{login}`")))
}

/// Why `crew login` was refused; recorded (as `login_failed`) though the login itself changes
/// nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginRefusal {
    /// No account has this login.
    UnknownLogin,
    /// The account has no password yet (an imported client, a worker not yet activated).
    NoPassword,
    WrongPassword,
    /// The password was right, but the account is deactivated.
    Deactivated,
    /// A service account, which authenticates with its token.
    ServiceAccount,
}

impl LoginRefusal {
    pub fn as_str(self) -> &'static str {
        match self {
            LoginRefusal::UnknownLogin => "unknown login",
            LoginRefusal::NoPassword => "no password set",
            LoginRefusal::WrongPassword => "wrong password",
            LoginRefusal::Deactivated => "account deactivated",
            LoginRefusal::ServiceAccount => "service account",
        }
    }
}

/// A refused login: why, and whose account it named (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginRefused {
    pub reason: LoginRefusal,
    pub account: Option<AccountId>,
}

impl LoginRefused {
    /// What the person at the terminal is told: whether a login exists, or has a password, is
    /// not given away (only a service account is named, so its operator knows to use the token).
    pub fn error(&self, login: &Login) -> Error {
        match self.reason {
            LoginRefusal::UnknownLogin | LoginRefusal::NoPassword | LoginRefusal::WrongPassword => {
                Error::not_allowed("wrong login or password")
            }
            LoginRefusal::Deactivated => Error::not_allowed(format!("account `{login}` is deactivated")),
            LoginRefusal::ServiceAccount => {
                Error::not_allowed(format!("`{login}` is a service account: use its token in CREW_TOKEN"))
            }
        }
    }
}

/// What `crew login` came to.
#[derive(Debug, Clone, PartialEq)]
pub enum LoginOutcome {
    /// A session was opened for the account.
    LoggedIn(Account),
    /// Nothing was changed; record it with [`record_failed_login`] in a transaction of its own.
    Refused(LoginRefused),
}

/// `crew login`: checks the password and opens a session under the given token hash, ending by
/// itself after `lifetime`; the account's expired sessions are cleared away.
///
/// Every attempt verifies one argon2 hash — the account's, or [`DUMMY_HASH`] when there is no
/// account or no password — so a refusal takes the same time whatever its reason.
pub fn login(
    tx: &mut (impl IamTx + ?Sized),
    now: DateTime<Utc>,
    login: &Login,
    password: &Password,
    token_hash: String,
    lifetime: SessionLifetime,
) -> Result<LoginOutcome> {
    let account = tx.account_by_login(login)?;
    let hash = account.as_ref().and_then(|a| a.password_hash.as_deref());
    let matches = password.matches(hash.unwrap_or(DUMMY_HASH)) && hash.is_some();
    let refused =
        |reason, account: &Account| Ok(LoginOutcome::Refused(LoginRefused { reason, account: Some(account.id) }));
    let Some(account) = account else {
        return Ok(LoginOutcome::Refused(LoginRefused { reason: LoginRefusal::UnknownLogin, account: None }));
    };
    if account.password_hash.is_none() {
        let reason =
            if account.role == Role::Service { LoginRefusal::ServiceAccount } else { LoginRefusal::NoPassword };
        return refused(reason, &account);
    }
    if !matches {
        return refused(LoginRefusal::WrongPassword, &account);
    }
    if !account.active {
        return refused(LoginRefusal::Deactivated, &account);
    }
    for old in tx.sessions(Some(account.id))? {
        if old.expired(now) {
            tx.delete_session(&old.token_hash)?;
        }
    }
    tx.insert_session(&NewSession {
        token_hash,
        account: account.id,
        kind: SessionKind::Login,
        created_at: now,
        expires_at: Some(lifetime.end(now)),
    })?;
    append(tx, now, Some(account.id), &IamEvent::SessionStarted { account: account.id, login: account.login.clone() })?;
    Ok(LoginOutcome::LoggedIn(account))
}

/// The longest login kept in a `login_failed` event; a longer one is cut there (and marked `…`).
pub const FAILED_LOGIN_MAX_CHARS: usize = 64;

/// Records a refused login (`login_failed`): the login as typed (normalised as logins are, at
/// most [`FAILED_LOGIN_MAX_CHARS`] characters), the account it named and why — never the
/// password. Runs in its own transaction after the refused one, which changed nothing.
pub fn record_failed_login(
    tx: &mut (impl IamTx + ?Sized),
    now: DateTime<Utc>,
    login: &Login,
    refused: &LoginRefused,
) -> Result<()> {
    let login = capped(login);
    append(tx, now, None, &IamEvent::LoginFailed { login, account: refused.account, reason: refused.reason })?;
    Ok(())
}

/// A login as a `login_failed` event keeps it: at most [`FAILED_LOGIN_MAX_CHARS`] characters.
fn capped(login: &Login) -> String {
    let mut kept: String = login.as_str().chars().take(FAILED_LOGIN_MAX_CHARS).collect();
    if login.as_str().chars().count() > FAILED_LOGIN_MAX_CHARS {
        kept.push('…');
    }
    kept
}

/// Who holds this session or service token at `now`. Refused if it is unknown, expired, or the
/// account deactivated.
pub fn authenticate(tx: &mut (impl IamTx + ?Sized), token_hash: &str, now: DateTime<Utc>) -> Result<Actor> {
    let ended =
        || Error::not_allowed("not logged in (or the session has ended): run `crew login LOGIN`, or set CREW_TOKEN");
    let session = tx.session(token_hash)?.ok_or_else(ended)?;
    if session.expired(now) {
        return Err(Error::not_allowed("session expired; log in again: run `crew login LOGIN`"));
    }
    let account = tx.account(session.account)?.ok_or_else(ended)?;
    if !account.active {
        return Err(Error::not_allowed(format!("account `{}` is deactivated", account.login)));
    }
    Ok(account.actor())
}

/// `crew logout`: ends the session. Ending an unknown session is not an error.
pub fn logout(tx: &mut (impl IamTx + ?Sized), now: DateTime<Utc>, token_hash: &str) -> Result<Option<Login>> {
    let Some(session) = tx.session(token_hash)? else {
        return Ok(None);
    };
    if session.kind != SessionKind::Login {
        return Err(Error::bad_input(
            "that is a service token; an admin revokes it with `crew account reset-password`",
        ));
    }
    tx.delete_session(token_hash)?;
    let account = load(tx, session.account)?;
    append(tx, now, Some(account.id), &IamEvent::SessionEnded { account: account.id, login: account.login.clone() })?;
    Ok(Some(account.login))
}

/// The secret a new account starts with.
pub enum Credential {
    /// An argon2 hash of a person's password.
    PasswordHash(String),
    /// The hash of a service account's token.
    ServiceToken(String),
}

/// What `crew account create` asks for.
pub struct AccountRequest {
    pub login: Login,
    pub name: Name,
    pub email: Option<Email>,
    pub role: Role,
    pub credential: Credential,
}

fn refuse_joined_elsewhere(role: Role) -> Result<()> {
    match role {
        Role::Worker => {
            Err(Error::bad_input("workers join through hiring (or `crew import workers` for the existing workforce)"))
        }
        Role::Client => Err(Error::bad_input("clients arrive from the parent company: use `crew import clients`")),
        _ => Ok(()),
    }
}

/// `crew account create`.
pub fn create_account(tx: &mut (impl IamTx + ?Sized), ctx: &Ctx, req: AccountRequest) -> Result<Account> {
    require(&ctx.actor, Action::ManageAccounts)?;
    refuse_joined_elsewhere(req.role)?;
    if tx.account_by_login(&req.login)?.is_some() {
        return Err(Error::conflict(format!("login `{}` is taken", req.login)));
    }
    if let Some(email) = &req.email
        && tx.account_by_email(email)?.is_some()
    {
        return Err(Error::conflict(format!("an account with email {email} exists")));
    }
    let (password_hash, token_hash) = match (req.role, req.credential) {
        (Role::Service, Credential::ServiceToken(t)) => (None, Some(t)),
        (Role::Service, Credential::PasswordHash(_)) => {
            return Err(Error::bad_input("service accounts authenticate with a token, not a password"));
        }
        (_, Credential::PasswordHash(h)) => (Some(h), None),
        (_, Credential::ServiceToken(_)) => {
            return Err(Error::bad_input("only service accounts get tokens"));
        }
    };
    let new = NewAccount {
        login: req.login,
        name: req.name,
        email: req.email,
        role: req.role,
        password_hash,
        created_at: ctx.now,
    };
    let id = tx.insert_account(&new)?;
    record(tx, ctx, account_created(id, &new))?;
    if let Some(token_hash) = token_hash {
        tx.insert_session(&NewSession {
            token_hash,
            account: id,
            kind: SessionKind::ServiceToken,
            created_at: ctx.now,
            expires_at: None,
        })?;
        record(tx, ctx, IamEvent::ServiceTokenIssued { account: id, login: new.login.clone() })?;
    }
    load(tx, id)
}

/// `crew account list`.
pub fn list_accounts(tx: &mut (impl IamTx + ?Sized), ctx: &Ctx, role: Option<Role>) -> Result<Vec<Account>> {
    require(&ctx.actor, Action::ManageAccounts)?;
    tx.accounts(role)
}

/// An account with its client details, for `crew account show`.
#[derive(Debug, Clone, Serialize)]
pub struct AccountView {
    #[serde(flatten)]
    pub account: Account,
    pub client: Option<ClientProfile>,
}

/// `crew account show`.
pub fn show_account(tx: &mut (impl IamTx + ?Sized), ctx: &Ctx, login: &Login) -> Result<AccountView> {
    require(&ctx.actor, Action::ManageAccounts)?;
    let account = find(tx, login)?;
    let client = tx.client_profile(account.id)?;
    Ok(AccountView { account, client })
}

/// The last active admin cannot be demoted or deactivated: nobody could manage accounts then.
fn keep_an_admin(tx: &mut (impl IamTx + ?Sized), account: &Account) -> Result<()> {
    if account.role == Role::Admin && account.active && tx.count_active_accounts(Role::Admin)? <= 1 {
        return Err(Error::conflict(format!("`{}` is the last active admin", account.login)));
    }
    Ok(())
}

/// `crew account deactivate`: the account can no longer log in; its sessions and tokens end.
pub fn deactivate(tx: &mut (impl IamTx + ?Sized), ctx: &Ctx, login: &Login) -> Result<Account> {
    require(&ctx.actor, Action::ManageAccounts)?;
    let mut account = find(tx, login)?;
    if !account.active {
        return Err(Error::conflict(format!("account `{login}` is already deactivated")));
    }
    keep_an_admin(tx, &account)?;
    account.active = false;
    tx.update_account(&account)?;
    tx.delete_sessions_of(account.id)?;
    record(tx, ctx, IamEvent::AccountDeactivated { account: account.id, login: account.login.clone() })?;
    Ok(account)
}

/// `crew account set-role`.
pub fn set_role(tx: &mut (impl IamTx + ?Sized), ctx: &Ctx, login: &Login, role: Role) -> Result<Account> {
    require(&ctx.actor, Action::ManageAccounts)?;
    let mut account = find(tx, login)?;
    if account.role == role {
        return Err(Error::conflict(format!("`{login}` is already {role}")));
    }
    refuse_joined_elsewhere(role)?;
    if matches!(account.role, Role::Worker | Role::Client) {
        return Err(Error::bad_input(format!(
            "`{login}` is a {}; that role comes with its own records and cannot be changed",
            account.role
        )));
    }
    if (account.role == Role::Service) != (role == Role::Service) {
        return Err(Error::bad_input(
            "service accounts use tokens and people use passwords: create a new account instead",
        ));
    }
    keep_an_admin(tx, &account)?;
    let from = account.role;
    account.role = role;
    tx.update_account(&account)?;
    record(tx, ctx, IamEvent::RoleChanged { account: account.id, login: account.login.clone(), from, to: role })?;
    Ok(account)
}

/// `crew account reset-password`: a new password (or, for a service account, a new token). All
/// of the account's sessions and tokens end.
pub fn reset_credential(
    tx: &mut (impl IamTx + ?Sized),
    ctx: &Ctx,
    login: &Login,
    credential: Credential,
) -> Result<Account> {
    require(&ctx.actor, Action::ManageAccounts)?;
    let mut account = find(tx, login)?;
    if !account.active {
        return Err(Error::conflict(format!(
            "account `{login}` is deactivated; it cannot get a new password or token"
        )));
    }
    tx.delete_sessions_of(account.id)?;
    match (account.role, credential) {
        (Role::Service, Credential::ServiceToken(token_hash)) => {
            tx.insert_session(&NewSession {
                token_hash,
                account: account.id,
                kind: SessionKind::ServiceToken,
                created_at: ctx.now,
                expires_at: None,
            })?;
            record(tx, ctx, IamEvent::ServiceTokenIssued { account: account.id, login: account.login.clone() })?;
        }
        (Role::Service, Credential::PasswordHash(_)) => {
            return Err(Error::bad_input("service accounts authenticate with a token, not a password"));
        }
        (_, Credential::PasswordHash(hash)) => {
            account.password_hash = Some(hash);
            tx.update_account(&account)?;
            record(tx, ctx, IamEvent::PasswordReset { account: account.id, login: account.login.clone() })?;
        }
        (_, Credential::ServiceToken(_)) => {
            return Err(Error::bad_input("only service accounts get tokens"));
        }
    }
    Ok(account)
}

/// One client row of `crew import clients`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientRow {
    pub name: Name,
    pub email: Email,
    pub zone: Zone,
    pub phone: Option<Phone>,
    pub payment_method: PaymentMethod,
}

impl ClientRow {
    pub const REQUIRED: &'static [&'static str] = &["name", "email", "zone"];
    pub const OPTIONAL: &'static [&'static str] = &["phone", "payment_method"];

    pub fn parse(record: &RawRecord) -> Result<Self> {
        let f = Field::new(record);
        Ok(ClientRow {
            name: f.required("name", Name::parse)?,
            email: f.required("email", Email::parse)?,
            zone: f.required("zone", Zone::parse)?,
            phone: f.optional("phone", Phone::parse)?,
            payment_method: f.optional("payment_method", PaymentMethod::parse)?.unwrap_or_default(),
        })
    }
}

/// `crew import clients`: all rows or none; idempotent by email (a changed row updates the client).
pub fn import_clients(
    tx: &mut (impl IamTx + ?Sized),
    ctx: &Ctx,
    records: &[RawRecord],
    progress: &mut dyn Progress,
) -> Result<ImportSummary> {
    require(&ctx.actor, Action::ImportClients)?;
    let rows = crate::imports::parse_unique_by_email(records, ClientRow::parse, |r| &r.email)?;
    let mut summary = ImportSummary::default();
    for (record, row) in records.iter().zip(rows) {
        import_client(tx, ctx, row, &mut summary).map_err(|e| e.context(&record.location))?;
        progress.advance(1);
    }
    Ok(summary)
}

fn import_client(tx: &mut (impl IamTx + ?Sized), ctx: &Ctx, row: ClientRow, summary: &mut ImportSummary) -> Result<()> {
    match tx.account_by_email(&row.email)? {
        None => {
            let login = Login::parse(row.email.as_str())?;
            if tx.account_by_login(&login)?.is_some() {
                return Err(Error::conflict(format!("login `{login}` is taken by another account")));
            }
            let new = NewAccount {
                login,
                name: row.name.clone(),
                email: Some(row.email.clone()),
                role: Role::Client,
                password_hash: None,
                created_at: ctx.now,
            };
            let account = tx.insert_account(&new)?;
            let profile = ClientProfile {
                account,
                zone: row.zone.clone(),
                phone: row.phone.clone(),
                payment_method: row.payment_method,
            };
            tx.upsert_client_profile(&profile)?;
            record(tx, ctx, IamEvent::ClientRegistered(details(account, &row)))?;
            summary.created += 1;
        }
        Some(account) if account.role != Role::Client => {
            return Err(Error::conflict(format!("field `email`: {} belongs to a {} account", row.email, account.role)));
        }
        Some(mut account) => {
            let profile = ClientProfile {
                account: account.id,
                zone: row.zone.clone(),
                phone: row.phone.clone(),
                payment_method: row.payment_method,
            };
            let same = account.name == row.name && tx.client_profile(account.id)?.as_ref() == Some(&profile);
            if same {
                summary.unchanged += 1;
                return Ok(());
            }
            account.name = row.name.clone();
            tx.update_account(&account)?;
            tx.upsert_client_profile(&profile)?;
            record(tx, ctx, IamEvent::ClientUpdated(details(account.id, &row)))?;
            summary.updated += 1;
        }
    }
    Ok(())
}

fn details(account: AccountId, row: &ClientRow) -> ClientDetails {
    ClientDetails {
        account,
        email: row.email.clone(),
        name: row.name.clone(),
        zone: row.zone.clone(),
        phone: row.phone.clone(),
        payment_method: row.payment_method,
    }
}

/// A worker's account by login: not found if there is none, bad input if it is not a worker's.
pub fn find_worker(tx: &mut (impl IamRead + ?Sized), login: &Login) -> Result<Account> {
    let account = find(tx, login)?;
    if account.role != Role::Worker {
        return Err(Error::bad_input(format!("`{login}` is a {}, not a worker", account.role)));
    }
    Ok(account)
}

/// The login of an account, for showing beside its id (`#7` if there is no such account).
pub fn login_of(tx: &mut (impl IamRead + ?Sized), id: AccountId) -> Result<String> {
    Ok(tx.account(id)?.map_or_else(|| format!("#{id}"), |a| a.login.to_string()))
}

/// `crew whoami`: the caller's own account and the session (or token) it runs in.
pub fn whoami(tx: &mut (impl IamTx + ?Sized), ctx: &Ctx, token_hash: &str) -> Result<WhoAmI> {
    require(&ctx.actor, Action::WhoAmI)?;
    let account = tx.account(ctx.actor.id)?.ok_or_else(|| Error::not_found("your account is gone"))?;
    let session = tx.session(token_hash)?.ok_or_else(|| Error::not_allowed("your session has ended"))?;
    let session = SessionView::of(&session, account.login.clone(), token_hash);
    Ok(WhoAmI { account, session })
}

/// What `crew whoami` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhoAmI {
    #[serde(flatten)]
    pub account: Account,
    pub session: SessionView,
}

/// A session or token as people see it: never the token or its hash.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionView {
    pub id: SessionId,
    pub account: AccountId,
    pub login: Login,
    pub kind: SessionKind,
    pub created_at: DateTime<Utc>,
    /// `None`: a service token, which does not expire.
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether the command that shows it runs in this session.
    pub current: bool,
}

impl SessionView {
    fn of(session: &Session, login: Login, current_hash: &str) -> SessionView {
        SessionView {
            id: session.id,
            account: session.account,
            login,
            kind: session.kind,
            created_at: session.created_at,
            expires_at: session.expires_at,
            current: session.token_hash == current_hash,
        }
    }
}

/// Whose sessions `crew account sessions` lists.
#[derive(Debug, Clone, Copy)]
pub enum Whose<'a> {
    /// The caller's own.
    Own,
    /// One account's: the caller's own, or (admins) anyone's.
    Account(&'a Login),
    /// Every account's (admins).
    Everyone,
}

/// `crew account sessions`: the live (unexpired) sessions and tokens, oldest first. Anyone may
/// list their own; only an admin another account's or everyone's. `current_hash` marks the
/// session the command runs in.
pub fn list_sessions(
    tx: &mut (impl IamTx + ?Sized),
    ctx: &Ctx,
    current_hash: &str,
    whose: Whose<'_>,
) -> Result<Vec<SessionView>> {
    require(&ctx.actor, Action::ManageOwnSessions)?;
    let account = match whose {
        Whose::Own => Some(ctx.actor.id),
        Whose::Account(login) if *login == ctx.actor.login => Some(ctx.actor.id),
        Whose::Account(login) => {
            // Permission first: whether another login exists is not told to those who may not ask.
            require_to_manage_others_sessions(ctx)?;
            Some(find(tx, login)?.id)
        }
        Whose::Everyone => {
            require_to_manage_others_sessions(ctx)?;
            None
        }
    };
    let logins = logins(tx)?;
    let mut views = Vec::new();
    for session in tx.sessions(account)? {
        if session.expired(ctx.now) {
            continue;
        }
        let login = login_in(&logins, session.account)?;
        views.push(SessionView::of(&session, login, current_hash));
    }
    Ok(views)
}

fn require_to_manage_others_sessions(ctx: &Ctx) -> Result<()> {
    if authz::permits(ctx.actor.role, Action::ManageAccounts) {
        Ok(())
    } else {
        Err(Error::not_allowed(format!(
            "{} `{}` may not manage the sessions of other accounts (only their own)",
            ctx.actor.role, ctx.actor.login
        )))
    }
}

fn login_in(logins: &BTreeMap<AccountId, Login>, account: AccountId) -> Result<Login> {
    logins
        .get(&account)
        .cloned()
        .ok_or_else(|| Error::internal(format!("a session of account #{account}, which is gone")))
}

/// `crew account sessions revoke`: ends one session or service token by its id. Anyone may end
/// their own (ending the current one logs them out); only an admin another account's.
pub fn revoke_session(
    tx: &mut (impl IamTx + ?Sized),
    ctx: &Ctx,
    current_hash: &str,
    id: SessionId,
) -> Result<SessionView> {
    require(&ctx.actor, Action::ManageOwnSessions)?;
    let session = tx.session_by_id(id)?.ok_or_else(|| Error::not_found(format!("no session #{id}")))?;
    if session.account != ctx.actor.id && !authz::permits(ctx.actor.role, Action::ManageAccounts) {
        return Err(Error::not_allowed(format!("session #{id} is not one of yours")));
    }
    let account = load(tx, session.account)?;
    tx.delete_session(&session.token_hash)?;
    record(
        tx,
        ctx,
        IamEvent::SessionRevoked { account: account.id, login: account.login.clone(), session: id, kind: session.kind },
    )?;
    Ok(SessionView::of(&session, account.login, current_hash))
}

/// Accounts by id, for showing names beside ids.
pub fn logins(tx: &mut (impl IamRead + ?Sized)) -> Result<BTreeMap<AccountId, Login>> {
    Ok(tx.accounts(None)?.into_iter().map(|a| (a.id, a.login)).collect())
}

/// How long an activation secret works after it is mailed.
pub const ACTIVATION_DAYS: i64 = 7;

/// `crew account activate`: a worker sets their first password with the one-time secret mailed
/// to them. The secret works once, for [`ACTIVATION_DAYS`].
pub fn activate(
    tx: &mut (impl IamTx + ?Sized),
    now: DateTime<Utc>,
    login: &Login,
    secret: &str,
    password_hash: String,
) -> Result<Account> {
    let wrong = || Error::not_allowed("wrong, used or expired activation secret");
    let mut account = tx.account_by_login(login)?.ok_or_else(wrong)?;
    let activation = tx.activation(account.id)?.ok_or_else(wrong)?;
    if token_hash(secret) != activation.secret_hash
        || now - activation.issued_at > chrono::Duration::days(ACTIVATION_DAYS)
    {
        return Err(wrong());
    }
    if !account.active {
        return Err(Error::not_allowed(format!("account `{login}` is deactivated")));
    }
    account.password_hash = Some(password_hash);
    tx.update_account(&account)?;
    tx.use_activation(account.id, now)?;
    append(
        tx,
        now,
        Some(account.id),
        &IamEvent::AccountActivated { account: account.id, login: account.login.clone() },
    )?;
    Ok(account)
}

/// One staff account of a company folder's `staff.toml`.
#[derive(Debug, Clone)]
pub struct StaffRow {
    pub login: Login,
    pub name: Name,
    pub role: Role,
    pub email: Option<Email>,
    /// An argon2 hash (PHC string); without one, an admin sets the password later.
    pub password_hash: Option<String>,
}

impl StaffRow {
    pub const REQUIRED: &'static [&'static str] = &["login", "name", "role"];
    pub const OPTIONAL: &'static [&'static str] = &["email", "password_hash"];

    pub fn parse(record: &RawRecord) -> Result<Self> {
        let f = Field::new(record);
        let role: Role = f.required("role", str::parse)?;
        refuse_joined_elsewhere(role).map_err(|e| e.context("field `role`"))?;
        let password_hash = f.optional("password_hash", |raw| {
            PasswordHash::new(raw)
                .map(|_| raw.to_string())
                .map_err(|e| Error::bad_input(format!("not an argon2 hash (PHC string): {e}")))
        })?;
        if role == Role::Service && password_hash.is_some() {
            return Err(Error::bad_input(
                "field `password_hash`: service accounts use tokens; issue one with `crew account reset-password`",
            ));
        }
        Ok(StaffRow {
            login: f.required("login", Login::parse)?,
            name: f.required("name", Name::parse)?,
            role,
            email: f.optional("email", Email::parse)?,
            password_hash,
        })
    }
}

/// Imports staff accounts. An existing login is left as it is: counted unchanged when the row
/// matches it, skipped when it differs (accounts change through `crew account`, not imports).
pub fn import_staff(tx: &mut (impl IamTx + ?Sized), ctx: &Ctx, records: &[RawRecord]) -> Result<ImportSummary> {
    require(&ctx.actor, Action::ManageAccounts)?;
    let mut summary = ImportSummary::default();
    for record in records {
        let row = StaffRow::parse(record).map_err(|e| e.context(&record.location))?;
        if let Some(existing) = tx.account_by_login(&row.login)? {
            if existing.name == row.name && existing.role == row.role && existing.email == row.email {
                summary.unchanged += 1;
            } else {
                summary.skipped += 1;
            }
            continue;
        }
        if let Some(email) = &row.email
            && tx.account_by_email(email)?.is_some()
        {
            return Err(Error::conflict(format!(
                "{}: field `email`: an account with email {email} exists",
                record.location
            )));
        }
        let new = NewAccount {
            login: row.login,
            name: row.name,
            email: row.email,
            role: row.role,
            password_hash: row.password_hash,
            created_at: ctx.now,
        };
        let id = tx.insert_account(&new)?;
        crate::kernel::command::record(tx, ctx, account_created(id, &new))?;
        summary.created += 1;
    }
    Ok(summary)
}

/// Whether a worker got a new activation secret (see [`issue_activation`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivationIssue {
    /// The secret is the account's one-time activation secret now.
    Issued,
    /// The account already has a password (or is gone): no secret was issued.
    AlreadyActive,
}

/// Before an activation mail is sent (mail asks IAM through the shell): the account's activation
/// secret becomes `secret` (any earlier one no longer works; only its hash is kept). An account
/// that already has a password never gets a new secret: a resent mail must not reopen it.
pub fn issue_activation(
    tx: &mut (impl IamTx + ?Sized),
    ctx: &Ctx,
    account: AccountId,
    secret: &str,
) -> Result<ActivationIssue> {
    require(&ctx.actor, Action::DeliverMail)?;
    if tx.account(account)?.is_none_or(|a| a.password_hash.is_some()) {
        return Ok(ActivationIssue::AlreadyActive);
    }
    tx.set_activation(account, &token_hash(secret), ctx.now)?;
    record(tx, ctx, IamEvent::ActivationIssued { account })?;
    Ok(ActivationIssue::Issued)
}

#[cfg(test)]
mod tests {
    use argon2::{Algorithm, Params};
    use chrono::TimeZone;

    use super::*;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, h, m, s).unwrap()
    }

    fn session(kind: SessionKind, expires_at: Option<DateTime<Utc>>) -> Session {
        Session {
            id: SessionId::new(1),
            token_hash: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".into(),
            account: AccountId::new(1),
            kind,
            created_at: at(8, 0, 0),
            expires_at,
        }
    }

    #[test]
    fn a_session_has_expired_at_its_expiry_time_and_not_a_moment_before() {
        let end = SessionLifetime::hours(12).unwrap().end(at(8, 0, 0));
        assert_eq!(end, at(20, 0, 0));
        let s = session(SessionKind::Login, Some(end));
        assert!(!s.expired(at(19, 59, 59)));
        assert!(!s.expired(end - chrono::Duration::microseconds(1)));
        assert!(s.expired(end));
        assert!(s.expired(at(20, 0, 1)));
    }

    #[test]
    fn a_session_without_an_expiry_never_expires() {
        let s = session(SessionKind::ServiceToken, None);
        assert!(!s.expired(Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap()));
    }

    #[test]
    fn a_session_opened_at_the_end_of_time_ends_at_the_latest_time_crew_stores() {
        let latest = crate::kernel::clock::latest_time();
        let day = SessionLifetime::hours(24).unwrap();
        assert_eq!(day.end(latest - chrono::Duration::hours(1)), latest);
        assert_eq!(day.end(latest), latest);
        assert_eq!(day.end(DateTime::<Utc>::MAX_UTC), latest, "no overflow either");
        let start = latest - chrono::Duration::hours(24);
        assert_eq!(day.end(start), latest, "exactly at the end");
        assert_eq!(day.end(start - chrono::Duration::seconds(1)), latest - chrono::Duration::seconds(1));
    }

    #[test]
    fn a_session_lifetime_is_one_hour_to_a_year() {
        assert!(SessionLifetime::hours(0).is_err());
        assert_eq!(SessionLifetime::hours(1).unwrap().end(at(8, 0, 0)), at(9, 0, 0));
        assert!(SessionLifetime::hours(SessionLifetime::MAX_HOURS).is_ok());
        let err = SessionLifetime::hours(SessionLifetime::MAX_HOURS + 1).unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::BadInput);
    }

    /// Unknown logins are checked against the dummy hash: it must cost what a real password does.
    #[test]
    fn the_dummy_hash_costs_what_every_password_hash_costs() {
        let dummy = PasswordHash::new(DUMMY_HASH).unwrap();
        let real = Password::parse("some password").unwrap().hash(&[7; 16]).unwrap();
        let real = PasswordHash::new(&real).unwrap();
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.algorithm, Algorithm::Argon2id.ident());
        assert_eq!(dummy.version, real.version);
        let params = |h: &PasswordHash| Params::try_from(h).unwrap();
        let (d, r) = (params(&dummy), params(&real));
        assert_eq!((d.m_cost(), d.t_cost(), d.p_cost()), (r.m_cost(), r.t_cost(), r.p_cost()));
        assert_eq!(dummy.hash.map(|h| h.len()), real.hash.map(|h| h.len()));
        assert!(!Password::parse("some password").unwrap().matches(DUMMY_HASH));
    }

    #[test]
    fn a_refused_login_does_not_tell_whether_the_login_exists_or_has_a_password() {
        let login = Login::parse("mia").unwrap();
        let message = |reason| LoginRefused { reason, account: None }.error(&login);
        let unknown = message(LoginRefusal::UnknownLogin);
        assert_eq!(unknown, message(LoginRefusal::WrongPassword));
        assert_eq!(unknown, message(LoginRefusal::NoPassword));
        assert_eq!(unknown.kind, crate::error::ErrorKind::NotAllowed);
        // Said only to someone who gave the right password, or to a service account's operator.
        assert_eq!(message(LoginRefusal::Deactivated).message, "account `mia` is deactivated");
        assert!(message(LoginRefusal::ServiceAccount).message.contains("CREW_TOKEN"));
    }

    #[test]
    fn the_log_says_why_a_login_was_refused_and_which_session_was_revoked() {
        use crate::kernel::events::DomainEvent;
        let name = |_| "mia".to_string();
        let failed = |reason| IamEvent::LoginFailed { login: "mia".into(), account: None, reason }.summary(&name);
        assert_eq!(failed(LoginRefusal::UnknownLogin), "failed login as `mia` (unknown login)");
        assert_eq!(failed(LoginRefusal::NoPassword), "failed login as `mia` (no password set)");
        assert_eq!(failed(LoginRefusal::WrongPassword), "failed login as `mia` (wrong password)");
        assert_eq!(failed(LoginRefusal::Deactivated), "failed login as `mia` (account deactivated)");
        assert_eq!(failed(LoginRefusal::ServiceAccount), "failed login as `mia` (service account)");
        let revoked = |kind| {
            let login = Login::parse("mia").unwrap();
            IamEvent::SessionRevoked { account: AccountId::new(2), login, session: SessionId::new(4), kind }
                .summary(&name)
        };
        assert_eq!(revoked(SessionKind::Login), "session #4 of `mia` revoked");
        assert_eq!(revoked(SessionKind::ServiceToken), "service token #4 of `mia` revoked");
        assert_eq!((SessionKind::Login.as_str(), SessionKind::ServiceToken.as_str()), ("login", "service token"));
    }

    #[test]
    fn a_failed_login_keeps_at_most_64_characters_of_the_login() {
        let exact = Login::parse(&"a".repeat(FAILED_LOGIN_MAX_CHARS)).unwrap();
        assert_eq!(capped(&exact), "a".repeat(FAILED_LOGIN_MAX_CHARS));
        let long = Login::parse(&format!("{}@example.com", "b".repeat(60))).unwrap();
        let kept = capped(&long);
        assert_eq!(kept.chars().count(), FAILED_LOGIN_MAX_CHARS + 1);
        assert!(kept.starts_with(&"b".repeat(60)) && kept.ends_with('…'), "{kept}");
    }
}
