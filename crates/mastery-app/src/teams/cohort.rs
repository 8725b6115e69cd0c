//! The coach's view of a team: per member and per section, questions mastered, reviews in
//! the last 7 and 30 days, last active, predicted recall on the team's interview date (the
//! computation of `/study/readiness`, with each member's own parameters and UTC offset),
//! mock-interview scores and the key points most often missed; for the cohort, the weakest
//! questions, readiness per section and who has not studied this week. Also a member's own
//! standing against the cohort's median, without anyone's name.
//!
//! Only members who joined and share are read ([`mastery_storage::TeamProgress`]); the
//! computation is pure over that snapshot ([`compute`]), so it is tested without storage.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use mastery_content::Guide;
use mastery_storage::{
    Account, LearnerId, Millis, MissedKeyPoint, Owned, QuestionKey, Storage, StoredInterview, Team,
    TeamProgress, TeamRole,
};
use mastery_study::interview as domain;
use mastery_study::scheduler::{CardState, DAY_MS, Scheduler};

use super::{Seen, coached, seen};
use crate::AppError;
use crate::cards::recall_state;
use crate::date_plan::interview_instant;
use crate::settings::settings_from;

/// Questions listed as the cohort's weakest.
pub const WEAKEST: usize = 10;
/// Key points listed as the most often missed.
pub const MOST_MISSED: usize = 10;
/// Key points listed per member.
pub const MEMBER_MISSED: usize = 3;
/// A member sees the cohort's median only when at least this many members share (the
/// member included): fewer would come close to telling someone's own figures.
pub const MIN_FOR_MEDIAN: usize = 5;
/// A member sees the median rounded to this step (10%), never a figure exact enough to be
/// one person's.
pub const MEDIAN_STEP: f32 = 0.1;

/// One section of the team's scope.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeSection {
    /// `guide/section`.
    pub id: String,
    /// The guide's title.
    pub guide_title: String,
    /// The section's title.
    pub title: String,
    /// Its questions.
    pub questions: usize,
}

/// A member's figures for one section (in the order of [`CohortView::sections`]).
#[derive(Debug, Clone, PartialEq)]
pub struct MemberSection {
    /// Questions marked as mastered.
    pub mastered: usize,
    /// Mean predicted recall (never studied counts as 0).
    pub recall: f32,
    /// Reviews of its questions in the last 7 days.
    pub reviews_7: usize,
    /// In the last 30 days.
    pub reviews_30: usize,
}

/// One member who shares, as the coach sees them.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRow {
    /// The account.
    pub learner: LearnerId,
    /// Its username.
    pub username: String,
    /// Questions of the scope marked as mastered.
    pub mastered: usize,
    /// Reviews of the scope's questions in the last 7 days.
    pub reviews_7: usize,
    /// In the last 30 days.
    pub reviews_30: usize,
    /// The latest review of anything.
    pub last_active: Option<Millis>,
    /// Mean predicted recall over the scope.
    pub readiness: f32,
    /// Per section.
    pub sections: Vec<MemberSection>,
    /// Finished mock interviews of the team's guides.
    pub interviews: usize,
    /// Their mean score (0 to 1).
    pub mean_score: Option<f64>,
    /// The latest one's score.
    pub last_score: Option<f64>,
    /// The key points this member missed most often (at most [`MEMBER_MISSED`]).
    pub missed: Vec<Missed>,
}

/// The cohort's figures for one section.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionSummary {
    /// The section.
    pub section: ScopeSection,
    /// Mean over members of their mean predicted recall.
    pub mean_recall: f32,
    /// Median over members.
    pub median_recall: f32,
    /// Mean share of its questions marked as mastered (0 to 1).
    pub mastered_share: f32,
}

/// A question of the scope with the cohort's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct WeakQuestion {
    /// The question.
    pub key: QuestionKey,
    /// Its title.
    pub title: String,
    /// Its section's title.
    pub section: String,
    /// Mean predicted recall over members (never studied counts as 0).
    pub mean_recall: f32,
    /// Members who marked it as mastered.
    pub mastered_by: usize,
}

