//! What to study now: a pure selection from all of a learner's cards.
//!
//! Order, as in Anki:
//! 1. **Learning and relearning cards due now**, earliest first: they are mid-way through
//!    same-day steps and lose the most by waiting. Never limited.
//! 2. **Review cards due today** (due before the learner's day ends), earliest due first (so
//!    the most overdue come first; ties keep guide order), up to what is left of
//!    [`Settings::reviews_per_day`].
//! 3. **New cards** in guide order, up to what is left of [`Settings::new_per_day`].
//! 4. Only when nothing else is left: learning cards due within [`LEARN_AHEAD_MS`] (20
//!    minutes, Anki's default), so a session can finish instead of waiting for the last step.
//!
//! The daily limits count what was already done today ([`DoneToday`], from the review logs):
//! reviews of cards that were in the Review phase, and first reviews of new cards. Learning
//! steps count against neither. The caller's predicate (say, one section of a guide) filters
//! cards before anything else, so limits apply to what the learner chose to study.

use super::day::LearnerDay;
use super::log::ReviewLog;
use super::settings::Settings;
use super::state::{CardState, MINUTE_MS, Millis, Phase};

/// How far ahead learning cards may be shown when nothing else is left.
pub const LEARN_AHEAD_MS: Millis = 20 * MINUTE_MS;

/// One card offered to the queue: an opaque key (say `guide/question`) and its state. Cards
/// are given in guide order; questions never studied have [`CardState::NEW`].
#[derive(Debug, Clone, Copy)]
pub struct QueueCard<'a> {
    /// The caller's key for the card.
    pub key: &'a str,
    /// Its state.
    pub state: &'a CardState,
}

/// What the learner already studied today, for the daily limits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DoneToday {
    /// New cards seen for the first time today.
    pub new: u32,
    /// Review-phase cards reviewed today.
    pub reviews: u32,
}

impl DoneToday {
    /// Counts the logs of reviews made during `today`.
    pub fn from_logs<'a>(logs: impl IntoIterator<Item = &'a ReviewLog>, today: LearnerDay) -> Self {
        let mut done = Self::default();
        for log in logs.into_iter().filter(|l| today.contains(l.reviewed_at)) {
            match log.state_before.phase {
                Phase::New => done.new = done.new.saturating_add(1),
                Phase::Review => done.reviews = done.reviews.saturating_add(1),
                Phase::Learning { .. } | Phase::Relearning { .. } => {}
            }
        }
        done
    }
}

/// Why a card is in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueueKind {
    /// A learning or relearning step.
    Learning,
    /// A review due today.
    Review,
    /// A new card.
    New,
}

/// One card to study.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queued<'a> {
    /// The caller's key.
    pub key: &'a str,
    /// Why it is here.
    pub kind: QueueKind,
}

/// The cards to study now, in order, with the counts a study screen shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StudyQueue<'a> {
    /// The cards, first to study first.
    pub cards: Vec<Queued<'a>>,
    /// Learning cards in `cards`.
    pub learning: usize,
    /// Review cards in `cards`.
    pub review: usize,
    /// New cards in `cards`.
    pub new: usize,
    /// When the next learning card not yet in the queue comes due today, to show "next card
    /// in 4 min" when the queue is empty.
    pub next_learning_due: Option<Millis>,
}

impl<'a> StudyQueue<'a> {
    /// The card to show now, if any.
    pub fn next(&self) -> Option<&Queued<'a>> {
        self.cards.first()
    }
}

