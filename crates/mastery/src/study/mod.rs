//! `mastery study`: spaced repetition in the terminal, on the same database as `mastery
//! serve` (SQLite in WAL mode lets both run at once).
//!
//! The flow is the web study page's: the question; Space shows the answer; 1-4 rate it
//! (each button shows when the card comes back); `u` undoes the last review; `q` quits and
//! prints what the session did. Every operation is `mastery_app::study`'s, so a review made
//! here follows exactly the rules of one made in the browser.
//!
//! Three parts: [`app`] is the state machine (key in, action out, no terminal, no
//! database), [`view`] draws it with ratatui, and [`drive`] joins them to the database and
//! an [`Input`] of terminal events — crossterm's in real use, a script in tests, drawn on
//! ratatui's `TestBackend`.

pub mod app;
pub mod view;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use mastery_app::study::{self as service, Answer, Answered, Filter, Queue};
use mastery_content::{Guide, Level};
use mastery_storage::{LearnerId, Millis, Storage};
use mastery_study::scheduler::label::human_interval;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use tokio::runtime::Runtime;

use self::app::{Action, App, Card, Counts, Next, Reviewed};
use crate::context::{self, DataArgs, GuidesArgs};
use crate::runtime;
use crate::tui::{self, LevelArg};

/// Arguments of `mastery study`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this guide (its id, e.g. python-django).
    #[arg(long, value_name = "ID")]
    guide: Option<String>,
    /// Only this section (its id; repeatable).
    #[arg(long = "section", value_name = "ID")]
    sections: Vec<String>,
    /// Only this level (repeatable).
    #[arg(long = "level", value_enum, value_name = "LEVEL")]
    levels: Vec<LevelArg>,
    /// Only questions with this tag (repeatable: any of them).
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    user: context::UserArgs,
    #[command(flatten)]
    guides: GuidesArgs,
}

impl Args {
    fn filter(&self) -> Filter {
        Filter {
            guide: self.guide.clone(),
            sections: self.sections.clone(),
            levels: self.levels.iter().copied().map(Level::from).collect(),
            tags: self.tags.clone(),
        }
    }
}

/// What a session studies: the store, the learner, the guides and the filter.
#[derive(Debug)]
pub struct Session<'a> {
    /// The store.
    pub store: &'a dyn Storage,
    /// The learner (personal mode: the one learner).
    pub learner: LearnerId,
    /// The loaded guides.
    pub guides: &'a [Arc<Guide>],
    /// Which questions.
    pub filter: &'a Filter,
}

/// Where key presses come from. `screen` is what was just drawn (tests read it).
pub trait Input {
    /// The next terminal event, blocking until there is one.
    fn next(&mut self, screen: &Buffer) -> std::io::Result<Event>;
}

/// The real terminal's events.
#[derive(Debug)]
struct Crossterm;

impl Input for Crossterm {
    fn next(&mut self, _screen: &Buffer) -> std::io::Result<Event> {
        event::read()
    }
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let guides = context::load_guides(&args.guides.guides)?;
    let filter = args.filter();
    check_filter(&filter, &guides)?;
    tui::require_terminal("mastery study", "`mastery stats` prints a summary anywhere")?;
    let runtime = runtime::current_thread()?;
    let (db, learner) = tui::open(&runtime, &args.data, &args.user)?;
    let session = Session {
        store: db.store.as_ref(),
        learner,
        guides: &guides,
        filter: &filter,
    };

    let (mut terminal, guard) = tui::enter(false)?;
    let result = drive(
        &mut terminal,
        &runtime,
        &session,
        &mut Crossterm,
        mastery_storage::now,
    );
    drop(guard);
    let app = result?;

