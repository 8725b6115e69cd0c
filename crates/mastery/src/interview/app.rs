//! The mock interview as a state machine: what is on screen, and what a key press or the
//! passing of time does.
//!
//! No terminal and no database here. [`App::on_key`] and [`App::tick`] take the current time
//! (`now`, injected: tests move it by hand) and return an [`Action`] for the driver in
//! `interview/driver.rs`, which carries it out through `mastery_app::interview` and shows the
//! result with [`App::show`]. What to show for a stored interview comes from [`screen_for`], a
//! pure function of the interview, its guide and the time. The answer being typed is an
//! [`Editor`].

use mastery_content::Guide;
use mastery_storage::Millis;
use mastery_study::interview::Mark;
use mastery_study::interview::report::PointReport;
use mastery_study::interview::session::{GRACE_MS, MAX_ANSWER_CHARS, MAX_DEPTH};
use mastery_study::interview::{
    self as domain, Answer, Grading, Interview, PointStatus, Preset, Report, Step,
};
use mastery_study::text::plural;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::editor::Editor;
use crate::study::app::{Block, answer_blocks};

/// The question being answered, owned (the guide is borrowed only while it is built).
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionCard {
    /// The interview's title ("Recruiter screen").
    pub interview: String,
    /// The item's index in the interview.
    pub item: usize,
    /// Which main question this is (1-based; a follow-up has its main question's number).
    pub number: usize,
    /// The planned main questions.
    pub planned: usize,
    /// The question's id.
    pub question: String,
    /// The question, as plain text.
    pub title: String,
    /// junior, confirmed or senior.
    pub level: &'static str,
    /// Its guide's title.
    pub guide: String,
    /// Its section's title.
    pub section: String,
    /// 0 for a main question, 1 and more on a follow-up ladder.
    pub depth: u32,
    /// When it was asked.
    pub asked_at: Millis,
    /// When its time runs out.
    pub deadline: Millis,
    /// How many key points it is graded on.
    pub key_points: usize,
}

impl QuestionCard {
    /// "Question 2 of 5", with "· Follow-up (depth 1)" on a ladder.
    pub fn position(&self) -> String {
        let main = format!("Question {} of {}", self.number, self.planned);
        if self.depth > 0 {
            format!("{main} · Follow-up (depth {})", self.depth)
        } else {
            main
        }
    }

    /// Time left at `now`, never negative.
    pub fn remaining_ms(&self, now: Millis) -> Millis {
        self.deadline.saturating_sub(now).max(0)
    }

    /// `true` once the deadline and its grace period have passed: the answer is submitted
    /// and the domain records it as timed out.
    pub fn expired(&self, now: Millis) -> bool {
        now > self.deadline.saturating_add(GRACE_MS)
    }
}

/// A key point after an answer: its statement and its ticks, and what matching found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointView {
    /// The statement and its ticks.
    pub point: PointReport,
    /// What matching found (for a typed answer).
    pub status: Option<PointStatus>,
}

/// What `n` does after this answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// A follow-up at this depth.
    FollowUp(u32),
    /// The next planned main question.
    Question,
    /// No question is left: the report.
    Report,
}

/// An answered question: the answer with the words that matched, the checklist, the model
/// answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Feedback {
    /// The question.
    pub card: QuestionCard,
    /// The typed answer; `None` when answered aloud.
    pub answer: Option<String>,
    /// The matches in the typed answer, merged, in order.
    pub marks: Vec<Mark>,
    /// The key points.
    pub points: Vec<PointView>,
    /// The typed answer reads like a list of keywords.
    pub list_like: bool,
    /// The typed answer is too short for all the points it names.
    pub too_short: bool,
    /// Answered late, or not at all in time.
    pub timed_out: bool,
    /// Time taken.
    pub used_ms: Option<Millis>,
    /// The share of key points ticked.
    pub score: Option<f64>,
    /// What comes next.
    pub next: NextStep,
    /// Planned main questions not asked yet.
    pub remaining: usize,
    /// The guide's answer.
    pub model: Vec<Block>,
}