/// Selects what to study at `now` on the learner's day `today`, given what was `done` today;
/// only cards whose key passes `include` are considered. See the module docs for the order.
pub fn build<'a>(
    cards: impl IntoIterator<Item = QueueCard<'a>>,
    now: Millis,
    today: LearnerDay,
    done: DoneToday,
    settings: &Settings,
    include: impl Fn(&str) -> bool,
) -> StudyQueue<'a> {
    let mut learning_now = Vec::new();
    let mut learning_later = Vec::new();
    let mut reviews = Vec::new();
    let mut new = Vec::new();
    for (position, card) in cards
        .into_iter()
        .enumerate()
        .filter(|(_, c)| include(c.key))
    {
        let due = card.state.due;
        match card.state.phase {
            Phase::New => new.push(card.key),
            Phase::Learning { .. } | Phase::Relearning { .. } if due <= now => {
                learning_now.push((due, position, card.key));
            }
            Phase::Learning { .. } | Phase::Relearning { .. } => {
                learning_later.push((due, position, card.key));
            }
            Phase::Review if due < today.end => reviews.push((due, position, card.key)),
            Phase::Review => {}
        }
    }
    learning_now.sort_unstable();
    learning_later.sort_unstable();
    reviews.sort_unstable();

    let review_limit = remaining(settings.reviews_per_day, done.reviews);
    let new_limit = remaining(settings.new_per_day, done.new);
    let mut queue = StudyQueue::default();
    let learning = learning_now
        .iter()
        .map(|&(_, _, key)| (key, QueueKind::Learning));
    let review = reviews
        .iter()
        .take(review_limit)
        .map(|&(_, _, key)| (key, QueueKind::Review));
    let fresh = new.iter().take(new_limit).map(|&key| (key, QueueKind::New));
    queue.cards = learning
        .chain(review)
        .chain(fresh)
        .map(|(key, kind)| Queued { key, kind })
        .collect();

    let mut later = learning_later.into_iter().peekable();
    if queue.cards.is_empty() {
        while let Some((_, _, key)) =
            later.next_if(|&(due, _, _)| due <= now.saturating_add(LEARN_AHEAD_MS))
        {
            queue.cards.push(Queued {
                key,
                kind: QueueKind::Learning,
            });
        }
    }
    queue.next_learning_due = later.next().map(|(due, _, _)| due);
    for card in &queue.cards {
        match card.kind {
            QueueKind::Learning => queue.learning += 1,
            QueueKind::Review => queue.review += 1,
            QueueKind::New => queue.new += 1,
        }
    }
    queue
}

