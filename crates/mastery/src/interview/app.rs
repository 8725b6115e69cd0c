//! The mock interview as a state machine: what is on screen, and what a key press or the
//! passing of time does.
//!
//! No terminal and no database here. [`App::on_key`] and [`App::tick`] take the current time
//! (`now`, injected: tests move it by hand) and return an [`Action`] for the driver in
//! `interview/mod.rs`, which carries it out through `mastery_app::interview` and shows the result
//! with [`App::show`]. What to show for a stored interview comes from [`screen_for`], a pure
//! function of the interview, its guide and the time.

use mastery_content::{Entry, Guide, Section};
use mastery_storage::Millis;
use mastery_study::interview::session::{GRACE_MS, MAX_ANSWER_CHARS, MAX_DEPTH};
use mastery_study::interview::{
    self as domain, Answer, Interview, PointStatus, Preset, Report, Step,
};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::text::Span;

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

/// A multi-line text editor: the text and a cursor (a byte offset on a character boundary).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Editor {
    /// The text typed.
    pub text: String,
    /// Where the next character goes, in bytes.
    pub cursor: usize,
    /// The first visible row (kept on the cursor by the renderer).
    pub scroll: usize,
    /// Columns available for the text (set by the renderer; Up and Down move by rows of it).
    pub width: usize,
}

/// One visual row of the editor: a byte range of the text, without the line break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// First byte.
    pub start: usize,
    /// Just past the last byte.
    pub end: usize,
}

/// Display width of a character in terminal columns.
fn char_columns(c: char) -> usize {
    Span::raw(c.encode_utf8(&mut [0; 4]).to_owned()).width()
}

/// Display width of `text` in terminal columns.
pub fn columns(text: &str) -> usize {
    text.chars().map(char_columns).sum()
}

/// The visual rows of `text` wrapped to `width` columns: at spaces when a line has one,
/// else inside the word. Every byte but the line breaks belongs to exactly one row, so a
/// cursor maps to a row and a column. An empty text is one empty row.
pub fn rows(text: &str, width: usize) -> Vec<Row> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split('\n') {
        let mut start = offset;
        let mut used = 0;
        // Just after the last space of the current row: where to break it.
        let mut after_space: Option<usize> = None;
        for (i, c) in line.char_indices() {
            let at = offset + i;
            let w = char_columns(c);
            if used + w > width && at > start {
                let cut = after_space.filter(|&s| s > start).unwrap_or(at);
                out.push(Row { start, end: cut });
                used = columns(&text[cut..at]);
                start = cut;
                after_space = None;
            }
            used += w;
            if c == ' ' {
                after_space = Some(at + 1);
            }
        }
        out.push(Row {
            start,
            end: offset + line.len(),
        });
        offset += line.len() + 1;
    }
    out
}

impl Editor {
    /// The row and column of the cursor among `rows`.
    pub fn cursor_at(&self, rows: &[Row]) -> (usize, usize) {
        let row = rows
            .iter()
            .rposition(|r| r.start <= self.cursor)
            .unwrap_or(0);
        let col = rows
            .get(row)
            .map_or(0, |r| columns(&self.text[r.start..self.cursor.min(r.end)]));
        (row, col)
    }

    /// Inserts `s` at the cursor; refuses (returns `false`) past [`MAX_ANSWER_CHARS`].
    pub fn insert(&mut self, s: &str) -> bool {
        if self.text.chars().count() + s.chars().count() > MAX_ANSWER_CHARS {
            return false;
        }
        self.text.insert_str(self.cursor, s);
        self.cursor += s.len();
        true
    }

    fn prev_boundary(&self) -> Option<usize> {
        self.text[..self.cursor]
            .char_indices()
            .last()
            .map(|(i, _)| i)
    }

    fn next_boundary(&self) -> Option<usize> {
        self.text[self.cursor..]
            .chars()
            .next()
            .map(|c| self.cursor + c.len_utf8())
    }

    /// Deletes the character before the cursor.
    pub fn backspace(&mut self) {
        if let Some(at) = self.prev_boundary() {
            self.text.replace_range(at..self.cursor, "");
            self.cursor = at;
        }
    }

