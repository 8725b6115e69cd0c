//! The vertical bar chart drawn by the forecast, retention and time charts: a y axis with
//! gridlines, one bar a value (or a placeholder for a missing one) and an optional
//! reference line. It uses only the SVG primitives.

use mastery_content::html::escape;

use super::svg::{line, n, open, rect, text};

/// One bar of a vertical bar chart.
#[derive(Debug, Clone)]
pub(super) struct Bar {
    /// `None`: no figure (drawn as a short placeholder).
    pub(super) value: Option<f64>,
    /// Under the bar (may be empty: not every bar is labelled).
    pub(super) label: String,
    /// Above the bar (may be empty).
    pub(super) value_label: String,
    /// The tooltip.
    pub(super) tip: String,
}

/// A horizontal reference line.
#[derive(Debug, Clone)]
pub(super) struct Reference {
    pub(super) value: f64,
    /// What the line is ("target").
    pub(super) name: String,
    /// Its value ("90%").
    pub(super) label: String,
}

const BAR_W: f64 = 480.0;
const BAR_H: f64 = 210.0;
const BAR_LEFT: f64 = 40.0;
const BAR_RIGHT: f64 = 8.0;
/// The right margin of a chart with a reference line: its label sits there.
const BAR_RIGHT_REFERENCE: f64 = 50.0;
const BAR_TOP: f64 = 18.0;
const BAR_BOTTOM: f64 = 26.0;

/// A vertical bar chart with a y axis from 0 to `y_max` (gridlines every `y_step`, labelled
/// by `tick`) and bars of class `bar_class`.
#[allow(clippy::too_many_arguments)]
pub(super) fn bars(
    id: &str,
    class: &str,
    title: &str,
    desc: &str,
    bars: &[Bar],
    (y_max, y_step): (f64, f64),
    tick: impl Fn(f64) -> String,
    bar_class: &str,
    reference: Option<&Reference>,
) -> String {
    let right = if reference.is_some() {
        BAR_RIGHT_REFERENCE
    } else {
        BAR_RIGHT
    };
    let plot_w = BAR_W - BAR_LEFT - right;
    let plot_h = BAR_H - BAR_TOP - BAR_BOTTOM;
    let base = BAR_TOP + plot_h;
    let y_of = |v: f64| base - (v / y_max).clamp(0.0, 1.0) * plot_h;
    let mut svg = open(id, class, BAR_W, BAR_H, title, desc);
    // Gridlines and y labels.
    let mut v = 0.0;
    while v <= y_max + 1e-9 {
        let y = y_of(v);
        svg.push_str(&line(
            if v == 0.0 { "chart-axis" } else { "chart-grid" },
            BAR_LEFT,
            y,
            BAR_W - right,
            y,
        ));
        svg.push_str(&text(
            BAR_LEFT - 6.0,
            y + 4.0,
            "chart-label chart-end",
            &tick(v),
        ));
        v += y_step;
    }
    let count = bars.len().max(1) as f64;
    let slot = plot_w / count;
    let width = (slot * 0.7).min(28.0);
    for (i, bar) in bars.iter().enumerate() {
        let centre = BAR_LEFT + slot * (i as f64 + 0.5);
        let x = centre - width / 2.0;
        match bar.value {
            Some(value) => {
                let mut top = y_of(value);
                if value > 0.0 {
                    // Any non-zero value stays visible.
                    top = top.min(base - 2.0);
                }
                svg.push_str(&rect(
                    &format!("bar {bar_class}"),
                    x,
                    top,
                    width,
                    base - top,
                    &bar.tip,
                ));
                if !bar.value_label.is_empty() {
                    svg.push_str(&text(
                        centre,
                        top - 5.0,
                        "chart-value chart-middle",
                        &bar.value_label,
                    ));
                }
            }
            None => {
                svg.push_str(&rect("bar bar-none", x, base - 3.0, width, 3.0, &bar.tip));
                svg.push_str(&text(centre, base - 8.0, "chart-label chart-middle", "–"));
            }
        }
        if !bar.label.is_empty() {
            svg.push_str(&text(
                centre,
                base + 17.0,
                "chart-label chart-middle",
                &bar.label,
            ));
        }
    }
    if let Some(r) = reference {
        // The line across the plot, its label in the right margin: "target" over "90%".
        let y = y_of(r.value);
        svg.push_str(&line(
            "chart-reference",
            BAR_LEFT,
            y,
            BAR_W - right + 4.0,
            y,
        ));
        let x = BAR_W - right + 8.0;
        svg.push_str(&format!(
            "<text class=\"chart-label chart-reference-label\" x=\"{}\" y=\"{}\">{}<tspan x=\"{}\" dy=\"13\">{}</tspan></text>",
            n(x),
            n(y - 2.0),
            escape(&r.name),
            n(x),
            escape(&r.label)
        ));
    }
    svg.push_str("</svg>");
    svg
}
