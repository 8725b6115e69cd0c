//! Counts that `mastery check` prints for a loaded guide.

use crate::model::{Guide, Level};

/// What a guide holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuideStats {
    /// Sections.
    pub sections: usize,
    /// Questions at each level: junior, confirmed, senior.
    pub by_level: [usize; 3],
    /// Insight blocks.
    pub insights: usize,
    /// All code blocks.
    pub examples: usize,
    /// Python examples that `mastery verify` runs.
    pub runnable: usize,
    /// Python examples marked `norun`.
    pub norun: usize,
    /// Predict-the-output exercises.
    pub predict: usize,
    /// Key points.
    pub key_points: usize,
    /// References.
    pub references: usize,
    /// Questions with at least one follow-up (ladders).
    pub ladders: usize,
}

impl GuideStats {
    /// Counts everything in `guide`.
    pub fn of(guide: &Guide) -> Self {
        let mut s = Self {
            sections: guide.sections.len(),
            ..Self::default()
        };
        for entry in guide.entries() {
            match entry.level() {
                Some(level) => {
                    s.by_level[Level::ALL.iter().position(|l| *l == level).unwrap_or(0)] += 1
                }
                None => s.insights += 1,
            }
            s.examples += entry.examples.len();
            s.runnable += entry.examples.iter().filter(|e| e.is_runnable()).count();
            s.norun += entry.examples.iter().filter(|e| e.norun).count();
            s.predict += entry.examples.iter().filter(|e| e.predict).count();
            s.key_points += entry.key_points.len();
            s.references += entry.references.len();
            s.ladders += usize::from(!entry.follow_ups.is_empty());
        }
        s
    }

    /// Total questions.
    pub fn questions(&self) -> usize {
        self.by_level.iter().sum()
    }
}
