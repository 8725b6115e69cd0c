//! `mastery interview` as a user runs it without a terminal: the presets, the history and
//! the report of an interview made through `mastery_app::interview` (the service the web app and
//! the terminal share) on the same database file. The interview screens themselves are
//! tested on ratatui's `TestBackend` (unit tests in `src/interview/`); when `script` can
//! give the binary a pseudo-terminal, one interview is also run for real.

// Test helpers may panic: a panic is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mastery_app::interview::{self as service, NewInterview};
use mastery_content::Level;
use mastery_storage::Storage;
use mastery_storage_sqlite::SqliteStore;
use mastery_study::interview::{Answer, Custom, Request};

fn mastery(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mastery"))
        .args(args)
        .env_remove("MASTERY_DATA_DIR")
        .env_remove("MASTERY_DATABASE_URL")
        .env_remove("MASTERY_GUIDES")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

/// Runs a two-question senior interview in the data folder `data` through the app service:
/// a strong-enough answer to the first question, nothing to the second (it times out), then
/// finishes it unless `finish` is false. Returns the first question's id.
fn seed_interview(data: &Path, id: &str, finish: bool) -> String {
    let guide = common::python_django();
    let guides = vec![Arc::clone(&guide)];
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let url = format!("sqlite://{}", data.join("mastery.db").display());
        let store = SqliteStore::open(&url).await.unwrap();
        let learner = store.personal_learner().await.unwrap();
        let request = Request::Custom(Custom {
            levels: vec![Level::Senior],
            sections: Vec::new(),
            questions: 2,
            minutes_per_question: 2,
        });
        let t0 = now() - 3_600_000;
        let new = NewInterview {
            guide: guide.id.as_str(),
            request: &request,
            id,
            seed: 11,
        };
        let started = service::start(&store, learner, &guides, &new, t0)
            .await
            .unwrap();
        let first = started.interview.current().unwrap().question.clone();
        let answer = Answer::Typed {
            text: "I would have to look this up in the documentation first.".into(),
        };
        service::submit(&store, learner, &guides, id, None, answer, t0 + 60_000)
            .await
            .unwrap();
        service::next(&store, learner, &guides, id, None, t0 + 61_000)
            .await
            .unwrap();
        if finish {
            service::finish(&store, learner, &guides, id, t0 + 20 * 60_000)
                .await
                .unwrap();
        }
        store.close().await;
        first
    })
}

#[test]
fn list_presets_prints_every_preset() {
    let out = mastery(&["interview", "--list-presets"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for id in [
        "recruiter-screen",
        "senior-python-internals",
        "django-architecture-scaling",
    ] {
        assert!(stdout.contains(id), "{id} in {stdout}");
    }
    assert!(stdout.contains("5 questions in 15 minutes"), "{stdout}");
}

#[test]
fn history_on_a_fresh_data_dir_says_there_is_none() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let out = mastery(&["interview", "--history", "--data-dir", dir]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(
        stdout,
        "No interviews yet: start one with `mastery interview`.\n"
    );
}

#[test]
fn report_and_history_of_an_interview_made_through_the_app() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let first = seed_interview(data.path(), "cli-report-1", true);
    let guide = common::python_django();
    let title = &guide.entry(&first).unwrap().title_text;

    let out = mastery(&["interview", "--report", "cli-report-1", "--data-dir", dir]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.starts_with("Mock interview: Custom interview\n"),
        "{stdout}"
    );
    assert!(stdout.contains("id cli-report-1"), "{stdout}");
    assert!(stdout.contains("Overall score 0%"), "{stdout}");
    assert!(stdout.contains(title.as_str()), "{title} in {stdout}");
    assert!(
        stdout.contains("2 questions fed to your study queue"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Timed out"),
        "the second question: {stdout}"
    );
    assert!(stdout.contains("Missed key points"), "{stdout}");
    assert!(
        stdout.contains(&format!("({first})")),
        "links the question: {stdout}"
    );
    assert!(!stdout.contains('\x1b'), "no escape codes: {stdout:?}");

    let md = data.path().join("report.md");
    let out = mastery(&[
        "interview",
        "--report",
        "cli-report-1",
        "--markdown",
        md.to_str().unwrap(),
        "--data-dir",
        dir,
    ]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("Markdown report written to"), "{stdout}");
    let markdown = std::fs::read_to_string(&md).unwrap();
    assert!(
        markdown.starts_with("# Mock interview: Custom interview"),
        "{markdown}"
    );
    assert!(markdown.contains("timed out"), "{markdown}");

    let out = mastery(&["interview", "--history", "--data-dir", dir]);
    let (stdout, _) = text(&out);
    let row = stdout
        .lines()
        .find(|l| l.starts_with("cli-report-1"))
        .unwrap_or_else(|| panic!("no row in {stdout}"));
    let cells: Vec<&str> = row.split_whitespace().collect();
    // id, date, time, score, questions, status, guide, title…
    assert_eq!(
        cells[3..7],
        ["0%", "2", "finished", "python-django"],
        "{row}"
    );
    assert!(row.ends_with("Custom interview"), "{row}");
    assert!(
        stdout.contains("1 finished: latest 0%, best 0%."),
        "{stdout}"
    );
}

#[test]
fn unfinished_and_unknown_interviews_are_refused_with_a_hint() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    seed_interview(data.path(), "cli-open-1", false);
    let out = mastery(&["interview", "--report", "cli-open-1", "--data-dir", dir]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("is not finished yet"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "mastery interview --resume cli-open-1 --data-dir {dir}"
        )),
        "{stderr}"
    );
    let out = mastery(&["interview", "--history", "--data-dir", dir]);
    let (stdout, _) = text(&out);
    assert!(stdout.contains("unfinished"), "{stdout}");

    let out = mastery(&["interview", "--report", "nope", "--data-dir", dir]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("there is no interview `nope`"), "{stderr}");
}

