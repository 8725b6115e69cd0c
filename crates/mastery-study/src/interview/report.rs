//! The report of a mock interview: scores, time, ladders, gaps, ratings for the scheduler,
//! a Markdown export and the trend over past interviews.
//!
//! **Scores.** A question's score is the share of its key points ticked after the learner's
//! corrections. A question asked but left unanswered when the interview was finished scores
//! 0. Questions without key points, and questions no longer in the guide, have no score and
//! are left out of the averages. A section's score is the mean of the scores of its questions
//! (main questions and follow-ups alike, each in its own section); the overall score is the
//! mean over all scored questions.
//!
//! **Ratings for the scheduler** ([`suggest_rating`]). Every answered question (main or
//! follow-up) gets an FSRS rating, so that weak answers become due soon: timed out or under
//! 40% → Again, under 70% → Hard, under 90% → Good, else Easy. An unanswered question gets
//! none: the learner stopped, which says nothing about what they know.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use mastery_content::{Entry, Guide, Level};
use serde::Serialize;

use super::levels::serialize_opt_level;
use super::session::{Answer, Interview, Item, MAX_DEPTH};
use crate::scheduler::{DAY_MS, Millis, Rating};
use crate::text;
pub use crate::text::{clock, percent};

/// Scores under this are rated Again.
pub const AGAIN_BELOW: f64 = 0.4;
/// Scores under this (and at least [`AGAIN_BELOW`]) are rated Hard.
pub const HARD_BELOW: f64 = 0.7;
/// Scores under this (and at least [`HARD_BELOW`]) are rated Good; the rest Easy.
pub const GOOD_BELOW: f64 = 0.9;

/// The rating suggested for an answer scoring `score` (0 to 1), see the module docs.
pub fn suggest_rating(score: f64, timed_out: bool) -> Rating {
    if timed_out || score.is_nan() || score < AGAIN_BELOW {
        Rating::Again
    } else if score < HARD_BELOW {
        Rating::Hard
    } else if score < GOOD_BELOW {
        Rating::Good
    } else {
        Rating::Easy
    }
}

/// One key point of a question in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PointReport {
    /// The statement (Markdown source); a placeholder when the guide no longer has it.
    pub text: String,
    /// The automatic tick.
    pub auto: bool,
    /// The learner's correction, if any.
    pub corrected: Option<bool>,
    /// The final tick.
    pub ticked: bool,
}

/// The key points of `item` with their ticks, `entry` being its question in the guide
/// (`None` when the guide no longer has it: the statements read "(no longer in the guide)").
pub fn key_points(item: &Item, entry: Option<&Entry>) -> Vec<PointReport> {
    (0..item.auto.len())
        .map(|k| PointReport {
            text: entry
                .and_then(|e| e.key_points.get(k))
                .map_or_else(|| "(no longer in the guide)".to_owned(), |p| p.text.clone()),
            auto: item.auto.get(k).copied().unwrap_or(false),
            corrected: item.corrections.get(k).copied().flatten(),
            ticked: item.ticked(k).unwrap_or(false),
        })
        .collect()
}

/// One question asked, in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionReport {
    /// Index of the item in the interview.
    pub item: usize,
    /// The question's id (to link to its page).
    pub question: String,
    /// The question's title (Markdown source); `None` when it is no longer in the guide.
    pub title: Option<String>,
    /// The id of its section.
    pub section: Option<String>,
    /// Its level.
    #[serde(serialize_with = "serialize_opt_level")]
    pub level: Option<Level>,
    /// 0 for a main question, 1 and more for follow-ups.
    pub depth: u32,
    /// The item it follows up.
    pub parent: Option<usize>,
    /// The answer, if any.
    pub answer: Option<Answer>,
    /// Its key points with their ticks.
    pub points: Vec<PointReport>,
    /// Its score (see the module docs).
    pub score: Option<f64>,
    /// Its time budget.
    pub budget_ms: Millis,
    /// The time it took, if answered.
    pub used_ms: Option<Millis>,
    /// Answered late or expired.
    pub timed_out: bool,
    /// The typed answer read as a keyword list.
    pub list_like: bool,
    /// The typed answer was too short for all the points it named.
    pub too_short: bool,
}

