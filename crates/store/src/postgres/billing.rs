//! Billing's tables on PostgreSQL: the ledger's immutable entries and postings (triggers refuse
//! UPDATE, DELETE and TRUNCATE), the balances kept beside them in the same transaction, closed
//! periods, invoices and payments.
//!
//! Where PostgreSQL differs from the SQLite twin (`crate::billing`):
//! - Times are `timestamptz`: a period's end (`until`) is compared as a time, which orders as
//!   SQLite's fixed-width UTC text did. The weeks and months themselves are computed by
//!   `crew_core::billing::cycles` and reach the store only as `until`.
//! - `sum(bigint)` is `numeric` in PostgreSQL: every sum is cast back to `bigint`.
//! - Ledger accounts (`client:7`) and entry ids sort in byte order (`COLLATE "C"`), as SQLite's
//!   text does.
//! - An entry is inserted under a savepoint, so a refused posting leaves none of it behind and
//!   the transaction stays usable (a failed statement would otherwise abort it).
//! - "In the order they were closed" for periods closed at the same time is SQLite's `rowid`;
//!   here the identity column `seq` of `billing_periods` keeps that order.

use std::collections::{BTreeMap, HashMap};

use crew_core::billing::{
    Balance, BillingRead, BillingStore, ClosedPeriod, Cycle, Entry, EntryFilter, EntryId, EntryKind, Invoice,
    InvoiceFilter, InvoiceStatus, LedgerAccount, OpenAmount, Payment, PaymentKind, PaymentStatus, Posting,
};
use crew_core::error::{Error, Result};
use crew_core::ids::{AccountId, EventSeq, InvoiceNo, OrderId, PaymentId};
use crew_core::types::Money;
use postgres::Row;
use postgres::types::ToSql;

use chrono::{DateTime, Utc};

use super::row::{PgTx, col, get, int, narrow};

const ENTRY_COLUMNS: &str = "e.seq, e.id, e.kind, e.at, e.order_id, e.cause, e.actor, e.memo";

fn entry_row(row: &Row) -> Result<(i64, Entry)> {
    Ok((
        get(row, 0)?,
        Entry {
            id: col(row, 1, EntryId::parse)?,
            kind: col(row, 2, EntryKind::parse)?,
            at: get(row, 3)?,
            order: get::<Option<i64>>(row, 4)?.map(OrderId::new),
            cause: get::<Option<i64>>(row, 5)?.map(EventSeq::new),
            actor: get::<Option<i64>>(row, 6)?.map(AccountId::new),
            memo: get(row, 7)?,
            postings: Vec::new(),
        },
    ))
}

fn balance_row(row: &Row) -> Result<Balance> {
    Ok(Balance {
        account: col(row, 0, LedgerAccount::parse)?,
        debits: Money::from_cents(get(row, 1)?),
        credits: Money::from_cents(get(row, 2)?),
    })
}

const PERIOD_COLUMNS: &str = "cycle, period, until, closed_at, closed_by, invoices, total";
const INVOICE_COLUMNS: &str = "number, cycle, holder, period, amount, entries, issued_at, status";
const PAYMENT_COLUMNS: &str =
    "id, kind, invoice, holder, amount, method, key, status, attempts, service_id, note, updated_at, retry";

/// The entry kinds a cycle's invoices cover, as an SQL list of literals (crew's own constants).
fn kinds(cycle: Cycle) -> String {
    cycle.kinds().iter().map(|k| format!("'{}'", k.as_str())).collect::<Vec<_>>().join(", ")
}

fn period_row(row: &Row) -> Result<ClosedPeriod> {
    Ok(ClosedPeriod {
        cycle: col(row, 0, Cycle::parse)?,
        period: get(row, 1)?,
        until: get(row, 2)?,
        closed_at: get(row, 3)?,
        closed_by: get::<Option<i64>>(row, 4)?.map(AccountId::new),
        invoices: narrow(get(row, 5)?)?,
        total: Money::from_cents(get(row, 6)?),
    })
}

