//! IAM's storage: what other contexts may read ([`IamRead`]) and what only IAM writes
//! ([`IamStore`]).

use chrono::{DateTime, Utc};

use super::{Account, Activation, ClientProfile, NewAccount, NewSession, Session};
use crate::authz::Role;
use crate::error::Result;
use crate::ids::{AccountId, SessionId};
use crate::kernel::events::EventLog;
use crate::types::{Email, Login};

/// Accounts and client details, as any context may read them.
pub trait IamRead {
    /// The account with this id, `None` if there is none.
    fn account(&mut self, id: AccountId) -> Result<Option<Account>>;
    /// The account with this login (exact match), `None` if there is none.
    fn account_by_login(&mut self, login: &Login) -> Result<Option<Account>>;
    /// The account with this email (exact match), `None` if there is none.
    fn account_by_email(&mut self, email: &Email) -> Result<Option<Account>>;
    /// Every account (active or not) with `role`, or of every role for `None`, by id ascending.
    fn accounts(&mut self, role: Option<Role>) -> Result<Vec<Account>>;
    /// A client's details, `None` for an account that is not a client.
    fn client_profile(&mut self, account: AccountId) -> Result<Option<ClientProfile>>;
}

/// IAM's own tables: accounts, sessions and tokens, client details, activation secrets. Only IAM
/// writes them.
pub trait IamStore: IamRead {
    /// How many accounts exist, of any role, active or not.
    fn count_accounts(&mut self) -> Result<u64>;
    /// How many active accounts hold `role`.
    fn count_active_accounts(&mut self, role: Role) -> Result<u64>;
    /// Adds an account (active) and returns its new id. A login or email already taken is a
    /// conflict error and adds nothing.
    fn insert_account(&mut self, account: &NewAccount) -> Result<AccountId>;
    /// Saves login, name, email, role, active flag and password hash of the account with this id
    /// (its creation time never changes). A login or email taken by another account is a conflict
    /// error; an id with no account changes nothing.
    fn update_account(&mut self, account: &Account) -> Result<()>;
    /// Adds a session or token with its expiry (`None`: it never expires) and returns its new id,
    /// greater than every id given before (an ended session's id is never given again). A token
    /// hash already stored, or an account that does not exist, is a conflict error.
    fn insert_session(&mut self, session: &NewSession) -> Result<SessionId>;
    /// The session or token with this hash (expired or not), `None` if there is none.
    fn session(&mut self, token_hash: &str) -> Result<Option<Session>>;
    /// Every session and token of `account` (of every account for `None`), expired ones too, by
    /// id ascending (the order they were opened in); empty if there are none.
    fn sessions(&mut self, account: Option<AccountId>) -> Result<Vec<Session>>;
    /// The session or token with this id (expired or not), `None` if there is none.
    fn session_by_id(&mut self, id: SessionId) -> Result<Option<Session>>;
    /// Ends one session; `false` if there was none with this hash.
    fn delete_session(&mut self, token_hash: &str) -> Result<bool>;
    /// Ends every session and revokes every token of the account; returns how many (0 if none).
    fn delete_sessions_of(&mut self, account: AccountId) -> Result<u64>;
    /// Saves a client's details, replacing any earlier ones.
    fn upsert_client_profile(&mut self, profile: &ClientProfile) -> Result<()>;
    /// Sets (or replaces, making the earlier one unusable) the hash of the account's current
    /// activation secret, issued at `at`.
    fn set_activation(&mut self, account: AccountId, secret_hash: &str, at: DateTime<Utc>) -> Result<()>;
    /// The account's unused activation secret, `None` if it has none or it was used.
    fn activation(&mut self, account: AccountId) -> Result<Option<Activation>>;
    /// Marks the account's activation secret used at `at`; afterwards [`IamStore::activation`]
    /// returns `None`. An account without one is left as it is.
    fn use_activation(&mut self, account: AccountId, at: DateTime<Utc>) -> Result<()>;
}

/// The transaction IAM's commands and subscribers run in.
pub trait IamTx: EventLog + IamStore {}
impl<T: EventLog + IamStore + ?Sized> IamTx for T {}
