//! Identity keys that clashed when a SQLite database was brought into Unicode NFC, carried over
//! by `crew db copy`: rows nobody merged, for an admin to decide on (see `crate::clashes`).

use crew_core::error::Result;

use super::PostgresStore;
use super::row::{get, internal};
use crate::IdentityClash;

impl PostgresStore {
    /// The clashes an admin has not settled yet (as [`crate::SqliteStore::identity_clashes`]).
    pub fn identity_clashes(&mut self) -> Result<Vec<IdentityClash>> {
        let (client, _) = self.session()?;
        let rows = client
            .query(
                "SELECT c.kind, c.key, array_agg(c.row_id ORDER BY c.row_id) FROM identity_clashes c
                 LEFT JOIN accounts a ON c.kind = 'account' AND a.id = c.row_id
                 LEFT JOIN applications p ON c.kind = 'application' AND p.id = c.row_id
                 WHERE (c.kind = 'account' AND a.active) OR (c.kind = 'application' AND p.status <> 'rejected')
                 GROUP BY c.kind, c.key HAVING count(*) > 1 ORDER BY c.kind COLLATE \"C\", min(c.row_id)",
                &[],
            )
            .map_err(internal)?;
        rows.iter().map(|r| Ok(IdentityClash { kind: get(r, 0)?, key: get(r, 1)?, ids: get(r, 2)? })).collect()
    }
}
