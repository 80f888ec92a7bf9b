//! IAM's events: accounts, roles, sessions and tokens, clients, activation.

use serde::{Deserialize, Serialize};

use super::{LoginRefusal, SessionKind};
use crate::authz::Role;
use crate::domain_events;
use crate::ids::{AccountId, SessionId};
use crate::kernel::events::EventDetails;
use crate::types::{Email, Login, Name, PaymentMethod, Phone, Zone};

domain_events! {
    /// What IAM records.
    pub enum IamEvent {
        AccountCreated { account: AccountId, login: Login, name: Name, role: Role, email: Option<Email> } = "account_created",
        AccountDeactivated { account: AccountId, login: Login } = "account_deactivated",
        RoleChanged { account: AccountId, login: Login, from: Role, to: Role } = "role_changed",
        PasswordReset { account: AccountId, login: Login } = "password_reset",
        ServiceTokenIssued { account: AccountId, login: Login } = "service_token_issued",
        SessionStarted { account: AccountId, login: Login } = "session_started",
        SessionEnded { account: AccountId, login: Login } = "session_ended",
        ClientRegistered(ClientDetails) = "client_registered",
        ClientUpdated(ClientDetails) = "client_updated",
        /// A one-time activation secret was mailed (only its hash is kept).
        ActivationIssued { account: AccountId } = "activation_issued",
        AccountActivated { account: AccountId, login: Login } = "account_activated",
        /// A refused `crew login`: the login as typed (normalised, length-capped), the account it
        /// named if any, and why. Never the password.
        LoginFailed { login: String, account: Option<AccountId>, reason: LoginRefusal } = "login_failed",
        /// A session or token ended by `crew account sessions revoke`.
        SessionRevoked { account: AccountId, login: Login, session: SessionId, kind: SessionKind } = "session_revoked",
    }
}

/// A client as the parent company sent it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientDetails {
    pub account: AccountId,
    pub email: Email,
    pub name: Name,
    pub zone: Zone,
    pub phone: Option<Phone>,
    pub payment_method: PaymentMethod,
}

impl EventDetails for IamEvent {
    fn summary(&self, name: &dyn Fn(AccountId) -> String) -> String {
        match self {
            IamEvent::AccountCreated { login, role, .. } => format!("{role} account `{login}` created"),
            IamEvent::AccountDeactivated { login, .. } => format!("account `{login}` deactivated"),
            IamEvent::RoleChanged { login, from, to, .. } => format!("`{login}` changed from {from} to {to}"),
            IamEvent::PasswordReset { login, .. } => format!("password of `{login}` reset"),
            IamEvent::ServiceTokenIssued { login, .. } => format!("new token issued to `{login}`"),
            IamEvent::SessionStarted { login, .. } => format!("`{login}` logged in"),
            IamEvent::SessionEnded { login, .. } => format!("`{login}` logged out"),
            IamEvent::ClientRegistered(c) => format!("client {} <{}> registered in {}", c.name, c.email, c.zone),
            IamEvent::ClientUpdated(c) => format!("client {} <{}> updated", c.name, c.email),
            IamEvent::ActivationIssued { account } => format!("activation secret mailed to {}", name(*account)),
            IamEvent::AccountActivated { login, .. } => format!("`{login}` activated their account"),
            IamEvent::LoginFailed { login, reason, .. } => format!("failed login as `{login}` ({})", reason.as_str()),
            IamEvent::SessionRevoked { login, session, kind, .. } => {
                format!("{} #{session} of `{login}` revoked", kind.noun())
            }
        }
    }
}
