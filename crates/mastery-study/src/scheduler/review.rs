//! The scheduler: from a card's state, the time and the settings, its next state for each
//! rating.
//!
//! [`Scheduler::preview`] computes all four outcomes (the buttons show their intervals);
//! [`Scheduler::review`] applies one and writes the [`ReviewLog`]. Both are pure: the same
//! state, time, settings and fuzz seed always give the same result.
//!
//! How one outcome is computed:
//! 1. **Elapsed days** are learner days since the last review ([`DayClock::days_between`]),
//!    as Anki counts them: 0 means "same day", and FSRS then uses its short-term stability
//!    formula (the learning steps of a new card are same-day reviews).
//! 2. **Memory**: the `fsrs` crate's `next_states` gives the stability and difficulty after
//!    each rating (a new card gets FSRS's initial values).
//! 3. **Phase and delay**: [`steps`](super::steps) says whether the card goes to a same-day
//!    step (minutes) or graduates to an interval in days.
//! 4. **Interval**: FSRS's interval for the new stability at the desired retention, rounded
//!    to whole days, at least 1 and at most the maximum interval; then fuzzed (when on).
//! 5. **Order**: Again < Hard < Good < Easy is enforced on the delays. A day interval that is
//!    not longer than the outcome before it is raised to one day more; if that overshoots the
//!    maximum interval, intervals are lowered from Easy down so each is a day shorter than the
//!    next. FSRS alone almost always gives this order, but rounding, fuzz, the maximum
//!    interval, or a long last learning step can otherwise make two buttons equal.

use fsrs::FSRS;

use super::day::DayClock;
use super::fuzz::{fuzz_factor, fuzzed_days};
use super::label::human_interval;
use super::log::ReviewLog;
use super::rating::Rating;
use super::settings::{Settings, SettingsError};
use super::state::{CardState, DAY_MS, MemoryState, Millis, Phase};
use super::steps::{Delay, transition};

/// Why a card could not be scheduled.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum ScheduleError {
    /// The stored memory state is not one FSRS could have produced (NaN, negative, …).
    #[error(
        "invalid memory state (stability {stability}, difficulty {difficulty}); reset the card"
    )]
    InvalidMemory {
        /// The stored stability.
        stability: f32,
        /// The stored difficulty.
        difficulty: f32,
    },
    /// The FSRS model refused the input.
    #[error("the FSRS model could not schedule this card: {0}")]
    Model(#[from] fsrs::FSRSError),
}

/// Schedules reviews for one learner: their settings, their clock and the FSRS model built
/// from their parameters. Cheap to build; build one per request with the learner's current
/// UTC offset.
#[derive(Debug, Clone)]
pub struct Scheduler {
    settings: Settings,
    clock: DayClock,
    fsrs: FSRS,
    decay: f32,
}

/// What one rating would do.
#[derive(Debug, Clone, PartialEq)]
pub struct NextState {
    /// The card after this rating.
    pub state: CardState,
    /// Until the card is due again, in milliseconds.
    pub interval_ms: Millis,
    /// Whole days until due for an interval in days; 0 for a same-day step.
    pub scheduled_days: u32,
    /// FSRS's own interval in whole days, before fuzz and the Again < Hard < Good < Easy
    /// rule; `None` for a same-day step. Shown in statistics and compared with py-fsrs.
    pub base_days: Option<u32>,
    /// The interval for the button: "1m", "10m", "3d", "2.1mo".
    pub label: String,
}

/// What each of the four ratings would do.
#[derive(Debug, Clone, PartialEq)]
pub struct NextStates {
    /// After Again.
    pub again: NextState,
    /// After Hard.
    pub hard: NextState,
    /// After Good.
    pub good: NextState,
    /// After Easy.
    pub easy: NextState,
}

impl NextStates {
    /// The outcome of `rating`.
    pub fn get(&self, rating: Rating) -> &NextState {
        match rating {
            Rating::Again => &self.again,
            Rating::Hard => &self.hard,
            Rating::Good => &self.good,
            Rating::Easy => &self.easy,
        }
    }

    /// The four outcomes, Again first.
    pub fn iter(&self) -> impl Iterator<Item = (Rating, &NextState)> {
        Rating::ALL.into_iter().map(|r| (r, self.get(r)))
    }
}

