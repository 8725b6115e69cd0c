//! Restoring a learner's backup: read the document ([`parse`]), merge it into what the
//! learner has ([`plan`]) and write the result in one transaction ([`restore`]).
//!
//! The merge never loses anything the learner did:
//!
//! - marks are added (a question already ticked keeps its first time); nothing is unticked;
//! - reviews are merged by review id: one the learner already has stays as it is, the
//!   others are added to the log, so restoring the same file twice adds nothing;
//! - a note, a card, a setting or an interview that differs from the learner's is taken
//!   from the file only when the file's is newer (a note's `updated_at`, a card's last
//!   review, an interview's revision; settings carry no time, so a setting that differs is
//!   never taken) — unless `overwrite` is set, when the file wins every difference;
//! - nothing the file lacks is deleted; the account and sessions in the file are ignored.
//!
//! The write is refused by storage when anything changed since the merge read it (a review
//! in another tab): the merge is then made again on what is there now.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use mastery_storage::{
    LearnerId, LearnerRestore, Mark, Millis, Note, QuestionKey, Replace, ReviewRecord, Setting,
    Storage, StorageError, StoredCard, StoredInterview,
};
use serde_json::Value;

use super::document::{Header, Incoming, state_value};
use super::{SCHEMA, VERSION};
use crate::AppError;

/// How many times a restore is merged again after a concurrent change.
const ATTEMPTS: usize = 8;

/// Why a file cannot be read as a learner document: where, and what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct DocumentError {
    /// 1-based line (0 when the problem is the whole file).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl DocumentError {
    fn whole(message: String) -> Self {
        Self {
            line: 1,
            column: 1,
            message,
        }
    }

    fn from_json(error: &serde_json::Error) -> Self {
        let (line, column) = (error.line(), error.column());
        let text = error.to_string();
        let suffix = format!(" at line {line} column {column}");
        let message = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
        Self {
            line,
            column,
            message,
        }
    }
}

impl From<DocumentError> for AppError {
    fn from(e: DocumentError) -> Self {
        AppError::Invalid(format!("the file is not a valid learner backup: {e}"))
    }
}

/// A learner document, read and checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Backup {
    /// When it was exported, if it says.
    pub exported_at: Option<Millis>,
    /// The account it was exported from (multi-user mode), if any.
    pub username: Option<String>,
    /// Marks, by question.
    pub marks: BTreeMap<QuestionKey, Mark>,
    /// Notes, by question.
    pub notes: BTreeMap<QuestionKey, Note>,
    /// Cards, by question.
    pub cards: BTreeMap<QuestionKey, StoredCard>,
    /// The review log, in order, one review per id (the first one).
    pub reviews: Vec<ReviewRecord>,
    /// Settings, by name.
    pub settings: BTreeMap<String, String>,
    /// Interviews, by id.
    pub interviews: BTreeMap<String, StoredInterview>,
}

