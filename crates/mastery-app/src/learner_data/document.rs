//! The learner document's schema as serde types, used both ways: [`super::export`] writes
//! them, [`super::restore::parse`] reads them back and checks each row as it is read, so a
//! bad row is reported with the line it ends on.

use std::collections::BTreeMap;

use mastery_storage::{
    CardPhase, Mark, Millis, Note, QuestionKey, ReviewRecord, StoredCard, StoredInterview,
    check_key, check_note, check_setting,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `schema` field of the document.
pub const SCHEMA: &str = "mastery.learner-data";
/// The `version` field of the document; grows when a field changes meaning or goes away
/// (adding a field keeps it).
pub const VERSION: u32 = 1;

/// The whole document as written.
#[derive(Debug, Serialize)]
pub(super) struct Export {
    pub(super) schema: &'static str,
    pub(super) version: u32,
    pub(super) exported_at: Millis,
    pub(super) account: Option<AccountDoc>,
    pub(super) sessions: Vec<SessionDoc>,
    pub(super) marks: Vec<MarkDoc>,
    pub(super) notes: Vec<NoteDoc>,
    pub(super) cards: Vec<CardDoc>,
    pub(super) reviews: Vec<ReviewDoc>,
    pub(super) settings: BTreeMap<String, String>,
    pub(super) interviews: Vec<InterviewDoc>,
}

/// `account` (multi-user mode; never the password hash).
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct AccountDoc {
    pub(super) username: String,
    #[serde(default)]
    pub(super) email: Option<String>,
    #[serde(default)]
    pub(super) role: String,
    #[serde(default)]
    pub(super) created_at: Millis,
    #[serde(default)]
    pub(super) password_changed_at: Millis,
    #[serde(default)]
    pub(super) disabled_at: Option<Millis>,
}

/// One of `sessions` (never their ids).
#[derive(Debug, Serialize)]
pub(super) struct SessionDoc {
    pub(super) device: String,
    pub(super) created_at: Millis,
    pub(super) last_seen_at: Millis,
}

/// One of `marks`.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct MarkDoc {
    pub(super) guide: String,
    pub(super) question: String,
    pub(super) marked_at: Millis,
}

/// One of `notes`.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct NoteDoc {
    pub(super) guide: String,
    pub(super) question: String,
    pub(super) body: String,
    pub(super) updated_at: Millis,
}

/// One of `cards`, and a review's `before` and `after`.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct CardDoc {
    pub(super) guide: String,
    pub(super) question: String,
    pub(super) phase: String,
    pub(super) step: u32,
    pub(super) stability: Option<f64>,
    pub(super) difficulty: Option<f64>,
    pub(super) due: Millis,
    pub(super) last_review: Option<Millis>,
    pub(super) reps: u32,
    pub(super) lapses: u32,
}

/// One of `reviews`.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct ReviewDoc {
    pub(super) id: String,
    pub(super) guide: String,
    pub(super) question: String,
    pub(super) rating: u8,
    pub(super) reviewed_at: Millis,
    pub(super) elapsed_days: f64,
    pub(super) scheduled_days: f64,
    pub(super) time_spent_ms: i64,
    pub(super) before: Option<CardDoc>,
    pub(super) after: CardDoc,
}

/// One of `interviews`. `revision` was added to version 1 later: a document without it
/// reads as revision 1.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct InterviewDoc {
    pub(super) id: String,
    pub(super) guide: String,
    #[serde(default)]
    pub(super) revision: Option<i64>,
    pub(super) started_at: Millis,
    pub(super) finished_at: Option<Millis>,
    pub(super) score: Option<f64>,
    /// The recorded session: its JSON, or the stored text when it is not JSON.
    pub(super) state: Value,
}

impl From<&Mark> for MarkDoc {
    fn from(m: &Mark) -> Self {
        Self {
            guide: m.key.guide.clone(),
            question: m.key.question.clone(),
            marked_at: m.at,
        }
    }
}

impl From<&Note> for NoteDoc {
    fn from(n: &Note) -> Self {
        Self {
            guide: n.key.guide.clone(),
            question: n.key.question.clone(),
            body: n.body.clone(),
            updated_at: n.updated_at,
        }
    }
}

impl From<&StoredCard> for CardDoc {
    fn from(c: &StoredCard) -> Self {
        Self {
            guide: c.key.guide.clone(),
            question: c.key.question.clone(),
            phase: c.phase.as_str().to_owned(),
            step: c.step,
            stability: c.stability,
            difficulty: c.difficulty,
            due: c.due,
            last_review: c.last_review,
            reps: c.reps,
            lapses: c.lapses,
        }
    }
}

impl From<&ReviewRecord> for ReviewDoc {
    fn from(r: &ReviewRecord) -> Self {
        Self {
            id: r.id.clone(),
            guide: r.key.guide.clone(),
            question: r.key.question.clone(),
            rating: r.rating,
            reviewed_at: r.reviewed_at,
            elapsed_days: r.elapsed_days,
            scheduled_days: r.scheduled_days,
            time_spent_ms: r.time_spent_ms,
            before: r.before.as_ref().map(CardDoc::from),
            after: CardDoc::from(&r.after),
        }
    }
}

impl From<&StoredInterview> for InterviewDoc {
    fn from(i: &StoredInterview) -> Self {
        Self {
            id: i.id.clone(),
            guide: i.guide.clone(),
            revision: Some(i.revision),
            started_at: i.started_at,
            finished_at: i.finished_at,
            score: i.score,
            state: state_value(&i.state),
        }
    }
}

/// An interview's stored text as the document shows it: its JSON, or the text itself.
pub(super) fn state_value(state: &str) -> Value {
    serde_json::from_str(state).unwrap_or_else(|_| Value::String(state.to_owned()))
}

