//! Single sign-on end to end, against a real OpenID provider that the test starts: the
//! PyPI package `oidc-provider-mock` (in a virtual environment made once under
//! `~/.cache/mastery/test-venvs`), behind a small proxy of the test's own that records the
//! token requests and can swap the client they authenticate as (to make the provider issue
//! an ID token for another audience). Without Python or pip these tests say so and pass,
//! unless `CI=true`.
//!
//! The browser is the test's client: it presses "Sign in with …", follows the redirect to
//! the provider, picks a person there (the provider's form) and follows the redirect back.
//! Run on SQLite, and on PostgreSQL with `MASTERY_TEST_BACKEND=postgres`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Client, PASSWORD, Reply, Server, encode, test_accounts};
use mastery_app::accounts::SignUp;
use mastery_app::accounts::names;
use mastery_storage::{Account, Role};
use mastery_web::SingleSignOn;
use sha2::{Digest, Sha256};

/// The provider, pinned: its forms and endpoints are what the test drives.
const PROVIDER: &str = "oidc-provider-mock==0.3.4";

/// A running provider and the proxy in front of it (the issuer the server is given).
struct Provider {
    child: Child,
    /// The issuer URL: the proxy's address.
    issuer: String,
    /// Token requests authenticate as the client `intruder` instead of the server's.
    swap: Arc<AtomicBool>,
    /// The bodies of the token requests, as sent.
    token_requests: Arc<Mutex<Vec<String>>>,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the provider, or `None` (said, or a failure with `CI=true`) without Python.
fn provider() -> Option<Provider> {
    let Some(python) =
        mastery_storage::testkit::python::venv_python("oidc-provider-mock-0.3.4", &[PROVIDER])
    else {
        mastery_storage::testkit::python::missing(
            "python3 with venv and pip able to install oidc-provider-mock",
        );
        return None;
    };
    let port = free_port();
    let child = Command::new(python)
        .args(["-m", "oidc_provider_mock", "--port", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let direct = format!("http://127.0.0.1:{port}/.well-known/openid-configuration");
    let started = Instant::now();
    loop {
        let ready = ureq::http::Request::get(&direct)
            .body(())
            .ok()
            .and_then(|r| common::agent().run(r).ok())
            .is_some_and(|r| r.status() == 200);
        if ready {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the provider did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let swap = Arc::new(AtomicBool::new(false));
    let token_requests = Arc::new(Mutex::new(Vec::new()));
    let proxy = proxy(port, Arc::clone(&swap), Arc::clone(&token_requests));
    Some(Provider {
        child,
        issuer: format!("http://127.0.0.1:{proxy}"),
        swap,
        token_requests,
    })
}

/// A proxy to the provider, one request per connection: it forwards each request as it
/// is (so the provider names the proxy as issuer), keeps the bodies of token requests, and
/// while `swap` is set makes them authenticate as the client `intruder`.
fn proxy(upstream: u16, swap: Arc<AtomicBool>, seen: Arc<Mutex<Vec<String>>>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { break };
            let (swap, seen) = (Arc::clone(&swap), Arc::clone(&seen));
            std::thread::spawn(move || {
                let _ = relay(stream, upstream, &swap, &seen);
            });
        }
    });
    port
}

fn relay(
    mut down: TcpStream,
    upstream: u16,
    swap: &AtomicBool,
    seen: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = down.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut body = buf[head_end + 4..].to_vec();
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while body.len() < length {
        let n = down.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_owned();
    let token = request_line.contains(" /oauth2/token");
    let swapping = token && swap.load(Ordering::SeqCst);
    let mut out = format!("{request_line}\r\n");
    for line in lines {
        let name = line
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if name == "connection" || (swapping && name == "authorization") {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    if swapping {
        // `intruder:x`: the provider accepts any client and secret.
        out.push_str("Authorization: Basic aW50cnVkZXI6eA==\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    if token {
        seen.lock()
            .unwrap()
            .push(String::from_utf8_lossy(&body).into_owned());
    }
    let mut up = TcpStream::connect(("127.0.0.1", upstream))?;
    up.write_all(out.as_bytes())?;
    up.write_all(&body)?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer)?;
    down.write_all(&answer)?;
    down.flush()
}

impl Provider {
    /// The settings of a server that signs in with this provider.
    fn settings(&self) -> SingleSignOn {
        SingleSignOn {
            name: "Example SSO".into(),
            issuer: self.issuer.clone(),
            client_id: "mastery".into(),
            client_secret: "mastery-secret".into(),
            groups_claim: Some("groups".into()),
            admin_groups: vec!["mastery-admins".into()],
            moderator_groups: vec!["mastery-moderators".into()],
            allow_sign_ups: true,
            ..SingleSignOn::default()
        }
    }

    /// What the provider says about `sub` from now on.
    fn person(&self, sub: &str, claims: serde_json::Value) {
        let request = ureq::http::Request::builder()
            .method("PUT")
            .uri(format!("{}/users/{sub}", self.issuer))
            .header("content-type", "application/json")
            .body(claims.to_string())
            .unwrap();
        let reply = common::agent().run(request).unwrap();
        assert_eq!(reply.status(), 204);
    }
}

/// The first half of a sign-in: presses the button; the provider's authorization URL.
fn press_the_button(client: &mut Client) -> String {
    client.get("/sign-in");
    let reply = client.submit("/sign-in/sso", &[("next", "/stats")]);
    assert_eq!(reply.status, 303, "{}", reply.body);
    reply.header("location").unwrap().to_owned()
}

/// At the provider: signs in as `sub` (or denies); where the provider sends the browser.
fn at_the_provider(authorization: &str, form: &str) -> String {
    let request = ureq::http::Request::builder()
        .method("POST")
        .uri(authorization)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_owned())
        .unwrap();
    let reply = common::agent().run(request).unwrap();
    assert!(
        reply.status().is_redirection(),
        "the provider answered {}",
        reply.status()
    );
    reply
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

/// Back at the server with the provider's answer.
fn back(client: &mut Client, callback: &str) -> Reply {
    let path = callback
        .strip_prefix(&client.base)
        .unwrap_or_else(|| panic!("{callback} is not on {}", client.base))
        .to_owned();
    client.get(&path)
}

/// A whole sign-in as `sub`; the answer of the callback.
fn sign_in_as(client: &mut Client, sub: &str) -> Reply {
    let authorization = press_the_button(client);
    let callback = at_the_provider(&authorization, &format!("sub={}", encode(sub)));
    back(client, &callback)
}

fn query_value(url: &str, name: &str) -> Option<String> {
    url.split_once('?')?
        .1
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .map(str::to_owned)
}

fn accounts(server: &Server) -> Vec<Account> {
    let store = server.store();
    server.block_on(async { store.accounts().await.unwrap() })
}

fn account_named(server: &Server, name: &str) -> Option<Account> {
    let store = server.store();
    server.block_on(async { store.account_by_key(&names::login_key(name)).await.unwrap() })
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

#[test]
fn the_first_sign_in_creates_an_account_and_the_next_ones_find_it() {
    let Some(provider) = provider() else { return };
    provider.person(
        "ada-sub",
        serde_json::json!({
            "email": "ada@example.org",
            "email_verified": true,
            "preferred_username": "ada",
        }),
    );
    let server = Server::start_multi_user_with_sso(provider.settings());
    let mut browser = server.client();
    let page = browser.get("/sign-in");
    assert!(
        page.body.contains("Sign in with Example SSO"),
        "{}",
        page.body
    );

    // The authorization request: code flow, S256 challenge, a state and a nonce.
    let authorization = press_the_button(&mut browser);
    assert!(
        authorization.starts_with(&provider.issuer),
        "{authorization}"
    );
    assert_eq!(
        query_value(&authorization, "response_type").as_deref(),
        Some("code")
    );
    assert_eq!(
        query_value(&authorization, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let challenge = query_value(&authorization, "code_challenge").unwrap();
    assert!(query_value(&authorization, "nonce").is_some_and(|n| n.len() >= 32));
    assert!(query_value(&authorization, "state").is_some_and(|s| s.len() >= 32));
    let callback = at_the_provider(&authorization, "sub=ada-sub");
    let reply = back(&mut browser, &callback);
    assert_eq!(reply.status, 303, "{}", reply.body);
    assert_eq!(reply.header("location"), Some("/stats"));
    // Signed in, as a new account named after the provider's username.
    let page = browser.get("/account");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("ada"), "{}", page.body);
    let ada = account_named(&server, "ada").unwrap();
    assert_eq!(ada.email.as_deref(), Some("ada@example.org"));
    assert_eq!(ada.role, Role::Learner);
    // The code was redeemed with the verifier of that challenge.
    let sent = provider.token_requests.lock().unwrap().clone();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let verifier = sent[0]
        .split('&')
        .find_map(|p| p.strip_prefix("code_verifier="))
        .unwrap();
    assert_eq!(base64url(&Sha256::digest(verifier.as_bytes())), challenge);

    // The answer is used once: the same callback again signs nobody in.
    let mut replayer = server.client();
    replayer.cookie = browser.cookie.clone();
    let again = back(&mut replayer, &callback);
    assert_eq!(again.status, 400, "{}", again.body);

    // Later sign-ins, in another browser, find the same account.
    let mut other = server.client();
    let reply = sign_in_as(&mut other, "ada-sub");
    assert_eq!(reply.status, 303, "{}", reply.body);
    assert_eq!(accounts(&server).len(), 1);
    assert!(other.get("/account").body.contains("ada"));
    let security = other.get("/account/security");
    assert!(security.body.contains("Signed in"), "{}", security.body);

    // Someone signed in already is sent on.
    let reply = other.submit("/sign-in/sso", &[("next", "/stats")]);
    assert_eq!(reply.status, 303);
    assert_eq!(reply.header("location"), Some("/stats"));
}

#[test]
fn a_forged_or_foreign_state_and_a_refusal_by_the_provider_create_nothing() {
    let Some(provider) = provider() else { return };
    provider.person("eve-sub", serde_json::json!({"preferred_username": "eve"}));
    let server = Server::start_multi_user_with_sso(provider.settings());

    // A state this server never sent.
    let mut browser = server.client();
    browser.get("/sign-in");
    let forged = browser.get(&format!(
        "/sign-in/sso/callback?code=abc&state={}",
        "0".repeat(64)
    ));
    assert_eq!(forged.status, 400, "{}", forged.body);
    assert!(forged.body.contains("Start again"), "{}", forged.body);
    assert!(!forged.body.contains("panicked"));

    // A state started in another browser (an attacker's own sign-in, finished in the
    // victim's browser): refused, and it is gone for its owner too.
    let mut attacker = server.client();
    let authorization = press_the_button(&mut attacker);
    let callback = at_the_provider(&authorization, "sub=eve-sub");
    let mut victim = server.client();
    victim.get("/sign-in");
    let reply = back(&mut victim, &callback);
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(
        victim.get("/account").status,
        303,
        "the victim is not signed in"
    );

    // The provider answers with an error (the person declined).
    let mut browser = server.client();
    let authorization = press_the_button(&mut browser);
    let callback = at_the_provider(&authorization, "sub=eve-sub&action=deny");
    assert!(callback.contains("error="), "{callback}");
    let reply = back(&mut browser, &callback);
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert!(reply.body.contains("did not sign you in"), "{}", reply.body);

    assert!(accounts(&server).is_empty(), "no account was created");
    assert!(provider.token_requests.lock().unwrap().is_empty());
}

#[test]
fn an_id_token_for_another_client_is_refused() {
    let Some(provider) = provider() else { return };
    provider.person(
        "mallory-sub",
        serde_json::json!({"preferred_username": "mallory"}),
    );
    let server = Server::start_multi_user_with_sso(provider.settings());
    let mut browser = server.client();
    // The code and the ID token are the provider's, valid and signed, but for the client
    // `intruder`: the audience is not this server.
    let authorization = press_the_button(&mut browser);
    let for_intruder = authorization.replace("client_id=mastery", "client_id=intruder");
    assert_ne!(for_intruder, authorization);
    let callback = at_the_provider(&for_intruder, "sub=mallory-sub");
    provider.swap.store(true, Ordering::SeqCst);
    let reply = back(&mut browser, &callback);
    provider.swap.store(false, Ordering::SeqCst);
    assert_eq!(provider.token_requests.lock().unwrap().len(), 1);
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(
        reply.body.contains("could not be checked"),
        "{}",
        reply.body
    );
    assert!(accounts(&server).is_empty(), "no account was created");
    assert_eq!(browser.get("/account").status, 303);
}

#[test]
fn a_verified_address_links_an_account_only_with_its_password() {
    let Some(provider) = provider() else { return };
    let server = Server::start_multi_user_with_sso(provider.settings());
    let store = server.store();
    let grace = server.block_on(async {
        let form = SignUp {
            username: "grace",
            email: "grace@example.org",
            password: PASSWORD,
        };
        test_accounts()
            .add(store.as_ref(), &form, Role::Learner, mastery_storage::now())
            .await
            .unwrap()
    });

    // An unverified address links nothing: a new account, without the address.
    provider.person(
        "not-grace",
        serde_json::json!({"email": "grace@example.org", "email_verified": false,
                           "preferred_username": "grace"}),
    );
    let mut browser = server.client();
    assert_eq!(sign_in_as(&mut browser, "not-grace").status, 303);
    let all = accounts(&server);
    assert_eq!(all.len(), 2);
    let other = all.iter().find(|a| a.learner != grace).unwrap();
    assert_ne!(other.username, "grace");
    assert_eq!(other.email, None);

    // An address the provider vouches for, but that grace never confirmed here, links
    // nothing either: whoever typed it into their account cannot stand in the way.
    provider.person(
        "grace-early",
        serde_json::json!({"email": "grace@example.org", "email_verified": true,
                           "preferred_username": "gracie"}),
    );
    let mut browser = server.client();
    assert_eq!(sign_in_as(&mut browser, "grace-early").status, 303);
    assert_eq!(accounts(&server).len(), 3);

    // A verified address that grace confirmed here asks for her password.
    server.block_on(async {
        store
            .set_email_verified(grace, "grace@example.org", mastery_storage::now())
            .await
            .unwrap();
    });
    provider.person(
        "grace-sub",
        serde_json::json!({"email": "Grace@example.org", "email_verified": true}),
    );
    let mut browser = server.client();
    let page = sign_in_as(&mut browser, "grace-sub");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Link your account"), "{}", page.body);
    let pending = page
        .body
        .split("name=\"pending\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let wrong = browser.submit(
        "/sign-in/sso/link",
        &[
            ("pending", &pending),
            ("password", "not the password at all"),
        ],
    );
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    let linked = |server: &Server| {
        let store = server.store();
        server.block_on(async { store.sso_identities(grace).await.unwrap().len() })
    };
    assert_eq!(linked(&server), 0);
    assert_eq!(browser.get("/account").status, 303, "not signed in");
    // The proof is this browser's: another one cannot use it, even with the password.
    let mut thief = server.client();
    thief.get("/sign-in");
    let stolen = thief.submit(
        "/sign-in/sso/link",
        &[("pending", &pending), ("password", PASSWORD)],
    );
    assert_eq!(stolen.status, 400, "{}", stolen.body);
    assert_eq!(linked(&server), 0);

    browser.get("/sign-in");
    let right = browser.submit(
        "/sign-in/sso/link",
        &[
            ("pending", &pending),
            ("password", PASSWORD),
            ("next", "/stats"),
        ],
    );
    assert_eq!(right.status, 303, "{}", right.body);
    assert_eq!(linked(&server), 1);
    assert!(browser.get("/account").body.contains("grace"));
    let events = server.block_on(async { store.security_events(grace, 50).await.unwrap() });
    assert!(
        events.iter().any(|e| e.kind == "single-sign-on-linked"),
        "{events:?}"
    );

    // From now on the provider signs in straight away.
    let mut later = server.client();
    assert_eq!(sign_in_as(&mut later, "grace-sub").status, 303);
    assert!(later.get("/account").body.contains("grace"));
    assert_eq!(accounts(&server).len(), 3);

    // With two-factor sign-in on, the provider leads to the code step, not in.
    server.block_on(async {
        store
            .begin_totp(grace, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", 1)
            .await
            .unwrap();
        assert!(store.enable_totp(grace, 0, &[], 1).await.unwrap());
    });
    let mut two_factor = server.client();
    let page = sign_in_as(&mut two_factor, "grace-sub");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("/sign-in/two-factor"), "{}", page.body);
    assert_eq!(two_factor.get("/account").status, 303, "not signed in yet");
}

#[test]
fn groups_decide_roles_and_closed_registration_is_kept() {
    let Some(provider) = provider() else { return };
    let server = Server::start_multi_user_with_sso(provider.settings());
    server.add_user("root", Role::Admin);
    provider.person(
        "lin-sub",
        serde_json::json!({"preferred_username": "lin", "groups": ["staff", "mastery-admins"]}),
    );
    let mut browser = server.client();
    assert_eq!(sign_in_as(&mut browser, "lin-sub").status, 303);
    assert_eq!(account_named(&server, "lin").unwrap().role, Role::Admin);
    assert_eq!(browser.get("/admin/users").status, 200);

    provider.person(
        "lin-sub",
        serde_json::json!({"preferred_username": "lin", "groups": ["mastery-moderators"]}),
    );
    let mut browser = server.client();
    assert_eq!(sign_in_as(&mut browser, "lin-sub").status, 303);
    assert_eq!(account_named(&server, "lin").unwrap().role, Role::Moderator);
    assert_eq!(browser.get("/admin/users").status, 403);

    provider.person("lin-sub", serde_json::json!({"preferred_username": "lin"}));
    let mut browser = server.client();
    assert_eq!(sign_in_as(&mut browser, "lin-sub").status, 303);
    assert_eq!(account_named(&server, "lin").unwrap().role, Role::Learner);

    // A site admitting accounts by invitation (the default) where the operator did not
    // let the provider create accounts: refused, with the reason, nothing created.
    let closed = Server::start_multi_user_with_sso(SingleSignOn {
        allow_sign_ups: false,
        ..provider.settings()
    });
    let mut browser = closed.client();
    let reply = sign_in_as(&mut browser, "lin-sub");
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert!(
        reply.body.contains("does not admit new accounts"),
        "{}",
        reply.body
    );
    assert!(accounts(&closed).is_empty());
    // Forged link proofs are refused for anyone.
    browser.get("/sign-in");
    let forged = browser.submit(
        "/sign-in/sso/link",
        &[
            ("pending", "1.99999999999999.00.00"),
            ("password", PASSWORD),
        ],
    );
    assert_eq!(forged.status, 400, "{}", forged.body);
}
