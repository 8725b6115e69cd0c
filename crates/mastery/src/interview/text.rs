//! What `mastery interview` prints without a terminal: the presets (`--list-presets`), the
//! past interviews (`--history`), a report (`--report`, also as Markdown), and the summary
//! printed when a finished interview's screen is left.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use mastery_app::interview::{self as service, Loaded};
use mastery_content::Guide;
use mastery_storage::Millis;
use mastery_study::interview as domain;
use mastery_study::scheduler::{DAY_MS, HOUR_MS, MINUTE_MS};
use mastery_study::stats::Date;
use mastery_study::text::{clock, percent, plural};

use super::app::ReportView;
use super::report::report_lines;
use super::wrap::plain;

/// `at` as "2026-03-10 14:05" for a learner `offset_minutes` east of UTC.
pub fn date_time(at: Millis, offset_minutes: i32) -> String {
    let local = at.saturating_add(i64::from(offset_minutes) * MINUTE_MS);
    let date = Date::of_day(local.div_euclid(DAY_MS));
    let in_day = local.rem_euclid(DAY_MS);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        date.year,
        date.month,
        date.day,
        in_day / HOUR_MS,
        in_day % HOUR_MS / MINUTE_MS
    )
}

/// The report of a finished interview with the titles and date the screens need.
pub fn report_view(
    loaded: &Loaded,
    report: domain::Report,
    guides: &[Arc<Guide>],
    offset_minutes: i32,
) -> ReportView {
    let guide = guides
        .iter()
        .find(|g| g.id.as_str() == loaded.interview.guide);
    let date = date_time(loaded.interview.started_at, offset_minutes);
    ReportView::new(&loaded.id, report, guide.map(AsRef::as_ref), &date)
}

/// Writes the Markdown report to `path` (`-`: standard output).
pub fn write_markdown(path: &Path, view: &ReportView) -> anyhow::Result<()> {
    let markdown = domain::to_markdown(&view.report, &view.date);
    if path == Path::new("-") {
        print!("{markdown}");
        return Ok(());
    }
    std::fs::write(path, markdown)
        .with_context(|| format!("cannot write the Markdown report to {}", path.display()))?;
    println!("Markdown report written to {}", path.display());
    Ok(())
}

/// `--list-presets`.
pub fn presets_text() -> String {
    let mut out = String::from("Interview presets (mastery interview --preset ID):\n\n");
    for p in &domain::PRESETS {
        let levels: Vec<&str> = p.levels.iter().map(|l| l.as_str()).collect();
        let _ = writeln!(
            out,
            "  {:<28} {}: {} questions in {} minutes, {}",
            p.id,
            p.title,
            p.questions,
            p.minutes,
            levels.join(" and ")
        );
        let _ = writeln!(out, "  {:<28} {}", "", p.description);
    }
    out.push_str(
        "\nCustom interviews: --level (repeatable), --section (repeatable), --questions N, --minutes M.\n",
    );
    out
}

/// `--history`: one row per interview, newest first, then the trend.
pub fn history_text(summaries: &[service::Summary], trend: &domain::Trend, offset: i32) -> String {
    if summaries.is_empty() {
        return "No interviews yet: start one with `mastery interview`.\n".to_owned();
    }
    let mut out = format!(
        "{:<14} {:<16}  {:>5}  {:>9}  {:<10}  {:<14} {}\n",
        "ID", "STARTED", "SCORE", "QUESTIONS", "STATUS", "GUIDE", "TITLE"
    );
    for s in summaries {
        let score = s
            .score
            .map_or_else(|| "-".to_owned(), |v| format!("{}%", percent(v)));
        let status = if s.finished_at.is_some() {
            "finished"
        } else {
            "unfinished"
        };
        let _ = writeln!(
            out,
            "{:<14} {:<16}  {:>5}  {:>9}  {:<10}  {:<14} {}",
            s.id,
            date_time(s.started_at, offset),
            score,
            s.asked,
            status,
            s.guide,
            s.title
        );
    }
    if let (Some(latest), Some(best)) = (trend.latest, trend.best) {
        let _ = write!(
            out,
            "\n{} finished: latest {}%, best {}%",
            trend.points.len(),
            percent(latest),
            percent(best)
        );
        if let Some(change) = trend.change {
            let points = (change * 100.0).round();
            let _ = write!(out, ", {points:+} points since the previous one");
        }
        out.push_str(".\n");
    }
    out
}

/// `--report`: the heading, then the report as on screen, without styles.
pub fn report_text(view: &ReportView) -> String {
    let r = &view.report;
    let mut out = format!(
        "Mock interview: {}\n{} · {} · id {}\n\n",
        r.title, r.guide_title, view.date, view.id
    );
    for (line, _) in report_lines(view) {
        let _ = writeln!(out, "{}", plain(&line).trim_end());
    }
    out
}

/// What is printed when a finished interview's screen is left.
pub fn summary_text(view: &ReportView) -> String {
    let r = &view.report;
    let follow_ups = r.questions.iter().filter(|q| q.depth > 0).count();
    let score = r.score.map_or_else(
        || "no score".to_owned(),
        |s| format!("{}% overall", percent(s)),
    );
    let mut out = format!(
        "{} ({}): {score}, {} used of {} planned.\n",
        r.title,
        r.guide_title,
        clock(r.used_ms),
        clock(r.planned_ms)
    );
    let _ = write!(
        out,
        "{} asked ({})",
        plural(r.questions.len(), "question", "questions"),
        plural(follow_ups, "follow-up", "follow-ups")
    );
    if !r.timed_out.is_empty() {
        let _ = write!(out, ", {} timed out", r.timed_out.len());
    }
    let _ = writeln!(
        out,
        "; {} fed to your study queue.",
        plural(view.fed(), "question", "questions")
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::NOW;

    #[test]
    fn dates_are_local() {
        // 2025-06-15T15:06:40Z.
        assert_eq!(date_time(NOW, 0), "2025-06-15 15:06");
        assert_eq!(date_time(NOW, 120), "2025-06-15 17:06");
        assert_eq!(date_time(NOW, -16 * 60), "2025-06-14 23:06");
    }
}
