//! The coach's view as CSV (`/teams/{team}/members.csv`): one row per member and section,
//! then one "all sections" row per member. Every field is quoted; a field that a
//! spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, carriage return first) is
//! prefixed with `'`, as OWASP's CSV-injection advice says.

use crate::teams::views::utc;
use mastery_app::teams::cohort::CohortView;

const HEADER: [&str; 12] = [
    "member",
    "guide",
    "section",
    "questions",
    "mastered",
    "predicted_recall",
    "reviews_7_days",
    "reviews_30_days",
    "last_active_utc",
    "interviews",
    "mean_interview_score",
    "recall_for",
];

/// One field, quoted and defused.
fn field(text: &str) -> String {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let text = if risky {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn row(out: &mut String, fields: &[String]) {
    let line: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

fn fraction(x: f64) -> String {
    format!("{:.3}", x.clamp(0.0, 1.0))
}

/// The CSV text of a coach's view.
pub(crate) fn members(view: &CohortView) -> String {
    let recall_for = view
        .team
        .interview_date
        .clone()
        .unwrap_or_else(|| "today".to_owned());
    let mut out = String::new();
    row(&mut out, &HEADER.map(str::to_owned));
    for m in &view.members {
        let last = m.last_active.map(utc).unwrap_or_default();
        let score = m.mean_score.map(fraction).unwrap_or_default();
        let common = |out: &mut String,
                      (guide, section): (&str, &str),
                      (q, mastered): (usize, usize),
                      recall: f32,
                      (reviews_7, reviews_30): (usize, usize)| {
            row(
                out,
                &[
                    m.username.clone(),
                    guide.to_owned(),
                    section.to_owned(),
                    q.to_string(),
                    mastered.to_string(),
                    fraction(f64::from(recall)),
                    reviews_7.to_string(),
                    reviews_30.to_string(),
                    last.clone(),
                    m.interviews.to_string(),
                    score.clone(),
                    recall_for.clone(),
                ],
            );
        };
        for (s, mine) in view.sections.iter().zip(&m.sections) {
            common(
                &mut out,
                (&s.section.guide_title, &s.section.title),
                (s.section.questions, mine.mastered),
                mine.recall,
                (mine.reviews_7, mine.reviews_30),
            );
        }
        common(
            &mut out,
            ("", "all sections"),
            (view.questions, m.mastered),
            m.readiness,
            (m.reviews_7, m.reviews_30),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("ada"), "\"ada\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("-1"), "\"'-1\"");
        assert_eq!(field("@SUM"), "\"'@SUM\"");
        assert_eq!(field("a,b\nc"), "\"a,b\nc\"");
    }
}
