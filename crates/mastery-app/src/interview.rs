//! Mock interviews for one learner: the pure state machine of `mastery_study::interview` joined
//! with storage and the scheduler.
//!
//! Every operation loads the interview, applies one step of the state machine and saves it
//! with the next revision, so two tabs (or two instances) working on the same interview
//! cannot overwrite each other: the later save gets [`StorageError::Conflict`]. Finishing
//! feeds one review per answered question to the scheduler (weak answers come back soon),
//! with review ids derived from the interview, so finishing twice never counts twice.

use std::sync::Arc;

use mastery_content::Guide;
use mastery_storage::{
    LearnerId, Millis, MissedKeyPoint, QuestionKey, Storage, StorageError, StoredInterview,
};
use mastery_study::interview::{
    self as domain, Answer, Interview, LineupError, Report, Request, SessionError, Step, Submitted,
    Trend,
};

use crate::AppError;
use crate::study;

/// The most interviews listed in the history.
pub const HISTORY_LIMIT: u32 = 200;

/// Room kept free in a stored interview for what must always fit later (time-outs, the
/// remaining questions, finishing): answers are refused once the interview would leave
/// less than this below [`mastery_storage::MAX_INTERVIEW_STATE_BYTES`].
pub const RESERVED_BYTES: usize = 128 * 1024;

/// Refuses a step sent for another question than the current one: the page it came from
/// is stale (another tab or device moved the interview on since).
fn check_current(interview: &Interview, expected: Option<usize>) -> Result<(), AppError> {
    match expected {
        Some(item) if interview.current_index() != Some(item) => {
            Err(AppError::Storage(StorageError::Conflict))
        }
        _ => Ok(()),
    }
}

/// An interview as loaded: its id, its stored revision and its state.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The interview's id.
    pub id: String,
    /// The revision stored (the next save writes `revision + 1`).
    pub revision: i64,
    /// The state.
    pub interview: Interview,
    /// Reviews this call recorded in the scheduler: the interview's ratings when this call
    /// finished it (none that an earlier finish recorded already), else 0.
    pub fed_reviews: usize,
}

/// A step the interview's state does not allow is a conflict (finished, already answered,
/// not answered yet); an item or key point it does not have is not found; an answer that
/// breaks a limit is invalid.
impl From<SessionError> for AppError {
    fn from(error: SessionError) -> Self {
        let message = error.to_string();
        match error {
            SessionError::Finished
            | SessionError::AlreadyAnswered
            | SessionError::NotAnswered
            | SessionError::ItemNotAnswered(_)
            | SessionError::NoQuestion => AppError::Conflict(message),
            SessionError::UnknownItem(_) | SessionError::UnknownKeyPoint { .. } => {
                AppError::NotFound(message)
            }
            SessionError::AnswerTooLong { .. }
            | SessionError::WrongGuide { .. }
            | SessionError::UnsupportedVersion(_) => AppError::Invalid(message),
        }
    }
}

/// An unknown section is not found; a request the guide's questions cannot satisfy is a
/// conflict with the guide as loaded; a request that breaks a limit is invalid.
impl From<LineupError> for AppError {
    fn from(error: LineupError) -> Self {
        let message = error.to_string();
        match error {
            LineupError::UnknownSection(_) => AppError::NotFound(message),
            LineupError::NoMatchingQuestion => AppError::Conflict(message),
            LineupError::UnknownPreset(_)
            | LineupError::NoQuestions
            | LineupError::TooManyQuestions { .. }
            | LineupError::MinutesOutOfRange(_) => AppError::Invalid(message),
        }
    }
}

fn guide<'g>(guides: &'g [Arc<Guide>], id: &str) -> Result<&'g Guide, AppError> {
    guides
        .iter()
        .find(|g| g.id.as_str() == id)
        .map(AsRef::as_ref)
        .ok_or_else(|| AppError::NotFound(format!("there is no guide `{id}` loaded")))
}

fn to_stored(
    id: &str,
    revision: i64,
    interview: &Interview,
    guide: &Guide,
) -> Result<StoredInterview, AppError> {
    let state = serde_json::to_string(interview)
        .map_err(|e| StorageError::Corrupt(format!("cannot save this interview: {e}")))?;
    let score = interview
        .finished_at
        .and_then(|_| domain::report(interview, guide).score)
        .map(|s| s.clamp(0.0, 1.0));
    Ok(StoredInterview {
        id: id.to_owned(),
        guide: interview.guide.clone(),
        revision,
        started_at: interview.started_at,
        finished_at: interview.finished_at,
        score,
        state,
    })
}

