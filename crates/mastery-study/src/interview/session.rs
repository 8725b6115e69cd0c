//! One mock interview as a state machine: ask, answer, correct, move on, finish.
//!
//! An [`Interview`] is a plain value (serde, versioned with [`VERSION`]) that the app stores
//! as JSON between requests. Every operation takes the current time `now` (milliseconds
//! since the epoch); nothing here reads a clock.
//!
//! **The flow.** [`Interview::start`] asks the lineup's first main question. The learner
//! [`submit`](Interview::submit)s a typed answer (graded automatically, see
//! [`matching`](super::matching)) or marks it answered aloud (no automatic ticks: the learner
//! ticks what they said). They may [`correct`](Interview::correct) any tick of any answered
//! question, even after the interview is finished; corrections are stored apart from the
//! automatic ticks, so the report shows both. [`next`](Interview::next) asks the next
//! question, or finishes the interview when there is none; [`finish`](Interview::finish)
//! ends it early.
//!
//! **Time.** Each question, main or follow-up, has the lineup's per-question budget: its
//! deadline is the time it was asked plus that budget. An answer submitted more than
//! [`GRACE_MS`] after the deadline is kept and graded but recorded as timed out;
//! [`expire`](Interview::expire) records a question still unanswered after its deadline as
//! timed out with an empty answer (the page calls it when its countdown ends, the server when
//! it loads an interview). Timed-out questions are rated Again in the report.
//!
//! **The follow-up ladder.** When the question just answered *covers the basics* — it was
//! answered in time, the typed answer does not read as a keyword list, and at least
//! [`LADDER_THRESHOLD`] (60%) of its key points are ticked after the learner's corrections —
//! and it has follow-ups, the next question is its first follow-up not yet asked in this
//! interview, one level deeper. The ladder goes on as long as the answers cover the basics,
//! down to [`MAX_DEPTH`] levels; a weak answer, or a question without an unasked follow-up,
//! ends it and the next planned main question comes. Follow-ups do not take the place of
//! planned main questions: every main question is still asked, and a strong candidate's
//! interview runs longer than the planned total, as a real interviewer digs deeper with a
//! strong candidate. The report shows planned and used time.
//!
//! **Guides change.** Questions are stored by id. A planned question that is no longer in
//! the guide is skipped; one asked before the guide changed keeps its answer and ticks, and
//! the report lists it as missing. Nothing panics on a stale interview.

use std::collections::HashSet;

use mastery_content::Guide;
use serde::{Deserialize, Serialize};

use super::lineup::Lineup;
use super::matching::{Grading, Matcher};
use crate::scheduler::{Millis, SECOND_MS};

/// The version of the stored interview format.
pub const VERSION: u32 = 1;
/// An answer submitted up to this long after the deadline is still in time (network and
/// countdown jitter).
pub const GRACE_MS: Millis = 2 * SECOND_MS;
/// The share of key points (after corrections) an answer needs to open the next follow-up.
pub const LADDER_THRESHOLD: f64 = 0.6;
/// The deepest follow-up asked below a main question.
pub const MAX_DEPTH: u32 = 3;
/// The longest typed answer accepted, in characters (what a browser's `maxlength` counts
/// for text without emoji; a five-minute answer is a few thousand; the limit keeps a stored
/// interview small).
pub const MAX_ANSWER_CHARS: usize = 10_000;

/// What the learner answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Answer {
    /// A typed answer (empty for a question that timed out unanswered).
    Typed {
        /// The text as typed.
        text: String,
    },
    /// Answered aloud: nothing to grade, the learner ticks the points themselves.
    Aloud,
}

/// One question asked in the interview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// The question's id in the guide.
    pub question: String,
    /// 0 for a main question, 1 and more for follow-ups on its ladder.
    pub depth: u32,
    /// The item this one follows up, for a follow-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<usize>,
    /// When it was asked.
    pub asked_at: Millis,
    /// When its time runs out.
    pub deadline: Millis,
    /// The answer, once submitted (or expired).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
    /// When the answer was submitted (the deadline, for an expired question).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<Millis>,
    /// Submitted after the deadline, or expired unanswered.
    #[serde(default)]
    pub timed_out: bool,
    /// The automatic tick of each key point (all `false` for aloud and expired answers).
    #[serde(default)]
    pub auto: Vec<bool>,
    /// The learner's corrections, one per key point: `None` keeps the automatic tick.
    #[serde(default)]
    pub corrections: Vec<Option<bool>>,
    /// The typed answer read as a keyword list (see [`Grading::list_like`]).
    #[serde(default)]
    pub list_like: bool,
    /// The typed answer was too short for all the points found (see [`Grading::too_short`]).
    #[serde(default)]
    pub too_short: bool,
}