/// A key point missed in the members' mock interviews.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missed {
    /// The question.
    pub key: QuestionKey,
    /// Its title (or id, when it left the guide).
    pub title: String,
    /// The key point's statement (Markdown source).
    pub text: String,
    /// How many times it was missed.
    pub times: usize,
    /// By how many members.
    pub members: usize,
}

/// Who shares and who does not, by username (no other data of the others).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    /// Coaches.
    pub coaches: Vec<String>,
    /// Members who joined and do not share: the coach sees "not shared".
    pub not_shared: Vec<String>,
    /// Invited by name, not joined yet.
    pub invited: Vec<String>,
}

/// The coach's view.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortView {
    /// The team.
    pub team: Team,
    /// The instant recall is predicted for: noon of the team's date in each member's time,
    /// or now when the team has no date.
    pub dated: bool,
    /// Whole days until the team's date (negative once it passed).
    pub days_left: Option<i64>,
    /// The scope's sections.
    pub sections: Vec<SectionSummary>,
    /// The scope's questions.
    pub questions: usize,
    /// Members who share, by username.
    pub members: Vec<MemberRow>,
    /// Everyone else in the team.
    pub roster: Roster,
    /// The weakest questions, weakest first.
    pub weakest: Vec<WeakQuestion>,
    /// Members who share and did no review in the last 7 days.
    pub idle_this_week: Vec<String>,
    /// The key points most often missed, most first.
    pub missed: Vec<Missed>,
}

/// The order of the members' table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    /// Username, A to Z.
    #[default]
    Name,
    /// Readiness, lowest first (who needs help).
    Readiness,
    /// Questions mastered, fewest first.
    Mastered,
    /// Reviews in 7 days, fewest first.
    Reviews7,
    /// Reviews in 30 days, fewest first.
    Reviews30,
    /// Last active, longest ago first.
    LastActive,
    /// Mean interview score, lowest first.
    Score,
}

impl SortBy {
    /// Every order with its word in links (`?sort=readiness`).
    pub const ALL: [(SortBy, &'static str); 7] = [
        (SortBy::Name, "name"),
        (SortBy::Readiness, "readiness"),
        (SortBy::Mastered, "mastered"),
        (SortBy::Reviews7, "reviews-7"),
        (SortBy::Reviews30, "reviews-30"),
        (SortBy::LastActive, "last-active"),
        (SortBy::Score, "score"),
    ];

    /// The order a word names; unknown words are the default.
    #[must_use]
    pub fn parse(word: &str) -> Self {
        Self::ALL
            .iter()
            .find(|(_, w)| *w == word)
            .map(|(s, _)| *s)
            .unwrap_or_default()
    }

    /// Its word.
    #[must_use]
    pub fn word(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(s, _)| *s == self)
            .map_or("name", |(_, w)| w)
    }
}

/// Sorts the members' table; `descending` reverses it. Ties go by username.
pub fn sort(rows: &mut [MemberRow], by: SortBy, descending: bool) {
    rows.sort_by(|a, b| {
        let order = match by {
            SortBy::Name => std::cmp::Ordering::Equal,
            SortBy::Readiness => a.readiness.total_cmp(&b.readiness),
            SortBy::Mastered => a.mastered.cmp(&b.mastered),
            SortBy::Reviews7 => a.reviews_7.cmp(&b.reviews_7),
            SortBy::Reviews30 => a.reviews_30.cmp(&b.reviews_30),
            SortBy::LastActive => a.last_active.cmp(&b.last_active),
            SortBy::Score => a
                .mean_score
                .unwrap_or(-1.0)
                .total_cmp(&b.mean_score.unwrap_or(-1.0)),
        };
        let order = order.then_with(|| a.username.cmp(&b.username));
        if descending { order.reverse() } else { order }
    });
}

