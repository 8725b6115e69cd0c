//! `mastery interview`: a timed mock interview in the terminal, on the same database as
//! `mastery serve` (SQLite in WAL mode lets both run at once).
//!
//! The flow is the web page's: choose a preset (or pass one, or a custom interview, on the
//! command line); each question shows a countdown and an answer editor; on submit the words
//! that matched a key point are highlighted and the checklist is ticked, every tick can be
//! corrected with the number keys, and a strong answer opens the question's follow-up;
//! at the end comes the report, and the ratings feed the study queue. Every operation is
//! `mastery_app::interview`'s, so an interview started here can be finished in the browser and
//! the other way round. `--report` and `--history` print without a terminal.
//!
//! Three parts, as in `mastery study`: [`app`] is the state machine (key and time in, action
//! out, no terminal, no database), [`view`] draws it with ratatui, and [`drive`] joins them
//! to the database and an [`Input`] of terminal events (crossterm's, polled with a timeout
//! so the countdown is redrawn every second; a script with its own clock in tests).

pub mod app;
pub mod view;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use mastery_app::AppError;
use mastery_app::interview::{self as service, Loaded, NewInterview};
use mastery_app::study as study_service;
use mastery_content::{Guide, Level};
use mastery_storage::{LearnerId, Millis, Storage, StorageError};
use mastery_study::interview::report::{clock, percent};
use mastery_study::interview::{self as domain, Answer, Custom, Request};
use mastery_study::scheduler::{DAY_MS, HOUR_MS, MINUTE_MS};
use mastery_study::stats::Date;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use tokio::runtime::Runtime;

use self::app::{Action, App, ReportView, Screen, screen_for, start_screen};
use crate::context::{self, DataArgs, GuidesArgs};
use crate::runtime;
use crate::tui::{self, LevelArg};

/// Questions of a custom interview when `--questions` is not given.
const DEFAULT_QUESTIONS: usize = 5;
/// Minutes per question of a custom interview when `--minutes` is not given.
const DEFAULT_MINUTES: u32 = 3;
/// What `--resume` without an id stands for.
const LATEST: &str = "latest";

/// Arguments of `mastery interview`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The guide to draw the questions from (its id) [default: the first guide].
    #[arg(long, value_name = "ID")]
    guide: Option<String>,
    /// Start this preset at once instead of choosing on the start screen.
    #[arg(
        long,
        value_name = "ID",
        value_parser = clap::builder::PossibleValuesParser::new(domain::PRESETS.iter().map(|p| p.id)),
        conflicts_with_all = ["levels", "sections", "questions", "minutes"]
    )]
    preset: Option<String>,
    /// Print the presets and exit.
    #[arg(long, conflicts_with_all = ["preset", "resume", "report", "history"])]
    list_presets: bool,
    /// Only this level (repeatable) [default: every level].
    #[arg(
        long = "level",
        value_enum,
        value_name = "LEVEL",
        help_heading = "Custom interview"
    )]
    levels: Vec<LevelArg>,
    /// Only this section (its id; repeatable) [default: every section].
    #[arg(long = "section", value_name = "ID", help_heading = "Custom interview")]
    sections: Vec<String>,
    /// Number of main questions, 1 to 50 [default: 5].
    #[arg(long, value_name = "N", help_heading = "Custom interview")]
    questions: Option<usize>,
    /// Minutes per question, 1 to 30 [default: 3].
    #[arg(long, value_name = "M", help_heading = "Custom interview")]
    minutes: Option<u32>,
    /// Continue an unfinished interview (without ID: the latest unfinished one).
    #[arg(
        long,
        value_name = "ID",
        num_args = 0..=1,
        default_missing_value = LATEST,
        conflicts_with_all = ["guide", "preset", "levels", "sections", "questions", "minutes"]
    )]
    resume: Option<String>,
    /// Print the report of a finished interview and exit (no terminal needed).
    #[arg(
        long,
        value_name = "ID",
        conflicts_with_all = ["guide", "preset", "levels", "sections", "questions", "minutes", "resume", "history"]
    )]
    report: Option<String>,
    /// Print your past interviews (date, title, score) and exit (no terminal needed).
    #[arg(
        long,
        conflicts_with_all = ["guide", "preset", "levels", "sections", "questions", "minutes", "resume"]
    )]
    history: bool,
    /// Write the report as Markdown to FILE when the interview is finished (with --report:
    /// at once); `-` prints it.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["history", "list_presets"])]
    markdown: Option<PathBuf>,
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    guides: GuidesArgs,
}

/// How the session begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// The start screen, for this guide.
    Choose(String),
    /// A new interview on this guide.
    Start {
        /// The guide's id.
        guide: String,
        /// A preset or a custom interview.
        request: Request,
    },
    /// An unfinished interview, by id.
    Resume(String),
}

