//! Study statistics as pure functions: what the learner did (reviews per day, time studied,
//! streak, true retention), what is coming (cards due per day) and where they stand (mastery
//! per section).
//!
//! The callers (the web page, the JSON API, `mastery stats`) read the review log summed per
//! learner day, the card states and the ticks from storage and convert them into the small
//! input types here ([`DayTotals`], [`CardInput`], [`QuestionRef`]); this crate does not know
//! storage. Time
//! is passed in (`now`) with the learner's [`DayClock`], so "today", a day's reviews and a
//! week are the learner's own, as on the study page.
//!
//! Definitions, shared by every caller:
//! - a *day* is a learner day ([`DayClock`]: the day start hour in the learner's UTC
//!   offset); a *week* runs Monday to Sunday in learner days;
//! - *due on a day*: a card that has been studied (not new) whose due time falls within the
//!   day; cards already overdue are counted today;
//! - *true retention*: the share of reviews of cards in the Review phase that were not rated
//!   Again (reviews of new and (re)learning cards are left out), per week; a week with fewer
//!   than [`MIN_RETENTION_REVIEWS`] such reviews has no figure ("not enough data");
//! - *mastered*: ticked by hand, or stable enough per [`is_mastered`]; *studied*: reviewed at
//!   least once;
//! - *streak*: consecutive days with at least one review, up to today (or up to yesterday
//!   while today has none yet: the streak is not broken before the day ends).

mod calendar;

use std::collections::{HashMap, HashSet};

use mastery_content::Guide;

pub use self::calendar::{Date, Day, week_start, weekday, weekday_name};
use crate::scheduler::{CardState, DAY_MS, DayClock, Millis, is_mastered};

/// Days of activity returned, today included (the heatmap's year).
pub const ACTIVITY_DAYS: usize = 365;
/// Days of the due forecast, today included.
pub const FORECAST_DAYS: usize = 30;
/// Weeks of true retention and of time studied, this week included.
pub const WEEKS: usize = 12;
/// The fewest reviews of Review-phase cards a week needs for its retention to be shown.
pub const MIN_RETENTION_REVIEWS: usize = 5;
/// The most time one review counts for, in milliseconds (a day): a longer time (which only an
/// import can record) counts as a day, so a day's sum cannot overflow.
pub const MAX_REVIEW_TIME_MS: i64 = DAY_MS;
/// Intensity levels of a day on the heatmap: 0 (no review) to `HEAT_LEVELS - 1`.
pub const HEAT_LEVELS: u8 = 5;

/// A question of a guide.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QuestionRef {
    /// The guide's id.
    pub guide: String,
    /// The question's id.
    pub question: String,
}

impl QuestionRef {
    /// The question `question` of guide `guide`.
    pub fn new(guide: impl Into<String>, question: impl Into<String>) -> Self {
        Self {
            guide: guide.into(),
            question: question.into(),
        }
    }
}

/// The learner's scheduling state of one question.
#[derive(Debug, Clone, PartialEq)]
pub struct CardInput {
    /// The question.
    pub question: QuestionRef,
    /// Its state.
    pub state: CardState,
}

/// Everything the statistics are computed from.
#[derive(Debug, Clone, Default)]
pub struct StatsInput<'g> {
    /// The loaded guides, in display order: mastery is per section of these, and only their
    /// questions are forecast (a card of a removed question is never due in the queue).
    pub guides: Vec<&'g Guide>,
    /// The review log summed per learner day, in any order, at most one entry a day.
    pub days: Vec<DayTotals>,
    /// The card states.
    pub cards: Vec<CardInput>,
    /// The questions ticked as mastered.
    pub ticked: Vec<QuestionRef>,
}

