//! The stats page (`GET /stats`): reviews per day (a calendar heatmap), cards due over the
//! next 30 days, true retention per week, mastery per section and time studied, each an SVG
//! chart from [`crate::charts`] followed by a table of the same numbers. The figures come
//! from `mastery_study::stats` (shared with `mastery stats`), loaded through
//! `mastery_app::stats`.

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use mastery_study::stats::{Stats, weekday_name};

use mastery_storage::LearnerId;

use crate::access::Learner;
use crate::charts::{self, duration, plural};
use crate::error::WebError;
use crate::layout::{Layout, render};
use crate::session::Session;
use crate::state::{AppState, now};

/// Weeks of the heatmap on wide screens (a year) and on phones.
const YEAR_WEEKS: usize = 53;
const PHONE_WEEKS: usize = 17;

/// A figure of the summary strip.
#[derive(Debug, Clone)]
pub struct Figure {
    pub label: &'static str,
    pub value: String,
    pub detail: String,
}

/// A day with reviews (heatmap table).
#[derive(Debug, Clone)]
pub struct ActivityRow {
    pub date: String,
    pub iso: String,
    pub reviews: usize,
    pub time: String,
}

/// A day of the forecast table.
#[derive(Debug, Clone)]
pub struct DueRow {
    pub when: String,
    pub iso: String,
    pub due: usize,
}

/// A week of the retention table.
#[derive(Debug, Clone)]
pub struct RetentionRow {
    pub week: String,
    pub iso: String,
    pub reviews: usize,
    pub passed: usize,
    pub retention: String,
}

/// A section of the mastery table.
#[derive(Debug, Clone)]
pub struct MasteryRow {
    pub guide: String,
    pub section: String,
    pub questions: usize,
    pub mastered: usize,
    pub in_progress: usize,
}

/// A week of the time table.
#[derive(Debug, Clone)]
pub struct TimeRow {
    pub week: String,
    pub iso: String,
    pub reviews: usize,
    pub time: String,
}

#[derive(askama::Template)]
#[template(path = "stats.html")]
pub struct StatsPage {
    pub layout: Layout,
    pub empty: bool,
    pub figures: Vec<Figure>,
    pub heatmap_year: String,
    pub heatmap_recent: String,
    pub activity: Vec<ActivityRow>,
    pub has_due: bool,
    pub forecast: String,
    pub due_rows: Vec<DueRow>,
    pub overdue: usize,
    pub has_retention: bool,
    pub has_review_phase: bool,
    pub retention: String,
    pub retention_rows: Vec<RetentionRow>,
    pub target: String,
    pub mastery: String,
    pub mastery_rows: Vec<MasteryRow>,
    pub several_guides: bool,
    pub has_time: bool,
    pub time: String,
    pub time_rows: Vec<TimeRow>,
}

/// The page's view of the statistics.
pub fn page_view(layout: Layout, stats: &Stats, desired_retention: f64) -> StatsPage {
    let t = &stats.totals;
    let streak = &stats.streak;
    let figures = vec![
        Figure {
            label: "Streak",
            value: plural(streak.current, "day", "days"),
            detail: if streak.current > 0 && !streak.today {
                format!(
                    "review today to keep it · longest {}",
                    plural(streak.longest, "day", "days")
                )
            } else {
                format!("longest {}", plural(streak.longest, "day", "days"))
            },
        },
        Figure {
            label: "Today",
            value: plural(t.reviews_today, "review", "reviews"),
            detail: format!("{} studied", duration(t.time_today_ms)),
        },
        Figure {
            label: "All time",
            value: plural(t.reviews, "review", "reviews"),
            detail: format!(
                "{} studied on {}",
                duration(t.time_ms),
                plural(t.days_studied, "day", "days")
            ),
        },
        Figure {
            label: "Due today",
            value: plural(stats.forecast.first().map_or(0, |d| d.due), "card", "cards"),
            detail: if stats.overdue > 0 {
                format!("{} overdue", stats.overdue)
            } else {
                "new questions not counted".to_owned()
            },
        },
    ];
    let activity = stats
        .days
        .iter()
        .rev()
        .filter(|d| d.reviews > 0)
        .map(|d| ActivityRow {
            date: format!("{} {}", weekday_name(d.day.weekday), d.day.date.long()),
            iso: d.day.date.to_string(),
            reviews: d.reviews,
            time: duration(d.time_ms),
        })
        .collect();
    let due_rows = stats
        .forecast
        .iter()
        .enumerate()
        .map(|(i, d)| DueRow {
            when: match i {
                0 => "Today".to_owned(),
                1 => "Tomorrow".to_owned(),
                _ => format!("{} {}", weekday_name(d.day.weekday), d.day.date.long()),
            },
            iso: d.day.date.to_string(),
            due: d.due,
        })
        .collect();
    let retention_rows = stats
        .retention
        .iter()
        .rev()
        .map(|w| RetentionRow {
            week: w.week.date.long(),
            iso: w.week.date.to_string(),
            reviews: w.reviews,
            passed: w.passed,
            retention: w.retention.map_or("not enough data".to_owned(), |r| {
                format!("{:.0}%", r * 100.0)
            }),
        })
        .collect();
    let mastery_rows = stats
        .sections
        .iter()
        .map(|s| MasteryRow {
            guide: s.guide_title.clone(),
            section: s.title.clone(),
            questions: s.questions,
            mastered: s.mastered,
            in_progress: s.in_progress,
        })
        .collect();
    let time_rows = stats
        .time
        .iter()
        .rev()
        .map(|w| TimeRow {
            week: w.week.date.long(),
            iso: w.week.date.to_string(),
            reviews: w.reviews,
            time: duration(w.time_ms),
        })
        .collect();
    let mut guides: Vec<&str> = stats.sections.iter().map(|s| s.guide.as_str()).collect();
    guides.dedup();
    StatsPage {
        layout,
        empty: stats.is_empty(),
        figures,
        heatmap_year: charts::heatmap("heatmap-year", &stats.days, YEAR_WEEKS),
        heatmap_recent: charts::heatmap("heatmap-recent", &stats.days, PHONE_WEEKS),
        activity,
        has_due: stats.forecast.iter().any(|d| d.due > 0),
        forecast: charts::forecast("forecast", &stats.forecast, stats.overdue),
        due_rows,
        overdue: stats.overdue,
        has_retention: stats.retention.iter().any(|w| w.retention.is_some()),
        has_review_phase: stats.retention.iter().any(|w| w.reviews > 0),
        retention: charts::retention("retention", &stats.retention, Some(desired_retention)),
        retention_rows,
        target: format!("{:.0}%", desired_retention * 100.0),
        mastery: charts::mastery("mastery", &stats.sections),
        mastery_rows,
        several_guides: guides.len() > 1,
        has_time: stats.time.iter().any(|w| w.time_ms > 0),
        time: charts::time("time", &stats.time),
        time_rows,
    }
}

/// The learner's statistics now, and their desired retention.
pub(crate) async fn load(state: &AppState, learner: LearnerId) -> Result<(Stats, f64), WebError> {
    let library = state.library();
    let stats = mastery_app::stats::load(state.store(), learner, &library.guides, now()).await?;
    let (settings, _) = mastery_app::settings::load_settings(state.store(), learner).await?;
    Ok((stats, f64::from(settings.desired_retention)))
}

/// `GET /stats`.
pub async fn page(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Extension(session): Extension<Session>,
) -> Result<Response, WebError> {
    let (stats, target) = load(&state, learner).await?;
    let layout = Layout::new(&state, Some(&session), "Statistics", "/stats");
    Ok(render(&page_view(layout, &stats, target)))
}
