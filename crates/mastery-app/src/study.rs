//! Studying for one learner: the queue of due and new questions, what each rating would
//! do, answering (idempotent by the client's review id), and undo.

use std::collections::HashMap;
use std::sync::Arc;

use mastery_content::{Entry, Guide, Level, Section};
use mastery_storage::{CardPhase, LearnerId, QuestionKey, Recorded, ReviewRecord, Storage};
use mastery_study::scheduler::fuzz::fuzz_seed;
use mastery_study::scheduler::queue::{self, DoneToday, QueueCard, QueueKind};
use mastery_study::scheduler::{CardState, Millis, NextStates, Phase, Rating, Scheduler};

use crate::AppError;
use crate::cards::{to_state, to_stored};
use crate::settings::{interview_date_from, scheduler, settings_from};

/// Which questions to study.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this guide.
    pub guide: Option<String>,
    /// Only these sections (any when empty).
    pub sections: Vec<String>,
    /// Only these levels (any when empty).
    pub levels: Vec<Level>,
    /// Only questions with one of these tags (any when empty).
    pub tags: Vec<String>,
}

impl Filter {
    fn keeps(&self, guide: &Guide, section: &Section, entry: &Entry) -> bool {
        self.guide.as_deref().is_none_or(|g| guide.id.as_str() == g)
            && (self.sections.is_empty() || self.sections.iter().any(|s| s == section.id.as_str()))
            && (self.levels.is_empty() || entry.level().is_some_and(|l| self.levels.contains(&l)))
            && (self.tags.is_empty()
                || entry
                    .tags
                    .iter()
                    .any(|t| self.tags.iter().any(|x| x == t.as_str())))
    }
}

/// The card to study now.
#[derive(Debug, Clone)]
pub struct Current<'g> {
    /// Its guide.
    pub guide: &'g Arc<Guide>,
    /// Its section.
    pub section: &'g Section,
    /// The question.
    pub entry: &'g Entry,
    /// Its storage key.
    pub key: QuestionKey,
    /// Its scheduling state now.
    pub state: CardState,
    /// Learning, review or new.
    pub kind: QueueKind,
    /// What each rating would do (the buttons show the intervals).
    pub next: NextStates,
}

/// What is left to study now.
#[derive(Debug, Clone)]
pub struct Queue<'g> {
    /// The next card, if any.
    pub current: Option<Current<'g>>,
    /// Learning and relearning cards due now (or within the learn-ahead window).
    pub learning: usize,
    /// Review cards due today, within the daily limit.
    pub review: usize,
    /// New cards still allowed today.
    pub new: usize,
    /// When the next learning step comes due, if none is due now.
    pub next_learning_due: Option<Millis>,
    /// Reviews recorded today.
    pub reviewed_today: usize,
}

/// One question in the queue's input: its `guide/question` name, where it is, its key and
/// its state.
type Item<'g> = (
    String,
    &'g Arc<Guide>,
    &'g Section,
    &'g Entry,
    QuestionKey,
    CardState,
);

/// The questions whose cards are due at `now` (for search's `is:due`).
///
/// # Errors
///
/// Storage errors.
pub async fn due_keys(
    store: &dyn Storage,
    learner: LearnerId,
    now: Millis,
) -> Result<std::collections::HashSet<QuestionKey>, AppError> {
    Ok(store
        .cards(learner)
        .await?
        .into_iter()
        .filter(|c| c.phase != CardPhase::New && c.due <= now)
        .map(|c| c.key)
        .collect())
}

/// The seed of a card's interval fuzz: stable for a given learner, card and review count,
/// so the buttons show exactly what answering will do.
pub fn seed(learner: LearnerId, key: &QuestionKey, state: &CardState) -> u64 {
    fuzz_seed(
        &[&learner.to_string(), &key.guide, &key.question],
        state.reps,
    )
}