fn invoice_row(row: &Row) -> Result<Invoice> {
    Ok(Invoice {
        number: InvoiceNo::new(get(row, 0)?),
        cycle: col(row, 1, Cycle::parse)?,
        holder: AccountId::new(get(row, 2)?),
        period: get(row, 3)?,
        amount: Money::from_cents(get(row, 4)?),
        entries: narrow(get(row, 5)?)?,
        issued_at: get(row, 6)?,
        status: col(row, 7, InvoiceStatus::parse)?,
    })
}

fn payment_row(row: &Row) -> Result<Payment> {
    Ok(Payment {
        id: PaymentId::new(get(row, 0)?),
        kind: col(row, 1, PaymentKind::parse)?,
        invoice: InvoiceNo::new(get(row, 2)?),
        holder: AccountId::new(get(row, 3)?),
        amount: Money::from_cents(get(row, 4)?),
        method: get(row, 5)?,
        key: get(row, 6)?,
        status: col(row, 7, PaymentStatus::parse)?,
        attempts: narrow(get(row, 8)?)?,
        service_id: get(row, 9)?,
        note: get(row, 10)?,
        updated_at: get(row, 11)?,
        retry: narrow(get(row, 12)?)?,
    })
}

impl PgTx<'_, '_> {
    /// Fills in each entry's postings, in line order: one statement for all of them (a round
    /// trip per entry costs far more against a server than against SQLite's file).
    fn with_postings(&mut self, mut entries: Vec<(i64, Entry)>) -> Result<Vec<Entry>> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let seqs: Vec<i64> = entries.iter().map(|(seq, _)| *seq).collect();
        let rows = self.query(
            "SELECT entry_seq, account, amount FROM billing_postings WHERE entry_seq = ANY($1) ORDER BY entry_seq, line",
            &[&seqs],
        )?;
        let mut postings: HashMap<i64, Vec<Posting>> = HashMap::new();
        for r in &rows {
            let posting = Posting { account: col(r, 1, LedgerAccount::parse)?, amount: Money::from_cents(get(r, 2)?) };
            postings.entry(get(r, 0)?).or_default().push(posting);
        }
        for (seq, entry) in &mut entries {
            entry.postings = postings.remove(seq).unwrap_or_default();
        }
        Ok(entries.into_iter().map(|(_, e)| e).collect())
    }

    fn insert_entry_rows(&mut self, e: &Entry) -> Result<()> {
        let taken = self.query_opt("SELECT seq FROM billing_entries WHERE id = $1", &[&e.id.as_str()])?;
        if taken.is_some() {
            return Err(Error::conflict(format!("entry {} is already in the ledger", e.id)));
        }
        let row = self.query_one(
            "INSERT INTO billing_entries (id, kind, at, order_id, cause, actor, memo)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq",
            &[
                &e.id.as_str(),
                &e.kind.as_str(),
                &e.at,
                &e.order.map(OrderId::get),
                &e.cause.map(EventSeq::get),
                &e.actor.map(AccountId::get),
                &e.memo,
            ],
        )?;
        let seq: i64 = get(&row, 0)?;
        // One balance update per account, even if a (refused) entry named one twice.
        let mut per_account: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for (i, p) in e.postings.iter().enumerate() {
            let account = p.account.to_string();
            self.execute(
                "INSERT INTO billing_postings (entry_seq, line, account, amount) VALUES ($1, $2, $3, $4)",
                &[&seq, &int(i + 1)?, &account, &p.amount.cents()],
            )?;
            let cents = p.amount.cents();
            let slot = per_account.entry(account).or_default();
            if cents > 0 {
                slot.0 += cents;
            } else {
                slot.1 -= cents;
            }
        }
        for (account, (debits, credits)) in per_account {
            self.execute(
                "INSERT INTO billing_balances (account, debits, credits) VALUES ($1, $2, $3)
                 ON CONFLICT (account) DO UPDATE SET debits = billing_balances.debits + excluded.debits,
                                                     credits = billing_balances.credits + excluded.credits",
                &[&account, &debits, &credits],
            )?;
        }
        Ok(())
    }
}

