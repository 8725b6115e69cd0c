//! The forecast: cards due per day over the coming days, as a bar chart.

use mastery_study::stats::{DueDay, weekday_name};

use super::bars::{Bar, bars};
use super::svg::{n, nice_axis, plural};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::svg::testing::{TODAY, assert_accessible, assert_well_formed, count};
    use mastery_study::stats::Day;

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
}
