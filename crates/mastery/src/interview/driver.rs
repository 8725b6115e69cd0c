//! The driver of `mastery interview`: joins the state machine ([`App`]) to the database
//! (every step through `mastery_app::interview`) and to an [`Input`] of terminal events
//! (crossterm's, polled with a timeout so the countdown is redrawn every second; a script
//! with its own clock in tests).

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use mastery_app::AppError;
use mastery_app::interview::{self as service, Loaded, NewInterview};
use mastery_content::Guide;
use mastery_storage::{LearnerId, Millis, Storage, StorageError};
use mastery_study::interview::{self as domain, Answer, Request};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use tokio::runtime::Runtime;

use super::app::{Action, App, Screen, screen_for, start_screen};
use super::args::Begin;
use super::text::date_time;
use super::view;

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
pub struct Crossterm;

impl Input for Crossterm {
    fn next(&mut self, _screen: &Buffer, timeout: Duration) -> std::io::Result<Option<Event>> {
        if event::poll(timeout)? {
            event::read().map(Some)
        } else {
            Ok(None)
        }
    }
}

pub fn find_guide<'g>(guides: &'g [Arc<Guide>], id: &str) -> anyhow::Result<&'g Guide> {
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

#[cfg(test)]
mod tests;
