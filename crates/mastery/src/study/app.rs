//! The study session as a state machine: what is on screen, and what a key press does.
//!
//! No terminal and no database here: [`App::on_key`] turns a key into an [`Action`] (and
//! changes what is shown: the answer revealed, the scroll position), and the driver in
//! `study/mod.rs` carries out the actions that need the database (rate, undo) and feeds the
//! next card back with [`App::show`].

use mastery_content::Entry;
use mastery_storage::{Millis, QuestionKey};
use mastery_study::scheduler::queue::QueueKind;
use mastery_study::scheduler::{NextStates, Rating};
use mastery_study::text::plural;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The longest time counted for one card (as the web app counts it): a learner who walked
/// away does not inflate the statistics.
pub const MAX_TIME_SPENT_MS: Millis = 3_600_000;

/// One part of an answer, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Prose, to wrap to the width of the screen: paragraphs separated by `\n`.
    Prose(String),
    /// A code example, shown as written.
    Code {
        /// Its language (`python`, `sql`).
        language: String,
        /// The code.
        code: String,
    },
    /// What the example before prints.
    Output(String),
}

/// The card on screen, owned (the queue borrows the guides; this does not).
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    /// Its storage key.
    pub key: QuestionKey,
    /// The question, as plain text.
    pub title: String,
    /// Its guide's title.
    pub guide: String,
    /// Its section's title.
    pub section: String,
    /// junior, confirmed or senior.
    pub level: &'static str,
    /// Why it is in the queue.
    pub kind: QueueKind,
    /// The answer: prose, code and outputs in order.
    pub answer: Vec<Block>,
    /// The key points, as plain text.
    pub key_points: Vec<String>,
    /// Each rating with the interval it would schedule ("10m", "3d").
    pub buttons: [(Rating, String); 4],
}

impl Card {
    /// The card for `entry`, with the intervals of `next`.
    pub fn new(
        key: QuestionKey,
        guide: &str,
        section: &str,
        entry: &Entry,
        kind: QueueKind,
        next: &NextStates,
    ) -> Self {
        Self {
            key,
            title: entry.title_text.clone(),
            guide: guide.to_owned(),
            section: section.to_owned(),
            level: entry.level().map_or("", |l| l.as_str()),
            kind,
            answer: answer_blocks(entry),
            key_points: entry.key_points.iter().map(|k| k.text.clone()).collect(),
            buttons: Rating::ALL.map(|r| (r, next.get(r).label.clone())),
        }
    }
}

/// Splits the plain text of an answer into prose and the code examples (with their
/// outputs), in the order they appear. The plain text holds the code too; it is cut out
/// where each example's code is found, so nothing is shown twice. An example whose code is
/// not found in the text is shown after it.
pub fn answer_blocks(entry: &Entry) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut rest = entry.answer_text.as_str();
    let mut leftover = Vec::new();
    // Spaces are normalised; line breaks (paragraph ends, where the text has them) are kept.
    let prose = |blocks: &mut Vec<Block>, text: &str| {
        let paragraphs: Vec<String> = text
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty())
            .collect();
        if !paragraphs.is_empty() {
            blocks.push(Block::Prose(paragraphs.join("\n")));
        }
    };
    for example in &entry.examples {
        let code = example.code.trim_end();
        let code_block = Block::Code {
            language: example.language.clone(),
            code: code.to_owned(),
        };
        let output = example
            .expected_output
            .as_deref()
            .map(str::trim_end)
            .filter(|o| !o.is_empty());
        match rest.find(code).filter(|_| !code.is_empty()) {
            Some(at) => {
                prose(&mut blocks, &rest[..at]);
                blocks.push(code_block);
                rest = &rest[at + code.len()..];
                if let Some(output) = output {
                    if let Some(after) = rest.trim_start().strip_prefix(output) {
                        rest = after;
                    }
                    blocks.push(Block::Output(output.to_owned()));
                }
            }
            None => {
                leftover.push(code_block);
                if let Some(output) = output {
                    leftover.push(Block::Output(output.to_owned()));
                }
            }
        }
    }
    prose(&mut blocks, rest);
    blocks.extend(leftover);
    blocks
}

