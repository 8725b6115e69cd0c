//! Security events: what happened to an account's security, kept so its owner can see it
//! on their security page ("new sign-in from …") and counted in `/metrics` by the web
//! layer. Never a secret: the kind, the time, the client's address (IPv6 by its /64) and
//! the device (browser and system, or a token's label).
//!
//! Each account keeps its [`KEEP`] most recent events.

use std::collections::HashSet;
use std::net::IpAddr;

use mastery_storage::{LearnerId, Millis, SecurityEvent, Storage};

use super::limits::client_group;
use crate::AppError;

/// How many events an account keeps.
pub const KEEP: i64 = 200;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A sign-in that succeeded (after the second factor, when it is on).
    SignIn,
    /// A wrong password for this account.
    SignInFailed,
    /// Sign-in (or the second step) refused by the limits: too many failures.
    LockedOut,
    /// A wrong code at the second step.
    SecondFactorFailed,
    /// A recovery code was used.
    RecoveryCodeUsed,
    /// The password was changed (by its owner or reset by an admin).
    PasswordChanged,
    /// Two-factor sign-in was turned on.
    TwoFactorOn,
    /// Two-factor sign-in was turned off.
    TwoFactorOff,
    /// An access token was created.
    TokenCreated,
    /// An access token was revoked.
    TokenRevoked,
    /// An access token was used (recorded at most once an hour per token).
    TokenUsed,
    /// An identity at the single sign-on provider was linked (after the password).
    SingleSignOnLinked,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 12] = [
        EventKind::SignIn,
        EventKind::SignInFailed,
        EventKind::LockedOut,
        EventKind::SecondFactorFailed,
        EventKind::RecoveryCodeUsed,
        EventKind::PasswordChanged,
        EventKind::TwoFactorOn,
        EventKind::TwoFactorOff,
        EventKind::TokenCreated,
        EventKind::TokenRevoked,
        EventKind::TokenUsed,
        EventKind::SingleSignOnLinked,
    ];

    /// Its stored name (and the `kind` label in `/metrics`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::SignIn => "sign-in",
            EventKind::SignInFailed => "sign-in-failed",
            EventKind::LockedOut => "locked-out",
            EventKind::SecondFactorFailed => "second-factor-failed",
            EventKind::RecoveryCodeUsed => "recovery-code-used",
            EventKind::PasswordChanged => "password-changed",
            EventKind::TwoFactorOn => "two-factor-on",
            EventKind::TwoFactorOff => "two-factor-off",
            EventKind::TokenCreated => "token-created",
            EventKind::TokenRevoked => "token-revoked",
            EventKind::TokenUsed => "token-used",
            EventKind::SingleSignOnLinked => "single-sign-on-linked",
        }
    }

    /// The kind of a stored name.
    #[must_use]
    pub fn parse(name: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// What it means, in words, for the security page.
    #[must_use]
    pub fn words(self) -> &'static str {
        match self {
            EventKind::SignIn => "Signed in",
            EventKind::SignInFailed => "Wrong password",
            EventKind::LockedOut => "Sign-in paused after too many failures",
            EventKind::SecondFactorFailed => "Wrong two-factor code",
            EventKind::RecoveryCodeUsed => "Recovery code used",
            EventKind::PasswordChanged => "Password changed",
            EventKind::TwoFactorOn => "Two-factor sign-in turned on",
            EventKind::TwoFactorOff => "Two-factor sign-in turned off",
            EventKind::TokenCreated => "Access token created",
            EventKind::TokenRevoked => "Access token revoked",
            EventKind::TokenUsed => "Access token used",
            EventKind::SingleSignOnLinked => "Single sign-on linked",
        }
    }

    /// Whether the owner should look twice at it (failures and changes).
    #[must_use]
    pub fn notable(self) -> bool {
        !matches!(self, EventKind::SignIn | EventKind::TokenUsed)
    }
}

/// Records an event of the account's.
///
/// # Errors
///
/// Storage errors.
pub async fn record(
    store: &dyn Storage,
    learner: LearnerId,
    kind: EventKind,
    client: Option<IpAddr>,
    device: &str,
    now: Millis,
) -> Result<(), AppError> {
    let device: String = device.chars().take(100).collect();
    let event = SecurityEvent {
        id: 0,
        learner,
        at: now,
        kind: kind.as_str().to_owned(),
        client: client.map(|c| client_group(Some(c))).unwrap_or_default(),
        device,
    };
    store.record_security_event(&event, KEEP).await?;
    tracing::info!(learner = learner.0, kind = kind.as_str(), "security event");
    Ok(())
}

/// An event as the security page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// The stored event.
    pub event: SecurityEvent,
    /// Its kind (`None` for a kind this version does not know).
    pub kind: Option<EventKind>,
    /// A sign-in from an address none of the older sign-ins kept came from.
    pub new_place: bool,
}

/// The account's recent events, newest first, each sign-in marked when it came from an
/// address not seen in the older sign-ins kept.
///
/// # Errors
///
/// Storage errors.
pub async fn recent(
    store: &dyn Storage,
    learner: LearnerId,
    limit: i64,
) -> Result<Vec<Shown>, AppError> {
    let events = store.security_events(learner, KEEP).await?;
    let mut seen = HashSet::new();
    let mut shown: Vec<Shown> = events
        .into_iter()
        .rev()
        .map(|event| {
            let kind = EventKind::parse(&event.kind);
            let sign_in = kind == Some(EventKind::SignIn);
            // The very first sign-in kept is not "new": there is nothing to compare with.
            let new_place = sign_in && !seen.is_empty() && !seen.contains(&event.client);
            if sign_in {
                seen.insert(event.client.clone());
            }
            Shown {
                event,
                kind,
                new_place,
            }
        })
        .collect();
    shown.reverse();
    shown.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
            assert!(!kind.words().is_empty());
        }
        assert_eq!(EventKind::parse("sign-in-teleported"), None);
    }
}