/// Reads a learner document (`docs/your-data.md`).
///
/// # Errors
///
/// Bytes that are not JSON, a document of another schema or a newer version, or a row
/// that breaks a rule of the data model: each with the line it is on (or ends on).
pub fn parse(bytes: &[u8]) -> Result<Backup, DocumentError> {
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if text.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        // Not an object: say what it is (or where it stops being JSON).
        return Err(match serde_json::from_slice::<Value>(text) {
            Err(e) => DocumentError::from_json(&e),
            Ok(_) => DocumentError::whole(format!(
                "the file holds JSON but not an object; a learner backup is a JSON object with \"schema\": \"{SCHEMA}\""
            )),
        });
    }
    let bytes = text;
    let header: Header = serde_json::from_slice(bytes).map_err(|e| {
        let mut error = DocumentError::from_json(&e);
        if e.is_data() {
            error.message = format!(
                "{}; a learner backup is a JSON object with \"schema\": \"{SCHEMA}\"",
                error.message
            );
        }
        error
    })?;
    match header.schema {
        Some(Value::String(schema)) if schema == SCHEMA => {}
        Some(other) => {
            return Err(DocumentError::whole(format!(
                "this is not a Mastery learner backup: its \"schema\" is {other}, not \"{SCHEMA}\""
            )));
        }
        None => {
            return Err(DocumentError::whole(format!(
                "this is not a Mastery learner backup: it has no \"schema\": \"{SCHEMA}\" field"
            )));
        }
    }
    match header.version.as_ref().and_then(Value::as_u64) {
        Some(v) if (1..=u64::from(VERSION)).contains(&v) => {}
        Some(v) if v > u64::from(VERSION) => {
            return Err(DocumentError::whole(format!(
                "this backup was written by a newer Mastery (document version {v}; this one \
                 reads version {VERSION}): upgrade Mastery to restore it"
            )));
        }
        _ => {
            return Err(DocumentError::whole(format!(
                "\"version\" must be a whole number from 1 to {VERSION}"
            )));
        }
    }
    let incoming: Incoming =
        serde_json::from_slice(bytes).map_err(|e| DocumentError::from_json(&e))?;
    let mut backup = Backup {
        exported_at: incoming.exported_at,
        username: incoming.account.map(|a| a.username),
        settings: incoming.settings.0,
        ..Backup::default()
    };
    for mark in incoming.marks {
        backup.marks.insert(mark.0.key.clone(), mark.0);
    }
    for note in incoming.notes {
        backup.notes.insert(note.0.key.clone(), note.0);
    }
    for card in incoming.cards {
        backup.cards.insert(card.0.key.clone(), card.0);
    }
    let mut ids = HashSet::new();
    for review in incoming.reviews {
        if ids.insert(review.0.id.clone()) {
            backup.reviews.push(review.0);
        }
    }
    for interview in incoming.interviews {
        backup
            .interviews
            .entry(interview.0.id.clone())
            .or_insert(interview.0);
    }
    Ok(backup)
}

/// What a restore did (or would do) with one kind of row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Rows the learner did not have.
    pub added: usize,
    /// Rows replaced by the file's: newer in the file, or `overwrite`.
    pub updated: usize,
    /// Rows the learner already had as in the file.
    pub unchanged: usize,
    /// Rows that differ and were kept as the learner has them: theirs is newer, or the
    /// file's cannot be told newer (settings), and `overwrite` was not set.
    pub kept: usize,
}

impl Counts {
    /// Rows written.
    pub fn written(&self) -> usize {
        self.added + self.updated
    }
}

/// What a restore did (or would do), by kind of row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Ticked questions.
    pub marks: Counts,
    /// Notes.
    pub notes: Counts,
    /// Cards (scheduling states).
    pub cards: Counts,
    /// The review log.
    pub reviews: Counts,
    /// Settings.
    pub settings: Counts,
    /// Mock interviews.
    pub interviews: Counts,
}

impl Summary {
    /// Each kind with its name, in the order reports show them.
    pub fn rows(&self) -> [(&'static str, Counts); 6] {
        [
            ("marks", self.marks),
            ("notes", self.notes),
            ("cards", self.cards),
            ("reviews", self.reviews),
            ("settings", self.settings),
            ("interviews", self.interviews),
        ]
    }

    /// Rows written, of every kind.
    pub fn written(&self) -> usize {
        self.rows().iter().map(|(_, c)| c.written()).sum()
    }

    /// Rows kept as the learner has them, of every kind.
    pub fn kept(&self) -> usize {
        self.rows().iter().map(|(_, c)| c.kept).sum()
    }
}

impl fmt::Display for Summary {
    /// One line: `3 added, 1 updated, 12 unchanged, 2 kept`, by kind.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .rows()
            .iter()
            .filter(|(_, c)| *c != Counts::default())
            .map(|(name, c)| {
                let mut words = Vec::new();
                for (n, word) in [
                    (c.added, "added"),
                    (c.updated, "updated"),
                    (c.unchanged, "unchanged"),
                    (c.kept, "kept"),
                ] {
                    if n > 0 {
                        words.push(format!("{n} {word}"));
                    }
                }
                format!("{name}: {}", words.join(", "))
            })
            .collect();
        if parts.is_empty() {
            f.write_str("the file holds no learner data")
        } else {
            f.write_str(&parts.join("; "))
        }
    }
}

