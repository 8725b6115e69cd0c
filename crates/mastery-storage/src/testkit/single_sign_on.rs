//! Single sign-on's part of the contract suite: a pending sign-in is taken once and not
//! after it expires; an identity links to one account; creating an account for an identity
//! is all or nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use super::{Fixture, new_account};
use crate::{SsoIdentity, SsoPending, StorageError, Taken};

fn pending(state: &str, expires_at: i64) -> SsoPending {
    SsoPending {
        state_hash: state.to_owned(),
        browser_hash: "browser".to_owned(),
        nonce: "nonce".to_owned(),
        verifier: "verifier".to_owned(),
        redirect_url: "https://example.org/sign-in/sso/callback".to_owned(),
        next: "/".to_owned(),
        expires_at,
    }
}

fn identity(subject: &str, learner: crate::LearnerId) -> SsoIdentity {
    SsoIdentity {
        issuer: "https://idp.example.org".to_owned(),
        subject: subject.to_owned(),
        learner,
        created_at: 10,
        last_used_at: 10,
    }
}

/// A pending sign-in is taken once; an expired one is not given, and is swept by the next
/// save.
pub async fn pending_sign_ins_are_taken_once_before_they_expire(fx: &dyn Fixture) {
    let store = fx.store();
    store.save_sso_pending(&pending("a", 100), 0).await.unwrap();
    store.save_sso_pending(&pending("b", 100), 0).await.unwrap();
    assert_eq!(
        store.take_sso_pending("a", 50).await.unwrap(),
        Some(pending("a", 100))
    );
    assert_eq!(store.take_sso_pending("a", 50).await.unwrap(), None);
    assert_eq!(store.take_sso_pending("b", 100).await.unwrap(), None);
    assert_eq!(store.take_sso_pending("b", 0).await.unwrap(), None, "gone");
    store.save_sso_pending(&pending("c", 100), 0).await.unwrap();
    store
        .save_sso_pending(&pending("d", 300), 200)
        .await
        .unwrap();
    assert_eq!(store.take_sso_pending("c", 0).await.unwrap(), None, "swept");
    assert!(matches!(
        store.save_sso_pending(&pending("e\0", 100), 0).await,
        Err(StorageError::Invalid(_))
    ));
}

/// An identity is linked to one account; creating an account for a linked identity writes
/// nothing, and a taken username leaves no identity behind.
pub async fn identities_link_one_account_and_creation_is_all_or_nothing(fx: &dyn Fixture) {
    let store = fx.store();
    let ada = store
        .create_account(&new_account("ada", Some("ada@example.org"), 1))
        .await
        .unwrap();
    assert!(store.link_sso_identity(&identity("s1", ada)).await.unwrap());
    assert!(!store.link_sso_identity(&identity("s1", ada)).await.unwrap());
    assert_eq!(
        store
            .sso_identity("https://idp.example.org", "s1")
            .await
            .unwrap()
            .map(|i| i.learner),
        Some(ada)
    );
    store
        .touch_sso_identity("https://idp.example.org", "s1", 99)
        .await
        .unwrap();
    assert_eq!(store.sso_identities(ada).await.unwrap()[0].last_used_at, 99);

    let grace = store
        .create_sso_account(&new_account("grace", None, 2), &identity("s2", ada))
        .await
        .unwrap();
    assert_ne!(grace, ada);
    assert_eq!(
        store
            .sso_identity("https://idp.example.org", "s2")
            .await
            .unwrap()
            .map(|i| i.learner),
        Some(grace),
        "the identity belongs to the new account"
    );
    // Linked already: no account is created.
    assert!(matches!(
        store
            .create_sso_account(&new_account("mallory", None, 3), &identity("s1", ada))
            .await,
        Err(StorageError::Invalid(_))
    ));
    assert!(store.account_by_key("mallory").await.unwrap().is_none());
    // A taken username: no identity is linked.
    assert!(matches!(
        store
            .create_sso_account(&new_account("ada", None, 3), &identity("s3", ada))
            .await,
        Err(StorageError::Taken(Taken::Username))
    ));
    assert!(
        store
            .sso_identity("https://idp.example.org", "s3")
            .await
            .unwrap()
            .is_none()
    );
    // Deleting the account forgets its identities.
    assert!(store.delete_account(grace).await.unwrap());
    assert!(
        store
            .sso_identity("https://idp.example.org", "s2")
            .await
            .unwrap()
            .is_none()
    );
}