/// The scope of a team among the loaded guides: (guide, section id, its questions).
fn scope<'g>(
    team: &Team,
    guides: &'g [Arc<Guide>],
) -> Vec<(ScopeSection, Vec<(QuestionKey, &'g str)>)> {
    let mut out = Vec::new();
    for id in &team.guides {
        let Some(guide) = guides.iter().find(|g| g.id.as_str() == id) else {
            continue;
        };
        for section in &guide.sections {
            let full = format!("{}/{}", guide.id, section.id);
            if !team.sections.is_empty() && !team.sections.contains(&full) {
                continue;
            }
            let questions: Vec<(QuestionKey, &str)> = section
                .questions()
                .map(|e| {
                    (
                        QuestionKey::new(guide.id.as_str(), e.id.as_str()),
                        e.title_text.as_str(),
                    )
                })
                .collect();
            if questions.is_empty() {
                continue;
            }
            out.push((
                ScopeSection {
                    id: full,
                    guide_title: guide.title.clone(),
                    title: section.title.clone(),
                    questions: questions.len(),
                },
                questions,
            ));
        }
    }
    out
}

/// Most members first, then most times, then by question and text (a stable order).
fn sort_missed(missed: &mut [Missed]) {
    missed.sort_by(|a, b| {
        b.members
            .cmp(&a.members)
            .then(b.times.cmp(&a.times))
            .then_with(|| a.key.cmp(&b.key))
            .then_with(|| a.text.cmp(&b.text))
    });
}

fn median(values: &mut [f32]) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f32::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

fn mean(values: impl Iterator<Item = f32>) -> f32 {
    let (sum, n) = values.fold((0.0_f64, 0_usize), |(s, n), v| (s + f64::from(v), n + 1));
    if n == 0 { 0.0 } else { (sum / n as f64) as f32 }
}

/// The coach's view computed from a snapshot of the sharing members' state at `now`.
/// `roster` is everyone else in the team.
#[must_use]
pub fn compute(
    team: &Team,
    guides: &[Arc<Guide>],
    progress: &TeamProgress,
    roster: Roster,
    now: Millis,
) -> CohortView {
    compute_with(team, guides, progress, roster, now, true)
}

/// As [`compute`]; without `interviews`, the mock interviews are not read (a member's
/// standing needs only recall).
fn compute_with(
    team: &Team,
    guides: &[Arc<Guide>],
    progress: &TeamProgress,
    roster: Roster,
    now: Millis,
    interviews_too: bool,
) -> CohortView {
    let scope = scope(team, guides);
    let team_guides: HashSet<&str> = team.guides.iter().map(String::as_str).collect();

    let mut settings: HashMap<LearnerId, BTreeMap<String, String>> = HashMap::new();
    for (learner, name, value) in &progress.settings {
        settings
            .entry(*learner)
            .or_default()
            .insert(name.clone(), value.clone());
    }
    // The scope's questions numbered in order, so each member's cards and marks are two
    // vectors indexed by question: one hash lookup per stored row, none per member and
    // question.
    let numbered: HashMap<&QuestionKey, usize> = scope
        .iter()
        .flat_map(|(_, qs)| qs.iter().map(|(k, _)| k))
        .enumerate()
        .map(|(i, k)| (k, i))
        .collect();
    let n_questions = numbered.len();
    let mut cards: HashMap<LearnerId, Vec<Option<CardState>>> = HashMap::new();
    for (learner, card) in &progress.cards {
        if let Some(&i) = numbered.get(&card.key) {
            cards
                .entry(*learner)
                .or_insert_with(|| vec![None; n_questions])[i] = Some(recall_state(card));
        }
    }
    let mut marks: HashMap<LearnerId, Vec<bool>> = HashMap::new();
    for (learner, key) in &progress.marks {
        if let Some(&i) = numbered.get(key) {
            marks
                .entry(*learner)
                .or_insert_with(|| vec![false; n_questions])[i] = true;
        }
    }
    // Each numbered question's section, for reviews per member and section.
    let section_of: Vec<usize> = scope
        .iter()
        .enumerate()
        .flat_map(|(i, (_, qs))| std::iter::repeat_n(i, qs.len()))
        .collect();
    let mut reviews: HashMap<LearnerId, Vec<(usize, usize)>> = HashMap::new();
    for (learner, key, at) in &progress.recent_reviews {
        let Some(section) = numbered.get(key).and_then(|&i| section_of.get(i)) else {
            continue;
        };
        let counts = &mut reviews
            .entry(*learner)
            .or_insert_with(|| vec![(0, 0); scope.len()])[*section];
        if *at >= now - 30 * DAY_MS {
            counts.1 += 1;
        }
        if *at >= now - 7 * DAY_MS {
            counts.0 += 1;
        }
    }
    let last: HashMap<LearnerId, Millis> = progress.last_review.iter().copied().collect();
    let mut interviews: HashMap<LearnerId, Vec<&StoredInterview>> = HashMap::new();
    for Owned { learner, value } in &progress.interviews {
        if interviews_too && team_guides.contains(value.guide.as_str()) {
            interviews.entry(*learner).or_default().push(value);
        }
    }

    let title_of = |key: &QuestionKey| {
        guides
            .iter()
            .find(|g| g.id.as_str() == key.guide)
            .and_then(|g| g.question(&key.question))
            .map_or_else(|| key.question.clone(), |(_, e)| e.title_text.clone())
    };
    let mut members = Vec::new();
    // Per question of the scope: the sum of recalls and the members who mastered it.
    let mut per_question: Vec<(f64, usize)> = vec![(0.0, 0); n_questions];
    let mut missed: HashMap<(QuestionKey, String), (usize, HashSet<LearnerId>)> = HashMap::new();
    let mut recorded: HashMap<(LearnerId, &str), Vec<&MissedKeyPoint>> = HashMap::new();
    for (learner, point) in &progress.missed {
        recorded
            .entry((*learner, point.interview.as_str()))
            .or_default()
            .push(point);
    }
    let mut days_left = None;
    // Most members keep the default settings: one scheduler per distinct settings, not one
    // per member (building FSRS's model is most of a scheduler's cost).
    let mut schedulers: HashMap<(String, i32), Option<Arc<Scheduler>>> = HashMap::new();
    for member in &progress.members {
        let learner = member.learner;
        let (study, offset) = settings_from(&settings.remove(&learner).unwrap_or_default());
        let cache_key = (serde_json::to_string(&study).unwrap_or_default(), offset);
        let scheduler = schedulers
            .entry(cache_key)
            .or_insert_with(|| {
                Scheduler::new(study, offset)
                    .or_else(|_| Scheduler::new(Default::default(), 0))
                    .ok()
                    .map(Arc::new)
            })
            .clone();
        let at = match (&team.interview_date, &scheduler) {
            (Some(date), Some(s)) => interview_instant(s, date).unwrap_or(now),
            _ => now,
        };
        if days_left.is_none()
            && team.interview_date.is_some()
            && let Some(s) = &scheduler
        {
            let clock = s.clock();
            days_left = Some(clock.day_index(at) - clock.day_index(now));
        }
        let mine = cards.get(&learner);
        let marked = marks.get(&learner);
        let mut sections = Vec::new();
        let mut all_recalls = Vec::new();
        let mut i = 0;
        for (_, questions) in &scope {
            let mut recalls = Vec::with_capacity(questions.len());
            let mut mastered = 0;
            for _ in questions {
                let state = mine.and_then(|c| c[i].as_ref());
                let recall = match (state, &scheduler) {
                    (Some(state), Some(s)) => s.retrievability(state, at).unwrap_or(0.0),
                    _ => 0.0,
                };
                let slot = &mut per_question[i];
                slot.0 += f64::from(recall);
                if marked.is_some_and(|m| m[i]) {
                    slot.1 += 1;
                    mastered += 1;
                }
                recalls.push(recall);
                i += 1;
            }
            all_recalls.extend_from_slice(&recalls);
            let (reviews_7, reviews_30) = reviews
                .get(&learner)
                .and_then(|r| r.get(sections.len()))
                .copied()
                .unwrap_or_default();
            sections.push(MemberSection {
                mastered,
                recall: mean(recalls.into_iter()),
                reviews_7,
                reviews_30,
            });
        }
        let done = interviews.get(&learner).map(Vec::as_slice).unwrap_or(&[]);
        let scores: Vec<f64> = done.iter().filter_map(|i| i.score).collect();
        let mut own: HashMap<(QuestionKey, String), usize> = HashMap::new();
        for stored in done {
            // Recorded where they can be queried; an interview finished before they were
            // (an empty document means recorded) is read from its document.
            if stored.state.is_empty() {
                for point in recorded
                    .get(&(learner, stored.id.as_str()))
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                {
                    let pair = (point.key.clone(), point.text.clone());
                    *own.entry(pair.clone()).or_default() += 1;
                    let slot = missed.entry(pair).or_default();
                    slot.0 += 1;
                    slot.1.insert(learner);
                }
                continue;
            }
            let Some(guide) = guides.iter().find(|g| g.id.as_str() == stored.guide) else {
                continue;
            };
            let Ok(interview) = crate::interview::from_stored(stored) else {
                continue;
            };
            for point in domain::report(&interview, guide).missed {
                let pair = (
                    QuestionKey::new(stored.guide.as_str(), point.question.as_str()),
                    point.text,
                );
                *own.entry(pair.clone()).or_default() += 1;
                let slot = missed.entry(pair).or_default();
                slot.0 += 1;
                slot.1.insert(learner);
            }
        }
        let (reviews_7, reviews_30) = reviews.get(&learner).map_or((0, 0), |r| {
            r.iter().fold((0, 0), |(a, b), (c, d)| (a + c, b + d))
        });
        let mut own_missed: Vec<Missed> = own
            .into_iter()
            .map(|((key, text), times)| Missed {
                title: title_of(&key),
                key,
                text,
                times,
                members: 1,
            })
            .collect();
        sort_missed(&mut own_missed);
        own_missed.truncate(MEMBER_MISSED);
        members.push(MemberRow {
            learner,
            username: member.username.clone(),
            mastered: sections.iter().map(|s| s.mastered).sum(),
            reviews_7,
            reviews_30,
            last_active: last.get(&learner).copied(),
            readiness: mean(all_recalls.into_iter()),
            sections,
            interviews: done.len(),
            mean_score: (!scores.is_empty())
                .then(|| scores.iter().sum::<f64>() / scores.len() as f64),
            last_score: done
                .iter()
                .max_by_key(|i| i.finished_at)
                .and_then(|i| i.score),
            missed: own_missed,
        });
    }

    let n = members.len();
    let summaries = scope
        .iter()
        .enumerate()
        .map(|(i, (section, _))| {
            let mut recalls: Vec<f32> = members.iter().map(|m| m.sections[i].recall).collect();
            SectionSummary {
                section: section.clone(),
                mean_recall: mean(recalls.iter().copied()),
                median_recall: median(&mut recalls),
                mastered_share: mean(
                    members
                        .iter()
                        .map(|m| m.sections[i].mastered as f32 / section.questions.max(1) as f32),
                ),
            }
        })
        .collect();
    let mut weakest: Vec<WeakQuestion> = scope
        .iter()
        .flat_map(|(section, questions)| {
            questions.iter().map(|(key, title)| {
                let (sum, mastered_by) = numbered
                    .get(key)
                    .and_then(|&i| per_question.get(i))
                    .copied()
                    .unwrap_or_default();
                WeakQuestion {
                    key: key.clone(),
                    title: (*title).to_owned(),
                    section: section.title.clone(),
                    mean_recall: if n == 0 { 0.0 } else { (sum / n as f64) as f32 },
                    mastered_by,
                }
            })
        })
        .collect();
    if n == 0 {
        weakest.clear();
    }
    weakest.sort_by(|a, b| {
        a.mean_recall
            .total_cmp(&b.mean_recall)
            .then(a.mastered_by.cmp(&b.mastered_by))
    });
    weakest.truncate(WEAKEST);
    let mut missed: Vec<Missed> = missed
        .into_iter()
        .map(|((key, text), (times, who))| Missed {
            title: title_of(&key),
            key,
            text,
            times,
            members: who.len(),
        })
        .collect();
    sort_missed(&mut missed);
    missed.truncate(MOST_MISSED);
    let idle_this_week = members
        .iter()
        .filter(|m| m.reviews_7 == 0)
        .map(|m| m.username.clone())
        .collect();
    CohortView {
        team: team.clone(),
        dated: team.interview_date.is_some(),
        days_left,
        questions: scope.iter().map(|(s, _)| s.questions).sum(),
        sections: summaries,
        members,
        roster,
        weakest,
        idle_this_week,
        missed,
    }
}

/// The coach's view of a team at `now` (coaches and admins).
///
/// # Errors
///
/// As [`coached`]; storage errors.
pub async fn view(
    store: &dyn Storage,
    guides: &[Arc<Guide>],
    viewer: &Account,
    team: i64,
    now: Millis,
) -> Result<CohortView, AppError> {
    let seen = coached(store, viewer, team).await?;
    let progress = store.team_progress(team, now - 30 * DAY_MS).await?;
    let roster = roster(store, team).await?;
    Ok(compute(&seen.team, guides, &progress, roster, now))
}

async fn roster(store: &dyn Storage, team: i64) -> Result<Roster, AppError> {
    let mut roster = Roster::default();
    for m in store.team_members(team).await? {
        if m.role == TeamRole::Coach {
            roster.coaches.push(m.username);
        } else if m.joined_at.is_none() {
            roster.invited.push(m.username);
        } else if !m.sharing {
            roster.not_shared.push(m.username);
        }
    }
    Ok(roster)
}

/// A member's own figures for one section beside the cohort's median.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    /// The section.
    pub section: ScopeSection,
    /// The member's mean predicted recall.
    pub mine: f32,
    /// The cohort's median (of members who share), rounded to [`MEDIAN_STEP`].
    pub median: f32,
}