/// The review log of one learner day, summed: everything the statistics read of reviews.
/// Storage sums it in the database (a few hundred rows for a year, not one per review).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DayTotals {
    /// The learner day ([`DayClock::day_index`]).
    pub day: i64,
    /// Reviews recorded.
    pub reviews: usize,
    /// Time spent on them, in milliseconds, each review counted up to
    /// [`MAX_REVIEW_TIME_MS`] (negative times as 0).
    pub time_ms: u64,
    /// Reviews of cards in the Review phase (true retention's reviews).
    pub matured: usize,
    /// Of those, the ones not rated Again.
    pub passed: usize,
}

/// What the learner did on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayActivity {
    /// The day.
    pub day: Day,
    /// Reviews recorded.
    pub reviews: usize,
    /// Time spent on them, in milliseconds.
    pub time_ms: u64,
}

/// Cards due on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueDay {
    /// The day.
    pub day: Day,
    /// Studied cards due that day (today: overdue ones too).
    pub due: usize,
}

/// True retention of one week.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeekRetention {
    /// The week's Monday.
    pub week: Day,
    /// Reviews of Review-phase cards.
    pub reviews: usize,
    /// Of those, the ones not rated Again.
    pub passed: usize,
    /// `passed / reviews` (0.0 to 1.0); `None` with fewer than [`MIN_RETENTION_REVIEWS`]
    /// reviews ("not enough data").
    pub retention: Option<f64>,
}

/// Time studied in one week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekTime {
    /// The week's Monday.
    pub week: Day,
    /// Reviews recorded.
    pub reviews: usize,
    /// Time spent on them, in milliseconds.
    pub time_ms: u64,
}

/// Mastery of one section of a guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionMastery {
    /// The guide's id.
    pub guide: String,
    /// The guide's title.
    pub guide_title: String,
    /// The section's id.
    pub section: String,
    /// The section's title.
    pub title: String,
    /// Questions in the section.
    pub questions: usize,
    /// Questions mastered (ticked, or stable per [`is_mastered`]).
    pub mastered: usize,
    /// Questions reviewed at least once.
    pub studied: usize,
    /// Questions reviewed at least once and not (yet) mastered.
    pub in_progress: usize,
}

/// Consecutive days with at least one review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Streak {
    /// The streak running now: up to today, or up to yesterday while today has no review
    /// yet; 0 when neither has one.
    pub current: usize,
    /// The longest streak ever.
    pub longest: usize,
    /// `true` when today has at least one review.
    pub today: bool,
}

/// All-time figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// Reviews ever.
    pub reviews: usize,
    /// Time spent on them, in milliseconds.
    pub time_ms: u64,
    /// Days with at least one review.
    pub days_studied: usize,
    /// Reviews today.
    pub reviews_today: usize,
    /// Time spent today, in milliseconds.
    pub time_today_ms: u64,
}

/// The statistics of one learner at one time.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    /// Today.
    pub today: Day,
    /// The last [`ACTIVITY_DAYS`] days, oldest first, today last.
    pub days: Vec<DayActivity>,
    /// The next [`FORECAST_DAYS`] days, today first.
    pub forecast: Vec<DueDay>,
    /// Of today's due cards, those due before today.
    pub overdue: usize,
    /// The last [`WEEKS`] weeks, oldest first, this week last.
    pub retention: Vec<WeekRetention>,
    /// The last [`WEEKS`] weeks, oldest first, this week last.
    pub time: Vec<WeekTime>,
    /// Each section of each guide, in order.
    pub sections: Vec<SectionMastery>,
    /// The streak.
    pub streak: Streak,
    /// All-time figures.
    pub totals: Totals,
}

impl Stats {
    /// `true` when the learner has never reviewed anything.
    pub fn is_empty(&self) -> bool {
        self.totals.reviews == 0
    }

    /// The most reviews on one day of [`Stats::days`] (0 when none).
    pub fn busiest_day(&self) -> usize {
        self.days.iter().map(|d| d.reviews).max().unwrap_or(0)
    }
}

