//! The money services (DESIGN.md §7): the payment service collects from clients, the transfer
//! service ("Gold Hat") pays workers. The domain decides and records (`crew_core::billing`); this
//! shell asks the services, payments in batches of three steps: record the batch `submitted` (one
//! transaction), ask the service about each payment with its own idempotency key (no transaction
//! open), record the batch's answers (one transaction). A crash between any two leaves the
//! payments open, and the next run asks again with the same keys, so the service carries each out
//! once.
//!
//! The embedded default is [`sandbox::Sandbox`]: a clearly labelled stand-in that answers at once
//! and moves no money.

pub mod http;
pub mod sandbox;

use anyhow::Result;
use crew_core::billing::{self, Outcome, Payment, PaymentKind};
use crew_core::imports::Progress;
use crew_core::types::Money;

use crate::context::App;

/// What crew sends for one collection or payout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub kind: PaymentKind,
    /// The `Idempotency-Key`: the same for every attempt of one payment.
    pub key: String,
    /// `reference`: the invoice number.
    pub reference: String,
    /// `customer` (a collection) or `recipient` (a payout): the holder's login.
    pub party: String,
    /// `method`: the client's payment method (collections only).
    pub method: String,
    pub amount: Money,
    pub currency: String,
    /// 0 for an invoice's first collection or payout, n for its n-th retry (a new key).
    pub retry: u32,
}

/// What a service knows of a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// It received the request: this is what became of it (`Unknown` while pending).
    Known(Outcome),
    /// It never received that key: the request can be sent (with the same key).
    NeverReceived,
}

/// A money service: carries out a request (or returns the first outcome of its key), and looks a
/// key up.
pub trait MoneyService {
    /// Who answers, for messages: `sandbox (no money moves)`, or the services' base URLs.
    fn label(&self) -> String;
    /// Sends the request; a repeated key returns the first outcome and does nothing again.
    fn execute(&self, request: &Request) -> Outcome;
    /// What became of the request sent with `key`.
    fn lookup(&self, kind: PaymentKind, key: &str) -> Lookup;
    /// How many payments [`work_through`] records `submitted` (and then settled) in one
    /// transaction: large for a service that answers at once, smaller for one over the network,
    /// so that outcomes are recorded (and mailed) soon after they are known.
    fn batch(&self) -> usize;
}

/// `[services]` in crew.toml: where the payment and transfer services are. A service not named
/// is the built-in sandbox.
#[derive(Debug, Default, Clone, serde::Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ServicesConfig {
    pub payment: Option<crate::http::Endpoint>,
    pub transfer: Option<crate::http::Endpoint>,
}

/// The services of this configuration: the sandbox for each crew.toml does not name.
pub fn services(app: &App) -> Result<Box<dyn MoneyService>> {
    let s = &app.config.file.services;
    if s.payment.is_none() && s.transfer.is_none() {
        return Ok(Box::new(sandbox::Sandbox));
    }
    Ok(Box::new(http::HttpService::new(s.payment.as_ref(), s.transfer.as_ref())?))
}

/// `crew billing reconcile`: asks the services what became of every open payment (by its key) and
/// records each definite answer; a payment the service never received is sent now, with its key.
/// Returns the payments as they ended.
pub fn reconcile(app: &mut App) -> Result<Vec<Payment>> {
    let service = services(app)?;
    let open = app.read(|tx, ctx| billing::open_payments(tx, ctx, None))?;
    let mut bar = app.progress("payments", open.len());
    let currency = app.currency().to_string();
    let mut done = Vec::with_capacity(open.len());
    for p in open {
        let outcome = match service.lookup(p.kind, &p.key) {
            Lookup::Known(outcome) => outcome,
            Lookup::NeverReceived => {
                let submitted = app.write(|tx, ctx| billing::submit(tx, ctx, p.id))?;
                if submitted.payment.status != billing::PaymentStatus::Submitted {
                    done.push(submitted.payment);
                    bar.advance(1);
                    continue;
                }
                service.execute(&request(&submitted.payment, submitted.party, &currency))
            }
        };
        let settled = app.write(|tx, ctx| billing::settle(tx, ctx, p.id, outcome))?;
        done.push(settled);
        bar.advance(1);
    }
    Ok(done)
}

