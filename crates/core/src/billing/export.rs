//! The whole ledger as a plain-text accounting journal: beancount or hledger, which those tools
//! accept (`bean-check`, `hledger check --strict`). Every entry is one transaction dated in the
//! company's time zone; every ledger account is opened (declared) before its first use; the one
//! currency is declared.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::ledger::{CompanyAccount, Entry, LedgerAccount};
use super::{BillingTx, EntryFilter};
use crate::authz::{Action, require};
use crate::error::{Error, Result};
use crate::kernel::command::Ctx;
use crate::types::Money;

/// Which tool's journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JournalFormat {
    Beancount,
    Hledger,
}

impl JournalFormat {
    pub fn parse(raw: &str) -> Result<JournalFormat> {
        match raw.trim() {
            "beancount" => Ok(JournalFormat::Beancount),
            "hledger" => Ok(JournalFormat::Hledger),
            _ => Err(Error::bad_input(format!("`{raw}` is not a journal format: beancount or hledger"))),
        }
    }
}

/// The journal's name for a ledger account: clients are receivables, workers and managers
/// liabilities (what the company owes them), and the company's own by their nature.
pub fn journal_account(account: LedgerAccount) -> String {
    match account {
        LedgerAccount::Client(a) => format!("Assets:Receivable:Client{a}"),
        LedgerAccount::Worker(a) => format!("Liabilities:Workers:Worker{a}"),
        LedgerAccount::Manager(a) => format!("Liabilities:Managers:Manager{a}"),
        LedgerAccount::Company(c) => match c {
            CompanyAccount::Revenue => "Income:Revenue".into(),
            CompanyAccount::Fines => "Income:Fines".into(),
            CompanyAccount::House => "Income:House".into(),
            CompanyAccount::WorkerPayouts => "Expenses:WorkerPayouts".into(),
            CompanyAccount::Awards => "Expenses:Awards".into(),
            CompanyAccount::BankClearing => "Assets:BankClearing".into(),
            CompanyAccount::Stakes => "Liabilities:StakesHeld".into(),
        },
    }
}

/// Text from outside (an award's reason) as a journal's narration: no quotes, no backslash (an
/// escape in beancount's strings: a trailing one would swallow the closing quote), no comment or
/// payee separators, no control characters or line and paragraph separators, one line.
fn narration(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' => '\'',
            '\\' => '/',
            ';' | '|' | '#' => ',',
            '\u{2028}' | '\u{2029}' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// `crew billing export`: the ledger's entries (those in `[since, until)` if given) as a journal.
pub fn export(
    tx: &mut (impl BillingTx + ?Sized),
    ctx: &Ctx,
    format: JournalFormat,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    tz: Tz,
    currency: &str,
) -> Result<String> {
    require(&ctx.actor, Action::ExportLedger)?;
    let entries = tx.entries(&EntryFilter { since, until, ..Default::default() })?;
    Ok(journal(&entries, format, tz, currency))
}

/// Writes `entries` as a journal (pure: no storage).
pub fn journal(entries: &[Entry], format: JournalFormat, tz: Tz, currency: &str) -> String {
    let day = |t: DateTime<Utc>| -> NaiveDate { t.with_timezone(&tz).date_naive() };
    let mut opened: BTreeMap<String, NaiveDate> = BTreeMap::new();
    for e in entries {
        for p in &e.postings {
            let name = journal_account(p.account);
            let d = day(e.at);
            opened.entry(name).and_modify(|o| *o = (*o).min(d)).or_insert(d);
        }
    }
    let mut out = String::new();
    match format {
        JournalFormat::Beancount => {
            out +=
                &format!("; crew's ledger, exported for beancount\noption \"operating_currency\" \"{currency}\"\n\n");
            for (name, d) in &opened {
                out += &format!("{d} open {name} {currency}\n");
            }
        }
        JournalFormat::Hledger => {
            out += &format!("; crew's ledger, exported for hledger\ncommodity 1000.00 {currency}\n\n");
            for name in opened.keys() {
                out += &format!("account {name}\n");
            }
        }
    }
    for e in entries {
        // Only the memo comes from outside; the kind, the id (`[a-z0-9:._-]`) and the order
        // number are crew's, and keep their `#`.
        let memo = narration(&e.memo);
        let order = e.order.map(|o| format!(" order #{o}")).unwrap_or_default();
        let what =
            format!("{} {}{order}{}", e.kind, e.id, if memo.is_empty() { String::new() } else { format!(": {memo}") });
        out.push('\n');
        match format {
            JournalFormat::Beancount => out += &format!("{} * \"{what}\"\n", day(e.at)),
            JournalFormat::Hledger => out += &format!("{} * {what}\n", day(e.at)),
        }
        for p in &e.postings {
            out += &format!("    {:<40} {:>14} {currency}\n", journal_account(p.account), amount(p.amount));
        }
    }
    out
}

fn amount(m: Money) -> String {
    m.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_narration_is_one_line_without_quotes_escapes_or_separators() {
        assert_eq!(
            narration("  said \"hi\"; a | b # c \\ d\ne\u{2028}f\u{2029}g\u{85}h\\  "),
            "said 'hi', a , b , c / d e f g h/"
        );
    }
    use crate::billing::{EntryId, EntryKind};
    use crate::ids::AccountId;

    #[test]
    fn a_journal_opens_every_account_and_writes_each_entry_balanced() {
        let at = DateTime::parse_from_rfc3339("2026-11-30T23:30:00Z").unwrap().with_timezone(&Utc);
        let mut e = Entry::transfer(
            EntryId::parse("award:1").unwrap(),
            EntryKind::Award,
            at,
            LedgerAccount::Company(CompanyAccount::Awards),
            LedgerAccount::Worker(AccountId::new(7)),
            Money::from_cents(1_250),
            "said \"thanks\"; twice\n|really".into(),
        );
        e.order = None;
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let text = journal(&[e], JournalFormat::Beancount, berlin, "EUR");
        assert!(text.contains("2026-12-01 open Expenses:Awards EUR"), "{text}");
        assert!(text.contains("2026-12-01 * \"award award:1: said 'thanks', twice ,really\""), "{text}");
        assert!(text.contains("Liabilities:Workers:Worker7") && text.contains("-12.50 EUR"), "{text}");
        let text = journal(&[], JournalFormat::Hledger, berlin, "CHF");
        assert!(text.contains("commodity 1000.00 CHF"), "{text}");
    }
}