/// What the learner has now, as a merge needs it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Current {
    /// Ticked questions.
    pub marks: HashSet<QuestionKey>,
    /// Notes, by question.
    pub notes: BTreeMap<QuestionKey, Note>,
    /// Cards, by question.
    pub cards: BTreeMap<QuestionKey, StoredCard>,
    /// The ids of the review log.
    pub review_ids: HashSet<String>,
    /// Settings, by name.
    pub settings: BTreeMap<String, String>,
    /// Interviews, by id.
    pub interviews: BTreeMap<String, StoredInterview>,
}

impl Current {
    /// Reads what the learner has.
    ///
    /// # Errors
    ///
    /// Storage errors.
    pub async fn read(store: &dyn Storage, learner: LearnerId) -> Result<Self, AppError> {
        Ok(Self {
            marks: store
                .marks(learner)
                .await?
                .into_iter()
                .map(|m| m.key)
                .collect(),
            notes: store
                .notes(learner)
                .await?
                .into_iter()
                .map(|n| (n.key.clone(), n))
                .collect(),
            cards: store
                .cards(learner)
                .await?
                .into_iter()
                .map(|c| (c.key.clone(), c))
                .collect(),
            review_ids: store
                .reviews(learner, None)
                .await?
                .into_iter()
                .map(|r| r.id)
                .collect(),
            settings: store.learner_settings(learner).await?,
            interviews: store
                .interviews(learner, u32::MAX)
                .await?
                .into_iter()
                .map(|i| (i.id.clone(), i))
                .collect(),
        })
    }
}

/// Decides one row: `None` to leave it, `Some(expected)` to write it in place of
/// `expected`, counting the decision.
fn decide<T: Clone>(
    current: Option<&T>,
    same: impl FnOnce(&T) -> bool,
    file_newer: impl FnOnce(&T) -> bool,
    overwrite: bool,
    counts: &mut Counts,
) -> Option<Option<T>> {
    match current {
        None => {
            counts.added += 1;
            Some(None)
        }
        Some(mine) if same(mine) => {
            counts.unchanged += 1;
            None
        }
        Some(mine) if overwrite || file_newer(mine) => {
            counts.updated += 1;
            Some(Some(mine.clone()))
        }
        Some(_) => {
            counts.kept += 1;
            None
        }
    }
}

/// The merge of `backup` into `current` (see the module's rules): what to write, and what
/// that does.
pub fn plan(current: &Current, backup: &Backup, overwrite: bool) -> (LearnerRestore, Summary) {
    let mut write = LearnerRestore::default();
    let mut summary = Summary::default();
    for mark in backup.marks.values() {
        if current.marks.contains(&mark.key) {
            summary.marks.unchanged += 1;
        } else {
            summary.marks.added += 1;
            write.marks.push(mark.clone());
        }
    }
    for note in backup.notes.values() {
        if note.body.trim().is_empty() {
            continue;
        }
        let decision = decide(
            current.notes.get(&note.key),
            |mine| mine.body == note.body,
            |mine| note.updated_at > mine.updated_at,
            overwrite,
            &mut summary.notes,
        );
        if let Some(expected) = decision {
            write.notes.push(Replace {
                expected,
                value: note.clone(),
            });
        }
    }
    for card in backup.cards.values() {
        let decision = decide(
            current.cards.get(&card.key),
            |mine| mine == card,
            |mine| (card.last_review, card.reps) > (mine.last_review, mine.reps),
            overwrite,
            &mut summary.cards,
        );
        if let Some(expected) = decision {
            write.cards.push(Replace {
                expected,
                value: card.clone(),
            });
        }
    }
    for review in &backup.reviews {
        if current.review_ids.contains(&review.id) {
            summary.reviews.unchanged += 1;
        } else {
            summary.reviews.added += 1;
            write.reviews.push(review.clone());
        }
    }
    for (name, value) in &backup.settings {
        let decision = decide(
            current.settings.get(name),
            |mine| mine == value,
            |_| false,
            overwrite,
            &mut summary.settings,
        );
        if let Some(expected) = decision {
            write.settings.push(Replace {
                expected: expected.map(|value| Setting {
                    name: name.clone(),
                    value,
                }),
                value: Setting {
                    name: name.clone(),
                    value: value.clone(),
                },
            });
        }
    }
    for interview in backup.interviews.values() {
        let mine = current.interviews.get(&interview.id);
        let decision = decide(
            mine,
            |mine| same_interview(mine, interview),
            |mine| interview.revision > mine.revision,
            overwrite,
            &mut summary.interviews,
        );
        if let Some(expected) = decision {
            let mut value = interview.clone();
            if let Some(mine) = &expected {
                // Above the stored revision, so a tab still holding the replaced one
                // cannot save over the restored interview.
                value.revision = value.revision.max(mine.revision.saturating_add(1));
            }
            write.interviews.push(Replace { expected, value });
        }
    }
    (write, summary)
}

