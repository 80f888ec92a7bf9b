//! The mail ordering's events cause: clients and workers hear of every step of their orders.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{Order, OrderingEvent, OrderingTx};
use crate::error::Result;
use crate::iam::IamRead;
use crate::ids::AccountId;
use crate::kernel::events::RecordedEvent;
use crate::mail::{Notice, Notifier, Template};
use crate::types::Email;

macro_rules! template {
    ($name:literal) => {
        Template { name: $name, text: include_str!(concat!("../../templates/mail/", $name, ".txt")) }
    };
}

const ORDER_PLACED: Template = template!("order_placed");
const ORDER_ASSIGNED_CLIENT: Template = template!("order_assigned_client");
const ORDER_ASSIGNED_WORKER: Template = template!("order_assigned_worker");
const ORDER_CHECKED_IN: Template = template!("order_checked_in");
const ORDER_COMPLETED: Template = template!("order_completed");
const ORDER_FAILED: Template = template!("order_failed");
const ORDER_CANCELLED_CLIENT: Template = template!("order_cancelled_client");
const ORDER_CANCELLED_WORKER: Template = template!("order_cancelled_worker");
const ORDER_UNASSIGNED_WORKER: Template = template!("order_unassigned_worker");
const COPY_OFFERED: Template = template!("copy_offered");

/// The templates ordering's mail uses.
pub const TEMPLATES: &[Template] = &[
    ORDER_PLACED,
    ORDER_ASSIGNED_CLIENT,
    ORDER_ASSIGNED_WORKER,
    ORDER_CHECKED_IN,
    ORDER_COMPLETED,
    ORDER_FAILED,
    ORDER_CANCELLED_CLIENT,
    ORDER_CANCELLED_WORKER,
    ORDER_UNASSIGNED_WORKER,
    COPY_OFFERED,
];

/// Ordering's notifier; times in its mail are written in `time_zone`, labelled.
pub struct OrderMail {
    pub time_zone: Tz,
}

/// A time as mail shows it: in the company's zone with the zone's abbreviation (or offset), so a
/// reader never has to guess: `2026-12-01 10:00 CET`.
pub fn mail_time(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z").to_string()
}

impl<T: OrderingTx + ?Sized> Notifier<T> for OrderMail {
    fn notices(&self, tx: &mut T, stored: &RecordedEvent) -> Result<Vec<Notice>> {
        let Some(event) = stored.decode::<OrderingEvent>()? else { return Ok(vec![]) };
        let order = match &event {
            OrderingEvent::OrderCreated { order, .. }
            | OrderingEvent::OrderAssigned { order, .. }
            | OrderingEvent::OrderCheckedIn { order, .. }
            | OrderingEvent::OrderCompleted { order, .. }
            | OrderingEvent::OrderFailed { order, .. }
            | OrderingEvent::OrderCancelled { order, .. }
            | OrderingEvent::OrderReopened { order, previous_worker: Some(_) }
            | OrderingEvent::CopyOffered { order, .. } => *order,
            _ => return Ok(vec![]),
        };
        // The order and each person its mail names are read once per event (a matching run
        // records 10,000 assignments, each mailed to its client and its worker).
        let Some(o) = tx.order(order)? else { return Ok(vec![]) };
        let client = o.client;
        let mut mail = Mail { tz: self.time_zone, at: stored.at, order: &o, people: Vec::new() };
        let mut notices = Vec::new();
        match event {
            OrderingEvent::OrderCreated { client, .. } => {
                notices.extend(mail.notice(tx, &ORDER_PLACED, client, None)?);
            }
            OrderingEvent::OrderAssigned { worker, .. } => {
                notices.extend(mail.notice(tx, &ORDER_ASSIGNED_CLIENT, client, Some(worker))?);
                notices.extend(mail.notice(tx, &ORDER_ASSIGNED_WORKER, worker, None)?);
            }
            OrderingEvent::OrderCheckedIn { worker, .. } => {
                notices.extend(mail.notice(tx, &ORDER_CHECKED_IN, client, Some(worker))?);
            }
            OrderingEvent::OrderCompleted { worker, .. } => {
                notices.extend(mail.notice(tx, &ORDER_COMPLETED, client, Some(worker))?);
            }
            OrderingEvent::OrderFailed { .. } => {
                notices.extend(mail.notice(tx, &ORDER_FAILED, client, None)?);
            }
            OrderingEvent::OrderCancelled { worker, .. } => {
                notices.extend(mail.notice(tx, &ORDER_CANCELLED_CLIENT, client, None)?);
                if let Some(w) = worker {
                    notices.extend(mail.notice(tx, &ORDER_CANCELLED_WORKER, w, None)?);
                }
            }
            OrderingEvent::OrderReopened { previous_worker: Some(w), .. } => {
                notices.extend(mail.notice(tx, &ORDER_UNASSIGNED_WORKER, w, None)?);
            }
            OrderingEvent::CopyOffered { client, .. } => {
                notices.extend(mail.notice(tx, &COPY_OFFERED, client, None)?);
            }
            _ => {}
        }
        Ok(notices)
    }
}