/// A finished interview's report, with what the screen needs besides.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportView {
    /// The interview's id.
    pub id: String,
    /// The report.
    pub report: Report,
    /// When it started, in the learner's time zone ("2026-03-10 14:05").
    pub date: String,
    /// Each question's title as plain text, in report order.
    pub titles: Vec<String>,
}

impl ReportView {
    /// The report of interview `id` on `guide` (its titles are the guide's; `None` when the
    /// guide is not loaded: the question ids), started at `date`.
    pub fn new(id: &str, report: Report, guide: Option<&Guide>, date: &str) -> Self {
        let titles = report
            .questions
            .iter()
            .map(|q| {
                guide
                    .and_then(|g| g.entry(&q.question))
                    .map_or_else(|| q.question.clone(), |e| e.title_text.clone())
            })
            .collect();
        Self {
            id: id.to_owned(),
            report,
            date: date.to_owned(),
            titles,
        }
    }

    /// Questions whose rating was fed to the study queue.
    pub fn fed(&self) -> usize {
        self.report.ratings.len()
    }
}

/// What is on screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    /// Before anything is loaded.
    Loading,
    /// Choose a preset.
    Start {
        /// The guide's title.
        guide: String,
        /// The presets.
        presets: Vec<&'static Preset>,
        /// The highlighted one.
        selected: usize,
    },
    /// A question to answer.
    Question {
        /// The question.
        card: Box<QuestionCard>,
        /// The answer being typed.
        editor: Editor,
    },
    /// An answered question.
    Feedback(Box<Feedback>),
    /// The report.
    Report(Box<ReportView>),
}

/// What the driver must do after a key press or a tick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Nothing but redraw.
    None,
    /// Start this preset.
    Start(&'static str),
    /// Submit this answer to the current question.
    Submit(Answer),
    /// The time ran out: submit what was typed (or record the question as expired when
    /// nothing was).
    TimeUp(String),
    /// Set the tick of a key point.
    Correct {
        /// The item.
        item: usize,
        /// The key point.
        key_point: usize,
        /// The new tick.
        ticked: bool,
    },
    /// Move on: follow-up, next question or report.
    Next,
    /// Finish the interview now.
    Finish,
    /// Leave (an unfinished interview can be resumed).
    Quit,
}

/// A key that needs pressing twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Armed {
    Quit,
    Finish,
}

/// The interview's state on screen.
#[derive(Debug, Clone)]
pub struct App {
    /// What is on screen.
    pub screen: Screen,
    /// A message for the status line, cleared by the next key.
    pub status: Option<String>,
    /// The first line shown of a scrolling screen (clamped by the renderer).
    pub scroll: usize,
    /// Lines that fit on a scrolling screen (set by the renderer).
    pub page: usize,
    /// The time as of the last key or tick: the countdown is drawn for it.
    pub now: Millis,
    armed: Option<Armed>,
}

impl App {
    /// Nothing loaded yet, at `now`.
    pub fn new(now: Millis) -> Self {
        Self {
            screen: Screen::Loading,
            status: None,
            scroll: 0,
            page: 10,
            now,
            armed: None,
        }
    }

    /// Shows `screen`. The scroll position is kept when it is the same answered question
    /// again (after a correction), else it starts at the top.
    pub fn show(&mut self, screen: Screen) {
        let same = match (&self.screen, &screen) {
            (Screen::Feedback(a), Screen::Feedback(b)) => a.card.item == b.card.item,
            (Screen::Report(_), Screen::Report(_)) => true,
            _ => false,
        };
        if !same {
            self.scroll = 0;
        }
        self.armed = None;
        self.screen = screen;
    }

    /// The passing of time: the countdown moves, and a question whose time (and grace
    /// period) ran out is submitted.
    pub fn tick(&mut self, now: Millis) -> Action {
        self.now = now;
        match &self.screen {
            Screen::Question { card, editor } if card.expired(now) => {
                Action::TimeUp(editor.text.clone())
            }
            _ => Action::None,
        }
    }

