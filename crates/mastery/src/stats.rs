//! `mastery stats`: a summary of the learner's study, per guide, as a plain-text table.
//!
//! Days are the learner's (the day start hour and UTC offset of their study settings), as
//! on the study page. True retention is the share of reviews of cards in the Review phase
//! (reviews of learning steps and new cards left out) that were not rated Again: the number
//! FSRS aims at with the desired retention.

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal as _;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use mastery_app::cards::to_state;
use mastery_app::settings::scheduler;
use mastery_content::Guide;
use mastery_storage::{CardPhase, Mark, Millis, ReviewRecord, Storage, StoredCard};
use mastery_study::scheduler::{DayClock, is_mastered};

use crate::context::{self, DataArgs, GuidesArgs};
use crate::runtime;
use crate::study::app::duration;

/// How many days "last 7 days" and the retention window cover (today included).
const WEEK_DAYS: i64 = 7;
const RETENTION_DAYS: i64 = 30;

/// Arguments of `mastery stats`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    user: context::UserArgs,
    #[command(flatten)]
    guides: GuidesArgs,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let guides = context::load_guides(&args.guides.guides)?;
    let runtime = runtime::current_thread()?;
    let table = runtime.block_on(async {
        let db = context::open_store(args.data.data_dir.as_deref(), args.data.database.as_deref())
            .await?;
        let learner = context::learner(db.store.as_ref(), args.user.user.as_deref()).await?;
        let rows = collect(db.store.as_ref(), learner, &guides, mastery_storage::now()).await?;
        anyhow::Ok((context::redact(&db.url), rows))
    })?;
    let (url, rows) = table;
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    println!("Study statistics ({url})");
    println!();
    print!("{}", render(&rows, colour));
    println!();
    println!("Due: cards to review by the end of today (new questions not counted).");
    println!(
        "Retention: reviews of cards in the review phase not rated Again, last {RETENTION_DAYS} days (of how many)."
    );
    Ok(ExitCode::SUCCESS)
}

/// The figures of one guide (or of all of them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// The guide's id, or "total".
    pub guide: String,
    /// Questions in the guide; `None` for a guide that is not loaded but has data.
    pub questions: Option<usize>,
    /// Questions mastered: ticked by hand, or stable in study.
    pub mastered: usize,
    /// Questions reviewed at least once.
    pub studied: usize,
    /// Cards due by the end of today.
    pub due: usize,
    /// Reviews today.
    pub today: usize,
    /// Reviews over the last 7 days.
    pub week: usize,
    /// Reviews ever.
    pub all: usize,
    /// Reviews of review-phase cards over the last 30 days: (not rated Again, all).
    pub retention: (usize, usize),
    /// Time spent on reviews, in milliseconds.
    pub time_ms: u64,
}

impl Row {
    fn add(&mut self, other: &Row) {
        self.questions = match (self.questions, other.questions) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        self.mastered += other.mastered;
        self.studied += other.studied;
        self.due += other.due;
        self.today += other.today;
        self.week += other.week;
        self.all += other.all;
        self.retention.0 += other.retention.0;
        self.retention.1 += other.retention.1;
        self.time_ms = self.time_ms.saturating_add(other.time_ms);
    }
}

/// One row per loaded guide (in order), then one per other guide the learner has data for,
/// then the total.
pub async fn collect(
    store: &dyn Storage,
    learner: mastery_storage::LearnerId,
    guides: &[Arc<Guide>],
    now: Millis,
) -> anyhow::Result<Vec<Row>> {
    let clock = scheduler(store, learner)
        .await
        .context("cannot read the study settings")?
        .clock();
    let marks = store
        .marks(learner)
        .await
        .context("cannot read the marks")?;
    let cards = store
        .cards(learner)
        .await
        .context("cannot read the cards")?;
    let reviews = store
        .reviews(learner, None)
        .await
        .context("cannot read the reviews")?;
    Ok(rows(guides, &marks, &cards, &reviews, clock, now))
}

