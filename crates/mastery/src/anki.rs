//! Anki both ways: `mastery export anki|csv GUIDE -o FILE` writes a guide as an Anki
//! package or as Anki's text format (with the learner's scheduling on request), and
//! `mastery import FILE.apkg|.colpkg|.csv|.tsv|.txt -o DIR` (reached through `import.rs`)
//! writes an Anki deck as a guide folder, and its review history into the learner's data
//! on request. The formats are `mastery_anki`; the learner's data goes through
//! `mastery_app` (`cards::of_guide` to read, the learner restore to write).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use indicatif::{ProgressBar, ProgressStyle};
use mastery_anki::guide::{self, AnkiNote};
use mastery_anki::schedule::{self, Scheduling};
use mastery_app::learner_data::restore::{self, Backup};
use mastery_content::{Guide, Level, load_guide};
use mastery_storage::{CardPhase, QuestionKey, ReviewRecord, StoredCard};
use mastery_study::text::plural;

use crate::context::{self, DataArgs, UserArgs};
use crate::guides::print_diagnostics;
use crate::{output, runtime, site};

/// Arguments of `mastery export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The format: `anki` (an .apkg package) or `csv` (Anki's text format; tab-separated
    /// when FILE ends in .tsv or .txt).
    #[arg(value_name = "FORMAT")]
    format: Format,
    /// A built-in guide's id (`python-django`) or a guide folder.
    #[arg(value_name = "GUIDE")]
    guide: String,
    /// The file to write.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
    /// Carry your FSRS memory state, due dates and review history (anki only).
    #[arg(long)]
    with_scheduling: bool,
    /// Replace FILE if it exists.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    user: UserArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// An Anki package (.apkg).
    Anki,
    /// Anki's text format (.csv, .tsv, .txt).
    Csv,
}

fn spinner(message: String) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    bar.set_message(message);
    bar
}

fn load(name: &str) -> anyhow::Result<Guide> {
    let files = site::source(name)?;
    let report = load_guide(&files);
    print_diagnostics(&report.diagnostics);
    match report.guide {
        Some(guide) => Ok(guide),
        None => bail!(
            "{} has {} (listed above); fix them, then export again (`mastery check {name}` shows them too)",
            files.root,
            plural(report.error_count(), "error", "errors")
        ),
    }
}

/// `mastery export anki|csv GUIDE -o FILE`.
pub fn export(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let guide = load(&args.guide)?;
    let shown = args.output.display();
    if args.format == Format::Csv {
        if args.with_scheduling {
            bail!(
                "Anki's text format has no scheduling; use `mastery export anki {} -o FILE.apkg --with-scheduling`",
                args.guide
            );
        }
        let separator = mastery_anki::text::default_separator(&args.output.to_string_lossy());
        let (text, notes) =
            mastery_anki::text::write(&guide, separator).context("cannot write the text file")?;
        output::write_file(&args.output, text.as_bytes(), args.force)?;
        println!(
            "Exported {} of {} to {shown} (Anki's text format; in Anki: File > Import).",
            plural(notes, "note", "notes"),
            guide.title
        );
        return Ok(ExitCode::SUCCESS);
    }
    let runtime = runtime::current_thread()?;
    runtime.block_on(async {
        let scheduling = if args.with_scheduling {
            let db =
                context::open_store(args.data.data_dir.as_deref(), args.data.database.as_deref())
                    .await?;
            let learner = context::learner(db.store.as_ref(), args.user.user.as_deref()).await?;
            let (cards, reviews) =
                mastery_app::cards::of_guide(db.store.as_ref(), learner, guide.id.as_str())
                    .await
                    .context("cannot read your cards and reviews")?;
            Some(to_scheduling(&cards, &reviews))
        } else {
            None
        };
        let bar = spinner(format!("writing {shown}"));
        let result =
            mastery_anki::export::package(&guide, scheduling.as_ref(), mastery_storage::now())
                .await;
        bar.finish_and_clear();
        let (bytes, summary) = result.context("cannot write the Anki package")?;
        output::write_file(&args.output, &bytes, args.force)?;
        let mut line = format!(
            "Exported {} in {} of {} to {shown} ({} KiB)",
            plural(summary.notes, "note", "notes"),
            plural(summary.decks, "deck", "decks"),
            guide.title,
            bytes.len() / 1024
        );
        if args.with_scheduling {
            line.push_str(&format!(
                ", with {} and {}",
                plural(summary.scheduled, "scheduled card", "scheduled cards"),
                plural(summary.reviews, "review", "reviews")
            ));
        }
        if summary.insights_left_out > 0 {
            line.push_str(&format!(
                "; {} left out (insights are not questions)",
                plural(summary.insights_left_out, "insight", "insights")
            ));
        }
        println!("{line}.");
        println!(
            "In Anki: File > Import, choose {shown}. Exporting again later updates the same notes."
        );
        Ok(ExitCode::SUCCESS)
    })
}

