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
//! As in `mastery study`, [`app`] is the state machine (key and time in, action out, no
//! terminal, no database; [`editor`] is its answer editor), [`view`] draws it with ratatui
//! ([`report`] is the report screen's text, [`wrap`] wraps styled text), and [`driver`]
//! joins them to the database and the terminal's events. [`args`] is the command line,
//! [`text`] what is printed without a terminal; `run` below chooses between them.

pub mod app;
pub mod args;
pub mod driver;
pub mod editor;
pub mod report;
pub mod text;
pub mod view;
pub mod wrap;

use std::process::ExitCode;

use anyhow::{Context as _, bail};
use mastery_app::interview as service;
use mastery_app::settings as settings_service;
use mastery_storage::LearnerId;
use mastery_study::interview as domain;

pub use self::args::Args;
use self::args::{Begin, LATEST, begin, command};
use self::driver::{Crossterm, Session, drive, find_guide};
use self::text::{
    history_text, presets_text, report_text, report_view, summary_text, write_markdown,
};
use crate::context;
use crate::runtime;
use crate::tui;

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if args.list_presets {
        print!("{}", presets_text());
        return Ok(ExitCode::SUCCESS);
    }
    let guides = context::load_guides(&args.guides.guides)?;
    let runtime = runtime::current_thread()?;
    let open = || -> anyhow::Result<(context::Database, LearnerId, i32)> {
        let (db, learner) = tui::open(&runtime, &args.data, &args.user)?;
        let offset = runtime
            .block_on(settings_service::scheduler(db.store.as_ref(), learner))
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
        mastery_storage::now,
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
