//! Public profiles and the leaderboard (multi-user mode), both opt-in: nothing of a member
//! is shown to others unless they turn it on in their account's settings.
//!
//! A public profile shows a display name (or the username), the study streak, questions
//! mastered per guide, mock interviews taken and accepted suggestions. The leaderboard ranks
//! the members who joined it by their current streak. The choices are learner settings
//! (`profile.public`, `profile.name`, `profile.leaderboard`); leaving the leaderboard or
//! making the profile private takes effect on the next request.

use std::collections::BTreeMap;
use std::sync::Arc;

use mastery_content::Guide;
use mastery_storage::{Account, LearnerId, Millis, Storage, SuggestionFilter, SuggestionState};
use mastery_study::scheduler::DAY_MS;
use mastery_study::stats::{self, Streak};

use crate::AppError;
use crate::accounts::names::username_key;

const PUBLIC: &str = "profile.public";
const NAME: &str = "profile.name";
const LEADERBOARD: &str = "profile.leaderboard";

/// The longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 60;
/// Members shown on the leaderboard at most.
pub const LEADERBOARD_SIZE: usize = 100;
/// How far back the leaderboard reads reviews: a streak longer than this counts as this.
const LEADERBOARD_DAYS: i64 = 400;

/// What a member shows of themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileSettings {
    /// Their profile page is public.
    pub public: bool,
    /// The name shown instead of the username, if any.
    pub display_name: Option<String>,
    /// They are on the leaderboard (needs a public profile).
    pub leaderboard: bool,
}

/// A member's settings of what they show.
///
/// # Errors
///
/// Storage errors.
pub async fn settings(
    store: &dyn Storage,
    learner: LearnerId,
) -> Result<ProfileSettings, AppError> {
    let all = store.learner_settings(learner).await?;
    Ok(of(&all))
}

fn of(all: &BTreeMap<String, String>) -> ProfileSettings {
    let public = all.get(PUBLIC).is_some_and(|v| v == "1");
    ProfileSettings {
        public,
        // A name set by other means (a restored backup) is shown only if it would be
        // accepted here.
        display_name: all
            .get(NAME)
            .filter(|n| !n.is_empty() && name_problem(n).is_none())
            .cloned(),
        leaderboard: public && all.get(LEADERBOARD).is_some_and(|v| v == "1"),
    }
}

/// What is wrong with a display name's characters, if anything: at most 60 characters, no
/// control or invisible characters (zero-width spaces and joiners, direction marks and
/// overrides, the byte-order mark, soft hyphens), which could make one name look like
/// another.
fn name_problem(name: &str) -> Option<String> {
    let invisible = |c: char| {
        c.is_control()
            || matches!(c,
                '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
                | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFF}'
                | '\u{E000}'..='\u{F8FF}')
    };
    if name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        Some(format!(
            "a display name may be at most {MAX_DISPLAY_NAME_CHARS} characters"
        ))
    } else if name.chars().any(invisible) {
        Some("a display name may not contain control or invisible characters".into())
    } else {
        None
    }
}

/// Saves what a member shows: a display name of 1 to 60 characters or none; the
/// leaderboard only with a public profile.
///
/// # Errors
///
/// [`AppError::Field`] on `display_name`; storage errors.
pub async fn save_settings(
    store: &dyn Storage,
    learner: LearnerId,
    wanted: &ProfileSettings,
) -> Result<(), AppError> {
    let name = match wanted.display_name.as_deref().map(str::trim) {
        None | Some("") => String::new(),
        Some(name) => {
            if let Some(message) = name_problem(name) {
                return Err(AppError::Field {
                    field: "display_name",
                    message,
                });
            }
            // Nobody shows another member's username as their name.
            let key = username_key(name);
            if let Some(other) = store.account_by_key(&key).await?
                && other.learner != learner
                && other.username_key == key
            {
                return Err(AppError::Field {
                    field: "display_name",
                    message: "this is another member's username: choose another name".into(),
                });
            }
            name.to_owned()
        }
    };
    let flag = |on: bool| if on { "1" } else { "0" };
    store
        .set_learner_setting(learner, PUBLIC, flag(wanted.public))
        .await?;
    store.set_learner_setting(learner, NAME, &name).await?;
    store
        .set_learner_setting(
            learner,
            LEADERBOARD,
            flag(wanted.public && wanted.leaderboard),
        )
        .await?;
    Ok(())
}

/// Questions mastered in one guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideProgress {
    /// The guide's title.
    pub title: String,
    /// Questions mastered.
    pub mastered: usize,
    /// Questions in all.
    pub questions: usize,
}

/// A public profile.
#[derive(Debug, Clone)]
pub struct Profile {
    /// The username.
    pub username: String,
    /// The name shown (the display name, or the username).
    pub name: String,
    /// The study streak as of now, in the member's own days.
    pub streak: Streak,
    /// Questions mastered per loaded guide (guides they have not started are left out).
    pub guides: Vec<GuideProgress>,
    /// Mock interviews finished.
    pub interviews: usize,
    /// Suggested improvements accepted.
    pub accepted_suggestions: i64,
    /// Whether they are on the leaderboard.
    pub on_leaderboard: bool,
}

