//! A whole database as plain values: what [`Storage::export_all`](crate::Storage::export_all)
//! reads and [`Storage::import_all`](crate::Storage::import_all) writes, so that
//! `mastery db copy` can move everything between any two backends through the trait, and
//! verify the copy by comparing two dumps.
//!
//! A dump keeps every id: learner ids (everything else refers to them) and the review log's
//! sequence numbers (which order reviews recorded at the same time, for undo). Its vectors
//! are in the canonical order [`Dump::canonical`] gives them, so two dumps of equal
//! databases are equal, whatever backend produced them.

use std::collections::HashSet;

use crate::{
    LearnerId, Mark, Millis, Note, ReviewRecord, StorageError, StoredCard, StoredInterview,
    check_learner_kind, check_note, check_setting, check_text,
};

/// One learner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpLearner {
    /// Its id, kept by the copy.
    pub id: LearnerId,
    /// `personal`, or a kind of multi-user mode.
    pub kind: String,
    /// When it was created.
    pub created_at: Millis,
}

/// A value owned by a learner (a mark, a note, a card, an interview).
#[derive(Debug, Clone, PartialEq)]
pub struct Owned<T> {
    /// The owner.
    pub learner: LearnerId,
    /// The value.
    pub value: T,
}

/// One row of the review log.
#[derive(Debug, Clone, PartialEq)]
pub struct DumpReview {
    /// The position in the log: orders reviews recorded at the same `reviewed_at`.
    pub seq: i64,
    /// Whose review it is.
    pub learner: LearnerId,
    /// The review.
    pub review: ReviewRecord,
}

/// One learner setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpSetting {
    /// Whose setting it is.
    pub learner: LearnerId,
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// One named secret shared by every instance.
#[derive(Clone, PartialEq, Eq)]
pub struct DumpSecret {
    /// Its name.
    pub name: String,
    /// Its bytes.
    pub value: Vec<u8>,
}

impl std::fmt::Debug for DumpSecret {
    /// Never prints the secret itself.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DumpSecret")
            .field("name", &self.name)
            .field("value", &format_args!("<{} bytes>", self.value.len()))
            .finish()
    }
}

/// Everything a Mastery database holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dump {
    /// By id.
    pub learners: Vec<DumpLearner>,
    /// By learner, guide, question.
    pub marks: Vec<Owned<Mark>>,
    /// By learner, guide, question.
    pub notes: Vec<Owned<Note>>,
    /// By learner, guide, question.
    pub cards: Vec<Owned<StoredCard>>,
    /// By sequence number (the order reviews were recorded in).
    pub reviews: Vec<DumpReview>,
    /// By learner, name.
    pub settings: Vec<DumpSetting>,
    /// By learner, id.
    pub interviews: Vec<Owned<StoredInterview>>,
    /// By name.
    pub secrets: Vec<DumpSecret>,
}

impl Dump {
    /// The dump with every vector in canonical order (keys compared byte by byte, as Rust
    /// compares strings). Backends call this at the end of `export_all`.
    #[must_use]
    pub fn canonical(mut self) -> Dump {
        self.learners.sort_by_key(|l| l.id);
        self.marks
            .sort_by(|a, b| (a.learner, &a.value.key).cmp(&(b.learner, &b.value.key)));
        self.notes
            .sort_by(|a, b| (a.learner, &a.value.key).cmp(&(b.learner, &b.value.key)));
        self.cards
            .sort_by(|a, b| (a.learner, &a.value.key).cmp(&(b.learner, &b.value.key)));
        self.reviews.sort_by_key(|r| r.seq);
        self.settings
            .sort_by(|a, b| (a.learner, &a.name).cmp(&(b.learner, &b.name)));
        self.interviews
            .sort_by(|a, b| (a.learner, &a.value.id).cmp(&(b.learner, &b.value.id)));
        self.secrets.sort_by(|a, b| a.name.cmp(&b.name));
        self
    }

