//! Billing's tables: the ledger's immutable entries and postings, and the balances kept beside
//! them in the same transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use crew_core::billing::{
    Balance, BillingRead, BillingStore, ClosedPeriod, Cycle, Entry, EntryFilter, EntryId, EntryKind, Invoice,
    InvoiceFilter, InvoiceStatus, LedgerAccount, OpenAmount, Payment, PaymentKind, PaymentStatus, Posting,
};
use crew_core::error::{Error, Result};
use crew_core::ids::{AccountId, EventSeq, InvoiceNo, OrderId, PaymentId};
use crew_core::types::Money;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Row, params, params_from_iter};

use crate::row::{SqliteTx, col, internal, time, ts};

const ENTRY_COLUMNS: &str = "e.seq, e.id, e.kind, e.at, e.order_id, e.cause, e.actor, e.memo";

fn entry_row(row: &Row<'_>) -> rusqlite::Result<(i64, Entry)> {
    Ok((
        row.get(0)?,
        Entry {
            id: col(row, 1, EntryId::parse)?,
            kind: col(row, 2, EntryKind::parse)?,
            at: col(row, 3, time)?,
            order: row.get::<_, Option<i64>>(4)?.map(OrderId::new),
            cause: row.get::<_, Option<i64>>(5)?.map(EventSeq::new),
            actor: row.get::<_, Option<i64>>(6)?.map(AccountId::new),
            memo: row.get(7)?,
            postings: Vec::new(),
        },
    ))
}

fn balance_row(row: &Row<'_>) -> rusqlite::Result<Balance> {
    Ok(Balance {
        account: col(row, 0, LedgerAccount::parse)?,
        debits: Money::from_cents(row.get(1)?),
        credits: Money::from_cents(row.get(2)?),
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

fn period_row(row: &Row<'_>) -> rusqlite::Result<ClosedPeriod> {
    Ok(ClosedPeriod {
        cycle: col(row, 0, Cycle::parse)?,
        period: row.get(1)?,
        until: col(row, 2, time)?,
        closed_at: col(row, 3, time)?,
        closed_by: row.get::<_, Option<i64>>(4)?.map(AccountId::new),
        invoices: row.get::<_, i64>(5)? as u64,
        total: Money::from_cents(row.get(6)?),
    })
}

fn invoice_row(row: &Row<'_>) -> rusqlite::Result<Invoice> {
    Ok(Invoice {
        number: InvoiceNo::new(row.get(0)?),
        cycle: col(row, 1, Cycle::parse)?,
        holder: AccountId::new(row.get(2)?),
        period: row.get(3)?,
        amount: Money::from_cents(row.get(4)?),
        entries: row.get::<_, i64>(5)? as u64,
        issued_at: col(row, 6, time)?,
        status: col(row, 7, InvoiceStatus::parse)?,
    })
}

fn payment_row(row: &Row<'_>) -> rusqlite::Result<Payment> {
    Ok(Payment {
        id: PaymentId::new(row.get(0)?),
        kind: col(row, 1, PaymentKind::parse)?,
        invoice: InvoiceNo::new(row.get(2)?),
        holder: AccountId::new(row.get(3)?),
        amount: Money::from_cents(row.get(4)?),
        method: row.get(5)?,
        key: row.get(6)?,
        status: col(row, 7, PaymentStatus::parse)?,
        attempts: row.get(8)?,
        service_id: row.get(9)?,
        note: row.get(10)?,
        updated_at: col(row, 11, time)?,
        retry: row.get(12)?,
    })
}

impl SqliteTx<'_> {
    /// Fills in each entry's postings, in line order.
    fn with_postings(&self, mut entries: Vec<(i64, Entry)>) -> Result<Vec<Entry>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT account, amount FROM billing_postings WHERE entry_seq = ?1 ORDER BY line")
            .map_err(internal)?;
        for (seq, entry) in &mut entries {
            let rows = stmt
                .query_map([*seq], |r| {
                    Ok(Posting { account: col(r, 0, LedgerAccount::parse)?, amount: Money::from_cents(r.get(1)?) })
                })
                .map_err(internal)?;
            entry.postings = rows.collect::<rusqlite::Result<_>>().map_err(internal)?;
        }
        Ok(entries.into_iter().map(|(_, e)| e).collect())
    }
}

impl BillingRead for SqliteTx<'_> {
    fn ledger_balance(&mut self, account: LedgerAccount) -> Result<Balance> {
        let found = self
            .conn
            .prepare_cached("SELECT account, debits, credits FROM billing_balances WHERE account = ?1")
            .and_then(|mut s| s.query_row([account.to_string()], balance_row).optional())
            .map_err(internal)?;
        Ok(found.unwrap_or(Balance { account, debits: Money::ZERO, credits: Money::ZERO }))
    }

    fn total_paid(&mut self, client: AccountId) -> Result<Money> {
        self.conn
            .prepare_cached(
                "SELECT coalesce(sum(-p.amount), 0) FROM billing_postings p
                 JOIN billing_entries e ON e.seq = p.entry_seq
                 WHERE p.account = ?1 AND e.kind = 'collection'",
            )
            .and_then(|mut s| s.query_row([LedgerAccount::Client(client).to_string()], |r| r.get(0)))
            .map(Money::from_cents)
            .map_err(internal)
    }
}