fn phase_out(phase: CardPhase) -> schedule::Phase {
    match phase {
        CardPhase::New => schedule::Phase::New,
        CardPhase::Learning => schedule::Phase::Learning,
        CardPhase::Review => schedule::Phase::Review,
        CardPhase::Relearning => schedule::Phase::Relearning,
    }
}

fn phase_in(phase: schedule::Phase) -> CardPhase {
    match phase {
        schedule::Phase::New => CardPhase::New,
        schedule::Phase::Learning => CardPhase::Learning,
        schedule::Phase::Review => CardPhase::Review,
        schedule::Phase::Relearning => CardPhase::Relearning,
    }
}

fn state_out(card: &StoredCard) -> schedule::CardState {
    schedule::CardState {
        phase: phase_out(card.phase),
        step: card.step,
        stability: card.stability,
        difficulty: card.difficulty,
        due: card.due,
        last_review: card.last_review,
        reps: card.reps,
        lapses: card.lapses,
    }
}

fn state_in(key: &QuestionKey, state: &schedule::CardState) -> StoredCard {
    StoredCard {
        key: key.clone(),
        phase: phase_in(state.phase),
        step: state.step,
        stability: state.stability,
        difficulty: state.difficulty,
        due: state.due,
        last_review: state.last_review,
        reps: state.reps,
        lapses: state.lapses,
    }
}

fn to_scheduling(cards: &[StoredCard], reviews: &[ReviewRecord]) -> Scheduling {
    Scheduling {
        cards: cards
            .iter()
            .map(|c| (c.key.question.clone(), state_out(c)))
            .collect(),
        reviews: reviews
            .iter()
            .map(|r| schedule::Review {
                id: r.id.clone(),
                question: r.key.question.clone(),
                rating: r.rating,
                reviewed_at: r.reviewed_at,
                time_spent_ms: r.time_spent_ms,
                before: r.before.as_ref().map(state_out),
                after: state_out(&r.after),
            })
            .collect(),
    }
}

/// What `mastery import` needs to import an Anki file.
#[derive(Debug)]
pub struct ImportRequest<'a> {
    pub source: &'a Path,
    pub output: &'a Path,
    pub id: Option<String>,
    pub title: Option<String>,
    pub level: Level,
    pub force: bool,
    pub with_scheduling: bool,
    pub data: &'a DataArgs,
    pub user: &'a UserArgs,
}

