//! The importer on samples written for these tests, one per shape people publish, and on
//! arbitrary text: whatever it writes must load with no error (`mastery check`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;

use super::*;
use crate::{Guide, load_guide};

fn input(files: &[(&str, &str)]) -> Input {
    Input {
        name: "sample".into(),
        files: files
            .iter()
            .map(|(path, text)| Source {
                path: (*path).into(),
                text: (*text).into(),
            })
            .collect(),
        assets: Vec::new(),
    }
}

/// Imports and loads the result; fails with the diagnostics and the files when it does
/// not load cleanly.
fn guide_of(input: &Input, options: &Options) -> (Guide, Imported) {
    try_guide_of(input, options).unwrap_or_else(|e| panic!("{e}"))
}

fn try_guide_of(input: &Input, options: &Options) -> Result<(Guide, Imported), String> {
    let imported = import(input, options).map_err(|e| format!("import failed: {e}"))?;
    let report = load_guide(&imported.guide_files("out"));
    let errors = report.error_messages();
    if !errors.is_empty() {
        let dump: String = imported
            .files
            .iter()
            .map(|(p, t)| format!("=== {p}\n{t}"))
            .collect();
        return Err(format!("{}\n{dump}", errors.join("\n")));
    }
    Ok((report.guide.ok_or("no errors, yet no guide")?, imported))
}

fn titles(guide: &Guide) -> Vec<String> {
    guide.questions().map(|q| q.title.clone()).collect()
}

fn answer<'a>(guide: &'a Guide, title: &str) -> &'a crate::Entry {
    guide
        .questions()
        .find(|q| q.title == title)
        .unwrap_or_else(|| panic!("no question {title:?} in {:?}", titles(guide)))
}

const HEADINGS: &str = r#"# Web Interview Questions 🚀

A collection of questions for web developers, with short answers and examples.

## Table of Contents

