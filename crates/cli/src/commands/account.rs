//! `crew account …` (admin).

use anyhow::Result;
use crew_core::authz::Role;
use crew_core::iam::{self, Account, AccountRequest, Credential};
use crew_core::types::{Email, Login, Name};

use super::read_new_password;
use crate::cli::AccountCommand;
use crate::context::App;
use crate::session;

const HEADERS: &[&str] = &["ID", "LOGIN", "NAME", "ROLE", "EMAIL", "ACTIVE", "CREATED"];

fn cells(app: &App, a: &Account) -> Vec<String> {
    vec![
        a.id.to_string(),
        a.login.to_string(),
        a.name.to_string(),
        a.role.to_string(),
        a.email.as_ref().map(ToString::to_string).unwrap_or_default(),
        if a.active { "yes" } else { "no" }.to_string(),
        app.show_time(a.created_at),
    ]
}

const FIELDS: &[&str] = &["id", "login", "name", "role", "email", "active", "created"];

fn fields(app: &App, a: &Account) -> Vec<(&'static str, String)> {
    FIELDS.iter().copied().zip(cells(app, a)).collect()
}

/// A new credential for an account of `role`: a token (printed once) or a password.
fn credential(role: Role, password_stdin: bool) -> Result<(Credential, Option<String>)> {
    if role == Role::Service {
        let token = session::new_token()?;
        Ok((Credential::ServiceToken(iam::token_hash(&token)), Some(token)))
    } else {
        let password = read_new_password(password_stdin)?;
        Ok((Credential::PasswordHash(password.hash(&session::new_salt()?)?), None))
    }
}

fn print_token(app: &App, login: &Login, token: &str) -> Result<()> {
    if app.out.format == crate::cli::Format::Table && !app.out.quiet {
        eprintln!("Token for `{login}` (shown once; keep it in the cron environment as CREW_TOKEN):");
    }
    crate::output::line(token)
}

pub fn run(app: &mut App, command: AccountCommand) -> Result<()> {
    match command {
        AccountCommand::Create { login, role, name, email, password_stdin } => {
            let login = Login::parse(&login)?;
            let role: Role = role.parse()?;
            let name = Name::parse(&name)?;
            let email = email.as_deref().map(Email::parse).transpose()?;
            let (credential, token) = credential(role, password_stdin)?;
            let req = AccountRequest { login, name, email, role, credential };
            let account = app.write(|tx, ctx| iam::create_account(tx, ctx, req))?;
            match token {
                Some(token) => print_token(app, &account.login, &token),
                None => app.out.done(
                    &account,
                    &fields(app, &account),
                    &format!("Created {} account `{}` (#{}).", account.role, account.login, account.id),
                ),
            }
        }
        AccountCommand::List { role } => {
            let role = role.as_deref().map(str::parse::<Role>).transpose()?;
            let accounts = app.read(|tx, ctx| iam::list_accounts(tx, ctx, role))?;
            app.out.list(&accounts, HEADERS, |a| cells(app, a))
        }
        AccountCommand::Show { login } => {
            let login = Login::parse(&login)?;
            let view = app.read(|tx, ctx| iam::show_account(tx, ctx, &login))?;
            let mut f = fields(app, &view.account);
            if let Some(c) = &view.client {
                f.push(("zone", c.zone.to_string()));
                f.push(("phone", c.phone.as_ref().map(ToString::to_string).unwrap_or_default()));
                f.push(("payment_method", c.payment_method.to_string()));
            }
            app.out.record(&view, &f)
        }
        AccountCommand::Deactivate { login } => {
            let login = Login::parse(&login)?;
            let account = app.write(|tx, ctx| iam::deactivate(tx, ctx, &login))?;
            app.out.done(
                &account,
                &fields(app, &account),
                &format!("Deactivated `{}`; its sessions have ended.", account.login),
            )
        }
        AccountCommand::SetRole { login, role } => {
            let login = Login::parse(&login)?;
            let role: Role = role.parse()?;
            let account = app.write(|tx, ctx| iam::set_role(tx, ctx, &login, role))?;
            app.out.done(&account, &fields(app, &account), &format!("`{}` is now {}.", account.login, account.role))
        }
        AccountCommand::Activate { login, stdin } => {
            let login = Login::parse(&login)?;
            let (secret, password) = if stdin {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                    .map_err(|_| crew_core::Error::bad_input("standard input is not UTF-8 text"))?;
                let mut lines = text.lines();
                let secret = lines.next().unwrap_or("").trim().to_string();
                let password = iam::Password::parse(lines.next().unwrap_or(""))?;
                (secret, password)
            } else {
                let secret = rpassword::prompt_password("Activation secret: ").map_err(|e| {
                    crew_core::Error::bad_input(format!("cannot ask for the secret ({e}): use --stdin"))
                })?;
                (secret.trim().to_string(), read_new_password(false)?)
            };
            let hash = password.hash(&session::new_salt()?)?;
            let now = app.now;
            let account = app.write_anonymous(|tx| iam::activate(tx, now, &login, &secret, hash))?;
            app.out.note(&format!("Account `{}` is active. Log in with: crew login {}", account.login, account.login))
        }
        AccountCommand::ResetPassword { login, password_stdin } => {
            let login = Login::parse(&login)?;
            let role = app.read(|tx, _| iam::find(tx, &login))?.role;
            let (credential, token) = credential(role, password_stdin)?;
            let account = app.write(|tx, ctx| iam::reset_credential(tx, ctx, &login, credential))?;
            match token {
                Some(token) => print_token(app, &account.login, &token),
                None => app.out.done(
                    &account,
                    &fields(app, &account),
                    &format!("New password set for `{}`; its sessions have ended.", account.login),
                ),
            }
        }
    }
}
