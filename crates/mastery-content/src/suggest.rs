//! Suggested improvements to one question: its Markdown as the guide's files have it, the
//! guide with a proposed text in its place checked by the same rules as `mastery check`,
//! and the line diff people read and `git apply` accepts.
//!
//! A question's text runs from its `## ` heading to the next entry's heading (or the end of
//! its file), without the blank lines that separate it from the next. A suggestion
//! replaces exactly those lines, so a patch made of several suggestions touches nothing
//! else.

use std::fmt::Write as _;
use std::time::Duration;

use similar::{ChangeTag, TextDiff};

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Guide;
use crate::parse::load_guide;
use crate::source::{GuideFiles, SourceFile};

/// One question's Markdown in its guide's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionSource {
    /// The file, relative to the guide folder (`01-core-python.md`).
    pub file: String,
    /// The 1-based line of the question's `## ` heading.
    pub line: usize,
    /// From the heading to the next entry, without trailing blank lines; `\n` line endings,
    /// ending with one.
    pub text: String,
}

/// Why a proposed text cannot take a question's place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What is wrong and how to fix it, one line per problem, lines counted from the
    /// proposed text's first line (`line 3: …`).
    pub problems: Vec<String>,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.problems.join("; "))
    }
}

/// The longest proposed text, in bytes.
pub const MAX_SUGGESTION_BYTES: usize = 60_000;

/// The most lines a proposed text may have.
pub const MAX_SUGGESTION_LINES: usize = 2_000;

/// How long one diff may search for the shortest edit before it settles for a longer one
/// (still correct): bounds the time a crafted text can take.
const DIFF_TIMEOUT: Duration = Duration::from_millis(100);

fn line_diff<'a>(old: &'a str, new: &'a str) -> TextDiff<'a, 'a, 'a, str> {
    TextDiff::configure()
        .timeout(DIFF_TIMEOUT)
        .diff_lines(old, new)
}

/// Why a text is too large to be a suggestion, if it is (checked before any other work).
#[must_use]
pub fn too_large(text: &str) -> Option<String> {
    if text.len() > MAX_SUGGESTION_BYTES {
        Some(format!(
            "the proposed text is {} bytes long; at most {MAX_SUGGESTION_BYTES} are accepted",
            text.len()
        ))
    } else if text.lines().count() > MAX_SUGGESTION_LINES {
        Some(format!(
            "the proposed text has more than {MAX_SUGGESTION_LINES} lines"
        ))
    } else {
        None
    }
}

/// Normalises a text typed in a form: `\r\n` and `\r` become `\n`, trailing blank lines
/// and spaces at line ends go, and it ends with one `\n` (empty stays empty).
#[must_use]
pub fn normalise(text: &str) -> String {
    let unix = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(unix.len() + 1);
    for line in unix.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    if out.trim().is_empty() {
        out.clear();
    }
    out
}

/// The Markdown of `question` in `files`, which `guide` was loaded from; `None` when the
/// guide has no such entry or its file is not among `files`.
#[must_use]
pub fn question_source(
    files: &GuideFiles,
    guide: &Guide,
    question: &str,
) -> Option<QuestionSource> {
    let entry = guide
        .sections
        .iter()
        .flat_map(|s| &s.entries)
        .find(|e| e.id.as_str() == question)?;
    let display = &entry.location.file;
    let file = files
        .files
        .iter()
        .find(|f| &files.display_path(&f.path) == display)?;
    let text = std::str::from_utf8(&file.bytes).ok()?;
    // The next entry of the same file starts where this one ends.
    let next = guide
        .sections
        .iter()
        .flat_map(|s| &s.entries)
        .filter(|e| &e.location.file == display && e.location.line > entry.location.line)
        .map(|e| e.location.line)
        .min();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let start = entry.location.line.checked_sub(1)?;
    let end = next.map_or(lines.len(), |n| n - 1).min(lines.len());
    let body = normalise(&lines.get(start..end)?.concat());
    Some(QuestionSource {
        file: file.path.clone(),
        line: entry.location.line,
        text: body,
    })
}

