//! The weekly bar charts: true retention per week against the target, and time studied
//! per week.

use mastery_study::stats::{WeekRetention, WeekTime};

use super::bars::{Bar, Reference, bars};
use super::svg::{compact_duration, duration, n, nice_axis, plural};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::svg::testing::{assert_accessible, assert_well_formed, count};
    use mastery_study::stats::Day;

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
}
