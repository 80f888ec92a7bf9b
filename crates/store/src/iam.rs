//! IAM's tables: accounts, sessions and tokens, client details, activation secrets.

use chrono::{DateTime, Utc};
use crew_core::authz::Role;
use crew_core::error::Result;
use crew_core::iam::{
    Account, Activation, ClientProfile, IamRead, IamStore, NewAccount, NewSession, Session, SessionKind,
};
use crew_core::ids::{AccountId, SessionId};
use crew_core::types::{Email, Login, Name, PaymentMethod, Phone, Zone};
use rusqlite::{OptionalExtension, Row, params};

use crate::row::{SqliteTx, col, internal, opt_col, time, ts};

fn role(raw: &str) -> Result<Role> {
    raw.parse()
}

const ACCOUNT_COLUMNS: &str = "id, login, name, email, role, active, password_hash, created_at";

fn account_row(row: &Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        id: AccountId::new(row.get(0)?),
        login: col(row, 1, Login::parse)?,
        name: col(row, 2, Name::parse)?,
        email: opt_col(row, 3, Email::parse)?,
        role: col(row, 4, role)?,
        active: row.get(5)?,
        password_hash: row.get(6)?,
        created_at: col(row, 7, time)?,
    })
}

fn session_kind(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Login => "login",
        SessionKind::ServiceToken => "service_token",
    }
}

const SESSION_COLUMNS: &str = "id, token_hash, account_id, kind, created_at, expires_at";

fn session_row(row: &Row<'_>) -> rusqlite::Result<Session> {
    let kind: String = row.get(3)?;
    Ok(Session {
        id: SessionId::new(row.get(0)?),
        token_hash: row.get(1)?,
        account: AccountId::new(row.get(2)?),
        kind: if kind == "login" { SessionKind::Login } else { SessionKind::ServiceToken },
        created_at: col(row, 4, time)?,
        expires_at: opt_col(row, 5, time)?,
    })
}

impl SqliteTx<'_> {
    fn account_where(&self, clause: &str, value: &str) -> Result<Option<Account>> {
        self.conn
            .prepare_cached(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE {clause}"))
            .and_then(|mut s| s.query_row([value], account_row).optional())
            .map_err(internal)
    }
}

impl IamRead for SqliteTx<'_> {
    fn account(&mut self, id: AccountId) -> Result<Option<Account>> {
        self.account_where("id = ?1", &id.get().to_string())
    }

    fn account_by_login(&mut self, login: &Login) -> Result<Option<Account>> {
        self.account_where("login = ?1", login.as_str())
    }

    fn account_by_email(&mut self, email: &Email) -> Result<Option<Account>> {
        self.account_where("email = ?1", email.as_str())
    }

    fn accounts(&mut self, role: Option<Role>) -> Result<Vec<Account>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE ?1 IS NULL OR role = ?1 ORDER BY id"
            ))
            .map_err(internal)?;
        let rows = stmt.query_map([role.map(Role::as_str)], account_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn client_profile(&mut self, account: AccountId) -> Result<Option<ClientProfile>> {
        self.conn
            .prepare_cached("SELECT account_id, zone, phone, payment_method FROM client_profiles WHERE account_id = ?1")
            .and_then(|mut s| {
                s.query_row([account.get()], |row| {
                    Ok(ClientProfile {
                        account: AccountId::new(row.get(0)?),
                        zone: col(row, 1, Zone::parse)?,
                        phone: opt_col(row, 2, Phone::parse)?,
                        payment_method: col(row, 3, PaymentMethod::parse)?,
                    })
                })
                .optional()
            })
            .map_err(internal)
    }
}