/// The file `source.file` of `files` with the question's lines replaced by `proposed`
/// (normalised), as text; `None` when the file no longer holds `source.text` at
/// `source.line` (the guide changed since).
#[must_use]
pub fn replaced_file(
    files: &GuideFiles,
    source: &QuestionSource,
    proposed: &str,
) -> Option<String> {
    let file = files.files.iter().find(|f| f.path == source.file)?;
    let text = std::str::from_utf8(&file.bytes).ok()?;
    let crlf = text.contains("\r\n");
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let start = source.line.checked_sub(1)?;
    let count = source.text.lines().count();
    let end = start.checked_add(count)?;
    let current = normalise(&lines.get(start..end)?.concat());
    if current != source.text {
        return None;
    }
    let mut new = normalise(proposed);
    if crlf {
        new = new.replace('\n', "\r\n");
    }
    let mut out = String::with_capacity(text.len() + new.len());
    out.extend(lines.get(..start)?.iter().copied());
    out.push_str(&new);
    out.extend(lines.get(end..)?.iter().copied());
    Some(out)
}

/// Checks that `proposed` can take the place of `question` in the guide: the guide still
/// loads without errors, gains no warning, keeps every entry, and the text is still that
/// question (same id, one `## ` heading).
///
/// # Errors
///
/// A [`Refusal`] listing each problem with its line in the proposed text.
pub fn check_replacement(
    files: &GuideFiles,
    guide: &Guide,
    before: &[Diagnostic],
    question: &str,
    proposed: &str,
) -> Result<(), Refusal> {
    let refuse = |problem: String| Refusal {
        problems: vec![problem],
    };
    let proposed = normalise(proposed);
    if proposed.is_empty() {
        return Err(refuse(
            "the proposed text is empty: it must keep the question".into(),
        ));
    }
    if proposed.len() > MAX_SUGGESTION_BYTES {
        return Err(refuse(format!(
            "the proposed text is {} bytes long; at most {MAX_SUGGESTION_BYTES} are accepted",
            proposed.len()
        )));
    }
    if !proposed.starts_with("## ") {
        return Err(refuse(
            "line 1: the text must start with the question's heading (`## ` and the question)"
                .into(),
        ));
    }
    let Some(source) = question_source(files, guide, question) else {
        return Err(refuse(format!("the guide has no question `{question}`")));
    };
    let Some(new_text) = replaced_file(files, &source, &proposed) else {
        return Err(refuse(
            "the guide's file changed while checking; try again".into(),
        ));
    };
    let mut changed = files.clone();
    for f in &mut changed.files {
        if f.path == source.file {
            *f = SourceFile {
                path: f.path.clone(),
                bytes: new_text.clone().into_bytes(),
            };
        }
    }
    let display = files.display_path(&source.file);
    let span = source.line..source.line + proposed.lines().count();
    let where_ = |d: &Diagnostic| {
        if d.file == display && span.contains(&d.line) {
            format!("line {}", d.line - source.line + 1)
        } else if d.line > 0 {
            format!("{}:{}", d.file, d.line)
        } else {
            d.file.clone()
        }
    };
    let describe = |d: &Diagnostic| {
        let mut s = format!("{}: {}", where_(d), d.message);
        if let Some(hint) = &d.hint {
            let _ = write!(s, " ({hint})");
        }
        s
    };
    let report = load_guide(&changed);
    let mut problems: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(describe)
        .collect();
    // Warnings count when they are new: the same message on the same line text was not
    // there before (`before`: the diagnostics of `files` as loaded).
    let old: Vec<(&str, &str)> = before
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| (d.message.as_str(), d.source_line.as_str()))
        .collect();
    problems.extend(
        report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .filter(|d| !old.contains(&(d.message.as_str(), d.source_line.as_str())))
            .map(|d| {
                format!(
                    "{} (a warning: the guide is checked with warnings denied)",
                    describe(d)
                )
            }),
    );
    let ids = |g: &Guide| -> Vec<String> {
        let mut v: Vec<String> = g
            .sections
            .iter()
            .flat_map(|s| &s.entries)
            .map(|e| e.id.to_string())
            .collect();
        v.sort();
        v
    };
    match &report.guide {
        Some(new_guide) if ids(new_guide) != ids(guide) => problems.insert(
            0,
            format!(
                "a suggestion changes one question: keep its `id: {question}` and add no other `## ` heading"
            ),
        ),
        None if problems.is_empty() => problems.push("the guide does not load with this text".into()),
        _ => {}
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Refusal { problems })
    }
}

