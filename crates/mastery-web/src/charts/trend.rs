//! The trend of mock interview scores: a line through the scores, a dot per interview and
//! the moving average, on the interviews page.

use mastery_content::html::escape;

use super::svg::{line, n, open, plural, text};

/// One finished mock interview on the trend chart.
#[derive(Debug, Clone)]
pub struct TrendMark {
    /// Under the axis ("3 Mar").
    pub short: String,
    /// In the tooltip and description ("3 Mar 2025, 14:05").
    pub long: String,
    /// Its overall score, 0 to 1.
    pub score: f64,
    /// The moving average ending with it, 0 to 1.
    pub average: f64,
}

const TREND_W: f64 = 480.0;
const TREND_H: f64 = 210.0;
const TREND_LEFT: f64 = 40.0;
const TREND_RIGHT: f64 = 14.0;
const TREND_TOP: f64 = 18.0;
const TREND_BOTTOM: f64 = 26.0;
/// At most this many date labels under the axis.
const TREND_LABELS: usize = 6;

/// The scores of finished mock interviews, oldest first: a line through the scores with a
/// dot per interview (its tooltip gives the date and score), a dashed line for the moving
/// average, a y axis from 0 to 100%.
pub fn interview_trend(id: &str, marks: &[TrendMark]) -> String {
    let pct = |v: f64| format!("{:.0}%", v.clamp(0.0, 1.0) * 100.0);
    let mut desc = format!(
        "{} finished.",
        plural(marks.len(), "interview", "interviews")
    );
    if let Some(last) = marks.last() {
        let best = marks.iter().map(|m| m.score).fold(0.0_f64, f64::max);
        desc.push_str(&format!(
            " Latest: {} on {}; best: {}; moving average: {}.",
            pct(last.score),
            last.long,
            pct(best),
            pct(last.average)
        ));
    }
    let mut svg = open(
        id,
        "chart-trend",
        TREND_W,
        TREND_H,
        "Mock interview scores",
        &desc,
    );
    let plot_w = TREND_W - TREND_LEFT - TREND_RIGHT;
    let plot_h = TREND_H - TREND_TOP - TREND_BOTTOM;
    let base = TREND_TOP + plot_h;
    let y_of = |v: f64| base - v.clamp(0.0, 1.0) * plot_h;
    for step in 0..=4 {
        let v = f64::from(step) * 0.25;
        let y = y_of(v);
        svg.push_str(&line(
            if step == 0 {
                "chart-axis"
            } else {
                "chart-grid"
            },
            TREND_LEFT,
            y,
            TREND_W - TREND_RIGHT,
            y,
        ));
        svg.push_str(&text(
            TREND_LEFT - 6.0,
            y + 4.0,
            "chart-label chart-end",
            &pct(v),
        ));
    }
    let count = marks.len();
    // Inset so the first and last dots and their labels stay inside the plot.
    let inset = 16.0;
    let x_of = |i: usize| {
        if count <= 1 {
            TREND_LEFT + plot_w / 2.0
        } else {
            TREND_LEFT + inset + (plot_w - 2.0 * inset) * i as f64 / (count - 1) as f64
        }
    };
    if count >= 2 {
        for (class, average) in [("trend-average", true), ("trend-line", false)] {
            let points: Vec<String> = marks
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let v = if average { m.average } else { m.score };
                    format!("{},{}", n(x_of(i)), n(y_of(v)))
                })
                .collect();
            svg.push_str(&format!(
                "<polyline class=\"{class}\" points=\"{}\"/>",
                points.join(" ")
            ));
        }
    }
    let every = count.div_ceil(TREND_LABELS).max(1);
    for (i, m) in marks.iter().enumerate() {
        let (x, y) = (x_of(i), y_of(m.score));
        svg.push_str(&format!(
            "<circle class=\"trend-dot\" cx=\"{}\" cy=\"{}\" r=\"4.5\"><title>{}</title></circle>",
            n(x),
            n(y),
            escape(&format!(
                "{}: {} (moving average {})",
                m.long,
                pct(m.score),
                pct(m.average)
            ))
        ));
        if count <= 12 {
            svg.push_str(&text(x, y - 9.0, "chart-value chart-middle", &pct(m.score)));
        }
        // Label the latest and every `every`-th before it.
        if (count - 1 - i).is_multiple_of(every) {
            svg.push_str(&text(x, base + 17.0, "chart-label chart-middle", &m.short));
        }
    }
    svg.push_str("</svg>");
    svg
}