/// Where an interview runs: the store, the learner and the guides.
#[derive(Debug)]
pub struct Session<'a> {
    /// The store.
    pub store: &'a dyn Storage,
    /// The learner (personal mode: the one learner).
    pub learner: LearnerId,
    /// The loaded guides.
    pub guides: &'a [Arc<Guide>],
    /// The learner's UTC offset, for the dates shown.
    pub utc_offset_minutes: i32,
}

/// Where key presses come from. `screen` is what was just drawn (tests read it).
pub trait Input {
    /// The next terminal event, or `None` when `timeout` passes first.
    fn next(&mut self, screen: &Buffer, timeout: Duration) -> std::io::Result<Option<Event>>;
}

/// The real terminal's events.
#[derive(Debug)]
struct Crossterm;

impl Input for Crossterm {
    fn next(&mut self, _screen: &Buffer, timeout: Duration) -> std::io::Result<Option<Event>> {
        if event::poll(timeout)? {
            event::read().map(Some)
        } else {
            Ok(None)
        }
    }
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if args.list_presets {
        print!("{}", presets_text());
        return Ok(ExitCode::SUCCESS);
    }
    let guides = context::load_guides(&args.guides.guides)?;
    let runtime = runtime::current_thread()?;
    let open = || -> anyhow::Result<(context::Database, LearnerId, i32)> {
        let (db, learner) = tui::open(&runtime, &args.data)?;
        let offset = runtime
            .block_on(study_service::scheduler(db.store.as_ref(), learner))
            .context("cannot read the study settings")?
            .clock()
            .utc_offset_minutes();
        Ok((db, learner, offset))
    };

