//! The community of multi-user mode: discussion on every question, votes, flags and
//! moderation that members can see.
//!
//! - [`rules`]: the community's settings (rules, approval of first posts, new members);
//! - [`limits`]: limits per action shared by every instance, tighter for new members;
//! - [`discussion`]: threads and posts as a reader sees them, and what members do
//!   (open a thread, reply, edit with history, delete, vote, flag);
//! - [`moderation`]: the queue, moderators' actions with their reasons, the public log;
//! - [`search`]: the threads that mention what the search box asked for;
//! - [`suggestions`]: suggested improvements to the guide, their votes and decisions, and
//!   the patch `mastery suggestions export` writes.
//!
//! Every function takes the clock (`now`) and the acting account; who may do what is
//! decided here, so the pages and the JSON API follow the same rules.

pub mod discussion;
pub mod limits;
pub mod moderation;
pub mod rules;
pub mod search;
pub mod suggestions;

use mastery_storage::{Account, Millis, Role, Storage};
use mastery_study::scheduler::DAY_MS;

use crate::AppError;

/// The longest thread title, in characters.
pub const MAX_TITLE_CHARS: usize = 150;
/// The longest post, in characters.
pub const MAX_POST_CHARS: usize = 20_000;
/// The longest reason or flag detail, in characters.
pub const MAX_REASON_CHARS: usize = 500;
/// Threads per page of a question's discussion.
pub const THREADS_PER_PAGE: i64 = 20;
/// Posts per page of a thread.
pub const POSTS_PER_PAGE: i64 = 200;

/// Whether the account moderates the community (moderators and admins).
#[must_use]
pub fn is_moderator(account: &Account) -> bool {
    account.role >= Role::Moderator
}

/// Refuses a member who is suspended at `now` (they may read, not write).
///
/// # Errors
///
/// [`AppError::Forbidden`] saying until when and why; storage errors.
pub async fn check_not_suspended(
    store: &dyn Storage,
    account: &Account,
    now: Millis,
) -> Result<(), AppError> {
    match store.suspension(account.learner).await? {
        Some(s) if s.until > now => Err(AppError::Forbidden(format!(
            "you are suspended from the community until {} (UTC): {}",
            utc(s.until),
            s.reason
        ))),
        _ => Ok(()),
    }
}

/// A time as `2026-12-06 14:05` (UTC), for messages.
#[must_use]
pub fn utc(at: Millis) -> String {
    let day = mastery_study::stats::Date::of_day(at.div_euclid(DAY_MS));
    let minutes = at.rem_euclid(DAY_MS) / 60_000;
    format!("{day} {:02}:{:02}", minutes / 60, minutes % 60)
}

/// Checks a short text (a title, a reason): trimmed, 1 to `max` characters.
pub(crate) fn short_text(
    field: &'static str,
    what: &str,
    text: &str,
    max: usize,
) -> Result<String, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::Field {
            field,
            message: format!("{what} is required"),
        });
    }
    if text.chars().count() > max {
        return Err(AppError::Field {
            field,
            message: format!("{what} may be at most {max} characters"),
        });
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(AppError::Field {
            field,
            message: format!("{what} may not contain control characters"),
        });
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00");
        assert_eq!(utc(1_796_565_900_000), "2026-12-06 14:05");
    }

    #[test]
    fn short_texts_are_trimmed_and_bounded() {
        assert_eq!(short_text("t", "a title", "  hi ", 5).unwrap(), "hi");
        assert!(short_text("t", "a title", "   ", 5).is_err());
        assert!(short_text("t", "a title", "abcdef", 5).is_err());
        assert!(short_text("t", "a title", "a\u{7}b", 5).is_err());
    }
}
