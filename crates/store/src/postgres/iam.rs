//! IAM's tables on PostgreSQL: accounts, sessions and tokens, client details, activation secrets.

use chrono::{DateTime, Utc};
use crew_core::authz::Role;
use crew_core::error::{Error, Result};
use crew_core::iam::{
    Account, Activation, ClientProfile, IamRead, IamStore, NewAccount, NewSession, Session, SessionKind,
};
use crew_core::ids::{AccountId, SessionId};
use crew_core::types::{Email, Login, Name, PaymentMethod, Phone, Zone};
use postgres::Row;
use postgres::types::ToSql;

use super::row::{PgTx, col, get, narrow, opt_col};

fn role(raw: &str) -> Result<Role> {
    raw.parse()
}

const ACCOUNT_COLUMNS: &str = "id, login, name, email, role, active, password_hash, created_at";

fn account_row(row: &Row) -> Result<Account> {
    Ok(Account {
        id: AccountId::new(get(row, 0)?),
        login: col(row, 1, Login::parse)?,
        name: col(row, 2, Name::parse)?,
        email: opt_col(row, 3, Email::parse)?,
        role: col(row, 4, role)?,
        active: get(row, 5)?,
        password_hash: get(row, 6)?,
        created_at: get(row, 7)?,
    })
}

fn session_kind(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Login => "login",
        SessionKind::ServiceToken => "service_token",
    }
}

const SESSION_COLUMNS: &str = "id, token_hash, account_id, kind, created_at, expires_at";

fn session_row(row: &Row) -> Result<Session> {
    let kind: &str = get(row, 3)?;
    Ok(Session {
        id: SessionId::new(get(row, 0)?),
        token_hash: get(row, 1)?,
        account: AccountId::new(get(row, 2)?),
        kind: if kind == "login" { SessionKind::Login } else { SessionKind::ServiceToken },
        created_at: get(row, 4)?,
        expires_at: get(row, 5)?,
    })
}

impl PgTx<'_, '_> {
    fn account_where(&mut self, clause: &str, value: &(dyn ToSql + Sync)) -> Result<Option<Account>> {
        let row = self.query_opt(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE {clause}"), &[value])?;
        row.as_ref().map(account_row).transpose()
    }
}

impl IamRead for PgTx<'_, '_> {
    fn account(&mut self, id: AccountId) -> Result<Option<Account>> {
        self.account_where("id = $1", &id.get())
    }

    fn account_by_login(&mut self, login: &Login) -> Result<Option<Account>> {
        self.account_where("login = $1", &login.as_str())
    }

    fn account_by_email(&mut self, email: &Email) -> Result<Option<Account>> {
        self.account_where("email = $1", &email.as_str())
    }

    fn accounts(&mut self, role: Option<Role>) -> Result<Vec<Account>> {
        let rows = self.query(
            &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE $1::text IS NULL OR role = $1 ORDER BY id"),
            &[&role.map(Role::as_str)],
        )?;
        rows.iter().map(account_row).collect()
    }

    fn client_profile(&mut self, account: AccountId) -> Result<Option<ClientProfile>> {
        let row = self.query_opt(
            "SELECT account_id, zone, phone, payment_method FROM client_profiles WHERE account_id = $1",
            &[&account.get()],
        )?;
        row.map(|row| {
            Ok(ClientProfile {
                account: AccountId::new(get(&row, 0)?),
                zone: col(&row, 1, Zone::parse)?,
                phone: opt_col(&row, 2, Phone::parse)?,
                payment_method: col(&row, 3, PaymentMethod::parse)?,
            })
        })
        .transpose()
    }
}

impl IamStore for PgTx<'_, '_> {
    fn count_accounts(&mut self) -> Result<u64> {
        let row = self.query_one("SELECT count(*) FROM accounts", &[])?;
        narrow(get(&row, 0)?)
    }

    fn count_active_accounts(&mut self, role: Role) -> Result<u64> {
        let row = self.query_one("SELECT count(*) FROM accounts WHERE role = $1 AND active", &[&role.as_str()])?;
        narrow(get(&row, 0)?)
    }

