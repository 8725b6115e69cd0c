//! Same-day learning and relearning steps: which phase a rating leads to, and whether the
//! card comes back after a step (minutes) or after an FSRS interval (days).
//!
//! The rules are py-fsrs's (the official Python implementation), which match Anki's for the
//! step lengths. For a card on step `i` of its steps (a new card is on learning step 0):
//!
//! - **Again**: back to step 0.
//! - **Hard**: stays on step `i` and waits step `i`; on step 0, the mean of steps 0 and 1
//!   (1.5 × step 0 when there is only one step).
//! - **Good**: on to step `i + 1`; after the last step, graduate.
//! - **Easy**: graduate.
//!
//! A card in the Review phase goes to relearning step 0 on Again (or stays in review with an
//! FSRS interval when there are no relearning steps), and gets an FSRS interval otherwise.
//!
//! "Graduate" means the Review phase with an FSRS interval in days. With no steps at all, every
//! rating graduates at once. A card whose step is past the end of the list (the steps were
//! shortened since) graduates on Hard, Good and Easy and restarts on Again.
//!
//! Whether a review is "same-day" for FSRS (its short-term stability formula) depends only on
//! the elapsed learner days, never on the phase: see [`Scheduler`](super::Scheduler).

use super::rating::Rating;
use super::state::{Millis, Phase, SECOND_MS};

/// When the card comes back after a rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delay {
    /// After a (re)learning step of this many milliseconds.
    Step(Millis),
    /// After the FSRS interval, in whole days.
    Days,
}

/// The phase a rating leads to, and when the card comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Transition {
    pub phase: Phase,
    pub delay: Delay,
}

const GRADUATE: Transition = Transition {
    phase: Phase::Review,
    delay: Delay::Days,
};

/// What `rating` does to a card in `phase`.
pub(crate) fn transition(
    phase: Phase,
    rating: Rating,
    learning_steps_secs: &[u32],
    relearning_steps_secs: &[u32],
) -> Transition {
    match phase {
        Phase::New => within_steps(0, rating, learning_steps_secs, |step| Phase::Learning {
            step,
        }),
        Phase::Learning { step } => within_steps(step, rating, learning_steps_secs, |step| {
            Phase::Learning { step }
        }),
        Phase::Relearning { step } => within_steps(step, rating, relearning_steps_secs, |step| {
            Phase::Relearning { step }
        }),
        Phase::Review => match (rating, relearning_steps_secs.first()) {
            (Rating::Again, Some(&first)) => Transition {
                phase: Phase::Relearning { step: 0 },
                delay: Delay::Step(ms(first)),
            },
            _ => GRADUATE,
        },
    }
}

fn ms(secs: u32) -> Millis {
    Millis::from(secs) * SECOND_MS
}

fn within_steps(step: u32, rating: Rating, steps: &[u32], phase: fn(u32) -> Phase) -> Transition {
    let Some(&first) = steps.first() else {
        return GRADUATE;
    };
    let index = usize::try_from(step).unwrap_or(usize::MAX);
    if index >= steps.len() && rating != Rating::Again {
        return GRADUATE;
    }
    match rating {
        Rating::Again => Transition {
            phase: phase(0),
            delay: Delay::Step(ms(first)),
        },
        Rating::Hard => {
            let delay = match (index, steps.get(1)) {
                (0, Some(&second)) => (ms(first) + ms(second)) / 2,
                (0, None) => ms(first) * 3 / 2,
                _ => steps.get(index).map_or(ms(first), |&s| ms(s)),
            };
            Transition {
                phase: phase(step),
                delay: Delay::Step(delay),
            }
        }
        Rating::Good => match steps.get(index + 1) {
            Some(&next) => Transition {
                phase: phase(step + 1),
                delay: Delay::Step(ms(next)),
            },
            None => GRADUATE,
        },
        Rating::Easy => GRADUATE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::state::MINUTE_MS;

    fn step(phase: Phase, min: f64) -> Transition {
        Transition {
            phase,
            delay: Delay::Step((min * MINUTE_MS as f64) as Millis),
        }
    }

    #[test]
    fn default_steps_table() {
        use Phase::*;
        use Rating::*;
        let learning = [60, 600];
        let relearning = [600];
        let cases = [
            (New, Again, step(Learning { step: 0 }, 1.0)),
            (New, Hard, step(Learning { step: 0 }, 5.5)),
            (New, Good, step(Learning { step: 1 }, 10.0)),
            (New, Easy, GRADUATE),
            (Learning { step: 0 }, Again, step(Learning { step: 0 }, 1.0)),
            (Learning { step: 0 }, Hard, step(Learning { step: 0 }, 5.5)),
            (Learning { step: 0 }, Good, step(Learning { step: 1 }, 10.0)),
            (Learning { step: 1 }, Again, step(Learning { step: 0 }, 1.0)),
            (Learning { step: 1 }, Hard, step(Learning { step: 1 }, 10.0)),
            (Learning { step: 1 }, Good, GRADUATE),
            (Learning { step: 1 }, Easy, GRADUATE),
            // Steps shortened since the card entered step 5.
            (Learning { step: 5 }, Again, step(Learning { step: 0 }, 1.0)),
            (Learning { step: 5 }, Hard, GRADUATE),
            (Review, Again, step(Relearning { step: 0 }, 10.0)),
            (Review, Hard, GRADUATE),
            (Review, Good, GRADUATE),
            (Review, Easy, GRADUATE),
            (
                Relearning { step: 0 },
                Again,
                step(Relearning { step: 0 }, 10.0),
            ),
            (
                Relearning { step: 0 },
                Hard,
                step(Relearning { step: 0 }, 15.0),
            ),
            (Relearning { step: 0 }, Good, GRADUATE),
            (Relearning { step: 0 }, Easy, GRADUATE),
        ];
        for (phase, rating, want) in cases {
            assert_eq!(
                transition(phase, rating, &learning, &relearning),
                want,
                "{phase:?} {rating}"
            );
        }
    }

    #[test]
    fn three_steps_and_no_steps() {
        use Phase::*;
        let three = [60, 600, 3600];
        assert_eq!(
            transition(Learning { step: 1 }, Rating::Hard, &three, &[]),
            step(Learning { step: 1 }, 10.0)
        );
        assert_eq!(
            transition(Learning { step: 1 }, Rating::Good, &three, &[]),
            step(Learning { step: 2 }, 60.0)
        );
        assert_eq!(
            transition(Learning { step: 2 }, Rating::Good, &three, &[]),
            GRADUATE
        );
        for rating in Rating::ALL {
            assert_eq!(transition(New, rating, &[], &[]), GRADUATE, "{rating}");
            assert_eq!(transition(Review, rating, &[], &[]), GRADUATE, "{rating}");
            assert_eq!(
                transition(Relearning { step: 0 }, rating, &[60], &[]),
                GRADUATE,
                "{rating}"
            );
        }
    }
}