/// The score of one section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionReport {
    /// The section's id.
    pub section: String,
    /// Its title.
    pub title: String,
    /// Questions of the section asked.
    pub questions: usize,
    /// The mean score of those with a score.
    pub score: Option<f64>,
}

/// How deep the learner went on the follow-up ladder of one main question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ladder {
    /// The main question's item index.
    pub item: usize,
    /// The main question's id.
    pub question: String,
    /// The deepest follow-up asked below it (0: none).
    pub depth: u32,
    /// The deepest follow-up the guide offers below it, up to [`MAX_DEPTH`].
    pub max_depth: u32,
}

/// A key point the learner did not cover, with the question to study.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissedPoint {
    /// The item's index.
    pub item: usize,
    /// The question's id.
    pub question: String,
    /// The key point's index in the question.
    pub key_point: usize,
    /// The statement (Markdown source).
    pub text: String,
}

/// A rating to feed to the scheduler for one question.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RatingSuggestion {
    /// The item's index.
    pub item: usize,
    /// The rating.
    pub rating: Rating,
    /// The score it was derived from.
    pub score: f64,
    /// 0 for a main question, 1 and more for follow-ups.
    pub depth: u32,
}

/// The report of one interview.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The guide's id.
    pub guide: String,
    /// The guide's title.
    pub guide_title: String,
    /// The interview's title (the preset's, or "Custom interview").
    pub title: String,
    /// When it started.
    pub started_at: Millis,
    /// When it finished.
    pub finished_at: Option<Millis>,
    /// The planned time of the main questions.
    pub planned_ms: Millis,
    /// The time spent answering, summed over the questions.
    pub used_ms: Millis,
    /// The overall score.
    pub score: Option<f64>,
    /// Every question asked, in order.
    pub questions: Vec<QuestionReport>,
    /// Scores per section, in the guide's order.
    pub sections: Vec<SectionReport>,
    /// The ladder of every main question.
    pub ladders: Vec<Ladder>,
    /// Key points missed, in order.
    pub missed: Vec<MissedPoint>,
    /// Item indices of the questions that timed out.
    pub timed_out: Vec<usize>,
    /// Question ids of the interview that are no longer in the guide.
    pub missing: Vec<String>,
    /// A rating per answered question, for the scheduler (question id in
    /// [`QuestionReport::question`] of the same item).
    pub ratings: Vec<RatingSuggestion>,
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// The deepest follow-up chain below question `id`, up to `MAX_DEPTH` levels, without
/// repeating a question.
fn max_depth(guide: &Guide, id: &str) -> u32 {
    fn walk<'g>(guide: &'g Guide, entry: &'g Entry, seen: &mut Vec<&'g str>, depth: u32) -> u32 {
        if depth >= MAX_DEPTH {
            return depth;
        }
        let mut best = depth;
        for f in &entry.follow_ups {
            let f = f.as_str();
            if seen.contains(&f) {
                continue;
            }
            let Some(next) = guide.entry(f).filter(|e| e.level().is_some()) else {
                continue;
            };
            seen.push(f);
            best = best.max(walk(guide, next, seen, depth + 1));
            seen.pop();
            if best >= MAX_DEPTH {
                break;
            }
        }
        best
    }
    guide.entry(id).map_or(0, |entry| {
        let mut seen = vec![entry.id.as_str()];
        walk(guide, entry, &mut seen, 0)
    })
}