impl IamStore for SqliteTx<'_> {
    fn count_accounts(&mut self) -> Result<u64> {
        let n: i64 = self.conn.query_row("SELECT count(*) FROM accounts", [], |r| r.get(0)).map_err(internal)?;
        Ok(n as u64)
    }

    fn count_active_accounts(&mut self, role: Role) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM accounts WHERE role = ?1 AND active = 1", [role.as_str()], |r| r.get(0))
            .map_err(internal)?;
        Ok(n as u64)
    }

    fn insert_account(&mut self, a: &NewAccount) -> Result<AccountId> {
        self.conn
            .prepare_cached(
                "INSERT INTO accounts (login, name, email, role, active, password_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    a.login.as_str(),
                    a.name.as_str(),
                    a.email.as_ref().map(Email::as_str),
                    a.role.as_str(),
                    a.password_hash,
                    ts(a.created_at)
                ])
            })
            .map_err(internal)?;
        Ok(AccountId::new(self.conn.last_insert_rowid()))
    }

    fn update_account(&mut self, a: &Account) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE accounts SET login = ?2, name = ?3, email = ?4, role = ?5, active = ?6, password_hash = ?7
                 WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    a.id.get(),
                    a.login.as_str(),
                    a.name.as_str(),
                    a.email.as_ref().map(Email::as_str),
                    a.role.as_str(),
                    a.active,
                    a.password_hash
                ])
            })
            .map_err(internal)?;
        Ok(())
    }

    fn insert_session(&mut self, s: &NewSession) -> Result<SessionId> {
        self.conn
            .execute(
                "INSERT INTO sessions (token_hash, account_id, kind, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![s.token_hash, s.account.get(), session_kind(s.kind), ts(s.created_at), s.expires_at.map(ts)],
            )
            .map_err(internal)?;
        Ok(SessionId::new(self.conn.last_insert_rowid()))
    }

    fn session(&mut self, token_hash: &str) -> Result<Option<Session>> {
        self.conn
            .prepare_cached(&format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = ?1"))
            .and_then(|mut s| s.query_row([token_hash], session_row).optional())
            .map_err(internal)
    }

    fn session_by_id(&mut self, id: SessionId) -> Result<Option<Session>> {
        self.conn
            .prepare_cached(&format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?1"))
            .and_then(|mut s| s.query_row([id.get()], session_row).optional())
            .map_err(internal)
    }

    fn sessions(&mut self, account: Option<AccountId>) -> Result<Vec<Session>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE ?1 IS NULL OR account_id = ?1 ORDER BY id"
            ))
            .map_err(internal)?;
        let rows = stmt.query_map([account.map(AccountId::get)], session_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn delete_session(&mut self, token_hash: &str) -> Result<bool> {
        let n = self.conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash]).map_err(internal)?;
        Ok(n > 0)
    }

    fn delete_sessions_of(&mut self, account: AccountId) -> Result<u64> {
        let n = self.conn.execute("DELETE FROM sessions WHERE account_id = ?1", [account.get()]).map_err(internal)?;
        Ok(n as u64)
    }

    fn upsert_client_profile(&mut self, p: &ClientProfile) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO client_profiles (account_id, zone, phone, payment_method) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (account_id) DO UPDATE
                 SET zone = excluded.zone, phone = excluded.phone, payment_method = excluded.payment_method",
            )
            .and_then(|mut s| {
                s.execute(params![
                    p.account.get(),
                    p.zone.as_str(),
                    p.phone.as_ref().map(Phone::as_str),
                    p.payment_method.as_str()
                ])
            })
            .map_err(internal)?;
        Ok(())
    }

    fn set_activation(&mut self, account: AccountId, secret_hash: &str, at: DateTime<Utc>) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO activations (account_id, secret_hash, issued_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (account_id) DO UPDATE SET secret_hash = excluded.secret_hash,
                     issued_at = excluded.issued_at, used_at = NULL",
                params![account.get(), secret_hash, ts(at)],
            )
            .map_err(internal)?;
        Ok(())
    }

    fn activation(&mut self, account: AccountId) -> Result<Option<Activation>> {
        self.conn
            .query_row(
                "SELECT secret_hash, issued_at FROM activations WHERE account_id = ?1 AND used_at IS NULL",
                [account.get()],
                |row| Ok(Activation { secret_hash: row.get(0)?, issued_at: col(row, 1, time)? }),
            )
            .optional()
            .map_err(internal)
    }

    fn use_activation(&mut self, account: AccountId, at: DateTime<Utc>) -> Result<()> {
        self.conn
            .execute("UPDATE activations SET used_at = ?2 WHERE account_id = ?1", params![account.get(), ts(at)])
            .map_err(internal)?;
        Ok(())
    }
}