fn request(p: &Payment, party: String, currency: &str) -> Request {
    Request {
        kind: p.kind,
        key: p.key.clone(),
        reference: format!("invoice {}", p.invoice),
        party,
        method: p.method.clone(),
        amount: p.amount,
        currency: currency.to_string(),
        retry: p.retry,
    }
}

/// A crash test's fault point (debug builds only): with `CREW_TEST_ABORT_AT=N` in the
/// environment, the N-th point this process reaches aborts it on the spot — no destructor runs,
/// an open transaction is never committed — as a kill would. Release builds have no such hook.
pub fn fault_point(_name: &str) {
    #[cfg(debug_assertions)]
    {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static REACHED: AtomicUsize = AtomicUsize::new(0);
        if let Some(at) = std::env::var("CREW_TEST_ABORT_AT").ok().and_then(|v| v.parse::<usize>().ok())
            && REACHED.fetch_add(1, Ordering::SeqCst) + 1 == at
        {
            eprintln!("crew: aborted at fault point {at} ({_name}) for a crash test");
            std::process::abort();
        }
    }
}

/// How many payments one batch of [`work_through`] holds: the service's own size
/// ([`MoneyService::batch`]); in debug builds `CREW_TEST_PAYMENT_BATCH=N` sets it, so the crash
/// tests can cut a cycle into several batches. Release builds have no such hook.
fn batch_size(service: &dyn MoneyService) -> usize {
    #[cfg(debug_assertions)]
    if let Some(n) = std::env::var("CREW_TEST_PAYMENT_BATCH").ok().and_then(|v| v.parse::<usize>().ok()) {
        return n.max(1);
    }
    service.batch().max(1)
}

/// Asks the service about every open payment (of `kind`, if given), in order, and records each
/// answer: what the cycle commands run after a close, and what recovers a crashed run. Returns
/// the payments as they ended, by id.
///
/// Payments go in batches ([`MoneyService::batch`] at a time), three steps each: the whole batch
/// recorded `submitted` in one transaction (`billing::submit_batch`), then each payment asked of
/// the service with its own key, one by one, no transaction open; then every answer recorded in
/// one transaction (`billing::settle_batch`). A crash anywhere leaves the batch's payments
/// `submitted` until their answers are recorded, and the next run asks about each again with the
/// same key: a payment the service carried out is answered with its first outcome, never carried
/// out twice.
pub fn work_through(app: &mut App, kind: Option<PaymentKind>) -> Result<Vec<Payment>> {
    let service = services(app)?;
    let open = app.read(|tx, ctx| billing::open_payments(tx, ctx, kind))?;
    let mut bar = app.progress("payments", open.len());
    let currency = app.currency().to_string();
    let mut done = Vec::with_capacity(open.len());
    for batch in open.chunks(batch_size(service.as_ref())) {
        let ids: Vec<_> = batch.iter().map(|p| p.id).collect();
        let submitted = app.write(|tx, ctx| {
            let submitted = billing::submit_batch(tx, ctx, &ids)?;
            fault_point("submitting, before commit");
            Ok(submitted)
        })?;
        fault_point("submitted");
        let mut answers = Vec::with_capacity(submitted.len());
        for s in submitted {
            if s.payment.status != billing::PaymentStatus::Submitted {
                // Settled by a run that got there first: nothing to send.
                done.push(s.payment);
                bar.advance(1);
                continue;
            }
            let outcome = service.execute(&request(&s.payment, s.party, &currency));
            fault_point("answered");
            answers.push((s.payment.id, outcome));
        }
        if answers.is_empty() {
            continue;
        }
        let n = answers.len();
        let settled = app.write(|tx, ctx| {
            let settled = billing::settle_batch(tx, ctx, answers)?;
            fault_point("settling, before commit");
            Ok(settled)
        })?;
        fault_point("settled");
        done.extend(settled);
        bar.advance(n as u64);
    }
    done.sort_by_key(|p| p.id);
    Ok(done)
}
