//! E-mail as people meet it, on the real server (SQLite, or PostgreSQL with
//! `MASTERY_TEST_BACKEND=postgres`) sending to a real SMTP server that the test starts
//! (Python's `aiosmtpd`, from PyPI in a cached virtual environment): confirming an address,
//! resetting a forgotten password with a link that works once, and the notices of changes.
//! Without Python the tests say so and pass, unless `CI=true`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Client, PASSWORD, Server};
use mastery_storage::Role;
use mastery_storage::testkit::python::{missing, venv_python};

/// The SMTP server of a test: what it received is in `dir`, one file per message.
struct Sink {
    child: Child,
    dir: tempfile::TempDir,
    url: String,
}

/// One message received.
#[derive(Debug)]
struct Mail {
    to: String,
    subject: String,
    body: String,
}

impl Sink {
    fn start() -> Option<Self> {
        let Some(python) = venv_python("aiosmtpd-1.4", &["aiosmtpd==1.4.6"]) else {
            missing("python3 with venv and pip able to install `aiosmtpd`");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail/smtp_sink.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg(port.to_string())
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut ready = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut ready)
            .unwrap();
        assert_eq!(ready.trim(), "ready", "the SMTP server did not start");
        Some(Self {
            child,
            dir,
            url: format!("smtp://127.0.0.1:{port}?tls=none"),
        })
    }

