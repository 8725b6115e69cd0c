//! Account security's part of the contract suite: limits taken all or none, the second
//! factor's steps and recovery codes used once, access tokens, security events.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use super::{Fixture, new_account};
use crate::{
    ApiToken, EmailLink, LearnerId, LinkPurpose, RateLimit, SecurityEvent, StorageError, TokenScope,
};

/// Several limits are taken all or none: when one refuses, the others keep their tokens,
/// and the answer names the one that refuses longest.
pub async fn rate_limits_are_taken_all_or_none(fx: &dyn Fixture) {
    let store = fx.store();
    let wide = RateLimit {
        key: "ip:1",
        interval_ms: 1_000,
        burst: 10,
    };
    let narrow = RateLimit {
        key: "account:1",
        interval_ms: 60_000,
        burst: 2,
    };
    for _ in 0..2 {
        assert_eq!(store.take_rates(&[wide, narrow], 0).await.unwrap(), None);
    }
    assert_eq!(
        store.take_rates(&[wide, narrow], 0).await.unwrap(),
        Some((1, 60_000))
    );
    // The address's limit gave nothing for the refused attempt: 8 are left.
    for _ in 0..8 {
        assert_eq!(store.take_rates(&[wide], 0).await.unwrap(), None);
    }
    assert!(store.take_rates(&[wide], 0).await.unwrap().is_some());
    // A refused take writes nothing, not even a row for a key seen for the first time.
    let fresh = RateLimit {
        key: "account:new",
        interval_ms: 60_000,
        burst: 2,
    };
    assert!(store.take_rates(&[wide, fresh], 0).await.unwrap().is_some());
    assert_eq!(
        store.sweep_rates(0).await.unwrap(),
        0,
        "no row was left for the new key"
    );
    store.clear_rates(&["account:1"]).await.unwrap();
    assert_eq!(
        store.take_rate("account:1", 0, 60_000, 2).await.unwrap(),
        None
    );
    assert!(matches!(
        store.take_rate("a\0b", 0, 1, 1).await,
        Err(StorageError::Invalid(_))
    ));
}

/// Enrolling keeps a pending secret until a code turns it on; each step and each recovery
/// code is accepted once; turning it off removes everything.
pub async fn second_factors_are_used_once(fx: &dyn Fixture) {
    let store = fx.store();
    let ann = store
        .create_account(&new_account("ann", None, 1))
        .await
        .unwrap();
    assert!(store.totp(ann).await.unwrap().is_none());
    store.begin_totp(ann, "SECRETONE", 10).await.unwrap();
    store.begin_totp(ann, "SECRETTWO", 11).await.unwrap();
    let pending = store.totp(ann).await.unwrap().unwrap();
    assert_eq!(pending.secret, "SECRETTWO");
    assert_eq!(pending.enabled_at, None);
    assert!(
        !store.use_totp_step(ann, 5).await.unwrap(),
        "a pending secret accepts no code"
    );
    let hashes: Vec<String> = (0..10).map(|i| format!("code-{i}")).collect();
    assert!(store.enable_totp(ann, 100, &hashes, 20).await.unwrap());
    assert!(!store.enable_totp(ann, 100, &hashes, 21).await.unwrap());
    assert!(matches!(
        store.begin_totp(ann, "AGAIN", 30).await,
        Err(StorageError::Invalid(_))
    ));
    assert!(!store.use_totp_step(ann, 100).await.unwrap(), "replayed");
    assert!(!store.use_totp_step(ann, 99).await.unwrap(), "older");
    assert!(store.use_totp_step(ann, 101).await.unwrap());
    assert_eq!(store.totp(ann).await.unwrap().unwrap().last_step, 101);
    assert_eq!(store.recovery_codes_left(ann).await.unwrap(), 10);
    assert!(store.use_recovery_code(ann, "code-3", 40).await.unwrap());
    assert!(!store.use_recovery_code(ann, "code-3", 41).await.unwrap());
    assert!(!store.use_recovery_code(ann, "nope", 41).await.unwrap());
    assert_eq!(store.recovery_codes_left(ann).await.unwrap(), 9);

    // Two instances checking the same code at once: one wins.
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.use_totp_step(ann, 200).await.unwrap() })
        })
        .collect();
    let mut accepted = 0;
    for task in tasks {
        if task.await.unwrap() {
            accepted += 1;
        }
    }
    assert_eq!(accepted, 1);

    assert!(store.disable_totp(ann).await.unwrap());
    assert!(store.totp(ann).await.unwrap().is_none());
    assert_eq!(store.recovery_codes_left(ann).await.unwrap(), 0);
    assert!(!store.disable_totp(ann).await.unwrap());
}