impl BillingRead for PgTx<'_, '_> {
    fn ledger_balance(&mut self, account: LedgerAccount) -> Result<Balance> {
        let row = self.query_opt(
            "SELECT account, debits, credits FROM billing_balances WHERE account = $1",
            &[&account.to_string()],
        )?;
        Ok(match row {
            Some(row) => balance_row(&row)?,
            None => Balance { account, debits: Money::ZERO, credits: Money::ZERO },
        })
    }

    fn total_paid(&mut self, client: AccountId) -> Result<Money> {
        let row = self.query_one(
            "SELECT coalesce(sum(-p.amount), 0)::bigint FROM billing_postings p
             JOIN billing_entries e ON e.seq = p.entry_seq
             WHERE p.account = $1 AND e.kind = 'collection'",
            &[&LedgerAccount::Client(client).to_string()],
        )?;
        Ok(Money::from_cents(get(&row, 0)?))
    }
}

impl BillingStore for PgTx<'_, '_> {
    fn entry(&mut self, id: &EntryId) -> Result<Option<Entry>> {
        let row =
            self.query_opt(&format!("SELECT {ENTRY_COLUMNS} FROM billing_entries e WHERE e.id = $1"), &[&id.as_str()])?;
        let found = row.as_ref().map(entry_row).transpose()?;
        Ok(self.with_postings(found.into_iter().collect())?.pop())
    }

    fn insert_entry(&mut self, e: &Entry) -> Result<()> {
        // A savepoint, so a refused posting leaves none of the entry behind even when the caller
        // goes on with its transaction (which a failed statement would otherwise have aborted).
        self.batch("SAVEPOINT billing_entry")?;
        let result = self.insert_entry_rows(e);
        let end = if result.is_ok() {
            "RELEASE SAVEPOINT billing_entry"
        } else {
            "ROLLBACK TO SAVEPOINT billing_entry; RELEASE SAVEPOINT billing_entry"
        };
        self.batch(end)?;
        result
    }

    fn entries(&mut self, f: &EntryFilter) -> Result<Vec<Entry>> {
        let account = f.account.map(|a| a.to_string());
        let kind = f.kind.map(EntryKind::as_str);
        let order = f.order.map(OrderId::get);
        let mut sql = format!("SELECT {ENTRY_COLUMNS} FROM billing_entries e WHERE 1 = 1");
        let mut args: Vec<&(dyn ToSql + Sync)> = Vec::new();
        if let Some(account) = &account {
            args.push(account);
            sql += &format!(
                " AND EXISTS (SELECT 1 FROM billing_postings p WHERE p.entry_seq = e.seq AND p.account = ${})",
                args.len()
            );
        }
        if let Some(kind) = &kind {
            args.push(kind);
            sql += &format!(" AND e.kind = ${}", args.len());
        }
        if let Some(order) = &order {
            args.push(order);
            sql += &format!(" AND e.order_id = ${}", args.len());
        }
        if let Some(since) = &f.since {
            args.push(since);
            sql += &format!(" AND e.at >= ${}", args.len());
        }
        if let Some(until) = &f.until {
            args.push(until);
            sql += &format!(" AND e.at < ${}", args.len());
        }
        sql += " ORDER BY e.at, e.seq";
        let rows = self.query(&sql, &args)?;
        let entries = rows.iter().map(entry_row).collect::<Result<Vec<_>>>()?;
        self.with_postings(entries)
    }

    fn balances(&mut self) -> Result<Vec<Balance>> {
        let rows =
            self.query("SELECT account, debits, credits FROM billing_balances ORDER BY account COLLATE \"C\"", &[])?;
        rows.iter().map(balance_row).collect()
    }

    fn recomputed_balances(&mut self) -> Result<Vec<Balance>> {
        let rows = self.query(
            "SELECT account, sum(CASE WHEN amount > 0 THEN amount ELSE 0 END)::bigint,
                    sum(CASE WHEN amount < 0 THEN -amount ELSE 0 END)::bigint
             FROM billing_postings GROUP BY account ORDER BY account COLLATE \"C\"",
            &[],
        )?;
        rows.iter().map(balance_row).collect()
    }