impl Item {
    fn asked(
        question: String,
        depth: u32,
        parent: Option<usize>,
        now: Millis,
        lineup: &Lineup,
        points: usize,
    ) -> Self {
        Self {
            question,
            depth,
            parent,
            asked_at: now,
            deadline: now.saturating_add(lineup.per_question_ms),
            answer: None,
            submitted_at: None,
            timed_out: false,
            auto: vec![false; points],
            corrections: vec![None; points],
            list_like: false,
            too_short: false,
        }
    }

    /// `true` once an answer was submitted or the question expired.
    pub fn is_answered(&self) -> bool {
        self.answer.is_some()
    }

    /// The tick of key point `k` after corrections, if there is such a point.
    pub fn ticked(&self, k: usize) -> Option<bool> {
        let auto = *self.auto.get(k)?;
        Some(self.corrections.get(k).copied().flatten().unwrap_or(auto))
    }

    /// The tick of every key point after corrections.
    pub fn ticks(&self) -> Vec<bool> {
        (0..self.auto.len())
            .map(|k| self.ticked(k).unwrap_or(false))
            .collect()
    }

    /// Ticked key points over all key points, after corrections; `None` before an answer or
    /// for a question without key points.
    pub fn score(&self) -> Option<f64> {
        if !self.is_answered() || self.auto.is_empty() {
            return None;
        }
        let ticked = self.ticks().into_iter().filter(|&t| t).count();
        Some(ticked as f64 / self.auto.len() as f64)
    }

    /// `true` when the answer opens the next follow-up (see the module docs).
    pub fn covers_basics(&self) -> bool {
        self.is_answered()
            && !self.timed_out
            && !self.list_like
            && self.score().is_some_and(|s| s >= LADDER_THRESHOLD)
    }

    /// Time from asking to answering, once answered (never negative).
    pub fn used_ms(&self) -> Option<Millis> {
        self.submitted_at
            .map(|at| at.saturating_sub(self.asked_at).max(0))
    }

    /// Time left before the deadline at `now` (never negative).
    pub fn remaining_ms(&self, now: Millis) -> Millis {
        self.deadline.saturating_sub(now).max(0)
    }

    /// The time budget of this question.
    pub fn budget_ms(&self) -> Millis {
        self.deadline.saturating_sub(self.asked_at).max(0)
    }

    fn is_late(&self, now: Millis) -> bool {
        now > self.deadline.saturating_add(GRACE_MS)
    }
}

/// A mock interview in progress or finished.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interview {
    /// The format version, [`VERSION`] when written by this code.
    pub version: u32,
    /// The guide's id.
    pub guide: String,
    /// The lineup: main questions, time budget, seed (stored as `plan`, its first name).
    #[serde(rename = "plan")]
    pub lineup: Lineup,
    /// The questions asked so far, in order; the last one is the current one until the
    /// interview is finished.
    pub items: Vec<Item>,
    /// When it started.
    pub started_at: Millis,
    /// When it finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Millis>,
}

/// Why an operation on an interview was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The interview is finished.
    #[error("this interview is finished")]
    Finished,
    /// The current question already has an answer.
    #[error("this question has already been answered")]
    AlreadyAnswered,
    /// The current question has no answer yet and its time is not up.
    #[error("answer this question (or let its time run out) before moving on")]
    NotAnswered,
    /// No item has this index.
    #[error("this interview has no question number {0}")]
    UnknownItem(usize),
    /// The item has not been answered, so it has no ticks to correct.
    #[error("question number {0} has not been answered yet")]
    ItemNotAnswered(usize),
    /// The item's question has no key point with this index.
    #[error("question number {item} has no key point number {key_point}")]
    UnknownKeyPoint {
        /// The item's index.
        item: usize,
        /// The key point's index.
        key_point: usize,
    },
    /// The typed answer is longer than [`MAX_ANSWER_CHARS`].
    #[error("an answer is limited to {max} characters (this one has {len})")]
    AnswerTooLong {
        /// The answer's length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// None of the planned questions is in the guide.
    #[error("none of the planned questions is in the guide")]
    NoQuestion,
    /// The interview was made on another guide.
    #[error("this interview belongs to guide {expected:?}, not {actual:?}")]
    WrongGuide {
        /// The interview's guide.
        expected: String,
        /// The guide passed in.
        actual: String,
    },
    /// Stored by another version of Mastery.
    #[error("interview data of version {0} cannot be read (this version reads {VERSION})")]
    UnsupportedVersion(u32),
}

