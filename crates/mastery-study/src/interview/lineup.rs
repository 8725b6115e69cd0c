//! What a mock interview asks: presets, custom interviews, and the choice of questions.
//!
//! A [`Lineup`] is the list of *main* questions of one interview, in the order they are asked,
//! with a time budget per question. It comes from a [`Preset`] (three ready-made interviews)
//! or a [`Custom`] request (levels, sections, number of questions, minutes per question).
//!
//! **Sections of a preset.** A preset names the sections it wants by *hints*: a section
//! matches a hint when its id equals the hint or its title contains it (ignoring case). The
//! hints fit the Python & Django guide; on a guide where no section matches, or where the
//! matching sections have no question at the preset's levels, the preset uses every section
//! at those levels instead, so every preset works on every guide that has questions at its
//! levels.
//!
//! **Choosing the questions** ([`select`]) is deterministic: the same guide, filters, count
//! and seed always give the same lineup, so the app stores the seed and can rebuild it.
//! - The candidates are the questions of the chosen sections at the chosen levels.
//! - Within each section they are shuffled by the seed, questions that start a ladder (no
//!   other question lists them as a follow-up) first, so that follow-ups are left for the
//!   ladders.
//! - Questions are then taken from the sections in turn (round-robin, starting from a section
//!   picked by the seed) until the count is reached or the candidates run out: an interview
//!   spreads over its sections. A request for more questions than there are candidates asks
//!   every candidate.
//! - The chosen questions are asked in the guide's section order, then by level (junior
//!   first), then in the guide's order.
//!
//! **Time.** A preset's total time is shared equally by its main questions; a custom
//! interview gives each question its minutes. Follow-ups get the same budget each (see
//! `session`).

use std::collections::HashSet;

use mastery_content::{Guide, Level};
use serde::{Deserialize, Serialize};

use super::levels::level_list;
use crate::scheduler::{MINUTE_MS, Millis};

/// The fewest minutes per question of a custom interview.
pub const MIN_MINUTES_PER_QUESTION: u32 = 1;
/// The most minutes per question of a custom interview.
pub const MAX_MINUTES_PER_QUESTION: u32 = 30;
/// The most main questions of one interview.
pub const MAX_QUESTIONS: usize = 50;

/// A ready-made interview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// Stable id, used in URLs and stored plans.
    pub id: &'static str,
    /// Title shown on the start page.
    pub title: &'static str,
    /// One sentence on what it rehearses.
    pub description: &'static str,
    /// The levels it asks.
    pub levels: &'static [Level],
    /// Section hints (see the module docs); empty for every section.
    pub sections: &'static [&'static str],
    /// Total time of the main questions, in minutes.
    pub minutes: u32,
    /// Number of main questions.
    pub questions: usize,
}

/// The presets, in the order the start page lists them.
pub const PRESETS: [Preset; 3] = [
    Preset {
        id: "recruiter-screen",
        title: "Recruiter screen",
        description: "Five junior and confirmed questions in 15 minutes, across the guide: \
                      the first call of a hiring process.",
        levels: &[Level::Junior, Level::Confirmed],
        sections: &[],
        minutes: 15,
        questions: 5,
    },
    Preset {
        id: "senior-python-internals",
        title: "Senior Python internals",
        description: "Nine senior questions on the interpreter, memory and the object model \
                      in 45 minutes.",
        levels: &[Level::Senior],
        sections: &["core-python", "modern-python", "internals"],
        minutes: 45,
        questions: 9,
    },
    Preset {
        id: "django-architecture-scaling",
        title: "Django architecture and scaling",
        description: "Six confirmed and senior questions on Django's architecture, security \
                      and scaling in 30 minutes.",
        levels: &[Level::Confirmed, Level::Senior],
        sections: &["django", "security-scaling", "architecture", "scaling"],
        minutes: 30,
        questions: 6,
    },
];

/// The preset with this id.
pub fn preset(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}

/// A custom interview, as the learner fills in the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Custom {
    /// Levels to ask; empty for every level.
    #[serde(with = "level_list")]
    pub levels: Vec<Level>,
    /// Section ids to ask; empty for every section.
    pub sections: Vec<String>,
    /// Number of main questions (1 to [`MAX_QUESTIONS`]).
    pub questions: usize,
    /// Minutes per question ([`MIN_MINUTES_PER_QUESTION`] to [`MAX_MINUTES_PER_QUESTION`]).
    pub minutes_per_question: u32,
}

