//! The account service on a real SQLite database, with the clock passed in: session
//! timeouts, sign-in rules, the first admin taking over personal data, the last admin kept.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mastery_app::AppError;
use mastery_app::accounts::password::Hasher;
use mastery_app::accounts::{AccountPolicy, Accounts, SIGN_IN_FAILED, SignUp, TOUCH_EVERY};
use mastery_storage::{AccountStorage as _, QuestionKey, Role, Storage};
use mastery_storage_sqlite::SqliteStore;

const NOW: i64 = 1_800_000_000_000;
const HOUR: i64 = 3_600_000;
const PASSWORD: &str = "correct horse battery staple";

async fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&format!("sqlite://{}", dir.path().join("m.db").display()))
        .await
        .unwrap();
    (dir, store)
}

fn accounts() -> Accounts {
    let policy = AccountPolicy {
        session_idle: 2 * HOUR,
        session_lifetime: 10 * HOUR,
        ..AccountPolicy::default()
    };
    Accounts::with_hasher(policy, Hasher::with_params(64, 1, 1).unwrap())
}

fn form(name: &str) -> SignUp<'_> {
    SignUp {
        username: name,
        email: "",
        password: PASSWORD,
    }
}

#[tokio::test]
async fn sessions_end_after_the_idle_timeout_and_the_absolute_lifetime() {
    let (_dir, store) = store().await;
    let accounts = accounts();
    let ada = accounts
        .add(&store, &form("ada"), Role::Learner, NOW)
        .await
        .unwrap();
    let token = accounts
        .start_session(
            &store,
            &store.account(ada).await.unwrap().unwrap(),
            Some("curl/8"),
            None,
            NOW,
        )
        .await
        .unwrap();

    // Used every 90 minutes: alive, and last seen moves (at most once a minute).
    let mut t = NOW;
    for _ in 0..5 {
        t += 90 * 60_000;
        let alive = accounts.session(&store, &token, t).await.unwrap().unwrap();
        assert_eq!(alive.session.last_seen_at, t);
        assert_eq!(alive.account.username, "ada");
    }
    let soon = accounts
        .session(&store, &token, t + TOUCH_EVERY - 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        soon.session.last_seen_at, t,
        "not written again within a minute"
    );
    // 7.5 h so far; at 10 h after sign-in it ends however busy it is.
    assert!(
        accounts
            .session(&store, &token, NOW + 9 * HOUR)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        accounts
            .session(&store, &token, NOW + 10 * HOUR - 1)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        accounts
            .session(&store, &token, NOW + 10 * HOUR)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store.sessions(ada).await.unwrap().is_empty(),
        "an expired session is deleted"
    );

    // Idle for 2 hours: gone.
    let token = accounts
        .start_session(
            &store,
            &store.account(ada).await.unwrap().unwrap(),
            None,
            None,
            NOW,
        )
        .await
        .unwrap();
    assert!(
        accounts
            .session(&store, &token, NOW + 2 * HOUR - 1)
            .await
            .unwrap()
            .is_some()
    );
    let later = NOW + 2 * HOUR - 1 + 2 * HOUR;
    assert!(
        accounts
            .session(&store, &token, later)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn expired_sessions_are_swept_and_live_ones_kept() {
    let (_dir, store) = store().await;
    let accounts = accounts();
    let ada = accounts
        .add(&store, &form("ada"), Role::Learner, NOW)
        .await
        .unwrap();
    accounts
        .start_session(
            &store,
            &store.account(ada).await.unwrap().unwrap(),
            None,
            None,
            NOW,
        )
        .await
        .unwrap();
    let fresh = accounts
        .start_session(
            &store,
            &store.account(ada).await.unwrap().unwrap(),
            None,
            None,
            NOW + 3 * HOUR,
        )
        .await
        .unwrap();
    let ended = accounts
        .end_expired_sessions(&store, NOW + 3 * HOUR)
        .await
        .unwrap();
    assert_eq!(ended, 1);
    assert!(
        accounts
            .session(&store, &fresh, NOW + 3 * HOUR)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn sign_in_gives_one_answer_for_every_failure_and_starts_a_new_session() {
    let (_dir, store) = store().await;
    let accounts = accounts();
    let ada = accounts
        .add(&store, &form("Ada"), Role::Learner, NOW)
        .await
        .unwrap();
    for (login, password) in [("ada", "wrong"), ("nobody", PASSWORD), ("", PASSWORD)] {
        match accounts.check_credentials(&store, login, password).await {
            Err(AppError::SignIn(message)) => assert_eq!(message, SIGN_IN_FAILED),
            other => panic!("{login}: {other:?}"),
        }
    }
    let account = accounts
        .check_credentials(&store, "ADA", PASSWORD)
        .await
        .unwrap();
    assert_eq!(account.learner, ada);
    let first = accounts
        .start_session(
            &store,
            &store.account(ada).await.unwrap().unwrap(),
            None,
            None,
            NOW,
        )
        .await
        .unwrap();
    let second = accounts
        .start_session(
            &store,
            &store.account(ada).await.unwrap().unwrap(),
            None,
            Some(&first),
            NOW + 1,
        )
        .await
        .unwrap();
    assert_ne!(first, second);
    assert!(
        accounts
            .session(&store, &first, NOW + 2)
            .await
            .unwrap()
            .is_none(),
        "replaced"
    );
    assert!(
        accounts
            .session(&store, &second, NOW + 2)
            .await
            .unwrap()
            .is_some()
    );
    // Disabled: the right password says so; its sessions are gone.
    accounts
        .set_disabled(&store, ada, true, NOW + 3)
        .await
        .unwrap();
    assert!(
        accounts
            .session(&store, &second, NOW + 4)
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        accounts.check_credentials(&store, "ada", PASSWORD).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        accounts.check_credentials(&store, "ada", "wrong").await,
        Err(AppError::SignIn(_))
    ));
}

#[tokio::test]
async fn the_first_admin_takes_over_the_personal_learner_s_data() {
    let (_dir, store) = store().await;
    let personal = store.personal_learner().await.unwrap();
    let key = QuestionKey::new("python-django", "gil");
    store.set_mark(personal, &key, true, NOW).await.unwrap();
    store
        .save_note(personal, &key, "from personal mode", NOW)
        .await
        .unwrap();
    let accounts = accounts();
    let token = accounts.setup_token(&store).await.unwrap().unwrap();
    assert_eq!(
        accounts.setup_token(&store).await.unwrap().unwrap(),
        token,
        "stable"
    );
    assert!(matches!(
        accounts
            .set_up_first_admin(&store, "wrong", &form("ada"), NOW)
            .await,
        Err(AppError::Forbidden(_))
    ));
    let admin = accounts
        .set_up_first_admin(&store, &token, &form("ada"), NOW)
        .await
        .unwrap();
    assert_eq!(admin, personal, "the same learner, now an account");
    assert_eq!(store.marks(admin).await.unwrap().len(), 1);
    assert_eq!(
        store.note(admin, &key).await.unwrap().unwrap().body,
        "from personal mode"
    );
    assert!(accounts.setup_token(&store).await.unwrap().is_none());
    assert!(matches!(
        accounts
            .set_up_first_admin(&store, &token, &form("eve"), NOW)
            .await,
        Err(AppError::Forbidden(_))
    ));
}

#[tokio::test]
async fn the_last_admin_cannot_be_demoted_disabled_or_deleted() {
    let (_dir, store) = store().await;
    let accounts = accounts();
    let ada = accounts
        .add(&store, &form("ada"), Role::Admin, NOW)
        .await
        .unwrap();
    for result in [
        accounts.set_role(&store, ada, Role::Learner).await,
        accounts.set_disabled(&store, ada, true, NOW).await,
        accounts.delete(&store, ada).await,
    ] {
        assert!(matches!(result, Err(AppError::Forbidden(_))), "{result:?}");
    }
    let bob = accounts
        .add(&store, &form("bob"), Role::Admin, NOW)
        .await
        .unwrap();
    accounts.set_role(&store, ada, Role::Learner).await.unwrap();
    assert!(
        accounts.delete(&store, bob).await.is_err(),
        "bob is now the last admin"
    );
}

#[tokio::test]
async fn invitations_admit_as_many_accounts_as_they_say() {
    let (_dir, store) = store().await;
    let accounts = accounts();
    let new = accounts
        .create_invite(&store, None, "cohort", NOW + HOUR, 2, NOW)
        .await
        .unwrap();
    for name in ["ann", "ben"] {
        accounts
            .sign_up(&store, &form(name), Some(&new.token), NOW + 1)
            .await
            .unwrap();
    }
    let third = accounts
        .sign_up(&store, &form("cat"), Some(&new.token), NOW + 2)
        .await;
    assert!(matches!(third, Err(AppError::Forbidden(_))), "{third:?}");
    let expired = accounts
        .create_invite(&store, None, "", NOW + HOUR, 5, NOW)
        .await
        .unwrap();
    let late = accounts
        .sign_up(&store, &form("dan"), Some(&expired.token), NOW + HOUR)
        .await;
    assert!(matches!(late, Err(AppError::Forbidden(_))), "{late:?}");
    assert!(
        accounts
            .create_invite(&store, None, "", NOW - 1, 1, NOW)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_reset_racing_a_sign_in_leaves_no_session_and_long_input_is_refused() {
    let (_dir, store) = store().await;
    let accounts = accounts();
    let ada = accounts
        .add(&store, &form("ada"), Role::Learner, NOW)
        .await
        .unwrap();
    let checked = accounts
        .check_credentials(&store, "ada", PASSWORD)
        .await
        .unwrap();
    // The admin's reset lands between the password check and the new session.
    accounts
        .reset_password(&store, ada, "a reset passphrase for ada", NOW + 1)
        .await
        .unwrap();
    assert!(matches!(
        accounts
            .start_session(&store, &checked, None, None, NOW + 2)
            .await,
        Err(AppError::SignIn(_))
    ));
    assert!(store.sessions(ada).await.unwrap().is_empty());
    // Input far longer than any username or password names no account.
    let long = "a".repeat(10_000);
    assert!(matches!(
        accounts.check_credentials(&store, &long, PASSWORD).await,
        Err(AppError::SignIn(_))
    ));
    assert!(matches!(
        accounts.check_credentials(&store, "ada", &long).await,
        Err(AppError::SignIn(_))
    ));
}