/// What [`Interview::submit`] recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Submitted {
    /// The index of the answered item.
    pub item: usize,
    /// The answer came after the deadline.
    pub timed_out: bool,
    /// The automatic grading of a typed answer; `None` for an aloud answer or a question
    /// that is no longer in the guide.
    pub grading: Option<Grading>,
    /// The question is no longer in the guide.
    pub missing: bool,
}

/// What [`Interview::next`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Asked the item with this index.
    Asked {
        /// The new item's index.
        item: usize,
        /// `true` for a follow-up on the ladder, `false` for a main question.
        follow_up: bool,
    },
    /// No question is left: the interview is finished.
    Finished,
}

/// The number of key points of question `id`, or `None` when it is not a question of `guide`.
fn key_points(guide: &Guide, id: &str) -> Option<usize> {
    guide
        .entry(id)
        .filter(|e| e.level().is_some())
        .map(|e| e.key_points.len())
}

impl Interview {
    /// Starts `lineup` on `guide` at `now`: the first planned question that is in the guide is
    /// asked.
    pub fn start(guide: &Guide, lineup: Lineup, now: Millis) -> Result<Self, SessionError> {
        let (question, points) = lineup
            .questions
            .iter()
            .find_map(|q| key_points(guide, q).map(|n| (q.clone(), n)))
            .ok_or(SessionError::NoQuestion)?;
        let first = Item::asked(question, 0, None, now, &lineup, points);
        Ok(Self {
            version: VERSION,
            guide: guide.id.to_string(),
            lineup,
            items: vec![first],
            started_at: now,
            finished_at: None,
        })
    }

    /// Checks that this interview, read from storage, is in a format this code reads.
    pub fn check_version(&self) -> Result<(), SessionError> {
        if self.version == VERSION {
            Ok(())
        } else {
            Err(SessionError::UnsupportedVersion(self.version))
        }
    }

    /// `true` once finished.
    pub fn is_finished(&self) -> bool {
        self.finished_at.is_some()
    }

    /// The index of the current item, unless the interview is finished.
    pub fn current_index(&self) -> Option<usize> {
        if self.is_finished() {
            None
        } else {
            self.items.len().checked_sub(1)
        }
    }

    /// The current item, unless the interview is finished.
    pub fn current(&self) -> Option<&Item> {
        self.current_index().and_then(|i| self.items.get(i))
    }

    fn check_guide(&self, guide: &Guide) -> Result<(), SessionError> {
        if guide.id.as_str() == self.guide {
            Ok(())
        } else {
            Err(SessionError::WrongGuide {
                expected: self.guide.clone(),
                actual: guide.id.to_string(),
            })
        }
    }

    fn current_mut(&mut self) -> Result<(usize, &mut Item), SessionError> {
        let index = self.current_index().ok_or(SessionError::Finished)?;
        let item = self
            .items
            .get_mut(index)
            .ok_or(SessionError::UnknownItem(index))?;
        Ok((index, item))
    }

    /// Records the answer to the current question at `now` and grades a typed one (at most
    /// [`MAX_ANSWER_CHARS`]; a longer one is refused and the question stays open).
    pub fn submit(
        &mut self,
        guide: &Guide,
        answer: Answer,
        now: Millis,
    ) -> Result<Submitted, SessionError> {
        self.check_guide(guide)?;
        if let Answer::Typed { text } = &answer {
            let len = text.chars().count();
            if len > MAX_ANSWER_CHARS {
                return Err(SessionError::AnswerTooLong {
                    len,
                    max: MAX_ANSWER_CHARS,
                });
            }
        }
        let (index, item) = self.current_mut()?;
        if item.is_answered() {
            return Err(SessionError::AlreadyAnswered);
        }
        let entry = guide.entry(&item.question).filter(|e| e.level().is_some());
        let grading = match (&answer, entry) {
            (Answer::Typed { text }, Some(entry)) => {
                Some(Matcher::new(&entry.key_points).grade(text))
            }
            _ => None,
        };
        let points = entry.map_or(0, |e| e.key_points.len());
        item.auto = grading
            .as_ref()
            .map_or_else(|| vec![false; points], Grading::ticks);
        item.corrections = vec![None; points];
        item.list_like = grading.as_ref().is_some_and(|g| g.list_like);
        item.too_short = grading.as_ref().is_some_and(|g| g.too_short);
        item.timed_out = item.is_late(now);
        item.submitted_at = Some(now);
        item.answer = Some(answer);
        Ok(Submitted {
            item: index,
            timed_out: item.timed_out,
            grading,
            missing: entry.is_none(),
        })
    }