    if args.history {
        let (db, learner, offset) = open()?;
        let (summaries, trend) = runtime
            .block_on(service::history(db.store.as_ref(), learner))
            .context("cannot read the interviews")?;
        print!("{}", history_text(&summaries, &trend, offset));
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(id) = &args.report {
        let (db, learner, offset) = open()?;
        let (loaded, report) = runtime
            .block_on(service::report(db.store.as_ref(), learner, &guides, id))
            .with_context(|| format!("cannot make the report of interview `{id}`"))?;
        if !loaded.interview.is_finished() {
            bail!(
                "interview `{id}` is not finished yet; continue it with `{}`",
                command(args, &format!("--resume {id}"))
            );
        }
        let view = report_view(&loaded, report, &guides, offset);
        match &args.markdown {
            Some(path) => write_markdown(path, &view)?,
            None => print!("{}", report_text(&view)),
        }
        return Ok(ExitCode::SUCCESS);
    }

    let begin = begin(args, &guides)?;
    tui::require_terminal(
        "mastery interview",
        "`mastery interview --history` and `--report ID` print anywhere",
    )?;
    let (db, learner, offset) = open()?;
    let begin = match begin {
        Begin::Resume(id) if id == LATEST => {
            let (summaries, _) = runtime
                .block_on(service::history(db.store.as_ref(), learner))
                .context("cannot read the interviews")?;
            let latest = summaries.iter().find(|s| s.finished_at.is_none()).context(
                "there is no unfinished interview to resume; start one with `mastery interview`",
            )?;
            Begin::Resume(latest.id.clone())
        }
        other => other,
    };
    let session = Session {
        store: db.store.as_ref(),
        learner,
        guides: &guides,
        utc_offset_minutes: offset,
    };

    let (mut terminal, guard) = tui::enter(true)?;
    let result = drive(
        &mut terminal,
        &runtime,
        &session,
        begin,
        &mut Crossterm,
        context::now_millis,
    );
    drop(guard);
    let (_, loaded) = result?;

    let Some(loaded) = loaded else {
        println!("No interview started.");
        return Ok(ExitCode::SUCCESS);
    };
    if !loaded.interview.is_finished() {
        println!(
            "Interview {id} is not finished; continue it with:\n  {}",
            command(args, &format!("--resume {}", loaded.id)),
            id = loaded.id
        );
        if args.markdown.is_some() {
            println!("(The Markdown report is written when the interview is finished.)");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let guide = find_guide(&guides, &loaded.interview.guide)?;
    let view = report_view(
        &loaded,
        domain::report(&loaded.interview, guide),
        &guides,
        offset,
    );
    print!("{}", summary_text(&view));
    println!(
        "Full report: {}",
        command(args, &format!("--report {}", loaded.id))
    );
    if let Some(path) = &args.markdown {
        write_markdown(path, &view)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `mastery interview` with `rest` and the data options given, to print as a hint.
fn command(args: &Args, rest: &str) -> String {
    let mut line = format!("mastery interview {rest}");
    if let Some(dir) = &args.data.data_dir {
        let _ = write!(line, " --data-dir {}", dir.display());
    }
    if let Some(url) = &args.data.database {
        let _ = write!(line, " --database {}", context::redact(url));
    }
    for dir in &args.guides.guides {
        let _ = write!(line, " --guides {}", dir.display());
    }
    line
}

/// What the arguments ask for, checked against the guides: the guide, preset, levels and
/// sections must exist and select at least one question.
fn begin(args: &Args, guides: &[Arc<Guide>]) -> anyhow::Result<Begin> {
    if let Some(id) = &args.resume {
        return Ok(Begin::Resume(id.clone()));
    }
    let guide = match &args.guide {
        Some(id) => guides
            .iter()
            .find(|g| g.id.as_str() == id)
            .with_context(|| {
                format!(
                    "there is no guide `{id}`; the guides are: {}",
                    list(guides.iter().map(|g| g.id.as_str()))
                )
            })?,
        None => guides.first().context("no guide is loaded")?,
    };
    let custom = !args.levels.is_empty()
        || !args.sections.is_empty()
        || args.questions.is_some()
        || args.minutes.is_some();
    let request = match (&args.preset, custom) {
        (Some(id), _) => Request::Preset { id: id.clone() },
        (None, true) => {
            for section in &args.sections {
                if !guide.sections.iter().any(|s| s.id.as_str() == section) {
                    bail!(
                        "the guide {} has no section `{section}`; its sections are: {}",
                        guide.id.as_str(),
                        list(guide.sections.iter().map(|s| s.id.as_str()))
                    );
                }
            }
            Request::Custom(Custom {
                levels: args.levels.iter().copied().map(Level::from).collect(),
                sections: args.sections.clone(),
                questions: args.questions.unwrap_or(DEFAULT_QUESTIONS),
                minutes_per_question: args.minutes.unwrap_or(DEFAULT_MINUTES),
            })
        }
        (None, false) => return Ok(Begin::Choose(guide.id.to_string())),
    };
    // The same check `start` makes, before the terminal is taken over.
    domain::lineup(guide, &request, 0).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Begin::Start {
        guide: guide.id.to_string(),
        request,
    })
}

fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

fn find_guide<'g>(guides: &'g [Arc<Guide>], id: &str) -> anyhow::Result<&'g Guide> {
    guides
        .iter()
        .find(|g| g.id.as_str() == id)
        .map(AsRef::as_ref)
        .with_context(|| format!("the guide `{id}` of this interview is not loaded"))
}

/// How long to wait for a key: until the countdown's next second (at least 50 ms), or a
/// second on screens without one.
fn poll_timeout(app: &App) -> Duration {
    let ms = match &app.screen {
        Screen::Question { card, .. } => {
            let left = card.remaining_ms(app.now);
            if left > 0 {
                match left % 1000 {
                    0 => 1000,
                    r => r,
                }
            } else {
                // In the grace period: until it ends.
                card.deadline + domain::session::GRACE_MS + 1 - app.now
            }
        }
        _ => 1000,
    };
    Duration::from_millis(u64::try_from(ms.clamp(50, 1000)).unwrap_or(1000))
}

/// Runs an interview until the learner leaves: draws, waits for a key or the next second of
/// the countdown, and carries out the actions through `mastery_app::interview`. Returns the final
/// state and the interview, if one was started or resumed.
pub fn drive<B>(
    terminal: &mut Terminal<B>,
    runtime: &Runtime,
    session: &Session<'_>,
    begin: Begin,
    input: &mut dyn Input,
    now: impl Fn() -> Millis,
) -> anyhow::Result<(App, Option<Loaded>)>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
{
    let mut app = App::new(now());
    let mut loaded: Option<Loaded> = None;
    let mut start_guide = String::new();
    match begin {
        Begin::Choose(guide) => {
            app.show(start_screen(find_guide(session.guides, &guide)?));
            start_guide = guide;
        }
        Begin::Start { guide, request } => {
            let started = start(runtime, session, &guide, &request, now())?;
            show(&mut app, session, &started, now())?;
            loaded = Some(started);
        }
        Begin::Resume(id) => {
            let resumed = runtime
                .block_on(service::show(
                    session.store,
                    session.learner,
                    session.guides,
                    &id,
                    now(),
                ))
                .with_context(|| format!("cannot resume interview `{id}`"))?;
            if resumed.interview.is_finished() {
                bail!(
                    "interview `{id}` is finished; `mastery interview --report {id}` prints its report"
                );
            }
            show(&mut app, session, &resumed, now())?;
            loaded = Some(resumed);
        }
    }
    loop {
        let mut action = app.tick(now());
        if action == Action::None {
            let timeout = poll_timeout(&app);
            let frame = terminal
                .draw(|frame| view::render(frame, &mut app))
                .context("cannot draw on the terminal")?;
            let event = input
                .next(frame.buffer, timeout)
                .context("cannot read from the terminal")?;
            action = match event {
                Some(Event::Key(key)) if key.kind == KeyEventKind::Press => app.on_key(key, now()),
                Some(Event::Paste(text)) => app.on_paste(&text, now()),
                _ => Action::None,
            };
        }
        let at = now();
        let id = loaded.as_ref().map(|l| l.id.clone()).unwrap_or_default();
        // The question on screen: a step for another one (the interview moved on in the
        // browser meanwhile) is refused as a conflict instead of answering the wrong one.
        let shown = match &app.screen {
            Screen::Question { card, .. } => Some(card.item),
            Screen::Feedback(feedback) => Some(feedback.card.item),
            _ => None,
        };
        let (store, learner, guides) = (session.store, session.learner, session.guides);
        let result: Result<Option<Loaded>, AppError> = match action {
            Action::None => continue,
            Action::Quit => return Ok((app, loaded)),
            Action::Start(preset) => {
                let request = Request::Preset {
                    id: preset.to_owned(),
                };
                match start(runtime, session, &start_guide, &request, at) {
                    Ok(started) => Ok(Some(started)),
                    Err(e) => {
                        app.status = Some(format!("Cannot start: {}", e.root_cause()));
                        continue;
                    }
                }
            }
            Action::Submit(answer) => runtime
                .block_on(service::submit(
                    store, learner, guides, &id, shown, answer, at,
                ))
                .map(|(l, submitted)| {
                    if submitted.timed_out {
                        app.status =
                            Some("Submitted after the time was up: recorded as timed out.".into());
                    }
                    Some(l)
                }),
            Action::TimeUp(text) => {
                app.status = Some("Time is up: this question is recorded as timed out.".into());
                if text.trim().is_empty() {
                    runtime
                        .block_on(service::show(store, learner, guides, &id, at))
                        .map(Some)
                } else {
                    runtime
                        .block_on(service::submit(
                            store,
                            learner,
                            guides,
                            &id,
                            shown,
                            Answer::Typed { text },
                            at,
                        ))
                        .map(|(l, _)| Some(l))
                }
            }
            Action::Correct {
                item,
                key_point,
                ticked,
            } => runtime
                .block_on(service::correct(
                    store, learner, guides, &id, item, key_point, ticked,
                ))
                .map(Some),
            Action::Next => runtime
                .block_on(service::next(store, learner, guides, &id, shown, at))
                .map(|(l, _)| Some(l)),
            Action::Finish => runtime
                .block_on(service::finish(store, learner, guides, &id, at))
                .map(|(l, _)| Some(l)),
        };
        let fresh = match result {
            Ok(fresh) => fresh,
            Err(error) => {
                app.status = Some(match error {
                    AppError::Storage(StorageError::Conflict) => {
                        "This interview changed elsewhere (in the browser?): reloaded.".to_owned()
                    }
                    other => format!("Not saved: {other}"),
                });
                // Reloaded as shown at `now`: a question whose time is up is expired, so a
                // failed submit at the deadline is not retried in a loop.
                let reloaded = runtime
                    .block_on(service::show(store, learner, guides, &id, now()))
                    .with_context(|| format!("cannot reload interview `{id}`"))?;
                Some(reloaded)
            }
        };
        if let Some(fresh) = fresh {
            let status = app.status.take();
            show(&mut app, session, &fresh, now())?;
            app.status = status;
            loaded = Some(fresh);
        }
    }
}

/// Starts an interview with a fresh id and seed.
fn start(
    runtime: &Runtime,
    session: &Session<'_>,
    guide: &str,
    request: &Request,
    now: Millis,
) -> anyhow::Result<Loaded> {
    let id = random_id()?;
    let new = NewInterview {
        guide,
        request,
        id: &id,
        seed: random_seed()?,
    };
    runtime
        .block_on(service::start(
            session.store,
            session.learner,
            session.guides,
            &new,
            now,
        ))
        .context("cannot start the interview")
}

/// Shows what `loaded` is at: its question, its checklist or its report.
fn show(app: &mut App, session: &Session<'_>, loaded: &Loaded, now: Millis) -> anyhow::Result<()> {
    let guide = find_guide(session.guides, &loaded.interview.guide)?;
    let date = date_time(loaded.interview.started_at, session.utc_offset_minutes);
    app.show(screen_for(&loaded.id, &loaded.interview, guide, now, &date));
    Ok(())
}

/// A fresh interview id: 6 random bytes as 12 hex digits (short enough to type).
fn random_id() -> anyhow::Result<String> {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("no randomness for an interview id: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A fresh seed for choosing the questions.
fn random_seed() -> anyhow::Result<u64> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for a seed: {e}"))?;
    Ok(u64::from_le_bytes(bytes))
}

/// `at` as "2026-03-10 14:05" for a learner `offset_minutes` east of UTC.
pub fn date_time(at: Millis, offset_minutes: i32) -> String {
    let local = at.saturating_add(i64::from(offset_minutes) * MINUTE_MS);
    let date = Date::of_day(local.div_euclid(DAY_MS));
    let in_day = local.rem_euclid(DAY_MS);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        date.year,
        date.month,
        date.day,
        in_day / HOUR_MS,
        in_day % HOUR_MS / MINUTE_MS
    )
}

/// The report of a finished interview with the titles and date the screens need.
fn report_view(
    loaded: &Loaded,
    report: domain::Report,
    guides: &[Arc<Guide>],
    offset_minutes: i32,
) -> ReportView {
    let guide = guides
        .iter()
        .find(|g| g.id.as_str() == loaded.interview.guide);
    let titles = report
        .questions
        .iter()
        .map(|q| {
            guide
                .and_then(|g| g.entry(&q.question))
                .map_or_else(|| q.question.clone(), |e| e.title_text.clone())
        })
        .collect();
    ReportView {
        id: loaded.id.clone(),
        report,
        date: date_time(loaded.interview.started_at, offset_minutes),
        titles,
    }
}

/// Writes the Markdown report to `path` (`-`: standard output).
fn write_markdown(path: &Path, view: &ReportView) -> anyhow::Result<()> {
    let markdown = domain::to_markdown(&view.report, &view.date);
    if path == Path::new("-") {
        print!("{markdown}");
        return Ok(());
    }
    std::fs::write(path, markdown)
        .with_context(|| format!("cannot write the Markdown report to {}", path.display()))?;
    println!("Markdown report written to {}", path.display());
    Ok(())
}

/// `--list-presets`.
fn presets_text() -> String {
    let mut out = String::from("Interview presets (mastery interview --preset ID):\n\n");
    for p in &domain::PRESETS {
        let levels: Vec<&str> = p.levels.iter().map(|l| l.as_str()).collect();
        let _ = writeln!(
            out,
            "  {:<28} {}: {} questions in {} minutes, {}",
            p.id,
            p.title,
            p.questions,
            p.minutes,
            levels.join(" and ")
        );
        let _ = writeln!(out, "  {:<28} {}", "", p.description);
    }
    out.push_str(
        "\nCustom interviews: --level (repeatable), --section (repeatable), --questions N, --minutes M.\n",
    );
    out
}

/// `--history`: one row per interview, newest first, then the trend.
fn history_text(summaries: &[service::Summary], trend: &domain::Trend, offset: i32) -> String {
    if summaries.is_empty() {
        return "No interviews yet: start one with `mastery interview`.\n".to_owned();
    }
    let mut out = format!(
        "{:<14} {:<16}  {:>5}  {:>9}  {:<10}  {:<14} {}\n",
        "ID", "STARTED", "SCORE", "QUESTIONS", "STATUS", "GUIDE", "TITLE"
    );
    for s in summaries {
        let score = s
            .score
            .map_or_else(|| "-".to_owned(), |v| format!("{}%", percent(v)));
        let status = if s.finished_at.is_some() {
            "finished"
        } else {
            "unfinished"
        };
        let _ = writeln!(
            out,
            "{:<14} {:<16}  {:>5}  {:>9}  {:<10}  {:<14} {}",
            s.id,
            date_time(s.started_at, offset),
            score,
            s.asked,
            status,
            s.guide,
            s.title
        );
    }
    if let (Some(latest), Some(best)) = (trend.latest, trend.best) {
        let _ = write!(
            out,
            "\n{} finished: latest {}%, best {}%",
            trend.points.len(),
            percent(latest),
            percent(best)
        );
        if let Some(change) = trend.change {
            let points = (change * 100.0).round();
            let _ = write!(out, ", {points:+} points since the previous one");
        }
        out.push_str(".\n");
    }
    out
}

/// `--report`: the heading, then the report as on screen, without styles.
fn report_text(view: &ReportView) -> String {
    let r = &view.report;
    let mut out = format!(
        "Mock interview: {}\n{} · {} · id {}\n\n",
        r.title, r.guide_title, view.date, view.id
    );
    for (line, _) in view::report_lines(view) {
        let _ = writeln!(out, "{}", view::plain(&line).trim_end());
    }
    out
}

/// What is printed when a finished interview's screen is left.
fn summary_text(view: &ReportView) -> String {
    let r = &view.report;
    let follow_ups = r.questions.iter().filter(|q| q.depth > 0).count();
    let score = r.score.map_or_else(
        || "no score".to_owned(),
        |s| format!("{}% overall", percent(s)),
    );
    let mut out = format!(
        "{} ({}): {score}, {} used of {} planned.\n",
        r.title,
        r.guide_title,
        clock(r.used_ms),
        clock(r.planned_ms)
    );
    let _ = write!(
        out,
        "{} asked ({} follow-up{})",
        plural(r.questions.len(), "question", "questions"),
        follow_ups,
        if follow_ups == 1 { "" } else { "s" }
    );
    if !r.timed_out.is_empty() {
        let _ = write!(out, ", {} timed out", r.timed_out.len());
    }
    let _ = writeln!(
        out,
        "; {} fed to your study queue.",
        plural(view.fed(), "question", "questions")
    );
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::collections::VecDeque;
    use std::rc::Rc;

    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::test_support::{Env, NOW, assert_shows, env, guides, text};

    const SECTION: &str = "---\nid: basics\ntitle: Basics\n---\n\n\
## What does the GIL protect?\n\nid: gil\nlevel: junior\nfollow-ups: gil-release\n\n\
The global interpreter lock protects the interpreter's internal state.\n\n\
### Key points\n\n\
- Only one thread runs bytecode at a time.\n  Words: one thread | single thread, bytecode\n\
- It protects reference counting.\n  Words: reference count | refcount\n\n\
### References\n\n- [Glossary](https://docs.python.org/3/glossary.html)\n\n\
## When is the GIL released?\n\nid: gil-release\nlevel: senior\n\n\
Around blocking I/O.\n\n\
### Key points\n\n\
- Blocking I/O releases it.\n  Words: blocking, i/o\n\n\
### References\n\n- [Glossary](https://docs.python.org/3/glossary.html)\n\n\
## Is list.append atomic?\n\nid: append\nlevel: junior\n\nYes, in CPython.\n\n\
### Key points\n\n\
- Yes in CPython, thanks to the GIL.\n  Words: atomic, gil\n\n\
### References\n\n- [Glossary](https://docs.python.org/3/glossary.html)\n";

    const STRONG: &str = "The GIL means only one thread runs Python bytecode at a time. \
It mainly protects the reference count of every object from races.";

    /// A scripted session: keys, waits that move the clock, and things done elsewhere (in
    /// the browser) meanwhile.
    enum Step<'a> {
        Key(KeyEvent),
        Wait(Millis),
        Elsewhere(Box<dyn FnMut(Millis) + 'a>),
    }

    fn keys(text: &str) -> Vec<Step<'static>> {
        text.chars()
            .map(|c| {
                let code = if c == '\n' {
                    KeyCode::Enter
                } else {
                    KeyCode::Char(c)
                };
                Step::Key(KeyEvent::new(code, KeyModifiers::NONE))
            })
            .collect()
    }

    fn key(code: KeyCode) -> Step<'static> {
        Step::Key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn ctrl(c: char) -> Step<'static> {
        Step::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
    }