/// A unified diff of one file, as `git apply` reads it (`a/PATH`, `b/PATH`, three lines of
/// context); empty when nothing changed.
#[must_use]
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    line_diff(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// Carries the change from `base` to `proposed` over to `current` (the question's newer
/// text) when the two changes touch different lines of `base` (not even adjacent ones);
/// `None` when they meet, and a person must merge them.
#[must_use]
pub fn rebase(base: &str, proposed: &str, current: &str) -> Option<String> {
    // Each change as (start, end) of the base's lines it replaces, and its new lines.
    fn changes<'a>(old: &'a str, new: &'a str) -> Vec<(usize, usize, Vec<&'a str>)> {
        let diff = line_diff(old, new);
        let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
        diff.ops()
            .iter()
            .filter_map(|op| {
                let (tag, old_range, new_range) = op.as_tag_tuple();
                (tag != similar::DiffTag::Equal).then(|| {
                    (
                        old_range.start,
                        old_range.end,
                        new_lines.get(new_range).unwrap_or_default().to_vec(),
                    )
                })
            })
            .collect()
    }
    let ours = changes(base, proposed);
    let theirs = changes(base, current);
    let meet =
        |a: &(usize, usize, Vec<&str>), b: &(usize, usize, Vec<&str>)| a.0 <= b.1 && b.0 <= a.1;
    if ours.iter().any(|a| theirs.iter().any(|b| meet(a, b))) {
        return None;
    }
    let base_lines: Vec<&str> = base.split_inclusive('\n').collect();
    let mut all: Vec<&(usize, usize, Vec<&str>)> = ours.iter().chain(theirs.iter()).collect();
    all.sort_by_key(|c| (c.0, c.1));
    let mut out = String::with_capacity(current.len() + proposed.len());
    let mut at = 0;
    for (start, end, lines) in all {
        out.extend(base_lines.get(at..*start)?.iter().copied());
        out.extend(lines.iter().copied());
        at = *end;
    }
    out.extend(base_lines.get(at..)?.iter().copied());
    Some(normalise(&out))
}

/// One line of a diff shown on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    /// `' '` kept, `'-'` removed, `'+'` added.
    pub tag: char,
    /// The line, without its line ending.
    pub text: String,
}

