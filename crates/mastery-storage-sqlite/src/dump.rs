//! The whole database at once, for `mastery db copy`: [`Storage::export_all`] and
//! [`Storage::import_all`](mastery_storage::Storage::import_all), on the statements every
//! backend shares.
//!
//! [`Storage::export_all`]: mastery_storage::Storage::export_all

use mastery_storage::{Dump, Result};

use crate::Sql;
use crate::SqliteStore;

impl SqliteStore {
    /// One read transaction on a reader: in WAL mode it reads one snapshot, from its first
    /// statement on, while writes go on.
    pub(crate) async fn export(&self) -> Result<Dump> {
        let mut tx = self.readers.begin().await.map_err(|e| self.error(e))?;
        let dump = Sql::export(&mut tx, self.decoder()).await?;
        tx.rollback().await.map_err(|e| self.error(e))?;
        Ok(dump)
    }

    /// One `BEGIN IMMEDIATE` transaction on the writer. SQLite numbers later rows after
    /// the highest imported id by itself (`INTEGER PRIMARY KEY`).
    pub(crate) async fn import(&self, dump: &Dump) -> Result<()> {
        let mut tx = self.write().await?;
        Sql::import_into_empty(&mut tx, self.decoder(), dump).await?;
        tx.commit().await.map_err(|e| self.error(e))
    }
}