/// Whether `path` is a file `mastery import` reads as Anki's.
pub fn is_anki_file(path: &Path) -> bool {
    matches!(
        extension(path).as_str(),
        "apkg" | "colpkg" | "csv" | "tsv" | "txt"
    )
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// `mastery import FILE.apkg|.colpkg|.csv|.tsv|.txt -o DIR`.
pub fn import(request: &ImportRequest<'_>) -> anyhow::Result<ExitCode> {
    let source = request.source;
    let shown = source.display().to_string();
    let name = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    let bytes = std::fs::read(source).with_context(|| format!("cannot read {shown}"))?;
    let package = matches!(extension(source).as_str(), "apkg" | "colpkg");
    let runtime = runtime::current_thread()?;
    let (notes, format, templates, reviews_in_file, other_reviews, ignored_headers) = if package {
        let bar = spinner(format!("reading {shown}"));
        let read = runtime.block_on(mastery_anki::read::read(&bytes));
        bar.finish_and_clear();
        let package = read.with_context(|| format!("cannot import {shown}"))?;
        (
            package.notes,
            package.format,
            package.templates,
            package.reviews,
            package.other_reviews,
            Vec::new(),
        )
    } else {
        if request.with_scheduling {
            bail!(
                "{shown} is a text file, which has no scheduling; --with-scheduling needs an .apkg or .colpkg"
            );
        }
        let text = mastery_anki::text::read(
            &shown,
            &bytes,
            mastery_anki::text::default_separator(&shown),
        )?;
        (
            text.notes,
            "Anki's text format".to_owned(),
            BTreeMap::new(),
            0,
            0,
            text.ignored_headers,
        )
    };
    if notes.is_empty() {
        bail!("{shown} holds no notes to import");
    }
    let options = guide::Options {
        id: request.id.clone(),
        title: request.title.clone(),
        level: request.level,
        name: name.clone(),
    };
    if let Some(id) = &options.id {
        mastery_content::Id::parse(id)
            .map_err(|e| anyhow::anyhow!("--id {id:?} is not a valid id: {e}"))?;
    }
    let imported = guide::to_guide(&notes, &options);
    if imported.sections.is_empty() {
        bail!(
            "none of the {} of {shown} has both a question and an answer; nothing was written",
            plural(notes.len(), "note", "notes")
        );
    }

    // Checked as `mastery check` would, before anything is written.
    let warnings = crate::import::check_imported(request.output, &imported.files)?;

    let mut out: Vec<(String, Vec<u8>)> = imported
        .files
        .iter()
        .map(|(p, t)| (p.clone(), t.clone().into_bytes()))
        .collect();
    let missing_media = if package && !imported.media.is_empty() {
        let wanted: BTreeSet<&str> = imported.media.iter().map(String::as_str).collect();
        let media = mastery_anki::read::media(&bytes, &|n| wanted.contains(n))
            .with_context(|| format!("cannot read the media of {shown}"))?;
        let missing = imported.media.len().saturating_sub(media.len());
        out.extend(
            media
                .into_iter()
                .map(|(name, data)| (format!("media/{name}"), data)),
        );
        missing
    } else {
        imported.media.len()
    };
    let media_count = out.len() - imported.files.len();
    let bar = ProgressBar::new(out.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("writing {bar:32.cyan/blue} {pos}/{len} files  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    output::write_dir(request.output, &out, request.force, |n| {
        bar.set_message(n.to_owned());
        bar.inc(1);
    })?;
    bar.finish_and_clear();

    let questions = imported.questions.len();
    println!(
        "Imported {} in {} from {name} ({format}) into {} (guide `{}`, \"{}\").",
        plural(questions, "question", "questions"),
        plural(imported.sections.len(), "section", "sections"),
        request.output.display(),
        imported.id,
        imported.title
    );
    crate::import::print_sections(&imported.sections);
    let types: Vec<String> = imported
        .note_types
        .iter()
        .map(|(n, c)| format!("{n} ({c})"))
        .collect();
    println!("Note types: {}", types.join(", "));
    if media_count > 0 {
        println!(
            "Media: {} copied to {}/media/",
            plural(media_count, "file", "files"),
            request.output.display()
        );
    }
    let mut left_out: Vec<(String, usize)> = imported.left_out.clone().into_iter().collect();
    // Only the note types the notes use.
    let templates: BTreeMap<&String, &usize> = templates
        .iter()
        .filter(|(name, _)| imported.note_types.contains_key(*name))
        .collect();
    let template_count: usize = templates.values().copied().sum();
    if template_count > 0 {
        left_out.push((
            format!(
                "card templates and styling of {} (Mastery shows every question its own way)",
                plural(templates.len(), "note type", "note types")
            ),
            template_count,
        ));
    }
    if other_reviews > 0 {
        left_out.push((
            "reviews of reverse and further cards (their notes' first card keeps its own)"
                .to_owned(),
            other_reviews,
        ));
    }
    if missing_media > 0 {
        left_out.push((
            "images a field shows that the file does not hold".to_owned(),
            missing_media,
        ));
    }
    for header in &ignored_headers {
        left_out.push((format!("header `#{header}`"), 1));
    }
    if reviews_in_file > 0 && !request.with_scheduling {
        left_out.push((
            "reviews (pass --with-scheduling to import them into your data)".to_owned(),
            reviews_in_file,
        ));
    }
    if !left_out.is_empty() {
        println!("Not carried over:");
        for (what, n) in &left_out {
            println!("  {n:>6}  {what}");
        }
    }

    if request.with_scheduling {
        let summary = runtime.block_on(async {
            let db = context::open_store(
                request.data.data_dir.as_deref(),
                request.data.database.as_deref(),
            )
            .await?;
            let learner = context::learner(db.store.as_ref(), request.user.user.as_deref()).await?;
            let backup = backup_of(&notes, &imported.questions, &imported.id);
            restore::restore(db.store.as_ref(), learner, &backup, false)
                .await
                .context("cannot write the review history into your data")
        })?;
        let [_, _, (_, cards), (_, reviews), _, _] = summary.rows();
        println!(
            "Scheduling: {} and {} added to your data ({} already there). Add the guide with \
             `mastery serve --guides {}` to study it.",
            plural(cards.added + cards.updated, "card", "cards"),
            plural(reviews.added, "review", "reviews"),
            reviews.unchanged,
            request.output.display()
        );
    }
    println!(
        "Next: mastery check {0}   ({1})\n      mastery build {0} -o site",
        request.output.display(),
        plural(warnings, "warning", "warnings")
    );
    Ok(ExitCode::SUCCESS)
}

/// The notes' card states and review logs as a learner backup of guide `guide`.
fn backup_of(notes: &[AnkiNote], questions: &BTreeMap<usize, String>, guide: &str) -> Backup {
    let mut backup = Backup::default();
    for (index, question) in questions {
        let Some(note) = notes.get(*index) else {
            continue;
        };
        let key = QuestionKey::new(guide, question.as_str());
        if let Some(card) = &note.card {
            backup.cards.insert(key.clone(), state_in(&key, card));
        }
        let mut last: Option<i64> = None;
        for review in &note.reviews {
            let elapsed_days = match (last, review.before.as_ref()) {
                (Some(l), Some(_)) => (review.reviewed_at - l) as f64 / schedule::DAY_MS as f64,
                _ => 0.0,
            };
            let scheduled_days = review
                .before
                .as_ref()
                .and_then(|b| {
                    b.last_review
                        .map(|l| (b.due - l) as f64 / schedule::DAY_MS as f64)
                })
                .unwrap_or(0.0)
                .max(0.0);
            last = Some(review.reviewed_at);
            backup.reviews.push(ReviewRecord {
                id: review.id.clone(),
                key: key.clone(),
                rating: review.rating,
                reviewed_at: review.reviewed_at,
                elapsed_days: elapsed_days.max(0.0),
                scheduled_days,
                time_spent_ms: review.time_spent_ms,
                before: review.before.as_ref().map(|b| state_in(&key, b)),
                after: state_in(&key, &review.after),
            });
        }
    }
    backup.reviews.sort_by_key(|r| r.reviewed_at);
    backup
}
