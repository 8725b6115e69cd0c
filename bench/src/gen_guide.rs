//! Writes a synthetic guide for benchmarks: `gen-guide DIR [QUESTIONS]` (default 10,000).
//!
//! Each question looks like a real one: a few paragraphs, a list, inline code, a Python
//! example with its output on every other question, five key points and two references.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;

const SECTIONS: usize = 20;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().context("usage: gen-guide DIR [QUESTIONS]")?);
    let questions: usize = match args.next() {
        Some(n) => n.parse().context("QUESTIONS must be a number")?,
        None => 10_000,
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::write(
        dir.join("guide.toml"),
        format!(
            "id = \"synthetic\"\ntitle = \"Synthetic guide\"\ndescription = \"{questions} generated questions for benchmarks.\"\nversion = \"1.0.0\"\nlicence = \"CC0-1.0\"\nauthors = [\"mastery-bench\"]\n"
        ),
    )?;
    let per_section = questions.div_ceil(SECTIONS);
    let mut n = 0;
    for s in 0..SECTIONS {
        let mut out =
            format!("---\nid: section-{s}\ntitle: Section {s}\n---\n\nGenerated section {s}.\n\n");
        for _ in 0..per_section {
            if n == questions {
                break;
            }
            question(&mut out, n, questions);
            n += 1;
        }
        std::fs::write(dir.join(format!("{s:02}-section.md")), out)?;
    }
    println!(
        "wrote {questions} questions in {SECTIONS} sections to {}",
        dir.display()
    );
    Ok(())
}

fn question(out: &mut String, n: usize, total: usize) {
    let level = ["junior", "confirmed", "senior"][n % 3];
    let follow = if n + 1 < total && n.is_multiple_of(4) {
        format!("follow-ups: q-{}\n", n + 1)
    } else {
        String::new()
    };
    let _ = write!(
        out,
        "## How does mechanism {n} behave under concurrent load?\n\nid: q-{n}\nlevel: {level}\ntags: tag-{}, generated\n{follow}\n",
        n % 50
    );
    let _ = write!(
        out,
        "Mechanism {n} keeps a **reference count** on each object and releases it when the count drops to zero. \
The `gc` module finds cycles that reference counting alone cannot free; see [the next question](#q-{}).\n\n\
- It runs when allocations exceed a threshold.\n- It can be disabled with `gc.disable()`.\n- It tracks containers, not atoms.\n\n\
Under concurrent load the interpreter serialises access to the counts, so the cost grows with contention \
rather than with the number of objects; measure before tuning.\n\n",
        (n + 1) % total
    );
    if n.is_multiple_of(2) {
        let _ = write!(
            out,
            "```python\nimport gc\n\nclass Node:\n    def __init__(self, name):\n        self.name = name\n        self.peer = None\n\na, b = Node(\"a\"), Node(\"b\")\na.peer, b.peer = b, a\ndel a, b\nprint(gc.collect() >= 2)\n```\n\n```output\nTrue\n```\n\n"
        );
    }
    out.push_str("### Key points\n\n");
    for k in 0..5 {
        let _ = write!(
            out,
            "- Point {k} about mechanism {n}.\n  Words: reference | refcount, cycle | cyclic\n"
        );
    }
    out.push_str("\n### References\n\n- [gc — Garbage Collector interface](https://docs.python.org/3/library/gc.html)\n- [Reference counting](https://docs.python.org/3/c-api/refcounting.html)\n\n");
}
