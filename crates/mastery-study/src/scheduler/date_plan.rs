//! Planning for an interview date, and readiness on that date.
//!
//! **Predicted recall on the day.** [`Scheduler::retrievability`] at the interview time gives,
//! per card, the probability of recalling it then; [`readiness`] averages it per section
//! (cards never studied count as 0) for the readiness page.
//!
//! **The planning rule** ([`plan`]). Normally a card comes due when its predicted recall falls
//! to the desired retention. When that due date falls on or after the interview day, the card
//! would not be reviewed before the interview, and its recall there is whatever is left of the
//! last review. The rule then considers reviewing it on each learner day from today (but not
//! the day of its last review) to the day before the interview:
//!
//! - reviewing on day X resets recall to about 1, and the forgetting curve from X to the
//!   interview depends on the stability after that review;
//! - so for each candidate X it computes the expected recall at the interview:
//!   `R(X)·R_good(T) + (1 − R(X))·R_again(T)`, where `R(X)` is the predicted recall at X (the
//!   chance the review succeeds) and `R_good(T)`, `R_again(T)` the recall at the interview `T`
//!   after a Good or an Again review at X (FSRS's next states for the elapsed days at X);
//! - it picks the X with the highest expected recall, ties (within 1e-6) going to the later
//!   day, and moves the due date to the start of that day;
//! - unless that raises recall at the interview by less than [`MIN_RECALL_GAIN`] over leaving
//!   the card alone: cards already safe for the day are not pulled into the last days.
//!
//! Why it mostly picks the last day before the interview: a later review leaves less time to
//! forget before the interview, and (FSRS's spacing effect) earns a larger stability increase
//! because recall has fallen further. Evaluating every day keeps the rule right when the
//! chance of failing a late review outweighs that (weak cards, personal parameters). The day
//! of the interview itself is not a candidate: a review that day may come after the interview.
//!
//! The rule is applied after each review (and to every card when the learner sets the date);
//! after the planned review the card is planned again, so it ends up reviewed close to the
//! interview, as the learner would cram — but only the cards that need it.

use std::collections::HashMap;

use super::retrievability::retrievability;
use super::review::{ScheduleError, Scheduler};
use super::state::{CardState, DAY_MS, MemoryState, Millis, Phase};

/// Bring a review forward only if it raises predicted recall at the interview by at least
/// this much (one percentage point).
pub const MIN_RECALL_GAIN: f32 = 0.01;

/// Expected recalls closer than this are ties (the later day wins).
pub const TIE_EPSILON: f32 = 1e-6;

/// Why a card keeps its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unchanged {
    /// New, or in a same-day step: not scheduled in days.
    NotInReview,
    /// The interview is not in the future.
    InterviewPassed,
    /// The card is due before the interview day anyway.
    DueBeforeInterview,
    /// No day is left between now (or the last review) and the interview day.
    NoDayLeft,
    /// Recall at the interview is already within [`MIN_RECALL_GAIN`] of the best plan.
    SmallGain,
}

/// What to do with a card's due date for an interview.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DatePlan {
    /// Keep the due date.
    Unchanged(Unchanged),
    /// Move the due date earlier.
    BringForward {
        /// The new due date: the start of the chosen learner day (or now, for today).
        due: Millis,
        /// Expected recall at the interview with the review on that day.
        recall_at_interview: f32,
        /// Predicted recall at the interview without it.
        recall_if_unchanged: f32,
    },
}

/// Decides whether and when to bring `state`'s next review forward for an interview at
/// `interview_at` (see the module docs for the rule).
pub fn plan(
    scheduler: &Scheduler,
    state: &CardState,
    now: Millis,
    interview_at: Millis,
) -> Result<DatePlan, ScheduleError> {
    let (Phase::Review, Some(memory), Some(last)) = (state.phase, state.memory, state.last_review)
    else {
        return Ok(DatePlan::Unchanged(Unchanged::NotInReview));
    };
    if !memory.is_valid() {
        return Err(ScheduleError::InvalidMemory {
            stability: memory.stability,
            difficulty: memory.difficulty,
        });
    }
    if interview_at <= now {
        return Ok(DatePlan::Unchanged(Unchanged::InterviewPassed));
    }
    let clock = scheduler.clock();
    let interview_day = clock.day_index(interview_at);
    if clock.day_index(state.due) < interview_day {
        return Ok(DatePlan::Unchanged(Unchanged::DueBeforeInterview));
    }
    let first = clock
        .day_index(now)
        .max(clock.day_index(last).saturating_add(1));
    let mut best: Option<(Millis, f32)> = None;
    for day in first..interview_day {
        let at = clock.start_of_day(day).max(now);
        let recall = expected_recall(scheduler, memory, last, at, interview_at)?;
        if best.is_none_or(|(_, r)| recall >= r - TIE_EPSILON) {
            best = Some((at, recall));
        }
    }
    let Some((due, recall_at_interview)) = best else {
        return Ok(DatePlan::Unchanged(Unchanged::NoDayLeft));
    };
    let recall_if_unchanged = recall_between(scheduler, memory, last, interview_at);
    if recall_at_interview - recall_if_unchanged < MIN_RECALL_GAIN {
        return Ok(DatePlan::Unchanged(Unchanged::SmallGain));
    }
    Ok(DatePlan::BringForward {
        due,
        recall_at_interview,
        recall_if_unchanged,
    })
}