/// How many cards of each kind are left.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Learning and relearning steps due.
    pub learning: usize,
    /// Reviews due today.
    pub review: usize,
    /// New questions still allowed today.
    pub new: usize,
}

/// What the driver found in the queue.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// A card to study.
    Card(Box<Card>, Counts),
    /// Nothing is due now.
    Done {
        /// Until the next learning step comes due ("12m"), if one does today.
        next_learning: Option<String>,
        /// Reviews recorded today.
        reviewed_today: usize,
    },
}

/// What is on screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    /// Before the first card is loaded.
    Loading,
    /// A card: the question, and the answer once revealed.
    Card {
        /// The card.
        card: Box<Card>,
        /// What is left.
        counts: Counts,
        /// Whether the answer is shown.
        revealed: bool,
        /// When the card was shown (for the time spent on it).
        shown_at: Millis,
    },
    /// Nothing is due.
    Done {
        /// Until the next learning step comes due, if one does today.
        next_learning: Option<String>,
        /// Reviews recorded today.
        reviewed_today: usize,
    },
}

/// What the driver must do after a key press.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing but redraw.
    None,
    /// Record this rating for the card on screen.
    Rate(Rating),
    /// Undo the last review.
    Undo,
    /// Leave.
    Quit,
}

/// One review made in this session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reviewed {
    /// The question.
    pub key: QuestionKey,
    /// The rating.
    pub rating: Rating,
    /// Time spent on the card.
    pub time_spent_ms: u32,
}

/// What the session did, printed when it ends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// The reviews of this session still in force (undone ones are removed).
    pub reviews: Vec<Reviewed>,
}

impl Summary {
    /// Cards reviewed.
    pub fn count(&self) -> usize {
        self.reviews.len()
    }

    /// Reviews rated Again.
    pub fn again(&self) -> usize {
        self.reviews
            .iter()
            .filter(|r| r.rating == Rating::Again)
            .count()
    }

    /// Time spent on the cards, in milliseconds.
    pub fn time_ms(&self) -> u64 {
        self.reviews
            .iter()
            .map(|r| u64::from(r.time_spent_ms))
            .sum()
    }

    /// One line for the terminal after the session.
    pub fn line(&self) -> String {
        match self.count() {
            0 => "No cards reviewed.".to_owned(),
            n => format!(
                "Reviewed {} ({} again) in {}.",
                plural(n, "card", "cards"),
                self.again(),
                duration(self.time_ms())
            ),
        }
    }
}

/// "45s", "3m 12s", "1h 05m".
pub fn duration(ms: u64) -> String {
    let secs = ms / 1000;
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m {:02}s", secs / 60, secs % 60),
        _ => format!("{}h {:02}m", secs / 3600, secs % 3600 / 60),
    }
}

/// The study session's state.
#[derive(Debug, Clone)]
pub struct App {
    /// What is on screen.
    pub screen: Screen,
    /// What the session did so far.
    pub summary: Summary,
    /// A message for the status line (what undo did, an error), cleared by the next key.
    pub status: Option<String>,
    /// The first line of the answer shown (clamped by the renderer).
    pub scroll: usize,
    /// Lines of answer that fit on screen (set by the renderer; PageUp/PageDown move by it).
    pub page: usize,
}

impl Default for App {
    fn default() -> Self {
        Self::new()
    }
}

impl App {
    /// A session with nothing loaded yet.
    pub fn new() -> Self {
        Self {
            screen: Screen::Loading,
            summary: Summary::default(),
            status: None,
            scroll: 0,
            page: 10,
        }
    }

    /// Shows the next card (or that nothing is due), as of `now`.
    pub fn show(&mut self, next: Next, now: Millis) {
        self.scroll = 0;
        self.screen = match next {
            Next::Card(card, counts) => Screen::Card {
                card,
                counts,
                revealed: false,
                shown_at: now,
            },
            Next::Done {
                next_learning,
                reviewed_today,
            } => Screen::Done {
                next_learning,
                reviewed_today,
            },
        };
    }

    /// The card on screen, if any.
    pub fn card(&self) -> Option<&Card> {
        match &self.screen {
            Screen::Card { card, .. } => Some(card),
            _ => None,
        }
    }