#[test]
fn the_interview_needs_a_terminal_and_valid_arguments() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let out = mastery(&[
        "interview",
        "--preset",
        "recruiter-screen",
        "--data-dir",
        dir,
    ]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("run it in a terminal"), "{stderr}");
    assert!(stderr.contains("--report ID"), "{stderr}");

    let out = mastery(&["interview", "--section", "nope", "--data-dir", dir]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("has no section `nope`"), "{stderr}");

    for bad in [
        &["interview", "--preset", "nope"][..],
        &[
            "interview",
            "--preset",
            "recruiter-screen",
            "--questions",
            "3",
        ],
        &["interview", "--report", "x", "--history"],
        &["interview", "--level", "medior"],
    ] {
        assert_eq!(mastery(bad).status.code(), Some(2), "clap refuses {bad:?}");
    }

    let (stdout, _) = text(&mastery(&["interview", "--help"]));
    assert!(stdout.contains("Examples:"), "{stdout}");
    assert!(stdout.contains("Ctrl+D or F2"), "{stdout}");
    assert!(stdout.contains("--data-dir"), "{stdout}");
    assert!(stdout.contains("recruiter-screen"), "{stdout}");
}

/// Runs `mastery interview` in a pseudo-terminal made by `script`, typing `keys` (once the
/// first screen is drawn, after a pause each), and returns what the terminal received.
fn in_a_pty(data: &Path, args: &str, keys: &[&str]) -> Option<String> {
    let probe = Command::new("script")
        .args(["-qc", "true", "/dev/null"])
        .stdin(Stdio::null())
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: `script` cannot make a pseudo-terminal here");
        return None;
    }
    let command = format!(
        "stty cols 100 rows 32; {} interview --data-dir {} {args}",
        env!("CARGO_BIN_EXE_mastery"),
        data.display()
    );
    let mut child = Command::new("script")
        .args(["-qfc", &command, "/dev/null"])
        .env_remove("MASTERY_DATA_DIR")
        .env_remove("MASTERY_DATABASE_URL")
        .env_remove("MASTERY_GUIDES")
        .env("TERM", "xterm-256color")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read while typing, so a full pipe never blocks the terminal; what arrived so far is
    // shared, so the keys wait for the screen to be drawn (a loaded machine may take
    // seconds to start the program, and keys typed before it reads them could be lost).
    let mut stdout = child.stdout.take().unwrap();
    let received = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = Arc::clone(&received);
    let reader = std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        loop {
            match std::io::Read::read(&mut stdout, &mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => sink.lock().unwrap().extend_from_slice(&chunk[..n]),
            }
        }
    });
    let drawn = Instant::now() + Duration::from_secs(60);
    while !squeeze(&String::from_utf8_lossy(&received.lock().unwrap())).contains("Timeleft") {
        assert!(
            Instant::now() < drawn,
            "`mastery interview` drew no screen within 60 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    {
        use std::io::Write as _;
        let stdin = child.stdin.as_mut().unwrap();
        // Ctrl+C last: leaves whatever screen the keys ended on.
        for k in keys.iter().chain(&["\x03"]) {
            std::thread::sleep(Duration::from_millis(700));
            let _ = stdin.write_all(k.as_bytes());
            let _ = stdin.flush();
        }
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`mastery interview` did not exit in a pseudo-terminal");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(child.stdin.take());
    reader.join().unwrap();
    let raw = received.lock().unwrap().clone();
    Some(String::from_utf8_lossy(&raw).into_owned())
}

/// `raw` without escape sequences and whitespace: ratatui redraws only the cells that
/// change, so words on screen reach the terminal in pieces.
fn squeeze(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ parameters final-byte; other escapes: ESC and one character.
            if chars.next_if_eq(&'[').is_some() {
                while chars.next().is_some_and(|c| !('@'..='~').contains(&c)) {}
            } else {
                chars.next();
            }
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

#[test]
fn an_interview_runs_in_a_real_terminal() {
    let data = tempfile::tempdir().unwrap();
    // Type an answer, submit it with Ctrl+D, then leave with q: the interview stays
    // resumable.
    let Some(raw) = in_a_pty(
        data.path(),
        "--preset recruiter-screen",
        &["The answer", "\x04", "q"],
    ) else {
        return;
    };
    let screen = squeeze(&raw);
    assert!(screen.contains("Timeleft03:00"), "the countdown: {screen}");
    // Printed after the terminal is restored, in one piece.
    assert!(raw.contains("is not finished; continue it with:"), "{raw}");
    let (_, after) = raw
        .rsplit_once("mastery interview --resume ")
        .unwrap_or_else(|| panic!("no resume hint in {raw}"));
    let id = after.split_whitespace().next().unwrap();
    assert!(after.contains("--data-dir"), "{after}");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let loaded = runtime.block_on(async {
        let url = format!("sqlite://{}", data.path().join("mastery.db").display());
        let store = SqliteStore::open(&url).await.unwrap();
        let learner = store.personal_learner().await.unwrap();
        service::load(&store, learner, id).await.unwrap()
    });
    assert_eq!(loaded.interview.lineup.title, "Recruiter screen");
    assert_eq!(
        loaded.interview.items[0].answer,
        Some(Answer::Typed {
            text: "The answer".into()
        })
    );
    assert!(!loaded.interview.is_finished());
}