/// Builds the queue: due learning steps, then due reviews, then new questions in guide
/// order, within the daily limits.
pub async fn queue<'g>(
    store: &dyn Storage,
    learner: LearnerId,
    guides: &'g [Arc<Guide>],
    filter: &Filter,
    now: Millis,
) -> Result<Queue<'g>, AppError> {
    let scheduler = scheduler(store, learner).await?;
    let today = scheduler.clock().day(now);
    let stored: HashMap<QuestionKey, CardState> = store
        .cards(learner)
        .await?
        .iter()
        .map(|c| (c.key.clone(), to_state(c)))
        .collect();
    let reviews = store.reviews(learner, Some(today.start)).await?;
    let mut done = DoneToday::default();
    for r in reviews.iter().filter(|r| today.contains(r.reviewed_at)) {
        match r.before.as_ref().map(|b| b.phase) {
            None | Some(CardPhase::New) => done.new += 1,
            Some(CardPhase::Review) => done.reviews += 1,
            Some(_) => {}
        }
    }
    // Every question that passes the filter, in guide order, with its state.
    let mut items: Vec<Item<'g>> = Vec::new();
    for guide in guides {
        for section in &guide.sections {
            for entry in section.questions() {
                if filter.keeps(guide, section, entry) {
                    let key = QuestionKey::new(guide.id.as_str(), entry.id.as_str());
                    let state = stored.get(&key).copied().unwrap_or(CardState::NEW);
                    items.push((
                        format!("{}/{}", key.guide, key.question),
                        guide,
                        section,
                        entry,
                        key,
                        state,
                    ));
                }
            }
        }
    }
    let built = queue::build(
        items.iter().map(|(k, .., state)| QueueCard {
            key: k.as_str(),
            state,
        }),
        now,
        today,
        done,
        scheduler.settings(),
        |_| true,
    );
    let current = match built.next() {
        Some(next) => {
            let kind = next.kind;
            let found = items.iter().find(|(k, ..)| k.as_str() == next.key);
            match found {
                Some((_, guide, section, entry, key, state)) => Some(Current {
                    guide,
                    section,
                    entry,
                    key: key.clone(),
                    state: *state,
                    kind,
                    next: scheduler.preview(state, now, seed(learner, key, state))?,
                }),
                None => None,
            }
        }
        None => None,
    };
    Ok(Queue {
        current,
        learning: built.learning,
        review: built.review,
        new: built.new,
        next_learning_due: built.next_learning_due,
        reviewed_today: reviews.len(),
    })
}

/// One specific question as a study card (for showing a card the learner is working on,
/// such as a predict-the-output exercise they just answered, outside the queue's order).
pub async fn card_now<'g>(
    store: &dyn Storage,
    learner: LearnerId,
    guides: &'g [Arc<Guide>],
    key: &QuestionKey,
    now: Millis,
) -> Result<Current<'g>, AppError> {
    let guide = guides
        .iter()
        .find(|g| g.id.as_str() == key.guide)
        .ok_or_else(|| AppError::NotFound(format!("there is no guide `{}`", key.guide)))?;
    let (section, entry) = guide
        .sections
        .iter()
        .find_map(|s| {
            s.questions()
                .find(|e| e.id.as_str() == key.question)
                .map(|e| (s, e))
        })
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "the guide `{}` has no question `{}`",
                key.guide, key.question
            ))
        })?;
    let scheduler = scheduler(store, learner).await?;
    let state = store
        .card(learner, key)
        .await?
        .as_ref()
        .map(to_state)
        .unwrap_or(CardState::NEW);
    let kind = match state.phase {
        Phase::New => QueueKind::New,
        Phase::Learning { .. } | Phase::Relearning { .. } => QueueKind::Learning,
        Phase::Review => QueueKind::Review,
    };
    Ok(Current {
        guide,
        section,
        entry,
        key: key.clone(),
        state,
        kind,
        next: scheduler.preview(&state, now, seed(learner, key, &state))?,
    })
}

/// A learner's answer to a card.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The question.
    pub key: QuestionKey,
    /// The rating.
    pub rating: Rating,
    /// The client's id for this review: a retry with the same id never records twice.
    pub review_id: String,
    /// How long the learner spent on the card.
    pub time_spent_ms: u32,
}