/// Builds the report of `interview` on `guide` (see the module docs).
pub fn report(interview: &Interview, guide: &Guide) -> Report {
    // Question id -> (section index, entry).
    let mut index: HashMap<&str, (usize, &Entry)> = HashMap::new();
    for (si, section) in guide.sections.iter().enumerate() {
        for entry in section.questions() {
            index.insert(entry.id.as_str(), (si, entry));
        }
    }
    let questions: Vec<QuestionReport> = interview
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let found = index.get(item.question.as_str());
            let entry = found.map(|(_, e)| *e);
            let points = key_points(item, entry);
            let score = match entry {
                None => None,
                Some(_) if item.auto.is_empty() => None,
                Some(_) => Some(item.score().unwrap_or(0.0)),
            };
            QuestionReport {
                item: i,
                question: item.question.clone(),
                title: entry.map(|e| e.title.clone()),
                section: found
                    .and_then(|(si, _)| guide.sections.get(*si))
                    .map(|s| s.id.to_string()),
                level: entry.and_then(Entry::level),
                depth: item.depth,
                parent: item.parent,
                answer: item.answer.clone(),
                points,
                score,
                budget_ms: item.budget_ms(),
                used_ms: item.used_ms(),
                timed_out: item.timed_out,
                list_like: item.list_like,
                too_short: item.too_short,
            }
        })
        .collect();

    let sections = guide
        .sections
        .iter()
        .filter_map(|s| {
            let asked: Vec<&QuestionReport> = questions
                .iter()
                .filter(|q| q.section.as_deref() == Some(s.id.as_str()))
                .collect();
            (!asked.is_empty()).then(|| SectionReport {
                section: s.id.to_string(),
                title: s.title.clone(),
                questions: asked.len(),
                score: mean(asked.iter().filter_map(|q| q.score)),
            })
        })
        .collect();

    let ladders = questions
        .iter()
        .filter(|q| q.depth == 0)
        .map(|q| {
            // Items below this one: follow the parent links up to a main question.
            let depth = questions
                .iter()
                .filter(|f| {
                    let mut at = f.parent;
                    let mut steps = 0;
                    while let Some(p) = at {
                        if p == q.item {
                            return true;
                        }
                        steps += 1;
                        if steps > questions.len() {
                            break;
                        }
                        at = questions.get(p).and_then(|x| x.parent);
                    }
                    false
                })
                .map(|f| f.depth)
                .max()
                .unwrap_or(0);
            Ladder {
                item: q.item,
                question: q.question.clone(),
                depth,
                max_depth: max_depth(guide, &q.question),
            }
        })
        .collect();

    let missed = questions
        .iter()
        .filter(|q| q.title.is_some())
        .flat_map(|q| {
            q.points
                .iter()
                .enumerate()
                .filter(|(_, p)| !p.ticked)
                .map(|(k, p)| MissedPoint {
                    item: q.item,
                    question: q.question.clone(),
                    key_point: k,
                    text: p.text.clone(),
                })
        })
        .collect();

    let ratings = interview
        .items
        .iter()
        .zip(&questions)
        .filter(|(item, q)| item.is_answered() && q.score.is_some())
        .map(|(item, q)| {
            let score = q.score.unwrap_or(0.0);
            RatingSuggestion {
                item: q.item,
                rating: suggest_rating(score, item.timed_out),
                score,
                depth: item.depth,
            }
        })
        .collect();

    let used_ms = interview
        .items
        .iter()
        .map(|item| match item.used_ms() {
            Some(ms) => ms,
            // Unanswered: asked until the interview finished.
            None => interview
                .finished_at
                .map_or(0, |end| end.saturating_sub(item.asked_at).max(0)),
        })
        .fold(0, Millis::saturating_add);

    Report {
        guide: guide.id.to_string(),
        guide_title: guide.title.clone(),
        title: interview.lineup.title.clone(),
        started_at: interview.started_at,
        finished_at: interview.finished_at,
        planned_ms: interview.lineup.total_ms(),
        used_ms,
        score: mean(questions.iter().filter_map(|q| q.score)),
        timed_out: questions
            .iter()
            .filter(|q| q.timed_out)
            .map(|q| q.item)
            .collect(),
        missing: interview.missing(guide),
        questions,
        sections,
        ladders,
        missed,
        ratings,
    }
}

/// Text for a table cell: one line, `|` escaped (GitHub tables need it even in code spans).
fn cell(text: &str) -> String {
    one_line(text).replace('|', "\\|")
}

/// Text for a list item: one line.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

/// Labels of an interview's items: `1`, `2`, … for main questions and `1.1`, `1.2`, … for
/// the follow-ups of main question 1 (by depth), as every front end and the Markdown export
/// number them.
pub fn labels(items: &[Item]) -> Vec<String> {
    labels_of(items.iter().map(|item| (item.parent, item.depth)))
}