    fn insert_account(&mut self, a: &NewAccount) -> Result<AccountId> {
        // A taken login or email is refused without failing the statement: a failed statement
        // would abort the whole PostgreSQL transaction, and the contract lets it go on.
        let row = self.query_opt(
            "INSERT INTO accounts (login, name, email, role, active, password_hash, created_at)
             VALUES ($1, $2, $3, $4, true, $5, $6) ON CONFLICT DO NOTHING RETURNING id",
            &[
                &a.login.as_str(),
                &a.name.as_str(),
                &a.email.as_ref().map(Email::as_str),
                &a.role.as_str(),
                &a.password_hash,
                &a.created_at,
            ],
        )?;
        match row {
            Some(row) => Ok(AccountId::new(get(&row, 0)?)),
            None => Err(Error::conflict(format!(
                "the database refused the change: the login {} or the email is taken",
                a.login.as_str()
            ))),
        }
    }

    fn update_account(&mut self, a: &Account) -> Result<()> {
        self.execute(
            "UPDATE accounts SET login = $2, name = $3, email = $4, role = $5, active = $6, password_hash = $7
             WHERE id = $1",
            &[
                &a.id.get(),
                &a.login.as_str(),
                &a.name.as_str(),
                &a.email.as_ref().map(Email::as_str),
                &a.role.as_str(),
                &a.active,
                &a.password_hash,
            ],
        )?;
        Ok(())
    }

    fn insert_session(&mut self, s: &NewSession) -> Result<SessionId> {
        let row = self.query_one(
            "INSERT INTO sessions (token_hash, account_id, kind, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[&s.token_hash, &s.account.get(), &session_kind(s.kind), &s.created_at, &s.expires_at],
        )?;
        Ok(SessionId::new(get(&row, 0)?))
    }

    fn session(&mut self, token_hash: &str) -> Result<Option<Session>> {
        let row =
            self.query_opt(&format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = $1"), &[&token_hash])?;
        row.as_ref().map(session_row).transpose()
    }

    fn session_by_id(&mut self, id: SessionId) -> Result<Option<Session>> {
        let row = self.query_opt(&format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = $1"), &[&id.get()])?;
        row.as_ref().map(session_row).transpose()
    }

    fn sessions(&mut self, account: Option<AccountId>) -> Result<Vec<Session>> {
        let rows = self.query(
            &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE $1::bigint IS NULL OR account_id = $1 ORDER BY id"),
            &[&account.map(AccountId::get)],
        )?;
        rows.iter().map(session_row).collect()
    }

    fn delete_session(&mut self, token_hash: &str) -> Result<bool> {
        Ok(self.execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash])? > 0)
    }

    fn delete_sessions_of(&mut self, account: AccountId) -> Result<u64> {
        self.execute("DELETE FROM sessions WHERE account_id = $1", &[&account.get()])
    }

    fn upsert_client_profile(&mut self, p: &ClientProfile) -> Result<()> {
        self.execute(
            "INSERT INTO client_profiles (account_id, zone, phone, payment_method) VALUES ($1, $2, $3, $4)
             ON CONFLICT (account_id) DO UPDATE
             SET zone = excluded.zone, phone = excluded.phone, payment_method = excluded.payment_method",
            &[&p.account.get(), &p.zone.as_str(), &p.phone.as_ref().map(Phone::as_str), &p.payment_method.as_str()],
        )?;
        Ok(())
    }

    fn set_activation(&mut self, account: AccountId, secret_hash: &str, at: DateTime<Utc>) -> Result<()> {
        self.execute(
            "INSERT INTO activations (account_id, secret_hash, issued_at) VALUES ($1, $2, $3)
             ON CONFLICT (account_id) DO UPDATE SET secret_hash = excluded.secret_hash,
                 issued_at = excluded.issued_at, used_at = NULL",
            &[&account.get(), &secret_hash, &at],
        )?;
        Ok(())
    }

    fn activation(&mut self, account: AccountId) -> Result<Option<Activation>> {
        let row = self.query_opt(
            "SELECT secret_hash, issued_at FROM activations WHERE account_id = $1 AND used_at IS NULL",
            &[&account.get()],
        )?;
        row.map(|row| Ok(Activation { secret_hash: get(&row, 0)?, issued_at: get(&row, 1)? })).transpose()
    }

    fn use_activation(&mut self, account: AccountId, at: DateTime<Utc>) -> Result<()> {
        self.execute("UPDATE activations SET used_at = $2 WHERE account_id = $1", &[&account.get(), &at])?;
        Ok(())
    }
}