/// A person to write to: their address and name (accounts without an address get no mail).
fn person(tx: &mut (impl IamRead + ?Sized), id: AccountId) -> Result<Option<(Email, String)>> {
    Ok(tx.account(id)?.and_then(|a| a.email.map(|e| (e, a.name.to_string()))))
}

fn order_vars(o: &Order, tz: Tz) -> Vec<(&'static str, String)> {
    vec![
        ("order", o.id.to_string()),
        ("service", o.service_type.to_string()),
        ("zone", o.zone.to_string()),
        ("when", mail_time(o.scheduled_at, tz)),
        ("description", o.description.to_string()),
        ("quote", o.quote.to_string()),
        ("price", o.price.unwrap_or(o.quote).to_string()),
        ("reason", o.reason.as_ref().map(ToString::to_string).unwrap_or_default()),
    ]
}

/// The mail one event causes about one order: the order as it is now and each person the mail
/// names, read once.
struct Mail<'a> {
    tz: Tz,
    at: DateTime<Utc>,
    order: &'a Order,
    people: Vec<(AccountId, Option<(Email, String)>)>,
}

impl Mail<'_> {
    fn person(&mut self, tx: &mut (impl IamRead + ?Sized), id: AccountId) -> Result<Option<(Email, String)>> {
        if let Some((_, known)) = self.people.iter().find(|(p, _)| *p == id) {
            return Ok(known.clone());
        }
        let found = person(tx, id)?;
        self.people.push((id, found.clone()));
        Ok(found)
    }

    /// A mail about the order to `to`; `other` is the worker to name when writing to the client
    /// (the order's own worker when not given).
    fn notice(
        &mut self,
        tx: &mut (impl IamRead + ?Sized),
        template: &'static Template,
        to: AccountId,
        other: Option<AccountId>,
    ) -> Result<Option<Notice>> {
        let o = self.order;
        let Some((email, name)) = self.person(tx, to)? else { return Ok(None) };
        let mut vars = order_vars(o, self.tz);
        vars.push(("at", mail_time(self.at, self.tz)));
        let (client, worker) = if to == o.client {
            let worker = match other.or(o.worker) {
                Some(w) => self.person(tx, w)?,
                None => None,
            };
            (Some((email.clone(), name)), worker)
        } else {
            (self.person(tx, o.client)?, Some((email.clone(), name)))
        };
        let (client_email, client_name) = client.map_or((String::new(), String::new()), |(e, n)| (e.to_string(), n));
        vars.push(("client_name", client_name));
        vars.push(("client_email", client_email));
        vars.push(("worker_name", worker.map(|(_, n)| n).unwrap_or_else(|| "your worker".into())));
        Ok(Some(Notice::new(template, email, vars)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_renders_with_the_variables_ordering_gives() {
        let keys = [
            "order",
            "service",
            "zone",
            "when",
            "description",
            "quote",
            "price",
            "reason",
            "at",
            "client_name",
            "client_email",
            "worker_name",
        ];
        let vars: Vec<(&str, String)> = keys.into_iter().map(|k| (k, format!("<{k}>"))).collect();
        for t in TEMPLATES {
            let (subject, body) = t.render(&vars).unwrap();
            assert!(!subject.is_empty() && !subject.contains('\n'), "{}", t.name);
            assert!(body.contains("-- crew"), "{}", t.name);
            // Times come labelled with their zone: the template must not claim one of its own.
            assert!(!t.text.contains("UTC"), "{}", t.name);
        }
    }

    #[test]
    fn mail_times_are_in_the_company_zone_and_say_which() {
        let t: DateTime<Utc> = "2026-12-01T09:00:00Z".parse().unwrap();
        assert_eq!(mail_time(t, chrono_tz::Europe::Berlin), "2026-12-01 10:00 CET");
        assert_eq!(mail_time(t, chrono_tz::UTC), "2026-12-01 09:00 UTC");
        let summer: DateTime<Utc> = "2026-07-01T09:00:00Z".parse().unwrap();
        assert_eq!(mail_time(summer, chrono_tz::Europe::Berlin), "2026-07-01 11:00 CEST");
        // The autumn hour that happens twice: the label tells the two apart.
        let first: DateTime<Utc> = "2026-10-25T00:30:00Z".parse().unwrap();
        let second: DateTime<Utc> = "2026-10-25T01:30:00Z".parse().unwrap();
        assert_eq!(mail_time(first, chrono_tz::Europe::Berlin), "2026-10-25 02:30 CEST");
        assert_eq!(mail_time(second, chrono_tz::Europe::Berlin), "2026-10-25 02:30 CET");
    }
}
