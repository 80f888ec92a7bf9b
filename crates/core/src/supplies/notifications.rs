//! The mail supplies' events cause: the worker hears that their kit is ready when it is issued.

use chrono_tz::Tz;

use super::{SuppliesEvent, SuppliesTx};
use crate::error::Result;
use crate::kernel::events::RecordedEvent;
use crate::mail::{Notice, Notifier, Template};
use crate::ordering::notifications::mail_time;

const KIT_ISSUED: Template = Template { name: "kit_issued", text: include_str!("../../templates/mail/kit_issued.txt") };

/// The templates supplies' mail uses.
pub const TEMPLATES: &[Template] = &[KIT_ISSUED];

/// Supplies' notifier; times in its mail are written in `time_zone`, labelled.
pub struct SuppliesMail {
    pub time_zone: Tz,
}

impl<T: SuppliesTx + ?Sized> Notifier<T> for SuppliesMail {
    fn notices(&self, tx: &mut T, stored: &RecordedEvent) -> Result<Vec<Notice>> {
        let Some(SuppliesEvent::KitIssued { kit, worker, .. }) = stored.decode()? else { return Ok(vec![]) };
        let (Some(kit), Some(account)) = (tx.kit(kit)?, tx.account(worker)?) else { return Ok(vec![]) };
        let Some(email) = account.email else { return Ok(vec![]) };
        let items: Vec<String> = kit.lines.iter().map(|l| format!("{} × {}", l.quantity, l.item)).collect();
        let items = if items.is_empty() { "none needed".to_string() } else { items.join(", ") };
        Ok(vec![Notice::new(
            &KIT_ISSUED,
            email,
            vec![
                ("order", kit.order.to_string()),
                ("worker_name", account.name.to_string()),
                ("service", kit.service_type.to_string()),
                ("zone", kit.zone.to_string()),
                ("when", mail_time(kit.scheduled_at, self.time_zone)),
                ("items", items),
            ],
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kit_mail_renders_with_the_values_it_is_given() {
        let vars = [
            ("order", "7".to_string()),
            ("worker_name", "Tom".to_string()),
            ("service", "cleaning".to_string()),
            ("zone", "north".to_string()),
            ("when", "2026-12-01 10:00 UTC".to_string()),
            ("items", "2 × gloves".to_string()),
        ];
        let (subject, body) = KIT_ISSUED.render(&vars).unwrap();
        assert_eq!(subject, "Your kit for order #7 is ready");
        assert!(body.contains("2 × gloves") && body.contains("Hello Tom"), "{body}");
    }
}
