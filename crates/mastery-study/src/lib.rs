//! The study domain: pure functions of a guide, the learner's state and time.
//!
//! No I/O, no clock, no web types: callers pass in what the learner has done and the current
//! time, and get back what to show and what to store. [`GuideProgress`] counts what a
//! learner has mastered; [`scheduler`] schedules reviews on the FSRS model, selects what to
//! study, plans for an interview date and fits personal parameters; [`stats`] computes the
//! study statistics (activity, due forecast, true retention, mastery per section, streak).
//! Mock interviews come next.

mod progress;
pub mod scheduler;
pub mod stats;

pub use progress::{GuideProgress, Progress, SectionProgress, orphaned};
