//! Server-rendered SVG charts for the stats page, as pure functions returning SVG text.
//!
//! No chart library and no script: each chart is an `<svg role="img">` named by its
//! `<title>` and described by a `<desc>` (both referenced from `aria-labelledby`), drawn in
//! a `viewBox` so it scales from a phone to a desktop. Colours come from the page's custom
//! properties through CSS classes only (`class="heat heat-3"`, `class="bar bar-due"`): no
//! `style` attribute (the CSP forbids inline styles) and no colour attribute, so both themes
//! apply. Every text is escaped. The page follows each chart with a table of the same
//! numbers.

use mastery_study::stats::{
    DayActivity, DueDay, HEAT_LEVELS, SectionMastery, WeekRetention, WeekTime, heat_level,
    week_start, weekday_name,
};

/// Escapes text for SVG/HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number of user units, with at most one decimal.
fn n(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// "1 review", "3 reviews".
pub fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// A duration for people: "0m", "40s", "12m", "1h 05m".
pub fn duration(ms: u64) -> String {
    let secs = ms / 1000;
    if secs == 0 {
        "0m".to_owned()
    } else if secs < 60 {
        format!("{secs}s")
    } else if secs < 3600 {
        format!("{}m", secs / 60)
    } else {
        format!("{}h {:02}m", secs / 3600, (secs % 3600) / 60)
    }
}

/// The opening tag, title and description of a chart.
fn open(id: &str, class: &str, width: f64, height: f64, title: &str, desc: &str) -> String {
    let id = escape(id);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart {class}\" viewBox=\"0 0 {w} {h}\" \
         role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" focusable=\"false\">\
         <title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{desc}</desc>",
        class = escape(class),
        w = n(width),
        h = n(height),
        title = escape(title),
        desc = escape(desc),
    )
}

/// A `<text>` element; `class` sets the anchor and colour.
fn text(x: f64, y: f64, class: &str, content: &str) -> String {
    format!(
        "<text class=\"{}\" x=\"{}\" y=\"{}\">{}</text>",
        escape(class),
        n(x),
        n(y),
        escape(content)
    )
}

/// A `<rect>` with a tooltip.
fn rect(class: &str, x: f64, y: f64, w: f64, h: f64, tip: &str) -> String {
    format!(
        "<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{}</title></rect>",
        escape(class),
        n(x),
        n(y),
        n(w.max(0.0)),
        n(h.max(0.0)),
        escape(tip)
    )
}

fn line(class: &str, x1: f64, y1: f64, x2: f64, y2: f64) -> String {
    format!(
        "<line class=\"{}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
        escape(class),
        n(x1),
        n(y1),
        n(x2),
        n(y2)
    )
}

// ---- Heatmap ---------------------------------------------------------------------------

const CELL: f64 = 11.0;
const STEP: f64 = 14.0;
const HEAT_LEFT: f64 = 30.0;
const HEAT_TOP: f64 = 16.0;

