//! Mastery per section: a stacked bar a section (mastered, in progress, not started),
//! grouped by guide when there are several.

use mastery_study::stats::SectionMastery;

use super::svg::{n, open, plural, rect, shorten, text};

const MASTERY_W: f64 = 480.0;
const ROW: f64 = 38.0;
const GROUP: f64 = 26.0;
const TITLE_CHARS: usize = 46;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::svg::testing::{assert_accessible, assert_well_formed, count};

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
}