/// The table's rows from the learner's data (pure, for tests).
pub fn rows(
    guides: &[Arc<Guide>],
    marks: &[Mark],
    cards: &[StoredCard],
    reviews: &[ReviewRecord],
    clock: DayClock,
    now: Millis,
) -> Vec<Row> {
    let today = clock.day(now);
    let week_start = clock.start_of_day(today.index - (WEEK_DAYS - 1));
    let retention_start = clock.start_of_day(today.index - (RETENTION_DAYS - 1));

    let mut by_guide: BTreeMap<String, Row> = BTreeMap::new();
    fn row<'m>(by_guide: &'m mut BTreeMap<String, Row>, guide: &str) -> &'m mut Row {
        by_guide.entry(guide.to_owned()).or_insert_with(|| Row {
            guide: guide.to_owned(),
            ..Row::default()
        })
    }
    for guide in guides {
        row(&mut by_guide, guide.id.as_str()).questions = Some(guide.questions().count());
    }
    // Mastered, as everywhere: ticked by hand, or stable enough in study
    // (`mastery_study::scheduler::is_mastered`). Each question counts once.
    let mut mastered: BTreeSet<(&str, &str)> = BTreeSet::new();
    for mark in marks {
        mastered.insert((mark.key.guide.as_str(), mark.key.question.as_str()));
    }
    for card in cards {
        if is_mastered(false, Some(&to_state(card))) {
            mastered.insert((card.key.guide.as_str(), card.key.question.as_str()));
        }
    }
    for (guide_id, question) in mastered {
        let counts = guides
            .iter()
            .find(|g| g.id.as_str() == guide_id)
            .is_none_or(|g| g.entry(question).is_some());
        if counts {
            row(&mut by_guide, guide_id).mastered += 1;
        }
    }
    for card in cards {
        let r = row(&mut by_guide, &card.key.guide);
        r.studied += 1;
        if card.phase != CardPhase::New && card.due < today.end {
            r.due += 1;
        }
    }
    for review in reviews {
        let r = row(&mut by_guide, &review.key.guide);
        r.all += 1;
        // As the stats page counts it: 0 to a day per review.
        let spent = review
            .time_spent_ms
            .clamp(0, mastery_study::stats::MAX_REVIEW_TIME_MS);
        r.time_ms = r.time_ms.saturating_add(u64::try_from(spent).unwrap_or(0));
        if today.contains(review.reviewed_at) {
            r.today += 1;
        }
        if review.reviewed_at >= week_start && review.reviewed_at < today.end {
            r.week += 1;
        }
        let was_review = review
            .before
            .as_ref()
            .is_some_and(|b| b.phase == CardPhase::Review);
        if was_review && review.reviewed_at >= retention_start && review.reviewed_at < today.end {
            r.retention.1 += 1;
            if review.rating != 1 {
                r.retention.0 += 1;
            }
        }
    }

    // Loaded guides in their order, then the others by id.
    let mut out: Vec<Row> = Vec::new();
    for guide in guides {
        if let Some(r) = by_guide.remove(guide.id.as_str()) {
            out.push(r);
        }
    }
    out.extend(by_guide.into_values());
    let mut total = Row {
        guide: "total".to_owned(),
        questions: Some(0),
        ..Row::default()
    };
    for r in &out {
        total.add(r);
    }
    out.push(total);
    out
}

const HEADERS: [&str; 10] = [
    "guide",
    "questions",
    "mastered",
    "studied",
    "due",
    "today",
    "7 days",
    "all time",
    "retention",
    "time",
];

/// The table, columns aligned (text left, numbers right), a "reviews" label over the three
/// review counts; the header and total in bold when `colour`.
pub fn render(rows: &[Row], colour: bool) -> String {
    let cells: Vec<[String; 10]> = rows
        .iter()
        .map(|r| {
            [
                r.guide.clone(),
                r.questions.map_or("-".to_owned(), |n| n.to_string()),
                r.mastered.to_string(),
                r.studied.to_string(),
                r.due.to_string(),
                r.today.to_string(),
                r.week.to_string(),
                r.all.to_string(),
                match r.retention {
                    (_, 0) => "-".to_owned(),
                    (passed, all) => format!("{}% of {all}", percent(passed, all)),
                },
                duration(r.time_ms),
            ]
        })
        .collect();
    let mut widths = HEADERS.map(str::len);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String; 10]| -> String {
        let mut out = String::new();
        for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
            if i == 0 {
                out.push_str(&format!("{cell:<width$}"));
            } else {
                out.push_str(&format!("  {cell:>width$}"));
            }
        }
        out.trim_end().to_owned()
    };
    let bold = |s: String| {
        if colour {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s
        }
    };
    // "reviews" centred over today / 7 days / all time.
    let start: usize = widths[..5].iter().sum::<usize>() + 2 * 5;
    let span: usize = widths[5..8].iter().sum::<usize>() + 2 * 2;
    let label = format!("{:-^span$}", " reviews ");
    let mut out = String::new();
    out.push_str(&format!("{}{label}\n", " ".repeat(start)));
    out.push_str(&bold(line(&HEADERS.map(str::to_owned))));
    out.push('\n');
    for (i, row) in cells.iter().enumerate() {
        let text = line(row);
        out.push_str(&if i + 1 == cells.len() {
            bold(text)
        } else {
            text
        });
        out.push('\n');
    }
    out
}