/// `state` with its due date moved by [`plan`] (unchanged when the plan keeps it).
pub fn apply(
    scheduler: &Scheduler,
    state: &CardState,
    now: Millis,
    interview_at: Millis,
) -> Result<CardState, ScheduleError> {
    Ok(match plan(scheduler, state, now, interview_at)? {
        DatePlan::BringForward { due, .. } => CardState { due, ..*state },
        DatePlan::Unchanged(_) => *state,
    })
}

fn days(ms: Millis) -> f32 {
    (ms.max(0) as f64 / DAY_MS as f64) as f32
}

fn recall_between(scheduler: &Scheduler, memory: MemoryState, from: Millis, to: Millis) -> f32 {
    retrievability(memory, days(to.saturating_sub(from)), scheduler.decay())
}

/// Expected recall at `interview_at` if the card (last reviewed at `last`) is reviewed at `at`.
fn expected_recall(
    scheduler: &Scheduler,
    memory: MemoryState,
    last: Millis,
    at: Millis,
    interview_at: Millis,
) -> Result<f32, ScheduleError> {
    let success = recall_between(scheduler, memory, last, at);
    let elapsed = scheduler.clock().days_between(last, at);
    let next = scheduler.fsrs().next_states(
        Some(memory.into()),
        scheduler.settings().desired_retention,
        elapsed,
    )?;
    let after = |m: fsrs::MemoryState| recall_between(scheduler, m.into(), at, interview_at);
    Ok(success * after(next.good.memory) + (1.0 - success) * after(next.again.memory))
}

/// Predicted recall for one section on the interview day.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionReadiness {
    /// The section (as the caller named it).
    pub section: String,
    /// Cards in the section.
    pub cards: usize,
    /// Cards studied at least once.
    pub studied: usize,
    /// Mean predicted recall at the interview, cards never studied counting as 0.
    pub mean_recall: f32,
}