    /// Handles pasted text (bracketed paste): typed into the answer.
    pub fn on_paste(&mut self, text: &str, now: Millis) -> Action {
        let action = self.tick(now);
        if action != Action::None {
            return action;
        }
        if let Screen::Question { editor, .. } = &mut self.screen {
            let text = text.replace("\r\n", "\n").replace('\r', "\n");
            if !editor.insert(&text) {
                self.status = Some(too_long());
            }
        }
        Action::None
    }

    /// Handles a key press at `now`.
    pub fn on_key(&mut self, key: KeyEvent, now: Millis) -> Action {
        let action = self.tick(now);
        if action != Action::None {
            return action;
        }
        self.status = None;
        let armed = self.armed.take();
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') {
            return Action::Quit;
        }
        if key.code == KeyCode::Esc {
            if armed == Some(Armed::Quit) {
                return Action::Quit;
            }
            self.armed = Some(Armed::Quit);
            self.status = Some(match &self.screen {
                Screen::Question { .. } => "Press Esc again to leave: the interview can be resumed, but this answer's text is lost.".into(),
                Screen::Feedback(_) => "Press Esc again to leave: the interview can be resumed.".into(),
                _ => "Press Esc again to leave.".into(),
            });
            return Action::None;
        }
        match &mut self.screen {
            Screen::Loading => Action::None,
            Screen::Start {
                presets, selected, ..
            } => match key.code {
                KeyCode::Up | KeyCode::Char('k') => {
                    *selected = selected.saturating_sub(1);
                    Action::None
                }
                KeyCode::Down | KeyCode::Char('j') => {
                    *selected = (*selected + 1).min(presets.len().saturating_sub(1));
                    Action::None
                }
                KeyCode::Enter => presets
                    .get(*selected)
                    .map_or(Action::None, |p| Action::Start(p.id)),
                KeyCode::Char('q') => Action::Quit,
                _ => Action::None,
            },
            Screen::Question { editor, .. } => {
                let submit = matches!(key.code, KeyCode::F(2))
                    || (ctrl && matches!(key.code, KeyCode::Char('d' | 's')));
                if submit {
                    return if editor.text.trim().is_empty() {
                        self.status = Some(
                            "Type an answer first, or press Ctrl+A if you answered aloud.".into(),
                        );
                        Action::None
                    } else {
                        Action::Submit(Answer::Typed {
                            text: editor.text.clone(),
                        })
                    };
                }
                if (ctrl && key.code == KeyCode::Char('a')) || key.code == KeyCode::F(3) {
                    return Action::Submit(Answer::Aloud);
                }
                if ctrl {
                    return Action::None;
                }
                let inserted = match key.code {
                    KeyCode::Char(c) => editor.insert(c.encode_utf8(&mut [0; 4])),
                    KeyCode::Tab => editor.insert("    "),
                    KeyCode::Enter => editor.insert("\n"),
                    code => {
                        match code {
                            KeyCode::Backspace => editor.backspace(),
                            KeyCode::Delete => editor.delete(),
                            KeyCode::Left => editor.left(),
                            KeyCode::Right => editor.right(),
                            KeyCode::Up => editor.vertical(-1),
                            KeyCode::Down => editor.vertical(1),
                            KeyCode::Home => editor.home(),
                            KeyCode::End => editor.end(),
                            _ => {}
                        }
                        true
                    }
                };
                if !inserted {
                    self.status = Some(too_long());
                }
                Action::None
            }
            Screen::Feedback(feedback) => match key.code {
                KeyCode::Char(c @ '1'..='9') => {
                    let k = usize::from(c as u8 - b'1');
                    match feedback.points.get(k) {
                        Some(point) => Action::Correct {
                            item: feedback.card.item,
                            key_point: k,
                            ticked: !point.point.ticked,
                        },
                        None => {
                            self.status = Some(format!(
                                "This question has {} key points.",
                                feedback.points.len()
                            ));
                            Action::None
                        }
                    }
                }
                KeyCode::Char('n') | KeyCode::Enter => Action::Next,
                KeyCode::Char('f') => {
                    if feedback.remaining == 0 || armed == Some(Armed::Finish) {
                        Action::Finish
                    } else {
                        self.armed = Some(Armed::Finish);
                        self.status = Some(format!(
                            "Press f again to finish now: {} will not be asked.",
                            plural(feedback.remaining, "planned question", "planned questions")
                        ));
                        Action::None
                    }
                }
                KeyCode::Char('q') => Action::Quit,
                code => self.scroll_key(code),
            },
            Screen::Report(_) => match key.code {
                KeyCode::Char('q') | KeyCode::Enter => Action::Quit,
                code => self.scroll_key(code),
            },
        }
    }

    fn scroll_key(&mut self, code: KeyCode) -> Action {
        let page = isize::try_from(self.page.saturating_sub(1).max(1)).unwrap_or(1);
        match code {
            KeyCode::Down | KeyCode::Char('j') => self.scroll = self.scroll.saturating_add(1),
            KeyCode::Up | KeyCode::Char('k') => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::PageDown | KeyCode::Char(' ') => {
                self.scroll = self.scroll.saturating_add_signed(page);
            }
            KeyCode::PageUp => self.scroll = self.scroll.saturating_add_signed(-page),
            KeyCode::Home | KeyCode::Char('g') => self.scroll = 0,
            KeyCode::End | KeyCode::Char('G') => self.scroll = usize::MAX,
            _ => {}
        }
        Action::None
    }
}