    fn unbalanced_entries(&mut self) -> Result<Vec<(EntryId, i64)>> {
        let rows = self.query(
            "SELECT e.id, coalesce(sum(p.amount), 0)::bigint FROM billing_entries e
             LEFT JOIN billing_postings p ON p.entry_seq = e.seq
             GROUP BY e.seq HAVING coalesce(sum(p.amount), 0) <> 0 OR count(p.line) < 2
             ORDER BY e.id COLLATE \"C\"",
            &[],
        )?;
        rows.iter().map(|r| Ok((col(r, 0, EntryId::parse)?, get(r, 1)?))).collect()
    }

    fn closed_period(&mut self, cycle: Cycle, period: &str) -> Result<Option<ClosedPeriod>> {
        let row = self.query_opt(
            &format!("SELECT {PERIOD_COLUMNS} FROM billing_periods WHERE cycle = $1 AND period = $2"),
            &[&cycle.as_str(), &period],
        )?;
        row.as_ref().map(period_row).transpose()
    }

    fn insert_closed_period(&mut self, p: &ClosedPeriod) -> Result<()> {
        self.execute(
            &format!("INSERT INTO billing_periods ({PERIOD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"),
            &[
                &p.cycle.as_str(),
                &p.period,
                &p.until,
                &p.closed_at,
                &p.closed_by.map(AccountId::get),
                &int(p.invoices)?,
                &p.total.cents(),
            ],
        )?;
        Ok(())
    }

    fn closed_periods(&mut self) -> Result<Vec<ClosedPeriod>> {
        let rows = self.query(&format!("SELECT {PERIOD_COLUMNS} FROM billing_periods ORDER BY closed_at, seq"), &[])?;
        rows.iter().map(period_row).collect()
    }

    fn last_invoice_number(&mut self) -> Result<Option<InvoiceNo>> {
        let row = self.query_one("SELECT max(number) FROM billing_invoices", &[])?;
        Ok(get::<Option<i64>>(&row, 0)?.map(InvoiceNo::new))
    }

    fn open_amounts(&mut self, cycle: Cycle, until: DateTime<Utc>) -> Result<Vec<OpenAmount>> {
        // SQLite's LIKE ignores ASCII case: ILIKE, on crew's own lower-case prefix.
        let sql = format!(
            "SELECT p.account, sum(p.amount)::bigint, count(*) FROM billing_entries e
             JOIN billing_postings p ON p.entry_seq = e.seq
             WHERE e.kind IN ({}) AND e.at < $1 AND p.account ILIKE $2
               AND NOT EXISTS (SELECT 1 FROM billing_invoice_entries l WHERE l.entry_seq = e.seq)
             GROUP BY p.account",
            kinds(cycle)
        );
        let rows = self.query(&sql, &[&until, &format!("{}:%", cycle.as_str())])?;
        let mut out = Vec::new();
        for row in &rows {
            let account = col(row, 0, LedgerAccount::parse)?;
            let holder =
                account.holder().ok_or_else(|| Error::internal(format!("ledger account {account} has no holder")))?;
            out.push(OpenAmount { holder, sum: Money::from_cents(get(row, 1)?), entries: narrow(get(row, 2)?)? });
        }
        out.sort_by_key(|o| o.holder);
        Ok(out)
    }

    fn insert_invoice(&mut self, i: &Invoice) -> Result<()> {
        self.execute(
            &format!("INSERT INTO billing_invoices ({INVOICE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"),
            &[
                &i.number.get(),
                &i.cycle.as_str(),
                &i.holder.get(),
                &i.period,
                &i.amount.cents(),
                &int(i.entries)?,
                &i.issued_at,
                &i.status.as_str(),
            ],
        )?;
        Ok(())
    }

