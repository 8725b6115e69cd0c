//! The `mastery` binary as a user runs it: `check` and `verify` on guide folders.

// Test helpers may panic: a panic is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn mastery(args: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mastery"))
        .args(args)
        .env("MASTERY_CACHE_DIR", cache)
        .output()
        .expect("the binary runs")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const TOML: &str = "id = \"t\"\ntitle = \"T\"\ndescription = \"d\"\nversion = \"1\"\nlicence = \"MIT\"\nauthors = [\"a\"]\n";

fn write_guide(dir: &Path, section: &str) {
    std::fs::write(dir.join("guide.toml"), TOML).unwrap();
    std::fs::write(dir.join("01-s.md"), section).unwrap();
}

fn question(id: &str, example: &str) -> String {
    format!(
        "## Question {id}?\n\nid: {id}\nlevel: senior\n\nAnswer.\n\n{example}\n### Key points\n\n- A point.\n  Words: point\n\n### References\n\n- [Docs](https://docs.python.org/3/)\n\n"
    )
}

#[test]
fn version_names_the_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let out = mastery(&["--version"], tmp.path());
    let (stdout, _) = text(&out);
    assert!(out.status.success());
    assert!(
        stdout.starts_with(&format!("mastery {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{stdout}"
    );
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    if let Some(head) = head {
        assert!(stdout.contains(&head), "{stdout} names {head}");
    }
}

#[test]
fn completions_and_man_pages_are_printed() {
    let tmp = tempfile::tempdir().unwrap();
    let (bash, _) = text(&mastery(&["completions", "bash"], tmp.path()));
    assert!(
        bash.contains("_mastery()") && bash.contains("serve"),
        "{bash}"
    );
    let (man, _) = text(&mastery(&["man"], tmp.path()));
    assert!(man.contains(".TH mastery 1"), "{man}");
    let dir = tmp.path().join("man1");
    let out = mastery(&["man", "--out-dir", dir.to_str().unwrap()], tmp.path());
    assert!(out.status.success());
    assert!(dir.join("mastery-serve.1").is_file() && dir.join("mastery-user-add.1").is_file());
    assert!(
        !mastery(&["completions", "tcsh"], tmp.path())
            .status
            .success()
    );
}

#[test]
fn help_lists_subcommands_with_examples() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, _) = text(&mastery(&["--help"], tmp.path()));
    assert!(out.contains("check") && out.contains("verify"), "{out}");
    for sub in ["check", "verify"] {
        let (out, _) = text(&mastery(&[sub, "--help"], tmp.path()));
        assert!(
            out.contains("Examples:"),
            "{sub} --help has examples: {out}"
        );
    }
}

#[test]
fn check_passes_on_the_embedded_guide_without_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    let out = mastery(&["check", "--deny-warnings"], tmp.path());
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("python-django"), "{stdout}");
    assert!(stdout.contains("0 errors, 0 warnings"), "{stdout}");
}

#[test]
fn check_reports_errors_with_location_and_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let section = format!(
        "---\nid: s\ntitle: S\n---\n\n{}",
        question("a", "").replace("level: senior", "level: senor")
    );
    write_guide(tmp.path(), &section);
    let dir = tmp.path().to_str().unwrap();
    let out = mastery(&["check", dir], tmp.path());
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("unknown level `senor`"), "{stderr}");
    assert!(stderr.contains("01-s.md:9:8"), "{stderr}");
    assert!(stderr.contains("did you mean `senior`?"), "{stderr}");
    assert!(stdout.contains("1 error"), "{stdout}");
}

