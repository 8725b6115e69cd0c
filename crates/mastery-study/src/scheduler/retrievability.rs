//! Predicted recall: the probability that the learner recalls a card at a given time.
//!
//! This is FSRS's forgetting curve (the `fsrs` crate's `current_retrievability`): recall is
//! 100% right after a review and falls with time, to 90% after `stability` days, following a
//! power law whose shape is the decay parameter (w20). Time is counted continuously here (a
//! day and a half is 1.5 days) so predictions for a given hour are smooth; the scheduler
//! itself counts whole learner days, as FSRS was trained.

use super::review::Scheduler;
use super::state::{CardState, DAY_MS, MemoryState, Millis};

/// Predicted recall `elapsed_days` after a review that left the card with `memory`, for
/// forgetting-curve `decay` (see [`Scheduler::decay`]).
pub fn retrievability(memory: MemoryState, elapsed_days: f32, decay: f32) -> f32 {
    fsrs::current_retrievability(memory.into(), elapsed_days.max(0.0), decay)
}

impl Scheduler {
    /// Predicted recall of the card at `at` (0.0 to 1.0); `None` for a card never reviewed
    /// (or whose memory is unknown or invalid).
    pub fn retrievability(&self, state: &CardState, at: Millis) -> Option<f32> {
        let memory = state.memory.filter(|m| m.is_valid() && !state.is_new())?;
        let last = state.last_review?;
        let elapsed = at.saturating_sub(last).max(0) as f64 / DAY_MS as f64;
        Some(retrievability(memory, elapsed as f32, self.decay()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::{Phase, Settings};

    fn reviewed(stability: f32, last_review: Millis) -> CardState {
        CardState {
            phase: Phase::Review,
            memory: Some(MemoryState {
                stability,
                difficulty: 5.0,
            }),
            due: last_review,
            last_review: Some(last_review),
            reps: 3,
            lapses: 0,
        }
    }

    #[test]
    fn forgetting_curve_table() {
        let s = Scheduler::new(Settings::default(), 0).unwrap();
        // (stability, days since review, expected recall)
        let cases = [
            (10.0, 0.0, 1.0),
            (10.0, 10.0, 0.9), // stability is the time to 90%
            (1.0, 1.0, 0.9),
            (100.0, 100.0, 0.9),
        ];
        for (stability, days, want) in cases {
            let at = (days * DAY_MS as f64) as Millis;
            let got = s.retrievability(&reviewed(stability, 0), at).unwrap();
            assert!(
                (got - want).abs() < 1e-5,
                "S={stability} t={days}: {got} != {want}"
            );
        }
        let r = |days: f64| {
            s.retrievability(&reviewed(10.0, 0), (days * DAY_MS as f64) as Millis)
                .unwrap()
        };
        assert!(
            r(5.0) > r(10.0) && r(10.0) > r(20.0) && r(20.0) > r(365.0),
            "recall falls with time"
        );
        assert_eq!(s.retrievability(&CardState::NEW, 0), None);
        assert_eq!(
            s.retrievability(&reviewed(10.0, 100), 50),
            Some(1.0),
            "a review in the future"
        );
    }

    #[test]
    fn recall_at_the_interval_is_the_desired_retention() {
        for retention in [0.7_f32, 0.8, 0.9, 0.95, 0.99] {
            let settings = Settings {
                desired_retention: retention,
                ..Settings::default()
            };
            let s = Scheduler::new(settings, 0).unwrap();
            for stability in [0.5_f32, 3.0, 40.0, 800.0] {
                let days = s.fsrs().next_interval(Some(stability), retention, 3);
                let r = retrievability(
                    MemoryState {
                        stability,
                        difficulty: 5.0,
                    },
                    days,
                    s.decay(),
                );
                assert!(
                    (r - retention).abs() < 1e-4,
                    "S={stability} r={retention}: {r}"
                );
            }
        }
    }
}