    /// Sets the tick of key point `key_point` of item `item` to `ticked`, overriding the
    /// automatic tick (setting it back to the automatic value removes the correction).
    /// Allowed on any answered item, also after the interview is finished.
    pub fn correct(
        &mut self,
        item: usize,
        key_point: usize,
        ticked: bool,
    ) -> Result<(), SessionError> {
        let it = self
            .items
            .get_mut(item)
            .ok_or(SessionError::UnknownItem(item))?;
        if !it.is_answered() {
            return Err(SessionError::ItemNotAnswered(item));
        }
        let auto = *it
            .auto
            .get(key_point)
            .ok_or(SessionError::UnknownKeyPoint { item, key_point })?;
        if it.corrections.len() != it.auto.len() {
            it.corrections.resize(it.auto.len(), None);
        }
        if let Some(slot) = it.corrections.get_mut(key_point) {
            *slot = (ticked != auto).then_some(ticked);
        }
        Ok(())
    }

    /// Records the current question as timed out with an empty answer when its deadline
    /// (plus [`GRACE_MS`]) has passed at `now` without an answer. Returns `true` when it did.
    pub fn expire(&mut self, now: Millis) -> bool {
        let Ok((_, item)) = self.current_mut() else {
            return false;
        };
        if item.is_answered() || !item.is_late(now) {
            return false;
        }
        item.answer = Some(Answer::Typed {
            text: String::new(),
        });
        item.submitted_at = Some(item.deadline);
        item.timed_out = true;
        item.auto.iter_mut().for_each(|t| *t = false);
        item.corrections.iter_mut().for_each(|c| *c = None);
        true
    }

    /// `true` when question `id` was asked in this interview.
    fn was_asked(&self, id: &str) -> bool {
        self.items.iter().any(|i| i.question == id)
    }

    /// Moves on at `now`: the next follow-up on the ladder when the current answer covers the
    /// basics, else the next planned main question, else finishes the interview (see the
    /// module docs). An unanswered current question whose time is up is expired first.
    pub fn next(&mut self, guide: &Guide, now: Millis) -> Result<Step, SessionError> {
        self.check_guide(guide)?;
        self.expire(now);
        let (index, current) = self.current_mut()?;
        if !current.is_answered() {
            return Err(SessionError::NotAnswered);
        }
        let current = current.clone();
        if current.covers_basics() && current.depth < MAX_DEPTH {
            let follow_up = guide.entry(&current.question).and_then(|entry| {
                entry.follow_ups.iter().find_map(|id| {
                    let id = id.as_str();
                    if self.was_asked(id) {
                        return None;
                    }
                    key_points(guide, id).map(|n| (id.to_owned(), n))
                })
            });
            if let Some((question, points)) = follow_up {
                let item = Item::asked(
                    question,
                    current.depth + 1,
                    Some(index),
                    now,
                    &self.lineup,
                    points,
                );
                self.items.push(item);
                return Ok(Step::Asked {
                    item: self.items.len() - 1,
                    follow_up: true,
                });
            }
        }
        let main = self.lineup.questions.iter().find_map(|q| {
            if self.was_asked(q) {
                return None;
            }
            key_points(guide, q).map(|n| (q.clone(), n))
        });
        match main {
            Some((question, points)) => {
                let item = Item::asked(question, 0, None, now, &self.lineup, points);
                self.items.push(item);
                Ok(Step::Asked {
                    item: self.items.len() - 1,
                    follow_up: false,
                })
            }
            None => {
                self.finished_at = Some(now);
                Ok(Step::Finished)
            }
        }
    }

    /// Ends the interview at `now`. The current question, if unanswered, is expired when its
    /// time is up and otherwise stays unanswered (it scores 0 and gets no rating).
    pub fn finish(&mut self, now: Millis) -> Result<(), SessionError> {
        if self.is_finished() {
            return Err(SessionError::Finished);
        }
        self.expire(now);
        self.finished_at = Some(now);
        Ok(())
    }

    /// Question ids of this interview (asked or planned) that are not questions of `guide`.
    pub fn missing(&self, guide: &Guide) -> Vec<String> {
        let mut seen = HashSet::new();
        self.items
            .iter()
            .map(|i| &i.question)
            .chain(&self.lineup.questions)
            .filter(|q| key_points(guide, q).is_none() && seen.insert(q.as_str()))
            .cloned()
            .collect()
    }
}