    fn link_period_entries(&mut self, cycle: Cycle, period: &str, until: DateTime<Utc>) -> Result<u64> {
        // From the period's invoices to their holders' postings (by account) to the entries: one
        // statement for the whole close. The SELECT sees the table as it was before the
        // statement, so NOT EXISTS sees only the links made earlier (as in SQLite).
        let sql = format!(
            "INSERT INTO billing_invoice_entries (invoice, entry_seq)
             SELECT DISTINCT i.number, e.seq FROM billing_invoices i
             JOIN billing_postings p ON p.account = i.cycle || ':' || i.holder
             JOIN billing_entries e ON e.seq = p.entry_seq
             WHERE i.cycle = $1 AND i.period = $2 AND e.kind IN ({}) AND e.at < $3
               AND NOT EXISTS (SELECT 1 FROM billing_invoice_entries l WHERE l.entry_seq = e.seq)",
            kinds(cycle)
        );
        self.execute(&sql, &[&cycle.as_str(), &period, &until])
    }

    fn invoice(&mut self, number: InvoiceNo) -> Result<Option<Invoice>> {
        let row = self.query_opt(
            &format!("SELECT {INVOICE_COLUMNS} FROM billing_invoices WHERE number = $1"),
            &[&number.get()],
        )?;
        row.as_ref().map(invoice_row).transpose()
    }

    fn invoices(&mut self, f: &InvoiceFilter) -> Result<Vec<Invoice>> {
        let cycle = f.cycle.map(Cycle::as_str);
        let holder = f.holder.map(AccountId::get);
        let status = f.status.map(InvoiceStatus::as_str);
        let mut sql = format!("SELECT {INVOICE_COLUMNS} FROM billing_invoices WHERE 1 = 1");
        let mut args: Vec<&(dyn ToSql + Sync)> = Vec::new();
        if let Some(c) = &cycle {
            args.push(c);
            sql += &format!(" AND cycle = ${}", args.len());
        }
        if let Some(h) = &holder {
            args.push(h);
            sql += &format!(" AND holder = ${}", args.len());
        }
        if let Some(p) = &f.period {
            args.push(p);
            sql += &format!(" AND period = ${}", args.len());
        }
        if let Some(s) = &status {
            args.push(s);
            sql += &format!(" AND status = ${}", args.len());
        }
        sql += " ORDER BY number";
        let rows = self.query(&sql, &args)?;
        rows.iter().map(invoice_row).collect()
    }

    fn update_invoice_status(&mut self, number: InvoiceNo, status: InvoiceStatus) -> Result<()> {
        let n = self
            .execute("UPDATE billing_invoices SET status = $2 WHERE number = $1", &[&number.get(), &status.as_str()])?;
        if n == 0 {
            return Err(Error::not_found(format!("no invoice {number}")));
        }
        Ok(())
    }

    fn invoice_line_sums(&mut self) -> Result<Vec<(InvoiceNo, Money, u64)>> {
        let rows = self.query(
            "SELECT i.number, coalesce(sum(p.amount), 0)::bigint, count(l.entry_seq) FROM billing_invoices i
             LEFT JOIN billing_invoice_entries l ON l.invoice = i.number
             LEFT JOIN billing_postings p ON p.entry_seq = l.entry_seq AND p.account = i.cycle || ':' || i.holder
             GROUP BY i.number ORDER BY i.number",
            &[],
        )?;
        rows.iter()
            .map(|r| Ok((InvoiceNo::new(get(r, 0)?), Money::from_cents(get(r, 1)?), narrow(get(r, 2)?)?)))
            .collect()
    }

