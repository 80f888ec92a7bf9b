//! IAM: accounts and roles, passwords and sessions, service tokens, and clients from the parent
//! company.

use std::collections::BTreeMap;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Utc};
use serde::Serialize;

pub mod events;
pub mod notifications;
pub mod store;
pub mod subscribers;

pub use events::{ClientDetails, IamEvent};
pub use store::{IamRead, IamStore, IamTx};

use crate::authz::{Action, Actor, Role, require};
use crate::error::{Error, Result};
use crate::ids::AccountId;
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

/// A session or token; only the SHA-256 of the secret is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub token_hash: String,
    pub account: AccountId,
    pub kind: SessionKind,
    pub created_at: DateTime<Utc>,
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

/// `crew login`: checks the password and opens a session under the given token hash.
pub fn login(
    tx: &mut (impl IamTx + ?Sized),
    now: DateTime<Utc>,
    login: &Login,
    password: &Password,
    token_hash: String,
) -> Result<Account> {
    let wrong = || Error::not_allowed("wrong login or password");
    let account = tx.account_by_login(login)?.ok_or_else(wrong)?;
    let Some(hash) = account.password_hash.as_deref() else {
        return Err(if account.role == Role::Service {
            Error::not_allowed(format!("`{login}` is a service account: use its token in CREW_TOKEN"))
        } else {
            wrong()
        });
    };
    if !password.matches(hash) {
        return Err(wrong());
    }
    if !account.active {
        return Err(Error::not_allowed(format!("account `{login}` is deactivated")));
    }
    tx.insert_session(&Session { token_hash, account: account.id, kind: SessionKind::Login, created_at: now })?;
    append(tx, now, Some(account.id), &IamEvent::SessionStarted { account: account.id, login: account.login.clone() })?;
    Ok(account)
}

/// Who holds this session or service token. Refused if it is unknown or the account deactivated.
pub fn authenticate(tx: &mut (impl IamTx + ?Sized), token_hash: &str) -> Result<Actor> {
    let ended =
        || Error::not_allowed("not logged in (or the session has ended): run `crew login LOGIN`, or set CREW_TOKEN");
    let session = tx.session(token_hash)?.ok_or_else(ended)?;
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
        tx.insert_session(&Session { token_hash, account: id, kind: SessionKind::ServiceToken, created_at: ctx.now })?;
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
            tx.insert_session(&Session {
                token_hash,
                account: account.id,
                kind: SessionKind::ServiceToken,
                created_at: ctx.now,
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

/// `crew whoami`: the caller's own account.
pub fn whoami(tx: &mut (impl IamRead + ?Sized), ctx: &Ctx) -> Result<Account> {
    require(&ctx.actor, Action::WhoAmI)?;
    tx.account(ctx.actor.id)?.ok_or_else(|| Error::not_found("your account is gone"))
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
