//! `crew billing collect`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::billing::{self, Payment, PaymentKind, PaymentStatus, Retry};
use crew_core::iam;
use crew_core::ids::InvoiceNo;
use serde::Serialize;

use crate::context::{App, FromFlag};

/// Retry collections that definitely failed, each with a new key (accountants, cron)
#[derive(Debug, Args)]
#[command(after_help = "\
For every client invoice whose collection was definitely refused (a declined card, a 4xx) — or only
INVOICE — a new collection is reserved with a new idempotency key derived from the invoice and the
retry's number (`crew-collection-inv3-2026-W49-acct6-r1`), the invoice is issued again, and the
payment service is asked. The failed collection is never sent again; a collection whose outcome is
unknown is not retried (`crew billing reconcile` asks about it with its own key). The client's
payment method is read afresh, so a client who changed it is charged the new way. The client is
mailed about the outcome, as for the first collection. In the sandbox a retry of a declined
collection is collected (docs/billing.md). Cron may run it daily.

Examples:
  crew billing collect --dry-run
  crew billing collect
  crew billing collect 3")]
pub struct CollectArgs {
    /// Only this invoice (it must have a failed collection)
    invoice: Option<String>,
    /// Show what would be retried, change nothing and move no money
    #[arg(long)]
    dry_run: bool,
}

pub const ACTIONS: &[Action] = &[Action::CloseBillingPeriods];

#[derive(Serialize)]
struct View {
    dry_run: bool,
    retries: Vec<RetryView>,
    /// Who answered: the sandbox or a service's URL.
    service: String,
}

#[derive(Serialize)]
struct RetryView {
    invoice: InvoiceNo,
    client_login: String,
    failed: Payment,
    /// The new collection as it ended (or, with --dry-run, as it would be reserved).
    retry: Payment,
}

pub fn run(app: &mut App, args: CollectArgs) -> Result<()> {
    let invoice: Option<InvoiceNo> = args.invoice.as_deref().map(str::parse).transpose().flag("INVOICE")?;
    let retry = |tx: &mut dyn crew_core::wiring::Tx, ctx: &crew_core::kernel::command::Ctx| {
        let retries = billing::retry_collections(tx, ctx, invoice)?;
        let logins = iam::logins(tx)?;
        Ok((retries, logins))
    };
    let (retries, logins): (Vec<Retry>, _) = if args.dry_run {
        app.rehearse(retry)?
    } else {
        let out = app.write(|tx, ctx| {
            let out = retry(tx, ctx)?;
            crate::money::fault_point("retrying, before commit");
            Ok(out)
        })?;
        crate::money::fault_point("retried");
        out
    };
    let service = crate::money::services(app)?.label();
    let done = if args.dry_run { Vec::new() } else { crate::money::work_through(app, Some(PaymentKind::Collection))? };
    let retries: Vec<RetryView> = retries
        .into_iter()
        .map(|r| {
            let retry = done.iter().find(|p| p.id == r.retry.id).cloned().unwrap_or(r.retry);
            let client_login =
                logins.get(&r.failed.holder).map_or_else(|| format!("#{}", r.failed.holder), |l| l.to_string());
            RetryView { invoice: r.invoice, client_login, failed: r.failed, retry }
        })
        .collect();
    let view = View { dry_run: args.dry_run, retries, service };
    if app.out.format != crate::cli::Format::Table {
        return app.out.record(&view, &[("retries", view.retries.len().to_string())]);
    }
    app.out.list(&view.retries, &["INVOICE", "CLIENT", "AMOUNT", "FAILED", "NEW KEY", "STATUS"], |r| {
        vec![
            r.invoice.to_string(),
            r.client_login.clone(),
            r.retry.amount.to_string(),
            r.failed.note.clone().unwrap_or_default(),
            r.retry.key.clone(),
            if args.dry_run { "would be retried".to_string() } else { r.retry.status.as_str().to_string() },
        ]
    })?;
    let n = view.retries.len();
    if args.dry_run {
        return app.out.note(&format!("Dry run: {n} failed collection(s) would be retried; nothing changed."));
    }
    let count = |s: PaymentStatus| view.retries.iter().filter(|r| r.retry.status == s).count();
    app.out.note(&format!(
        "Money services ({}): {n} retried: {} collected, {} failed, {} unknown (asked again with the same key by the next run or `crew billing reconcile`).",
        view.service,
        count(PaymentStatus::Confirmed),
        count(PaymentStatus::Failed),
        count(PaymentStatus::Unknown) + count(PaymentStatus::Submitted) + count(PaymentStatus::Reserved)
    ))
}