/// One outcome while it is being computed.
#[derive(Debug, Clone, Copy)]
struct Outcome {
    phase: Phase,
    memory: MemoryState,
    step_ms: Option<Millis>,
    base_days: u32,
    days: u32,
}

impl Outcome {
    fn delay_ms(&self) -> Millis {
        self.step_ms.unwrap_or(Millis::from(self.days) * DAY_MS)
    }
}

impl Scheduler {
    /// A scheduler for `settings` (validated, FSRS parameters checked by the `fsrs` crate) for
    /// a learner `utc_offset_minutes` east of UTC.
    pub fn new(settings: Settings, utc_offset_minutes: i32) -> Result<Self, SettingsError> {
        settings.validate()?;
        let clock = DayClock::new(utc_offset_minutes, settings.day_start_hour)?;
        let parameters = settings.fsrs_parameters()?;
        let fsrs = FSRS::new(&parameters).map_err(|_| SettingsError::Parameters {
            len: parameters.len(),
        })?;
        // FSRS::new clamps the decay (w20) into 0.1..=0.8; the forgetting curve uses the same.
        let decay = parameters
            .get(20)
            .copied()
            .unwrap_or(fsrs::FSRS6_DEFAULT_DECAY)
            .clamp(0.1, 0.8);
        Ok(Self {
            settings,
            clock,
            fsrs,
            decay,
        })
    }

    /// The settings this scheduler applies.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The learner's day clock (UTC offset and day start hour).
    pub fn clock(&self) -> DayClock {
        self.clock
    }

    /// FSRS's decay parameter (w20): the shape of the forgetting curve.
    pub fn decay(&self) -> f32 {
        self.decay
    }

    pub(crate) fn fsrs(&self) -> &FSRS {
        &self.fsrs
    }

    /// FSRS's interval for `stability` at the desired retention, in whole days: rounded
    /// (halves away from zero), at least 1, at most the maximum interval.
    pub fn interval_days(&self, stability: f32) -> u32 {
        let raw = self
            .fsrs
            .next_interval(Some(stability), self.settings.desired_retention, 3);
        let max = self.settings.maximum_interval_days as f32;
        if raw.is_nan() {
            return self.settings.maximum_interval_days;
        }
        raw.round().clamp(1.0, max) as u32
    }

    /// Learner days from the card's last review to `now` (0 for a first review).
    pub fn elapsed_days(&self, state: &CardState, now: Millis) -> u32 {
        state
            .last_review
            .map_or(0, |last| self.clock.days_between(last, now))
    }

    /// The memory FSRS starts from: none for a new card (or one whose memory is unknown).
    fn memory_before(state: &CardState) -> Result<Option<MemoryState>, ScheduleError> {
        match (state.phase, state.memory) {
            (Phase::New, _) | (_, None) => Ok(None),
            (_, Some(m)) if m.is_valid() => Ok(Some(m)),
            (_, Some(m)) => Err(ScheduleError::InvalidMemory {
                stability: m.stability,
                difficulty: m.difficulty,
            }),
        }
    }

    /// What each rating would do to `state` if answered at `now`. `fuzz_seed` makes fuzz
    /// deterministic (see [`fuzz_seed`](super::fuzz::fuzz_seed)); pass the same seed to
    /// [`Scheduler::review`] so the buttons show what will happen.
    pub fn preview(
        &self,
        state: &CardState,
        now: Millis,
        fuzz_seed: u64,
    ) -> Result<NextStates, ScheduleError> {
        let memory = Self::memory_before(state)?;
        let elapsed = self.elapsed_days(state, now);
        let next = self.fsrs.next_states(
            memory.map(Into::into),
            self.settings.desired_retention,
            elapsed,
        )?;
        let memories = [
            next.again.memory,
            next.hard.memory,
            next.good.memory,
            next.easy.memory,
        ];
        let factor = self.settings.fuzz.then(|| fuzz_factor(fuzz_seed));
        let max = self.settings.maximum_interval_days;

        let mut outcomes = Rating::ALL.map(|rating| {
            let memory = MemoryState::from(memories[rating.index()]);
            let t = transition(
                state.phase,
                rating,
                &self.settings.learning_steps_secs,
                &self.settings.relearning_steps_secs,
            );
            let (step_ms, base_days) = match t.delay {
                Delay::Step(ms) => (Some(ms), 0),
                Delay::Days => (None, self.interval_days(memory.stability)),
            };
            let days = match factor {
                Some(f) if step_ms.is_none() => fuzzed_days(base_days, f, max),
                _ => base_days,
            };
            Outcome {
                phase: t.phase,
                memory,
                step_ms,
                base_days,
                days,
            }
        });
        enforce_order(&mut outcomes, max);

        let [again, hard, good, easy] = Rating::ALL
            .map(|rating| self.next_state(state, now, rating, &outcomes[rating.index()]));
        Ok(NextStates {
            again,
            hard,
            good,
            easy,
        })
    }

