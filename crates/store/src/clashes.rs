//! Identity keys that clashed when this database was brought into Unicode NFC
//! (`migrations/0006_identity_nfc.sql`): rows nobody merged, for an admin to decide on.

use crew_core::error::Result;
use rusqlite::params;

use crate::SqliteStore;
use crate::row::internal;

/// Rows whose login or email became the same key in NFC, and that are all still in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityClash {
    /// `account` or `application`.
    pub kind: String,
    /// The NFC form the rows share.
    pub key: String,
    /// The rows' ids, ascending.
    pub ids: Vec<i64>,
}

impl SqliteStore {
    /// The clashes an admin has not settled yet: those with two or more accounts still active, or
    /// two or more applications not rejected. Empty for a database that never held a key in two
    /// forms (and cheap then: the table is empty).
    pub fn identity_clashes(&mut self) -> Result<Vec<IdentityClash>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT c.kind, c.key, group_concat(c.row_id) FROM identity_clashes c
                 LEFT JOIN accounts a ON c.kind = 'account' AND a.id = c.row_id
                 LEFT JOIN applications p ON c.kind = 'application' AND p.id = c.row_id
                 WHERE (c.kind = 'account' AND a.active = 1) OR (c.kind = 'application' AND p.status <> ?1)
                 GROUP BY c.kind, c.key HAVING count(*) > 1 ORDER BY c.kind, min(c.row_id)",
            )
            .map_err(internal)?;
        let rows = stmt
            .query_map(params!["rejected"], |r| {
                let ids: String = r.get(2)?;
                let mut ids: Vec<i64> = ids.split(',').filter_map(|i| i.parse().ok()).collect();
                ids.sort_unstable();
                Ok(IdentityClash { kind: r.get(0)?, key: r.get(1)?, ids })
            })
            .map_err(internal)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(internal)
    }
}
