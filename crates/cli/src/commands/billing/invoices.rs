//! `crew billing invoices`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::billing::{self, Cycle, InvoiceFilter, InvoiceStatus};
use crew_core::types::Login;
use serde::Serialize;

use crate::context::{App, FromFlag};

/// Invoices and the state of their collection or payout (clients and workers their own)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew billing invoices\n  crew billing invoices --cycle client --status failed\n  crew billing invoices --holder tom@crew.example"
)]
pub struct InvoicesArgs {
    /// client (weekly), worker or manager (monthly)
    #[arg(long)]
    cycle: Option<String>,
    /// issued, paid or failed
    #[arg(long)]
    status: Option<String>,
    /// Only this person's (staff; clients and workers see their own)
    #[arg(long)]
    holder: Option<String>,
}

pub const ACTIONS: &[Action] = &[Action::ViewBilling];

#[derive(Serialize)]
struct Row {
    #[serde(flatten)]
    invoice: billing::Invoice,
    /// The holder's login beside the stable id.
    holder_login: String,
    payment: Option<billing::Payment>,
}

pub fn run(app: &mut App, args: InvoicesArgs) -> Result<()> {
    let cycle = args.cycle.as_deref().map(Cycle::parse).transpose().map_err(|e| e.context("--cycle"))?;
    let status = args.status.as_deref().map(InvoiceStatus::parse).transpose().map_err(|e| e.context("--status"))?;
    let holder = args.holder.as_deref().map(Login::parse).transpose().flag("--holder")?;
    let rows = app.read(|tx, ctx| {
        let holder = match &holder {
            Some(login) => Some(
                billing::find_ledger_account(tx, login.as_str())?
                    .holder()
                    .ok_or_else(|| crew_core::Error::bad_input(format!("`{login}` holds no invoices")))?,
            ),
            None => None,
        };
        Ok((
            billing::invoices(tx, ctx, InvoiceFilter { cycle, holder, status, period: None })?,
            crew_core::iam::logins(tx)?,
        ))
    })?;
    let (rows, logins) = rows;
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|(invoice, payment)| {
            let holder_login = super::account_name(&logins, invoice.cycle.account(invoice.holder));
            Row { invoice, holder_login, payment }
        })
        .collect();
    app.out.list(
        &rows,
        &["INVOICE", "CYCLE", "HOLDER", "PERIOD", "AMOUNT", "STATUS", "PAYMENT", "ATTEMPTS", "NOTE"],
        |r| {
            let p = r.payment.as_ref();
            vec![
                r.invoice.number.to_string(),
                r.invoice.cycle.as_str().to_string(),
                r.holder_login.clone(),
                r.invoice.period.clone(),
                r.invoice.amount.to_string(),
                r.invoice.status.as_str().to_string(),
                p.map(|p| format!("{} {}", p.kind.as_str(), p.status.as_str())).unwrap_or_default(),
                p.map(|p| p.attempts.to_string()).unwrap_or_default(),
                p.and_then(|p| p.note.clone()).unwrap_or_default(),
            ]
        },
    )
}
