//! `mastery db copy`: moves everything from one database to another, in any direction
//! between SQLite and PostgreSQL, then verifies the copy.
//!
//! It goes through the storage trait only (`export_all` / `import_all`, then the read
//! methods): no SQL here. The copy keeps every id (learner ids, the review log's order), so
//! it reads back exactly as the original. The target must hold nothing yet; the command
//! never merges two databases or overwrites one.

use std::collections::BTreeSet;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::Subcommand;
use mastery_storage::{Dump, LearnerId, Storage};

use crate::context::{self, redact};
use crate::runtime;

/// Arguments of `mastery db`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: DbCommand,
}

#[derive(Debug, Subcommand)]
enum DbCommand {
    /// Copy everything from one database to an empty one (SQLite or PostgreSQL, either
    /// way), then verify that both hold the same.
    #[command(after_help = "\
Examples:
  mastery db copy --from sqlite://$HOME/.local/share/mastery/mastery.db \\
                  --to postgres://mastery:PASSWORD@db.internal/mastery
  mastery db copy --from postgres://mastery@db.internal/mastery --to sqlite://./mastery.db

What is copied: learners (with their ids), marks, notes, cards, the review log (in the
order it was recorded, so undo still takes the right review), study settings, mock
interviews, the secrets shared by the instances (the key that signs CSRF tokens), and
multi-user mode's accounts (with their password hashes), sessions, invitations (with their
numbers) and site settings: everyone stays signed in.

The target must be empty: a new SQLite file (its folder must exist), or a PostgreSQL
database created for it (createdb mastery); both are given the current schema first. A
target that already holds a learner, a secret, an invitation or a site setting is refused,
and none of its rows are touched (opening it brings an older schema up to date, as every
command does; migrations only add). Opening the source brings its schema up to date too.

Stop Mastery on the source first: the copy reads one consistent snapshot, and writes made
after it would be missing from the copy (the verification reports them).

Afterwards both databases are read again and compared row by row and, for each learner,
through the same reads the app uses; any difference is listed and the exit status is 1.")]
    Copy(CopyArgs),
}

#[derive(Debug, clap::Args)]
struct CopyArgs {
    /// The database to copy from: sqlite://PATH (or a path) or postgres://USER@HOST/DB.
    #[arg(long, value_name = "URL")]
    from: String,
    /// The empty database to copy to: sqlite://PATH (or a path) or postgres://USER@HOST/DB.
    #[arg(long, value_name = "URL")]
    to: String,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let runtime = runtime::current_thread()?;
    match &args.command {
        DbCommand::Copy(copy_args) => runtime.block_on(copy(copy_args)),
    }
}

async fn copy(args: &CopyArgs) -> anyhow::Result<ExitCode> {
    let (from, to) = (redact(&args.from), redact(&args.to));
    if args.from == args.to {
        bail!("--from and --to name the same database ({from}); give a new, empty one as --to");
    }
    if let Some(path) = sqlite_file(&args.from)?
        && !path.exists()
    {
        bail!(
            "there is no database at {} to copy from; check --from",
            path.display()
        );
    }
    let source_store = context::open_url(&args.from).await?;
    let target_store = context::open_url(&args.to).await?;
    let (source, target) = (source_store.storage(), target_store.storage());

    println!("Copying {from} to {to}");
    let dump = source
        .export_all()
        .await
        .with_context(|| format!("cannot read {from}"))?;
    target
        .import_all(&dump)
        .await
        .with_context(|| format!("cannot copy into {to}; nothing was written"))?;
    let total: usize = dump.counts().iter().map(|(_, n)| n).sum();
    for (what, count) in dump.counts() {
        println!("  {what:<13} {count:>9}");
    }
    println!("Copied {total} rows.");

    let problems = verify(&dump, source.as_ref(), target.as_ref()).await?;
    source_store.close().await;
    target_store.close().await;
    if problems.is_empty() {
        println!(
            "Verified: {to} holds exactly what {from} holds ({total} rows compared, and every \
             learner's data read back through the app's storage interface)."
        );
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("error: the copy could not be verified:");
        for problem in &problems {
            eprintln!("  {problem}");
        }
        Ok(ExitCode::FAILURE)
    }
}

/// The file a SQLite URL names (`None` for PostgreSQL and in-memory databases).
fn sqlite_file(url: &str) -> anyhow::Result<Option<std::path::PathBuf>> {
    if context::backend_of(url)? != context::Backend::Sqlite || url.ends_with(":memory:") {
        return Ok(None);
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    Ok(Some(std::path::PathBuf::from(path)))
}

/// Reads both databases again and compares them with the snapshot that was copied: row by
/// row (the exports), then learner by learner through the trait's reads. Returns what
/// differs, each line naming a table and keys, never content.
async fn verify(
    copied: &Dump,
    source: &dyn Storage,
    target: &dyn Storage,
) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    let in_target = target
        .export_all()
        .await
        .context("cannot read the copy back")?;
    for line in copied.differences(&in_target) {
        problems.push(format!("the copy differs from what was read: {line}"));
    }
    let in_source = source
        .export_all()
        .await
        .context("cannot read the source again")?;
    for line in copied.differences(&in_source) {
        problems.push(format!(
            "the source changed during the copy (is Mastery running on it? stop it, and copy \
             into a new database again): {line}"
        ));
    }
    let learners: Vec<LearnerId> = in_source.learners.iter().map(|l| l.id).collect();
    for learner in learners {
        for what in differing_reads(&in_source, learner, source, target).await? {
            problems.push(format!("learner {learner}: {what} differ"));
        }
    }
    Ok(problems)
}

/// The reads of one learner whose answers differ between the two stores.
async fn differing_reads(
    dump: &Dump,
    learner: LearnerId,
    a: &dyn Storage,
    b: &dyn Storage,
) -> anyhow::Result<Vec<&'static str>> {
    let mut differing = Vec::new();
    let mut check = |what: &'static str, same: bool| {
        if !same {
            differing.push(what);
        }
    };
    check("marks", a.marks(learner).await? == b.marks(learner).await?);
    check("notes", a.notes(learner).await? == b.notes(learner).await?);
    check("cards", a.cards(learner).await? == b.cards(learner).await?);
    check(
        "reviews",
        a.reviews(learner, None).await? == b.reviews(learner, None).await?,
    );
    check(
        "interviews",
        a.interviews(learner, u32::MAX).await? == b.interviews(learner, u32::MAX).await?,
    );
    let names: BTreeSet<&str> = dump
        .settings
        .iter()
        .filter(|s| s.learner == learner)
        .map(|s| s.name.as_str())
        .collect();
    let mut same = true;
    for name in names {
        same &= a.learner_setting(learner, name).await? == b.learner_setting(learner, name).await?;
    }
    check("settings", same);
    check(
        "accounts",
        a.account(learner).await? == b.account(learner).await?,
    );
    check(
        "sessions",
        a.sessions(learner).await? == b.sessions(learner).await?,
    );
    Ok(differing)
}
