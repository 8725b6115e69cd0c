//! The calendar heatmap of reviews per day, a column per week, as on the stats page.

use mastery_study::stats::{DayActivity, HEAT_LEVELS, heat_level, week_start, weekday_name};

use super::svg::{n, open, plural, rect, text};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::svg::testing::{TODAY, assert_accessible, assert_well_formed, count};
    use mastery_study::stats::Day;

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
}
