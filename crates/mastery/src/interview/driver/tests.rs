//! The driver on a real database, with scripted keys and a clock moved by hand.

use std::cell::Cell;
use std::collections::VecDeque;
use std::rc::Rc;

use mastery_content::Level;
use mastery_study::interview::Custom;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::test_support::{Env, INTERVIEW, NOW, assert_shows, env, text};

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
    let env = env(INTERVIEW);
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
    let env = env(INTERVIEW);
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
    let env = env(INTERVIEW);
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
    let env = env(INTERVIEW);
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
    let env = env(INTERVIEW);
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
fn ids_are_12_hex_digits() {
    let id = random_id().unwrap();
    assert_eq!(id.len(), 12);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_ne!(id, random_id().unwrap());
}