    /// Deletes the character after the cursor.
    pub fn delete(&mut self) {
        if let Some(end) = self.next_boundary() {
            self.text.replace_range(self.cursor..end, "");
        }
    }

    /// Moves one character left.
    pub fn left(&mut self) {
        if let Some(at) = self.prev_boundary() {
            self.cursor = at;
        }
    }

    /// Moves one character right.
    pub fn right(&mut self) {
        if let Some(at) = self.next_boundary() {
            self.cursor = at;
        }
    }

    /// Moves to the start of the line.
    pub fn home(&mut self) {
        self.cursor = self.text[..self.cursor].rfind('\n').map_or(0, |i| i + 1);
    }

    /// Moves to the end of the line.
    pub fn end(&mut self) {
        self.cursor = self.text[self.cursor..]
            .find('\n')
            .map_or(self.text.len(), |i| self.cursor + i);
    }

    /// The columns rows are wrapped to: one less than the width, so the cursor fits after
    /// the last character (unlimited before the first draw).
    pub fn wrap_width(&self) -> usize {
        if self.width == 0 {
            usize::MAX
        } else {
            self.width.saturating_sub(1).max(1)
        }
    }

    /// Moves one visual row up (`-1`) or down (`1`), keeping the column where it can.
    pub fn vertical(&mut self, step: isize) {
        let rows = rows(&self.text, self.wrap_width());
        let (row, col) = self.cursor_at(&rows);
        let Some(target) = row.checked_add_signed(step).and_then(|r| rows.get(r)) else {
            // Past the first or last row: to the start or the end.
            self.cursor = if step < 0 { 0 } else { self.text.len() };
            return;
        };
        let mut at = target.start;
        let mut used = 0;
        for (i, c) in self.text[target.start..target.end].char_indices() {
            let w = char_columns(c);
            if used + w > col {
                break;
            }
            used += w;
            at = target.start + i + c.len_utf8();
        }
        // A wrapped row's end is the next row's start: stay on this row.
        let wrapped = target.end < self.text.len() && !self.text[target.end..].starts_with('\n');
        if wrapped && at == target.end && at > target.start {
            at = self.text[..at].char_indices().last().map_or(at, |(i, _)| i);
        }
        self.cursor = at;
    }

    /// Words typed.
    pub fn words(&self) -> usize {
        self.text.split_whitespace().count()
    }
}

/// A key point after an answer: its statement and its ticks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointView {
    /// The statement.
    pub text: String,
    /// The automatic tick.
    pub auto: bool,
    /// The learner's correction, if any.
    pub corrected: Option<bool>,
    /// The tick in force.
    pub ticked: bool,
    /// What matching found (for a typed answer).
    pub status: Option<PointStatus>,
}

/// A stretch of the answer that matched a key word: byte span, and whether it counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    /// First byte.
    pub start: usize,
    /// Just past the last byte.
    pub end: usize,
    /// Found in a sentence that counts (else in a keyword list).
    pub counted: bool,
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
                            ticked: !point.ticked,
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
                            "Press f again to finish now: {} planned question{} will not be asked.",
                            feedback.remaining,
                            if feedback.remaining == 1 { "" } else { "s" }
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

/// The section and entry of question `id` in `guide`.
fn locate<'g>(guide: &'g Guide, id: &str) -> Option<(&'g Section, &'g Entry)> {
    guide.sections.iter().find_map(|s| {
        s.entries
            .iter()
            .find(|e| e.id.as_str() == id)
            .map(|e| (s, e))
    })
}