    println!("{}", app.summary.line());
    if let app::Screen::Done {
        next_learning: Some(when),
        ..
    } = &app.screen
    {
        println!("Nothing is due now; the next learning step comes due in {when}.");
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs a session until the learner quits: draws, reads a key, and records ratings and
/// undoes through `mastery_app::study`. Returns the final state (with its summary).
pub fn drive<B>(
    terminal: &mut Terminal<B>,
    runtime: &Runtime,
    session: &Session<'_>,
    input: &mut dyn Input,
    now: impl Fn() -> Millis,
) -> anyhow::Result<App>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
{
    let mut app = App::new();
    load(&mut app, runtime, session, now())?;
    loop {
        let frame = terminal
            .draw(|frame| view::render(frame, &mut app))
            .context("cannot draw on the terminal")?;
        let event = input
            .next(frame.buffer)
            .context("cannot read from the terminal")?;
        let Event::Key(key) = event else {
            continue;
        };
        if key.kind != KeyEventKind::Press {
            continue;
        }
        match app.on_key(key) {
            Action::None => {}
            Action::Quit => return Ok(app),
            Action::Rate(rating) => {
                let Some(card) = app.card() else { continue };
                let at = now();
                let answer = Answer {
                    key: card.key.clone(),
                    rating,
                    review_id: review_id()?,
                    time_spent_ms: app.time_spent(at),
                };
                let done = runtime.block_on(service::answer(
                    session.store,
                    session.learner,
                    session.guides,
                    &answer,
                    at,
                ));
                match done {
                    Ok(Answered::Recorded { .. }) => app.recorded(Reviewed {
                        key: answer.key,
                        rating,
                        time_spent_ms: answer.time_spent_ms,
                    }),
                    Ok(Answered::Duplicate) => {}
                    Err(e) => app.status = Some(format!("Not recorded: {e}")),
                }
                load(&mut app, runtime, session, now())?;
            }
            Action::Undo => {
                let status = match runtime.block_on(service::undo(session.store, session.learner)) {
                    Ok(Some(key)) => {
                        app.undone(&key);
                        let title = session
                            .guides
                            .iter()
                            .find(|g| g.id.as_str() == key.guide)
                            .and_then(|g| g.entry(&key.question))
                            .map_or(key.question.clone(), |e| e.title_text.clone());
                        format!("Undone: {title}")
                    }
                    Ok(None) => "Nothing to undo.".to_owned(),
                    Err(e) => format!("Cannot undo: {e}"),
                };
                load(&mut app, runtime, session, now())?;
                app.status = Some(status);
            }
        }
    }
}

/// Shows the next card of the queue, or that nothing is due.
fn load(
    app: &mut App,
    runtime: &Runtime,
    session: &Session<'_>,
    now: Millis,
) -> anyhow::Result<()> {
    let queue = runtime
        .block_on(service::queue(
            session.store,
            session.learner,
            session.guides,
            session.filter,
            now,
        ))
        .context("cannot read the study queue")?;
    app.show(next(&queue, now), now);
    Ok(())
}

/// What the queue says to show.
fn next(queue: &Queue<'_>, now: Millis) -> Next {
    match &queue.current {
        Some(current) => Next::Card(
            Box::new(Card::new(
                current.key.clone(),
                &current.guide.title,
                &current.section.title,
                current.entry,
                current.kind,
                &current.next,
            )),
            Counts {
                learning: queue.learning,
                review: queue.review,
                new: queue.new,
            },
        ),
        None => Next::Done {
            next_learning: queue.next_learning_due.map(|due| human_interval(due - now)),
            reviewed_today: queue.reviewed_today,
        },
    }
}

/// A fresh review id: 16 random bytes as 32 hex digits.
fn review_id() -> anyhow::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("no randomness for a review id: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Refuses filters that name a guide, section or tag that does not exist, saying which do.
fn check_filter(filter: &Filter, guides: &[Arc<Guide>]) -> anyhow::Result<()> {
    let in_scope: Vec<&Arc<Guide>> = match &filter.guide {
        Some(id) => vec![tui::guide(guides, id)?],
        None => guides.iter().collect(),
    };
    for section in &filter.sections {
        let exists = in_scope
            .iter()
            .any(|g| g.sections.iter().any(|s| s.id.as_str() == section));
        if !exists {
            bail!(
                "there is no section `{section}`; the sections are: {}",
                tui::list(
                    in_scope
                        .iter()
                        .flat_map(|g| g.sections.iter().map(|s| s.id.as_str()))
                )
            );
        }
    }
    for tag in &filter.tags {
        let exists = in_scope
            .iter()
            .flat_map(|g| g.questions())
            .any(|e| e.tags.iter().any(|t| t.as_str() == tag));
        if !exists {
            bail!("no question is tagged `{tag}`");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use mastery_storage::QuestionKey;
    use mastery_study::scheduler::Rating;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::app::Block;
    use super::*;
    use crate::test_support::{Env, NOW, assert_shows, env, guides, text};

    const SECTION: &str = "---\nid: basics\ntitle: Basics\n---\n\n\
## What does the GIL protect?\n\nid: gil\nlevel: senior\ntags: threads\n\n\
The global interpreter lock protects the interpreter's internal state.\n\n\
```python\nimport sys\nprint(sys.getswitchinterval())\n```\n\n```output\n0.005\n```\n\n\
Only one thread runs bytecode at a time.\n\n\
## Is list.append atomic?\n\nid: append\nlevel: junior\n\nYes, in CPython.\n";

    /// Presses the scripted keys one per drawn screen, keeping every screen as text.
    struct Script {
        keys: VecDeque<KeyCode>,
        screens: Vec<String>,
    }

    impl Input for Script {
        fn next(&mut self, screen: &Buffer) -> std::io::Result<Event> {
            self.screens.push(text(screen));
            let code = self.keys.pop_front().unwrap_or(KeyCode::Char('q'));
            Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
        }
    }

    fn play(env: &Env, filter: &Filter, keys: &[KeyCode], now: Millis) -> (App, Vec<String>) {
        let session = Session {
            store: &env.store,
            learner: env.learner,
            guides: &env.guides,
            filter,
        };
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
        let mut script = Script {
            keys: keys.iter().copied().collect(),
            screens: Vec::new(),
        };
        let app = drive(&mut terminal, &env.runtime, &session, &mut script, || now).unwrap();
        (app, script.screens)
    }

    #[test]
    fn the_screen_shows_the_question_then_the_answer_and_the_ratings() {
        let env = env(SECTION);
        let filter = Filter::default();
        // What the scheduler previews for the first card: the buttons must show it.
        let queue = env
            .runtime
            .block_on(service::queue(
                &env.store,
                env.learner,
                &env.guides,
                &filter,
                NOW,
            ))
            .unwrap();
        let next = queue.current.unwrap().next;
        let keys = [KeyCode::Char(' '), KeyCode::Char('3')];
        let (app, screens) = play(&env, &filter, &keys, NOW);

        let question = &screens[0];
        assert_shows(
            question,
            &[
                "What does the GIL protect?",
                "Test guide › Basics",
                "senior",
                "new 2", // the counts
                "Space",
            ],
        );
        assert!(
            !question.contains("internal state"),
            "answer hidden: {question}"
        );
        assert!(!question.contains("Again"), "{question}");

        let answer = &screens[1];
        assert_shows(
            answer,
            &[
                "The global interpreter lock protects",
                "│ print(sys.getswitchinterval())",
                "│ 0.005", // the output
                "Only one thread runs bytecode",
            ],
        );
        for rating in Rating::ALL {
            let button = format!(
                "{}  {} {}",
                rating.as_u8(),
                view::button_name(rating),
                next.get(rating).label
            );
            assert!(answer.contains(&button), "{button:?} in {answer}");
        }

        // Good was recorded, and the next question is shown.
        let after = &screens[2];
        assert!(after.contains("Is list.append atomic?"), "{after}");
        assert!(after.contains("new 1"), "{after}");
        assert_eq!(app.summary.count(), 1);
        let reviews = env
            .runtime
            .block_on(env.store.reviews(env.learner, None))
            .unwrap();
        assert_eq!(reviews.len(), 1);
        assert_eq!(reviews[0].rating, 3);
        assert_eq!(reviews[0].key, QuestionKey::new("t", "gil"));
        assert_eq!(reviews[0].id.len(), 32);
    }

    #[test]
    fn undo_takes_the_review_back() {
        let env = env(SECTION);
        let keys = [KeyCode::Char(' '), KeyCode::Char('1'), KeyCode::Char('u')];
        let (app, screens) = play(&env, &Filter::default(), &keys, NOW);
        let last = screens.last().unwrap();
        assert!(
            last.contains("Undone: What does the GIL protect?"),
            "{last}"
        );
        assert!(last.contains("new 2"), "{last}");
        assert_eq!(app.summary.count(), 0);
        let reviews = env
            .runtime
            .block_on(env.store.reviews(env.learner, None))
            .unwrap();
        assert!(reviews.is_empty());
    }

    #[test]
    fn when_nothing_is_due_it_says_so() {
        let env = env(SECTION);
        let filter = Filter {
            levels: vec![Level::Junior],
            ..Filter::default()
        };
        // Easy on the only junior question graduates it: due in days, nothing left now.
        let keys = [KeyCode::Char(' '), KeyCode::Char('4')];
        let (app, screens) = play(&env, &filter, &keys, NOW);
        let last = screens.last().unwrap();
        assert!(last.contains("Nothing is due now."), "{last}");
        assert!(last.contains("1 review today."), "{last}");
        assert!(matches!(app.screen, app::Screen::Done { .. }));
    }

    #[test]
    fn answers_are_split_into_prose_and_code() {
        let guides = guides(SECTION);
        let entry = guides[0].entry("gil").unwrap();
        assert_eq!(
            app::answer_blocks(entry),
            [
                Block::Prose(
                    "The global interpreter lock protects the interpreter's internal state.".into()
                ),
                Block::Code {
                    language: "python".into(),
                    code: "import sys\nprint(sys.getswitchinterval())".into()
                },
                Block::Output("0.005".into()),
                Block::Prose("Only one thread runs bytecode at a time.".into()),
            ]
        );
    }

    #[test]
    fn filters_naming_nothing_are_refused() {
        let guides = guides(SECTION);
        let cases = [
            (
                Filter {
                    guide: Some("nope".into()),
                    ..Filter::default()
                },
                "there is no guide `nope`; the guides are: t",
            ),
            (
                Filter {
                    sections: vec!["nope".into()],
                    ..Filter::default()
                },
                "there is no section `nope`; the sections are: basics",
            ),
            (
                Filter {
                    tags: vec!["nope".into()],
                    ..Filter::default()
                },
                "no question is tagged `nope`",
            ),
        ];
        for (filter, message) in cases {
            let error = check_filter(&filter, &guides).unwrap_err();
            assert_eq!(error.to_string(), message);
        }
        let fine = Filter {
            guide: Some("t".into()),
            sections: vec!["basics".into()],
            tags: vec!["threads".into()],
            levels: vec![Level::Senior],
        };
        assert!(check_filter(&fine, &guides).is_ok());
    }

    #[test]
    fn review_ids_are_32_hex_digits_and_differ() {
        let a = review_id().unwrap();
        let b = review_id().unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
