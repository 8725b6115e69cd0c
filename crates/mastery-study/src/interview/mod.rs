//! Mock interviews: timed questions, typed answers graded against key points, follow-up
//! ladders and a report that feeds the scheduler.
//!
//! Pure domain logic, like the rest of the crate: the guide, the learner's answers and the
//! time go in; the state to store and what to show come out.
//!
//! - [`matching`]: transparent key-point matching of a typed answer, with the rules that
//!   keep a list of keywords from scoring as an explanation;
//! - [`lineup`](mod@lineup): presets, custom interviews and the deterministic choice of
//!   questions;
//! - [`session`]: the interview state machine (serde, versioned): submit, correct, the
//!   follow-up ladder, time-outs;
//! - [`report`](mod@report): scores per question and section, time, ladder depth, missed
//!   points, ratings for the scheduler, a Markdown export and the trend of past interviews.
//!
//! Not to be confused with [`scheduler::date_plan`](crate::scheduler::date_plan), which plans
//! reviews for the date of a real interview.

mod levels;
pub mod lineup;
pub mod matching;
pub mod report;
pub mod session;

#[cfg(test)]
mod tests;

pub use lineup::{Custom, Lineup, LineupError, PRESETS, Preset, Request, lineup, preset};
pub use matching::{Grading, Mark, Matcher, PointStatus, grade};
pub use report::{Report, Trend, key_points, labels, report, suggest_rating, to_markdown, trend};
pub use session::{Answer, Interview, Item, SessionError, Step, Submitted};