pub(crate) fn from_stored(stored: &StoredInterview) -> Result<Interview, AppError> {
    let interview: Interview = serde_json::from_str(&stored.state).map_err(|e| {
        StorageError::Corrupt(format!("interview {} cannot be read: {e}", stored.id))
    })?;
    interview
        .check_version()
        .map_err(|e| StorageError::Corrupt(format!("interview {}: {e}", stored.id)))?;
    Ok(interview)
}

/// What starting an interview needs.
#[derive(Debug, Clone)]
pub struct NewInterview<'a> {
    /// The guide to draw questions from.
    pub guide: &'a str,
    /// A preset or a custom interview.
    pub request: &'a Request,
    /// The interview's id, chosen by the caller (random).
    pub id: &'a str,
    /// Picks the questions.
    pub seed: u64,
}

/// Starts an interview as `new` asks.
///
/// # Errors
///
/// [`AppError::NotFound`] for an unknown guide or section, [`AppError::Conflict`] for a
/// request that selects no question of the guide, [`AppError::Invalid`] for one that breaks
/// a limit, storage errors.
pub async fn start(
    store: &dyn Storage,
    learner: LearnerId,
    guides: &[Arc<Guide>],
    new: &NewInterview<'_>,
    now: Millis,
) -> Result<Loaded, AppError> {
    let NewInterview {
        guide: guide_id,
        request,
        id,
        seed,
    } = *new;
    let guide = guide(guides, guide_id)?;
    let lineup = domain::lineup(guide, request, seed)?;
    let interview = Interview::start(guide, lineup, now)?;
    store
        .save_interview(learner, &to_stored(id, 1, &interview, guide)?)
        .await?;
    Ok(Loaded {
        id: id.to_owned(),
        revision: 1,
        interview,
        fed_reviews: 0,
    })
}

