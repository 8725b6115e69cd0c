//! Spaced-repetition scheduling on the FSRS model (the `fsrs` crate, as in Anki), as pure
//! functions.
//!
//! The shape follows Anki's scheduler: small value types ([`CardState`], [`Rating`],
//! [`Settings`]) and a [`Scheduler`] that computes a card's next states from its current
//! state, the time and the settings. Nothing here reads a clock, a file or a database: time,
//! state and settings go in; the next state and a [`ReviewLog`] come out. The web pages, the
//! terminal and the storage layer all schedule through it, and every rule is tested with
//! small tables next to it. `docs/scheduling.md` explains it for learners and maintainers.
//!
//! One file per concern:
//! - [`rating`], [`state`], [`settings`], [`log`]: the value types;
//! - [`day`]: the learner's day (day start hour in the learner's UTC offset);
//! - [`steps`]: same-day learning and relearning steps;
//! - [`fuzz`]: deterministic interval fuzz;
//! - [`label`]: human intervals for the answer buttons;
//! - [`review`]: the scheduler (preview and review, Again < Hard < Good < Easy);
//! - [`retrievability`]: predicted recall at a given time;
//! - [`queue`]: what to study now, with daily limits;
//! - [`date_plan`]: planning for an interview date, readiness per section;
//! - [`optimize`](mod@optimize): personal parameters;
//! - [`mastered`]: what "mastered" means.

pub mod date_plan;
pub mod day;
pub mod fuzz;
pub mod label;
pub mod log;
pub mod mastered;
pub mod optimize;
pub mod queue;
pub mod rating;
pub mod retrievability;
pub mod review;
pub mod settings;
pub mod state;
pub mod steps;

pub use day::{DayClock, LearnerDay};
pub use log::ReviewLog;
pub use mastered::{MASTERED_STABILITY_DAYS, is_mastered};
pub use optimize::{MIN_REVIEWS_FOR_OPTIMIZATION, OptimizeError, Optimized, optimize};
pub use rating::{Rating, RatingError};
pub use review::{NextState, NextStates, ScheduleError, Scheduler};
pub use settings::{Settings, SettingsError};
pub use state::{CardState, DAY_MS, HOUR_MS, MINUTE_MS, MemoryState, Millis, Phase, SECOND_MS};
