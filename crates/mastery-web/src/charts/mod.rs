//! Server-rendered SVG charts for the stats and interview pages, as pure functions returning
//! SVG text.
//!
//! No chart library and no script: each chart is an `<svg role="img">` named by its
//! `<title>` and described by a `<desc>` (both referenced from `aria-labelledby`), drawn in
//! a `viewBox` so it scales from a phone to a desktop. Colours come from the page's custom
//! properties through CSS classes only (`class="heat heat-3"`, `class="bar bar-due"`): no
//! `style` attribute (the CSP forbids inline styles) and no colour attribute, so both themes
//! apply. Every text is escaped. The page follows each chart with a table of the same
//! numbers.
//!
//! The modules: `svg` holds the shared primitives and formatting and uses no other chart
//! module; `bars` is the vertical bar chart drawn by `forecast` (cards due per day) and
//! `weekly` (retention and time per week); `heatmap`, `mastery`, `cohort` (a team's readiness per
//! section) and `trend` (mock interview scores) each draw one chart. This file only declares and re-exports.

mod bars;
mod cohort;
mod forecast;
mod heatmap;
mod mastery;
mod svg;
mod trend;
mod weekly;

pub use cohort::{CohortSection, cohort};
pub use forecast::forecast;
pub use heatmap::heatmap;
pub use mastery::mastery;
pub use mastery_content::html::escape;
pub use svg::{duration, plural};
pub use trend::{TrendMark, interview_trend};
pub use weekly::{retention, time};
