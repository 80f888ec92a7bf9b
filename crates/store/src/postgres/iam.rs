//! Scaffolding: iam's storage traits on PostgreSQL, not ported yet (every method panics).
#![allow(unused_variables, unused_imports)]

use crew_core::authz::Role;
use crew_core::error::Result;
use crew_core::iam::{
    Account, Activation, ClientProfile, IamRead, IamStore, NewAccount, NewSession, Session, SessionKind,
};
use crew_core::ids::{AccountId, SessionId};
use crew_core::types::{Email, Login, Name, PaymentMethod, Phone, Zone};

use chrono::{DateTime, Utc};

use super::row::PgTx;

impl IamRead for PgTx<'_, '_> {
    fn account(&mut self, id: AccountId) -> Result<Option<Account>> {
        todo!("PostgreSQL: IamRead::account")
    }

    fn account_by_login(&mut self, login: &Login) -> Result<Option<Account>> {
        todo!("PostgreSQL: IamRead::account_by_login")
    }

    fn account_by_email(&mut self, email: &Email) -> Result<Option<Account>> {
        todo!("PostgreSQL: IamRead::account_by_email")
    }

    fn accounts(&mut self, role: Option<Role>) -> Result<Vec<Account>> {
        todo!("PostgreSQL: IamRead::accounts")
    }

    fn client_profile(&mut self, account: AccountId) -> Result<Option<ClientProfile>> {
        todo!("PostgreSQL: IamRead::client_profile")
    }
}

impl IamStore for PgTx<'_, '_> {
    fn count_accounts(&mut self) -> Result<u64> {
        todo!("PostgreSQL: IamStore::count_accounts")
    }

    fn count_active_accounts(&mut self, role: Role) -> Result<u64> {
        todo!("PostgreSQL: IamStore::count_active_accounts")
    }

    fn insert_account(&mut self, a: &NewAccount) -> Result<AccountId> {
        todo!("PostgreSQL: IamStore::insert_account")
    }

    fn update_account(&mut self, a: &Account) -> Result<()> {
        todo!("PostgreSQL: IamStore::update_account")
    }

    fn insert_session(&mut self, s: &NewSession) -> Result<SessionId> {
        todo!("PostgreSQL: IamStore::insert_session")
    }

    fn session(&mut self, token_hash: &str) -> Result<Option<Session>> {
        todo!("PostgreSQL: IamStore::session")
    }

    fn session_by_id(&mut self, id: SessionId) -> Result<Option<Session>> {
        todo!("PostgreSQL: IamStore::session_by_id")
    }

    fn sessions(&mut self, account: Option<AccountId>) -> Result<Vec<Session>> {
        todo!("PostgreSQL: IamStore::sessions")
    }

    fn delete_session(&mut self, token_hash: &str) -> Result<bool> {
        todo!("PostgreSQL: IamStore::delete_session")
    }

    fn delete_sessions_of(&mut self, account: AccountId) -> Result<u64> {
        todo!("PostgreSQL: IamStore::delete_sessions_of")
    }

    fn upsert_client_profile(&mut self, p: &ClientProfile) -> Result<()> {
        todo!("PostgreSQL: IamStore::upsert_client_profile")
    }

    fn set_activation(&mut self, account: AccountId, secret_hash: &str, at: DateTime<Utc>) -> Result<()> {
        todo!("PostgreSQL: IamStore::set_activation")
    }

    fn activation(&mut self, account: AccountId) -> Result<Option<Activation>> {
        todo!("PostgreSQL: IamStore::activation")
    }

    fn use_activation(&mut self, account: AccountId, at: DateTime<Utc>) -> Result<()> {
        todo!("PostgreSQL: IamStore::use_activation")
    }
}
