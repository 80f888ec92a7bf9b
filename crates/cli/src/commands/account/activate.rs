//! `crew account activate`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::iam;
use crew_core::types::Login;

use crate::commands::read_new_password;
use crate::context::{App, FromFlag};
use crate::session;

/// Choose your first password with the one-time secret mailed to you (new workers)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew account activate tom@crew.example          # asks for the secret, then the password\n  printf '%s\\n%s\\n' \"$SECRET\" \"$PASSWORD\" | crew account activate tom@crew.example --stdin"
)]
pub struct ActivateArgs {
    login: String,
    /// Read the secret (first line) and the new password (second line) from standard input
    #[arg(long)]
    stdin: bool,
}

/// Activation is how a new worker gets in: it needs no login, only the mailed secret.
pub const ACTIONS: &[Action] = &[];

pub fn run(app: &mut App, args: ActivateArgs) -> Result<()> {
    let login = Login::parse(&args.login).flag("LOGIN")?;
    let (secret, password) = if args.stdin {
        let bytes = crate::files::read_stdin("the secret and password", crate::files::Limits::DEFAULT.stdin_bytes)?;
        let text =
            String::from_utf8(bytes).map_err(|_| crew_core::Error::bad_input("standard input is not UTF-8 text"))?;
        let mut lines = text.lines();
        let secret = lines.next().unwrap_or("").trim().to_string();
        let password = iam::Password::parse(lines.next().unwrap_or(""))?;
        (secret, password)
    } else {
        let secret = rpassword::prompt_password("Activation secret: ")
            .map_err(|e| crew_core::Error::bad_input(format!("cannot ask for the secret ({e}): use --stdin")))?;
        (secret.trim().to_string(), read_new_password(false)?)
    };
    let hash = password.hash(&session::new_salt()?)?;
    let account = app.write_anonymous(|tx, now| iam::activate(tx, now, &login, &secret, hash))?;
    app.out.note(&format!("Account `{}` is active. Log in with: crew login {}", account.login, account.login))
}
