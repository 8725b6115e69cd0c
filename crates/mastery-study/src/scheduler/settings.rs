//! The learner's scheduling settings, with their defaults and validation.
//!
//! Settings are a plain value (stored as JSON by the storage layer); [`Settings::validate`]
//! says precisely what is wrong with one, and a [`Scheduler`](super::Scheduler) is only ever
//! built from valid settings.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

/// Default desired retention: 90% predicted recall when a card comes due.
pub const DEFAULT_DESIRED_RETENTION: f32 = 0.9;
/// Allowed desired retention. Below 70% reviews are too sparse to be useful; above 99% the
/// workload explodes (FSRS's own guidance).
pub const DESIRED_RETENTION_RANGE: RangeInclusive<f32> = 0.70..=0.99;
/// Default learning steps: 1 minute, then 10 minutes.
pub const DEFAULT_LEARNING_STEPS_SECS: [u32; 2] = [60, 600];
/// Default relearning steps: 10 minutes.
pub const DEFAULT_RELEARNING_STEPS_SECS: [u32; 1] = [600];
/// The longest allowed (re)learning step: just under a day. Steps are same-day reviews;
/// anything longer is FSRS's job (Anki's FSRS guidance: keep steps under a day). Hard on the
/// first of a single step waits 1.5 steps, which may pass a day.
pub const MAX_STEP_SECS: u32 = 86_399;
/// At most this many (re)learning steps.
pub const MAX_STEPS: usize = 16;
/// Default maximum interval: 100 years, FSRS's largest stability.
pub const DEFAULT_MAXIMUM_INTERVAL_DAYS: u32 = 36_500;
/// Allowed maximum interval. At least 4 days, so that Again < Hard < Good < Easy can always
/// differ by whole days.
pub const MAXIMUM_INTERVAL_RANGE: RangeInclusive<u32> = 4..=36_500;
/// Default new questions per day.
pub const DEFAULT_NEW_PER_DAY: u32 = 20;
/// Default reviews per day.
pub const DEFAULT_REVIEWS_PER_DAY: u32 = 200;
/// Default hour (in the learner's local time) at which a new study day starts.
pub const DEFAULT_DAY_START_HOUR: u8 = 4;

/// Which list of steps a [`SettingsError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepsKind {
    /// [`Settings::learning_steps_secs`].
    Learning,
    /// [`Settings::relearning_steps_secs`].
    Relearning,
}

impl std::fmt::Display for StepsKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StepsKind::Learning => "learning",
            StepsKind::Relearning => "relearning",
        })
    }
}

/// What is wrong with some settings.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SettingsError {
    /// Desired retention outside [`DESIRED_RETENTION_RANGE`].
    #[error("desired retention must be between 0.70 and 0.99, not {0}")]
    DesiredRetention(f32),
    /// A step of zero seconds.
    #[error("{0} steps must be longer than zero seconds")]
    ZeroStep(StepsKind),
    /// A step of a day or more.
    #[error("{kind} steps must be shorter than a day ({MAX_STEP_SECS} s at most), not {secs} s")]
    StepTooLong {
        /// Which steps.
        kind: StepsKind,
        /// The offending step.
        secs: u32,
    },
    /// Steps that do not grow.
    #[error("{0} steps must be in increasing order")]
    StepsNotIncreasing(StepsKind),
    /// Too many steps.
    #[error("at most {MAX_STEPS} {kind} steps, not {count}")]
    TooManySteps {
        /// Which steps.
        kind: StepsKind,
        /// How many were given.
        count: usize,
    },
    /// Maximum interval outside [`MAXIMUM_INTERVAL_RANGE`].
    #[error("the maximum interval must be between 4 and 36500 days, not {0}")]
    MaximumInterval(u32),
    /// Day start hour above 23.
    #[error("the day start hour must be between 0 and 23, not {0}")]
    DayStartHour(u8),
    /// A UTC offset beyond ±14 hours.
    #[error("the UTC offset must be within ±14 hours (±840 minutes), not {0} minutes")]
    UtcOffset(i32),
    /// Personal parameters the FSRS model refuses (wrong count or not finite).
    #[error("FSRS parameters must be 17, 19 or 21 finite numbers (got {len}); reset them")]
    Parameters {
        /// How many were given.
        len: usize,
    },
}