    fn files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files
    }

    /// Waits (up to 15 s) until `n` messages arrived; all of them, oldest first.
    fn wait_for(&self, n: usize) -> Vec<Mail> {
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.files().len() < n {
            assert!(
                Instant::now() < deadline,
                "expected {n} messages, got {:?}",
                self.read()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        self.read()
    }

    fn read(&self) -> Vec<Mail> {
        self.files()
            .iter()
            .map(|path| {
                let raw = std::fs::read_to_string(path).unwrap().replace("\r\n", "\n");
                let (head, body) = raw.split_once("\n\n").unwrap();
                let header = |name: &str| {
                    head.lines()
                        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                        .unwrap_or_default()
                        .to_owned()
                };
                let body = if head.contains("Content-Transfer-Encoding: quoted-printable") {
                    quoted_printable(body)
                } else {
                    body.to_owned()
                };
                Mail {
                    to: header("To"),
                    subject: header("Subject"),
                    body,
                }
            })
            .collect()
    }
}

/// A quoted-printable body as text (RFC 2045: `=` at a line's end joins it to the next,
/// `=XX` is a byte).
fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && let Some(hex) = joined.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

impl Drop for Sink {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first link to this server in a message, as a path.
fn link_in(mail: &Mail, server: &Server) -> String {
    let start = mail
        .body
        .find(&server.base)
        .unwrap_or_else(|| panic!("no link in {mail:?}"));
    mail.body[start + server.base.len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

fn sign_in(server: &Server, name: &str, password: &str) -> (Client, u16) {
    let mut c = server.client();
    c.get("/sign-in");
    let r = c.submit("/sign-in", &[("login", name), ("password", password)]);
    if r.status == 303 {
        // The new session's CSRF token, as a browser gets it from the next page.
        c.get("/account");
    }
    (c, r.status)
}

#[test]
fn a_forgotten_password_is_reset_by_a_link_that_works_once() {
    let Some(sink) = Sink::start() else { return };
    let server = Server::start_multi_user_with_mail(&sink.url);
    server.add_user("ada", Role::Learner);
    let (mut ada, status) = sign_in(&server, "ada", PASSWORD);
    assert_eq!(status, 303);

    // Adding an address sends the link that confirms it; until then, no reset link.
    let saved = ada.submit(
        "/account/email",
        &[("email", "ada@example.org"), ("current", PASSWORD)],
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(saved.body.contains("A link to confirm ada@example.org"));
    assert!(saved.body.contains("Not confirmed yet"));
    let mails = sink.wait_for(1);
    assert_eq!(mails[0].to, "ada@example.org");
    assert!(mails[0].subject.contains("confirm your e-mail address"));
    let verify = link_in(&mails[0], &server);
    assert!(verify.starts_with("/account/email/verify/"), "{verify}");

    let mut stranger = server.client();
    stranger.get("/forgot-password");
    let asked = stranger.submit("/forgot-password", &[("login", "ada")]);
    assert_eq!(asked.status, 200);
    assert!(asked.body.contains("If this names an account"));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        sink.read().len(),
        1,
        "an unconfirmed address gets no reset link"
    );

    // The link confirms the address (signed in or not), once.
    let confirmed = server.client().get(&verify);
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert!(confirmed.body.contains("Your e-mail address is confirmed"));
    assert_eq!(server.client().get(&verify).status, 410);
    assert!(ada.get("/account").body.contains("Confirmed:"));

    // Forgot: the same answer for a name of nobody, and a link only for ada.
    let nobody = stranger.submit("/forgot-password", &[("login", "nobody")]);
    assert_eq!(nobody.status, 200);
    assert!(nobody.body.contains("If this names an account"));
    let asked = stranger.submit("/forgot-password", &[("login", "ADA@example.org")]);
    assert_eq!(asked.status, 200);
    let mails = sink.wait_for(2);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(sink.read().len(), 2, "nobody's name sends nothing");
    assert!(mails[1].subject.contains("reset your password"));
    let reset = link_in(&mails[1], &server);
    assert!(reset.starts_with("/reset-password/"), "{reset}");

    // An access token made before the reset (by ada, or by whoever had her password).
    ada.get("/account/tokens");
    let made = ada.submit(
        "/account/tokens",
        &[
            ("label", "script"),
            ("scope", "read"),
            ("days", ""),
            ("current", PASSWORD),
        ],
    );
    let token = made
        .body
        .split(r#"id="new-token">"#)
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned();
    let mut script = server.client();
    script.bearer = Some(token);
    assert_eq!(script.get("/api/v1/account").status, 200);

    // A password the rules refuse keeps the link working; a good one uses it up, signs
    // ada out everywhere, revokes her tokens and tells her.
    let mut browser = server.client();
    let form = browser.get(&reset);
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("Choose a new password"));
    let short = browser.submit(&reset, &[("password", "short")]);
    assert_eq!(short.status, 422, "{}", short.body);
    let new_password = "a brand new passphrase for ada";
    let done = browser.submit(&reset, &[("password", new_password)]);
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("signed out everywhere"));
    assert_eq!(
        browser.submit(&reset, &[("password", new_password)]).status,
        410
    );
    assert_eq!(browser.get(&reset).status, 410);
    let signed_out = ada.get("/account");
    assert_eq!(signed_out.status, 303, "ada's old session ended");
    assert_eq!(
        script.get("/api/v1/account").status,
        401,
        "tokens are revoked"
    );
    let mails = sink.wait_for(3);
    assert!(
        mails[2].subject.contains("Your password was changed"),
        "{:?}",
        mails[2]
    );
    assert_eq!(sign_in(&server, "ada", PASSWORD).1, 401);
    assert_eq!(sign_in(&server, "ada", new_password).1, 303);

    // A forged or malformed link finds nothing.
    assert_eq!(server.client().get("/reset-password/nonsense").status, 410);
    assert_eq!(
        server
            .client()
            .get(&format!("/reset-password/{}", "a".repeat(43)))
            .status,
        410
    );
}

#[test]
fn changes_to_the_address_and_two_factors_are_told_to_the_confirmed_address() {
    let Some(sink) = Sink::start() else { return };
    let server = Server::start_multi_user_with_mail(&sink.url);
    server.add_user("bob", Role::Learner);
    let (mut bob, _) = sign_in(&server, "bob", PASSWORD);
    bob.submit(
        "/account/email",
        &[("email", "bob@example.org"), ("current", PASSWORD)],
    );
    let verify = link_in(&sink.wait_for(1)[0], &server);
    assert_eq!(bob.get(&verify).status, 200);

    // A reset link sent to the confirmed address...
    let mut stranger = server.client();
    stranger.get("/forgot-password");
    stranger.submit("/forgot-password", &[("login", "bob")]);
    let reset = link_in(&sink.wait_for(2)[1], &server);
    assert!(reset.starts_with("/reset-password/"), "{reset}");

    // A new address: the old one hears of it, the new one gets its link, and it is not
    // confirmed until that link is opened.
    let moved = bob.submit(
        "/account/email",
        &[("email", "robert@example.org"), ("current", PASSWORD)],
    );
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert!(moved.body.contains("Not confirmed yet"));
    let mails = sink.wait_for(4);
    let to_old = mails
        .iter()
        .find(|m| m.to == "bob@example.org" && m.subject.contains("changed"));
    assert!(to_old.is_some(), "{mails:?}");
    let to_new = mails
        .iter()
        .find(|m| m.to == "robert@example.org")
        .unwrap_or_else(|| panic!("{mails:?}"));
    assert_eq!(bob.get(&link_in(to_new, &server)).status, 200);
    // ...no longer works once the address moved: the old mailbox keeps no way in.
    let refused = stranger.submit(&reset, &[("password", "a new passphrase for bob")]);
    assert_eq!(refused.status, 410, "{}", refused.body);

    // Turning two-factor sign-in on is told to the confirmed address.
    let page = bob.get("/account/two-factor");
    let secret = page
        .body
        .split(r#"id="totp-secret">"#)
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    let code = mastery_app::accounts::two_factor::code_at(
        &secret,
        mastery_app::accounts::two_factor::step_of(mastery_storage::now()),
    )
    .unwrap();
    let on = bob.submit(
        "/account/two-factor",
        &[("code", &code), ("current", PASSWORD)],
    );
    assert_eq!(on.status, 200, "{}", on.body);
    let mails = sink.wait_for(5);
    assert!(
        mails
            .iter()
            .any(|m| m.to == "robert@example.org" && m.subject.contains("turned on")),
        "{mails:?}"
    );
    // Asking for links again and again is limited per name.
    let mut c = server.client();
    c.get("/forgot-password");
    let statuses: Vec<u16> = (0..5)
        .map(|_| c.submit("/forgot-password", &[("login", "bob")]).status)
        .collect();
    assert!(statuses.contains(&429), "{statuses:?}");
}

#[test]
fn without_an_smtp_server_the_pages_say_that_no_e_mail_is_sent() {
    let server = Server::start_multi_user();
    server.add_user("cyd", Role::Learner);
    let mut c = server.client();
    let page = c.get("/forgot-password");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("This site sends no e-mail"));
    let refused = c.submit("/forgot-password", &[("login", "cyd")]);
    assert_eq!(refused.status, 409);
    let (mut cyd, _) = sign_in(&server, "cyd", PASSWORD);
    cyd.submit(
        "/account/email",
        &[("email", "cyd@example.org"), ("current", PASSWORD)],
    );
    let account = cyd.get("/account");
    assert!(
        account.body.contains("This site sends no e-mail"),
        "{}",
        account.body
    );
    assert_eq!(cyd.submit("/account/email/verify", &[]).status, 409);
}

#[test]
fn an_address_given_when_the_account_is_made_gets_its_confirmation_link() {
    let Some(sink) = Sink::start() else { return };
    let server = Server::start_multi_user_with_mail(&sink.url);
    let store = server.store();
    let token = server
        .block_on(async {
            common::test_accounts()
                .setup_token(store.as_ref())
                .await
                .unwrap()
        })
        .unwrap();
    let mut c = server.client();
    c.get(&format!("/setup/{token}"));
    let created = c.submit(
        &format!("/setup/{token}"),
        &[
            ("username", "root"),
            ("email", "root@example.org"),
            ("password", PASSWORD),
        ],
    );
    assert_eq!(created.status, 303, "{}", created.body);
    let mails = sink.wait_for(1);
    assert_eq!(mails[0].to, "root@example.org");
    let verify = link_in(&mails[0], &server);
    c.get("/account");
    assert_eq!(c.get(&verify).status, 200);
    assert!(c.get("/account").body.contains("Confirmed:"));
}