fn too_long() -> String {
    format!("An answer is limited to {MAX_ANSWER_CHARS} characters.")
}

/// The start screen for `guide`.
pub fn start_screen(guide: &Guide) -> Screen {
    Screen::Start {
        guide: guide.title.clone(),
        presets: domain::PRESETS.iter().collect(),
        selected: 0,
    }
}

/// The card of item `index`.
fn card(interview: &Interview, guide: &Guide, index: usize) -> Option<QuestionCard> {
    let item = interview.items.get(index)?;
    let found = guide.question(&item.question);
    let number = interview.items[..=index]
        .iter()
        .filter(|i| i.depth == 0)
        .count()
        .max(1);
    Some(QuestionCard {
        interview: interview.lineup.title.clone(),
        item: index,
        number,
        planned: interview.lineup.questions.len(),
        question: item.question.clone(),
        title: found.map_or_else(
            || format!("{} (no longer in the guide)", item.question),
            |(_, e)| e.title_text.clone(),
        ),
        level: found
            .and_then(|(_, e)| e.level())
            .map_or("", |l| l.as_str()),
        guide: guide.title.clone(),
        section: found.map_or_else(String::new, |(s, _)| s.title.clone()),
        depth: item.depth,
        asked_at: item.asked_at,
        deadline: item.deadline,
        key_points: item.auto.len(),
    })
}

