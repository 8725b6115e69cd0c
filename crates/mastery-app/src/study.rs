//! Studying for one learner: the queue of due and new questions, what each rating would
//! do, answering (idempotent by the client's review id), undo, and study settings.
//!
//! Card states are stored as plain rows (`mastery_storage::StoredCard`); this module converts
//! them to the scheduler's `CardState` and back, so neither the domain nor storage knows
//! the other.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use mastery_content::{Entry, Guide, Level, Section};
use mastery_storage::{
    CardPhase, LearnerId, QuestionKey, Recorded, ReviewRecord, Storage, StoredCard,
};
use mastery_study::scheduler::fuzz::fuzz_seed;
use mastery_study::scheduler::queue::{self, DoneToday, QueueCard, QueueKind};
use mastery_study::scheduler::{
    CardState, MemoryState, Millis, NextStates, Phase, Rating, Scheduler, Settings,
};

use crate::AppError;

/// The learner setting that holds the study [`Settings`] as JSON.
pub const SETTINGS_KEY: &str = "study-settings";
/// The learner setting that holds the learner's UTC offset in minutes.
pub const OFFSET_KEY: &str = "utc-offset-minutes";

/// A stored row as the scheduler's state.
pub fn to_state(card: &StoredCard) -> CardState {
    let phase = match card.phase {
        CardPhase::New => Phase::New,
        CardPhase::Learning => Phase::Learning { step: card.step },
        CardPhase::Review => Phase::Review,
        CardPhase::Relearning => Phase::Relearning { step: card.step },
    };
    let memory = match (card.stability, card.difficulty) {
        // f32 -> f64 -> f32 is exact, so states round-trip bit for bit.
        #[allow(clippy::cast_possible_truncation)]
        (Some(s), Some(d)) => Some(MemoryState {
            stability: s as f32,
            difficulty: d as f32,
        }),
        _ => None,
    };
    CardState {
        phase,
        memory,
        due: card.due,
        last_review: card.last_review,
        reps: card.reps,
        lapses: card.lapses,
    }
}

/// The scheduler's state as a row for `key`.
pub fn to_stored(key: &QuestionKey, state: &CardState) -> StoredCard {
    let (phase, step) = match state.phase {
        Phase::New => (CardPhase::New, 0),
        Phase::Learning { step } => (CardPhase::Learning, step),
        Phase::Review => (CardPhase::Review, 0),
        Phase::Relearning { step } => (CardPhase::Relearning, step),
    };
    StoredCard {
        key: key.clone(),
        phase,
        step,
        stability: state.memory.map(|m| f64::from(m.stability)),
        difficulty: state.memory.map(|m| f64::from(m.difficulty)),
        due: state.due,
        last_review: state.last_review,
        reps: state.reps,
        lapses: state.lapses,
    }
}

/// The learner's study settings and UTC offset (defaults when never saved). Settings that
/// no longer parse (written by another version) fall back to the defaults, with a warning.
pub async fn load_settings(
    store: &dyn Storage,
    learner: LearnerId,
) -> Result<(Settings, i32), AppError> {
    Ok(settings_from(&store.learner_settings(learner).await?))
}

/// The study settings and UTC offset among a learner's stored settings.
pub(crate) fn settings_from(stored: &BTreeMap<String, String>) -> (Settings, i32) {
    let settings = match stored.get(SETTINGS_KEY) {
        Some(json) => serde_json::from_str::<Settings>(json).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "stored study settings are unreadable; using the defaults");
            Settings::default()
        }),
        None => Settings::default(),
    };
    let offset = stored
        .get(OFFSET_KEY)
        .and_then(|v| v.parse::<i32>().ok())
        .unwrap_or(0);
    (settings, offset)
}

/// Validates and saves the learner's study settings and UTC offset.
pub async fn save_settings(
    store: &dyn Storage,
    learner: LearnerId,
    settings: &Settings,
    utc_offset_minutes: i32,
) -> Result<(), AppError> {
    // Scheduler::new validates the settings and the offset together.
    Scheduler::new(settings.clone(), utc_offset_minutes)?;
    let json =
        serde_json::to_string(settings).map_err(|e| AppError::Invalid(format!("settings: {e}")))?;
    store
        .set_learner_setting(learner, SETTINGS_KEY, &json)
        .await?;
    store
        .set_learner_setting(learner, OFFSET_KEY, &utc_offset_minutes.to_string())
        .await?;
    Ok(())
}

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

/// The scheduler for this learner's settings.
pub async fn scheduler(store: &dyn Storage, learner: LearnerId) -> Result<Scheduler, AppError> {
    let (settings, offset) = load_settings(store, learner).await?;
    Ok(Scheduler::new(settings, offset)?)
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
        Some(_) => Err(AppError::Invalid(format!(
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
    let interview = crate::date_plan::interview_date_from(&stored);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_rows() {
        let key = QuestionKey::new("g", "q");
        let states = [
            CardState::NEW,
            CardState {
                phase: Phase::Learning { step: 1 },
                memory: Some(MemoryState {
                    stability: 0.4_f32,
                    difficulty: 5.123_f32,
                }),
                due: 123,
                last_review: Some(100),
                reps: 2,
                lapses: 0,
            },
            CardState {
                phase: Phase::Relearning { step: 0 },
                memory: Some(MemoryState {
                    stability: 12.345_678_f32,
                    difficulty: 9.99_f32,
                }),
                due: 9_999_999,
                last_review: Some(5),
                reps: 9,
                lapses: 3,
            },
        ];
        for s in states {
            assert_eq!(to_state(&to_stored(&key, &s)), s);
        }
    }
}
