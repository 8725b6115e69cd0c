//! How the domain's figures read in English: counts with their noun, scores as percentages,
//! durations on a clock. Shared by every front end (the web pages, the terminal, the
//! Markdown export) so a figure reads the same everywhere.

use crate::scheduler::Millis;

/// `count` with its noun: "1 review", "3 reviews", "0 reviews".
pub fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// A score (0 to 1) as a whole percentage, clamped to 0–100 and rounded.
pub fn percent(score: f64) -> u32 {
    (score.clamp(0.0, 1.0) * 100.0).round() as u32
}

/// A score as "72%", or "–" (an en dash) when there is none.
pub fn score(score: Option<f64>) -> String {
    score.map_or_else(|| "–".to_owned(), |s| format!("{}%", percent(s)))
}

/// A duration as `m:ss` ("2:05"); negative durations read as `0:00`.
pub fn clock(ms: Millis) -> String {
    let secs = ms.max(0) / 1000;
    format!("{}:{:02}", secs / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_singular_only_for_one() {
        assert_eq!(plural(0, "review", "reviews"), "0 reviews");
        assert_eq!(plural(1, "review", "reviews"), "1 review");
        assert_eq!(plural(3, "review", "reviews"), "3 reviews");
        assert_eq!(plural(2, "follow-up", "follow-ups"), "2 follow-ups");
    }

    #[test]
    fn scores_read_as_whole_percentages() {
        assert_eq!(percent(0.0), 0);
        assert_eq!(percent(0.724), 72);
        assert_eq!(percent(0.726), 73);
        assert_eq!(percent(1.0), 100);
        assert_eq!(percent(1.5), 100, "clamped above");
        assert_eq!(percent(-0.2), 0, "clamped below");
        assert_eq!(score(Some(0.5)), "50%");
        assert_eq!(score(Some(2.0 / 3.0)), "67%");
        assert_eq!(score(None), "–");
    }

    #[test]
    fn durations_read_as_minutes_and_seconds() {
        assert_eq!(clock(0), "0:00");
        assert_eq!(clock(999), "0:00");
        assert_eq!(clock(5_000), "0:05");
        assert_eq!(clock(125_000), "2:05");
        assert_eq!(clock(3_600_000), "60:00");
        assert_eq!(clock(-5_000), "0:00");
    }
}