/// How one learner's reviews are scheduled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Predicted recall at which a card comes due (0.70..=0.99, default 0.9). Higher means
    /// more reviews and better recall.
    pub desired_retention: f32,
    /// Same-day steps for new cards, in seconds (default 1 min, 10 min).
    pub learning_steps_secs: Vec<u32>,
    /// Same-day steps after forgetting a review card, in seconds (default 10 min).
    pub relearning_steps_secs: Vec<u32>,
    /// Longest interval in days (default 36500).
    pub maximum_interval_days: u32,
    /// New questions introduced per day (default 20).
    pub new_per_day: u32,
    /// Review cards shown per day (default 200).
    pub reviews_per_day: u32,
    /// Spread review intervals a little so cards learnt together do not stay together
    /// (default on; see [`fuzz`](super::fuzz)).
    pub fuzz: bool,
    /// Personal FSRS parameters from the optimiser; `None` uses the crate's defaults.
    pub parameters: Option<Vec<f32>>,
    /// Local hour at which a new study day starts (default 4, as in Anki).
    pub day_start_hour: u8,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            desired_retention: DEFAULT_DESIRED_RETENTION,
            learning_steps_secs: DEFAULT_LEARNING_STEPS_SECS.to_vec(),
            relearning_steps_secs: DEFAULT_RELEARNING_STEPS_SECS.to_vec(),
            maximum_interval_days: DEFAULT_MAXIMUM_INTERVAL_DAYS,
            new_per_day: DEFAULT_NEW_PER_DAY,
            reviews_per_day: DEFAULT_REVIEWS_PER_DAY,
            fuzz: true,
            parameters: None,
            day_start_hour: DEFAULT_DAY_START_HOUR,
        }
    }
}

impl Settings {
    /// Checks every field; the first problem found is returned.
    pub fn validate(&self) -> Result<(), SettingsError> {
        if !DESIRED_RETENTION_RANGE.contains(&self.desired_retention) {
            return Err(SettingsError::DesiredRetention(self.desired_retention));
        }
        validate_steps(StepsKind::Learning, &self.learning_steps_secs)?;
        validate_steps(StepsKind::Relearning, &self.relearning_steps_secs)?;
        if !MAXIMUM_INTERVAL_RANGE.contains(&self.maximum_interval_days) {
            return Err(SettingsError::MaximumInterval(self.maximum_interval_days));
        }
        if self.day_start_hour > 23 {
            return Err(SettingsError::DayStartHour(self.day_start_hour));
        }
        self.fsrs_parameters().map(|_| ())
    }

    /// The 21 FSRS parameters these settings use (personal ones, or the crate's defaults),
    /// checked by the crate.
    pub fn fsrs_parameters(&self) -> Result<Vec<f32>, SettingsError> {
        let given = self.parameters.as_deref().unwrap_or(&[]);
        fsrs::check_and_fill_parameters(given)
            .map_err(|_| SettingsError::Parameters { len: given.len() })
    }
}

