//! The stats API (`GET /api/v1/study/stats`): the same figures as the page, as JSON.

use axum::Json;
use axum::extract::State;
use mastery_study::stats::{Stats, heat_level};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Learner;
use crate::error::WebError;
use crate::state::AppState;
use crate::stats::pages::load;

/// Consecutive days with at least one review.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsStreak {
    /// The streak running now (up to today, or up to yesterday while today has no review).
    current: usize,
    longest: usize,
    reviewed_today: bool,
}

/// All-time and today's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsTotals {
    reviews: usize,
    time_ms: u64,
    days_studied: usize,
    reviews_today: usize,
    time_today_ms: u64,
}

/// One day of activity.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsDay {
    /// The learner's date, `YYYY-MM-DD`.
    date: String,
    reviews: usize,
    time_ms: u64,
    /// Heatmap level, 0 (no review) to 4 (the busiest days).
    level: u8,
}

/// Cards due on one day.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsDueDay {
    date: String,
    /// Studied cards due that day (today: overdue ones too); new questions not counted.
    due: usize,
}

/// True retention of one week.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsRetentionWeek {
    /// The week's Monday, `YYYY-MM-DD`.
    week_start: String,
    /// Reviews of cards in the Review phase.
    reviews: usize,
    /// Of those, the ones not rated Again.
    passed: usize,
    /// `passed / reviews`, 0 to 1; absent with fewer than 5 reviews (not enough data).
    retention: Option<f64>,
}

/// Time studied in one week.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsTimeWeek {
    week_start: String,
    reviews: usize,
    time_ms: u64,
}

/// Mastery of one section.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsSection {
    guide: String,
    section: String,
    title: String,
    questions: usize,
    /// Ticked, or stable enough (FSRS stability of 21 days or more).
    mastered: usize,
    /// Reviewed at least once.
    studied: usize,
    /// Reviewed at least once and not yet mastered.
    in_progress: usize,
}

/// The learner's study statistics, in their own days (day start hour and UTC offset).
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsDto {
    /// Today's date, `YYYY-MM-DD`.
    today: String,
    streak: StatsStreak,
    totals: StatsTotals,
    /// The last 365 days, oldest first.
    days: Vec<StatsDay>,
    /// The next 30 days, today first.
    forecast: Vec<StatsDueDay>,
    /// Of today's due cards, those due before today.
    overdue: usize,
    /// The last 12 weeks (Monday to Sunday), oldest first.
    retention: Vec<StatsRetentionWeek>,
    /// The retention the scheduler aims at, 0 to 1.
    desired_retention: f64,
    /// The last 12 weeks, oldest first.
    time: Vec<StatsTimeWeek>,
    /// Every section of every loaded guide, in order.
    sections: Vec<StatsSection>,
}

/// The JSON view of the statistics.
pub fn dto(stats: &Stats, desired_retention: f64) -> StatsDto {
    let busiest = stats.busiest_day();
    StatsDto {
        today: stats.today.date.to_string(),
        streak: StatsStreak {
            current: stats.streak.current,
            longest: stats.streak.longest,
            reviewed_today: stats.streak.today,
        },
        totals: StatsTotals {
            reviews: stats.totals.reviews,
            time_ms: stats.totals.time_ms,
            days_studied: stats.totals.days_studied,
            reviews_today: stats.totals.reviews_today,
            time_today_ms: stats.totals.time_today_ms,
        },
        days: stats
            .days
            .iter()
            .map(|d| StatsDay {
                date: d.day.date.to_string(),
                reviews: d.reviews,
                time_ms: d.time_ms,
                level: heat_level(d.reviews, busiest),
            })
            .collect(),
        forecast: stats
            .forecast
            .iter()
            .map(|d| StatsDueDay {
                date: d.day.date.to_string(),
                due: d.due,
            })
            .collect(),
        overdue: stats.overdue,
        retention: stats
            .retention
            .iter()
            .map(|w| StatsRetentionWeek {
                week_start: w.week.date.to_string(),
                reviews: w.reviews,
                passed: w.passed,
                retention: w.retention,
            })
            .collect(),
        desired_retention,
        time: stats
            .time
            .iter()
            .map(|w| StatsTimeWeek {
                week_start: w.week.date.to_string(),
                reviews: w.reviews,
                time_ms: w.time_ms,
            })
            .collect(),
        sections: stats
            .sections
            .iter()
            .map(|s| StatsSection {
                guide: s.guide.clone(),
                section: s.section.clone(),
                title: s.title.clone(),
                questions: s.questions,
                mastered: s.mastered,
                studied: s.studied,
                in_progress: s.in_progress,
            })
            .collect(),
    }
}

/// The learner's study statistics: reviews per day (365 days), cards due per day (30 days),
/// true retention and time studied per week (12 weeks), mastery per section, streak.
#[utoipa::path(get, path = "/api/v1/study/stats", tag = "study",
    responses((status = 200, body = StatsDto)))]
pub(crate) async fn study_stats(
    State(state): State<AppState>,
    Learner(learner): Learner,
) -> Result<Json<StatsDto>, WebError> {
    let (stats, target) = load(&state, learner).await?;
    Ok(Json(dto(&stats, target)))
}
