//! `mastery user …`, `mastery invite …` and `--user` as an operator runs them, on SQLite
//! and on PostgreSQL (`MASTERY_TEST_POSTGRES_URL`; skipped with a message when unreachable,
//! a failure with `CI=true`), and `mastery serve` refusing to guess the mode.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use mastery_storage_postgres::testing::TestDatabase;

fn mastery(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mastery"))
        .args(args)
        .env_remove("MASTERY_DATABASE_URL")
        .env_remove("MASTERY_USER")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn ok(args: &[&str], stdin: Option<&str>) -> String {
    let out = mastery(args, stdin);
    assert!(out.status.success(), "mastery {args:?}: {}", text(&out));
    text(&out)
}

fn fails(args: &[&str], stdin: Option<&str>) -> String {
    let out = mastery(args, stdin);
    assert!(
        !out.status.success(),
        "mastery {args:?} should fail: {}",
        text(&out)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The whole operator round on one database.
fn operator_round(db: &str) {
    let with = |args: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = args.iter().map(ToString::to_string).collect();
        v.extend(["--database".to_owned(), db.to_owned()]);
        v
    };
    let run = |args: &[&str], stdin: Option<&str>| {
        let args = with(args);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&refs, stdin)
    };
    let fail = |args: &[&str], stdin: Option<&str>| {
        let args = with(args);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        fails(&refs, stdin)
    };

    // A personal database first: a review-free mark made by `study` would need a terminal,
    // so `stats` stands for the terminal commands.
    assert!(run(&["stats"], None).contains("Study statistics"));
    assert!(fail(&["stats", "--user", "ada"], None).contains("personal database"));

    let out = run(
        &[
            "user",
            "add",
            "ada",
            "--admin",
            "--email",
            "ada@example.org",
        ],
        None,
    );
    assert!(out.contains("Created ada (admin)."), "{out}");
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("Password (shown once): "))
        .unwrap()
        .to_owned();
    assert_eq!(password.len(), 29);
    let out = run(
        &[
            "user",
            "add",
            "Grace",
            "--role",
            "moderator",
            "--password-stdin",
        ],
        Some("a long enough passphrase here\n"),
    );
    assert!(out.contains("Created Grace (moderator)."), "{out}");
    assert!(!out.contains("Password (shown once)"));

    // Clear refusals.
    assert!(
        fail(
            &["user", "add", "GRACE", "--password-stdin"],
            Some("another long passphrase\n")
        )
        .contains("username: This username is taken")
    );
    assert!(
        fail(
            &["user", "add", "x", "--password-stdin"],
            Some("another long passphrase\n")
        )
        .contains("3 to 32")
    );
    assert!(
        fail(&["user", "add", "bob", "--password-stdin"], Some("short\n"))
            .contains("password: Use at least 15 characters")
    );
    assert!(
        fail(&["user", "role", "nobody", "admin"], None).contains("there is no account \"nobody\"")
    );

    let list = run(&["user", "list"], None);
    assert!(
        list.contains("ada") && list.contains("admin") && list.contains("ada@example.org"),
        "{list}"
    );
    assert!(
        list.contains("Grace") && list.contains("moderator"),
        "{list}"
    );

    assert!(run(&["user", "role", "grace", "learner"], None).contains("Grace is now learner."));
    assert!(run(&["user", "disable", "grace"], None).contains("disabled"));
    assert!(run(&["user", "list"], None).contains("disabled"));
    assert!(run(&["user", "enable", "grace"], None).contains("enabled"));
    assert!(run(&["user", "reset-password", "grace"], None).contains("Password (shown once)"));
    assert!(fail(&["user", "disable", "ada"], None).contains("last admin"));

    // The terminal commands need --user now, and take it.
    assert!(fail(&["stats"], None).contains("pass --user NAME"));
    assert!(run(&["stats", "--user", "ada"], None).contains("Study statistics"));
    assert!(fail(&["stats", "--user", "nobody"], None).contains("no account"));
    let optimize = mastery(
        &with(&["optimize", "--user", "grace"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        None,
    );
    assert!(
        text(&optimize).contains("0 reviews usable"),
        "{}",
        text(&optimize)
    );

    // Invitations.
    let out = run(
        &[
            "invite",
            "create",
            "--label",
            "cohort 12",
            "--days",
            "14",
            "--uses",
            "30",
            "--base-url",
            "https://mastery.example.org/",
        ],
        None,
    );
    assert!(
        out.contains("https://mastery.example.org/sign-up?invite="),
        "{out}"
    );
    let list = run(&["invite", "list"], None);
    assert!(
        list.contains("open") && list.contains("used 0/30") && list.contains("cohort 12"),
        "{list}"
    );
    let id = list.split_whitespace().next().unwrap().to_owned();
    assert!(run(&["invite", "revoke", &id], None).contains("revoked"));
    assert!(run(&["invite", "list"], None).contains("revoked"));
    assert!(fail(&["invite", "revoke", &id], None).contains("no open invitation"));
    assert!(
        !mastery(&["invite", "create", "--days", "0"], None)
            .status
            .success()
    );

    // Personal access tokens.
    let out = run(
        &[
            "token", "create", "--user", "grace", "--label", "sync", "--scope", "write", "--days",
            "30",
        ],
        None,
    );
    assert!(out.contains("shown once"), "{out}");
    let token = out.lines().last().unwrap().trim().to_owned();
    assert!(
        token.starts_with("mastery_pat_") && token.len() == 76,
        "{token}"
    );
    let list = run(&["token", "list", "--user", "grace"], None);
    assert!(
        list.contains("write") && list.contains("active") && list.contains("sync"),
        "{list}"
    );
    assert!(!list.contains(&token), "the token is never shown again");
    let id = list.split_whitespace().next().unwrap().to_owned();
    assert!(fail(&["token", "revoke", "--user", "ada", &id], None).contains("no active token"));
    assert!(run(&["token", "revoke", "--user", "grace", &id], None).contains("revoked"));
    assert!(run(&["token", "list", "--user", "grace"], None).contains("revoked"));
    assert!(fail(&["token", "list", "--user", "nobody"], None).contains("no account"));

    assert!(fail(&["user", "delete", "grace"], None).contains("--yes"));
    assert!(run(&["user", "delete", "grace", "--yes"], None).contains("Deleted Grace"));
    assert!(!run(&["user", "list"], None).contains("Grace"));
}

#[test]
fn operators_manage_accounts_and_invitations_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("m.db").display());
    operator_round(&db);
    // A database with accounts refuses personal mode.
    let serve = fails(&["serve", "--bind", "127.0.0.1:0", "--database", &db], None);
    assert!(serve.contains("--mode multi-user"), "{serve}");
}

#[test]
fn operators_manage_accounts_and_invitations_on_postgres() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(pg) = runtime.block_on(TestDatabase::create()) else {
        return;
    };
    operator_round(&pg.url);
}

#[test]
fn help_explains_the_user_and_invite_commands() {
    let out = ok(&["user", "--help"], None);
    for word in [
        "add",
        "list",
        "role",
        "disable",
        "enable",
        "reset-password",
        "delete",
        "Examples",
    ] {
        assert!(out.contains(word), "{word}: {out}");
    }
    let out = ok(&["invite", "--help"], None);
    for word in ["create", "list", "revoke"] {
        assert!(out.contains(word), "{word}: {out}");
    }
    let out = ok(&["token", "--help"], None);
    for word in ["create", "list", "revoke", "Bearer", "Examples"] {
        assert!(out.contains(word), "{word}: {out}");
    }
    assert!(ok(&["serve", "--help"], None).contains("multi-user"));
}