/// Reviews and time per day over the `days` days ending today, oldest first.
pub fn activity(
    reviews: &[DayTotals],
    now: Millis,
    clock: DayClock,
    days: usize,
) -> Vec<DayActivity> {
    let today = clock.day_index(now);
    let span = i64::try_from(days).unwrap_or(i64::MAX);
    let first = today.saturating_sub(span.saturating_sub(1));
    let mut out: Vec<DayActivity> = (first..=today)
        .take(days)
        .map(|index| DayActivity {
            day: Day::new(index),
            reviews: 0,
            time_ms: 0,
        })
        .collect();
    for r in reviews {
        if (first..=today).contains(&r.day)
            && let Some(slot) = usize::try_from(r.day - first)
                .ok()
                .and_then(|i| out.get_mut(i))
        {
            slot.reviews += r.reviews;
            slot.time_ms = slot.time_ms.saturating_add(r.time_ms);
        }
    }
    out
}

/// Cards due per day over the `days` days starting today: studied cards whose due time falls
/// on the day, overdue cards on today. Returns the days and how many of today's are overdue.
pub fn forecast<'a>(
    cards: impl IntoIterator<Item = &'a CardState>,
    now: Millis,
    clock: DayClock,
    days: usize,
) -> (Vec<DueDay>, usize) {
    let today = clock.day(now);
    let mut out: Vec<DueDay> = (0..days)
        .map(|offset| DueDay {
            day: Day::new(
                today
                    .index
                    .saturating_add(i64::try_from(offset).unwrap_or(0)),
            ),
            due: 0,
        })
        .collect();
    let mut overdue = 0;
    for card in cards {
        if card.is_new() {
            continue;
        }
        let offset = clock.day_index(card.due).saturating_sub(today.index).max(0);
        if card.due < today.start {
            overdue += 1;
        }
        if let Some(slot) = usize::try_from(offset).ok().and_then(|i| out.get_mut(i)) {
            slot.due += 1;
        }
    }
    (out, if days == 0 { 0 } else { overdue })
}

/// True retention per week over the `weeks` weeks ending with this one, oldest first.
pub fn retention(
    reviews: &[DayTotals],
    now: Millis,
    clock: DayClock,
    weeks: usize,
) -> Vec<WeekRetention> {
    let mut out: Vec<WeekRetention> = week_days(now, clock, weeks)
        .map(|week| WeekRetention {
            week,
            reviews: 0,
            passed: 0,
            retention: None,
        })
        .collect();
    for r in reviews {
        if let Some(slot) = week_slot(&mut out, |w| w.week.index, clock, now, r.day) {
            slot.reviews += r.matured;
            slot.passed += r.passed;
        }
    }
    for w in &mut out {
        if w.reviews >= MIN_RETENTION_REVIEWS {
            w.retention = Some(w.passed as f64 / w.reviews as f64);
        }
    }
    out
}

/// Reviews and time per week over the `weeks` weeks ending with this one, oldest first.
pub fn time_per_week(
    reviews: &[DayTotals],
    now: Millis,
    clock: DayClock,
    weeks: usize,
) -> Vec<WeekTime> {
    let mut out: Vec<WeekTime> = week_days(now, clock, weeks)
        .map(|week| WeekTime {
            week,
            reviews: 0,
            time_ms: 0,
        })
        .collect();
    for r in reviews {
        if let Some(slot) = week_slot(&mut out, |w| w.week.index, clock, now, r.day) {
            slot.reviews += r.reviews;
            slot.time_ms = slot.time_ms.saturating_add(r.time_ms);
        }
    }
    out
}

/// The Mondays of the `weeks` weeks ending with this one, oldest first.
fn week_days(now: Millis, clock: DayClock, weeks: usize) -> impl Iterator<Item = Day> {
    let this = week_start(clock.day_index(now));
    let n = i64::try_from(weeks).unwrap_or(0);
    (0..n).map(move |i| Day::new(this.saturating_sub(7 * (n - 1 - i))))
}