/// The labels of [`labels`] from each item's `(parent, depth)`, in order.
fn labels_of(links: impl ExactSizeIterator<Item = (Option<usize>, u32)>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(links.len());
    let mut main = 0;
    for (parent, depth) in links {
        let label = match parent.and_then(|p| out.get(p)) {
            Some(parent) if depth > 0 => {
                let root = parent.split('.').next().unwrap_or(parent);
                format!("{root}.{depth}")
            }
            _ => {
                main += 1;
                main.to_string()
            }
        };
        out.push(label);
    }
    out
}

impl Report {
    /// The [`labels`] of its questions, in order (they are the interview's items).
    pub fn labels(&self) -> Vec<String> {
        labels_of(self.questions.iter().map(|q| (q.parent, q.depth)))
    }
}

/// The report as Markdown: title, summary table, then every question with the learner's
/// answer quoted, its key points as a checklist, and the missed points. `date` is shown as
/// given (the caller formats it in the learner's time zone).
pub fn to_markdown(report: &Report, date: &str) -> String {
    let labels = report.labels();
    let pct = text::score;
    let mut md = String::new();
    let _ = writeln!(md, "# Mock interview: {}\n", report.title);
    let _ = writeln!(
        md,
        "{} · {} · score {} · {} used of {} planned\n",
        report.guide_title,
        date,
        pct(report.score),
        clock(report.used_ms),
        clock(report.planned_ms)
    );
    let _ = writeln!(md, "| # | Question | Depth | Score | Time |");
    let _ = writeln!(md, "| --- | --- | --- | --- | --- |");
    for (q, label) in report.questions.iter().zip(&labels) {
        let title = q.title.as_deref().unwrap_or(&q.question);
        let depth = if q.depth == 0 {
            "main".to_owned()
        } else {
            format!("follow-up {}", q.depth)
        };
        let time = match q.used_ms {
            Some(ms) if q.timed_out => format!("{} (timed out)", clock(ms)),
            Some(ms) => clock(ms),
            None => "not answered".to_owned(),
        };
        let _ = writeln!(
            md,
            "| {label} | {} | {depth} | {} | {time} |",
            cell(title),
            pct(q.score)
        );
    }
    if !report.sections.is_empty() {
        let _ = writeln!(md, "\n## Sections\n");
        let _ = writeln!(md, "| Section | Questions | Score |");
        let _ = writeln!(md, "| --- | --- | --- |");
        for s in &report.sections {
            let _ = writeln!(
                md,
                "| {} | {} | {} |",
                cell(&s.title),
                s.questions,
                pct(s.score)
            );
        }
    }
    for (q, label) in report.questions.iter().zip(&labels) {
        let title = q
            .title
            .as_deref()
            .unwrap_or("(question no longer in the guide)");
        let _ = writeln!(md, "\n## {label}. {title}\n");
        let mut facts = vec![format!("`{}`", q.question)];
        if let Some(level) = q.level {
            facts.push(level.to_string());
        }
        if q.depth > 0 {
            facts.push(format!("follow-up, depth {}", q.depth));
        }
        facts.push(match q.used_ms {
            Some(ms) => format!("{} of {}", clock(ms), clock(q.budget_ms)),
            None => "not answered".to_owned(),
        });
        facts.push(format!("score {}", pct(q.score)));
        if q.timed_out {
            facts.push("timed out".to_owned());
        }
        let _ = writeln!(md, "{}\n", facts.join(" · "));
        match &q.answer {
            Some(Answer::Typed { text }) if !text.trim().is_empty() => {
                for line in text.trim_end().lines() {
                    if line.trim().is_empty() {
                        let _ = writeln!(md, ">");
                    } else {
                        let _ = writeln!(md, "> {line}");
                    }
                }
                md.push('\n');
            }
            Some(Answer::Typed { .. }) => md.push_str("*No answer.*\n\n"),
            Some(Answer::Aloud) => md.push_str("*Answered aloud.*\n\n"),
            None => md.push_str("*Not answered.*\n\n"),
        }
        if q.list_like {
            md.push_str(
                "*The answer read like a list of keywords: explain them in sentences.*\n\n",
            );
        }
        if q.too_short {
            md.push_str("*The answer was too short for all the points it named.*\n\n");
        }
        if !q.points.is_empty() {
            md.push_str("Key points:\n\n");
            for p in &q.points {
                let mark = if p.ticked { "x" } else { " " };
                let note = if p.corrected.is_some() {
                    " *(corrected)*"
                } else {
                    ""
                };
                let _ = writeln!(md, "- [{mark}] {}{note}", one_line(&p.text));
            }
        }
        if let Some(ladder) = report.ladders.iter().find(|l| l.item == q.item)
            && ladder.max_depth > 0
        {
            let _ = writeln!(
                md,
                "\nFollow-up ladder: depth {} of {}.",
                ladder.depth, ladder.max_depth
            );
        }
    }
    if !report.missed.is_empty() {
        md.push_str("\n## Missed key points\n\n");
        let mut seen = HashSet::new();
        for m in &report.missed {
            if seen.insert(m.item) {
                let q = report.questions.get(m.item);
                let label = labels.get(m.item).map_or("", String::as_str);
                let title = q.and_then(|q| q.title.as_deref()).unwrap_or("");
                let _ = writeln!(md, "- {label}. {} (`{}`)", one_line(title), m.question);
            }
            let _ = writeln!(md, "  - {}", one_line(&m.text));
        }
    }
    if !report.missing.is_empty() {
        md.push_str("\n## No longer in the guide\n\n");
        for id in &report.missing {
            let _ = writeln!(md, "- `{id}`");
        }
    }
    md
}