/// Loads one of the learner's interviews.
///
/// # Errors
///
/// [`AppError::NotFound`] when the learner has no such interview.
pub async fn load(store: &dyn Storage, learner: LearnerId, id: &str) -> Result<Loaded, AppError> {
    let stored = store
        .interview(learner, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no interview `{id}`")))?;
    Ok(Loaded {
        id: stored.id.clone(),
        revision: stored.revision,
        interview: from_stored(&stored)?,
        fed_reviews: 0,
    })
}

async fn save(
    store: &dyn Storage,
    learner: LearnerId,
    loaded: &mut Loaded,
    guide: &Guide,
) -> Result<(), AppError> {
    let stored = to_stored(&loaded.id, loaded.revision + 1, &loaded.interview, guide)?;
    store.save_interview(learner, &stored).await?;
    loaded.revision = stored.revision;
    if loaded.interview.is_finished() {
        // The key points it missed, where they can be queried (a team's coach counts them).
        // `false` means another save came first and records its own.
        let missed: Vec<MissedKeyPoint> = domain::report(&loaded.interview, guide)
            .missed
            .into_iter()
            .map(|m| MissedKeyPoint {
                interview: loaded.id.clone(),
                item: i64::try_from(m.item).unwrap_or(i64::MAX),
                key_point: i64::try_from(m.key_point).unwrap_or(i64::MAX),
                key: QuestionKey::new(loaded.interview.guide.as_str(), m.question),
                text: m.text,
            })
            .collect();
        store
            .record_missed(learner, &loaded.id, loaded.revision, &missed)
            .await?;
    }
    Ok(())
}

/// Loads an interview and its guide, applies `step` and saves when it changed something.
async fn update<T>(
    store: &dyn Storage,
    learner: LearnerId,
    guides: &[Arc<Guide>],
    id: &str,
    step: impl FnOnce(&mut Interview, &Guide) -> Result<(T, bool), AppError>,
) -> Result<(Loaded, T), AppError> {
    let mut loaded = load(store, learner, id).await?;
    let guide = guide(guides, &loaded.interview.guide)?;
    let (out, changed) = step(&mut loaded.interview, guide)?;
    if changed {
        save(store, learner, &mut loaded, guide).await?;
    }
    Ok((loaded, out))
}

/// Loads an interview for showing it at `now`: a current question whose time ran out is
/// recorded as timed out first.
///
/// # Errors
///
/// As [`load`]; a guide no longer loaded is [`AppError::NotFound`].
pub async fn show(
    store: &dyn Storage,
    learner: LearnerId,
    guides: &[Arc<Guide>],
    id: &str,
    now: Millis,
) -> Result<Loaded, AppError> {
    let (loaded, ()) = update(store, learner, guides, id, |interview, _| {
        Ok(((), interview.expire(now)))
    })
    .await?;
    Ok(loaded)
}

/// Submits the answer to the current question; `item`, when given, is the question the
/// learner saw (the index of the current item when the page was shown).
///
/// # Errors
///
/// [`AppError::Conflict`] when the interview is finished, the question already answered or
/// the interview full; [`AppError::Invalid`] when the answer is too long;
/// [`StorageError::Conflict`] when the interview changed elsewhere (another question is
/// current now).
pub async fn submit(
    store: &dyn Storage,
    learner: LearnerId,
    guides: &[Arc<Guide>],
    id: &str,
    item: Option<usize>,
    answer: Answer,
    now: Millis,
) -> Result<(Loaded, Submitted), AppError> {
    update(store, learner, guides, id, |interview, guide| {
        check_current(interview, item)?;
        let submitted = interview.submit(guide, answer, now)?;
        let size = serde_json::to_string(interview).map_or(usize::MAX, |s| s.len());
        if size > mastery_storage::MAX_INTERVIEW_STATE_BYTES - RESERVED_BYTES {
            return Err(AppError::Conflict(
                "this interview is full (its answers are too long to store): finish it to see \
                 the report, then start a new one"
                    .into(),
            ));
        }
        Ok((submitted, true))
    })
    .await
}

/// Sets the tick of key point `key_point` of item `item`, overriding the automatic one.
///
/// # Errors
///
/// [`AppError::NotFound`] for an unknown item or key point, [`AppError::Conflict`] for an
/// item not answered yet.
pub async fn correct(
    store: &dyn Storage,
    learner: LearnerId,
    guides: &[Arc<Guide>],
    id: &str,
    item: usize,
    key_point: usize,
    ticked: bool,
) -> Result<Loaded, AppError> {
    let (loaded, ()) = update(store, learner, guides, id, |interview, _| {
        interview.correct(item, key_point, ticked)?;
        Ok(((), true))
    })
    .await?;
    Ok(loaded)
}

/// Moves on: a follow-up when the last answer covered the basics, else the next planned
/// question; finishes the interview (and feeds the scheduler) when none is left. `item`,
/// when given, is the question the learner saw answered (see [`submit`]).
///
/// # Errors
///
/// [`AppError::Conflict`] when the current question is not answered and its time is not up.
pub async fn next(
    store: &dyn Storage,
    learner: LearnerId,
    guides: &[Arc<Guide>],
    id: &str,
    item: Option<usize>,
    now: Millis,
) -> Result<(Loaded, Step), AppError> {
    let (loaded, step) = update(store, learner, guides, id, |interview, guide| {
        if interview.is_finished() {
            return Ok((Step::Finished, false));
        }
        check_current(interview, item)?;
        Ok((interview.next(guide, now)?, true))
    })
    .await?;
    let mut loaded = loaded;
    if step == Step::Finished {
        loaded.fed_reviews = feed_scheduler(store, learner, guides, &loaded, now).await?;
    }
    Ok((loaded, step))
}

/// Finishes the interview now (questions not reached are left out of the report) and feeds
/// the scheduler. Finishing a finished interview only makes sure the scheduler was fed.
///
/// # Errors
///
/// Storage errors.
pub async fn finish(
    store: &dyn Storage,
    learner: LearnerId,
    guides: &[Arc<Guide>],
    id: &str,
    now: Millis,
) -> Result<(Loaded, Report), AppError> {
    let (loaded, report) = update(store, learner, guides, id, |interview, guide| {
        let changed = !interview.is_finished();
        if changed {
            interview.expire(now);
            interview.finish(now)?;
        }
        Ok((domain::report(interview, guide), changed))
    })
    .await?;
    let mut loaded = loaded;
    loaded.fed_reviews = feed_scheduler(store, learner, guides, &loaded, now).await?;
    Ok((loaded, report))
}

/// The report of an interview (finished or not).
///
/// # Errors
///
/// As [`load`].
pub async fn report(
    store: &dyn Storage,
    learner: LearnerId,
    guides: &[Arc<Guide>],
    id: &str,
) -> Result<(Loaded, Report), AppError> {
    let loaded = load(store, learner, id).await?;
    let guide = guide(guides, &loaded.interview.guide)?;
    let report = domain::report(&loaded.interview, guide);
    Ok((loaded, report))
}

/// The review id of item `item` of interview `id` (stable, so feeding twice is a no-op).
fn review_id(id: &str, item: usize) -> String {
    format!("mock-{id}-{item}")
}

/// Records one review per rated question of a finished interview.
async fn feed_scheduler(
    store: &dyn Storage,
    learner: LearnerId,
    guides: &[Arc<Guide>],
    loaded: &Loaded,
    now: Millis,
) -> Result<usize, AppError> {
    let interview = &loaded.interview;
    let mut recorded = 0;
    let guide = guide(guides, &interview.guide)?;
    let report = domain::report(interview, guide);
    for suggestion in &report.ratings {
        let Some(item) = interview.items.get(suggestion.item) else {
            continue;
        };
        let key = QuestionKey::new(interview.guide.clone(), item.question.clone());
        let answer = study::Answer {
            key,
            rating: suggestion.rating,
            review_id: review_id(&loaded.id, suggestion.item),
            time_spent_ms: u32::try_from(item.used_ms().unwrap_or(0).clamp(0, 3_600_000))
                .unwrap_or(0),
        };
        match study::answer(store, learner, guides, &answer, now).await {
            Ok(study::Answered::Recorded { .. }) => recorded += 1,
            // Fed by an earlier finish, or a question that left the guide since.
            Ok(study::Answered::Duplicate) | Err(AppError::NotFound(_)) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(recorded)
}

/// One past interview in the history.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Its id.
    pub id: String,
    /// The guide.
    pub guide: String,
    /// The interview's title.
    pub title: String,
    /// When it started.
    pub started_at: Millis,
    /// When it finished, if it did.
    pub finished_at: Option<Millis>,
    /// The overall score, once finished.
    pub score: Option<f64>,
    /// Questions asked.
    pub asked: usize,
}

/// The learner's interviews, newest first, and the trend of the finished ones.
///
/// # Errors
///
/// Storage errors; an interview that cannot be read is listed without a title.
pub async fn history(
    store: &dyn Storage,
    learner: LearnerId,
) -> Result<(Vec<Summary>, Trend), AppError> {
    let stored = store.interviews(learner, HISTORY_LIMIT).await?;
    let summaries: Vec<Summary> = stored
        .iter()
        .map(|s| {
            let interview = from_stored(s).ok();
            Summary {
                id: s.id.clone(),
                guide: s.guide.clone(),
                title: interview
                    .as_ref()
                    .map_or_else(|| "Interview".to_owned(), |i| i.lineup.title.clone()),
                started_at: s.started_at,
                finished_at: s.finished_at,
                score: s.score,
                asked: interview.as_ref().map_or(0, |i| i.items.len()),
            }
        })
        .collect();
    let points: Vec<(Millis, f64)> = summaries
        .iter()
        .filter_map(|s| Some((s.finished_at?, s.score?)))
        .collect();
    Ok((summaries, domain::trend(&points)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use mastery_content::{GuideFiles, load_guide};
    use mastery_storage_sqlite::SqliteStore;
    use mastery_study::interview::Custom;

    fn python_django() -> Vec<Arc<Guide>> {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guides/python-django");
        let report = load_guide(&GuideFiles::from_dir(&dir).unwrap());
        vec![Arc::new(report.guide.unwrap())]
    }

    /// A fresh database with its learner, and the Python & Django guide.
    async fn fresh() -> (tempfile::TempDir, SqliteStore, LearnerId, Vec<Arc<Guide>>) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("m.db").to_str().unwrap())
            .await
            .unwrap();
        let learner = store.personal_learner().await.unwrap();
        (dir, store, learner, python_django())
    }

    fn custom(questions: usize) -> Request {
        Request::Custom(Custom {
            levels: vec![mastery_content::Level::Senior],
            sections: Vec::new(),
            questions,
            minutes_per_question: 2,
        })
    }

    fn new<'a>(guide: &'a str, request: &'a Request, id: &'a str) -> NewInterview<'a> {
        NewInterview {
            guide,
            request,
            id,
            seed: 7,
        }
    }

    #[tokio::test]
    async fn an_interview_runs_saves_each_step_and_feeds_the_scheduler_once() {
        let (_dir, store, learner, guides) = fresh().await;
        let t0 = 1_700_000_000_000;
        let started = start(
            &store,
            learner,
            &guides,
            &new("python-django", &custom(2), "iv1"),
            t0,
        )
        .await
        .unwrap();
        assert_eq!(started.revision, 1);
        let first = started.interview.current().unwrap().question.clone();

        // A weak typed answer: no follow-up, the next planned question comes.
        let (loaded, submitted) = submit(
            &store,
            learner,
            &guides,
            "iv1",
            Some(0),
            Answer::Typed {
                text: "I am not sure, I would have to look it up.".into(),
            },
            t0 + 30_000,
        )
        .await
        .unwrap();
        assert_eq!(loaded.revision, 2);
        assert!(!submitted.timed_out);
        // Submitting again is refused and changes nothing.
        assert!(matches!(
            submit(
                &store,
                learner,
                &guides,
                "iv1",
                None,
                Answer::Aloud,
                t0 + 31_000
            )
            .await,
            Err(AppError::Conflict(_))
        ));
        let (_, step) = next(&store, learner, &guides, "iv1", Some(0), t0 + 32_000)
            .await
            .unwrap();
        assert_eq!(
            step,
            Step::Asked {
                item: 1,
                follow_up: false
            }
        );

        // A page still showing the first question cannot answer the second one.
        assert!(matches!(
            submit(
                &store,
                learner,
                &guides,
                "iv1",
                Some(0),
                Answer::Aloud,
                t0 + 33_000
            )
            .await,
            Err(AppError::Storage(StorageError::Conflict))
        ));
        assert!(matches!(
            next(&store, learner, &guides, "iv1", Some(0), t0 + 33_000).await,
            Err(AppError::Storage(StorageError::Conflict))
        ));
        // The second question's time runs out while nobody looks: showing it records that.
        let shown = show(&store, learner, &guides, "iv1", t0 + 32_000 + 10 * 60_000)
            .await
            .unwrap();
        assert!(shown.interview.items[1].timed_out);

        let (loaded, report) = finish(&store, learner, &guides, "iv1", t0 + 40 * 60_000)
            .await
            .unwrap();
        assert!(loaded.interview.is_finished());
        assert_eq!(report.timed_out, vec![1]);
        // Both questions were fed to the scheduler as Again (weak and timed out).
        let reviews = store.reviews(learner, None).await.unwrap();
        assert_eq!(reviews.len(), 2);
        assert!(reviews.iter().all(|r| r.rating == 1));
        assert!(reviews.iter().any(|r| r.key.question == first));

        // Finishing again is harmless: nothing recorded twice.
        finish(&store, learner, &guides, "iv1", t0 + 41 * 60_000)
            .await
            .unwrap();
        assert_eq!(store.reviews(learner, None).await.unwrap().len(), 2);

        let (history, trend) = history(&store, learner).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].score, Some(0.0));
        assert_eq!(trend.points.len(), 1);
    }

    #[tokio::test]
    async fn answers_that_would_overflow_the_stored_interview_are_refused_in_time() {
        let (_dir, store, learner, guides) = fresh().await;
        start(
            &store,
            learner,
            &guides,
            &new("python-django", &custom(12), "big"),
            0,
        )
        .await
        .unwrap();
        // Control characters take six bytes each in JSON: a few answers fill the document.
        let huge = "\u{1}".repeat(domain::session::MAX_ANSWER_CHARS);
        let mut refused = None;
        for n in 0..12 {
            let typed = Answer::Typed { text: huge.clone() };
            match submit(&store, learner, &guides, "big", None, typed, 1_000).await {
                Ok(_) => {
                    next(&store, learner, &guides, "big", None, 2_000)
                        .await
                        .unwrap();
                }
                Err(AppError::Conflict(message)) => {
                    refused = Some((n, message));
                    break;
                }
                Err(other) => panic!("{other:?}"),
            }
        }
        let (n, message) = refused.expect("the guard refused an answer");
        assert!(n >= 5, "refused only after several answers ({n})");
        assert!(message.contains("finish it"), "{message}");
        // What must always fit still does: time-outs and finishing.
        let (loaded, report) = finish(&store, learner, &guides, "big", 10 * 60 * 60_000)
            .await
            .unwrap();
        assert!(loaded.interview.is_finished());
        assert!(report.score.is_some());
    }

    #[tokio::test]
    async fn a_stale_tab_cannot_overwrite_the_interview() {
        let (_dir, store, learner, guides) = fresh().await;
        start(
            &store,
            learner,
            &guides,
            &new("python-django", &custom(1), "iv2"),
            0,
        )
        .await
        .unwrap();
        let stale = load(&store, learner, "iv2").await.unwrap();
        submit(
            &store,
            learner,
            &guides,
            "iv2",
            Some(0),
            Answer::Aloud,
            1_000,
        )
        .await
        .unwrap();
        let mut stale = stale;
        let guide = guides[0].as_ref();
        stale.interview.finish(2_000).unwrap();
        assert!(matches!(
            save(&store, learner, &mut stale, guide).await,
            Err(AppError::Storage(StorageError::Conflict))
        ));
        assert!(matches!(
            load(&store, learner, "nope").await,
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            start(&store, learner, &guides, &new("nope", &custom(1), "iv3"), 0).await,
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            start(
                &store,
                learner,
                &guides,
                &new("python-django", &custom(0), "iv3"),
                0
            )
            .await,
            Err(AppError::Invalid(_))
        ));
    }
}