/// Predicted recall per section at `at`, sections in the order they first appear.
pub fn readiness<'a>(
    scheduler: &Scheduler,
    cards: impl IntoIterator<Item = (&'a str, &'a CardState)>,
    at: Millis,
) -> Vec<SectionReadiness> {
    let mut order: Vec<&str> = Vec::new();
    let mut sums: HashMap<&str, (usize, usize, f64)> = HashMap::new();
    for (section, state) in cards {
        let entry = sums.entry(section).or_insert_with(|| {
            order.push(section);
            (0, 0, 0.0)
        });
        entry.0 += 1;
        if let Some(recall) = scheduler.retrievability(state, at) {
            entry.1 += 1;
            entry.2 += f64::from(recall);
        }
    }
    order
        .into_iter()
        .map(|section| {
            let (cards, studied, sum) = sums.get(section).copied().unwrap_or_default();
            let mean = if cards == 0 { 0.0 } else { sum / cards as f64 };
            SectionReadiness {
                section: section.to_string(),
                cards,
                studied,
                mean_recall: mean as f32,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::{DayClock, HOUR_MS, Settings};

    /// 2024-03-10T12:00:00Z; UTC learner, days start at 04:00.
    const NOW: Millis = 1_710_072_000_000;

    fn scheduler() -> Scheduler {
        Scheduler::new(Settings::default(), 0).unwrap()
    }

    fn day_start(days_from_today: i64) -> Millis {
        let clock = DayClock::new(0, 4).unwrap();
        clock.start_of_day(clock.day_index(NOW) + days_from_today)
    }

    fn review_card(stability: f32, last_days_ago: i64, due_in_days: i64) -> CardState {
        CardState {
            phase: Phase::Review,
            memory: Some(MemoryState {
                stability,
                difficulty: 5.0,
            }),
            due: NOW + due_in_days * DAY_MS,
            last_review: Some(NOW - last_days_ago * DAY_MS),
            reps: 4,
            lapses: 0,
        }
    }

    #[test]
    fn plan_table() {
        let s = scheduler();
        // (name, card, interview in days from now, expected new due or why unchanged)
        let interview = |d: i64| NOW + d * DAY_MS;
        let cases: Vec<(&str, CardState, Millis, Result<Millis, Unchanged>)> = vec![
            (
                "due before the interview",
                review_card(10.0, 2, 5),
                interview(10),
                Err(Unchanged::DueBeforeInterview),
            ),
            (
                "new card",
                CardState::NEW,
                interview(10),
                Err(Unchanged::NotInReview),
            ),
            (
                "learning card",
                CardState {
                    phase: Phase::Learning { step: 1 },
                    ..review_card(1.0, 0, 0)
                },
                interview(10),
                Err(Unchanged::NotInReview),
            ),
            (
                "interview passed",
                review_card(10.0, 2, 20),
                NOW - HOUR_MS,
                Err(Unchanged::InterviewPassed),
            ),
            (
                "interview later today",
                review_card(10.0, 2, 20),
                NOW + 2 * HOUR_MS,
                Err(Unchanged::NoDayLeft),
            ),
            (
                "reviewed today, interview tomorrow",
                review_card(10.0, 0, 20),
                interview(1),
                Err(Unchanged::NoDayLeft),
            ),
            (
                "already safe: recall stays above 99%",
                review_card(3000.0, 1, 300),
                interview(10),
                Err(Unchanged::SmallGain),
            ),
            (
                "due just after the interview: last day before",
                review_card(10.0, 0, 11),
                interview(10),
                Ok(day_start(9)),
            ),
            (
                "due on the interview day",
                review_card(10.0, 1, 10),
                interview(10),
                Ok(day_start(9)),
            ),
            (
                "interview tomorrow: today",
                review_card(2.0, 3, 2),
                interview(1),
                Ok(NOW),
            ),
            (
                "weak card, far interview: still the last day",
                review_card(1.0, 5, 60),
                interview(30),
                Ok(day_start(29)),
            ),
        ];
        for (name, card, at, want) in cases {
            let got = plan(&s, &card, NOW, at).unwrap();
            match (got, want) {
                (DatePlan::Unchanged(why), Err(want)) => assert_eq!(why, want, "{name}"),
                (
                    DatePlan::BringForward {
                        due,
                        recall_at_interview,
                        recall_if_unchanged,
                    },
                    Ok(want),
                ) => {
                    assert_eq!(due, want, "{name}");
                    assert!(
                        recall_at_interview >= recall_if_unchanged + MIN_RECALL_GAIN,
                        "{name}"
                    );
                    assert_eq!(apply(&s, &card, NOW, at).unwrap().due, want, "{name}");
                }
                (got, want) => panic!("{name}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn the_chosen_day_maximises_expected_recall() {
        let s = scheduler();
        let card = review_card(4.0, 2, 40);
        let at = NOW + 20 * DAY_MS;
        let DatePlan::BringForward {
            due,
            recall_at_interview,
            ..
        } = plan(&s, &card, NOW, at).unwrap()
        else {
            panic!("expected a plan");
        };
        let last = card.last_review.unwrap();
        for d in 0..20 {
            let t = day_start(d).max(NOW);
            let r = expected_recall(&s, card.memory.unwrap(), last, t, at).unwrap();
            assert!(
                r <= recall_at_interview + TIE_EPSILON,
                "day {d}: {r} > {recall_at_interview}"
            );
        }
        assert_eq!(due, day_start(19));
    }

    #[test]
    fn readiness_per_section() {
        let s = scheduler();
        let strong = review_card(1000.0, 1, 900);
        let weak = review_card(1.0, 1, 1);
        let cards = [
            ("python", &strong),
            ("django", &CardState::NEW),
            ("python", &weak),
            ("django", &strong),
        ];
        let at = NOW + 7 * DAY_MS;
        let got = readiness(&s, cards, at);
        let r = |c: &CardState| s.retrievability(c, at).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].section.as_str(), got[0].cards, got[0].studied),
            ("python", 2, 2)
        );
        assert!((got[0].mean_recall - (r(&strong) + r(&weak)) / 2.0).abs() < 1e-6);
        assert_eq!(
            (got[1].section.as_str(), got[1].cards, got[1].studied),
            ("django", 2, 1)
        );
        assert!((got[1].mean_recall - r(&strong) / 2.0).abs() < 1e-6);
        assert!(readiness(&s, [], at).is_empty());
    }
}