fn remaining(limit: u32, done: u32) -> usize {
    usize::try_from(limit.saturating_sub(done)).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::{DAY_MS, DayClock, HOUR_MS, MemoryState, Rating};

    /// 2024-03-10T12:00:00Z, with days starting at 04:00 UTC.
    const NOW: Millis = 1_710_072_000_000;

    fn today() -> LearnerDay {
        DayClock::new(0, 4).unwrap().day(NOW)
    }

    fn card(phase: Phase, due_from_now: Millis) -> CardState {
        CardState {
            phase,
            memory: Some(MemoryState {
                stability: 5.0,
                difficulty: 5.0,
            }),
            due: NOW + due_from_now,
            last_review: Some(NOW - DAY_MS),
            reps: 2,
            lapses: 0,
        }
    }

    const LEARN: Phase = Phase::Learning { step: 0 };
    const RELEARN: Phase = Phase::Relearning { step: 0 };
    const REVIEW: Phase = Phase::Review;
    const NEW: Phase = Phase::New;
    const MIN: Millis = MINUTE_MS;

    struct Case {
        name: &'static str,
        cards: Vec<(&'static str, Phase, Millis)>,
        done: DoneToday,
        limits: (u32, u32),
        want: Vec<&'static str>,
        next_learning_due: Option<Millis>,
    }

    fn run(case: &Case) {
        let states: Vec<(&str, CardState)> = case
            .cards
            .iter()
            .map(|&(k, p, d)| (k, card(p, d)))
            .collect();
        let settings = Settings {
            new_per_day: case.limits.0,
            reviews_per_day: case.limits.1,
            ..Settings::default()
        };
        let q = build(
            states.iter().map(|(key, state)| QueueCard { key, state }),
            NOW,
            today(),
            case.done,
            &settings,
            |key| !key.starts_with('x'),
        );
        let keys: Vec<&str> = q.cards.iter().map(|c| c.key).collect();
        assert_eq!(keys, case.want, "{}", case.name);
        assert_eq!(
            q.next_learning_due,
            case.next_learning_due.map(|d| NOW + d),
            "{}",
            case.name
        );
        assert_eq!(
            q.learning + q.review + q.new,
            q.cards.len(),
            "{}",
            case.name
        );
        assert_eq!(
            q.next().map(|c| c.key),
            keys.first().copied(),
            "{}",
            case.name
        );
    }

    #[test]
    fn queue_table() {
        let none = DoneToday::default();
        let cases = vec![
            Case {
                name: "learning now, then reviews by due, then new in guide order",
                cards: vec![
                    ("n1", NEW, 0),
                    ("r-late", REVIEW, 3 * HOUR_MS),
                    ("l-later", LEARN, 5 * MIN),
                    ("r-overdue", REVIEW, -3 * DAY_MS),
                    ("n2", NEW, 0),
                    ("rl", RELEARN, -1),
                    ("l", LEARN, -10 * MIN),
                ],
                done: none,
                limits: (20, 200),
                want: vec!["l", "rl", "r-overdue", "r-late", "n1", "n2"],
                next_learning_due: Some(5 * MIN),
            },
            Case {
                name: "reviews due tomorrow wait; due by the end of today come",
                cards: vec![
                    ("r-tonight", REVIEW, 15 * HOUR_MS), // 03:00 tomorrow: still today
                    ("r-tomorrow", REVIEW, 16 * HOUR_MS), // 04:00 tomorrow: a new day
                ],
                done: none,
                limits: (20, 200),
                want: vec!["r-tonight"],
                next_learning_due: None,
            },
            Case {
                name: "daily limits count what was done",
                cards: vec![
                    ("r1", REVIEW, -2 * HOUR_MS),
                    ("r2", REVIEW, -HOUR_MS),
                    ("r3", REVIEW, 0),
                    ("n1", NEW, 0),
                    ("n2", NEW, 0),
                    ("n3", NEW, 0),
                ],
                done: DoneToday { new: 1, reviews: 8 },
                limits: (3, 10),
                want: vec!["r1", "r2", "n1", "n2"],
                next_learning_due: None,
            },
            Case {
                name: "limits reached: only learning cards",
                cards: vec![("r1", REVIEW, 0), ("n1", NEW, 0), ("l1", LEARN, 0)],
                done: DoneToday {
                    new: 25,
                    reviews: 300,
                },
                limits: (20, 200),
                want: vec!["l1"],
                next_learning_due: None,
            },
            Case {
                name: "the predicate filters before limits",
                cards: vec![
                    ("x-r", REVIEW, 0),
                    ("x-n", NEW, 0),
                    ("n1", NEW, 0),
                    ("n2", NEW, 0),
                ],
                done: none,
                limits: (1, 200),
                want: vec!["n1"],
                next_learning_due: None,
            },
            Case {
                name: "learn ahead 20 minutes when nothing else is left",
                cards: vec![
                    ("l-5", LEARN, 5 * MIN),
                    ("l-20", RELEARN, 20 * MIN),
                    ("l-21", LEARN, 21 * MIN),
                ],
                done: none,
                limits: (20, 200),
                want: vec!["l-5", "l-20"],
                next_learning_due: Some(21 * MIN),
            },
            Case {
                name: "no learn ahead while other cards remain",
                cards: vec![("l-5", LEARN, 5 * MIN), ("n1", NEW, 0)],
                done: none,
                limits: (20, 200),
                want: vec!["n1"],
                next_learning_due: Some(5 * MIN),
            },
            Case {
                name: "equal due dates keep guide order",
                cards: vec![
                    ("b", REVIEW, -HOUR_MS),
                    ("a", REVIEW, -HOUR_MS),
                    ("c", REVIEW, -2 * HOUR_MS),
                ],
                done: none,
                limits: (20, 200),
                want: vec!["c", "b", "a"],
                next_learning_due: None,
            },
            Case {
                name: "nothing at all",
                cards: vec![],
                done: none,
                limits: (20, 200),
                want: vec![],
                next_learning_due: None,
            },
        ];
        for case in &cases {
            run(case);
        }
    }

    #[test]
    fn done_today_counts_from_logs() {
        let log = |at: Millis, before: Phase| ReviewLog {
            rating: Rating::Good,
            reviewed_at: at,
            elapsed_days: 0,
            elapsed_ms: None,
            scheduled_days: 0,
            time_spent_ms: 1000,
            state_before: CardState {
                phase: before,
                ..CardState::NEW
            },
            state_after: CardState::NEW,
        };
        let logs = [
            log(NOW, NEW),
            log(NOW - HOUR_MS, NEW),
            log(NOW, LEARN),
            log(NOW, REVIEW),
            log(NOW, RELEARN),
            log(NOW - DAY_MS, REVIEW), // yesterday
            log(today().start, REVIEW),
            log(today().end, NEW), // tomorrow
        ];
        assert_eq!(
            DoneToday::from_logs(&logs, today()),
            DoneToday { new: 2, reviews: 2 }
        );
    }
}
