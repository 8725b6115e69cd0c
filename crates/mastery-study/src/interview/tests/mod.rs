//! Tests of the mock interviews on a fixture of real questions and answers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fixture;
mod lineup;
mod matching;
mod report;
mod session;
