//! `mastery import` as a user runs it: a folder shaped like an interview-question
//! repository (written by the test) becomes a guide that `mastery check` accepts; the
//! report says what was guessed and left out; nothing is written over an existing folder
//! or when the input cannot be imported.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::{mastery, text};

fn write(root: &Path, files: &[(&str, &[u8])]) {
    for (path, bytes) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

const README: &str = "# SQL interview questions

Short answers to what interviewers ask about relational databases.

## Contents

- [What is a join?](#what-is-a-join)
- [Explain indexes](#explain-indexes)

## Basics

### What is a join?

It combines rows of two tables on a condition.

```sql
SELECT * FROM a JOIN b ON a.id = b.a_id;
# not a heading: inside the code
```

#### Kinds

Inner, left, right and full.

### Explain indexes

A sorted structure that finds rows without reading the table. ![b-tree](img/btree.png)

**[⬆ back to top](#contents)**
";

#[test]
fn a_repository_folder_becomes_a_guide_that_passes_check() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("sql-questions");
    write(
        &source,
        &[
            ("README.md", README.as_bytes()),
            ("img/btree.png", b"not really a png"),
            (
                "advanced/01-mvcc.md",
                "# What is MVCC?\n\nEach transaction sees a snapshot; writers do not block readers.\n"
                    .as_bytes(),
            ),
            (
                "advanced/02-vacuum.md",
                "# Why does PostgreSQL need VACUUM?\n\nTo reclaim the space of dead row versions.\n"
                    .as_bytes(),
            ),
            ("CONTRIBUTING.md", b"# How to contribute?\n\nSend a pull request.\n"),
            ("advanced/03-broken.md", b"# Latin-1?\n\ncaf\xe9\n"),
        ],
    );
    let out_dir = dir.path().join("guide");
    let out = mastery(&[
        "import",
        source.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
        "--level",
        "senior",
    ]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains("Imported 4 questions in 2 sections from 3 files"),
        "{shown}"
    );
    assert!(
        shown.contains("README.md: questions are ### headings"),
        "{shown}"
    );
    assert!(shown.contains("README.md:7: table of contents"), "{shown}");
    assert!(
        shown.contains("03-broken.md:3: not UTF-8 (save it as UTF-8 to import it); skipped"),
        "{shown}"
    );
    assert!(
        !shown.contains("contribute"),
        "CONTRIBUTING.md is not read: {shown}"
    );
    assert!(
        out_dir.join("img/btree.png").is_file(),
        "the image is copied"
    );

    let check = mastery(&["check", out_dir.to_str().unwrap()]);
    let checked = text(&check);
    assert!(check.status.success(), "{checked}");
    assert!(
        checked.contains("4 questions (0 junior, 0 confirmed, 4 senior)"),
        "{checked}"
    );
    assert!(checked.contains("0 errors"), "{checked}");
    let section = std::fs::read_to_string(out_dir.join("01-basics.md")).unwrap();
    assert!(section.contains("## What is a join?\n\nid: what-is-a-join\nlevel: senior"));
    assert!(section.contains("### Kinds"), "{section}");
    assert!(
        section.contains("# not a heading: inside the code"),
        "{section}"
    );
    assert!(!section.contains("back to top"), "{section}");

    // Never over an existing guide, unless --force; a failed run changes nothing.
    let again = mastery(&[
        "import",
        source.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
    ]);
    assert!(!again.status.success());
    assert!(text(&again).contains("--force"), "{}", text(&again));
    assert!(section == std::fs::read_to_string(out_dir.join("01-basics.md")).unwrap());
    let forced = mastery(&[
        "import",
        source.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
        "--force",
        "--id",
        "sql",
    ]);
    assert!(forced.status.success(), "{}", text(&forced));
    let toml = std::fs::read_to_string(out_dir.join("guide.toml")).unwrap();
    assert!(toml.contains("id = \"sql\""), "{toml}");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".mastery"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn one_file_with_details_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("go.md");
    std::fs::write(
        &file,
        "# Go\n\n<details>\n<summary>Что такое горутина?</summary>\n\nЛёгкий поток. 🧵\n\n</details>\n\n<details><summary>What does `defer` do?</summary>\n\nRuns a call when the function returns.\n</details>\n",
    )
    .unwrap();
    let out_dir = dir.path().join("go-guide");
    let out = mastery(&[
        "import",
        file.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
    ]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("<details><summary> blocks"), "{shown}");
    let check = mastery(&["check", out_dir.to_str().unwrap()]);
    assert!(check.status.success(), "{}", text(&check));
    assert!(text(&check).contains("2 questions"), "{}", text(&check));
}

#[test]
fn what_cannot_be_imported_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = mastery(&[
        "import",
        empty.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("holds no Markdown file"),
        "{}",
        text(&out)
    );

    let titles = dir.path().join("titles.md");
    std::fs::write(&titles, "# Only\n\n## Headings\n").unwrap();
    let out = mastery(&[
        "import",
        titles.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("found no questions"), "{}", text(&out));

    let out = mastery(&[
        "import",
        titles.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
        "--link-base",
        "ftp://example.org/",
    ]);
    assert!(text(&out).contains("--link-base must be"), "{}", text(&out));
    let out = mastery(&[
        "import",
        titles.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
        "--level",
        "expert",
    ]);
    assert!(
        text(&out).contains("junior, confirmed or senior"),
        "{}",
        text(&out)
    );
    assert!(!out_dir.exists(), "nothing was written");
}
