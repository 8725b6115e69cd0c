//! How much of a guide a learner has mastered.
//!
//! A question is *mastered* when the learner ticked it. Progress counts questions only
//! (insights are reading, not something to master), per section and per guide. The scheduler's
//! [`is_mastered`](crate::scheduler::is_mastered) also counts cards FSRS knows are well learnt:
//! callers pass the ids it accepts as the mastered set.

use std::collections::HashSet;

use mastery_content::Guide;

/// Mastered out of total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Questions mastered.
    pub mastered: usize,
    /// Questions in all.
    pub total: usize,
}

impl Progress {
    /// Whole percent, rounded down, so 100% means every question.
    pub fn percent(self) -> usize {
        (self.mastered * 100).checked_div(self.total).unwrap_or(0)
    }

    /// `true` when every question is mastered (and there is at least one).
    pub fn complete(self) -> bool {
        self.total > 0 && self.mastered == self.total
    }
}

/// Progress of one section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionProgress {
    /// The section's id.
    pub section: String,
    /// Its progress.
    pub progress: Progress,
}

/// Progress of a guide and of each of its sections, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideProgress {
    /// The whole guide.
    pub guide: Progress,
    /// Each section, in the guide's order.
    pub sections: Vec<SectionProgress>,
}

impl GuideProgress {
    /// Computes progress from the ids of the questions the learner mastered in this guide.
    /// Ids that are not questions of the guide are ignored (see [`orphaned`]).
    pub fn of(guide: &Guide, mastered: &HashSet<&str>) -> Self {
        let sections: Vec<SectionProgress> = guide
            .sections
            .iter()
            .map(|section| {
                let mut progress = Progress::default();
                for q in section.questions() {
                    progress.total += 1;
                    progress.mastered += usize::from(mastered.contains(q.id.as_str()));
                }
                SectionProgress {
                    section: section.id.to_string(),
                    progress,
                }
            })
            .collect();
        let guide = sections
            .iter()
            .fold(Progress::default(), |acc, s| Progress {
                mastered: acc.mastered + s.progress.mastered,
                total: acc.total + s.progress.total,
            });
        Self { guide, sections }
    }

    /// The progress of one section by id.
    pub fn section(&self, id: &str) -> Progress {
        self.sections
            .iter()
            .find(|s| s.section == id)
            .map(|s| s.progress)
            .unwrap_or_default()
    }
}

/// Of the question ids a learner has state for in `guide`, those the guide no longer has:
/// shown on the settings page so nothing is dropped silently.
pub fn orphaned<'a>(guide: &Guide, ids: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = ids
        .into_iter()
        .filter(|id| guide.entry(id).is_none())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guide() -> Guide {
        use crate::test_guide::{guide, question};
        let insight = "## Insight\n\nkind: insight\nid: i\n\nProse.\n\n### References\n\n- [R](https://docs.python.org/)\n";
        guide(&[
            ("one", format!("{}{}", question("a"), question("b"))),
            ("two", format!("{}{insight}", question("c"))),
        ])
    }

    #[test]
    fn progress_counts_questions_per_section() {
        let g = guide();
        /// (mastered ids, section one, section two, guide percent)
        type Case<'a> = (&'a [&'a str], (usize, usize), (usize, usize), usize);
        let cases: &[Case<'_>] = &[
            (&[], (0, 2), (0, 1), 0),
            (&["a"], (1, 2), (0, 1), 33),
            (&["a", "b", "c"], (2, 2), (1, 1), 100),
            (&["i", "gone"], (0, 2), (0, 1), 0),
        ];
        for (ids, one, two, percent) in cases {
            let set: HashSet<&str> = ids.iter().copied().collect();
            let p = GuideProgress::of(&g, &set);
            assert_eq!(
                (p.section("one").mastered, p.section("one").total),
                *one,
                "{ids:?}"
            );
            assert_eq!(
                (p.section("two").mastered, p.section("two").total),
                *two,
                "{ids:?}"
            );
            assert_eq!(p.guide.percent(), *percent, "{ids:?}");
        }
    }

    #[test]
    fn empty_progress_is_zero_percent() {
        assert_eq!(Progress::default().percent(), 0);
        assert!(!Progress::default().complete());
        assert!(
            Progress {
                mastered: 3,
                total: 3
            }
            .complete()
        );
    }

    #[test]
    fn orphans_are_ids_the_guide_lost() {
        let g = guide();
        assert_eq!(
            orphaned(&g, ["a", "old-one", "i", "old-one", "zz"]),
            ["old-one", "zz"]
        );
    }
}