    /// Plays the steps one per drawn screen, keeping every screen as text; Ctrl+C when
    /// they run out.
    struct Script<'a> {
        steps: VecDeque<Step<'a>>,
        screens: Vec<String>,
        clock: Rc<Cell<Millis>>,
    }

    impl Input for Script<'_> {
        fn next(&mut self, screen: &Buffer, _timeout: Duration) -> std::io::Result<Option<Event>> {
            self.screens.push(text(screen));
            match self.steps.pop_front() {
                Some(Step::Key(key)) => Ok(Some(Event::Key(key))),
                Some(Step::Wait(ms)) => {
                    self.clock.set(self.clock.get() + ms);
                    Ok(None)
                }
                Some(Step::Elsewhere(mut action)) => {
                    action(self.clock.get());
                    Ok(None)
                }
                None => Ok(Some(Event::Key(KeyEvent::new(
                    KeyCode::Char('c'),
                    KeyModifiers::CONTROL,
                )))),
            }
        }
    }

    fn juniors() -> Begin {
        Begin::Start {
            guide: "t".into(),
            request: Request::Custom(Custom {
                levels: vec![Level::Junior],
                sections: Vec::new(),
                questions: 5,
                minutes_per_question: 1,
            }),
        }
    }

    fn play<'a>(
        env: &'a Env,
        begin: Begin,
        steps: Vec<Step<'a>>,
    ) -> (App, Option<Loaded>, Vec<String>) {
        let session = Session {
            store: &env.store,
            learner: env.learner,
            guides: &env.guides,
            utc_offset_minutes: 0,
        };
        let clock = Rc::new(Cell::new(NOW));
        let mut terminal = Terminal::new(TestBackend::new(100, 32)).unwrap();
        let mut script = Script {
            steps: steps.into(),
            screens: Vec::new(),
            clock: Rc::clone(&clock),
        };
        let (app, loaded) = drive(
            &mut terminal,
            &env.runtime,
            &session,
            begin,
            &mut script,
            || clock.get(),
        )
        .unwrap();
        (app, loaded, script.screens)
    }

    fn find<'s>(screens: &'s [String], needle: &str) -> &'s str {
        screens
            .iter()
            .find(|s| s.contains(needle))
            .unwrap_or_else(|| panic!("no screen shows {needle:?}:\n{}", screens.join("\n----\n")))
    }

    #[test]
    fn a_strong_answer_is_ticked_corrected_and_opens_the_follow_up() {
        let env = env(SECTION);
        let mut steps = vec![Step::Wait(1_500)];
        steps.extend(keys(STRONG));
        steps.extend([ctrl('d'), key(KeyCode::Char('2')), key(KeyCode::Char('n'))]);
        let (app, loaded, screens) = play(&env, juniors(), steps);

        let question = &screens[0];
        assert_shows(
            question,
            &[
                "What does the GIL protect?",
                "Time left 01:00", // the countdown
                "Question 1 of 2",
                "2 key points",
                "Ctrl+D or F2 submit",
            ],
        );
        assert!(
            screens[1].contains("Time left 00:59"),
            "redrawn as time passes: {}",
            screens[1]
        );
        let typing = &screens[screens.len() - 4];
        assert!(typing.contains("from races."), "the text typed: {typing}");

        let checked = &screens[screens.len() - 3];
        assert_shows(
            checked,
            &[
                "Key points: 2 of 2 ticked (100%)",
                "[x] 1  Only one thread runs bytecode at a time.  (auto)",
                "[x] 2  It protects reference counting.",
                "Model answer",
                "n follow-up",
                "1-2 toggle a point",
            ],
        );

        let corrected = &screens[screens.len() - 2];
        assert_shows(
            corrected,
            &[
                "[ ] 2  It protects reference counting.  (corrected)",
                "Key points: 1 of 2 ticked (50%)",
                "n next question", // 50% closes the ladder
            ],
        );

        // Corrected to 50%, the ladder closed: the next main question.
        let last = screens.last().unwrap();
        assert!(last.contains("Is list.append atomic?"), "{last}");
        assert!(matches!(app.screen, Screen::Question { .. }));
        let loaded = loaded.unwrap();
        let stored = env
            .runtime
            .block_on(service::load(&env.store, env.learner, &loaded.id))
            .unwrap();
        assert_eq!(stored.interview.items.len(), 2);
        assert_eq!(stored.interview.items[0].corrections, [None, Some(false)]);
        assert!(!stored.interview.is_finished(), "left resumable");
    }

    #[test]
    fn the_ladder_times_out_and_the_report_counts_it() {
        let env = env(SECTION);
        let mut steps = keys(STRONG);
        steps.push(key(KeyCode::F(2)));
        steps.push(key(KeyCode::Char('n')));
        // The follow-up: type a little, then let the time run out.
        steps.extend(keys("It is released"));
        steps.push(Step::Wait(60_000));
        steps.push(Step::Wait(3_000));
        steps.push(key(KeyCode::Char('n')));
        // The last main question, answered aloud, then finish.
        steps.push(ctrl('a'));
        steps.push(key(KeyCode::Char('1')));
        steps.push(key(KeyCode::Char('f')));
        steps.push(key(KeyCode::End));
        let (app, loaded, screens) = play(&env, juniors(), steps);

        let follow_up = find(&screens, "When is the GIL released?");
        assert!(follow_up.contains("Follow-up (depth 1)"), "{follow_up}");
        let up = find(&screens, "Time is up 00:00");
        assert!(up.contains("It is released"), "{up}");
        let timed_out = find(&screens, "recorded as timed out");
        assert!(timed_out.contains("The time was up"), "{timed_out}");
        let aloud = find(&screens, "answered aloud. Tick the points");
        assert!(aloud.contains("[ ] 1  Yes in CPython"), "{aloud}");

        let Screen::Report(view) = &app.screen else {
            panic!("ends on the report: {:?}", app.screen);
        };
        assert_eq!(view.report.timed_out, vec![1]);
        assert_eq!(view.fed(), 3);
        let report = find(&screens, "Overall score");
        assert!(
            report.contains("3 questions fed to your study queue"),
            "{report}"
        );
        assert!(report.contains("1.1"), "the follow-up's label: {report}");
        let end = screens.last().unwrap();
        assert!(end.contains("Timed out"), "{end}");
        assert!(
            end.contains("Blocking I/O releases it."),
            "missed point: {end}"
        );
        assert!(loaded.unwrap().interview.is_finished());
        let reviews = env
            .runtime
            .block_on(env.store.reviews(env.learner, None))
            .unwrap();
        assert_eq!(reviews.len(), 3, "every answered question is scheduled");
    }

    #[test]
    fn a_keyword_list_is_flagged_and_closes_the_ladder() {
        let env = env(SECTION);
        let mut steps = keys("one thread, bytecode, refcount");
        steps.push(ctrl('s'));
        let (_, _, screens) = play(&env, juniors(), steps);
        let checked = screens.last().unwrap();
        assert_shows(
            checked,
            &[
                "reads like a list of keywords",
                "(found only in a keyword list)",
                "n next question",
            ],
        );
    }

    #[test]
    fn an_answer_given_elsewhere_meanwhile_is_shown_not_overwritten() {
        let env = env(SECTION);
        let begun = Rc::new(Cell::new(false));
        let mut steps = keys("typed in the terminal");
        let elsewhere = Step::Elsewhere(Box::new(|now| {
            let (summaries, _) = env
                .runtime
                .block_on(service::history(&env.store, env.learner))
                .unwrap();
            env.runtime
                .block_on(service::submit(
                    &env.store,
                    env.learner,
                    &env.guides,
                    &summaries[0].id,
                    None,
                    Answer::Aloud,
                    now,
                ))
                .unwrap();
            begun.set(true);
        }));
        steps.push(elsewhere);
        steps.push(ctrl('d'));
        let (app, loaded, screens) = play(&env, juniors(), steps);
        assert!(begun.get());
        let last = screens.last().unwrap();
        assert!(
            last.contains("Not saved: this question has already been answered"),
            "{last}"
        );
        assert!(last.contains("answered aloud. Tick the points"), "{last}");
        assert!(matches!(app.screen, Screen::Feedback(_)));
        assert_eq!(
            loaded.unwrap().interview.items[0].answer,
            Some(Answer::Aloud)
        );
    }

    #[test]
    fn the_start_screen_starts_a_preset_and_an_interview_resumes() {
        let env = env(SECTION);
        let steps = vec![key(KeyCode::Enter), key(KeyCode::Esc), key(KeyCode::Esc)];
        let (_, loaded, screens) = play(&env, Begin::Choose("t".into()), steps);
        let start = &screens[0];
        assert!(start.contains("Choose an interview"), "{start}");
        assert!(start.contains("› Recruiter screen"), "{start}");
        assert!(start.contains("Senior Python internals"), "{start}");
        let leaving = screens.last().unwrap();
        assert!(leaving.contains("Press Esc again to leave"), "{leaving}");
        let loaded = loaded.unwrap();
        assert_eq!(loaded.interview.lineup.title, "Recruiter screen");

        // Resumed later: the same question, its clock still running.
        let (_, resumed, screens) = play(&env, Begin::Resume(loaded.id.clone()), vec![]);
        assert_eq!(resumed.unwrap().id, loaded.id);
        assert!(screens[0].contains("Time left"), "{}", screens[0]);
        assert!(screens[0].contains("Recruiter screen"), "{}", screens[0]);
    }

    #[test]
    fn arguments_are_checked_before_the_terminal() {
        use clap::Parser as _;

        #[derive(Debug, clap::Parser)]
        struct Cli {
            #[command(flatten)]
            args: Args,
        }
        let guides = guides(SECTION);
        let parse = |line: &[&str]| {
            let mut argv = vec!["interview"];
            argv.extend_from_slice(line);
            Cli::try_parse_from(argv).map(|c| c.args)
        };
        let begin_of = |line: &[&str]| begin(&parse(line).unwrap(), &guides);
        assert_eq!(begin_of(&[]).unwrap(), Begin::Choose("t".into()));
        assert_eq!(
            begin_of(&["--preset", "recruiter-screen"]).unwrap(),
            Begin::Start {
                guide: "t".into(),
                request: Request::Preset {
                    id: "recruiter-screen".into()
                }
            }
        );
        assert_eq!(
            begin_of(&["--resume"]).unwrap(),
            Begin::Resume(LATEST.into())
        );
        let custom = begin_of(&["--level", "senior", "--questions", "1"]).unwrap();
        assert!(
            matches!(&custom, Begin::Start { request: Request::Custom(c), .. } if c.minutes_per_question == DEFAULT_MINUTES),
            "{custom:?}"
        );
        let error = |line: &[&str]| begin_of(line).unwrap_err().to_string();
        assert_eq!(
            error(&["--guide", "nope"]),
            "there is no guide `nope`; the guides are: t"
        );
        assert_eq!(
            error(&["--section", "nope"]),
            "the guide t has no section `nope`; its sections are: basics"
        );
        assert!(error(&["--minutes", "99"]).contains("minutes per question"));
        assert!(parse(&["--preset", "nope"]).is_err());
        assert!(parse(&["--preset", "recruiter-screen", "--level", "senior"]).is_err());
        assert!(parse(&["--report", "x", "--resume", "y"]).is_err());
    }

    #[test]
    fn dates_are_local() {
        // 2025-06-15T15:06:40Z.
        assert_eq!(date_time(NOW, 0), "2025-06-15 15:06");
        assert_eq!(date_time(NOW, 120), "2025-06-15 17:06");
        assert_eq!(date_time(NOW, -16 * 60), "2025-06-14 23:06");
    }

    #[test]
    fn ids_are_12_hex_digits() {
        let id = random_id().unwrap();
        assert_eq!(id.len(), 12);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(id, random_id().unwrap());
    }
}