    fn next_state(&self, state: &CardState, now: Millis, rating: Rating, o: &Outcome) -> NextState {
        let interval_ms = o.delay_ms();
        let lapsed = state.phase == Phase::Review && rating == Rating::Again;
        NextState {
            state: CardState {
                phase: o.phase,
                memory: Some(o.memory),
                due: now.saturating_add(interval_ms),
                last_review: Some(now),
                reps: state.reps.saturating_add(1),
                lapses: state.lapses.saturating_add(u32::from(lapsed)),
            },
            interval_ms,
            scheduled_days: if o.step_ms.is_some() { 0 } else { o.days },
            base_days: o.step_ms.is_none().then_some(o.base_days),
            label: human_interval(interval_ms),
        }
    }

    /// Answers `state` with `rating` at `now`: the card's next state and the review's log.
    /// `time_spent_ms` is how long the learner took; `fuzz_seed` as for [`Scheduler::preview`].
    pub fn review(
        &self,
        state: &CardState,
        rating: Rating,
        now: Millis,
        time_spent_ms: u32,
        fuzz_seed: u64,
    ) -> Result<(CardState, ReviewLog), ScheduleError> {
        let next = self.preview(state, now, fuzz_seed)?;
        let outcome = next.get(rating);
        let log = ReviewLog {
            rating,
            reviewed_at: now,
            elapsed_days: self.elapsed_days(state, now),
            elapsed_ms: state.last_review.map(|last| now.saturating_sub(last)),
            scheduled_days: outcome.scheduled_days,
            time_spent_ms,
            state_before: *state,
            state_after: outcome.state,
        };
        Ok((outcome.state, log))
    }
}

