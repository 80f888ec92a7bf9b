//! `crew billing reconcile`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::billing::PaymentStatus;

use crate::context::App;

/// Settle open collections and payouts by asking the services about their keys (accountants, cron)
#[derive(Debug, Args)]
#[command(after_help = "\
Every collection or payout still open — reserved, submitted (a run that crashed), or unknown (a
timeout, a dropped connection, a 5xx, `pending`) — is looked up at its service by its idempotency
key (`GET /v1/collections?idempotency_key=…`). A definite answer is recorded (confirmed: into the
ledger; failed: the invoice is marked); a key the service never received is sent now, with the
same key; a pending one stays unknown. Nothing is ever sent with a new key. Run it after a service
was down (cron may run it hourly).

Examples:
  crew billing reconcile
  crew --format json billing reconcile")]
pub struct ReconcileArgs {}

pub const ACTIONS: &[Action] = &[Action::CloseBillingPeriods];

pub fn run(app: &mut App, _args: ReconcileArgs) -> Result<()> {
    let payments = crate::money::reconcile(app)?;
    app.out.list(&payments, &["PAYMENT", "KIND", "INVOICE", "AMOUNT", "STATUS", "ATTEMPTS", "NOTE"], |p| {
        vec![
            p.id.to_string(),
            p.kind.as_str().to_string(),
            p.invoice.to_string(),
            p.amount.to_string(),
            p.status.as_str().to_string(),
            p.attempts.to_string(),
            p.note.clone().unwrap_or_default(),
        ]
    })?;
    let count = |s: PaymentStatus| payments.iter().filter(|p| p.status == s).count();
    app.out.note(&format!(
        "{} confirmed, {} failed, {} still unknown.",
        count(PaymentStatus::Confirmed),
        count(PaymentStatus::Failed),
        count(PaymentStatus::Unknown) + count(PaymentStatus::Submitted) + count(PaymentStatus::Reserved)
    ))
}