/// Why a lineup cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineupError {
    /// No preset has this id.
    #[error("there is no interview preset {0:?}")]
    UnknownPreset(String),
    /// The guide has no section with this id.
    #[error("the guide has no section {0:?}")]
    UnknownSection(String),
    /// Zero questions were asked for.
    #[error("an interview needs at least one question")]
    NoQuestions,
    /// More than [`MAX_QUESTIONS`] questions were asked for.
    #[error("an interview has at most {max} questions, not {requested}")]
    TooManyQuestions {
        /// What was asked for.
        requested: usize,
        /// The limit.
        max: usize,
    },
    /// Minutes per question outside the allowed range.
    #[error(
        "minutes per question must be {MIN_MINUTES_PER_QUESTION} to {MAX_MINUTES_PER_QUESTION}, not {0}"
    )]
    MinutesOutOfRange(u32),
    /// No question of the guide matches the levels and sections.
    #[error("no question of this guide matches these levels and sections")]
    NoMatchingQuestion,
}

/// What to ask for: a preset by id, or a custom interview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Request {
    /// A preset.
    Preset {
        /// The preset's id.
        id: String,
    },
    /// A custom interview.
    Custom(Custom),
}

/// The main questions of one interview and their time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lineup {
    /// The preset or custom request it was made from.
    pub source: Request,
    /// The title shown during the interview and on the report.
    pub title: String,
    /// The levels asked.
    #[serde(with = "level_list")]
    pub levels: Vec<Level>,
    /// The section ids the questions were drawn from.
    pub sections: Vec<String>,
    /// The seed the questions were chosen with.
    pub seed: u64,
    /// Main question ids, in the order they are asked.
    pub questions: Vec<String>,
    /// The time budget of each question (main or follow-up).
    pub per_question_ms: Millis,
}

impl Lineup {
    /// The planned time of the main questions.
    pub fn total_ms(&self) -> Millis {
        self.per_question_ms
            .saturating_mul(Millis::try_from(self.questions.len()).unwrap_or(Millis::MAX))
    }
}

/// Makes the lineup of `request` on `guide` with `seed`.
pub fn lineup(guide: &Guide, request: &Request, seed: u64) -> Result<Lineup, LineupError> {
    match request {
        Request::Preset { id } => preset(id)
            .ok_or_else(|| LineupError::UnknownPreset(id.clone()))?
            .lineup(guide, seed),
        Request::Custom(custom) => custom.lineup(guide, seed),
    }
}

impl Preset {
    /// The section ids of `guide` this preset asks (see the module docs for the fallback).
    pub fn section_ids(&self, guide: &Guide) -> Vec<String> {
        let all: Vec<String> = guide.sections.iter().map(|s| s.id.to_string()).collect();
        if self.sections.is_empty() {
            return all;
        }
        let matching: Vec<String> = guide
            .sections
            .iter()
            .filter(|s| {
                let title = s.title.to_lowercase();
                self.sections
                    .iter()
                    .any(|hint| s.id.as_str() == *hint || title.contains(&hint.to_lowercase()))
            })
            .map(|s| s.id.to_string())
            .collect();
        if candidates(guide, self.levels, &matching).is_empty() {
            all
        } else {
            matching
        }
    }

    /// Makes this preset's lineup on `guide` with `seed`.
    pub fn lineup(&self, guide: &Guide, seed: u64) -> Result<Lineup, LineupError> {
        let sections = self.section_ids(guide);
        let questions = select(guide, self.levels, &sections, self.questions, seed);
        if questions.is_empty() {
            return Err(LineupError::NoMatchingQuestion);
        }
        let count = Millis::try_from(self.questions.max(1)).unwrap_or(1);
        Ok(Lineup {
            source: Request::Preset {
                id: self.id.to_owned(),
            },
            title: self.title.to_owned(),
            levels: self.levels.to_vec(),
            sections,
            seed,
            questions,
            per_question_ms: Millis::from(self.minutes) * MINUTE_MS / count,
        })
    }
}