/// The week slot of learner day `day`, if it falls within the weeks and not after today.
fn week_slot<T>(
    slots: &mut [T],
    monday: impl Fn(&T) -> i64,
    clock: DayClock,
    now: Millis,
    day: i64,
) -> Option<&mut T> {
    if day > clock.day_index(now) {
        return None;
    }
    let first = slots.first().map(&monday)?;
    let offset = week_start(day).checked_sub(first)?;
    if offset < 0 {
        return None;
    }
    slots.get_mut(usize::try_from(offset / 7).ok()?)
}

/// Mastery per section of `guide`: questions, mastered (ticked or stable), studied.
pub fn mastery(
    guide: &Guide,
    ticked: &HashSet<&str>,
    states: &HashMap<&str, &CardState>,
) -> Vec<SectionMastery> {
    guide
        .sections
        .iter()
        .map(|section| {
            let mut m = SectionMastery {
                guide: guide.id.to_string(),
                guide_title: guide.title.clone(),
                section: section.id.to_string(),
                title: section.title.clone(),
                questions: 0,
                mastered: 0,
                studied: 0,
                in_progress: 0,
            };
            for q in section.questions() {
                let id = q.id.as_str();
                let state = states.get(id).copied();
                m.questions += 1;
                let mastered = is_mastered(ticked.contains(id), state);
                let studied = state.is_some_and(|s| !s.is_new());
                m.mastered += usize::from(mastered);
                m.studied += usize::from(studied);
                m.in_progress += usize::from(studied && !mastered);
            }
            m
        })
        .collect()
}

/// The streak of days with at least one review, as of `now`.
pub fn streak(reviews: &[DayTotals], now: Millis, clock: DayClock) -> Streak {
    let today = clock.day_index(now);
    let mut days: Vec<i64> = reviews
        .iter()
        .filter(|r| r.reviews > 0 && r.day <= today)
        .map(|r| r.day)
        .collect();
    days.sort_unstable();
    days.dedup();
    let mut longest = 0;
    let mut run = 0;
    let mut previous: Option<i64> = None;
    for &d in &days {
        run = if previous == Some(d.saturating_sub(1)) {
            run + 1
        } else {
            1
        };
        longest = longest.max(run);
        previous = Some(d);
    }
    let reviewed_today = days.binary_search(&today).is_ok();
    let mut current = 0;
    let mut day = if reviewed_today { today } else { today - 1 };
    while days.binary_search(&day).is_ok() {
        current += 1;
        day -= 1;
    }
    Streak {
        current,
        longest,
        today: reviewed_today,
    }
}

/// The heatmap level of a day with `count` reviews when the busiest day had `max`: 0 for
/// none, then 1 to 4 by quarters of `max` (rounded up, so any review shows).
pub fn heat_level(count: usize, max: usize) -> u8 {
    if count == 0 || max == 0 {
        return 0;
    }
    let top = usize::from(HEAT_LEVELS - 1);
    let level = (count.min(max) * top).div_ceil(max);
    u8::try_from(level.clamp(1, top)).unwrap_or(HEAT_LEVELS - 1)
}