/// The card of item `index`.
fn card(interview: &Interview, guide: &Guide, index: usize) -> Option<QuestionCard> {
    let item = interview.items.get(index)?;
    let found = locate(guide, &item.question);
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

/// The matches of a typed answer, overlapping ones merged (counted when any part counted).
pub fn marks(grading: &domain::Grading) -> Vec<Mark> {
    let mut all: Vec<Mark> = grading
        .points
        .iter()
        .flat_map(|p| &p.groups)
        .flat_map(|g| &g.hits)
        .map(|h| Mark {
            start: h.start,
            end: h.end,
            counted: h.counted,
        })
        .collect();
    all.sort_by_key(|m| (m.start, m.end));
    let mut merged: Vec<Mark> = Vec::new();
    for m in all {
        match merged.last_mut() {
            Some(last) if m.start < last.end => {
                last.end = last.end.max(m.end);
                last.counted |= m.counted;
            }
            _ => merged.push(m),
        }
    }
    merged
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
        let titles = report
            .questions
            .iter()
            .map(|q| {
                guide
                    .entry(&q.question)
                    .map_or_else(|| q.question.clone(), |e| e.title_text.clone())
            })
            .collect();
        return Screen::Report(Box::new(ReportView {
            id: id.to_owned(),
            report,
            date: date.to_owned(),
            titles,
        }));
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
    let entry = locate(guide, &item.question).map(|(_, e)| e);
    let text = match &item.answer {
        Some(Answer::Typed { text }) => Some(text.clone()),
        _ => None,
    };
    let grading = match (&text, entry) {
        (Some(text), Some(entry)) => Some(domain::grade(&entry.key_points, text)),
        _ => None,
    };
    let points = (0..item.auto.len())
        .map(|k| PointView {
            text: entry
                .and_then(|e| e.key_points.get(k))
                .map_or_else(|| "(no longer in the guide)".to_owned(), |p| p.text.clone()),
            auto: item.auto.get(k).copied().unwrap_or(false),
            corrected: item.corrections.get(k).copied().flatten(),
            ticked: item.ticked(k).unwrap_or(false),
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
        marks: grading.as_ref().map(marks).unwrap_or_default(),
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
                    text: format!("point {k}"),
                    auto: k == 0,
                    corrected: None,
                    ticked: k == 0,
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

    #[test]
    fn rows_wrap_at_spaces_and_keep_every_byte() {
        let text = "one two three four\n\nfive";
        let r = rows(text, 9);
        let parts: Vec<&str> = r.iter().map(|r| &text[r.start..r.end]).collect();
        assert_eq!(parts, ["one two ", "three ", "four", "", "five"]);
        assert_eq!(rows("", 5), [Row { start: 0, end: 0 }]);
        let long = rows("abcdefghij", 4);
        let parts: Vec<&str> = long.iter().map(|r| &"abcdefghij"[r.start..r.end]).collect();
        assert_eq!(parts, ["abcd", "efgh", "ij"]);
    }

    #[test]
    fn the_cursor_maps_to_rows_and_moves_between_them() {
        let mut editor = Editor {
            text: "one two three four".into(),
            cursor: 0,
            scroll: 0,
            width: 10,
        };
        let r = rows(&editor.text, 9);
        editor.cursor = 8; // "t" of "three", the start of the second row
        assert_eq!(editor.cursor_at(&r), (1, 0));
        editor.cursor = 5;
        editor.vertical(1);
        assert_eq!(editor.cursor, 13, "same column on the next row");
        editor.vertical(1);
        assert_eq!(editor.cursor_at(&rows(&editor.text, 9)).0, 2);
        editor.vertical(1);
        assert_eq!(
            editor.cursor,
            editor.text.len(),
            "past the last row: the end"
        );
        editor.vertical(-1);
        editor.vertical(-1);
        editor.vertical(-1);
        editor.vertical(-1);
        assert_eq!(editor.cursor, 0);
    }

    #[test]
    fn editing_respects_characters_and_the_size_limit() {
        let mut editor = Editor::default();
        assert!(editor.insert("é"));
        assert!(editor.insert("t"));
        editor.left();
        editor.left();
        assert_eq!(editor.cursor, 0);
        editor.delete();
        assert_eq!(editor.text, "t");
        editor.right();
        editor.backspace();
        assert_eq!(editor.text, "");
        editor.backspace();
        let big = "x".repeat(MAX_ANSWER_CHARS);
        assert!(editor.insert(&big));
        assert!(!editor.insert("y"));
        assert_eq!(editor.words(), 1);
    }
}
