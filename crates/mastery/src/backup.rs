//! `mastery backup`: an online copy of the SQLite database, safe while `mastery serve` runs.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use mastery_storage_sqlite::SqliteStore;

use crate::context::{self, DataArgs};
use crate::runtime;

/// Arguments of `mastery backup`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file to write the copy to (must not exist yet).
    #[arg(long, value_name = "FILE")]
    to: PathBuf,
    #[command(flatten)]
    data: DataArgs,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let runtime = runtime::current_thread()?;
    runtime.block_on(async {
        if let Some(url) = args.data.database.as_deref()
            && context::backend_of(url)? == context::Backend::Postgres
        {
            anyhow::bail!(
                "mastery backup copies SQLite databases; back up PostgreSQL with its own tools, \
                 e.g. `pg_dump --format=custom --file=mastery.dump {}` (see docs/deploy.md)",
                context::redact(url)
            );
        }
        let db = context::open_store(args.data.data_dir.as_deref(), args.data.database.as_deref())
            .await?;
        let store = SqliteStore::open(&db.url)
            .await
            .with_context(|| format!("cannot open {}", context::redact(&db.url)))?;
        store
            .backup_to(&args.to)
            .await
            .with_context(|| format!("cannot write the backup to {}", args.to.display()))?;
        store.close().await;
        println!(
            "Backed up {} to {} (restore: stop Mastery and pass --database sqlite://{}).",
            context::redact(&db.url),
            args.to.display(),
            args.to.display()
        );
        Ok(ExitCode::SUCCESS)
    })
}
