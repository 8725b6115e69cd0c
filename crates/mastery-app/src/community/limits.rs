//! Limits per action of the community, shared by every instance (they live in the
//! database: [`mastery_storage::CommunityStorage::take_rate`]). New members get tighter
//! ones, as Discourse gives its new users: fewer posts per hour, fewer links per post.

use mastery_storage::{Account, Millis, Storage};

use crate::AppError;

/// What is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A new thread or a reply.
    Post,
    /// An edit of one's own post (each keeps a revision).
    Edit,
    /// A vote.
    Vote,
    /// A flag.
    Flag,
    /// A suggested improvement to the guide.
    Suggest,
    /// A preview of a suggestion (the guide's checks run on it).
    Preview,
}

/// A limit: `burst` at once, then one more every `interval_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Requests allowed at once.
    pub burst: i64,
    /// One more each this many milliseconds.
    pub interval_ms: i64,
}

const MINUTE: i64 = 60_000;

impl Action {
    fn name(self) -> &'static str {
        match self {
            Action::Post => "post",
            Action::Edit => "edit",
            Action::Vote => "vote",
            Action::Flag => "flag",
            Action::Suggest => "suggest",
            Action::Preview => "preview",
        }
    }

    /// The limit for a new or an established member.
    #[must_use]
    pub fn limit(self, new_member: bool) -> Limit {
        let (burst, interval_ms) = match (self, new_member) {
            // 3 posts at once, then one every 20 minutes (3 an hour).
            (Action::Post, true) => (3, 20 * MINUTE),
            // 10 at once, then one every 2 minutes (30 an hour).
            (Action::Post, false) => (10, 2 * MINUTE),
            (Action::Edit, true) => (5, 10 * MINUTE),
            (Action::Edit, false) => (20, 2 * MINUTE),
            (Action::Vote, true) => (20, 3 * MINUTE),
            (Action::Vote, false) => (60, MINUTE),
            (Action::Flag, true) => (5, 60 * MINUTE),
            (Action::Flag, false) => (20, 10 * MINUTE),
            // Each is read by a moderator: 3 at once then one every 30 minutes while new,
            // 10 then one every 6 minutes after.
            (Action::Suggest, true) => (3, 30 * MINUTE),
            (Action::Suggest, false) => (10, 6 * MINUTE),
            // Each runs the guide's checks: 20 at once then one a minute while new, 60 then
            // one every 20 seconds after.
            (Action::Preview, true) => (20, MINUTE),
            (Action::Preview, false) => (60, MINUTE / 3),
        };
        Limit { burst, interval_ms }
    }

    fn plural(self) -> &'static str {
        match self {
            Action::Post => "posts",
            Action::Edit => "edits",
            Action::Vote => "votes",
            Action::Flag => "flags",
            Action::Suggest => "suggestions",
            Action::Preview => "previews",
        }
    }
}

/// The most links a post of a new or an established member may have.
#[must_use]
pub fn max_links(new_member: bool) -> usize {
    if new_member { 2 } else { 20 }
}

/// Whether the account is still new at `now`.
#[must_use]
pub fn is_new(account: &Account, new_member_days: u32, now: Millis) -> bool {
    let days = i64::from(new_member_days);
    now.saturating_sub(account.created_at) < days.saturating_mul(24 * 60 * MINUTE)
}

/// Takes one request of `action` for the member, or says how long to wait.
///
/// # Errors
///
/// [`AppError::TooMany`] when the limit is reached; storage errors.
pub async fn take(
    store: &dyn Storage,
    action: Action,
    account: &Account,
    new_member: bool,
    now: Millis,
) -> Result<(), AppError> {
    let limit = action.limit(new_member);
    let key = format!("{}:{}", action.name(), account.learner.0);
    match store
        .take_rate(&key, now, limit.interval_ms, limit.burst)
        .await?
    {
        None => Ok(()),
        Some(wait_ms) => {
            let retry_after_secs = u64::try_from(wait_ms.saturating_add(999) / 1000)
                .unwrap_or(1)
                .max(1);
            Err(AppError::TooMany {
                message: format!(
                    "you have reached the limit of {} {} at once (one more every {}{}); \
                     try again in {}",
                    limit.burst,
                    action.plural(),
                    interval_words(limit.interval_ms),
                    if new_member {
                        " while your account is new"
                    } else {
                        ""
                    },
                    wait_words(retry_after_secs)
                ),
                retry_after_secs,
            })
        }
    }
}

/// "20 seconds", "1 minute", "20 minutes".
fn interval_words(ms: i64) -> String {
    match ms / 1000 {
        secs if secs < 60 => format!("{secs} seconds"),
        60 => "minute".to_owned(),
        secs => format!("{} minutes", secs / 60),
    }
}

fn wait_words(secs: u64) -> String {
    if secs < 90 {
        format!("{secs} seconds")
    } else {
        format!("{} minutes", secs.div_ceil(60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_members_have_tighter_limits() {
        for action in [
            Action::Post,
            Action::Edit,
            Action::Vote,
            Action::Flag,
            Action::Suggest,
            Action::Preview,
        ] {
            let new = action.limit(true);
            let old = action.limit(false);
            assert!(new.burst < old.burst && new.interval_ms > old.interval_ms);
        }
        assert!(max_links(true) < max_links(false));
        assert_eq!(wait_words(30), "30 seconds");
        assert_eq!(interval_words(20_000), "20 seconds");
        assert_eq!(interval_words(60_000), "minute");
        assert_eq!(interval_words(120_000), "2 minutes");
        assert_eq!(wait_words(600), "10 minutes");
    }
}
