//! "Download my data": everything Mastery stores about one learner, as one JSON document
//! with a documented, versioned schema (`docs/your-data.md`). The learner backup of the
//! interop work reads and writes the same document.
//!
//! Version 1 holds: the account (username, e-mail, role, dates; never the password hash),
//! sessions (device and dates; never their ids), marks, notes, cards, the review log,
//! settings and mock interviews (with their full recorded state). Times are milliseconds
//! since the Unix epoch, UTC.

use mastery_storage::{LearnerId, Storage, StoredCard};
use serde_json::{Value, json};

use crate::AppError;

/// The `schema` field of the document.
pub const SCHEMA: &str = "mastery.learner-data";
/// The `version` field of the document; grows when a field changes meaning or goes away
/// (adding a field keeps it).
pub const VERSION: u32 = 1;

/// Everything about `learner`, read at `now`.
///
/// # Errors
///
/// Storage errors.
pub async fn export(
    store: &dyn Storage,
    learner: LearnerId,
    now: mastery_storage::Millis,
) -> Result<Value, AppError> {
    let account = store.account(learner).await?.map(|a| {
        json!({
            "username": a.username,
            "email": a.email,
            "role": a.role.as_str(),
            "created_at": a.created_at,
            "password_changed_at": a.password_changed_at,
            "disabled_at": a.disabled_at,
        })
    });
    let sessions: Vec<Value> = store
        .sessions(learner)
        .await?
        .into_iter()
        .map(|s| {
            json!({"device": s.device, "created_at": s.created_at, "last_seen_at": s.last_seen_at})
        })
        .collect();
    let marks: Vec<Value> = store
        .marks(learner)
        .await?
        .into_iter()
        .map(|m| json!({"guide": m.key.guide, "question": m.key.question, "marked_at": m.at}))
        .collect();
    let notes: Vec<Value> = store
        .notes(learner)
        .await?
        .into_iter()
        .map(|n| {
            json!({"guide": n.key.guide, "question": n.key.question, "body": n.body,
                   "updated_at": n.updated_at})
        })
        .collect();
    let cards: Vec<Value> = store.cards(learner).await?.iter().map(card).collect();
    let reviews: Vec<Value> = store
        .reviews(learner, None)
        .await?
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id,
                "guide": r.key.guide,
                "question": r.key.question,
                "rating": r.rating,
                "reviewed_at": r.reviewed_at,
                "elapsed_days": r.elapsed_days,
                "scheduled_days": r.scheduled_days,
                "time_spent_ms": r.time_spent_ms,
                "before": r.before.as_ref().map(card),
                "after": card(&r.after),
            })
        })
        .collect();
    let settings = store.learner_settings(learner).await?;
    let interviews: Vec<Value> = store
        .interviews(learner, u32::MAX)
        .await?
        .into_iter()
        .map(|i| {
            let state: Value = serde_json::from_str(&i.state).unwrap_or(Value::String(i.state));
            json!({
                "id": i.id,
                "guide": i.guide,
                "started_at": i.started_at,
                "finished_at": i.finished_at,
                "score": i.score,
                "state": state,
            })
        })
        .collect();
    Ok(json!({
        "schema": SCHEMA,
        "version": VERSION,
        "exported_at": now,
        "account": account,
        "sessions": sessions,
        "marks": marks,
        "notes": notes,
        "cards": cards,
        "reviews": reviews,
        "settings": settings,
        "interviews": interviews,
    }))
}

fn card(c: &StoredCard) -> Value {
    json!({
        "guide": c.key.guide,
        "question": c.key.question,
        "phase": c.phase.as_str(),
        "step": c.step,
        "stability": c.stability,
        "difficulty": c.difficulty,
        "due": c.due,
        "last_review": c.last_review,
        "reps": c.reps,
        "lapses": c.lapses,
    })
}