impl BillingStore for SqliteTx<'_> {
    fn entry(&mut self, id: &EntryId) -> Result<Option<Entry>> {
        let found = self
            .conn
            .prepare_cached(&format!("SELECT {ENTRY_COLUMNS} FROM billing_entries e WHERE e.id = ?1"))
            .and_then(|mut s| s.query_row([id.as_str()], entry_row).optional())
            .map_err(internal)?;
        Ok(self.with_postings(found.into_iter().collect())?.pop())
    }

    fn insert_entry(&mut self, e: &Entry) -> Result<()> {
        // A savepoint, so a refused posting leaves none of the entry behind even when the caller
        // goes on with its transaction.
        self.conn.execute_batch("SAVEPOINT billing_entry").map_err(internal)?;
        let result = self.insert_entry_rows(e);
        let end =
            if result.is_ok() { "RELEASE billing_entry" } else { "ROLLBACK TO billing_entry; RELEASE billing_entry" };
        self.conn.execute_batch(end).map_err(internal)?;
        result
    }

    fn entries(&mut self, f: &EntryFilter) -> Result<Vec<Entry>> {
        let mut sql = format!("SELECT {ENTRY_COLUMNS} FROM billing_entries e WHERE 1 = 1");
        let mut args: Vec<Value> = Vec::new();
        if let Some(account) = f.account {
            args.push(Value::Text(account.to_string()));
            sql += &format!(
                " AND EXISTS (SELECT 1 FROM billing_postings p WHERE p.entry_seq = e.seq AND p.account = ?{})",
                args.len()
            );
        }
        if let Some(kind) = f.kind {
            args.push(Value::Text(kind.as_str().into()));
            sql += &format!(" AND e.kind = ?{}", args.len());
        }
        if let Some(order) = f.order {
            args.push(Value::Integer(order.get()));
            sql += &format!(" AND e.order_id = ?{}", args.len());
        }
        if let Some(since) = f.since {
            args.push(Value::Text(ts(since)));
            sql += &format!(" AND e.at >= ?{}", args.len());
        }
        if let Some(until) = f.until {
            args.push(Value::Text(ts(until)));
            sql += &format!(" AND e.at < ?{}", args.len());
        }
        sql += " ORDER BY e.at, e.seq";
        let mut stmt = self.conn.prepare_cached(&sql).map_err(internal)?;
        let rows = stmt.query_map(params_from_iter(args), entry_row).map_err(internal)?;
        let entries = rows.collect::<rusqlite::Result<Vec<_>>>().map_err(internal)?;
        drop(stmt);
        self.with_postings(entries)
    }

    fn balances(&mut self) -> Result<Vec<Balance>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT account, debits, credits FROM billing_balances ORDER BY account")
            .map_err(internal)?;
        let rows = stmt.query_map([], balance_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn recomputed_balances(&mut self) -> Result<Vec<Balance>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT account, sum(CASE WHEN amount > 0 THEN amount ELSE 0 END),
                        sum(CASE WHEN amount < 0 THEN -amount ELSE 0 END)
                 FROM billing_postings GROUP BY account ORDER BY account",
            )
            .map_err(internal)?;
        let rows = stmt.query_map([], balance_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn unbalanced_entries(&mut self) -> Result<Vec<(EntryId, i64)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT e.id, coalesce(sum(p.amount), 0) FROM billing_entries e
                 LEFT JOIN billing_postings p ON p.entry_seq = e.seq
                 GROUP BY e.seq HAVING coalesce(sum(p.amount), 0) != 0 OR count(p.line) < 2
                 ORDER BY e.id",
            )
            .map_err(internal)?;
        let rows = stmt.query_map([], |r| Ok((col(r, 0, EntryId::parse)?, r.get(1)?))).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn closed_period(&mut self, cycle: Cycle, period: &str) -> Result<Option<ClosedPeriod>> {
        self.conn
            .prepare_cached(&format!("SELECT {PERIOD_COLUMNS} FROM billing_periods WHERE cycle = ?1 AND period = ?2"))
            .and_then(|mut s| s.query_row(params![cycle.as_str(), period], period_row).optional())
            .map_err(internal)
    }

    fn insert_closed_period(&mut self, p: &ClosedPeriod) -> Result<()> {
        self.conn
            .prepare_cached(&format!(
                "INSERT INTO billing_periods ({PERIOD_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    p.cycle.as_str(),
                    p.period,
                    ts(p.until),
                    ts(p.closed_at),
                    p.closed_by.map(AccountId::get),
                    p.invoices as i64,
                    p.total.cents()
                ])
            })
            .map(|_| ())
            .map_err(internal)
    }

    fn closed_periods(&mut self) -> Result<Vec<ClosedPeriod>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {PERIOD_COLUMNS} FROM billing_periods ORDER BY closed_at, rowid"))
            .map_err(internal)?;
        let rows = stmt.query_map([], period_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn last_invoice_number(&mut self) -> Result<Option<InvoiceNo>> {
        self.conn
            .query_row("SELECT max(number) FROM billing_invoices", [], |r| r.get::<_, Option<i64>>(0))
            .map(|n| n.map(InvoiceNo::new))
            .map_err(internal)
    }

    fn open_amounts(&mut self, cycle: Cycle, until: DateTime<Utc>) -> Result<Vec<OpenAmount>> {
        let sql = format!(
            "SELECT p.account, sum(p.amount), count(*) FROM billing_entries e
             JOIN billing_postings p ON p.entry_seq = e.seq
             WHERE e.kind IN ({}) AND e.at < ?1 AND p.account LIKE ?2
               AND NOT EXISTS (SELECT 1 FROM billing_invoice_entries l WHERE l.entry_seq = e.seq)
             GROUP BY p.account",
            kinds(cycle)
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(internal)?;
        let rows = stmt
            .query_map(params![ts(until), format!("{}:%", cycle.as_str())], |r| {
                let account = col(r, 0, LedgerAccount::parse)?;
                Ok((account, Money::from_cents(r.get(1)?), r.get::<_, i64>(2)? as u64))
            })
            .map_err(internal)?;
        let mut out = Vec::new();
        for row in rows {
            let (account, sum, entries) = row.map_err(internal)?;
            let holder =
                account.holder().ok_or_else(|| Error::internal(format!("ledger account {account} has no holder")))?;
            out.push(OpenAmount { holder, sum, entries });
        }
        out.sort_by_key(|o| o.holder);
        Ok(out)
    }

    fn insert_invoice(&mut self, i: &Invoice) -> Result<()> {
        self.conn
            .prepare_cached(&format!(
                "INSERT INTO billing_invoices ({INVOICE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    i.number.get(),
                    i.cycle.as_str(),
                    i.holder.get(),
                    i.period,
                    i.amount.cents(),
                    i.entries as i64,
                    ts(i.issued_at),
                    i.status.as_str()
                ])
            })
            .map(|_| ())
            .map_err(internal)
    }

    fn link_period_entries(&mut self, cycle: Cycle, period: &str, until: DateTime<Utc>) -> Result<u64> {
        // From the period's invoices to their holders' postings (by account) to the entries: one
        // statement for the whole close. SQLite runs the SELECT before inserting (it reads the
        // table it writes), so NOT EXISTS sees only the links made before this statement.
        let sql = format!(
            "INSERT INTO billing_invoice_entries (invoice, entry_seq)
             SELECT DISTINCT i.number, e.seq FROM billing_invoices i
             JOIN billing_postings p ON p.account = i.cycle || ':' || i.holder
             JOIN billing_entries e ON e.seq = p.entry_seq
             WHERE i.cycle = ?1 AND i.period = ?2 AND e.kind IN ({}) AND e.at < ?3
               AND NOT EXISTS (SELECT 1 FROM billing_invoice_entries l WHERE l.entry_seq = e.seq)",
            kinds(cycle)
        );
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.execute(params![cycle.as_str(), period, ts(until)]))
            .map(|n| n as u64)
            .map_err(internal)
    }

    fn invoice(&mut self, number: InvoiceNo) -> Result<Option<Invoice>> {
        self.conn
            .prepare_cached(&format!("SELECT {INVOICE_COLUMNS} FROM billing_invoices WHERE number = ?1"))
            .and_then(|mut s| s.query_row([number.get()], invoice_row).optional())
            .map_err(internal)
    }

    fn invoices(&mut self, f: &InvoiceFilter) -> Result<Vec<Invoice>> {
        let mut sql = format!("SELECT {INVOICE_COLUMNS} FROM billing_invoices WHERE 1 = 1");
        let mut args: Vec<Value> = Vec::new();
        if let Some(c) = f.cycle {
            args.push(Value::Text(c.as_str().into()));
            sql += &format!(" AND cycle = ?{}", args.len());
        }
        if let Some(h) = f.holder {
            args.push(Value::Integer(h.get()));
            sql += &format!(" AND holder = ?{}", args.len());
        }
        if let Some(p) = &f.period {
            args.push(Value::Text(p.clone()));
            sql += &format!(" AND period = ?{}", args.len());
        }
        if let Some(s) = f.status {
            args.push(Value::Text(s.as_str().into()));
            sql += &format!(" AND status = ?{}", args.len());
        }
        sql += " ORDER BY number";
        let mut stmt = self.conn.prepare_cached(&sql).map_err(internal)?;
        let rows = stmt.query_map(params_from_iter(args), invoice_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn update_invoice_status(&mut self, number: InvoiceNo, status: InvoiceStatus) -> Result<()> {
        let n = self
            .conn
            .prepare_cached("UPDATE billing_invoices SET status = ?2 WHERE number = ?1")
            .and_then(|mut s| s.execute(params![number.get(), status.as_str()]))
            .map_err(internal)?;
        if n == 0 {
            return Err(Error::not_found(format!("no invoice {number}")));
        }
        Ok(())
    }

    fn invoice_line_sums(&mut self) -> Result<Vec<(InvoiceNo, Money, u64)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT i.number, coalesce(sum(p.amount), 0), count(l.entry_seq) FROM billing_invoices i
                 LEFT JOIN billing_invoice_entries l ON l.invoice = i.number
                 LEFT JOIN billing_postings p ON p.entry_seq = l.entry_seq AND p.account = i.cycle || ':' || i.holder
                 GROUP BY i.number ORDER BY i.number",
            )
            .map_err(internal)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((InvoiceNo::new(r.get(0)?), Money::from_cents(r.get(1)?), r.get::<_, i64>(2)? as u64))
            })
            .map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn insert_payment(&mut self, p: &Payment) -> Result<PaymentId> {
        self.conn
            .prepare_cached(
                "INSERT INTO billing_payments (kind, invoice, holder, amount, method, key, status, attempts,
                                               service_id, note, updated_at, retry)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    p.kind.as_str(),
                    p.invoice.get(),
                    p.holder.get(),
                    p.amount.cents(),
                    p.method,
                    p.key,
                    p.status.as_str(),
                    p.attempts,
                    p.service_id,
                    p.note,
                    ts(p.updated_at),
                    p.retry
                ])
            })
            .map_err(internal)?;
        Ok(PaymentId::new(self.conn.last_insert_rowid()))
    }

    fn payment(&mut self, id: PaymentId) -> Result<Option<Payment>> {
        self.conn
            .prepare_cached(&format!("SELECT {PAYMENT_COLUMNS} FROM billing_payments WHERE id = ?1"))
            .and_then(|mut s| s.query_row([id.get()], payment_row).optional())
            .map_err(internal)
    }

    fn payment_of(&mut self, invoice: InvoiceNo) -> Result<Option<Payment>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {PAYMENT_COLUMNS} FROM billing_payments WHERE invoice = ?1 ORDER BY retry DESC LIMIT 1"
            ))
            .and_then(|mut s| s.query_row([invoice.get()], payment_row).optional())
            .map_err(internal)
    }

    fn open_payments(&mut self, kind: Option<PaymentKind>) -> Result<Vec<Payment>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {PAYMENT_COLUMNS} FROM billing_payments
                 WHERE status IN ('reserved', 'submitted', 'unknown') AND (?1 IS NULL OR kind = ?1) ORDER BY id"
            ))
            .map_err(internal)?;
        let rows = stmt.query_map([kind.map(PaymentKind::as_str)], payment_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn update_payment(&mut self, p: &Payment) -> Result<()> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE billing_payments SET status = ?2, attempts = ?3, service_id = ?4, note = ?5, updated_at = ?6
                 WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![p.id.get(), p.status.as_str(), p.attempts, p.service_id, p.note, ts(p.updated_at)])
            })
            .map_err(internal)?;
        if n == 0 {
            return Err(Error::not_found(format!("no payment #{}", p.id)));
        }
        Ok(())
    }
}