/// A calendar heatmap of reviews per day: one column per week (Monday on top), one cell per
/// day of `days` within the last `weeks` weeks, shaded in [`HEAT_LEVELS`] levels relative to
/// the busiest day of `days`, with month and weekday labels and a legend.
pub fn heatmap(id: &str, days: &[DayActivity], weeks: usize) -> String {
    let Some(last) = days.last() else {
        return open(
            id,
            "chart-heatmap",
            100.0,
            20.0,
            "Reviews per day",
            "No days.",
        ) + "</svg>";
    };
    let max = days.iter().map(|d| d.reviews).max().unwrap_or(0);
    let this_week = week_start(last.day.index);
    let first_week = this_week - 7 * i64::try_from(weeks.max(1) - 1).unwrap_or(0);
    let shown: Vec<&DayActivity> = days.iter().filter(|d| d.day.index >= first_week).collect();
    let first_week = shown.first().map_or(this_week, |d| week_start(d.day.index));
    let columns = usize::try_from((this_week - first_week) / 7 + 1).unwrap_or(1);
    let width = HEAT_LEFT + columns as f64 * STEP + 2.0;
    let legend_y = HEAT_TOP + 7.0 * STEP + 8.0;
    let height = legend_y + CELL + 6.0;

    let total: usize = shown.iter().map(|d| d.reviews).sum();
    let active = shown.iter().filter(|d| d.reviews > 0).count();
    let busiest = shown
        .iter()
        .copied()
        .max_by_key(|d| (d.reviews, d.day.index));
    let span = match shown.first() {
        Some(d) => format!("since {}", d.day.date.long()),
        None => String::new(),
    };
    let mut desc = format!(
        "{} on {} {span}.",
        plural(total, "review", "reviews"),
        plural(active, "day", "days")
    );
    if let Some(b) = busiest.filter(|b| b.reviews > 0) {
        desc.push_str(&format!(
            " Busiest day: {} with {}.",
            b.day.date.long(),
            plural(b.reviews, "review", "reviews")
        ));
    }
    desc.push_str(&format!(
        " Today: {}.",
        plural(last.reviews, "review", "reviews")
    ));
    let title = if weeks >= 52 {
        "Reviews per day, last 12 months".to_owned()
    } else {
        format!("Reviews per day, last {weeks} weeks")
    };
    let mut svg = open(id, "chart-heatmap", width, height, &title, &desc);

    // Weekday labels.
    for (row, name) in [(0, "Mon"), (2, "Wed"), (4, "Fri")] {
        svg.push_str(&text(
            HEAT_LEFT - 6.0,
            HEAT_TOP + f64::from(row) * STEP + CELL - 1.5,
            "chart-label chart-end",
            name,
        ));
    }
    // Month labels: over the first column whose Monday is in a new month, at least three
    // columns apart.
    let mut last_month = None;
    let mut last_label: Option<usize> = None;
    for col in 0..columns {
        let monday = first_week + 7 * i64::try_from(col).unwrap_or(0);
        let date = mastery_study::stats::Date::of_day(monday);
        let key = (date.year, date.month);
        if last_month != Some(key) {
            last_month = Some(key);
            let fits = col + 2 < columns && last_label.is_none_or(|l| col >= l + 3);
            if fits && (col > 0 || date.day <= 7) {
                svg.push_str(&text(
                    HEAT_LEFT + col as f64 * STEP,
                    HEAT_TOP - 5.0,
                    "chart-label",
                    date.month_name(),
                ));
                last_label = Some(col);
            }
        }
    }
    // The cells.
    for d in &shown {
        let col = (week_start(d.day.index) - first_week) / 7;
        let x = HEAT_LEFT + col as f64 * STEP;
        let y = HEAT_TOP + f64::from(d.day.weekday) * STEP;
        let level = heat_level(d.reviews, max);
        let today = if d.day.index == last.day.index {
            " heat-today"
        } else {
            ""
        };
        svg.push_str(&rect(
            &format!("heat heat-{level}{today}"),
            x,
            y,
            CELL,
            CELL,
            &format!(
                "{}, {} {}",
                plural(d.reviews, "review", "reviews"),
                weekday_name(d.day.weekday),
                d.day.date.long()
            ),
        ));
    }
    // Legend, right-aligned: Less ■■■■■ More.
    let legend_right = width - 2.0;
    let more_x = legend_right - 36.0;
    svg.push_str(&text(
        legend_right,
        legend_y + CELL - 1.5,
        "chart-label chart-end",
        "More",
    ));
    for level in 0..HEAT_LEVELS {
        let x = more_x - f64::from(HEAT_LEVELS - level) * STEP;
        svg.push_str(&format!(
            "<rect class=\"heat-key heat-{level}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            n(x),
            n(legend_y),
            n(CELL),
            n(CELL)
        ));
    }
    svg.push_str(&text(
        more_x - f64::from(HEAT_LEVELS) * STEP - 6.0,
        legend_y + CELL - 1.5,
        "chart-label chart-end",
        "Less",
    ));
    svg.push_str("</svg>");
    svg
}

// ---- Vertical bars ---------------------------------------------------------------------

/// One bar of a vertical bar chart.
#[derive(Debug, Clone)]
struct Bar {
    /// `None`: no figure (drawn as a short placeholder).
    value: Option<f64>,
    /// Under the bar (may be empty: not every bar is labelled).
    label: String,
    /// Above the bar (may be empty).
    value_label: String,
    /// The tooltip.
    tip: String,
}

/// A horizontal reference line.
#[derive(Debug, Clone)]
struct Reference {
    value: f64,
    /// What the line is ("target").
    name: String,
    /// Its value ("90%").
    label: String,
}