    fn insert_payment(&mut self, p: &Payment) -> Result<PaymentId> {
        let row = self.query_one(
            "INSERT INTO billing_payments (kind, invoice, holder, amount, method, key, status, attempts,
                                           service_id, note, updated_at, retry)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            &[
                &p.kind.as_str(),
                &p.invoice.get(),
                &p.holder.get(),
                &p.amount.cents(),
                &p.method,
                &p.key,
                &p.status.as_str(),
                &i64::from(p.attempts),
                &p.service_id,
                &p.note,
                &p.updated_at,
                &i64::from(p.retry),
            ],
        )?;
        Ok(PaymentId::new(get(&row, 0)?))
    }

    fn payment(&mut self, id: PaymentId) -> Result<Option<Payment>> {
        let row =
            self.query_opt(&format!("SELECT {PAYMENT_COLUMNS} FROM billing_payments WHERE id = $1"), &[&id.get()])?;
        row.as_ref().map(payment_row).transpose()
    }

    fn payment_of(&mut self, invoice: InvoiceNo) -> Result<Option<Payment>> {
        let row = self.query_opt(
            &format!("SELECT {PAYMENT_COLUMNS} FROM billing_payments WHERE invoice = $1 ORDER BY retry DESC LIMIT 1"),
            &[&invoice.get()],
        )?;
        row.as_ref().map(payment_row).transpose()
    }

    fn open_payments(&mut self, kind: Option<PaymentKind>) -> Result<Vec<Payment>> {
        let rows = self.query(
            &format!(
                "SELECT {PAYMENT_COLUMNS} FROM billing_payments
                 WHERE status IN ('reserved', 'submitted', 'unknown') AND ($1::text IS NULL OR kind = $1) ORDER BY id"
            ),
            &[&kind.map(PaymentKind::as_str)],
        )?;
        rows.iter().map(payment_row).collect()
    }

    fn update_payment(&mut self, p: &Payment) -> Result<()> {
        let n = self.execute(
            "UPDATE billing_payments SET status = $2, attempts = $3, service_id = $4, note = $5, updated_at = $6
             WHERE id = $1",
            &[&p.id.get(), &p.status.as_str(), &i64::from(p.attempts), &p.service_id, &p.note, &p.updated_at],
        )?;
        if n == 0 {
            return Err(Error::not_found(format!("no payment #{}", p.id)));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};
    use crew_core::billing::{ClosedPeriod, CompanyAccount, Cycle, Entry, EntryId, EntryKind, LedgerAccount, Posting};
    use crew_core::error::ErrorKind;
    use crew_core::types::Money;
    use crew_core::wiring::Store;

    use crate::postgres::test_server::fresh_store;

    fn at() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap()
    }

    /// SQLite carries on after a failed statement; PostgreSQL aborts the transaction unless the
    /// entry's savepoint is rolled back: a refused entry leaves nothing, and the caller goes on.
    #[test]
    fn a_refused_entry_leaves_nothing_and_its_transaction_goes_on() {
        let (_guard, mut store) = fresh_store();
        let house = LedgerAccount::Company(CompanyAccount::House);
        let twice = Entry {
            id: EntryId::parse("t:twice").unwrap(),
            kind: EntryKind::Award,
            at: at(),
            order: None,
            cause: None,
            actor: None,
            memo: String::new(),
            postings: vec![
                Posting { account: house, amount: Money::from_cents(5) },
                Posting { account: house, amount: Money::from_cents(-5) },
            ],
        };
        let good = Entry::transfer(
            EntryId::parse("t:good").unwrap(),
            EntryKind::Award,
            at(),
            LedgerAccount::Company(CompanyAccount::Awards),
            house,
            Money::from_cents(7),
            String::new(),
        );
        store
            .write(|tx| {
                assert_eq!(tx.insert_entry(&twice).unwrap_err().kind, ErrorKind::Conflict);
                tx.insert_entry(&good)
            })
            .unwrap();
        let (refused, kept, recomputed) =
            store.read(|tx| Ok((tx.entry(&twice.id)?, tx.balances()?, tx.recomputed_balances()?))).unwrap();
        assert_eq!(refused, None);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept, recomputed);
    }

    /// Periods closed at the same time come in the order they were closed (SQLite's rowid), not
    /// by their key.
    #[test]
    fn periods_closed_at_the_same_time_come_in_the_order_they_were_closed() {
        let (_guard, mut store) = fresh_store();
        let period = |cycle: Cycle, period: &str| ClosedPeriod {
            cycle,
            period: period.into(),
            until: at(),
            closed_at: at() + Duration::hours(1),
            closed_by: None,
            invoices: 0,
            total: Money::ZERO,
        };
        let (worker, client) = (period(Cycle::Worker, "2026-11"), period(Cycle::Client, "2026-W49"));
        store
            .write(|tx| {
                tx.insert_closed_period(&worker)?;
                tx.insert_closed_period(&client)
            })
            .unwrap();
        assert_eq!(store.read(|tx| tx.closed_periods()).unwrap(), vec![worker, client]);
    }
}