/// Makes the delays strictly increase from Again to Easy (see the module docs). Only day
/// intervals move: same-day steps are shorter than a day and grow with the rating already.
fn enforce_order(outcomes: &mut [Outcome; 4], maximum_days: u32) {
    for i in 1..outcomes.len() {
        let previous = outcomes[i - 1].delay_ms();
        let o = &mut outcomes[i];
        if o.step_ms.is_none() && o.delay_ms() <= previous {
            let at_least = previous.div_euclid(DAY_MS) + 1;
            o.days = u32::try_from(at_least).unwrap_or(u32::MAX);
        }
    }
    let mut ceiling = maximum_days;
    for o in outcomes.iter_mut().rev() {
        if o.step_ms.is_none() {
            o.days = o.days.min(ceiling).max(1);
            ceiling = o.days.saturating_sub(1).max(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::scheduler::fuzz::fuzz_bounds;
    use crate::scheduler::state::{HOUR_MS, MINUTE_MS, SECOND_MS};

    /// 2024-03-10T12:00:00Z; days start at 04:00 UTC.
    const NOW: Millis = 1_710_072_000_000;

    fn scheduler(edit: impl FnOnce(&mut Settings)) -> Scheduler {
        let mut settings = Settings {
            fuzz: false,
            ..Settings::default()
        };
        edit(&mut settings);
        Scheduler::new(settings, 0).unwrap()
    }

    fn review_card(stability: f32, difficulty: f32, last_ago: Millis) -> CardState {
        CardState {
            phase: Phase::Review,
            memory: Some(MemoryState {
                stability,
                difficulty,
            }),
            due: NOW,
            last_review: Some(NOW - last_ago),
            reps: 5,
            lapses: 1,
        }
    }

    /// (phase after, label, scheduled days, base days) of one rating.
    type Row = (Phase, String, u32, Option<u32>);

    /// The rows of the four ratings.
    fn summary(next: &NextStates) -> Vec<Row> {
        next.iter()
            .map(|(_, n)| {
                (
                    n.state.phase,
                    n.label.clone(),
                    n.scheduled_days,
                    n.base_days,
                )
            })
            .collect()
    }

    fn row(phase: Phase, label: &str, days: u32, base: Option<u32>) -> Row {
        (phase, label.to_string(), days, base)
    }

    #[test]
    fn preview_table() {
        use Phase::*;
        let default = scheduler(|_| {});
        let no_steps = scheduler(|s| {
            s.learning_steps_secs.clear();
            s.relearning_steps_secs.clear();
        });
        let capped = scheduler(|s| s.maximum_interval_days = 4);
        let learning1 = CardState {
            phase: Learning { step: 1 },
            ..default
                .review(&CardState::NEW, Rating::Good, NOW - 10 * MINUTE_MS, 0, 0)
                .unwrap()
                .0
        };
        let cases: Vec<(&str, &Scheduler, CardState, Vec<Row>)> = vec![
            (
                "new card: steps 1m, 5.5m, 10m; Easy graduates on FSRS's initial 8.3 days",
                &default,
                CardState::NEW,
                vec![
                    row(Learning { step: 0 }, "1m", 0, None),
                    row(Learning { step: 0 }, "5.5m", 0, None),
                    row(Learning { step: 1 }, "10m", 0, None),
                    row(Review, "8d", 8, Some(8)),
                ],
            ),
            (
                "last learning step, same day: Good and Easy graduate",
                &default,
                learning1,
                vec![
                    row(Learning { step: 0 }, "1m", 0, None),
                    row(Learning { step: 1 }, "10m", 0, None),
                    row(Review, "2d", 2, Some(2)),
                    row(Review, "4d", 4, Some(4)),
                ],
            ),
            (
                "no steps: all four in days, raised to keep Again < Hard < Good < Easy",
                &no_steps,
                CardState::NEW,
                vec![
                    row(Review, "1d", 1, Some(1)),
                    row(Review, "2d", 2, Some(1)),
                    row(Review, "3d", 3, Some(2)),
                    row(Review, "8d", 8, Some(8)),
                ],
            ),
            (
                "review card on time (py-fsrs gives 23, 32, 51 days): relearn on Again",
                &default,
                review_card(10.0, 5.0, 10 * DAY_MS),
                vec![
                    row(Relearning { step: 0 }, "10m", 0, None),
                    row(Review, "23d", 23, Some(23)),
                    row(Review, "1.1mo", 32, Some(32)),
                    row(Review, "1.7mo", 51, Some(51)),
                ],
            ),
            (
                "maximum interval 4 days: lowered from Easy down",
                &capped,
                review_card(400.0, 5.0, 300 * DAY_MS),
                vec![
                    row(Relearning { step: 0 }, "10m", 0, None),
                    row(Review, "2d", 2, Some(4)),
                    row(Review, "3d", 3, Some(4)),
                    row(Review, "4d", 4, Some(4)),
                ],
            ),
        ];
        for (name, s, card, want) in cases {
            let got = summary(&s.preview(&card, NOW, 0).unwrap());
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn review_applies_the_previewed_outcome_and_logs_it() {
        let s = scheduler(|s| s.fuzz = true);
        let card = review_card(10.0, 5.0, 12 * DAY_MS);
        let preview = s.preview(&card, NOW, 42).unwrap();
        for rating in Rating::ALL {
            let (next, log) = s.review(&card, rating, NOW, 7_500, 42).unwrap();
            assert_eq!(next, preview.get(rating).state, "{rating}");
            assert_eq!(log.rating, rating);
            assert_eq!(log.reviewed_at, NOW);
            assert_eq!(log.elapsed_days, 12);
            assert_eq!(log.elapsed_ms, Some(12 * DAY_MS));
            assert_eq!(log.scheduled_days, preview.get(rating).scheduled_days);
            assert_eq!(log.time_spent_ms, 7_500);
            assert_eq!((log.state_before, log.state_after), (card, next));
            assert_eq!(next.reps, 6);
            assert_eq!(next.last_review, Some(NOW));
            assert_eq!(next.due, NOW + preview.get(rating).interval_ms);
            assert_eq!(
                next.lapses,
                if rating == Rating::Again { 2 } else { 1 },
                "{rating}"
            );
        }
        let (_, first) = s.review(&CardState::NEW, Rating::Good, NOW, 0, 1).unwrap();
        assert_eq!((first.elapsed_days, first.elapsed_ms), (0, None));
    }

    #[test]
    fn fuzz_is_deterministic_and_within_bounds() {
        let fuzzed = scheduler(|s| s.fuzz = true);
        let plain = scheduler(|_| {});
        let card = review_card(30.0, 5.0, 30 * DAY_MS);
        let base = plain.preview(&card, NOW, 0).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for seed in 0..200 {
            let a = fuzzed.preview(&card, NOW, seed).unwrap();
            assert_eq!(
                a,
                fuzzed.preview(&card, NOW, seed).unwrap(),
                "same seed, same result"
            );
            let good = base.good.scheduled_days;
            let (low, high) = fuzz_bounds(good, 36500);
            assert!((low..=high).contains(&a.good.scheduled_days), "seed {seed}");
            assert_eq!(a.good.base_days, Some(good));
            seen.insert(a.good.scheduled_days);
        }
        assert!(seen.len() > 3, "fuzz spreads intervals: {seen:?}");
        // No fuzz under 2.5 days: with no steps, a new card's Again is 1 day and Hard 2 days
        // (raised from FSRS's 1 day to stay above Again) whatever the seed.
        let no_steps = scheduler(|s| {
            s.fuzz = true;
            s.learning_steps_secs.clear();
        });
        for seed in 0..50 {
            let next = no_steps.preview(&CardState::NEW, NOW, seed).unwrap();
            assert_eq!(
                (next.again.scheduled_days, next.hard.scheduled_days),
                (1, 2),
                "seed {seed}"
            );
        }
    }

    #[test]
    fn elapsed_days_are_learner_days() {
        // Days start at 04:00 UTC: 23:00 -> 05:00 the next morning is one day, though only
        // six hours passed; 05:00 -> 03:00 the next night is the same day.
        let s = scheduler(|_| {});
        let day_start = s.clock().day(NOW).start; // 04:00
        let card = |last: Millis| review_card(5.0, 5.0, NOW - last);
        let at = |h: Millis| day_start - 4 * HOUR_MS + h * HOUR_MS; // h hours after midnight
        assert_eq!(
            s.elapsed_days(
                &CardState {
                    last_review: Some(at(23)),
                    ..card(0)
                },
                at(29)
            ),
            1
        );
        assert_eq!(
            s.elapsed_days(
                &CardState {
                    last_review: Some(at(5)),
                    ..card(0)
                },
                at(27)
            ),
            0
        );
        assert_eq!(s.elapsed_days(&CardState::NEW, NOW), 0);
    }

    #[test]
    fn invalid_memory_is_refused() {
        let s = scheduler(|_| {});
        for (stability, difficulty) in [(f32::NAN, 5.0), (-1.0, 5.0), (5.0, 11.0)] {
            let card = review_card(stability, difficulty, DAY_MS);
            assert!(matches!(
                s.preview(&card, NOW, 0),
                Err(ScheduleError::InvalidMemory { .. })
            ));
            assert!(s.review(&card, Rating::Good, NOW, 0, 0).is_err());
        }
        // A learning card whose memory is unknown starts from FSRS's initial state.
        let unknown = CardState {
            phase: Phase::Learning { step: 0 },
            memory: None,
            ..CardState::NEW
        };
        assert!(s.preview(&unknown, NOW, 0).is_ok());
    }

    #[test]
    fn rejects_bad_settings() {
        let bad = Settings {
            desired_retention: 0.5,
            ..Settings::default()
        };
        assert_eq!(
            Scheduler::new(bad, 0).err(),
            Some(SettingsError::DesiredRetention(0.5))
        );
        assert_eq!(
            Scheduler::new(Settings::default(), 900).err(),
            Some(SettingsError::UtcOffset(900))
        );
        let params = Settings {
            parameters: Some(vec![0.5; 5]),
            ..Settings::default()
        };
        assert_eq!(
            Scheduler::new(params, 0).err(),
            Some(SettingsError::Parameters { len: 5 })
        );
    }

    fn phase() -> impl Strategy<Value = Phase> {
        prop_oneof![
            Just(Phase::New),
            (0u32..4).prop_map(|step| Phase::Learning { step }),
            Just(Phase::Review),
            (0u32..3).prop_map(|step| Phase::Relearning { step }),
        ]
    }

    fn steps() -> impl Strategy<Value = Vec<u32>> {
        prop_oneof![
            Just(vec![]),
            Just(vec![60, 600]),
            Just(vec![600]),
            Just(vec![60, 600, 3600]),
            Just(vec![3600, 43_200, 86_399]),
            // Hard on a single step waits 1.5 steps: here 30 hours, more than a day.
            Just(vec![72_000]),
        ]
    }

    prop_compose! {
        fn settings()(
            desired_retention in 0.70f32..=0.99,
            learning_steps_secs in steps(),
            relearning_steps_secs in steps(),
            maximum_interval_days in prop_oneof![Just(36_500u32), 4u32..=36_500, 4u32..=30],
            fuzz in any::<bool>(),
        ) -> Settings {
            Settings {
                desired_retention,
                learning_steps_secs,
                relearning_steps_secs,
                maximum_interval_days,
                fuzz,
                ..Settings::default()
            }
        }
    }

    prop_compose! {
        fn card()(
            phase in phase(),
            ln_stability in (0.001f32).ln()..(36_500f32).ln(),
            difficulty in 1.0f32..=10.0,
            elapsed_ms in prop_oneof![0..DAY_MS, 0..3000 * DAY_MS],
            reps in 0u32..50,
        ) -> (CardState, Millis) {
            let stability = ln_stability.exp();
            let memory = (phase != Phase::New).then_some(MemoryState { stability, difficulty });
            let last_review = (phase != Phase::New).then_some(NOW - elapsed_ms);
            (CardState { phase, memory, due: NOW, last_review, reps, lapses: 0 }, elapsed_ms)
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn again_hard_good_easy_strictly_increase(
            settings in settings(),
            (card, _) in card(),
            seed in any::<u64>(),
        ) {
            let max = settings.maximum_interval_days;
            let s = Scheduler::new(settings, 0).unwrap();
            let next = s.preview(&card, NOW, seed).unwrap();
            let delays: Vec<Millis> = next.iter().map(|(_, n)| n.interval_ms).collect();
            prop_assert!(delays.windows(2).all(|w| w[0] < w[1]), "delays {:?}", delays);
            for (rating, n) in next.iter() {
                prop_assert!(n.interval_ms > 0);
                prop_assert_eq!(n.state.due, NOW + n.interval_ms);
                if n.state.phase == Phase::Review {
                    let days = n.scheduled_days;
                    prop_assert!((1..=max).contains(&days), "{} {}", rating, days);
                    prop_assert_eq!(n.interval_ms, Millis::from(n.scheduled_days) * DAY_MS);
                    prop_assert!(n.base_days.is_some());
                } else {
                    prop_assert!(n.interval_ms <= 108_000 * SECOND_MS, "at most 1.5 × 20 h");
                    prop_assert_eq!(n.scheduled_days, 0);
                }
                let m = n.state.memory.unwrap();
                prop_assert!(m.is_valid(), "{:?}", m);
            }
            // For a review card Hard < Good < Easy are all day intervals.
            if card.phase == Phase::Review {
                prop_assert!(next.hard.scheduled_days < next.good.scheduled_days);
                prop_assert!(next.good.scheduled_days < next.easy.scheduled_days);
            }
        }

        #[test]
        fn review_is_pure_and_matches_preview(
            settings in settings(),
            (card, _) in card(),
            seed in any::<u64>(),
            r in 1u8..=4,
        ) {
            let s = Scheduler::new(settings, 0).unwrap();
            let rating = Rating::from_u8(r).unwrap();
            let (a, log_a) = s.review(&card, rating, NOW, 1234, seed).unwrap();
            let (b, log_b) = s.review(&card, rating, NOW, 1234, seed).unwrap();
            prop_assert_eq!(a, b);
            prop_assert_eq!(log_a, log_b);
            prop_assert_eq!(a, s.preview(&card, NOW, seed).unwrap().get(rating).state);
        }
    }
}
