//! The parser on whole guides: a valid one, and a table of mistakes, each of which must be
//! reported with its file, line, column and hint, all in one run.

// Test helpers may panic: a panic is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mastery_content::{EntryKind, GuideFiles, GuideStats, Level, SourceFile, load_guide};
use proptest::prelude::*;

const TOML: &str = r#"id = "demo"
title = "Demo guide"
subtitle = "Engineering Mastery"
description = "A guide for tests."
version = "1.0.0"
licence = "CC-BY-SA-4.0"
authors = ["Tester"]
"#;

const SECTION: &str = r#"---
id: basics
title: Basics
---

An introduction with a [link](#list-vs-tuple).

## What is the difference between a list and a tuple?

id: list-vs-tuple
level: junior
tags: data-structures, basics
follow-ups: is-vs-equals

A list is **mutable**; a tuple is not.

```python predict
t = (1, 2)
print(t[0])
```

```output
1
```

```sql
SELECT 1;
```

### Key points

- Lists are mutable; tuples are `immutable`.
  Words: mutable | mutability, immutable
- Tuples can be dict keys.
  Words: hashable | hash

### References

- [Sequence types](https://docs.python.org/3/library/stdtypes.html)

## `is` versus `==`

id: is-vs-equals
level: confirmed

Identity versus equality.

```python requires=django>=5.2 timeout=30
print("x")
```

```output
x
```

### Key points

- `is` compares identity.
  Words: identity | same object

### References

- [Comparisons](https://docs.python.org/3/reference/expressions.html#comparisons)

## Cooperative multitasking

kind: insight
id: coop

Prose.

```python norun
import this_module_does_not_exist
```
"#;

fn guide(files: &[(&str, &str)]) -> GuideFiles {
    GuideFiles {
        root: "g".into(),
        files: files
            .iter()
            .map(|(p, t)| SourceFile {
                path: (*p).into(),
                bytes: t.as_bytes().to_vec(),
            })
            .collect(),
    }
}

#[test]
fn a_valid_guide_loads_with_everything_in_place() {
    let report = load_guide(&guide(&[
        ("guide.toml", TOML),
        ("README.md", "Welcome."),
        ("01-basics.md", SECTION),
    ]));
    let errors: Vec<String> = report.diagnostics.iter().map(ToString::to_string).collect();
    assert!(
        report.diagnostics.iter().all(|d| !d.is_error()),
        "{errors:#?}"
    );
    let g = report.guide.expect("loads");
    assert_eq!(g.id.as_str(), "demo");
    assert_eq!(g.subtitle.as_deref(), Some("Engineering Mastery"));
    assert!(g.intro_html.as_deref().unwrap_or("").contains("Welcome."));
    let s = &g.sections[0];
    assert!(
        s.intro_html
            .as_deref()
            .unwrap_or("")
            .contains("href=\"/guides/demo/list-vs-tuple\"")
    );
    let q = &s.entries[0];
    assert_eq!(q.kind, EntryKind::Question(Level::Junior));
    assert_eq!(q.location.line, 8);
    assert_eq!(q.tags.len(), 2);
    assert_eq!(q.follow_ups[0].as_str(), "is-vs-equals");
    assert!(q.answer_html.contains("<strong>mutable</strong>"));
    assert_eq!(q.key_points.len(), 2);
    assert_eq!(
        q.key_points[0].groups,
        vec![vec!["mutable", "mutability"], vec!["immutable"]]
    );
    assert!(q.key_points[0].html.contains("<code>immutable</code>"));
    assert_eq!(
        q.references[0].url,
        "https://docs.python.org/3/library/stdtypes.html"
    );
    assert_eq!(q.examples.len(), 2);
    assert!(q.examples[0].predict);
    assert_eq!(q.examples[0].expected_output.as_deref(), Some("1\n"));
    assert_eq!(q.examples[0].location.line, 17);
    assert!(!q.examples[1].is_runnable(), "sql is shown only");
    let q2 = &s.entries[1];
    assert_eq!(q2.examples[0].requires, ["django>=5.2"]);
    assert_eq!(q2.examples[0].timeout.as_secs(), 30);
    assert_eq!(s.entries[2].kind, EntryKind::Insight);
    let stats = GuideStats::of(&g);
    assert_eq!(
        (
            stats.questions(),
            stats.insights,
            stats.runnable,
            stats.norun,
            stats.predict
        ),
        (2, 1, 2, 1, 1)
    );
    // The insight has no references: a warning, not an error.
    assert_eq!(report.diagnostics.len(), 1, "{errors:#?}");
}

/// One mistake per case: (what to replace in SECTION, with what, expected message, line:col, hint).
const MISTAKES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "level: junior",
        "level: senor",
        "unknown level `senor`",
        "11:8",
        "did you mean `senior`?",
    ),
    (
        "level: confirmed",
        "level: senor",
        "unknown level `senor`",
        "44:8",
        "did you mean `senior`?",
    ),
    (
        "id: list-vs-tuple",
        "id: List_vs_tuple",
        "malformed question id",
        "10:5",
        "try `list-vs-tuple`",
    ),
    (
        "id: is-vs-equals",
        "id: list-vs-tuple",
        "duplicate id `list-vs-tuple`",
        "43:5",
        "already used at g/01-basics.md:10",
    ),
    (
        "follow-ups: is-vs-equals",
        "follow-ups: is-vs-equal",
        "follow-up to unknown id `is-vs-equal`",
        "13:13",
        "did you mean `is-vs-equals`?",
    ),
    (
        "[link](#list-vs-tuple)",
        "[link](#nope)",
        "link to unknown id `nope`",
        "6:24",
        "use the `id:` of a question",
    ),
    (
        "tags: data-structures",
        "tagz: data-structures",
        "unknown question metadata key `tagz`",
        "12:1",
        "did you mean `tags`?",
    ),
    (
        "id: basics",
        "id: basics\ncolour: red",
        "unknown front matter key `colour`",
        "3:1",
        "front matter keys are",
    ),
    (
        "level: junior\n",
        "",
        "this question has no `level`",
        "10:1",
        "add a line `level: junior`",
    ),
    (
        "A list is **mutable**; a tuple is not.\n\n```python predict\nt = (1, 2)\nprint(t[0])\n```\n\n```output\n1\n```\n\n```sql\nSELECT 1;\n```\n\n",
        "",
        "this question has no answer",
        "8:1",
        "write the answer",
    ),
    (
        "  Words: hashable | hash",
        "",
        "this key point has no words to match",
        "34:1",
        "Words:",
    ),
    (
        "  Words: hashable | hash",
        "  Words: hashable | , hash",
        "an empty word or group",
        "35:9",
        "separate groups",
    ),
    (
        "- [Sequence types](https://docs.python.org/3/library/stdtypes.html)",
        "- Sequence types",
        "a reference must be a link",
        "39:1",
        "[Title of the page]",
    ),
    (
        "python predict",
        "python predcit",
        "unknown code block attribute `predcit`",
        "17:11",
        "did you mean `predict`?",
    ),
    (
        "```output\n1\n```\n\n```sql",
        "```sql",
        "a `predict` example needs its output",
        "17:1",
        "output block",
    ),
    (
        "```sql\nSELECT 1;\n```\n\n### Key points",
        "```sql\nSELECT 1;\n\n### Key points",
        "this code fence is never closed",
        "26:1",
        "add a line",
    ),
    (
        "```python norun\nimport this_module_does_not_exist\n```",
        "```python norun\nimport this_module_does_not_exist",
        "this code fence is never closed",
        "72:1",
        "add a line",
    ),
    (
        "id: list-vs-tuple\nlevel: junior\ntags: data-structures, basics\nfollow-ups: is-vs-equals\n\n",
        "",
        "this question has no metadata",
        "8:1",
        "add the lines `id: what-is-the-difference",
    ),
    (
        "python norun",
        "python norun\nx\n```\n\n```output",
        "a `norun` example cannot have a recorded output",
        "76:1",
        "remove `norun`",
    ),
    (
        "### References\n\n- [Comparisons]",
        "### References\n\nSome prose.\n\n- [Comparisons]",
        "only a list of references may follow `### References`",
        "63:1",
        "[Title](https://...)",
    ),
];

#[test]
fn every_mistake_is_reported_with_its_location_and_hint() {
    for (from, to, message, at, hint) in MISTAKES {
        assert!(SECTION.contains(from), "fixture lacks {from:?}");
        let section = SECTION.replacen(from, to, 1);
        let report = load_guide(&guide(&[("guide.toml", TOML), ("01-basics.md", &section)]));
        let found = report
            .diagnostics
            .iter()
            .find(|d| d.is_error() && d.message.contains(message));
        let all: Vec<String> = report.diagnostics.iter().map(ToString::to_string).collect();
        let d = found.unwrap_or_else(|| panic!("no error containing {message:?}; got {all:#?}"));
        assert_eq!(
            format!("{}:{}", d.line, d.column),
            *at,
            "location of {message:?}: {d}"
        );
        assert_eq!(d.file, "g/01-basics.md");
        assert!(
            d.hint.as_deref().unwrap_or("").contains(hint),
            "hint of {message:?}: {d}"
        );
        assert!(
            report.guide.is_none(),
            "a guide with errors does not load: {message}"
        );
    }
}

#[test]
fn all_errors_are_reported_in_one_run() {
    let section = SECTION
        .replacen("level: junior", "level: senor", 1)
        .replacen("follow-ups: is-vs-equals", "follow-ups: nope", 1)
        .replacen("  Words: hashable | hash", "", 1);
    let report = load_guide(&guide(&[("guide.toml", TOML), ("01-basics.md", &section)]));
    assert_eq!(report.error_count(), 3, "{:#?}", report.diagnostics);
}

#[test]
fn guide_toml_errors() {
    let cases = [
        (
            TOML.replace("\ntitle =", "\ntitel ="),
            "unknown field `titel`",
            2,
            "did you mean `title`?",
        ),
        (
            TOML.replace("version = \"1.0.0\"\n", ""),
            "missing field `version`",
            1,
            "needs id, title",
        ),
        (
            TOML.replace("id = \"demo\"", "id = \"Demo Guide\""),
            "malformed guide id",
            1,
            "demo-guide",
        ),
        (
            TOML.replace("\"Tester\"]", "\"Tester\""),
            "invalid guide.toml",
            7,
            "valid TOML",
        ),
    ];
    for (toml, message, line, hint) in cases {
        let report = load_guide(&guide(&[("guide.toml", &toml), ("01-basics.md", SECTION)]));
        let d = report
            .diagnostics
            .iter()
            .find(|d| d.message.contains(message))
            .unwrap_or_else(|| panic!("{message}: {:#?}", report.diagnostics));
        assert_eq!((d.file.as_str(), d.line), ("g/guide.toml", line), "{d}");
        assert!(d.hint.as_deref().unwrap_or("").contains(hint), "{d}");
    }
}

#[test]
fn file_level_errors() {
    let report = load_guide(&guide(&[("01-basics.md", SECTION)]));
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.message.contains("no guide.toml"))
    );

    let mut bytes = SECTION.as_bytes().to_vec();
    bytes[120] = 0xff;
    let files = GuideFiles {
        root: "g".into(),
        files: vec![
            SourceFile {
                path: "guide.toml".into(),
                bytes: TOML.as_bytes().to_vec(),
            },
            SourceFile {
                path: "01-basics.md".into(),
                bytes,
            },
        ],
    };
    let report = load_guide(&files);
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.message.contains("not valid UTF-8"))
        .expect("reported");
    assert_eq!(d.line, 8);

    let report = load_guide(&guide(&[
        ("guide.toml", TOML),
        ("01-basics.md", "---\nid: x\ntitle: X\n---\nJust prose.\n"),
    ]));
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.message.contains("no questions"))
    );

    let report = load_guide(&guide(&[
        ("guide.toml", TOML),
        ("01-basics.md", "# Title\n"),
    ]));
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.message.contains("must start with front matter"))
    );
}