impl SqliteTx<'_> {
    fn insert_entry_rows(&self, e: &Entry) -> Result<()> {
        let taken: Option<i64> = self
            .conn
            .prepare_cached("SELECT seq FROM billing_entries WHERE id = ?1")
            .and_then(|mut s| s.query_row([e.id.as_str()], |r| r.get(0)).optional())
            .map_err(internal)?;
        if taken.is_some() {
            return Err(Error::conflict(format!("entry {} is already in the ledger", e.id)));
        }
        self.conn
            .prepare_cached(
                "INSERT INTO billing_entries (id, kind, at, order_id, cause, actor, memo)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    e.id.as_str(),
                    e.kind.as_str(),
                    ts(e.at),
                    e.order.map(OrderId::get),
                    e.cause.map(EventSeq::get),
                    e.actor.map(AccountId::get),
                    e.memo,
                ])
            })
            .map_err(internal)?;
        let seq = self.conn.last_insert_rowid();
        let mut posting = self
            .conn
            .prepare_cached("INSERT INTO billing_postings (entry_seq, line, account, amount) VALUES (?1, ?2, ?3, ?4)")
            .map_err(internal)?;
        let mut balance = self
            .conn
            .prepare_cached(
                "INSERT INTO billing_balances (account, debits, credits) VALUES (?1, ?2, ?3)
                 ON CONFLICT (account) DO UPDATE SET debits = debits + excluded.debits,
                                                     credits = credits + excluded.credits",
            )
            .map_err(internal)?;
        // One balance update per account, even if a (refused) entry named one twice.
        let mut per_account: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for (i, p) in e.postings.iter().enumerate() {
            let account = p.account.to_string();
            posting.execute(params![seq, (i + 1) as i64, account, p.amount.cents()]).map_err(internal)?;
            let cents = p.amount.cents();
            let slot = per_account.entry(account).or_default();
            if cents > 0 {
                slot.0 += cents;
            } else {
                slot.1 -= cents;
            }
        }
        for (account, (debits, credits)) in per_account {
            balance.execute(params![account, debits, credits]).map_err(internal)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{TimeZone, Utc};
    use crew_core::billing::{self, CompanyAccount, Entry, EntryId, EntryKind, LedgerAccount, Posted, Posting};
    use crew_core::error::ErrorKind;
    use crew_core::types::Money;
    use crew_core::wiring::Store;
    use proptest::prelude::*;

    use crate::SqliteStore;

    fn at() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap()
    }

    #[test]
    fn sqlite_refuses_to_update_or_delete_entries_and_postings() {
        let mut store = SqliteStore::in_memory().unwrap();
        let entry = Entry::transfer(
            EntryId::parse("t:1").unwrap(),
            EntryKind::Award,
            at(),
            LedgerAccount::Company(CompanyAccount::Awards),
            LedgerAccount::Company(CompanyAccount::House),
            Money::from_cents(500),
            "test".into(),
        );
        store.write(|tx| tx.insert_entry(&entry)).unwrap();
        for sql in [
            "UPDATE billing_entries SET memo = 'changed'",
            "DELETE FROM billing_entries",
            "UPDATE billing_postings SET amount = 1",
            "DELETE FROM billing_postings",
        ] {
            let err = store.conn.execute(sql, []).unwrap_err().to_string();
            assert!(err.contains("immutable"), "{sql}: {err}");
        }
        let id = entry.id.clone();
        assert_eq!(store.read(|tx| tx.entry(&id)).unwrap(), Some(entry));
    }

    /// Ledger accounts the property test posts between.
    fn account(i: u8) -> LedgerAccount {
        match i % 5 {
            0 => LedgerAccount::Company(CompanyAccount::Revenue),
            1 => LedgerAccount::Company(CompanyAccount::Awards),
            2 => LedgerAccount::Company(CompanyAccount::Fines),
            3 => LedgerAccount::Company(CompanyAccount::House),
            _ => LedgerAccount::Company(CompanyAccount::BankClearing),
        }
    }

    /// One operation on the ledger: an entry (id drawn from a small set, so ids repeat, with the
    /// same or other content), its postings drawn so that some do not balance.
    #[derive(Debug, Clone)]
    struct Op {
        id: u8,
        lines: Vec<(u8, i64)>,
        /// Make the last posting balance the others (most entries) or leave it as drawn.
        balance_it: bool,
    }

    fn op() -> impl Strategy<Value = Op> {
        (0u8..12, proptest::collection::vec((0u8..5, -100_000i64..100_000), 1..5), proptest::bool::weighted(0.8))
            .prop_map(|(id, lines, balance_it)| Op { id, lines, balance_it })
    }

    fn entry(op: &Op) -> Entry {
        let mut postings: Vec<Posting> =
            op.lines.iter().map(|(a, c)| Posting { account: account(*a), amount: Money::from_cents(*c) }).collect();
        if op.balance_it {
            let rest: i64 = postings[..postings.len() - 1].iter().map(|p| p.amount.cents()).sum();
            postings.last_mut().unwrap().amount = Money::from_cents(-rest);
        }
        Entry {
            id: EntryId::parse(&format!("p:{}", op.id)).unwrap(),
            kind: EntryKind::Reversal,
            at: at(),
            order: None,
            cause: None,
            actor: None,
            memo: String::new(),
            postings,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever is posted — balanced or not, new ids or repeated ones with the same or other
        /// content — the ledger stays balanced, its kept balances equal the postings and a model
        /// of what was accepted, and a refused entry changes nothing.
        #[test]
        fn any_sequence_of_postings_keeps_the_ledger_balanced(ops in proptest::collection::vec(op(), 1..40)) {
            let mut store = SqliteStore::in_memory().unwrap();
            let mut model: BTreeMap<String, (i64, i64)> = BTreeMap::new();
            let mut accepted: BTreeMap<String, Entry> = BTreeMap::new();
            for op in &ops {
                let e = entry(op);
                let result = store.write(|tx| billing::post(tx, e.clone()));
                match (&result, accepted.get(e.id.as_str())) {
                    (Ok(Posted::New(_)), None) => {
                        for p in &e.postings {
                            let slot = model.entry(p.account.to_string()).or_default();
                            if p.amount.cents() > 0 { slot.0 += p.amount.cents() } else { slot.1 -= p.amount.cents() }
                        }
                        accepted.insert(e.id.to_string(), e.clone());
                    }
                    (Ok(Posted::Again(first)), Some(known)) => {
                        prop_assert!(first.same_content(known) && e.same_content(known));
                    }
                    (Err(err), Some(known)) => {
                        prop_assert!(!e.same_content(known));
                        prop_assert!(matches!(err.kind, ErrorKind::Conflict | ErrorKind::BadInput));
                    }
                    (Err(err), None) => {
                        prop_assert_eq!(err.kind, ErrorKind::BadInput, "{}", err);
                        prop_assert!(e.check().is_err());
                    }
                    (other, known) => prop_assert!(false, "{:?} for an id known as {:?}", other, known),
                }
            }
            let (kept, recomputed, unbalanced) =
                store.read(|tx| Ok((tx.balances()?, tx.recomputed_balances()?, tx.unbalanced_entries()?))).unwrap();
            prop_assert!(unbalanced.is_empty());
            prop_assert_eq!(&kept, &recomputed);
            let kept: BTreeMap<String, (i64, i64)> =
                kept.iter().map(|b| (b.account.to_string(), (b.debits.cents(), b.credits.cents()))).collect();
            prop_assert_eq!(kept, model);
            let total: i64 = recomputed.iter().map(|b| b.net().cents()).sum();
            prop_assert_eq!(total, 0);
        }
    }
}