impl Custom {
    /// Checks the request against the limits and the guide's sections.
    pub fn validate(&self, guide: &Guide) -> Result<(), LineupError> {
        if self.questions == 0 {
            return Err(LineupError::NoQuestions);
        }
        if self.questions > MAX_QUESTIONS {
            return Err(LineupError::TooManyQuestions {
                requested: self.questions,
                max: MAX_QUESTIONS,
            });
        }
        if !(MIN_MINUTES_PER_QUESTION..=MAX_MINUTES_PER_QUESTION)
            .contains(&self.minutes_per_question)
        {
            return Err(LineupError::MinutesOutOfRange(self.minutes_per_question));
        }
        if let Some(unknown) = self
            .sections
            .iter()
            .find(|id| !guide.sections.iter().any(|s| s.id.as_str() == id.as_str()))
        {
            return Err(LineupError::UnknownSection(unknown.clone()));
        }
        Ok(())
    }

    /// Makes the lineup of this custom interview on `guide` with `seed`.
    pub fn lineup(&self, guide: &Guide, seed: u64) -> Result<Lineup, LineupError> {
        self.validate(guide)?;
        let levels: Vec<Level> = if self.levels.is_empty() {
            Level::ALL.to_vec()
        } else {
            self.levels.clone()
        };
        let sections: Vec<String> = if self.sections.is_empty() {
            guide.sections.iter().map(|s| s.id.to_string()).collect()
        } else {
            // In the guide's order, without repeats.
            guide
                .sections
                .iter()
                .filter(|s| self.sections.iter().any(|id| id == s.id.as_str()))
                .map(|s| s.id.to_string())
                .collect()
        };
        let questions = select(guide, &levels, &sections, self.questions, seed);
        if questions.is_empty() {
            return Err(LineupError::NoMatchingQuestion);
        }
        Ok(Lineup {
            source: Request::Custom(self.clone()),
            title: "Custom interview".to_owned(),
            levels,
            sections,
            seed,
            questions,
            per_question_ms: Millis::from(self.minutes_per_question) * MINUTE_MS,
        })
    }
}

/// The candidate questions: (section index, level, index in section, id), in guide order.
fn candidates<'g>(
    guide: &'g Guide,
    levels: &[Level],
    sections: &[String],
) -> Vec<(usize, Level, usize, &'g str)> {
    guide
        .sections
        .iter()
        .enumerate()
        .filter(|(_, s)| sections.iter().any(|id| id == s.id.as_str()))
        .flat_map(|(si, s)| {
            s.entries.iter().enumerate().filter_map(move |(ei, e)| {
                let level = e.level()?;
                levels
                    .contains(&level)
                    .then_some((si, level, ei, e.id.as_str()))
            })
        })
        .collect()
}

/// A small deterministic generator (SplitMix64): the same seed gives the same sequence on
/// every platform.
#[derive(Debug, Clone)]
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        // The modulo bias is negligible for guide-sized `n`.
        (self.next() % n.max(1) as u64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// Chooses up to `count` main questions of `guide` at `levels` in the sections `sections`
/// (ids) with `seed`, as described in the module docs.
pub fn select(
    guide: &Guide,
    levels: &[Level],
    sections: &[String],
    count: usize,
    seed: u64,
) -> Vec<String> {
    let follow_ups: HashSet<&str> = guide
        .questions()
        .flat_map(|e| e.follow_ups.iter().map(|id| id.as_str()))
        .collect();
    let all = candidates(guide, levels, sections);
    let mut rng = SplitMix(seed);
    // Per section, shuffled, ladder starts first.
    let mut pools: Vec<Vec<(usize, Level, usize, &str)>> = Vec::new();
    for c in all {
        match pools.last_mut() {
            Some(pool) if pool.first().is_some_and(|p| p.0 == c.0) => pool.push(c),
            _ => pools.push(vec![c]),
        }
    }
    for pool in &mut pools {
        rng.shuffle(pool);
        pool.sort_by_key(|c| follow_ups.contains(c.3));
        pool.reverse();
    }
    let mut chosen = Vec::new();
    if !pools.is_empty() {
        let n = pools.len();
        let mut turn = rng.below(n);
        while chosen.len() < count && pools.iter().any(|p| !p.is_empty()) {
            if let Some(c) = pools[turn % n].pop() {
                chosen.push(c);
            }
            turn += 1;
        }
    }
    chosen.sort_by_key(|c| (c.0, c.1, c.2));
    chosen.into_iter().map(|c| c.3.to_owned()).collect()
}