#[test]
fn warnings_do_not_stop_loading() {
    let section = SECTION.replacen(
        "Identity versus equality.",
        "Identity <b>versus</b> equality.",
        1,
    );
    let report = load_guide(&guide(&[("guide.toml", TOML), ("01-basics.md", &section)]));
    assert!(report.guide.is_some());
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| !d.is_error() && d.message.contains("raw HTML"))
    );
    let html = &report.guide.as_ref().unwrap().sections[0].entries[1].answer_html;
    assert!(html.contains("&lt;b&gt;"), "{html}");
}

#[test]
fn headings_in_emphasis_or_quotes_are_read_whole() {
    // A title that is all emphasis has text; a fence inside a quote closes with `> ```.
    let section = "---\nid: s\ntitle: S\n---\n\n## *Emphasis only?*\n\nid: emphasis\nlevel: junior\n\n> ```text\n> quoted code\n> ```\n";
    let report = load_guide(&guide(&[("guide.toml", TOML), ("01-s.md", section)]));
    let errors = report.error_messages();
    assert!(errors.is_empty(), "{errors:?}");
    let guide = report.guide.unwrap();
    assert_eq!(guide.sections[0].entries[0].title, "*Emphasis only?*");
}

fn arbitrary_markdown() -> impl Strategy<Value = String> {
    let pieces = prop::collection::vec(
        prop_oneof![
            Just("## Q?\n".to_owned()),
            Just("### Key points\n".to_owned()),
            Just("### References\n".to_owned()),
            Just("id: a\n".to_owned()),
            Just("level: senior\n".to_owned()),
            Just("follow-ups: a, b\n".to_owned()),
            Just("kind: insight\n".to_owned()),
            Just("- x\n  Words: a | b, c\n".to_owned()),
            Just("- [t](https://x)\n".to_owned()),
            Just("```python predict\n".to_owned()),
            Just("```output\n".to_owned()),
            Just("```\n".to_owned()),
            Just("[l](#a)\n".to_owned()),
            Just("\n".to_owned()),
            "\\PC{0,20}\n",
        ],
        0..40,
    );
    (prop::bool::ANY, pieces).prop_map(|(fm, p)| {
        let body = p.concat();
        if fm {
            format!("---\nid: s\ntitle: S\n---\n{body}")
        } else {
            body
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn never_panics_on_structured_noise(section in arbitrary_markdown(), toml in "\\PC{0,40}") {
        let _ = load_guide(&guide(&[("guide.toml", TOML), ("01-s.md", &section)]));
        let _ = load_guide(&guide(&[("guide.toml", &toml), ("01-s.md", &section)]));
    }

    #[test]
    fn never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let files = GuideFiles {
            root: String::new(),
            files: vec![
                SourceFile { path: "guide.toml".into(), bytes: TOML.as_bytes().to_vec() },
                SourceFile { path: "01.md".into(), bytes },
            ],
        };
        let report = load_guide(&files);
        // Every diagnostic points inside its file.
        for d in &report.diagnostics {
            prop_assert!(d.width >= 1 || d.line == 0);
        }
    }
}