// ------------------------------------------------------------------- reading, checked

fn key(guide: String, question: String) -> Result<QuestionKey, String> {
    let key = QuestionKey::new(guide, question);
    check_key(&key).map_err(|e| e.to_string())?;
    Ok(key)
}

impl TryFrom<CardDoc> for StoredCard {
    type Error = String;

    fn try_from(c: CardDoc) -> Result<Self, String> {
        let phase: CardPhase = c.phase.parse().map_err(|e| format!("{e}"))?;
        for (what, value) in [("stability", c.stability), ("difficulty", c.difficulty)] {
            if value.is_some_and(|v| !v.is_finite()) {
                return Err(format!("a card's {what} must be a finite number"));
            }
        }
        Ok(StoredCard {
            key: key(c.guide, c.question)?,
            phase,
            step: c.step,
            stability: c.stability,
            difficulty: c.difficulty,
            due: c.due,
            last_review: c.last_review,
            reps: c.reps,
            lapses: c.lapses,
        })
    }
}

/// A mark as read, checked.
#[derive(Debug, Deserialize)]
#[serde(try_from = "MarkDoc")]
pub(super) struct InMark(pub(super) Mark);

impl TryFrom<MarkDoc> for InMark {
    type Error = String;

    fn try_from(m: MarkDoc) -> Result<Self, String> {
        Ok(Self(Mark {
            key: key(m.guide, m.question)?,
            at: m.marked_at,
        }))
    }
}

/// A note as read, checked.
#[derive(Debug, Deserialize)]
#[serde(try_from = "NoteDoc")]
pub(super) struct InNote(pub(super) Note);

impl TryFrom<NoteDoc> for InNote {
    type Error = String;

    fn try_from(n: NoteDoc) -> Result<Self, String> {
        let key = key(n.guide, n.question)?;
        check_note(&key, &n.body).map_err(|e| e.to_string())?;
        Ok(Self(Note {
            key,
            body: n.body,
            updated_at: n.updated_at,
        }))
    }
}

/// A card as read, checked.
#[derive(Debug, Deserialize)]
#[serde(try_from = "CardDoc")]
pub(super) struct InCard(pub(super) StoredCard);

impl TryFrom<CardDoc> for InCard {
    type Error = String;

    fn try_from(c: CardDoc) -> Result<Self, String> {
        StoredCard::try_from(c).map(Self)
    }
}

/// A review as read, checked by the rules every backend applies.
#[derive(Debug, Deserialize)]
#[serde(try_from = "ReviewDoc")]
pub(super) struct InReview(pub(super) ReviewRecord);

impl TryFrom<ReviewDoc> for InReview {
    type Error = String;

    fn try_from(r: ReviewDoc) -> Result<Self, String> {
        let review = ReviewRecord {
            key: key(r.guide, r.question)?,
            id: r.id,
            rating: r.rating,
            reviewed_at: r.reviewed_at,
            elapsed_days: r.elapsed_days,
            scheduled_days: r.scheduled_days,
            time_spent_ms: r.time_spent_ms,
            before: r.before.map(StoredCard::try_from).transpose()?,
            after: StoredCard::try_from(r.after)?,
        };
        review
            .check()
            .map_err(|e| format!("review {:?}: {e}", review.id))?;
        Ok(Self(review))
    }
}

/// An interview as read, checked.
#[derive(Debug, Deserialize)]
#[serde(try_from = "InterviewDoc")]
pub(super) struct InInterview(pub(super) StoredInterview);

impl TryFrom<InterviewDoc> for InInterview {
    type Error = String;

    fn try_from(i: InterviewDoc) -> Result<Self, String> {
        let state = match i.state {
            Value::String(text) => text,
            other => other.to_string(),
        };
        let interview = StoredInterview {
            id: i.id,
            guide: i.guide,
            revision: i.revision.unwrap_or(1),
            started_at: i.started_at,
            finished_at: i.finished_at,
            score: i.score,
            state,
        };
        interview
            .check()
            .map_err(|e| format!("interview {:?}: {e}", interview.id))?;
        Ok(Self(interview))
    }
}

/// The settings as read, checked.
#[derive(Debug, Default, Deserialize)]
#[serde(try_from = "BTreeMap<String, String>")]
pub(super) struct InSettings(pub(super) BTreeMap<String, String>);

impl TryFrom<BTreeMap<String, String>> for InSettings {
    type Error = String;

    fn try_from(settings: BTreeMap<String, String>) -> Result<Self, String> {
        for (name, value) in &settings {
            check_setting(name, value).map_err(|e| format!("settings: {e}"))?;
        }
        Ok(Self(settings))
    }
}

/// The document as read: what a restore uses (sessions are not read).
#[derive(Debug, Deserialize)]
pub(super) struct Incoming {
    #[serde(default)]
    pub(super) exported_at: Option<Millis>,
    #[serde(default)]
    pub(super) account: Option<AccountDoc>,
    #[serde(default)]
    pub(super) marks: Vec<InMark>,
    #[serde(default)]
    pub(super) notes: Vec<InNote>,
    #[serde(default)]
    pub(super) cards: Vec<InCard>,
    #[serde(default)]
    pub(super) reviews: Vec<InReview>,
    #[serde(default)]
    pub(super) settings: InSettings,
    #[serde(default)]
    pub(super) interviews: Vec<InInterview>,
}

/// What is read first, to say clearly when a file is not this document at all.
#[derive(Debug, Deserialize)]
pub(super) struct Header {
    #[serde(default)]
    pub(super) schema: Option<Value>,
    #[serde(default)]
    pub(super) version: Option<Value>,
}