/// The lines of `old` and `new` with what was removed and added, for a page.
#[must_use]
pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    line_diff(old, new)
        .iter_all_changes()
        .map(|c| DiffLine {
            tag: match c.tag() {
                ChangeTag::Equal => ' ',
                ChangeTag::Delete => '-',
                ChangeTag::Insert => '+',
            },
            text: c.value().trim_end_matches(['\n', '\r']).to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = "id = \"g\"\ntitle = \"G\"\ndescription = \"d\"\nversion = \"1\"\n";
    const SECTION: &str = "---\nid: s\ntitle: S\n---\n\nIntro.\n\n## What is one?\n\nid: one\nlevel: junior\n\nOne is the first.\n\n### Key points\n\n- first\n  Words: first\n\n## What is two?\n\nid: two\nlevel: senior\n\nTwo follows one.\n";

    fn files() -> GuideFiles {
        GuideFiles {
            root: "guides/g".into(),
            files: vec![
                SourceFile {
                    path: "guide.toml".into(),
                    bytes: TOML.into(),
                },
                SourceFile {
                    path: "01-s.md".into(),
                    bytes: SECTION.into(),
                },
            ],
        }
    }

    fn guide(files: &GuideFiles) -> Guide {
        let report = load_guide(files);
        report
            .guide
            .unwrap_or_else(|| panic!("{:?}", report.diagnostics))
    }

    #[test]
    fn a_question_runs_to_the_next_entry() {
        let files = files();
        let g = guide(&files);
        let one = question_source(&files, &g, "one").unwrap();
        assert_eq!(one.file, "01-s.md");
        assert_eq!(one.line, 8);
        assert_eq!(
            one.text,
            "## What is one?\n\nid: one\nlevel: junior\n\nOne is the first.\n\n### Key points\n\n- first\n  Words: first\n"
        );
        let two = question_source(&files, &g, "two").unwrap();
        assert!(two.text.ends_with("Two follows one.\n"));
        assert!(question_source(&files, &g, "three").is_none());
    }

    #[test]
    fn replacing_keeps_everything_else() {
        let files = files();
        let g = guide(&files);
        let one = question_source(&files, &g, "one").unwrap();
        let new = one.text.replace("the first", "the first natural number");
        let out = replaced_file(&files, &one, &new).unwrap();
        assert_eq!(
            out,
            SECTION.replace("One is the first.", "One is the first natural number.")
        );
        // A file that moved on is stale.
        let mut moved = files.clone();
        moved.files[1].bytes = SECTION.replace("One is", "Uno is").into_bytes();
        assert!(replaced_file(&moved, &one, &new).is_none());
    }

    #[test]
    fn the_check_refuses_what_breaks_the_guide() {
        let files = files();
        let g = guide(&files);
        let one = question_source(&files, &g, "one").unwrap();
        let good = one.text.replace("the first", "the first one");
        assert_eq!(
            check_replacement(&files, &g, &load_guide(&files).diagnostics, "one", &good),
            Ok(())
        );
        // Windows line endings and trailing spaces are the same text.
        assert_eq!(
            check_replacement(
                &files,
                &g,
                &load_guide(&files).diagnostics,
                "one",
                &good.replace('\n', "  \r\n")
            ),
            Ok(())
        );
        let bad_level = one.text.replace("level: junior", "level: expert");
        let refusal = check_replacement(
            &files,
            &g,
            &load_guide(&files).diagnostics,
            "one",
            &bad_level,
        )
        .unwrap_err();
        assert!(refusal.problems[0].starts_with("line 4: "), "{refusal}");
        let renamed = one.text.replace("id: one", "id: uno");
        assert!(
            check_replacement(&files, &g, &load_guide(&files).diagnostics, "one", &renamed)
                .is_err()
        );
        let extra = format!(
            "{}\n## Another?\n\nid: three\nlevel: junior\n\nThree.\n",
            one.text
        );
        let refusal = check_replacement(&files, &g, &load_guide(&files).diagnostics, "one", &extra)
            .unwrap_err();
        assert!(
            refusal.to_string().contains("changes one question"),
            "{refusal}"
        );
        assert!(
            check_replacement(
                &files,
                &g,
                &load_guide(&files).diagnostics,
                "one",
                "no heading\n"
            )
            .is_err()
        );
        assert!(
            check_replacement(&files, &g, &load_guide(&files).diagnostics, "one", "  \n").is_err()
        );
    }

    #[test]
    fn a_diff_is_a_patch() {
        let old = "a\nb\nc\n";
        let new = "a\nB\nc\n";
        let patch = unified_diff("guides/g/01-s.md", old, new);
        assert!(
            patch.starts_with("--- a/guides/g/01-s.md\n+++ b/guides/g/01-s.md\n@@ -1,3 +1,3 @@\n"),
            "{patch}"
        );
        assert!(patch.contains("-b\n+B\n"));
        assert_eq!(unified_diff("x", old, old), "");
        let lines = diff_lines(old, new);
        let tags: String = lines.iter().map(|l| l.tag).collect();
        assert_eq!(tags, " -+ ");
    }

    #[test]
    fn rebasing_carries_a_change_over_when_the_lines_differ() {
        let base = "a\nb\nc\nd\ne\n";
        let proposed = "a\nB\nc\nd\ne\n";
        let current = "a\nb\nc\nd\nE\n";
        assert_eq!(
            rebase(base, proposed, current).as_deref(),
            Some("a\nB\nc\nd\nE\n")
        );
        // Both change the same line, or neighbouring ones: a person merges.
        assert_eq!(rebase(base, proposed, "a\nb2\nc\nd\ne\n"), None);
        assert_eq!(rebase(base, proposed, "a\nb\nC\nd\ne\n"), None);
        // Lines added by the guide elsewhere move the change along.
        assert_eq!(
            rebase(base, proposed, "a\nb\nc\nd\ne\nf\ng\n").as_deref(),
            Some("a\nB\nc\nd\ne\nf\ng\n")
        );
        assert_eq!(rebase(base, base, current).as_deref(), Some(current));
    }

    #[test]
    fn normalising() {
        assert_eq!(normalise("a  \r\nb\r\n\r\n\n"), "a\nb\n");
        assert_eq!(normalise(" \n\n"), "");
        assert_eq!(normalise("x"), "x\n");
    }
}