#[test]
fn check_on_a_folder_that_is_not_a_guide_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let out = mastery(&["check", tmp.path().to_str().unwrap()], tmp.path());
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("has no guide.toml"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn verify_runs_examples_and_shows_a_diff_on_mismatch() {
    let tmp = tempfile::tempdir().unwrap();
    let good = "```python\nimport time\nt = time.perf_counter()\nprint('took', time.perf_counter() - t)\nprint('done')\n```\n\n```output\ntook [..]\ndone\n```\n";
    let bad = "```python\nprint(1 + 1)\n```\n\n```output\n3\n```\n";
    let raises = "```python exit=1\nraise ValueError('boom')\n```\n\n```output\nTraceback (most recent call last):\n[...]\nValueError: boom\n```\n";
    let fragment = "```python norun\nfrom settings import *\n```\n";
    let section = format!(
        "---\nid: s\ntitle: S\n---\n\n{}{}{}{}",
        question("good", good),
        question("bad", bad),
        question("raises", raises),
        question("fragment", fragment)
    );
    write_guide(tmp.path(), &section);
    let out = mastery(&["verify", tmp.path().to_str().unwrap()], tmp.path());
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("FAILED"), "{stderr}");
    assert!(stderr.contains("(bad): output differs"), "{stderr}");
    assert!(
        stderr.contains("-3") && stderr.contains("+2"),
        "diff shown: {stderr}"
    );
    assert!(
        stdout.contains("2 examples passed, 1 failed, 1 not run (marked norun)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("norun"),
        "norun examples are listed: {stdout}"
    );
}

#[test]
fn verify_runs_an_example_on_the_python_it_requires_and_says_what_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    // An interpreter of its own, whatever this machine has: a script that says it is
    // Python 3.19 and prints its version when run on an example.
    let fake = tmp.path().join("python3.19-test");
    std::fs::write(
        &fake,
        "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'Python 3.19.2'; else echo 'ran on 3.19'; fi\n",
    )
    .unwrap();
    let mut perms = std::fs::metadata(&fake).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&fake, perms).unwrap();
    let new = "```python requires=\"python>=3.19\"\nprint('anything')\n```\n\n```output\nran on 3.19\n```\n";
    let future =
        "```python requires=\"python>=3.99\"\nprint('never')\n```\n\n```output\nnever\n```\n";
    let later = "```python norun=\"needs Python 3.99 (no such interpreter)\"\nprint(t'{x}')\n```\n";
    let section = format!(
        "---\nid: s\ntitle: S\n---\n\n{}{}{}",
        question("new", new),
        question("future", future),
        question("later", later)
    );
    write_guide(tmp.path(), &section);
    let out = Command::new(env!("CARGO_BIN_EXE_mastery"))
        .args(["verify", tmp.path().to_str().unwrap()])
        .env("MASTERY_CACHE_DIR", tmp.path())
        .env("MASTERY_PYTHONS", &fake)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("1 examples passed, 1 failed, 1 not run"),
        "the 3.19 example ran on the 3.19 interpreter: {stdout}\n{stderr}"
    );
    assert!(
        stderr.contains("(future): could not run: it needs Python >=3.99")
            && stderr.contains("python3.19-test (3.19.2)")
            && stderr.contains("--pythons"),
        "{stderr}"
    );
    assert!(
        stdout.contains("(needs Python 3.99 (no such interpreter))"),
        "the norun reason is shown: {stdout}"
    );
}

#[test]
fn a_hanging_example_is_killed_at_its_timeout() {
    let tmp = tempfile::tempdir().unwrap();
    // The example also leaves a child behind that holds the output pipe open.
    let hang = "```python timeout=1\nimport subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\nprint('started', flush=True)\ntime.sleep(60)\n```\n\n```output\nstarted\n```\n";
    let section = format!("---\nid: s\ntitle: S\n---\n\n{}", question("hang", hang));
    write_guide(tmp.path(), &section);
    let started = Instant::now();
    let out = mastery(&["verify", tmp.path().to_str().unwrap()], tmp.path());
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("did not finish within 1s"), "{stderr}");
    assert!(
        stderr.contains("started"),
        "output so far is shown: {stderr}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "verify did not hang"
    );
}

#[test]
fn backup_writes_a_copy_that_serves_the_same_data_and_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let copy = tmp.path().join("copy.db");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_mastery"))
            .args(args)
            .arg("--data-dir")
            .arg(&data)
            .output()
            .unwrap()
    };
    let out = run(&["backup", "--to", copy.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Backed up"));
    let out = run(&["backup", "--to", copy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    let stats = run(&[
        "stats",
        "--database",
        &format!("sqlite://{}", copy.display()),
    ]);
    assert!(
        stats.status.success(),
        "the copy opens as a Mastery database: {}",
        String::from_utf8_lossy(&stats.stderr)
    );
}

#[test]
fn backup_of_a_postgres_database_points_to_pg_dump() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("copy.db");
    let out = mastery(
        &[
            "backup",
            "--database",
            "postgres://someone:secret@127.0.0.1:1/mastery",
            "--to",
            target.to_str().unwrap(),
        ],
        dir.path(),
    );
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("pg_dump"), "{stderr}");
    assert!(
        !stderr.contains("secret"),
        "the password is not shown: {stderr}"
    );
    assert!(!target.exists());
}
