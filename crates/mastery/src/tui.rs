//! What the two terminal UIs, `mastery study` and `mastery interview`, share: the `--level`
//! argument and the check of `--guide`, the refusal to run without a terminal, the database
//! opened for the personal learner, taking the terminal over and giving it back, and drawing
//! a scrolled text.

use std::io::IsTerminal as _;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use mastery_content::{Guide, Level};
use mastery_storage::LearnerId;
use ratatui::DefaultTerminal;
use ratatui::Frame;
use ratatui::crossterm::event;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use tokio::runtime::Runtime;

use crate::context::{self, DataArgs};

/// A level on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LevelArg {
    Junior,
    Confirmed,
    Senior,
}

impl From<LevelArg> for Level {
    fn from(level: LevelArg) -> Self {
        match level {
            LevelArg::Junior => Level::Junior,
            LevelArg::Confirmed => Level::Confirmed,
            LevelArg::Senior => Level::Senior,
        }
    }
}

/// Refuses to go on unless standard input and output are a terminal: `command` is
/// interactive, and `elsewhere` says what prints anywhere instead.
pub fn require_terminal(command: &str, elsewhere: &str) -> anyhow::Result<()> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        bail!("`{command}` is interactive: run it in a terminal ({elsewhere})");
    }
    Ok(())
}

/// The guide `id` of `guides`, or an error naming the guides there are (for `--guide`).
pub fn guide<'g>(guides: &'g [Arc<Guide>], id: &str) -> anyhow::Result<&'g Arc<Guide>> {
    guides
        .iter()
        .find(|g| g.id.as_str() == id)
        .with_context(|| {
            format!(
                "there is no guide `{id}`; the guides are: {}",
                list(guides.iter().map(|g| g.id.as_str()))
            )
        })
}

/// Ids for a message: "a, b, c".
pub fn list<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    ids.collect::<Vec<_>>().join(", ")
}

/// Opens the database the data options name, and reads its learner (personal mode: the one
/// learner).
pub fn open(
    runtime: &Runtime,
    data: &DataArgs,
    user: &context::UserArgs,
) -> anyhow::Result<(context::Database, LearnerId)> {
    let db = runtime.block_on(context::open_store(
        data.data_dir.as_deref(),
        data.database.as_deref(),
    ))?;
    let learner = runtime.block_on(context::learner(db.store.as_ref(), user.user.as_deref()))?;
    Ok((db, learner))
}

/// Takes the terminal over: raw mode and the alternate screen, and with `paste` bracketed
/// paste. Returns the terminal and the guard that gives it back when dropped.
pub fn enter(paste: bool) -> anyhow::Result<(DefaultTerminal, TerminalGuard)> {
    let terminal = ratatui::try_init()
        .inspect_err(|_| restore(paste))
        .context("cannot prepare the terminal")?;
    let guard = TerminalGuard { paste };
    if paste {
        let _ = ratatui::crossterm::execute!(std::io::stdout(), event::EnableBracketedPaste);
    }
    Ok((terminal, guard))
}

/// Leaves raw mode, bracketed paste (if it was entered) and the alternate screen and shows
/// the cursor, also when the session ends with an error (a panic is handled by the hook
/// `ratatui::try_init` installs).
#[derive(Debug)]
pub struct TerminalGuard {
    paste: bool,
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore(self.paste);
    }
}

fn restore(paste: bool) {
    if paste {
        let _ = ratatui::crossterm::execute!(std::io::stdout(), event::DisableBracketedPaste);
    }
    ratatui::restore();
    let _ = ratatui::crossterm::execute!(std::io::stdout(), ratatui::crossterm::cursor::Show);
}

/// Draws the part of `lines` that fits `area`, from line `*scroll` (clamped so the last
/// page stays full); records the page height in `*page` for PageUp/PageDown. Returns
/// "first-last of total" when not everything fits.
pub fn render_scroll(
    frame: &mut Frame<'_>,
    area: Rect,
    lines: &[Line<'static>],
    scroll: &mut usize,
    page: &mut usize,
) -> Option<String> {
    let visible = usize::from(area.height);
    *scroll = (*scroll).min(lines.len().saturating_sub(visible));
    *page = visible;
    let shown: Vec<Line<'static>> = lines.iter().skip(*scroll).take(visible).cloned().collect();
    frame.render_widget(Paragraph::new(shown), area);
    (lines.len() > visible).then(|| {
        format!(
            "{}-{} of {}",
            *scroll + 1,
            (*scroll + visible).min(lines.len()),
            lines.len()
        )
    })
}