/// Every statistic, as of `now` in the learner's days.
pub fn compute(input: &StatsInput<'_>, now: Millis, clock: DayClock) -> Stats {
    let today = clock.day(now);
    let days = activity(&input.days, now, clock, ACTIVITY_DAYS);

    // Only questions of the loaded guides are forecast and counted.
    let mut states: HashMap<&str, HashMap<&str, &CardState>> = HashMap::new();
    for c in &input.cards {
        states
            .entry(c.question.guide.as_str())
            .or_default()
            .insert(c.question.question.as_str(), &c.state);
    }
    let mut ticked: HashMap<&str, HashSet<&str>> = HashMap::new();
    for t in &input.ticked {
        ticked
            .entry(t.guide.as_str())
            .or_default()
            .insert(t.question.as_str());
    }
    let none_states = HashMap::new();
    let none_ticked = HashSet::new();
    let mut sections = Vec::new();
    let mut forecastable: Vec<&CardState> = Vec::new();
    for guide in &input.guides {
        let id = guide.id.as_str();
        let guide_states = states.get(id).unwrap_or(&none_states);
        sections.extend(mastery(
            guide,
            ticked.get(id).unwrap_or(&none_ticked),
            guide_states,
        ));
        forecastable.extend(
            guide
                .questions()
                .filter_map(|q| guide_states.get(q.id.as_str()).copied()),
        );
    }
    let (forecast, overdue) = forecast(forecastable, now, clock, FORECAST_DAYS);

    let studied_days: HashSet<i64> = input
        .days
        .iter()
        .filter(|d| d.reviews > 0)
        .map(|d| d.day)
        .collect();
    let todays = input.days.iter().filter(|d| d.day == today.index);
    let totals = Totals {
        reviews: input.days.iter().map(|d| d.reviews).sum(),
        time_ms: input
            .days
            .iter()
            .fold(0u64, |sum, d| sum.saturating_add(d.time_ms)),
        days_studied: studied_days.len(),
        reviews_today: todays.clone().map(|d| d.reviews).sum(),
        time_today_ms: todays.fold(0u64, |sum, d| sum.saturating_add(d.time_ms)),
    };
    Stats {
        today: Day::new(today.index),
        days,
        forecast,
        overdue,
        retention: retention(&input.days, now, clock, WEEKS),
        time: time_per_week(&input.days, now, clock, WEEKS),
        sections,
        streak: streak(&input.days, now, clock),
        totals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::{DAY_MS, HOUR_MS, MemoryState};
    use crate::scheduler::{Phase, Rating};
    use std::collections::BTreeMap;

    /// 2025-06-11T12:00:00Z, a Wednesday; UTC learner, days start at 04:00.
    const NOW: Millis = 1_749_643_200_000;

    fn clock() -> DayClock {
        DayClock::new(0, 4).unwrap()
    }

    /// Noon, `days` days before NOW's day (negative: after).
    fn ago(days: i64) -> Millis {
        NOW - days * DAY_MS
    }

    /// One review, as the statistics need it.
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct ReviewInput {
        /// When the answer was rated.
        at: Millis,
        /// The rating.
        rating: Rating,
        /// The card's phase before the review ([`Phase::New`] for a card never reviewed).
        before: Phase,
        /// Time spent on the card, in milliseconds (negative values count as 0).
        time_spent_ms: i64,
    }

    impl DayTotals {
        /// `reviews` summed per learner day of `clock`, oldest day first, as storage sums
        /// them in SQL.
        fn of(reviews: &[ReviewInput], clock: DayClock) -> Vec<DayTotals> {
            let mut days: BTreeMap<i64, DayTotals> = BTreeMap::new();
            for r in reviews {
                let day = clock.day_index(r.at);
                let totals = days.entry(day).or_insert(DayTotals {
                    day,
                    ..DayTotals::default()
                });
                totals.reviews += 1;
                let time = r.time_spent_ms.clamp(0, MAX_REVIEW_TIME_MS);
                totals.time_ms = totals
                    .time_ms
                    .saturating_add(u64::try_from(time).unwrap_or(0));
                if r.before == Phase::Review {
                    totals.matured += 1;
                    totals.passed += usize::from(r.rating.is_pass());
                }
            }
            days.into_values().collect()
        }
    }

    fn review(at: Millis, rating: u8, before: Phase) -> ReviewInput {
        ReviewInput {
            at,
            rating: Rating::from_u8(rating).unwrap(),
            before,
            time_spent_ms: 30_000,
        }
    }

    fn card(phase: Phase, due: Millis, stability: f32) -> CardState {
        CardState {
            phase,
            memory: Some(MemoryState {
                stability,
                difficulty: 5.0,
            }),
            due,
            last_review: Some(NOW - DAY_MS),
            reps: 3,
            lapses: 0,
        }
    }

    #[test]
    fn activity_counts_reviews_and_time_per_learner_day() {
        let reviews = [
            review(ago(0), 3, Phase::New),
            review(ago(0) - 7 * HOUR_MS, 3, Phase::New), // 05:00 today
            review(ago(0) - 9 * HOUR_MS, 3, Phase::New), // 03:00: still yesterday's study day
            review(ago(2), 1, Phase::Review),
            review(ago(5), 1, Phase::Review), // outside a 3-day window
            review(ago(-1), 1, Phase::Review), // tomorrow: ignored
        ];
        let reviews = DayTotals::of(&reviews, clock());
        let days = activity(&reviews, NOW, clock(), 3);
        // (days ago, reviews)
        let want = [(2, 1), (1, 1), (0, 2)];
        assert_eq!(days.len(), 3);
        for (d, (back, count)) in days.iter().zip(want) {
            assert_eq!(d.day.index, 20_250 - back);
            assert_eq!(d.reviews, count, "{back} days ago");
            assert_eq!(d.time_ms, 30_000 * count as u64);
        }
        assert_eq!(activity(&reviews, NOW, clock(), ACTIVITY_DAYS).len(), 365);
        assert!(activity(&reviews, NOW, clock(), 0).is_empty());
    }

    #[test]
    fn forecast_table() {
        let today_start = clock().day(NOW).start;
        let cards = [
            card(Phase::Review, today_start - DAY_MS, 3.0), // overdue: today
            card(Phase::Review, NOW + HOUR_MS, 3.0),        // later today
            card(Phase::Learning { step: 0 }, NOW, 0.5),    // learning step now
            card(Phase::Review, NOW + DAY_MS, 3.0),         // tomorrow
            card(Phase::Review, NOW + 29 * DAY_MS, 3.0),    // the last day
            card(Phase::Review, NOW + 30 * DAY_MS, 3.0),    // beyond
            CardState::NEW,                                 // never studied
        ];
        let (days, overdue) = forecast(cards.iter(), NOW, clock(), FORECAST_DAYS);
        assert_eq!(days.len(), 30);
        assert_eq!(days[0].day.index, 20_250);
        assert_eq!(overdue, 1);
        // (day offset, due)
        for (offset, due) in [(0, 3), (1, 1), (2, 0), (29, 1)] {
            assert_eq!(days[offset].due, due, "day {offset}");
        }
        assert_eq!(days.iter().map(|d| d.due).sum::<usize>(), 5);
    }

    #[test]
    fn retention_table() {
        let mut reviews = Vec::new();
        // This week (Mon 9 Jun to today): 4 passes, 1 Again = 80%.
        for rating in [3, 3, 4, 2, 1] {
            reviews.push(review(ago(1), rating, Phase::Review));
        }
        // Not Review-phase: never counted.
        reviews.push(review(ago(1), 1, Phase::New));
        reviews.push(review(ago(1), 1, Phase::Learning { step: 0 }));
        reviews.push(review(ago(1), 1, Phase::Relearning { step: 0 }));
        // Last week: only 4 reviews: not enough data.
        for rating in [3, 3, 3, 1] {
            reviews.push(review(ago(7), rating, Phase::Review));
        }
        // Eleven weeks ago (the oldest week shown): 5 of 5.
        for _ in 0..5 {
            reviews.push(review(ago(2 + 7 * 11), 3, Phase::Review));
        }
        // Twelve weeks ago: outside.
        reviews.push(review(ago(2 + 7 * 12), 1, Phase::Review));
        let weeks = retention(&DayTotals::of(&reviews, clock()), NOW, clock(), WEEKS);
        assert_eq!(weeks.len(), 12);
        assert_eq!(weeks[11].week.date.to_string(), "2025-06-09");
        assert_eq!(weeks[0].week.date.to_string(), "2025-03-24");
        // (week, reviews, passed, retention)
        let cases = [
            (11, 5, 4, Some(0.8)),
            (10, 4, 3, None),
            (5, 0, 0, None),
            (0, 5, 5, Some(1.0)),
        ];
        for (i, n, passed, want) in cases {
            let w = weeks[i];
            assert_eq!(
                (w.reviews, w.passed, w.retention),
                (n, passed, want),
                "week {i}"
            );
        }
    }

    #[test]
    fn time_per_week_sums_reviews() {
        let reviews = [
            review(ago(0), 3, Phase::New),
            review(ago(2), 3, Phase::New),
            review(ago(3), 3, Phase::New), // Sunday 8 Jun: last week
            ReviewInput {
                time_spent_ms: -5,
                ..review(ago(0), 3, Phase::New)
            },
        ];
        let weeks = time_per_week(&DayTotals::of(&reviews, clock()), NOW, clock(), 2);
        assert_eq!(
            weeks
                .iter()
                .map(|w| (w.reviews, w.time_ms))
                .collect::<Vec<_>>(),
            vec![(1, 30_000), (3, 60_000)]
        );
    }

    #[test]
    fn streak_table() {
        // (days ago with reviews, current, longest, today)
        let cases: [(&[i64], usize, usize, bool); 7] = [
            (&[], 0, 0, false),
            (&[0], 1, 1, true),
            (&[1], 1, 1, false), // yesterday: not broken yet
            (&[2], 0, 1, false), // broken
            (&[0, 1, 2, 5, 6], 3, 3, true),
            (&[1, 2, 10, 11, 12, 13], 2, 4, false),
            (&[-1, 0], 1, 1, true), // the future is ignored
        ];
        for (days, current, longest, today) in cases {
            let reviews: Vec<ReviewInput> = days
                .iter()
                .flat_map(|d| {
                    [
                        review(ago(*d), 3, Phase::New),
                        review(ago(*d), 3, Phase::New),
                    ]
                })
                .collect();
            assert_eq!(
                streak(&DayTotals::of(&reviews, clock()), NOW, clock()),
                Streak {
                    current,
                    longest,
                    today
                },
                "{days:?}"
            );
        }
    }

    #[test]
    fn day_totals_sum_each_learner_day() {
        let reviews = [
            review(ago(0), 3, Phase::Review),
            review(ago(0), 1, Phase::Review),
            review(ago(0), 1, Phase::Learning { step: 0 }),
            review(ago(0) - 9 * HOUR_MS, 4, Phase::Review), // 03:00: yesterday's study day
            ReviewInput {
                time_spent_ms: i64::MAX, // only an import records that: counts as a day
                ..review(ago(3), 2, Phase::Relearning { step: 1 })
            },
            ReviewInput {
                time_spent_ms: -5,
                ..review(ago(3), 3, Phase::New)
            },
        ];
        let day = |back: i64| 20_250 - back;
        // (day, reviews, time, matured, passed), oldest first
        let want = [
            (day(3), 2, DAY_MS as u64, 0, 0),
            (day(1), 1, 30_000, 1, 1),
            (day(0), 3, 90_000, 2, 1),
        ];
        let got: Vec<_> = DayTotals::of(&reviews, clock())
            .iter()
            .map(|d| (d.day, d.reviews, d.time_ms, d.matured, d.passed))
            .collect();
        assert_eq!(got, want);
        assert!(DayTotals::of(&[], clock()).is_empty());
    }

    #[test]
    fn heat_levels_table() {
        // (count, max, level)
        let cases = [
            (0, 0, 0),
            (0, 10, 0),
            (1, 1, 4),
            (1, 10, 1),
            (2, 10, 1),
            (3, 10, 2),
            (5, 10, 2),
            (6, 10, 3),
            (7, 10, 3),
            (8, 10, 4),
            (10, 10, 4),
            (50, 10, 4),
        ];
        for (count, max, level) in cases {
            assert_eq!(heat_level(count, max), level, "{count}/{max}");
        }
    }

    fn guide() -> Guide {
        use crate::test_guide::{guide, question};
        guide(&[
            (
                "one",
                format!("{}{}{}", question("a"), question("b"), question("c")),
            ),
            ("two", question("d")),
        ])
    }

    #[test]
    fn mastery_counts_ticked_or_stable_and_studied() {
        let g = guide();
        let stable = card(Phase::Review, NOW + 30 * DAY_MS, 40.0);
        let shaky = card(Phase::Review, NOW + DAY_MS, 2.0);
        let states: HashMap<&str, &CardState> =
            [("a", &stable), ("b", &shaky), ("d", &CardState::NEW)].into();
        let ticked: HashSet<&str> = ["c", "b"].into();
        let sections = mastery(&g, &ticked, &states);
        // (section, questions, mastered, studied, in progress)
        let got: Vec<(&str, usize, usize, usize, usize)> = sections
            .iter()
            .map(|s| {
                let (q, m, st, p) = (s.questions, s.mastered, s.studied, s.in_progress);
                (s.section.as_str(), q, m, st, p)
            })
            .collect();
        assert_eq!(got, vec![("one", 3, 3, 2, 0), ("two", 1, 0, 0, 0)]);
        // Unticking the shaky card leaves it studied but not mastered.
        let ticked: HashSet<&str> = ["c"].into();
        assert_eq!(mastery(&g, &ticked, &states)[0].in_progress, 1);
        assert_eq!(sections[0].title, "One");
        assert_eq!(sections[0].guide_title, "G");
    }

    #[test]
    fn compute_joins_everything() {
        let g = guide();
        let input = StatsInput {
            guides: vec![&g],
            days: DayTotals::of(
                &[
                    review(ago(0), 3, Phase::New),
                    review(ago(0), 1, Phase::Review),
                    review(ago(1), 3, Phase::New),
                ],
                clock(),
            ),
            cards: vec![
                CardInput {
                    question: QuestionRef::new("g", "a"),
                    state: card(Phase::Review, NOW + DAY_MS, 3.0),
                },
                CardInput {
                    question: QuestionRef::new("g", "b"),
                    state: card(Phase::Learning { step: 0 }, NOW, 0.2),
                },
                // A question the guide no longer has: not forecast.
                CardInput {
                    question: QuestionRef::new("g", "gone"),
                    state: card(Phase::Review, NOW, 3.0),
                },
                // Another guide that is not loaded.
                CardInput {
                    question: QuestionRef::new("other", "a"),
                    state: card(Phase::Review, NOW, 3.0),
                },
            ],
            ticked: vec![QuestionRef::new("g", "d"), QuestionRef::new("other", "a")],
        };
        let stats = compute(&input, NOW, clock());
        assert!(!stats.is_empty());
        assert_eq!(stats.today.date.to_string(), "2025-06-11");
        assert_eq!(stats.days.len(), ACTIVITY_DAYS);
        assert_eq!(stats.days.last().unwrap().reviews, 2);
        assert_eq!(stats.busiest_day(), 2);
        assert_eq!(stats.forecast.len(), FORECAST_DAYS);
        assert_eq!((stats.forecast[0].due, stats.forecast[1].due), (1, 1));
        assert_eq!(stats.overdue, 0);
        assert_eq!(stats.retention.len(), WEEKS);
        assert_eq!(stats.retention[11].reviews, 1);
        assert_eq!(stats.retention[11].retention, None, "not enough data");
        assert_eq!(stats.time.len(), WEEKS);
        assert_eq!(stats.time[11].time_ms, 90_000);
        let m: Vec<(usize, usize, usize, usize)> = stats
            .sections
            .iter()
            .map(|s| (s.questions, s.mastered, s.studied, s.in_progress))
            .collect();
        assert_eq!(m, vec![(3, 0, 2, 2), (1, 1, 0, 0)]);
        assert_eq!(
            stats.streak,
            Streak {
                current: 2,
                longest: 2,
                today: true
            }
        );
        assert_eq!(
            stats.totals,
            Totals {
                reviews: 3,
                time_ms: 90_000,
                days_studied: 2,
                reviews_today: 2,
                time_today_ms: 60_000,
            }
        );
        let empty = compute(&StatsInput::default(), NOW, clock());
        assert!(empty.is_empty());
        assert_eq!(empty.busiest_day(), 0);
        assert!(empty.sections.is_empty());
        assert_eq!(empty.forecast.iter().map(|d| d.due).sum::<usize>(), 0);
    }
}