/// Two interviews are the same when everything but the revision is, the recorded session
/// compared as JSON (the document may have reordered its keys).
fn same_interview(a: &StoredInterview, b: &StoredInterview) -> bool {
    a.guide == b.guide
        && a.started_at == b.started_at
        && a.finished_at == b.finished_at
        && a.score == b.score
        && (a.state == b.state || state_value(&a.state) == state_value(&b.state))
}

/// What restoring `backup` would do now, without writing anything.
///
/// # Errors
///
/// Storage errors.
pub async fn preview(
    store: &dyn Storage,
    learner: LearnerId,
    backup: &Backup,
    overwrite: bool,
) -> Result<Summary, AppError> {
    let current = Current::read(store, learner).await?;
    Ok(plan(&current, backup, overwrite).1)
}

/// Restores `backup` into the learner's data (see the module's rules), in one transaction.
/// Idempotent: restoring the same file again changes nothing.
///
/// # Errors
///
/// [`AppError::Conflict`] when the learner's data kept changing during the restore
/// (nothing was written); storage errors, including [`StorageError::Invalid`] for a row
/// the store refuses.
pub async fn restore(
    store: &dyn Storage,
    learner: LearnerId,
    backup: &Backup,
    overwrite: bool,
) -> Result<Summary, AppError> {
    for _ in 0..ATTEMPTS {
        let current = Current::read(store, learner).await?;
        let (write, summary) = plan(&current, backup, overwrite);
        if write.is_empty() {
            return Ok(summary);
        }
        match store.restore_learner(learner, &write).await {
            Ok(()) => {
                tracing::info!(learner = learner.0, %summary, "restored a learner backup");
                return Ok(summary);
            }
            Err(StorageError::Conflict) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Err(AppError::Conflict(
        "your data kept changing while the backup was being restored; nothing was written, try again"
            .into(),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use mastery_storage::CardPhase;
    use proptest::prelude::*;

    fn card(question: &str, last_review: Option<Millis>, reps: u32) -> StoredCard {
        StoredCard {
            key: QuestionKey::new("g", question),
            phase: CardPhase::Review,
            step: 0,
            stability: Some(3.0),
            difficulty: Some(5.0),
            due: 10,
            last_review,
            reps,
            lapses: 0,
        }
    }

    fn note(question: &str, body: &str, at: Millis) -> Note {
        Note {
            key: QuestionKey::new("g", question),
            body: body.into(),
            updated_at: at,
        }
    }

    const DOC: &str = r#"{
  "schema": "mastery.learner-data",
  "version": 1,
  "exported_at": 5,
  "account": null,
  "future_field": {"ignored": true},
  "marks": [ { "guide": "g", "question": "a", "marked_at": 1 } ],
  "notes": [ { "guide": "g", "question": "a", "body": "Ça va ✓", "updated_at": 2 } ],
  "cards": [],
  "reviews": [],
  "settings": { "utc_offset_minutes": "60" },
  "interviews": [ { "id": "iv1", "guide": "g", "started_at": 1, "finished_at": null,
                    "score": null, "state": {"b": 1, "a": [1, 2]} } ]
}"#;

    #[test]
    fn a_document_is_read_and_unknown_fields_are_ignored() {
        let backup = parse(DOC.as_bytes()).unwrap();
        assert_eq!(backup.exported_at, Some(5));
        assert_eq!(backup.marks.len(), 1);
        assert_eq!(backup.notes.values().next().unwrap().body, "Ça va ✓");
        let interview = &backup.interviews["iv1"];
        assert_eq!(interview.revision, 1, "no revision reads as 1");
        assert_eq!(
            serde_json::from_str::<Value>(&interview.state).unwrap(),
            serde_json::json!({"a": [1, 2], "b": 1})
        );
    }

    #[test]
    fn bad_documents_say_where_and_what() {
        let cases: [(&str, usize, &str); 6] = [
            ("{\"schema\": ", 1, "EOF"),
            ("[1, 2]", 1, "a learner backup is a JSON object"),
            (
                "{\"schema\": \"other\", \"version\": 1}",
                1,
                "not a Mastery learner backup",
            ),
            (
                "{\"schema\": \"mastery.learner-data\", \"version\": 2}",
                1,
                "newer Mastery",
            ),
            (
                "{\"schema\": \"mastery.learner-data\", \"version\": 1,\n\"reviews\": [\n{\"id\": \"r-000001\", \"guide\": \"g\", \"question\": \"q\", \"rating\": 7,\n \"reviewed_at\": 1, \"elapsed_days\": 0, \"scheduled_days\": 0, \"time_spent_ms\": 0,\n \"before\": null, \"after\": {\"guide\": \"g\", \"question\": \"q\", \"phase\": \"review\", \"step\": 0, \"stability\": 1, \"difficulty\": 1, \"due\": 1, \"last_review\": 1, \"reps\": 1, \"lapses\": 0}}\n]}",
                // serde reports the end of the object, where the next token starts.
                6,
                "review \"r-000001\": a rating is 1 (again) to 4 (easy), not 7",
            ),
            (
                "{\"schema\": \"mastery.learner-data\", \"version\": 1,\n\"cards\": [\n{\"guide\": \"g\", \"question\": \"q\", \"phase\": \"Review\"}]}",
                3,
                "missing field",
            ),
        ];
        for (text, line, needle) in cases {
            let error = parse(text.as_bytes()).unwrap_err();
            assert_eq!(error.line, line, "{text}: {error}");
            assert!(error.message.contains(needle), "{text}: {error}");
        }
    }

    #[test]
    fn newer_rows_win_older_ones_are_kept_unless_overwrite() {
        let mut current = Current::default();
        current
            .notes
            .insert(QuestionKey::new("g", "old"), note("old", "mine, older", 1));
        current
            .notes
            .insert(QuestionKey::new("g", "new"), note("new", "mine, newer", 9));
        current
            .cards
            .insert(QuestionKey::new("g", "c"), card("c", Some(50), 3));
        current
            .settings
            .insert("desired_retention".into(), "0.9".into());
        let mut backup = Backup::default();
        for n in [
            note("old", "file", 5),
            note("new", "file", 5),
            note("x", "file", 5),
        ] {
            backup.notes.insert(n.key.clone(), n);
        }
        backup
            .cards
            .insert(QuestionKey::new("g", "c"), card("c", Some(40), 2));
        backup
            .settings
            .insert("desired_retention".into(), "0.95".into());

        let (write, summary) = plan(&current, &backup, false);
        assert_eq!(
            summary.notes,
            Counts {
                added: 1,
                updated: 1,
                unchanged: 0,
                kept: 1
            }
        );
        assert_eq!(summary.cards.kept, 1);
        assert_eq!(summary.settings.kept, 1);
        assert_eq!(write.notes.len(), 2);
        assert!(write.cards.is_empty() && write.settings.is_empty());
        let replaced = write
            .notes
            .iter()
            .find(|n| n.value.key.question == "old")
            .unwrap();
        assert_eq!(replaced.expected, Some(note("old", "mine, older", 1)));

        let (write, summary) = plan(&current, &backup, true);
        assert_eq!(summary.kept(), 0);
        assert_eq!(write.notes.len(), 3);
        assert_eq!(write.cards.len(), 1);
        assert_eq!(write.settings.len(), 1);
    }

    #[test]
    fn a_replaced_interview_moves_past_the_stored_revision() {
        let stored = StoredInterview {
            id: "iv".into(),
            guide: "g".into(),
            revision: 7,
            started_at: 1,
            finished_at: None,
            score: None,
            state: "{\"a\":1,\"b\":2}".into(),
        };
        let mut current = Current::default();
        current.interviews.insert("iv".into(), stored.clone());
        let mut file = stored.clone();
        file.revision = 3;
        file.state = "{\"b\":2,\"a\":1}".into();
        let mut backup = Backup::default();
        backup.interviews.insert("iv".into(), file.clone());
        let (write, summary) = plan(&current, &backup, false);
        assert_eq!(
            summary.interviews.unchanged, 1,
            "same session, keys reordered"
        );
        assert!(write.is_empty());

        file.finished_at = Some(9);
        backup.interviews.insert("iv".into(), file);
        let (write, summary) = plan(&current, &backup, false);
        assert_eq!(summary.interviews.kept, 1, "the stored revision is newer");
        assert!(write.is_empty());
        let (write, _) = plan(&current, &backup, true);
        assert_eq!(write.interviews[0].value.revision, 8);
        assert_eq!(write.interviews[0].expected, Some(stored));
    }

    fn arb_backup() -> impl Strategy<Value = Backup> {
        let keys = prop::sample::select(vec!["a", "b", "c", "d"]);
        (
            prop::collection::vec((keys.clone(), 0i64..5, "[a-z ]{0,6}"), 0..6),
            prop::collection::vec((keys.clone(), prop::option::of(0i64..5), 0u32..4), 0..6),
            prop::collection::vec(("[a-c]{1}", "[0-9]{1}"), 0..4),
        )
            .prop_map(|(notes, cards, settings)| {
                let mut backup = Backup::default();
                for (q, at, body) in notes {
                    let n = note(q, &body, at);
                    backup.marks.insert(
                        n.key.clone(),
                        Mark {
                            key: n.key.clone(),
                            at,
                        },
                    );
                    backup.notes.insert(n.key.clone(), n);
                }
                for (q, last, reps) in cards {
                    let c = card(q, last, reps);
                    backup.cards.insert(c.key.clone(), c);
                }
                for (name, value) in settings {
                    backup.settings.insert(name, value);
                }
                backup
            })
    }

    /// What a store holds after `write`, as the storage contract says.
    fn apply(current: &Current, write: &LearnerRestore) -> Current {
        let mut next = current.clone();
        for m in &write.marks {
            next.marks.insert(m.key.clone());
        }
        for n in &write.notes {
            assert_eq!(current.notes.get(&n.value.key), n.expected.as_ref());
            next.notes.insert(n.value.key.clone(), n.value.clone());
        }
        for c in &write.cards {
            assert_eq!(current.cards.get(&c.value.key), c.expected.as_ref());
            next.cards.insert(c.value.key.clone(), c.value.clone());
        }
        for s in &write.settings {
            next.settings
                .insert(s.value.name.clone(), s.value.value.clone());
        }
        next
    }

    proptest! {
        /// Restoring is idempotent, and without `overwrite` nothing newer is replaced.
        #[test]
        fn restoring_twice_changes_nothing_more(
            mine in arb_backup(),
            file in arb_backup(),
            overwrite in any::<bool>(),
        ) {
            let current = apply(&Current::default(), &plan(&Current::default(), &mine, true).0);
            let (write, _) = plan(&current, &file, overwrite);
            let after = apply(&current, &write);
            let (again, summary) = plan(&after, &file, overwrite);
            prop_assert!(again.is_empty(), "{again:?}");
            prop_assert_eq!(summary.written(), 0);
            if !overwrite {
                for n in &write.notes {
                    if let Some(old) = &n.expected {
                        prop_assert!(n.value.updated_at > old.updated_at);
                    }
                }
                for c in &write.cards {
                    if let Some(old) = &c.expected {
                        prop_assert!(
                            (c.value.last_review, c.value.reps) > (old.last_review, old.reps)
                        );
                    }
                }
                prop_assert!(write.settings.iter().all(|s| s.expected.is_none()));
            }
        }
    }
}