/// `part` of `whole` as a whole percentage, rounded down so 99.6% never shows as 100%.
fn percent(part: usize, whole: usize) -> usize {
    (part * 100).checked_div(whole).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use mastery_storage::QuestionKey;
    use mastery_study::scheduler::DAY_MS;

    use super::*;

    /// 2025-06-15T12:00:00Z; days start at 04:00 UTC.
    const NOW: Millis = 1_749_988_800_000;

    fn clock() -> DayClock {
        DayClock::new(0, 4).unwrap()
    }

    fn card(q: &str, phase: CardPhase, due: Millis) -> StoredCard {
        StoredCard {
            key: QuestionKey::new("g", q),
            phase,
            step: 0,
            stability: Some(3.0),
            difficulty: Some(5.0),
            due,
            last_review: Some(NOW - DAY_MS),
            reps: 1,
            lapses: 0,
        }
    }

    fn review(q: &str, rating: u8, at: Millis, before: Option<CardPhase>) -> ReviewRecord {
        ReviewRecord {
            id: format!("r{at}{q}{rating}"),
            key: QuestionKey::new("g", q),
            rating,
            reviewed_at: at,
            elapsed_days: 1.0,
            scheduled_days: 1.0,
            time_spent_ms: 30_000,
            before: before.map(|p| card(q, p, at)),
            after: card(q, CardPhase::Review, at + DAY_MS),
        }
    }

    #[test]
    fn counts_per_day_window_and_retention() {
        let cards = [
            card("a", CardPhase::Review, NOW + 2 * 3_600_000), // due later today
            card("b", CardPhase::Learning, NOW - 1),           // due now
            card("c", CardPhase::Review, NOW + 3 * DAY_MS),    // not due
        ];
        let reviews = [
            review("a", 3, NOW - 40 * DAY_MS, Some(CardPhase::Review)), // too old for retention
            review("a", 1, NOW - 10 * DAY_MS, Some(CardPhase::Review)),
            review("a", 3, NOW - 3 * DAY_MS, Some(CardPhase::Review)),
            review("b", 3, NOW - 1_000, None), // new card, today
            review("c", 4, NOW - 2_000, Some(CardPhase::Review)), // today
            review("b", 1, NOW - 500, Some(CardPhase::Learning)), // learning step, today
        ];
        let marks = [Mark {
            key: QuestionKey::new("g", "a"),
            at: NOW,
        }];
        let rows = rows(&[], &marks, &cards, &reviews, clock(), NOW);
        assert_eq!(rows.len(), 2, "the guide and the total");
        let g = &rows[0];
        assert_eq!(g.guide, "g");
        assert_eq!(g.questions, None, "not loaded");
        assert_eq!(g.mastered, 1);
        assert_eq!(g.studied, 3);
        assert_eq!(g.due, 2);
        assert_eq!((g.today, g.week, g.all), (3, 4, 6));
        assert_eq!(
            g.retention,
            (2, 3),
            "review-phase reviews of the last 30 days"
        );
        assert_eq!(g.time_ms, 6 * 30_000);
        assert_eq!(rows[1].guide, "total");
        assert_eq!(rows[1].all, 6);
    }

    #[test]
    fn the_table_aligns_columns_without_colour() {
        let rows = vec![
            Row {
                guide: "python-django".into(),
                questions: Some(120),
                mastered: 4,
                retention: (9, 10),
                time_ms: 3_900_000,
                ..Row::default()
            },
            Row {
                guide: "total".into(),
                questions: Some(120),
                ..Row::default()
            },
        ];
        let text = render(&rows, false);
        assert!(!text.contains('\x1b'));
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].contains("reviews"));
        assert!(lines[1].starts_with("guide          questions"), "{text}");
        assert!(
            lines[2].contains("90% of 10") && lines[2].ends_with("1h 05m"),
            "{text}"
        );
        assert!(lines[3].starts_with("total"), "{text}");
        // Numbers are right-aligned under their header.
        let end = lines[1].find("questions").unwrap() + "questions".len();
        assert_eq!(&lines[2][end - 3..end], "120");
        assert_eq!(&lines[3][end - 3..end], "120");
        assert!(render(&rows, true).contains("\x1b[1m"));
    }
}