1. [What is a closure?](#1-what-is-a-closure)
2. [Explain event delegation](#2-explain-event-delegation)
3. [How does `this` work?](#3-how-does-this-work)

## JavaScript

### 1. What is a closure?

A closure is a function that remembers the variables of the scope it was created in.

#### Example

```js title="counter.js"
function counter() {
  let n = 0;
  # this line is inside code, not a heading
  return () => ++n;
}
```

#### Why it matters

It is how private state is kept. See also [event delegation](#2-explain-event-delegation).

**[⬆ Back to Top](#table-of-contents)**

### 2. Explain event delegation

One listener on a parent handles events of its children, thanks to bubbling.

```
# still code
```

### 3. How does `this` work?

It depends on how the function is called:

- as a method: the object;
- alone: `undefined` in strict mode.

#### References

Not the reserved heading: this is a level-4 heading in the answer once moved.

## CSS

### What is the box model?

Content, padding, border and margin, from the inside out.
"#;

#[test]
fn questions_as_headings_with_sections_toc_and_nested_headings() {
    let (guide, imported) = guide_of(&input(&[("README.md", HEADINGS)]), &Options::default());
    assert_eq!(guide.title, "Web Interview Questions 🚀");
    assert_eq!(
        titles(&guide),
        [
            "What is a closure?",
            "Explain event delegation",
            "How does `this` work?",
            "What is the box model?"
        ]
    );
    let sections: Vec<&str> = guide.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(sections, ["JavaScript", "CSS"]);
    let closure = answer(&guide, "What is a closure?");
    assert!(
        closure.answer_html.contains("<h3"),
        "{}",
        closure.answer_html
    );
    assert!(closure.answer_text.contains("# this line is inside code"));
    assert_eq!(closure.examples.len(), 1);
    assert_eq!(closure.examples[0].language, "js");
    // The link to another question's anchor now names its id.
    assert!(
        closure
            .answer_html
            .contains("href=\"/guides/web-interview-questions/explain-event-delegation\""),
        "{}",
        closure.answer_html
    );
    assert!(!closure.answer_text.contains("Back to Top"));
    let this = answer(&guide, "How does `this` work?");
    assert!(this.answer_text.contains("Not the reserved heading"));
    assert!(
        this.answer_html.contains("<h4"),
        "reserved names move down: {}",
        this.answer_html
    );
    let report = &imported.report;
    assert_eq!(report.questions(), 4);
    assert!(
        report.files[0].2.contains("### headings"),
        "{:?}",
        report.files
    );
    assert!(
        report
            .skipped
            .iter()
            .any(|s| s.why.contains("table of contents") && s.line == 7),
        "{:?}",
        report.skipped
    );
    assert!(
        guide.description.starts_with("A collection of questions"),
        "{}",
        guide.description
    );
}

const DETAILS: &str = r#"# Python questions

<details>
<summary><b>What is the GIL?</b></summary>
<p>

The **global interpreter lock** lets one thread run Python bytecode at a time.

```python
import sys
print(sys.version_info >= (3, 13))
```

</p>
</details>

<details><summary>What does `yield` do?</summary>

It turns a function into a generator.
</details>

#### How are dicts ordered?

<details><summary>Answer</summary>

By insertion order, since Python 3.7.

</details>

**What is a decorator?**

<details>
<summary>Show answer</summary>

A function that takes a function and returns another one.
</details>
"#;

#[test]
fn details_summary_blocks_either_hold_the_question_or_hide_the_answer() {
    let (guide, imported) = guide_of(&input(&[("python.md", DETAILS)]), &Options::default());
    assert_eq!(
        titles(&guide),
        [
            "What is the GIL?",
            "What does `yield` do?",
            "How are dicts ordered?",
            "What is a decorator?"
        ],
        "{:#?}",
        imported.report
    );
    let gil = answer(&guide, "What is the GIL?");
    assert!(
        gil.answer_html
            .contains("<strong>global interpreter lock</strong>")
    );
    assert_eq!(gil.examples[0].language, "python");
    assert!(
        gil.examples[0].norun,
        "imported Python is not run until checked"
    );
    assert!(
        imported.report.notes.iter().any(|n| n.contains("norun")),
        "{:?}",
        imported.report.notes
    );
}

const LIST: &str = r"## Core concepts

1. What is a race condition?
   Two threads use shared data and the result depends on their timing.

   ```go
   go func() { counter++ }()
   ```
2. **Explain deadlock.** Each of two threads waits for a lock the other holds.
3. How do you avoid a deadlock?

   - take locks in one global order;
   - or use a timeout.
4. What is a semaphore?

Some closing words that belong to no question.
";

#[test]
fn numbered_lists_with_indented_answers() {
    let (guide, imported) = guide_of(&input(&[("concurrency.md", LIST)]), &Options::default());
    assert_eq!(
        titles(&guide),
        [
            "What is a race condition?",
            "Explain deadlock.",
            "How do you avoid a deadlock?"
        ]
    );
    let race = answer(&guide, "What is a race condition?");
    assert_eq!(race.examples[0].code, "go func() { counter++ }()\n");
    assert!(
        answer(&guide, "How do you avoid a deadlock?")
            .answer_html
            .contains("<li>")
    );
    let why: Vec<&str> = imported
        .report
        .skipped
        .iter()
        .map(|s| s.why.as_str())
        .collect();
    assert!(
        why.iter()
            .any(|w| w.contains("\"What is a semaphore?\" has no answer")),
        "{why:?}"
    );
    assert!(
        why.iter().any(|w| w.contains("outside any question")),
        "{why:?}"
    );
}

#[test]
fn one_file_per_question_in_folders() {
    let files = [
        (
            "README.md",
            "# Rust questions\n\nShort answers, one file each. See [ownership](ownership/01-move.md).\n",
        ),
        (
            "ownership/01-move.md",
            "# What does a move do?\n\nIt transfers ownership; the old binding can no longer be used.\n\n## Example\n\n```rust\nlet a = String::new();\nlet b = a;\n```\n",
        ),
        (
            "ownership/02-borrow.md",
            "# Borrowing\n\nA reference lends a value without taking it. Compare with [a move](01-move.md).\n",
        ),
        (
            "traits/why-traits.md",
            "Traits name behaviour that types share, like interfaces.\n",
        ),
    ];
    let (guide, imported) = guide_of(&input(&files), &Options::default());
    assert_eq!(guide.title, "Rust questions");
    assert_eq!(
        titles(&guide),
        ["What does a move do?", "Borrowing", "Why traits"]
    );
    let sections: Vec<&str> = guide.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(sections, ["Ownership", "Traits"]);
    let borrow = answer(&guide, "Borrowing");
    assert!(
        borrow.answer_html.contains("/what-does-a-move-do\""),
        "a link to the file became a link to its question: {}",
        borrow.answer_html
    );
    let intro = guide.intro_html.as_deref().unwrap_or("");
    assert!(intro.contains("/what-does-a-move-do\""), "{intro}");
    assert!(
        answer(&guide, "What does a move do?")
            .answer_html
            .contains("<h3"),
        "the file's ## heading is inside the answer"
    );
    assert_eq!(imported.report.files.len(), 4);
}

const HTML: &str = r#"# Front-end

<p align="center"><img src="img/logo.png" alt="logo" width="120"></p>

## What is the DOM?

<p>The <b>Document Object Model</b> is a tree of nodes &amp; their properties.</p>

<img src="img/dom tree.png" alt="A DOM tree">

<pre><code class="language-html">&lt;div id="app"&gt;&lt;/div&gt;
</code></pre>

See <a href="https://dom.spec.whatwg.org/">the standard</a> and <a href="../LICENSE">the licence</a>.

<!-- a comment that should not survive -->

## What is CSS specificity?

How the browser picks a rule when several match: <kbd>id</kbd> beats class beats element.<br>
Inline styles beat them all. <a href="javascript:alert(1)">Not a link</a>
"#;

#[test]
fn html_blocks_become_markdown() {
    let mut input = input(&[("docs/frontend.md", HTML)]);
    input.assets = vec!["docs/img/logo.png".into(), "docs/img/dom tree.png".into()];
    let (guide, imported) = guide_of(&input, &Options::default());
    assert_eq!(
        titles(&guide),
        ["What is the DOM?", "What is CSS specificity?"]
    );
    let dom = answer(&guide, "What is the DOM?");
    assert!(
        dom.answer_html
            .contains("<strong>Document Object Model</strong>"),
        "{}",
        dom.answer_html
    );
    assert!(
        dom.answer_html.contains("&amp; their"),
        "{}",
        dom.answer_html
    );
    assert!(
        dom.answer_html.contains("src=\"docs/img/dom%20tree.png\""),
        "{}",
        dom.answer_html
    );
    assert_eq!(dom.examples[0].language, "html");
    assert_eq!(dom.examples[0].code, "<div id=\"app\"></div>\n");
    assert!(
        dom.answer_html
            .contains("href=\"https://dom.spec.whatwg.org/\"")
    );
    assert!(!dom.answer_html.contains("comment"));
    assert!(
        !dom.answer_html.contains("&lt;p"),
        "no raw HTML left: {}",
        dom.answer_html
    );
    let spec = answer(&guide, "What is CSS specificity?");
    assert!(!spec.answer_html.contains("javascript"));
    assert_eq!(
        imported.assets,
        ["docs/img/dom tree.png", "docs/img/logo.png"]
    );
    assert!(
        imported
            .report
            .notes
            .iter()
            .any(|n| n.contains("link(s) became plain text")),
        "{:?}",
        imported.report.notes
    );
}

const FOREIGN: &str = "# Вопросы по Go\n\n## Что такое горутина?\n\nЛёгкий поток, которым управляет среда выполнения Go.\n\n## Как работает `select`?\n\nЖдёт первого готового канала. 🙂\n\n## ¿Qué es un canal?\n\nUna tubería tipada entre goroutines.\n\n## 什么是接口？\n\n方法的集合。\n";

#[test]
fn non_english_questions_keep_their_text_and_get_valid_ids() {
    let (guide, _) = guide_of(&input(&[("go.md", FOREIGN)]), &Options::default());
    assert_eq!(
        titles(&guide),
        [
            "Что такое горутина?",
            "Как работает `select`?",
            "¿Qué es un canal?",
            "什么是接口？"
        ]
    );
    let ids: Vec<&str> = guide.questions().map(|q| q.id.as_str()).collect();
    assert_eq!(ids[1], "select");
    assert_eq!(ids[2], "qu-es-un-canal");
    assert!(ids.iter().all(|id| crate::Id::parse(id).is_ok()), "{ids:?}");
    assert_eq!(guide.id.as_str(), "go");
}

#[test]
fn bold_and_q_paragraphs() {
    let text = "Intro line for the guide that says what it is about.\n\n**Q: What is a monad?**\n\nA: A way to chain computations with context.\n\n**Why use immutability?**\n\nFewer surprises when data is shared.\n\nQ. Name a pure function.\nAny function without side effects, such as `abs`.\n";
    let (guide, _) = guide_of(&input(&[("fp.md", text)]), &Options::default());
    assert_eq!(
        titles(&guide),
        [
            "What is a monad?",
            "Why use immutability?",
            "Name a pure function."
        ]
    );
    let monad = answer(&guide, "What is a monad?");
    assert!(
        monad.answer_text.starts_with("A way to chain"),
        "{}",
        monad.answer_text
    );
}

#[test]
fn fences_that_hold_fences_or_never_close_are_repaired() {
    let text = "## How do I show a fence in Markdown?\n\nWrap it in a longer one:\n\n```\n```python\nprint(1)\n```\n\n## What if a fence is never closed?\n\n```sh\necho never closed\n";
    let (guide, imported) = guide_of(&input(&[("md.md", text)]), &Options::default());
    assert_eq!(guide.questions().count(), 2);
    assert!(
        imported
            .report
            .notes
            .iter()
            .any(|n| n.contains("never closed")),
        "{:?}",
        imported.report.notes
    );
}

#[test]
fn options_and_errors() {
    let options = Options {
        id: Some("my-guide".into()),
        title: Some("Mine".into()),
        level: Level::Senior,
        link_base: Some("https://example.org/repo/blob/main/".into()),
    };
    let text = "## What is X?\n\nSee [the notes](notes/x.md) and ![diagram](img/x.png).\n";
    let (guide, _) = guide_of(&input(&[("a/q.md", text)]), &options);
    assert_eq!(
        (guide.id.as_str(), guide.title.as_str()),
        ("my-guide", "Mine")
    );
    let q = guide.questions().next().unwrap();
    assert_eq!(q.level(), Some(Level::Senior));
    assert!(
        q.answer_html
            .contains("href=\"https://example.org/repo/blob/main/a/notes/x.md\""),
        "{}",
        q.answer_html
    );
    assert!(
        q.answer_html
            .contains("src=\"https://example.org/repo/blob/main/a/img/x.png\"")
    );

    assert_eq!(
        import(&input(&[]), &Options::default()).unwrap_err(),
        ImportError::NoFiles
    );
    let err = import(
        &input(&[("x.md", "Just prose.\n\n- and a list\n")]),
        &Options::default(),
    );
    assert!(
        err.is_ok(),
        "a file of prose is one question named after the file"
    );
    let err = import(&input(&[("x.md", "# Only a title\n")]), &Options::default()).unwrap_err();
    assert!(matches!(err, ImportError::NoQuestions { .. }), "{err}");
    let bad = Options {
        id: Some("Not An Id".into()),
        ..Options::default()
    };
    assert!(matches!(
        import(&input(&[("x.md", HEADINGS)]), &bad),
        Err(ImportError::BadId(..))
    ));
}

#[test]
fn what_the_property_test_found_stays_fixed() {
    // Each of these once imported into a guide that did not load: removed markup left a
    // link definition, a setext underline or an autolink where there was none.
    for text in [
        "<a name=\"what-is-z\"></a>\n[r]: javascript:alert(1)\n[ref link][r] and ![img][r]",
        "a\n<a name=\"what-is-z\"></a>\n[r]: javascript:alert(1)\n[ref link][r] and ![img][r]",
        "1. **Why this?** Because that.\n===\n[r]: javascript:alert(1)\n|\n[ref link][r] and ![img][r]",
        "*>*\n   <details><summary>Answer</summary>\n<pre><code>x &lt; y</code></pre>",
        "<aA<c>:>\n# Title",
        "## Q?\n\n> ```\n> ```\n",
        "## Q?\n\n```js\n> ```\n",
        // Found by the fuzzer: once `**réponse :**` went, a fence started the answer.
        "## Q?\n\n**réponse :**```bash\ncargo run\n",
    ] {
        let input = input(&[("dir0/f0.md", text)]);
        if let Err(e) = try_guide_of(&input, &Options::default()) {
            panic!("{text:?}:\n{e}");
        }
    }
}

/// Lines that exercise every shape and every repair, mixed at random.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("# Title".to_owned()),
        Just("## What is X?".to_owned()),
        Just("### How does Y work?".to_owned()),
        Just("#### Details".to_owned()),
        Just("## Key points".to_owned()),
        Just("### References".to_owned()),
        Just("Setext heading?".to_owned()),
        Just("---".to_owned()),
        Just("===".to_owned()),
        Just("```python".to_owned()),
        Just("````".to_owned()),
        Just("```".to_owned()),
        Just("~~~ output".to_owned()),
        Just("# comment in code?".to_owned()),
        Just("1. What is Z?".to_owned()),
        Just("   indented answer".to_owned()),
        Just("- [Link](#what-is-x)".to_owned()),
        Just("* **Why?** because".to_owned()),
        Just("<details><summary>Why not?</summary>".to_owned()),
        Just("<summary>Answer</summary>".to_owned()),
        Just("</details>".to_owned()),
        Just("<p align=\"center\"><img src=\"a.png\"></p>".to_owned()),
        Just("<!-- never closed comment".to_owned()),
        Just("<div>".to_owned()),
        Just("<pre><code>x &lt; y</code></pre>".to_owned()),
        Just("Text with <b>bold</b> and <br> and [rel](../up.md) and <mailto@x.org>".to_owned()),
        Just("[ref link][r] and ![img][r]".to_owned()),
        Just("[r]: javascript:alert(1)".to_owned()),
        Just("> quote ```".to_owned()),
        Just("| a | b |".to_owned()),
        Just("|---|---|".to_owned()),
        Just("**Q: Is this a question?**".to_owned()),
        Just("A: yes".to_owned()),
        Just("**A:**```js".to_owned()),
        Just("Answer: # not a heading".to_owned()),
        Just("Вопрос? 🙂".to_owned()),
        Just("   - nested item with `code`".to_owned()),
        Just("   ```js".to_owned()),
        Just("\t1. Tabbed: what?".to_owned()),
        Just("> ```".to_owned()),
        Just("1. **Why this?** Because that.".to_owned()),
        Just("   <details><summary>Answer</summary>".to_owned()),
        Just("## Closed heading? ##".to_owned()),
        Just("## ".to_owned()),
        Just("#".to_owned()),
        Just("See [z](#what-is-z), [o](f1.md#how-does-y-work) and [f](../f0.md).".to_owned()),
        Just("<a name=\"what-is-z\"></a>".to_owned()),
        Just("![](img.png) ![x](//cdn.example.org/x.png)".to_owned()),
        Just("    indented code # with hash".to_owned()),
        Just("Term: value".to_owned()),
        Just("id: fake-metadata".to_owned()),
        Just(String::new()),
        Just(String::new()),
        "[a-zA-Z #*?`<>\\[\\]()!:|-]{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever the Markdown, the import either finds nothing or writes a guide that
    /// loads with no error.
    #[test]
    fn any_markdown_imports_into_a_guide_that_loads(
        files in prop::collection::vec(prop::collection::vec(line(), 0..40), 1..4),
    ) {
        let sources: Vec<(String, String)> = files
            .iter()
            .enumerate()
            .map(|(i, lines)| (format!("dir{}/f{i}.md", i % 2), lines.join("\n")))
            .collect();
        let borrowed: Vec<(&str, &str)> =
            sources.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        let input = input(&borrowed);
        if import(&input, &Options::default()).is_ok() {
            let loaded = try_guide_of(&input, &Options::default());
            prop_assert!(loaded.is_ok(), "{}\n--- from:\n{:#?}", loaded.err().unwrap_or_default(), sources);
        }
    }

    /// Any text at all: no panic.
    #[test]
    fn any_text_is_imported_or_refused_without_panic(text in "\\PC{0,400}") {
        let _ = import(&input(&[("x.md", &text)]), &Options::default());
    }
}