    /// How many rows of each kind, in the order `mastery db copy` prints them.
    pub fn counts(&self) -> [(&'static str, usize); 8] {
        [
            ("learners", self.learners.len()),
            ("marks", self.marks.len()),
            ("notes", self.notes.len()),
            ("cards", self.cards.len()),
            ("reviews", self.reviews.len()),
            ("settings", self.settings.len()),
            ("interviews", self.interviews.len()),
            ("secrets", self.secrets.len()),
        ]
    }

    /// Whether it holds nothing at all.
    pub fn is_empty(&self) -> bool {
        self.counts().iter().all(|(_, n)| *n == 0)
    }

    /// Checks the rules a backend enforces before importing: every row follows the rules
    /// of the data model (the same checks as the single-row writes), learner ids and
    /// sequence numbers are unique, and every owned row belongs to a learner of the dump.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] naming the first row that breaks a rule.
    pub fn check(&self) -> Result<(), StorageError> {
        let mut learners = HashSet::new();
        for learner in &self.learners {
            check_learner_kind(&learner.kind)?;
            if !learners.insert(learner.id) {
                return Err(invalid(format!("learner {} appears twice", learner.id)));
            }
        }
        if self
            .learners
            .iter()
            .filter(|l| l.kind == "personal")
            .count()
            > 1
        {
            return Err(invalid("there is more than one personal learner".into()));
        }
        let owner = |learner: LearnerId, what: &str| {
            if learners.contains(&learner) {
                Ok(())
            } else {
                Err(invalid(format!(
                    "{what} belongs to learner {learner}, who is not in it"
                )))
            }
        };
        for mark in &self.marks {
            owner(mark.learner, "a mark")?;
            crate::check_key(&mark.value.key)?;
        }
        for note in &self.notes {
            owner(note.learner, "a note")?;
            check_note(&note.value.key, &note.value.body)?;
        }
        for card in &self.cards {
            owner(card.learner, "a card")?;
            crate::check_key(&card.value.key)?;
            let finite = |v: Option<f64>| v.is_none_or(f64::is_finite);
            if !finite(card.value.stability) || !finite(card.value.difficulty) {
                return Err(invalid(format!(
                    "the card of {}/{} has a number that is not finite",
                    card.value.key.guide, card.value.key.question
                )));
            }
        }
        let mut seqs = HashSet::new();
        let mut ids = HashSet::new();
        for logged in &self.reviews {
            owner(logged.learner, "a review")?;
            logged.review.check()?;
            if !seqs.insert(logged.seq) {
                return Err(invalid(format!(
                    "review number {} appears twice",
                    logged.seq
                )));
            }
            if !ids.insert((logged.learner, logged.review.id.as_str())) {
                return Err(invalid(format!(
                    "learner {} has two reviews with the id {}",
                    logged.learner, logged.review.id
                )));
            }
        }
        for setting in &self.settings {
            owner(setting.learner, "a setting")?;
            check_setting(&setting.name, &setting.value)?;
        }
        for interview in &self.interviews {
            owner(interview.learner, "an interview")?;
            interview.value.check()?;
        }
        for secret in &self.secrets {
            check_text("a secret's name", &secret.name)?;
        }
        Ok(())
    }

    /// Where `self` and `other` first differ, one line per kind of row that differs
    /// (`reviews: 120 rows against 119; first difference at row 57 (learner 1, id ...)`),
    /// naming rows by their keys, never by their content. Empty when they are equal.
    pub fn differences(&self, other: &Dump) -> Vec<String> {
        let mut found = Vec::new();
        compare(
            &mut found,
            "learners",
            &self.learners,
            &other.learners,
            |l| format!("learner {}", l.id),
        );
        compare(&mut found, "marks", &self.marks, &other.marks, |m| {
            format!(
                "learner {}, {}/{}",
                m.learner, m.value.key.guide, m.value.key.question
            )
        });
        compare(&mut found, "notes", &self.notes, &other.notes, |n| {
            format!(
                "learner {}, {}/{}",
                n.learner, n.value.key.guide, n.value.key.question
            )
        });
        compare(&mut found, "cards", &self.cards, &other.cards, |c| {
            format!(
                "learner {}, {}/{}",
                c.learner, c.value.key.guide, c.value.key.question
            )
        });
        compare(&mut found, "reviews", &self.reviews, &other.reviews, |r| {
            format!(
                "number {}, learner {}, id {}",
                r.seq, r.learner, r.review.id
            )
        });
        compare(
            &mut found,
            "settings",
            &self.settings,
            &other.settings,
            |s| format!("learner {}, {}", s.learner, s.name),
        );
        compare(
            &mut found,
            "interviews",
            &self.interviews,
            &other.interviews,
            |i| format!("learner {}, {}", i.learner, i.value.id),
        );
        compare(&mut found, "secrets", &self.secrets, &other.secrets, |s| {
            s.name.clone()
        });
        found
    }
}

fn invalid(message: String) -> StorageError {
    StorageError::Invalid(format!("cannot import: {message}"))
}

/// Adds a line to `found` when `a` and `b` differ.
fn compare<T: PartialEq>(
    found: &mut Vec<String>,
    what: &str,
    a: &[T],
    b: &[T],
    name: impl Fn(&T) -> String,
) {
    if a == b {
        return;
    }
    let first = a.iter().zip(b).position(|(x, y)| x != y);
    let at = match first {
        Some(i) => {
            let (x, y) = (&a[i], &b[i]);
            let (nx, ny) = (name(x), name(y));
            if nx == ny {
                format!("row {} ({nx}) differs", i + 1)
            } else {
                format!("row {} is {nx} on one side, {ny} on the other", i + 1)
            }
        }
        None => format!("the first {} rows are equal", a.len().min(b.len())),
    };
    found.push(format!(
        "{what}: {} rows against {}; {at}",
        a.len(),
        b.len()
    ));
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::QuestionKey;

    fn dump() -> Dump {
        Dump {
            learners: vec![DumpLearner {
                id: LearnerId(1),
                kind: "personal".into(),
                created_at: 5,
            }],
            marks: vec![Owned {
                learner: LearnerId(1),
                value: Mark {
                    key: QuestionKey::new("g", "q"),
                    at: 1,
                },
            }],
            secrets: vec![DumpSecret {
                name: "csrf".into(),
                value: vec![1, 2],
            }],
            ..Dump::default()
        }
    }

    #[test]
    fn checks_owners_and_rules() {
        assert!(dump().check().is_ok());
        let mut orphan = dump();
        orphan.marks[0].learner = LearnerId(2);
        assert!(orphan.check().is_err());
        let mut twice = dump();
        twice.learners.push(twice.learners[0].clone());
        assert!(twice.check().is_err());
        let mut nul = dump();
        nul.marks[0].value.key.question = "a\0".into();
        assert!(nul.check().is_err());
    }

    #[test]
    fn differences_name_rows_not_content() {
        assert!(dump().differences(&dump()).is_empty());
        let mut other = dump();
        other.marks[0].value.at = 2;
        other.secrets.clear();
        let found = dump().differences(&other);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("marks: 1 rows against 1; row 1 (learner 1, g/q)"));
        assert!(found[1].starts_with("secrets: 1 rows against 0"));
        assert!(!format!("{:?}", dump().secrets).contains("1, 2"));
        assert_eq!(dump().counts()[0], ("learners", 1));
        assert!(Dump::default().is_empty());
    }
}