    /// Time spent on the card on screen at `now`, capped at [`MAX_TIME_SPENT_MS`].
    pub fn time_spent(&self, now: Millis) -> u32 {
        match &self.screen {
            Screen::Card { shown_at, .. } => {
                u32::try_from((now - shown_at).clamp(0, MAX_TIME_SPENT_MS)).unwrap_or(0)
            }
            _ => 0,
        }
    }

    /// Notes a review the driver recorded.
    pub fn recorded(&mut self, review: Reviewed) {
        self.summary.reviews.push(review);
    }

    /// Notes that the review of `key` was undone: it no longer counts in the summary when
    /// it was this session's last one.
    pub fn undone(&mut self, key: &QuestionKey) {
        if self.summary.reviews.last().is_some_and(|r| r.key == *key) {
            self.summary.reviews.pop();
        }
    }

    /// Handles a key press.
    pub fn on_key(&mut self, key: KeyEvent) -> Action {
        self.status = None;
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && matches!(key.code, KeyCode::Char('c' | 'd')) {
            return Action::Quit;
        }
        match &mut self.screen {
            Screen::Loading => Action::None,
            Screen::Done { .. } => match key.code {
                KeyCode::Char('u') => Action::Undo,
                _ => Action::Quit,
            },
            Screen::Card { revealed, .. } => match key.code {
                KeyCode::Char('q') | KeyCode::Esc => Action::Quit,
                KeyCode::Char('u') => Action::Undo,
                KeyCode::Char(' ') | KeyCode::Enter if !*revealed => {
                    *revealed = true;
                    self.scroll = 0;
                    Action::None
                }
                KeyCode::Char(c @ '1'..='4') => {
                    if *revealed {
                        let n = c as u8 - b'0';
                        Rating::from_u8(n).map_or(Action::None, Action::Rate)
                    } else {
                        self.status = Some("Show the answer first: press Space.".into());
                        Action::None
                    }
                }
                KeyCode::Down | KeyCode::Char('j') => self.scroll_by(1),
                KeyCode::Up | KeyCode::Char('k') => self.scroll_by(-1),
                KeyCode::PageDown => self.scroll_by(self.page_step()),
                KeyCode::PageUp => self.scroll_by(-self.page_step()),
                KeyCode::Home | KeyCode::Char('g') => {
                    self.scroll = 0;
                    Action::None
                }
                KeyCode::End | KeyCode::Char('G') => {
                    self.scroll = usize::MAX;
                    Action::None
                }
                _ => Action::None,
            },
        }
    }

    fn page_step(&self) -> isize {
        isize::try_from(self.page.saturating_sub(1).max(1)).unwrap_or(1)
    }