const BAR_W: f64 = 480.0;
const BAR_H: f64 = 210.0;
const BAR_LEFT: f64 = 40.0;
const BAR_RIGHT: f64 = 8.0;
/// The right margin of a chart with a reference line: its label sits there.
const BAR_RIGHT_REFERENCE: f64 = 50.0;
const BAR_TOP: f64 = 18.0;
const BAR_BOTTOM: f64 = 26.0;

/// The axis maximum and step for counts up to `max`: a step of 1, 2 or 5 × 10ⁿ with at most
/// four steps.
pub fn nice_axis(max: f64) -> (f64, f64) {
    if !max.is_finite() || max <= 0.0 {
        return (4.0, 1.0);
    }
    let mut step = 1.0;
    loop {
        for factor in [1.0, 2.0, 5.0] {
            let s = step * factor;
            if (max / s).ceil() <= 4.0 {
                return ((max / s).ceil() * s, s);
            }
        }
        step *= 10.0;
    }
}

/// A vertical bar chart with a y axis from 0 to `y_max` (gridlines every `y_step`, labelled
/// by `tick`) and bars of class `bar_class`.
#[allow(clippy::too_many_arguments)]
fn bars(
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

/// Cards due per day for the days of `days` (today first): one bar a day, every seventh
/// day labelled.
pub fn forecast(id: &str, days: &[DueDay], overdue: usize) -> String {
    let max = days.iter().map(|d| d.due).max().unwrap_or(0);
    let total: usize = days.iter().map(|d| d.due).sum();
    let data: Vec<Bar> = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let when = if i == 0 {
                "today".to_owned()
            } else if i == 1 {
                "tomorrow".to_owned()
            } else {
                format!("{} {}", weekday_name(d.day.weekday), d.day.date.short())
            };
            let mut tip = format!("{} due {when}", plural(d.due, "card", "cards"));
            if i == 0 && overdue > 0 {
                tip.push_str(&format!(" ({overdue} overdue)"));
            }
            Bar {
                value: Some(d.due as f64),
                label: match i {
                    0 => "Today".to_owned(),
                    i if i % 7 == 0 => d.day.date.short(),
                    _ => String::new(),
                },
                value_label: String::new(),
                tip,
            }
        })
        .collect();
    let mut desc = format!(
        "{} due over the next {}.",
        plural(total, "card", "cards"),
        plural(days.len(), "day", "days")
    );
    if let Some(first) = days.first() {
        desc.push_str(&format!(
            " Today: {}{}.",
            first.due,
            if overdue > 0 {
                format!(", of which {overdue} overdue")
            } else {
                String::new()
            }
        ));
    }
    if let Some((i, busiest)) = days
        .iter()
        .enumerate()
        .filter(|(_, d)| d.due > 0)
        .max_by_key(|(i, d)| (d.due, std::cmp::Reverse(*i)))
    {
        let when = if i == 0 {
            "today".to_owned()
        } else {
            busiest.day.date.long()
        };
        desc.push_str(&format!(
            " Busiest: {when} with {}.",
            plural(busiest.due, "card", "cards")
        ));
    }
    bars(
        id,
        "chart-bars chart-forecast",
        &format!("Cards due, next {} days", days.len()),
        &desc,
        &data,
        nice_axis(max as f64),
        n,
        "bar-due",
        None,
    )
}