fn token(learner: LearnerId, hash: &str, at: i64) -> ApiToken {
    ApiToken {
        id: 0,
        learner,
        token_hash: hash.into(),
        label: format!("script {hash}"),
        scope: TokenScope::Read,
        created_at: at,
        expires_at: Some(at + 1_000),
        last_used_at: None,
        revoked_at: None,
    }
}

/// Tokens are found by digest with their account, listed newest first, touched, and
/// revoked only by their owner.
pub async fn access_tokens_are_found_touched_and_revoked(fx: &dyn Fixture) {
    let store = fx.store();
    let ann = store
        .create_account(&new_account("ann", None, 1))
        .await
        .unwrap();
    let bob = store
        .create_account(&new_account("bob", None, 2))
        .await
        .unwrap();
    let first = store.create_api_token(&token(ann, "h1", 10)).await.unwrap();
    let second = store
        .create_api_token(&ApiToken {
            scope: TokenScope::Write,
            expires_at: None,
            ..token(ann, "h2", 20)
        })
        .await
        .unwrap();
    assert_ne!(first, second);
    let listed = store.api_tokens(ann).await.unwrap();
    assert_eq!(
        listed.iter().map(|t| t.id).collect::<Vec<_>>(),
        [second, first]
    );
    assert_eq!(listed[0].scope, TokenScope::Write);
    assert_eq!(listed[0].expires_at, None);
    let (found, account) = store.api_token("h1").await.unwrap().unwrap();
    assert_eq!((found.id, account.learner), (first, ann));
    assert_eq!(found.label, "script h1");
    assert!(store.api_token("h3").await.unwrap().is_none());
    store.touch_api_token(first, 50).await.unwrap();
    store.touch_api_token(first, 40).await.unwrap();
    assert_eq!(
        store.api_token("h1").await.unwrap().unwrap().0.last_used_at,
        Some(50)
    );
    assert!(!store.revoke_api_token(bob, first, 60).await.unwrap());
    assert!(store.revoke_api_token(ann, first, 60).await.unwrap());
    assert!(!store.revoke_api_token(ann, first, 61).await.unwrap());
    assert_eq!(
        store.api_token("h1").await.unwrap().unwrap().0.revoked_at,
        Some(60)
    );
    assert!(store.api_tokens(bob).await.unwrap().is_empty());
    assert!(
        store.create_api_token(&token(bob, "h1", 70)).await.is_err(),
        "a digest is unique"
    );
}

/// Events are listed newest first, and only the most recent `keep` are kept.
pub async fn security_events_keep_the_most_recent(fx: &dyn Fixture) {
    let store = fx.store();
    let ann = store
        .create_account(&new_account("ann", None, 1))
        .await
        .unwrap();
    for at in 1..=5 {
        let event = SecurityEvent {
            id: 0,
            learner: ann,
            at,
            kind: "sign-in".into(),
            client: format!("192.0.2.{at}"),
            device: "Firefox on Linux".into(),
        };
        store.record_security_event(&event, 3).await.unwrap();
    }
    let events = store.security_events(ann, 10).await.unwrap();
    assert_eq!(events.iter().map(|e| e.at).collect::<Vec<_>>(), [5, 4, 3]);
    assert_eq!(events[0].client, "192.0.2.5");
    assert_eq!(store.security_events(ann, 1).await.unwrap().len(), 1);
    let bad = SecurityEvent {
        kind: "a\0".into(),
        ..events[0].clone()
    };
    assert!(store.record_security_event(&bad, 3).await.is_err());
}

