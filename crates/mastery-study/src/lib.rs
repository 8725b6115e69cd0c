//! The study domain: pure functions of a guide, the learner's state and (later) time.
//!
//! No I/O, no clock, no web types: callers pass in what the learner has done, and get
//! back what to show. Today that is progress; scheduling and mock interviews come next.

mod progress;

pub use progress::{GuideProgress, Progress, SectionProgress, orphaned};