/// True retention per week: one bar a week (percent of Review-phase reviews not rated
/// Again), a placeholder for weeks without enough data, and the learner's target.
pub fn retention(id: &str, weeks: &[WeekRetention], target: Option<f64>) -> String {
    let data: Vec<Bar> = weeks
        .iter()
        .map(|w| {
            let label = w.week.date.short();
            match w.retention {
                Some(r) => Bar {
                    value: Some(r * 100.0),
                    label,
                    // The axis says percent: the number alone fits over narrow bars.
                    value_label: format!("{:.0}", r * 100.0),
                    tip: format!(
                        "Week of {}: {:.0}% ({} of {} not Again)",
                        w.week.date.long(),
                        r * 100.0,
                        w.passed,
                        plural(w.reviews, "review", "reviews")
                    ),
                },
                None => Bar {
                    value: None,
                    label,
                    value_label: String::new(),
                    tip: format!(
                        "Week of {}: not enough data ({})",
                        w.week.date.long(),
                        plural(w.reviews, "review", "reviews")
                    ),
                },
            }
        })
        .collect();
    let with_data: Vec<&WeekRetention> = weeks.iter().filter(|w| w.retention.is_some()).collect();
    let mut desc = format!(
        "True retention per week over the last {}: the share of reviews of graduated cards \
         not rated Again. {} of {} have enough reviews for a figure.",
        plural(weeks.len(), "week", "weeks"),
        with_data.len(),
        weeks.len()
    );
    if let Some(w) = with_data.last() {
        desc.push_str(&format!(
            " Latest: week of {}, {:.0}% of {}.",
            w.week.date.long(),
            w.retention.unwrap_or(0.0) * 100.0,
            plural(w.reviews, "review", "reviews")
        ));
    }
    if let Some(t) = target {
        desc.push_str(&format!(" Target: {:.0}%.", t * 100.0));
    }
    // Label every other week when they would crowd.
    let data: Vec<Bar> = data
        .into_iter()
        .enumerate()
        .map(|(i, mut b)| {
            if weeks.len() > 8 && (weeks.len() - 1 - i) % 2 == 1 {
                b.label.clear();
            }
            b
        })
        .collect();
    let reference = target.map(|t| Reference {
        value: t * 100.0,
        name: "target".to_owned(),
        label: format!("{:.0}%", t * 100.0),
    });
    bars(
        id,
        "chart-bars chart-retention",
        &format!("True retention per week, last {} weeks", weeks.len()),
        &desc,
        &data,
        (100.0, 25.0),
        |v| format!("{v:.0}%"),
        "bar-retention",
        reference.as_ref(),
    )
}

/// A short duration for a label over a bar: "40s", "13m", "1.5h".
fn compact_duration(ms: u64) -> String {
    if ms >= 3_600_000 {
        format!("{}h", n(ms as f64 / 3_600_000.0))
    } else {
        duration(ms)
    }
}

/// Time studied per week: one bar a week, in minutes (hours when a week passes two hours).
pub fn time(id: &str, weeks: &[WeekTime]) -> String {
    let most = weeks.iter().map(|w| w.time_ms).max().unwrap_or(0);
    let (unit_ms, suffix) = if most > 2 * 3_600_000 {
        (3_600_000.0, "h")
    } else {
        (60_000.0, "m")
    };
    let minutes = |ms: u64| ms as f64 / unit_ms;
    let max = minutes(most);
    let total: u64 = weeks.iter().map(|w| w.time_ms).sum();
    let data: Vec<Bar> = weeks
        .iter()
        .enumerate()
        .map(|(i, w)| Bar {
            value: Some(minutes(w.time_ms)),
            label: if weeks.len() > 8 && (weeks.len() - 1 - i) % 2 == 1 {
                String::new()
            } else {
                w.week.date.short()
            },
            value_label: if w.time_ms > 0 {
                compact_duration(w.time_ms)
            } else {
                String::new()
            },
            tip: format!(
                "Week of {}: {} over {}",
                w.week.date.long(),
                duration(w.time_ms),
                plural(w.reviews, "review", "reviews")
            ),
        })
        .collect();
    let this_week = weeks.last().map_or(0, |w| w.time_ms);
    let desc = format!(
        "{} studied over the last {}; {} this week.",
        duration(total),
        plural(weeks.len(), "week", "weeks"),
        duration(this_week)
    );
    bars(
        id,
        "chart-bars chart-time",
        &format!("Time studied per week, last {} weeks", weeks.len()),
        &desc,
        &data,
        nice_axis(max),
        |v| format!("{}{suffix}", n(v)),
        "bar-time",
        None,
    )
}

// ---- Mastery ---------------------------------------------------------------------------

