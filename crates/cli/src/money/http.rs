//! The money services over HTTP (DESIGN.md §7): `POST /v1/collections` and `POST /v1/transfers`
//! with the payment's `Idempotency-Key`, and `GET …?idempotency_key=KEY` to look one up.

use anyhow::Result;
use crew_core::billing::{Outcome, PaymentKind};
use serde_json::{Value, json};

use super::{Lookup, MoneyService, Request};
use crate::http::{Answer, Endpoint, JsonClient};

/// A payment service and a transfer service reached over HTTP.
pub struct HttpService {
    payment: Option<(String, JsonClient)>,
    transfer: Option<(String, JsonClient)>,
}

impl HttpService {
    /// Clients for whichever of the two services crew.toml names (`None`: that one is the sandbox).
    pub fn new(payment: Option<&Endpoint>, transfer: Option<&Endpoint>) -> Result<HttpService> {
        Ok(HttpService {
            payment: payment
                .map(|e| Ok::<_, anyhow::Error>((e.url.clone(), JsonClient::new(e, "payment")?)))
                .transpose()?,
            transfer: transfer
                .map(|e| Ok::<_, anyhow::Error>((e.url.clone(), JsonClient::new(e, "transfer")?)))
                .transpose()?,
        })
    }

    fn client(&self, kind: PaymentKind) -> Option<&JsonClient> {
        match kind {
            PaymentKind::Collection => self.payment.as_ref().map(|(_, c)| c),
            PaymentKind::Payout => self.transfer.as_ref().map(|(_, c)| c),
        }
    }

    fn path(kind: PaymentKind) -> &'static str {
        match kind {
            PaymentKind::Collection => "/v1/collections",
            PaymentKind::Payout => "/v1/transfers",
        }
    }
}

/// What a service's answer says about the payment.
pub fn outcome(answer: Answer) -> Outcome {
    match answer {
        Answer::Unknown { reason } => Outcome::Unknown { reason },
        Answer::NotSent { reason } => Outcome::NotSent { reason: format!("not sent: {reason}") },
        Answer::Definite { status: 200 | 201, body } => from_body(&body),
        Answer::Definite { status, body } if (400..500).contains(&status) => {
            Outcome::Failed { reason: format!("refused by the service ({status}{})", detail(&body)) }
        }
        Answer::Definite { status, .. } => Outcome::Unknown { reason: format!("unexpected answer {status}") },
    }
}

fn from_body(body: &Value) -> Outcome {
    let id = body.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
    match body.get("status").and_then(Value::as_str) {
        Some("succeeded") if !id.is_empty() => Outcome::Confirmed { service_id: id },
        Some("failed") => Outcome::Failed {
            reason: body
                .get("failure_reason")
                .and_then(Value::as_str)
                .unwrap_or("failed (no reason given)")
                .to_string(),
        },
        Some("pending") => Outcome::Unknown { reason: "pending at the service".into() },
        _ => Outcome::Unknown { reason: "the service's answer has no status crew knows".into() },
    }
}

fn detail(body: &Value) -> String {
    let text = body
        .get("error")
        .or_else(|| body.get("message"))
        .or_else(|| body.get("failure_reason"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    if text.is_empty() { String::new() } else { format!(": {}", text.chars().take(200).collect::<String>()) }
}

impl MoneyService for HttpService {
    fn label(&self) -> String {
        let name = |s: &Option<(String, JsonClient)>| s.as_ref().map_or("sandbox".to_string(), |(u, _)| u.clone());
        format!("payment {}, transfer {}", name(&self.payment), name(&self.transfer))
    }

    fn execute(&self, r: &Request) -> Outcome {
        let Some(client) = self.client(r.kind) else { return super::sandbox::Sandbox.execute(r) };
        let body = match r.kind {
            PaymentKind::Collection => json!({
                "reference": r.reference, "customer": r.party, "method": r.method,
                "amount": r.amount.to_string(), "currency": r.currency,
            }),
            PaymentKind::Payout => json!({
                "reference": r.reference, "recipient": r.party,
                "amount": r.amount.to_string(), "currency": r.currency,
            }),
        };
        outcome(client.post(Self::path(r.kind), &r.key, &body))
    }

    /// Requests go one by one, each up to the endpoint's timeout and attempts: 50 a transaction,
    /// so answers are recorded (and mailed) within a few seconds of each other.
    fn batch(&self) -> usize {
        50
    }

    fn lookup(&self, kind: PaymentKind, key: &str) -> Lookup {
        let Some(client) = self.client(kind) else { return super::sandbox::Sandbox.lookup(kind, key) };
        match client.get(Self::path(kind), &[("idempotency_key", key)]) {
            Answer::Definite { status: 404, .. } => Lookup::NeverReceived,
            // The service could not be asked: nothing is learnt; the payment is asked about again.
            Answer::NotSent { reason } => {
                Lookup::Known(Outcome::Unknown { reason: format!("could not ask: {reason}") })
            }
            answer => Lookup::Known(outcome(answer)),
        }
    }
}
