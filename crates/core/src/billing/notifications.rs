//! The mail billing's events cause: clients hear of each invoice and of each collection's success
//! or failure; workers only of paid invoices (DESIGN.md "Billing and accounting").

use super::cycles::{Cycle, PaymentKind};
use super::{BillingEvent, BillingTx};
use crate::error::Result;
use crate::ids::AccountId;
use crate::kernel::events::RecordedEvent;
use crate::mail::{Notice, Notifier, Template};
use crate::settings;

macro_rules! template {
    ($name:literal) => {
        Template { name: $name, text: include_str!(concat!("../../templates/mail/", $name, ".txt")) }
    };
}

const INVOICE_ISSUED: Template = template!("invoice_issued");
const COLLECTION_SUCCEEDED: Template = template!("collection_succeeded");
const COLLECTION_FAILED: Template = template!("collection_failed");
const PAYOUT_PAID: Template = template!("payout_paid");

/// The templates billing's mail uses.
pub const TEMPLATES: &[Template] = &[INVOICE_ISSUED, COLLECTION_SUCCEEDED, COLLECTION_FAILED, PAYOUT_PAID];

/// The stored type names of the billing events that may cause mail.
const MAILED: &[&str] = &["invoice_issued", "payment_confirmed", "payment_failed"];

/// Billing's notifier.
pub struct BillingMail;

impl<T: BillingTx + ?Sized> Notifier<T> for BillingMail {
    fn notices(&self, tx: &mut T, stored: &RecordedEvent) -> Result<Vec<Notice>> {
        // Only these cause mail: the others (entries posted, payments submitted…) are not decoded.
        if !MAILED.contains(&stored.type_name.as_str()) {
            return Ok(vec![]);
        }
        let Some(event) = stored.decode::<BillingEvent>()? else { return Ok(vec![]) };
        let (template, holder, invoice, mut vars) = match event {
            BillingEvent::InvoiceIssued { invoice, cycle: Cycle::Client, holder, period, amount, entries, .. } => {
                let method = tx.client_profile(holder)?.map_or("card".to_string(), |p| p.payment_method.to_string());
                let vars = vec![
                    ("period", period),
                    ("amount", amount.to_string()),
                    ("entries", entries.to_string()),
                    ("method", method),
                ];
                (&INVOICE_ISSUED, holder, invoice, vars)
            }
            BillingEvent::PaymentConfirmed { invoice, kind: PaymentKind::Collection, holder, amount, .. } => {
                (&COLLECTION_SUCCEEDED, holder, invoice, vec![("amount", amount.to_string())])
            }
            BillingEvent::PaymentFailed { invoice, kind: PaymentKind::Collection, holder, amount, reason, .. } => {
                (&COLLECTION_FAILED, holder, invoice, vec![("amount", amount.to_string()), ("reason", reason)])
            }
            BillingEvent::PaymentConfirmed { invoice, kind: PaymentKind::Payout, holder, amount, .. } => {
                let period = tx.invoice(invoice)?.map(|i| i.period).unwrap_or_default();
                (&PAYOUT_PAID, holder, invoice, vec![("amount", amount.to_string()), ("period", period)])
            }
            _ => return Ok(vec![]),
        };
        let Some((name, email)) = recipient(tx, holder)? else { return Ok(vec![]) };
        // The rules only for mail that goes (most of billing's events cause none: entries posted,
        // payments submitted), not read and parsed for every event.
        let currency = settings::rules(tx)?.currency.to_string();
        vars.extend([("name", name), ("invoice", invoice.to_string()), ("currency", currency)]);
        Ok(vec![Notice::new(template, email, vars)])
    }
}

fn recipient(tx: &mut (impl BillingTx + ?Sized), holder: AccountId) -> Result<Option<(String, crate::types::Email)>> {
    Ok(tx.account(holder)?.and_then(|a| a.email.map(|e| (a.name.to_string(), e))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mailed_events_are_billing_events() {
        use crate::kernel::events::DomainEvent;
        for name in MAILED {
            assert!(BillingEvent::TYPES.contains(name), "{name}");
        }
    }

    #[test]
    fn every_template_renders_with_the_variables_billing_gives() {
        let vars: Vec<(&str, String)> =
            ["name", "invoice", "currency", "period", "amount", "entries", "method", "reason"]
                .into_iter()
                .map(|k| (k, format!("<{k}>")))
                .collect();
        for t in TEMPLATES {
            let (subject, body) = t.render(&vars).unwrap();
            assert!(!subject.is_empty() && !subject.contains('\n'), "{}", t.name);
            assert!(body.contains("-- crew") && !body.contains('{'), "{}: {body}", t.name);
        }
    }
}
