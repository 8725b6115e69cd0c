//! Application services: what a learner does, as operations that join the immutable guides,
//! the pure study domain (`mastery-study`) and storage (`mastery-storage`).
//!
//! The web pages, the JSON API and the terminal all call these functions, so a review
//! recorded in the browser and one recorded in `mastery study` follow the same rules. The
//! clock is passed in (`now`), never read here.

mod error;

pub mod accounts;
pub mod cards;
pub mod community;
pub mod date_plan;
pub mod guides;
pub mod interview;
pub mod learner_data;
pub mod marks;
pub mod notes;
pub mod notifications;
pub mod profiles;
pub mod settings;
pub mod stats;
pub mod study;
pub mod teams;

pub use error::AppError;