const MASTERY_W: f64 = 480.0;
const ROW: f64 = 38.0;
const GROUP: f64 = 26.0;
const TITLE_CHARS: usize = 46;

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Mastery per section: one stacked bar a section (mastered, in progress: studied but not yet
/// mastered, not started), the guide's title above its sections when there are several
/// guides.
pub fn mastery(id: &str, sections: &[SectionMastery]) -> String {
    let mut guides: Vec<&str> = Vec::new();
    for s in sections {
        if !guides.contains(&s.guide.as_str()) {
            guides.push(&s.guide);
        }
    }
    let grouped = guides.len() > 1;
    let height = sections.len() as f64 * ROW
        + if grouped {
            guides.len() as f64 * GROUP
        } else {
            0.0
        }
        + 30.0;
    let questions: usize = sections.iter().map(|s| s.questions).sum();
    let mastered: usize = sections.iter().map(|s| s.mastered).sum();
    let studied: usize = sections.iter().map(|s| s.studied).sum();
    let desc = format!(
        "{mastered} of {} mastered across {}; {studied} studied at least once.",
        plural(questions, "question", "questions"),
        plural(sections.len(), "section", "sections")
    );
    let mut svg = open(
        id,
        "chart-mastery",
        MASTERY_W,
        height,
        "Mastery by section",
        &desc,
    );
    let mut y = 0.0;
    let mut current: Option<&str> = None;
    for s in sections {
        if grouped && current != Some(s.guide.as_str()) {
            current = Some(&s.guide);
            svg.push_str(&text(
                0.0,
                y + 17.0,
                "chart-group",
                &shorten(&s.guide_title, TITLE_CHARS + 8),
            ));
            y += GROUP;
        }
        svg.push_str(&text(
            0.0,
            y + 13.0,
            "chart-title",
            &shorten(&s.title, TITLE_CHARS),
        ));
        svg.push_str(&text(
            MASTERY_W,
            y + 13.0,
            "chart-label chart-end",
            &format!("{}/{}", s.mastered, s.questions),
        ));
        let bar_y = y + 19.0;
        let total = s.questions.max(1) as f64;
        let mut x = 0.0;
        let not_started = s.questions.saturating_sub(s.mastered + s.in_progress);
        for (class, count, what) in [
            ("seg seg-mastered", s.mastered, "mastered"),
            (
                "seg seg-progress",
                s.in_progress,
                "in progress (studied, not yet mastered)",
            ),
            ("seg seg-rest", not_started, "not started"),
        ] {
            let w = count as f64 / total * MASTERY_W;
            svg.push_str(&rect(
                class,
                x,
                bar_y,
                w,
                10.0,
                &format!("{}: {count} of {} {what}", s.title, s.questions),
            ));
            x += w;
        }
        y += ROW;
    }
    // Legend.
    let ly = y + 8.0;
    let mut lx = 0.0;
    for (class, label) in [
        ("seg-mastered", "Mastered"),
        ("seg-progress", "In progress"),
        ("seg-rest", "Not started"),
    ] {
        svg.push_str(&format!(
            "<rect class=\"seg-key {class}\" x=\"{}\" y=\"{}\" width=\"10\" height=\"10\"/>",
            n(lx),
            n(ly)
        ));
        svg.push_str(&text(lx + 15.0, ly + 9.5, "chart-label", label));
        lx += 15.0 + label.chars().count() as f64 * 7.0 + 18.0;
    }
    svg.push_str("</svg>");
    svg
}

// ---- Interview trend -------------------------------------------------------------------

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

#[cfg(test)]
mod tests {
    use super::*;
    use mastery_study::stats::Day;

    /// Checks that every tag is closed in order and that `&` only starts an entity: enough
    /// to catch a broken chart (the browser's parser is forgiving, a test should not be).
    fn assert_well_formed(svg: &str) {
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("style="), "no inline styles: {svg}");
        assert!(!svg.contains("fill="), "colours come from classes");
        let mut stack: Vec<String> = Vec::new();
        let mut rest = svg;
        while let Some(start) = rest.find('<') {
            let text = &rest[..start];
            for (i, _) in text.match_indices('&') {
                let entity = &text[i..];
                assert!(
                    ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                        .iter()
                        .any(|e| entity.starts_with(e)),
                    "bare & in {text:?}"
                );
            }
            let end = rest[start..].find('>').expect("unclosed tag") + start;
            let tag = &rest[start + 1..end];
            assert!(!tag.contains('<'), "< inside a tag: {tag}");
            assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes: {tag}");
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop().as_deref(), Some(name), "closing {name}");
            } else if !tag.ends_with('/') {
                let name = tag.split_whitespace().next().unwrap_or_default();
                stack.push(name.to_owned());
            }
            rest = &rest[end + 1..];
        }
        assert!(stack.is_empty(), "unclosed: {stack:?}");
        assert!(rest.is_empty());
    }

    fn assert_accessible(svg: &str, id: &str) {
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")));
        assert!(svg.contains(&format!("<title id=\"{id}-title\">")));
        assert!(svg.contains(&format!("<desc id=\"{id}-desc\">")));
        assert!(svg.contains("viewBox=\"0 0 "));
    }

    fn count(svg: &str, needle: &str) -> usize {
        svg.matches(needle).count()
    }

    /// 2025-06-11, a Wednesday.
    const TODAY: i64 = 20_250;

    fn days(n: i64, reviews: impl Fn(i64) -> usize) -> Vec<DayActivity> {
        (TODAY - n + 1..=TODAY)
            .map(|i| DayActivity {
                day: Day::new(i),
                reviews: reviews(TODAY - i),
                time_ms: 0,
            })
            .collect()
    }

    #[test]
    fn heatmap_has_a_cell_per_day_and_levels() {
        let data = days(365, |ago| match ago {
            0 => 8,
            1 => 2,
            _ => 0,
        });
        let svg = heatmap("year", &data, 53);
        assert_well_formed(&svg);
        assert_accessible(&svg, "year");
        assert_eq!(count(&svg, "class=\"heat heat-"), 365);
        assert_eq!(count(&svg, "class=\"heat-key heat-"), 5, "legend");
        assert_eq!(count(&svg, "class=\"heat heat-4 heat-today\""), 1);
        assert_eq!(count(&svg, "class=\"heat heat-1\""), 1, "2 of 8");
        assert_eq!(count(&svg, "class=\"heat heat-0\""), 363);
        assert!(svg.contains("<title>8 reviews, Wed 11 Jun 2025</title>"));
        assert!(
            svg.contains("10 reviews on 2 days since 12 Jun 2024."),
            "{svg}"
        );
        assert!(svg.contains("Busiest day: 11 Jun 2025 with 8 reviews."));
        for label in [
            ">Mon<", ">Wed<", ">Fri<", ">Less<", ">More<", ">Jul<", ">Jan<",
        ] {
            assert!(svg.contains(label), "{label}");
        }
        // 365 days from a Wednesday to a Wednesday span 53 weeks.
        assert!(svg.contains("viewBox=\"0 0 774 "), "{}", &svg[..200]);
        // The short version keeps the last weeks only: Monday 17 weeks back to today.
        let short = heatmap("recent", &data, 17);
        assert_well_formed(&short);
        assert_eq!(count(&short, "class=\"heat heat-"), 16 * 7 + 3);
        assert!(short.contains("Reviews per day, last 17 weeks"));
        let empty = heatmap("none", &[], 53);
        assert_well_formed(&empty);
    }

    #[test]
    fn forecast_has_a_bar_per_day() {
        let data: Vec<DueDay> = (0..30)
            .map(|i| DueDay {
                day: Day::new(TODAY + i),
                due: match i {
                    0 => 3,
                    1 => 1,
                    9 => 12,
                    _ => 0,
                },
            })
            .collect();
        let svg = forecast("due", &data, 2);
        assert_well_formed(&svg);
        assert_accessible(&svg, "due");
        assert_eq!(count(&svg, "class=\"bar bar-due\""), 30);
        assert!(svg.contains("<title>3 cards due today (2 overdue)</title>"));
        assert!(svg.contains("<title>1 card due tomorrow</title>"));
        assert!(svg.contains("16 cards due over the next 30 days. Today: 3, of which 2 overdue."));
        assert!(svg.contains("Busiest: 20 Jun 2025 with 12 cards."));
        assert!(svg.contains(">Today<") && svg.contains(">18 Jun<"));
        // Axis: 12 -> 0..15 by 5.
        for tick in [">0<", ">5<", ">10<", ">15<"] {
            assert!(svg.contains(tick), "{tick}");
        }
    }

    #[test]
    fn retention_marks_weeks_without_enough_data() {
        let data: Vec<WeekRetention> = (0..12)
            .map(|i| {
                let reviews = if i % 3 == 0 { 10 } else { 2 };
                WeekRetention {
                    week: Day::new(20_248 - 7 * (11 - i)),
                    reviews,
                    passed: reviews - 1,
                    retention: (reviews >= 5).then(|| (reviews - 1) as f64 / reviews as f64),
                }
            })
            .collect();
        let svg = retention("ret", &data, Some(0.9));
        assert_well_formed(&svg);
        assert_accessible(&svg, "ret");
        assert_eq!(count(&svg, "class=\"bar bar-retention\""), 4);
        assert_eq!(count(&svg, "class=\"bar bar-none\""), 8);
        assert_eq!(count(&svg, ">90<"), 4, "value labels");
        assert!(svg.contains("not enough data (2 reviews)"));
        assert!(svg.contains(">target<tspan") && svg.contains(">90%</tspan>"));
        assert!(svg.contains("chart-reference"));
        assert!(svg.contains("4 of 12 have enough reviews"));
    }

    #[test]
    fn time_bars_are_labelled_in_minutes() {
        let data: Vec<WeekTime> = (0..12)
            .map(|i| WeekTime {
                week: Day::new(20_248 - 7 * (11 - i)),
                reviews: usize::try_from(i).unwrap(),
                time_ms: u64::try_from(i).unwrap() * 5 * 60_000,
            })
            .collect();
        let svg = time("time", &data);
        assert_well_formed(&svg);
        assert_accessible(&svg, "time");
        assert_eq!(count(&svg, "class=\"bar bar-time\""), 12);
        assert!(svg.contains(">55m<"), "value label");
        assert!(svg.contains("5h 30m studied over the last 12 weeks; 55m this week."));
        assert!(svg.contains(">60m<"), "axis up to 60 minutes");
        // Past two hours a week, the axis counts hours.
        let long: Vec<WeekTime> = data
            .iter()
            .map(|w| WeekTime {
                time_ms: w.time_ms * 3,
                ..*w
            })
            .collect();
        let svg = time("long", &long);
        assert_well_formed(&svg);
        assert!(svg.contains(">2.8h<"), "165 minutes");
        assert!(
            svg.contains(">3h<") && !svg.contains(">60m<"),
            "axis in hours"
        );
    }

    #[test]
    fn mastery_stacks_and_escapes_section_titles() {
        let section = |guide: &str, title: &str, q, m, p| SectionMastery {
            guide: guide.into(),
            guide_title: format!("Guide {guide}"),
            section: title.to_lowercase(),
            title: title.into(),
            questions: q,
            mastered: m,
            studied: m + p,
            in_progress: p,
        };
        let data = vec![
            section("g", "Core <Python> & \"friends\"", 10, 3, 2),
            section("g", "Django", 4, 0, 0),
        ];
        let svg = mastery("mastery", &data);
        assert_well_formed(&svg);
        assert_accessible(&svg, "mastery");
        assert!(svg.contains("Core &lt;Python&gt; &amp; &quot;friends&quot;"));
        assert_eq!(count(&svg, "class=\"seg seg-mastered\""), 2);
        assert_eq!(count(&svg, "class=\"seg seg-progress\""), 2);
        assert_eq!(count(&svg, "class=\"seg seg-rest\""), 2);
        assert!(svg.contains(">3/10<") && svg.contains(">0/4<"));
        assert!(svg.contains("3 of 14 questions mastered across 2 sections; 5 studied"));
        assert!(!svg.contains("chart-group"), "one guide: no group titles");
        let two = mastery(
            "two",
            &[section("a", "One", 1, 1, 0), section("b", "Two", 1, 0, 1)],
        );
        assert_well_formed(&two);
        assert_eq!(count(&two, "class=\"chart-group\""), 2);
        let long = mastery("long", &[section("g", &"x".repeat(80), 1, 0, 0)]);
        assert!(long.contains(&format!("{}…", "x".repeat(45))));
    }

    #[test]
    fn helpers_table() {
        // (max, axis max, step)
        for (max, top, step) in [
            (0.0, 4.0, 1.0),
            (3.0, 3.0, 1.0),
            (4.0, 4.0, 1.0),
            (5.0, 6.0, 2.0),
            (12.0, 15.0, 5.0),
            (38.0, 40.0, 10.0),
            (170.0, 200.0, 50.0),
            (0.5, 1.0, 1.0),
        ] {
            assert_eq!(nice_axis(max), (top, step), "{max}");
        }
        for (ms, text) in [
            (0, "0m"),
            (999, "0m"),
            (40_000, "40s"),
            (12 * 60_000 + 5_000, "12m"),
            (3_900_000, "1h 05m"),
        ] {
            assert_eq!(duration(ms), text);
        }
        assert_eq!(
            escape("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(plural(1, "card", "cards"), "1 card");
        assert_eq!(plural(0, "card", "cards"), "0 cards");
        assert_eq!(n(3.0), "3");
        assert_eq!(n(3.25), "3.3");
    }
}
