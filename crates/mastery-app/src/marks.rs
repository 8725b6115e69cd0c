//! Ticking questions as mastered and what counts as mastered, and forgetting what a guide
//! no longer has.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use mastery_content::Guide;
use mastery_storage::{LearnerId, Millis, QuestionKey, Storage};
use mastery_study::scheduler::is_mastered;
use mastery_study::{GuideProgress, orphaned};

use crate::AppError;
use crate::cards::to_state;
use crate::guides::{find_guide, find_question};

/// The questions a learner has mastered in `guide`: ticked by hand, or remembered reliably
/// in study (FSRS stability of at least `MASTERED_STABILITY_DAYS`). The one definition every
/// page and the terminal use.
pub async fn mastered(
    store: &dyn Storage,
    learner: LearnerId,
    guide: &str,
) -> Result<(HashSet<String>, HashSet<String>), AppError> {
    let ticked: HashSet<String> = store
        .marks(learner)
        .await?
        .into_iter()
        .filter(|m| m.key.guide == guide)
        .map(|m| m.key.question)
        .collect();
    let mut mastered = ticked.clone();
    for card in store
        .cards(learner)
        .await?
        .iter()
        .filter(|c| c.key.guide == guide)
    {
        if is_mastered(false, Some(&to_state(card))) {
            mastered.insert(card.key.question.clone());
        }
    }
    Ok((ticked, mastered))
}

/// Whether the learner ticked question `question` of guide `guide` by hand (one read of
/// their marks; no card states: a question page shows the tick, not the mastery).
pub async fn is_ticked(
    store: &dyn Storage,
    learner: LearnerId,
    guide: &str,
    question: &str,
) -> Result<bool, AppError> {
    Ok(store
        .marks(learner)
        .await?
        .iter()
        .any(|m| m.key.guide == guide && m.key.question == question))
}

/// The learner's data revision: moves with every change of their marks or cards, whoever
/// writes ([`Storage::data_revision`]); what derived views (a finished guide page) are
/// kept under. `None` for an unknown learner.
pub async fn data_revision(
    store: &dyn Storage,
    learner: LearnerId,
) -> Result<Option<i64>, AppError> {
    Ok(store.data_revision(learner).await?)
}

/// What ticking a question changed: the new progress of its guide, and its section's id.
#[derive(Debug)]
pub struct Marked {
    /// The section the question is in.
    pub section: String,
    /// The guide's progress after the change.
    pub progress: GuideProgress,
}

/// Ticks (`mastered`) or unticks question `question` of guide `guide` for `learner`, and
/// returns the guide's progress afterwards. Unknown guides and questions are `NotFound`;
/// an insight is `Conflict`.
pub async fn set_mark(
    store: &dyn Storage,
    learner: LearnerId,
    guides: &[Arc<Guide>],
    guide: &str,
    question: &str,
    mastered: bool,
    now: Millis,
) -> Result<Marked, AppError> {
    let g = find_guide(guides, guide)?;
    find_question(g, question)?;
    store
        .set_mark(learner, &QuestionKey::new(guide, question), mastered, now)
        .await?;
    let (_, ids) = self::mastered(store, learner, guide).await?;
    let set: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let section = g
        .sections
        .iter()
        .find(|s| s.entries.iter().any(|e| e.id.as_str() == question))
        .map(|s| s.id.to_string())
        .unwrap_or_default();
    Ok(Marked {
        section,
        progress: GuideProgress::of(g, &set),
    })
}

/// Deletes the mark and the note of a question that its guide no longer has (the settings
/// page lists them). A question still in its guide is refused: it is unticked on its page.
pub async fn forget(
    store: &dyn Storage,
    learner: LearnerId,
    guides: &[Arc<Guide>],
    guide: &str,
    question: &str,
) -> Result<(), AppError> {
    let still_there = guides
        .iter()
        .find(|g| g.id.as_str() == guide)
        .and_then(|g| g.entry(question))
        .is_some();
    if still_there {
        return Err(AppError::Invalid(
            "this question is still in its guide: untick it on its page instead".into(),
        ));
    }
    store
        .forget(learner, &QuestionKey::new(guide, question))
        .await?;
    Ok(())
}

/// A question whose guide no longer has it, while the learner still has a mark or a note on
/// it (the settings page offers to forget it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lost {
    /// The guide's id.
    pub guide: String,
    /// The question's id.
    pub question: String,
    /// The learner ticked it.
    pub marked: bool,
    /// The learner has a note on it.
    pub noted: bool,
}

impl Lost {
    /// What the learner would lose by forgetting it: "mark and note", "mark" or "note".
    pub fn what(&self) -> &'static str {
        match (self.marked, self.noted) {
            (true, true) => "mark and note",
            (true, false) => "mark",
            _ => "note",
        }
    }
}

/// The questions that loaded guides no longer have but the learner has a mark or a note
/// on, by guide and question id. A guide that is not loaded at all is not "lost": its
/// state waits for it.
pub async fn lost(
    store: &dyn Storage,
    learner: LearnerId,
    guides: &[Arc<Guide>],
) -> Result<Vec<Lost>, AppError> {
    let marks = store.marks(learner).await?;
    let notes = store.notes(learner).await?;
    let mut keys: BTreeSet<(&str, &str)> = marks
        .iter()
        .map(|m| (m.key.guide.as_str(), m.key.question.as_str()))
        .collect();
    keys.extend(
        notes
            .iter()
            .map(|n| (n.key.guide.as_str(), n.key.question.as_str())),
    );
    let mut lost = Vec::new();
    for guide in guides {
        let ids = keys
            .iter()
            .filter(|(g, _)| *g == guide.id.as_str())
            .map(|(_, q)| *q);
        for question in orphaned(guide, ids) {
            let is = |k: &QuestionKey| k.guide == guide.id.as_str() && k.question == question;
            lost.push(Lost {
                guide: guide.id.to_string(),
                question: question.to_owned(),
                marked: marks.iter().any(|m| is(&m.key)),
                noted: notes.iter().any(|n| is(&n.key)),
            });
        }
    }
    lost.sort_by(|a, b| (&a.guide, &a.question).cmp(&(&b.guide, &b.question)));
    Ok(lost)
}