    fn scroll_by(&mut self, lines: isize) -> Action {
        self.scroll = self.scroll.saturating_add_signed(lines);
        Action::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn card() -> Card {
        Card {
            key: QuestionKey::new("g", "q"),
            title: "What is the GIL?".into(),
            guide: "Guide".into(),
            section: "Section".into(),
            level: "senior",
            kind: QueueKind::New,
            answer: vec![Block::Prose("A lock.".into())],
            key_points: vec![],
            buttons: Rating::ALL.map(|r| (r, "1m".to_owned())),
        }
    }

    fn showing() -> App {
        let mut app = App::new();
        app.show(Next::Card(Box::new(card()), Counts::default()), 1_000);
        app
    }

    fn revealed(app: &App) -> bool {
        matches!(app.screen, Screen::Card { revealed: true, .. })
    }

    #[test]
    fn space_reveals_then_digits_rate() {
        let mut app = showing();
        assert!(!revealed(&app));
        assert_eq!(app.on_key(key(KeyCode::Char('3'))), Action::None);
        assert!(app.status.is_some(), "says to reveal first");
        assert_eq!(app.on_key(key(KeyCode::Char(' '))), Action::None);
        assert!(revealed(&app));
        assert_eq!(app.status, None);
        for (c, r) in ['1', '2', '3', '4'].into_iter().zip(Rating::ALL) {
            assert_eq!(app.on_key(key(KeyCode::Char(c))), Action::Rate(r));
        }
        assert_eq!(app.on_key(key(KeyCode::Char('5'))), Action::None);
    }

    #[test]
    fn enter_reveals_too() {
        let mut app = showing();
        app.on_key(key(KeyCode::Enter));
        assert!(revealed(&app));
    }

    #[test]
    fn quit_and_undo_keys() {
        let table = [
            (key(KeyCode::Char('q')), Action::Quit),
            (key(KeyCode::Esc), Action::Quit),
            (
                KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
                Action::Quit,
            ),
            (key(KeyCode::Char('u')), Action::Undo),
            (key(KeyCode::Char('x')), Action::None),
        ];
        for (k, want) in table {
            assert_eq!(showing().on_key(k), want, "{k:?}");
        }
    }

    #[test]
    fn scrolling_moves_by_lines_and_pages() {
        let mut app = showing();
        app.on_key(key(KeyCode::Char(' ')));
        app.page = 10;
        app.on_key(key(KeyCode::Down));
        app.on_key(key(KeyCode::Down));
        assert_eq!(app.scroll, 2);
        app.on_key(key(KeyCode::Up));
        assert_eq!(app.scroll, 1);
        app.on_key(key(KeyCode::PageDown));
        assert_eq!(app.scroll, 10);
        app.on_key(key(KeyCode::PageUp));
        app.on_key(key(KeyCode::PageUp));
        assert_eq!(app.scroll, 0, "never below the top");
        app.on_key(key(KeyCode::End));
        assert_eq!(app.scroll, usize::MAX, "clamped by the renderer");
        app.on_key(key(KeyCode::Home));
        assert_eq!(app.scroll, 0);
    }

    #[test]
    fn a_new_card_starts_hidden_at_the_top() {
        let mut app = showing();
        app.on_key(key(KeyCode::Char(' ')));
        app.on_key(key(KeyCode::Down));
        app.show(Next::Card(Box::new(card()), Counts::default()), 2_000);
        assert!(!revealed(&app));
        assert_eq!(app.scroll, 0);
    }

    #[test]
    fn when_done_any_key_quits_but_u_undoes() {
        let mut app = App::new();
        app.show(
            Next::Done {
                next_learning: Some("12m".into()),
                reviewed_today: 3,
            },
            0,
        );
        assert_eq!(app.on_key(key(KeyCode::Char('u'))), Action::Undo);
        for code in [KeyCode::Char('x'), KeyCode::Enter, KeyCode::Char(' ')] {
            assert_eq!(app.on_key(key(code)), Action::Quit);
        }
    }

    #[test]
    fn time_spent_is_since_shown_and_capped() {
        let app = showing();
        assert_eq!(app.time_spent(4_500), 3_500);
        assert_eq!(
            app.time_spent(0),
            0,
            "a clock that went back counts nothing"
        );
        assert_eq!(
            app.time_spent(10 * MAX_TIME_SPENT_MS),
            u32::try_from(MAX_TIME_SPENT_MS).unwrap()
        );
    }

    #[test]
    fn the_summary_counts_reviews_and_forgets_undone_ones() {
        let mut app = showing();
        let review = |q: &str, rating, ms| Reviewed {
            key: QuestionKey::new("g", q),
            rating,
            time_spent_ms: ms,
        };
        assert_eq!(app.summary.line(), "No cards reviewed.");
        app.recorded(review("a", Rating::Again, 30_000));
        app.recorded(review("b", Rating::Good, 45_000));
        app.recorded(review("c", Rating::Easy, 120_000));
        assert_eq!(app.summary.line(), "Reviewed 3 cards (1 again) in 3m 15s.");
        app.undone(&QuestionKey::new("g", "c"));
        app.undone(&QuestionKey::new("g", "zzz"));
        assert_eq!(app.summary.line(), "Reviewed 2 cards (1 again) in 1m 15s.");
    }

    #[test]
    fn durations_read_well() {
        let cases = [
            (0, "0s"),
            (59_999, "59s"),
            (60_000, "1m 00s"),
            (3_599_000, "59m 59s"),
            (3_900_000, "1h 05m"),
        ];
        for (ms, want) in cases {
            assert_eq!(duration(ms), want);
        }
    }
}
