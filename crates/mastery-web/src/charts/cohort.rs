//! A team's readiness per section: one horizontal bar a section for the cohort's mean
//! predicted recall, with a tick at the median, on a scale from 0 to 100%.

use super::svg::{line, n, open, plural, rect, shorten, text};

const COHORT_W: f64 = 480.0;
const ROW: f64 = 38.0;
const TITLE_CHARS: usize = 46;

/// One section's figures.
#[derive(Debug, Clone)]
pub struct CohortSection {
    /// The section's title.
    pub title: String,
    /// Mean predicted recall of the members (0 to 1).
    pub mean: f64,
    /// The members' median (0 to 1).
    pub median: f64,
}

fn percent(value: f64) -> String {
    format!("{:.0}%", (value * 100.0).clamp(0.0, 100.0))
}

/// Readiness per section of a cohort of `members` members; `when` says for which day
/// ("on 2027-03-01", "today").
pub fn cohort(id: &str, sections: &[CohortSection], members: usize, when: &str) -> String {
    let height = sections.len() as f64 * ROW + 30.0;
    let desc = format!(
        "Mean predicted recall {when} of {} across {}; the tick marks the median.",
        plural(members, "member", "members"),
        plural(sections.len(), "section", "sections")
    );
    let mut svg = open(
        id,
        "chart-cohort",
        COHORT_W,
        height,
        "Readiness by section",
        &desc,
    );
    let mut y = 0.0;
    for s in sections {
        let (mean, median) = (s.mean.clamp(0.0, 1.0), s.median.clamp(0.0, 1.0));
        svg.push_str(&text(
            0.0,
            y + 13.0,
            "chart-title",
            &shorten(&s.title, TITLE_CHARS),
        ));
        svg.push_str(&text(
            COHORT_W,
            y + 13.0,
            "chart-label chart-end",
            &format!("{} (median {})", percent(mean), percent(median)),
        ));
        let bar_y = y + 19.0;
        svg.push_str(&rect("seg seg-rest", 0.0, bar_y, COHORT_W, 10.0, ""));
        svg.push_str(&rect(
            "seg seg-mastered",
            0.0,
            bar_y,
            mean * COHORT_W,
            10.0,
            &format!(
                "{}: mean {}, median {}",
                s.title,
                percent(mean),
                percent(median)
            ),
        ));
        let x = median * COHORT_W;
        svg.push_str(&line("chart-median", x, bar_y - 3.0, x, bar_y + 13.0));
        y += ROW;
    }
    svg.push_str(&text(
        0.0,
        y + 17.0,
        "chart-label",
        &format!("0% to 100% predicted recall {when}"),
    ));
    svg.push_str(&format!(
        "<rect class=\"seg-key seg-mastered\" x=\"{}\" y=\"{}\" width=\"10\" height=\"10\"/>",
        n(COHORT_W - 150.0),
        n(y + 8.0)
    ));
    svg.push_str(&text(
        COHORT_W - 135.0,
        y + 17.0,
        "chart-label",
        "Mean · tick: median",
    ));
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::svg::testing::{assert_accessible, assert_well_formed};

    #[test]
    fn bars_scale_to_the_mean_and_titles_are_escaped() {
        let svg = cohort(
            "c",
            &[
                CohortSection {
                    title: "Core <Python> & co".into(),
                    mean: 0.5,
                    median: 0.25,
                },
                CohortSection {
                    title: "Django".into(),
                    mean: 1.5,
                    median: -1.0,
                },
            ],
            3,
            "on 2027-03-01",
        );
        assert_well_formed(&svg);
        assert_accessible(&svg, "c");
        assert!(svg.contains("Core &lt;Python&gt; &amp; co"), "{svg}");
        assert!(svg.contains("width=\"240\""), "half of 480: {svg}");
        assert!(svg.contains("50% (median 25%)"), "{svg}");
        assert!(svg.contains("100% (median 0%)"), "clamped: {svg}");
        assert!(svg.contains("3 members"), "{svg}");
    }
}