/// One interview on the trend chart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrendPoint {
    /// When it finished.
    pub at: Millis,
    /// Its overall score (0 to 1).
    pub score: f64,
    /// The mean of this score and up to [`TREND_WINDOW`]` - 1` before it.
    pub average: f64,
}

/// Interviews in the moving average of the trend.
pub const TREND_WINDOW: usize = 3;

/// What the trend chart of past interviews needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// The interviews, oldest first.
    pub points: Vec<TrendPoint>,
    /// The best score.
    pub best: Option<f64>,
    /// The latest score.
    pub latest: Option<f64>,
    /// Latest minus the one before, when there are two.
    pub change: Option<f64>,
    /// The least-squares slope of score over time, in score per week, when there are at
    /// least two interviews at different times.
    pub per_week: Option<f64>,
}

/// The trend of `(finished_at, score)` pairs: sorted by time, scores clamped to 0–1, scores
/// that are not numbers left out.
pub fn trend(history: &[(Millis, f64)]) -> Trend {
    let mut sorted: Vec<(Millis, f64)> = history
        .iter()
        .filter(|(_, s)| s.is_finite())
        .map(|&(at, s)| (at, s.clamp(0.0, 1.0)))
        .collect();
    sorted.sort_by_key(|a| a.0);
    let points: Vec<TrendPoint> = sorted
        .iter()
        .enumerate()
        .map(|(i, &(at, score))| {
            let from = (i + 1).saturating_sub(TREND_WINDOW);
            let average = mean(sorted[from..=i].iter().map(|p| p.1)).unwrap_or(score);
            TrendPoint { at, score, average }
        })
        .collect();
    let n = points.len();
    let best = points.iter().map(|p| p.score).reduce(f64::max);
    let latest = points.last().map(|p| p.score);
    let change = (n >= 2).then(|| points[n - 1].score - points[n - 2].score);
    let per_week = if n >= 2 {
        let week = (7 * DAY_MS) as f64;
        let t0 = points[0].at;
        let xs: Vec<f64> = points
            .iter()
            .map(|p| p.at.saturating_sub(t0) as f64 / week)
            .collect();
        let mx = mean(xs.iter().copied()).unwrap_or(0.0);
        let my = mean(points.iter().map(|p| p.score)).unwrap_or(0.0);
        let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
        let sxy: f64 = xs
            .iter()
            .zip(&points)
            .map(|(x, p)| (x - mx) * (p.score - my))
            .sum();
        (sxx > 0.0).then(|| sxy / sxx)
    } else {
        None
    };
    Trend {
        points,
        best,
        latest,
        change,
        per_week,
    }
}