/// What a member sees of the cohort: nothing unless they share (then their own figures
/// beside the median per section, once [`MIN_FOR_MEDIAN`] members share).
#[derive(Debug, Clone, PartialEq)]
pub enum MemberView {
    /// They do not share (or have not joined): they see no cohort figures.
    NotSharing,
    /// Too few members share for a median that tells nobody's figures.
    TooFew {
        /// How many share.
        sharing: usize,
    },
    /// Their standing per section.
    Standing {
        /// Per section.
        sections: Vec<Standing>,
        /// How many members the median is over.
        sharing: usize,
        /// Whether recall is predicted for the team's date (else for now).
        dated: bool,
    },
}

/// A member's standing in the team at `now`.
///
/// # Errors
///
/// As [`seen`]; storage errors.
pub async fn member_view(
    store: &dyn Storage,
    guides: &[Arc<Guide>],
    viewer: &Account,
    team: i64,
    now: Millis,
) -> Result<MemberView, AppError> {
    let Seen { team, standing } = seen(store, viewer, team).await?;
    if !standing.membership().is_some_and(|m| m.shares()) {
        return Ok(MemberView::NotSharing);
    }
    let progress = store.team_progress(team.id, now - 30 * DAY_MS).await?;
    let sharing = progress.members.len();
    if sharing < MIN_FOR_MEDIAN {
        return Ok(MemberView::TooFew { sharing });
    }
    let view = compute_with(&team, guides, &progress, Roster::default(), now, false);
    let Some(me) = view.members.iter().find(|m| m.learner == viewer.learner) else {
        return Ok(MemberView::NotSharing);
    };
    Ok(MemberView::Standing {
        sections: view
            .sections
            .iter()
            .zip(&me.sections)
            .map(|(summary, mine)| Standing {
                section: summary.section.clone(),
                mine: mine.recall,
                median: (summary.median_recall / MEDIAN_STEP).round() * MEDIAN_STEP,
            })
            .collect(),
        sharing,
        dated: view.dated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&mut []), 0.0);
        assert_eq!(median(&mut [0.3, 0.1, 0.2]), 0.2);
        assert!((median(&mut [0.4, 0.1, 0.2, 0.3]) - 0.25).abs() < 1e-6);
    }

    #[test]
    fn sort_words_round_trip_and_unknown_is_by_name() {
        for (by, word) in SortBy::ALL {
            assert_eq!(SortBy::parse(word), by);
            assert_eq!(by.word(), word);
        }
        assert_eq!(SortBy::parse("'; drop"), SortBy::Name);
    }
}
