//! What a member is told inside the app: replies to their threads, decisions on their
//! suggestions and flags, moderators' actions about them. Each has a sentence and a link;
//! the header shows how many are unread, and the list marks them read when it is seen.
//!
//! A notification follows an action that has already happened (a reply is saved, then its
//! thread's author is told): when writing the notification fails, the action stands and
//! the failure is logged. Decisions on suggestions write theirs in the decision's own
//! transaction instead.

use mastery_storage::{Account, LearnerId, Millis, NewNotification, Notification, Storage};

use crate::AppError;

/// Notifications per page.
pub const NOTIFICATIONS_PER_PAGE: i64 = 50;

/// What kinds there are, as stored.
pub mod kind {
    /// A reply in a thread the member opened.
    pub const REPLY: &str = "reply";
    /// A moderator's decision on the member's suggestion.
    pub const SUGGESTION: &str = "suggestion";
    /// A moderator's decision on a post the member flagged.
    pub const FLAG: &str = "flag";
    /// A moderator's action on the member's post or account.
    pub const MODERATION: &str = "moderation";
}

/// A page of the member's notifications, newest first (those numbered below `before`).
///
/// # Errors
///
/// Storage errors.
pub async fn list(
    store: &dyn Storage,
    account: &Account,
    before: Option<i64>,
) -> Result<Vec<Notification>, AppError> {
    Ok(store
        .notifications(account.learner, before, NOTIFICATIONS_PER_PAGE)
        .await?)
}

/// How many of the member's notifications are unread.
///
/// # Errors
///
/// Storage errors.
pub async fn unread(store: &dyn Storage, account: &Account) -> Result<i64, AppError> {
    Ok(store.unread_notifications(account.learner).await?)
}

/// Marks the member's notifications up to `up_to` (the newest they were shown) as read;
/// how many were unread.
///
/// # Errors
///
/// Storage errors.
pub async fn mark_read(
    store: &dyn Storage,
    account: &Account,
    up_to: i64,
    now: Millis,
) -> Result<u64, AppError> {
    Ok(store
        .read_notifications(account.learner, up_to, now)
        .await?)
}

/// Tells `learner` what happened, after the action itself succeeded: a failure is logged,
/// not returned. Nobody is told of their own action.
pub async fn tell(
    store: &dyn Storage,
    learner: LearnerId,
    actor: LearnerId,
    kind: &str,
    text: &str,
    link: &str,
    now: Millis,
) {
    if learner == actor {
        return;
    }
    let text = clip(text);
    let notice = NewNotification {
        learner,
        kind,
        text: &text,
        link,
        at: now,
    };
    if let Err(error) = store.notify(&notice).await {
        tracing::warn!(%error, %learner, kind, "could not write a notification");
    }
}

/// A notification's text within what storage keeps (1,000 bytes, cut at a character).
#[must_use]
pub fn clip(text: &str) -> String {
    const MAX: usize = 1000;
    if text.len() <= MAX {
        return text.to_owned();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_cut_at_a_character() {
        assert_eq!(clip("short"), "short");
        let long = "é".repeat(600);
        let cut = clip(&long);
        assert!(cut.len() <= 1003 && cut.ends_with('…'));
    }
}