fn validate_steps(kind: StepsKind, steps: &[u32]) -> Result<(), SettingsError> {
    if steps.len() > MAX_STEPS {
        return Err(SettingsError::TooManySteps {
            kind,
            count: steps.len(),
        });
    }
    for &secs in steps {
        if secs == 0 {
            return Err(SettingsError::ZeroStep(kind));
        }
        if secs > MAX_STEP_SECS {
            return Err(SettingsError::StepTooLong { kind, secs });
        }
    }
    if steps.windows(2).any(|w| w[0] >= w[1]) {
        return Err(SettingsError::StepsNotIncreasing(kind));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_as_documented() {
        let s = Settings::default();
        assert_eq!(s.validate(), Ok(()));
        assert_eq!(s.desired_retention, 0.9);
        assert_eq!(s.learning_steps_secs, [60, 600]);
        assert_eq!(s.relearning_steps_secs, [600]);
        assert_eq!(
            (s.maximum_interval_days, s.new_per_day, s.reviews_per_day),
            (36500, 20, 200)
        );
        assert!(s.fuzz);
        assert_eq!(s.day_start_hour, 4);
        assert_eq!(
            s.fsrs_parameters().unwrap(),
            fsrs::DEFAULT_PARAMETERS.to_vec()
        );
    }

    #[test]
    fn validation_table() {
        type Edit = fn(&mut Settings);
        let cases: Vec<(&str, Edit, Result<(), SettingsError>)> = vec![
            ("retention 0.70", |s| s.desired_retention = 0.70, Ok(())),
            ("retention 0.99", |s| s.desired_retention = 0.99, Ok(())),
            (
                "retention 0.69",
                |s| s.desired_retention = 0.69,
                Err(SettingsError::DesiredRetention(0.69)),
            ),
            (
                "retention 1.0",
                |s| s.desired_retention = 1.0,
                Err(SettingsError::DesiredRetention(1.0)),
            ),
            (
                "retention NaN",
                |s| s.desired_retention = f32::NAN,
                Err(SettingsError::DesiredRetention(f32::NAN)),
            ),
            (
                "no steps",
                |s| {
                    s.learning_steps_secs.clear();
                    s.relearning_steps_secs.clear()
                },
                Ok(()),
            ),
            (
                "zero step",
                |s| s.learning_steps_secs = vec![0, 60],
                Err(SettingsError::ZeroStep(StepsKind::Learning)),
            ),
            (
                "day-long step",
                |s| s.relearning_steps_secs = vec![86_400],
                Err(SettingsError::StepTooLong {
                    kind: StepsKind::Relearning,
                    secs: 86_400,
                }),
            ),
            (
                "longest step",
                |s| s.relearning_steps_secs = vec![86_399],
                Ok(()),
            ),
            (
                "equal steps",
                |s| s.learning_steps_secs = vec![60, 60],
                Err(SettingsError::StepsNotIncreasing(StepsKind::Learning)),
            ),
            (
                "decreasing steps",
                |s| s.learning_steps_secs = vec![600, 60],
                Err(SettingsError::StepsNotIncreasing(StepsKind::Learning)),
            ),
            (
                "too many steps",
                |s| s.learning_steps_secs = (1..=17).collect(),
                Err(SettingsError::TooManySteps {
                    kind: StepsKind::Learning,
                    count: 17,
                }),
            ),
            (
                "max interval 3",
                |s| s.maximum_interval_days = 3,
                Err(SettingsError::MaximumInterval(3)),
            ),
            ("max interval 4", |s| s.maximum_interval_days = 4, Ok(())),
            (
                "max interval 36501",
                |s| s.maximum_interval_days = 36_501,
                Err(SettingsError::MaximumInterval(36_501)),
            ),
            ("hour 23", |s| s.day_start_hour = 23, Ok(())),
            (
                "hour 24",
                |s| s.day_start_hour = 24,
                Err(SettingsError::DayStartHour(24)),
            ),
            (
                "21 parameters",
                |s| s.parameters = Some(fsrs::DEFAULT_PARAMETERS.to_vec()),
                Ok(()),
            ),
            (
                "20 parameters",
                |s| s.parameters = Some(vec![1.0; 20]),
                Err(SettingsError::Parameters { len: 20 }),
            ),
            ("empty parameters", |s| s.parameters = Some(vec![]), Ok(())),
            (
                "NaN parameter",
                |s| {
                    let mut p = fsrs::DEFAULT_PARAMETERS.to_vec();
                    p[3] = f32::NAN;
                    s.parameters = Some(p)
                },
                Err(SettingsError::Parameters { len: 21 }),
            ),
        ];
        for (name, edit, want) in cases {
            let mut s = Settings::default();
            edit(&mut s);
            let got = s.validate();
            // NaN != NaN: compare the Debug text instead.
            assert_eq!(format!("{got:?}"), format!("{want:?}"), "{name}");
        }
    }

    #[test]
    fn json_fills_defaults_and_rejects_unknown_fields() {
        let s: Settings = serde_json::from_str(r#"{"desired_retention":0.85}"#).unwrap();
        assert_eq!(
            s,
            Settings {
                desired_retention: 0.85,
                ..Settings::default()
            }
        );
        assert!(serde_json::from_str::<Settings>(r#"{"retention":0.85}"#).is_err());
    }
}
