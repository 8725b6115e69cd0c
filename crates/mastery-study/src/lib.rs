//! The study domain: pure functions of a guide, the learner's state and time.
//!
//! No I/O, no clock, no web types: callers pass in what the learner has done and the current
//! time, and get back what to show and what to store. [`GuideProgress`] counts what a
//! learner has mastered; [`scheduler`] schedules reviews on the FSRS model, selects what to
//! study, plans for an interview date and fits personal parameters; [`stats`] computes the
//! study statistics (activity, due forecast, true retention, mastery per section, streak);
//! [`interview`] runs mock interviews (key-point matching, lineups, the interview state machine and
//! its report); [`text`] says how the domain's figures read in English (counts, scores,
//! durations), the same on every front end.

pub mod interview;
mod progress;
pub mod scheduler;
pub mod stats;
pub mod text;

pub use progress::{GuideProgress, Progress, SectionProgress, orphaned};

/// A tiny guide for the tests of this crate: sections of junior questions.
#[cfg(test)]
pub(crate) mod test_guide {
    use mastery_content::{Guide, GuideFiles, SourceFile, load_guide};

    /// A junior question with one key point and one reference.
    pub(crate) fn question(id: &str) -> String {
        format!(
            "## {id}?\n\nid: {id}\nlevel: junior\n\nAnswer.\n\n### Key points\n\n- P.\n  Words: p\n\n### References\n\n- [R](https://docs.python.org/)\n\n"
        )
    }

    /// Guide `g` with the given sections: (id, Markdown body after the front matter); each
    /// section's title is its id capitalised.
    pub(crate) fn guide(sections: &[(&str, String)]) -> Guide {
        let toml = "id = \"g\"\ntitle = \"G\"\ndescription = \"d\"\nversion = \"1\"\nlicence = \"MIT\"\nauthors = [\"a\"]\n";
        let mut files = vec![SourceFile {
            path: "guide.toml".into(),
            bytes: toml.as_bytes().to_vec(),
        }];
        for (n, (id, body)) in sections.iter().enumerate() {
            // The title is the id capitalised: "one" -> "One".
            let title: String = id
                .chars()
                .take(1)
                .flat_map(char::to_uppercase)
                .chain(id.chars().skip(1))
                .collect();
            let text = format!("---\nid: {id}\ntitle: {title}\n---\n\n{body}");
            files.push(SourceFile {
                path: format!("{:02}.md", n + 1),
                bytes: text.into_bytes(),
            });
        }
        let report = load_guide(&GuideFiles {
            root: "g".into(),
            files,
        });
        report
            .guide
            .unwrap_or_else(|| panic!("{:#?}", report.diagnostics))
    }
}