/// What answering did.
#[derive(Debug, Clone, PartialEq)]
pub enum Answered {
    /// Recorded now: the card's new state and the interval label.
    Recorded {
        /// The card after the review.
        after: CardState,
        /// The interval until it is due ("10m", "3d").
        label: String,
    },
    /// This review id was already recorded (a retry): nothing changed.
    Duplicate,
}

/// Checks that `key` is a question of a loaded guide.
pub fn find<'g>(guides: &'g [Arc<Guide>], key: &QuestionKey) -> Result<&'g Entry, AppError> {
    let guide = guides
        .iter()
        .find(|g| g.id.as_str() == key.guide)
        .ok_or_else(|| AppError::NotFound(format!("there is no guide `{}`", key.guide)))?;
    match guide.entry(&key.question) {
        Some(e) if e.level().is_some() => Ok(e),
        Some(_) => Err(AppError::Conflict(format!(
            "`{}` is an insight, not a question",
            key.question
        ))),
        None => Err(AppError::NotFound(format!(
            "the guide `{}` has no question `{}` (it may have been removed from the guide)",
            key.guide, key.question
        ))),
    }
}

/// Records an answer: schedules the card from its stored state and writes the review and
/// the new state in one transaction. Durable when it returns `Ok`.
pub async fn answer(
    store: &dyn Storage,
    learner: LearnerId,
    guides: &[Arc<Guide>],
    answer: &Answer,
    now: Millis,
) -> Result<Answered, AppError> {
    find(guides, &answer.key)?;
    // One read for the settings, the offset and the interview date.
    let stored = store.learner_settings(learner).await?;
    let (settings, offset) = settings_from(&stored);
    let scheduler = Scheduler::new(settings, offset)?;
    let interview =
        crate::date_plan::planned_date(store, learner, interview_date_from(&stored), now).await?;
    let interview = interview.as_deref();
    // Two answers to the same card at once (two tabs, a retry racing the original) both read
    // the card before either writes; storage refuses the second with Conflict. Reading the
    // card again and scheduling from what the first answer left is what the learner means.
    let mut attempts = 0;
    loop {
        attempts += 1;
        match answer_once(store, learner, &scheduler, interview, answer, now).await {
            Err(AppError::Storage(mastery_storage::StorageError::Conflict)) if attempts < 32 => {}
            other => return other,
        }
    }
}

async fn answer_once(
    store: &dyn Storage,
    learner: LearnerId,
    scheduler: &Scheduler,
    interview: Option<&str>,
    answer: &Answer,
    now: Millis,
) -> Result<Answered, AppError> {
    let before = store.card(learner, &answer.key).await?;
    let state = before.as_ref().map(to_state).unwrap_or(CardState::NEW);
    let seed = seed(learner, &answer.key, &state);
    let next = scheduler.preview(&state, now, seed)?;
    let (after, log) = scheduler.review(&state, answer.rating, now, answer.time_spent_ms, seed)?;
    // With an interview date set, a due date on or after it may be brought forward.
    let after = crate::date_plan::plan_for_interview(scheduler, interview, after, now)?;
    let record = ReviewRecord {
        id: answer.review_id.clone(),
        key: answer.key.clone(),
        rating: answer.rating.as_u8(),
        reviewed_at: now,
        elapsed_days: f64::from(log.elapsed_days),
        scheduled_days: f64::from(log.scheduled_days),
        time_spent_ms: i64::from(answer.time_spent_ms),
        before,
        after: to_stored(&answer.key, &after),
    };
    match store.record_review(learner, &record).await? {
        Recorded::New => Ok(Answered::Recorded {
            after,
            label: next.get(answer.rating).label.clone(),
        }),
        Recorded::Duplicate(_) => Ok(Answered::Duplicate),
    }
}

/// Undoes the learner's last review; returns the question it was about.
pub async fn undo(
    store: &dyn Storage,
    learner: LearnerId,
) -> Result<Option<QuestionKey>, AppError> {
    Ok(store.undo_last_review(learner).await?.map(|r| r.key))
}