/// The public profile of `username`.
///
/// # Errors
///
/// [`AppError::NotFound`] when there is no such member or their profile is not public (the
/// same answer, so private profiles cannot be told from absent ones); storage errors.
pub async fn profile(
    store: &dyn Storage,
    guides: &[Arc<Guide>],
    username: &str,
    now: Millis,
) -> Result<Profile, AppError> {
    let hidden = || AppError::NotFound("there is no public profile at this address".into());
    let key = username_key(username);
    let account = store
        .account_by_key(&key)
        .await?
        .filter(|a| a.username_key == key)
        .ok_or_else(hidden)?;
    let shown = settings(store, account.learner).await?;
    if !shown.public || account.disabled_at.is_some() {
        return Err(hidden());
    }
    let stats = crate::stats::load(store, account.learner, guides, now).await?;
    let mut per_guide: Vec<GuideProgress> = Vec::new();
    for section in &stats.sections {
        match per_guide
            .iter_mut()
            .find(|g| g.title == section.guide_title)
        {
            Some(g) => {
                g.mastered += section.mastered;
                g.questions += section.questions;
            }
            None => per_guide.push(GuideProgress {
                title: section.guide_title.clone(),
                mastered: section.mastered,
                questions: section.questions,
            }),
        }
    }
    per_guide.retain(|g| g.mastered > 0);
    let interviews = store
        .interviews(account.learner, u32::MAX)
        .await?
        .iter()
        .filter(|i| i.finished_at.is_some())
        .count();
    let accepted_suggestions = store
        .count_suggestions(&SuggestionFilter {
            author: Some(account.learner),
            states: vec![SuggestionState::Accepted],
            ..SuggestionFilter::default()
        })
        .await?;
    Ok(Profile {
        name: shown
            .display_name
            .unwrap_or_else(|| account.username.clone()),
        username: account.username,
        streak: stats.streak,
        guides: per_guide,
        interviews,
        accepted_suggestions,
        on_leaderboard: shown.leaderboard,
    })
}

/// A place on the leaderboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// 1 for the first (equal streaks share a place).
    pub place: usize,
    /// The username (for the profile's link).
    pub username: String,
    /// The name shown.
    pub name: String,
    /// The streak running now, in days.
    pub current: usize,
}

/// The members who joined the leaderboard, by current streak (then name), at most
/// [`LEADERBOARD_SIZE`]. A streak counts the last 400 days at most.
///
/// # Errors
///
/// Storage errors.
pub async fn leaderboard(store: &dyn Storage, now: Millis) -> Result<Vec<Standing>, AppError> {
    let since = now.saturating_sub(LEADERBOARD_DAYS * DAY_MS);
    let mut rows: Vec<(usize, String, String)> = Vec::new();
    for learner in store.learners_with_setting(LEADERBOARD, "1").await? {
        let Some(account) = store.account(learner).await? else {
            continue;
        };
        let shown = settings(store, learner).await?;
        if !shown.leaderboard || account.disabled_at.is_some() {
            continue;
        }
        let clock = crate::settings::scheduler(store, learner).await?.clock();
        let days = crate::stats::review_days(store, learner, clock, Some(since)).await?;
        let streak = stats::streak(&days, now, clock);
        rows.push((
            streak.current,
            shown
                .display_name
                .unwrap_or_else(|| account.username.clone()),
            account.username,
        ));
    }
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    rows.truncate(LEADERBOARD_SIZE);
    let mut out: Vec<Standing> = Vec::with_capacity(rows.len());
    for (i, (current, name, username)) in rows.into_iter().enumerate() {
        let place = match out.last() {
            Some(previous) if previous.current == current => previous.place,
            _ => i + 1,
        };
        out.push(Standing {
            place,
            username,
            name,
            current,
        });
    }
    Ok(out)
}

/// `rows` (a leaderboard computed a moment ago) without the members who left it since,
/// with their display names as they are now.
///
/// # Errors
///
/// Storage errors.
pub async fn still_on_leaderboard(
    store: &dyn Storage,
    rows: Vec<Standing>,
) -> Result<Vec<Standing>, AppError> {
    let on = store.learners_with_setting(LEADERBOARD, "1").await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let key = username_key(&row.username);
        let Some(account) = store.account_by_key(&key).await? else {
            continue;
        };
        if !on.contains(&account.learner) || account.disabled_at.is_some() {
            continue;
        }
        let shown = settings(store, account.learner).await?;
        if shown.leaderboard {
            out.push(Standing {
                name: shown.display_name.unwrap_or_else(|| row.username.clone()),
                ..row
            });
        }
    }
    Ok(out)
}

/// Whether `account` may see a profile's "edit" link: it is their own.
#[must_use]
pub fn is_own(account: Option<&Account>, profile: &Profile) -> bool {
    account.is_some_and(|a| a.username == profile.username)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_refuse_invisible_characters() {
        assert_eq!(name_problem("Ada Lovelace"), None);
        assert_eq!(name_problem("Zoë 李"), None);
        for bad in ["a\u{200B}nn", "ann\u{202E}", "\u{FEFF}ann", "a\tb", "x\ny"] {
            assert!(name_problem(bad).is_some(), "{bad:?}");
        }
        assert!(name_problem(&"x".repeat(61)).is_some());
        let mut all = BTreeMap::new();
        all.insert(NAME.to_owned(), "a\u{200B}dmin".to_owned());
        assert_eq!(
            of(&all).display_name,
            None,
            "a restored name is checked too"
        );
    }

    #[test]
    fn the_leaderboard_needs_a_public_profile() {
        let mut all = BTreeMap::new();
        all.insert(LEADERBOARD.to_owned(), "1".to_owned());
        assert!(!of(&all).leaderboard);
        all.insert(PUBLIC.to_owned(), "1".to_owned());
        all.insert(NAME.to_owned(), String::new());
        let shown = of(&all);
        assert!(shown.public && shown.leaderboard);
        assert_eq!(shown.display_name, None);
    }
}
