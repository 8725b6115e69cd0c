//! `mastery learner export` and `mastery learner import`: one learner's marks, notes, card
//! states, review log, interviews and settings as the versioned JSON document of
//! `docs/your-data.md` (the same one "Download my data" gives), written whole or not at
//! all, and restored by the merge rules of `mastery_app::learner_data::restore`.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use mastery_app::learner_data::{self, restore};

use crate::context::{self, DataArgs, UserArgs};
use crate::output;
use crate::runtime;

/// Arguments of `mastery learner`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: LearnerCommand,
}

#[derive(Debug, Subcommand)]
enum LearnerCommand {
    /// Write one learner's data (marks, notes, card states, review log, interviews,
    /// settings) to a JSON file.
    #[command(after_help = "\
Examples:
  mastery learner export -o mastery-backup.json
  mastery learner export -o - | gzip > backup.json.gz
  mastery learner export --user ada -o ada.json --database postgres://mastery@db/mastery

The file is the versioned document of docs/your-data.md (schema mastery.learner-data),
the same one \"Download my data\" and the settings page give. It is written to a temporary
file first and renamed into place, so it is never half-written.")]
    Export(ExportArgs),

    /// Restore one learner's data from a JSON file written by `learner export` (or
    /// downloaded from the settings or account page). Safe to run again.
    #[command(after_help = "\
Examples:
  mastery learner import mastery-backup.json --dry-run     # what would change
  mastery learner import mastery-backup.json
  mastery learner import ada.json --user ada --overwrite

Restoring merges: marks are added; reviews are merged by review id, so a file restored twice
adds nothing; a note, card or interview is taken from the file only when the file's is
newer, and a setting only when you have none. With --overwrite the file wins every
difference. Nothing is deleted, and everything is written in one transaction.")]
    Import(ImportArgs),
}

#[derive(Debug, clap::Args)]
struct ExportArgs {
    /// The file to write (`-` for standard output).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    user: UserArgs,
}

#[derive(Debug, clap::Args)]
struct ImportArgs {
    /// The JSON file to restore.
    #[arg(value_name = "FILE.json")]
    file: PathBuf,
    /// Take the file's note, card, setting or interview wherever it differs from yours,
    /// even when yours is newer.
    #[arg(long)]
    overwrite: bool,
    /// Show what would change; write nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    user: UserArgs,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    match &args.command {
        LearnerCommand::Export(args) => export(args),
        LearnerCommand::Import(args) => import(args),
    }
}

fn export(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let runtime = runtime::current_thread()?;
    runtime.block_on(async {
        let db = context::open_store(args.data.data_dir.as_deref(), args.data.database.as_deref())
            .await?;
        let learner = context::learner(db.store.as_ref(), args.user.user.as_deref()).await?;
        let document = learner_data::export(db.store.as_ref(), learner, mastery_storage::now())
            .await
            .context("cannot read the learner's data")?;
        let mut bytes =
            serde_json::to_vec_pretty(&document).context("cannot write the learner's data")?;
        bytes.push(b'\n');
        let counts = count_line(&document);
        if args.output.as_os_str() == "-" {
            std::io::stdout()
                .write_all(&bytes)
                .context("cannot write to standard output")?;
            eprintln!("Exported {counts}.");
        } else {
            output::write_file(&args.output, &bytes, args.force)?;
            println!("Exported {counts} to {}.", args.output.display());
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `3 marks, 2 notes, ...` from an exported document.
fn count_line(document: &serde_json::Value) -> String {
    ["marks", "notes", "cards", "reviews", "interviews"]
        .iter()
        .map(|kind| {
            let n = document
                .get(kind)
                .and_then(serde_json::Value::as_array)
                .map_or(0, Vec::len);
            format!("{n} {kind}")
        })
        .chain(std::iter::once(format!(
            "{} settings",
            document
                .get("settings")
                .and_then(serde_json::Value::as_object)
                .map_or(0, serde_json::Map::len)
        )))
        .collect::<Vec<_>>()
        .join(", ")
}

fn import(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let shown = args.file.display();
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {shown}"))?;
    let backup = restore::parse(&bytes).map_err(|e| {
        anyhow::anyhow!(
            "{shown}:{}:{}: {}\n  (a learner backup is the JSON file `mastery learner export` writes; see docs/your-data.md)",
            e.line,
            e.column,
            e.message
        )
    })?;
    let runtime = runtime::current_thread()?;
    runtime.block_on(async {
        let db = context::open_store(args.data.data_dir.as_deref(), args.data.database.as_deref())
            .await?;
        let learner = context::learner(db.store.as_ref(), args.user.user.as_deref()).await?;
        let spinner = ProgressBar::new_spinner();
        spinner.set_style(
            ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        spinner.enable_steady_tick(Duration::from_millis(100));
        spinner.set_message(if args.dry_run {
            format!("comparing {shown} with your data")
        } else {
            format!("restoring {shown}")
        });
        let summary = if args.dry_run {
            restore::preview(db.store.as_ref(), learner, &backup, args.overwrite).await
        } else {
            restore::restore(db.store.as_ref(), learner, &backup, args.overwrite).await
        };
        spinner.finish_and_clear();
        let summary = summary.with_context(|| format!("cannot restore {shown}"))?;
        print_summary(&summary, args, backup.username.as_deref());
        Ok(ExitCode::SUCCESS)
    })
}

fn print_summary(summary: &restore::Summary, args: &ImportArgs, from: Option<&str>) {
    let verb = if args.dry_run {
        "Would restore"
    } else {
        "Restored"
    };
    let from = from
        .map(|name| format!(" (exported from account {name})"))
        .unwrap_or_default();
    println!("{verb} {}{from}:", args.file.display());
    println!(
        "  {:<11} {:>7} {:>8} {:>10} {:>6}",
        "", "added", "updated", "unchanged", "kept"
    );
    for (name, c) in summary.rows() {
        println!(
            "  {name:<11} {:>7} {:>8} {:>10} {:>6}",
            c.added, c.updated, c.unchanged, c.kept
        );
    }
    if summary.written() == 0 {
        println!("Nothing to change: your data already holds everything in the file.");
    } else if args.dry_run {
        println!(
            "{} rows would be written; run again without --dry-run to restore.",
            summary.written()
        );
    }
    if summary.kept() > 0 {
        let were = if args.dry_run { "would be" } else { "were" };
        println!(
            "{} rows differ from the file and {were} kept as you have them (yours is newer, or \
             a setting you chose); pass --overwrite to take the file's.",
            summary.kept()
        );
    }
}