/// What to show for `interview` (id `id`) at `now`: its report when finished, the checklist
/// of the current question once answered, else the question. `date` is when it started, as
/// the learner reads dates.
pub fn screen_for(
    id: &str,
    interview: &Interview,
    guide: &Guide,
    now: Millis,
    date: &str,
) -> Screen {
    let Some(index) = interview.current_index() else {
        let report = domain::report(interview, guide);
        return Screen::Report(Box::new(ReportView::new(id, report, Some(guide), date)));
    };
    let (Some(item), Some(card)) = (interview.items.get(index), card(interview, guide, index))
    else {
        return Screen::Loading;
    };
    if !item.is_answered() {
        return Screen::Question {
            card: Box::new(card),
            editor: Editor::default(),
        };
    }
    let entry = guide.question(&item.question).map(|(_, e)| e);
    let text = match &item.answer {
        Some(Answer::Typed { text }) => Some(text.clone()),
        _ => None,
    };
    let grading = match (&text, entry) {
        (Some(text), Some(entry)) => Some(domain::grade(&entry.key_points, text)),
        _ => None,
    };
    let points = domain::key_points(item, entry)
        .into_iter()
        .enumerate()
        .map(|(k, point)| PointView {
            point,
            status: grading
                .as_ref()
                .and_then(|g| g.points.get(k))
                .map(|p| p.status),
        })
        .collect();
    // What `next` would do, worked out on a copy.
    let next = match interview.clone().next(guide, now) {
        Ok(Step::Asked {
            follow_up: true, ..
        }) => NextStep::FollowUp((item.depth + 1).min(MAX_DEPTH)),
        Ok(Step::Asked { .. }) => NextStep::Question,
        _ => NextStep::Report,
    };
    let asked: Vec<&str> = interview
        .items
        .iter()
        .map(|i| i.question.as_str())
        .collect();
    let remaining = interview
        .lineup
        .questions
        .iter()
        .filter(|q| !asked.contains(&q.as_str()) && guide.entry(q).is_some())
        .count();
    Screen::Feedback(Box::new(Feedback {
        card,
        marks: grading.as_ref().map(Grading::marks).unwrap_or_default(),
        answer: text,
        points,
        list_like: item.list_like,
        too_short: item.too_short,
        timed_out: item.timed_out,
        used_ms: item.used_ms(),
        score: item.score(),
        next,
        remaining,
        model: entry.map(answer_blocks).unwrap_or_default(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn card() -> QuestionCard {
        QuestionCard {
            interview: "Recruiter screen".into(),
            item: 0,
            number: 1,
            planned: 3,
            question: "gil".into(),
            title: "What does the GIL protect?".into(),
            level: "senior",
            guide: "Guide".into(),
            section: "Basics".into(),
            depth: 0,
            asked_at: 0,
            deadline: 60_000,
            key_points: 2,
        }
    }

    fn asking() -> App {
        let mut app = App::new(0);
        app.show(Screen::Question {
            card: Box::new(card()),
            editor: Editor::default(),
        });
        app
    }

    fn typed(app: &App) -> &str {
        match &app.screen {
            Screen::Question { editor, .. } => &editor.text,
            _ => "",
        }
    }

    fn type_text(app: &mut App, text: &str, now: Millis) {
        for c in text.chars() {
            let code = if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            };
            assert_eq!(app.on_key(key(code), now), Action::None);
        }
    }

    #[test]
    fn typing_edits_and_the_submit_keys_submit() {
        let mut app = asking();
        type_text(&mut app, "helo\nworld", 1_000);
        assert_eq!(typed(&app), "helo\nworld");
        // Fix the typo: up to the first line, left, insert.
        app.on_key(key(KeyCode::Up), 1_000);
        app.on_key(key(KeyCode::Home), 1_000);
        for _ in 0..3 {
            app.on_key(key(KeyCode::Right), 1_000);
        }
        app.on_key(key(KeyCode::Char('l')), 1_000);
        assert_eq!(typed(&app), "hello\nworld");
        app.on_key(key(KeyCode::End), 1_000);
        app.on_key(key(KeyCode::Backspace), 1_000);
        app.on_key(key(KeyCode::Char('!')), 1_000);
        assert_eq!(typed(&app), "hell!\nworld");
        let want = Action::Submit(Answer::Typed {
            text: "hell!\nworld".into(),
        });
        for k in [ctrl('d'), ctrl('s'), key(KeyCode::F(2))] {
            assert_eq!(app.clone().on_key(k, 2_000), want, "{k:?}");
        }
        assert_eq!(app.on_key(ctrl('a'), 2_000), Action::Submit(Answer::Aloud));
    }

    #[test]
    fn an_empty_answer_is_not_submitted_and_q_is_typed() {
        let mut app = asking();
        assert_eq!(app.on_key(ctrl('d'), 1_000), Action::None);
        assert!(app.status.as_deref().unwrap().contains("Ctrl+A"));
        assert_eq!(app.on_key(key(KeyCode::Char('q')), 1_000), Action::None);
        assert_eq!(typed(&app), "q");
    }

    #[test]
    fn esc_twice_leaves_and_ctrl_c_at_once() {
        let mut app = asking();
        assert_eq!(app.on_key(key(KeyCode::Esc), 0), Action::None);
        assert!(app.status.is_some());
        assert_eq!(app.on_key(key(KeyCode::Esc), 0), Action::Quit);
        let mut app = asking();
        app.on_key(key(KeyCode::Esc), 0);
        app.on_key(key(KeyCode::Char('x')), 0);
        assert_eq!(
            app.on_key(key(KeyCode::Esc), 0),
            Action::None,
            "another key disarms"
        );
        assert_eq!(asking().on_key(ctrl('c'), 0), Action::Quit);
    }

    #[test]
    fn when_the_time_is_up_the_typed_text_is_submitted() {
        let mut app = asking();
        type_text(&mut app, "partial", 10_000);
        // At the deadline and within the grace period, nothing happens yet.
        assert_eq!(app.tick(60_000), Action::None);
        assert_eq!(app.tick(60_000 + GRACE_MS), Action::None);
        assert_eq!(
            app.tick(60_001 + GRACE_MS),
            Action::TimeUp("partial".into())
        );
        // A key pressed after the time is up submits too, instead of typing.
        let mut app = asking();
        assert_eq!(
            app.on_key(key(KeyCode::Char('x')), 70_000),
            Action::TimeUp(String::new())
        );
        assert_eq!(app.now, 70_000);
    }

    fn feedback(points: usize, remaining: usize) -> App {
        let mut app = App::new(0);
        app.show(Screen::Feedback(Box::new(Feedback {
            card: card(),
            answer: Some("The lock.".into()),
            marks: vec![],
            points: (0..points)
                .map(|k| PointView {
                    point: PointReport {
                        text: format!("point {k}"),
                        auto: k == 0,
                        corrected: None,
                        ticked: k == 0,
                    },
                    status: None,
                })
                .collect(),
            list_like: false,
            too_short: false,
            timed_out: false,
            used_ms: Some(1_000),
            score: Some(0.5),
            next: NextStep::Question,
            remaining,
            model: vec![],
        })));
        app
    }

    #[test]
    fn digits_toggle_ticks_and_n_f_q_move_on() {
        let mut app = feedback(2, 1);
        let correct = |k, ticked| Action::Correct {
            item: 0,
            key_point: k,
            ticked,
        };
        assert_eq!(app.on_key(key(KeyCode::Char('1')), 0), correct(0, false));
        assert_eq!(app.on_key(key(KeyCode::Char('2')), 0), correct(1, true));
        assert_eq!(app.on_key(key(KeyCode::Char('3')), 0), Action::None);
        assert!(app.status.is_some());
        assert_eq!(app.on_key(key(KeyCode::Char('n')), 0), Action::Next);
        assert_eq!(app.on_key(key(KeyCode::Enter), 0), Action::Next);
        assert_eq!(app.on_key(key(KeyCode::Char('q')), 0), Action::Quit);
        // Finishing early asks for a second f while questions remain.
        assert_eq!(app.on_key(key(KeyCode::Char('f')), 0), Action::None);
        assert!(
            app.status
                .as_deref()
                .unwrap()
                .contains("1 planned question ")
        );
        assert_eq!(app.on_key(key(KeyCode::Char('f')), 0), Action::Finish);
        assert_eq!(
            feedback(2, 0).on_key(key(KeyCode::Char('f')), 0),
            Action::Finish
        );
    }

    #[test]
    fn the_start_screen_chooses_a_preset() {
        let mut app = App::new(0);
        app.show(Screen::Start {
            guide: "G".into(),
            presets: domain::PRESETS.iter().collect(),
            selected: 0,
        });
        app.on_key(key(KeyCode::Down), 0);
        app.on_key(key(KeyCode::Down), 0);
        app.on_key(key(KeyCode::Down), 0);
        assert_eq!(
            app.on_key(key(KeyCode::Enter), 0),
            Action::Start(domain::PRESETS[2].id)
        );
        app.on_key(key(KeyCode::Up), 0);
        assert_eq!(
            app.on_key(key(KeyCode::Enter), 0),
            Action::Start(domain::PRESETS[1].id)
        );
        assert_eq!(app.on_key(key(KeyCode::Char('q')), 0), Action::Quit);
    }
}