/// Links sent by e-mail work once, until they expire, and using one uses up the account's
/// other links of that purpose; the verified address is kept per account.
pub async fn email_links_work_once_and_until_they_expire(fx: &dyn Fixture) {
    let store = fx.store();
    let ann = store
        .create_account(&new_account("ann", Some("ann@example.org"), 1))
        .await
        .unwrap();
    let bob = store
        .create_account(&new_account("bob", None, 2))
        .await
        .unwrap();
    let link = |hash: &str, learner, purpose, expires_at| EmailLink {
        token_hash: hash.into(),
        learner,
        purpose,
        email_key: "ann@example.org".into(),
        created_at: 100,
        expires_at,
    };
    for l in [
        link("r1", ann, LinkPurpose::Reset, 1000),
        link("r2", ann, LinkPurpose::Reset, 1000),
        link("v1", ann, LinkPurpose::Verify, 1000),
        link("b1", bob, LinkPurpose::Reset, 1000),
        link("old", ann, LinkPurpose::Verify, 200),
    ] {
        store.create_email_link(&l).await.unwrap();
    }
    assert!(
        store
            .create_email_link(&link("r1", bob, LinkPurpose::Reset, 9))
            .await
            .is_err(),
        "a digest is unique"
    );
    // The wrong purpose and an expired link find nothing.
    assert!(
        store
            .use_email_link("r1", LinkPurpose::Verify, 500)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .use_email_link("old", LinkPurpose::Verify, 500)
            .await
            .unwrap()
            .is_none()
    );
    let used = store
        .use_email_link("r2", LinkPurpose::Reset, 500)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (used.learner, used.email_key.as_str(), used.created_at),
        (ann, "ann@example.org", 100)
    );
    // Once: and the other reset link of the account went with it, not its verify link,
    // nor anybody else's.
    for hash in ["r2", "r1"] {
        assert!(
            store
                .use_email_link(hash, LinkPurpose::Reset, 501)
                .await
                .unwrap()
                .is_none()
        );
    }
    assert!(
        store
            .use_email_link("v1", LinkPurpose::Verify, 502)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .use_email_link("b1", LinkPurpose::Reset, 503)
            .await
            .unwrap()
            .is_some()
    );

    // A day later, a new link sweeps the used and expired ones (nothing else changes).
    let day = 24 * 3600 * 1000;
    let fresh = EmailLink {
        created_at: 1000 + day + 1,
        ..link("r3", ann, LinkPurpose::Reset, 2000 + 2 * day)
    };
    store.create_email_link(&fresh).await.unwrap();
    let rows = store.export_all().await.unwrap();
    let links = rows
        .account_security
        .iter()
        .find(|t| t.table == "email_links")
        .map_or(0, |t| t.rows.len());
    assert_eq!(
        links, 2,
        "ann's old links are swept; bob's and the new one stay"
    );

    assert_eq!(store.verified_email(ann).await.unwrap(), None);
    store
        .set_email_verified(ann, "ann@example.org", 600)
        .await
        .unwrap();
    store
        .set_email_verified(ann, "ann@example.net", 700)
        .await
        .unwrap();
    assert_eq!(
        store.verified_email(ann).await.unwrap().as_deref(),
        Some("ann@example.net")
    );
    assert_eq!(store.verified_email(bob).await.unwrap(), None);
    // They go with the account.
    store.delete_account(ann).await.unwrap();
    assert_eq!(store.verified_email(ann).await.unwrap(), None);
}
