//! Moderation: the queue of flagged and pending posts, what moderators do (each with a
//! reason, each in the log), suspensions, and the log members read.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use mastery_content::Guide;
use mastery_storage::{
    Account, Flag, Millis, Moderation, ModerationEntry, Post, PostState, Role, Storage, Thread,
};

use super::rules::CommunitySettings;
use super::{MAX_REASON_CHARS, is_moderator, short_text};
use crate::AppError;
use crate::notifications::{kind, tell};

/// The most flagged posts, and the most pending posts, the queue shows at once.
pub const QUEUE_LIMIT: usize = 200;

/// Log entries per page.
pub const LOG_PER_PAGE: i64 = 50;
/// The longest suspension, in days.
pub const MAX_SUSPENSION_DAYS: u32 = 365;

/// What a moderator does to a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostAction {
    /// Hides a visible post (its author still sees it, with the reason).
    Hide,
    /// Shows a hidden post again.
    Restore,
    /// Shows a pending post.
    Approve,
    /// Refuses a pending post.
    Reject,
    /// Closes the flags on a post, leaving it as it is.
    Dismiss,
}

impl PostAction {
    /// Every action.
    pub const ALL: [PostAction; 5] = [
        PostAction::Hide,
        PostAction::Restore,
        PostAction::Approve,
        PostAction::Reject,
        PostAction::Dismiss,
    ];

    /// Its name in forms, the API and the log.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            PostAction::Hide => "hide",
            PostAction::Restore => "restore",
            PostAction::Approve => "approve",
            PostAction::Reject => "reject",
            PostAction::Dismiss => "dismiss",
        }
    }

    /// The action of a name.
    ///
    /// # Errors
    ///
    /// [`AppError::Invalid`] for any other name.
    pub fn parse(name: &str) -> Result<PostAction, AppError> {
        PostAction::ALL
            .into_iter()
            .find(|a| a.as_str() == name)
            .ok_or_else(|| {
                AppError::Invalid(format!(
                    "an action on a post is hide, restore, approve, reject or dismiss, not \
                     {name:?}"
                ))
            })
    }

    /// The state it moves a post from, and to (None: the state stays).
    fn transition(self) -> (PostState, Option<PostState>) {
        match self {
            PostAction::Hide => (PostState::Visible, Some(PostState::Hidden)),
            PostAction::Restore => (PostState::Hidden, Some(PostState::Visible)),
            PostAction::Approve => (PostState::Pending, Some(PostState::Visible)),
            PostAction::Reject => (PostState::Pending, Some(PostState::Rejected)),
            PostAction::Dismiss => (PostState::Visible, None),
        }
    }
}

/// A post in the moderation queue.
#[derive(Debug, Clone)]
pub struct QueueItem {
    /// The post.
    pub post: Post,
    /// Its thread.
    pub thread: Thread,
    /// Its open flags, oldest first.
    pub flags: Vec<Flag>,
    /// How many flags per reason.
    pub reasons: Vec<(String, usize)>,
}

/// A line of the log as members read it.
#[derive(Debug, Clone)]
pub struct LogLine {
    /// The entry.
    pub entry: ModerationEntry,
    /// The moderator's name, or "a moderator" when the admin chose not to show names.
    pub moderator: String,
}

fn moderator_only(account: &Account) -> Result<(), AppError> {
    if is_moderator(account) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only moderators and admins may do this".into(),
        ))
    }
}

/// A moderator who may act now: not suspended.
async fn acting_moderator(
    store: &dyn Storage,
    account: &Account,
    now: Millis,
) -> Result<(), AppError> {
    moderator_only(account)?;
    super::check_not_suspended(store, account, now).await
}

/// Whether `actor` may act on what `target` wrote or on `target` themselves: never on
/// oneself; moderators on learners; admins on learners and moderators.
fn outranks(actor: &Account, target: Role) -> bool {
    match target {
        Role::Learner => true,
        Role::Moderator => actor.role == Role::Admin,
        Role::Admin => false,
    }
}

/// Flagged posts (most flags first) and pending posts (oldest first).
///
/// # Errors
///
/// [`AppError::Forbidden`] for members; storage errors.
pub async fn queue(store: &dyn Storage, moderator: &Account) -> Result<Vec<QueueItem>, AppError> {
    moderator_only(moderator)?;
    let mut by_post: BTreeMap<i64, Vec<Flag>> = BTreeMap::new();
    for flag in store.open_flags().await? {
        by_post.entry(flag.post).or_default().push(flag);
    }
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    for (post_id, flags) in by_post {
        if let Some(item) = item(store, post_id, flags).await? {
            seen.insert(post_id);
            items.push(item);
        }
    }
    items.sort_by(|a, b| {
        b.flags
            .len()
            .cmp(&a.flags.len())
            .then(a.post.id.cmp(&b.post.id))
    });
    items.truncate(QUEUE_LIMIT);
    for post in store.pending_posts().await?.into_iter().take(QUEUE_LIMIT) {
        if seen.insert(post.id)
            && let Some(thread) = store.thread(post.thread).await?
        {
            items.push(QueueItem {
                post,
                thread,
                flags: Vec::new(),
                reasons: Vec::new(),
            });
        }
    }
    Ok(items)
}

async fn item(
    store: &dyn Storage,
    post_id: i64,
    flags: Vec<Flag>,
) -> Result<Option<QueueItem>, AppError> {
    let Some(post) = store.post(post_id).await? else {
        return Ok(None);
    };
    let Some(thread) = store.thread(post.thread).await? else {
        return Ok(None);
    };
    let mut reasons: Vec<(String, usize)> = Vec::new();
    for flag in &flags {
        match reasons.iter_mut().find(|(r, _)| *r == flag.rule) {
            Some((_, n)) => *n += 1,
            None => reasons.push((flag.rule.clone(), 1)),
        }
    }
    Ok(Some(QueueItem {
        post,
        thread,
        flags,
        reasons,
    }))
}

fn reason_of(reason: &str) -> Result<String, AppError> {
    short_text("reason", "a reason", reason, MAX_REASON_CHARS)
}

fn entry(moderator: &Account, action: &str, reason: String, now: Millis) -> ModerationEntry {
    ModerationEntry {
        id: 0,
        at: now,
        moderator: Some(moderator.learner),
        moderator_name: moderator.username.clone(),
        action: action.into(),
        thread: None,
        post: None,
        member: None,
        member_name: None,
        reason,
        until: None,
    }
}

/// Hides, restores, approves or rejects a post, or dismisses its flags, with a reason.
///
/// # Errors
///
/// [`AppError::Forbidden`] for members; [`AppError::Field`] without a reason;
/// [`AppError::NotFound`] for no such post; [`AppError::Conflict`] when the post is not in
/// the state the action starts from; storage errors.
pub async fn act_on_post(
    store: &dyn Storage,
    moderator: &Account,
    post_id: i64,
    action: PostAction,
    reason: &str,
    now: Millis,
) -> Result<(), AppError> {
    acting_moderator(store, moderator, now).await?;
    let reason = reason_of(reason)?;
    let post = store
        .post(post_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no post {post_id}")))?;
    if post.author == Some(moderator.learner) {
        return Err(AppError::Forbidden(
            "another moderator decides on your own posts".into(),
        ));
    }
    if let Some(author) = post.author
        && let Some(account) = store.account(author).await?
        && !outranks(moderator, account.role)
    {
        return Err(AppError::Forbidden(format!(
            "a {} cannot moderate the posts of a {}",
            moderator.role, account.role
        )));
    }
    let (from, to) = action.transition();
    // A deleted opening post may be hidden (its thread's title goes with it); flags can be
    // dismissed whatever the post's state.
    let allowed = post.state == from
        || action == PostAction::Dismiss
        || action == PostAction::Hide && post.state == PostState::Deleted;
    if !allowed {
        return Err(AppError::Conflict(format!(
            "this post is {}, so it cannot be {}",
            post.state,
            match action {
                PostAction::Hide => "hidden",
                PostAction::Restore => "restored",
                PostAction::Approve => "approved",
                PostAction::Reject => "rejected",
                PostAction::Dismiss => "cleared of flags",
            }
        )));
    }
    let change = match to {
        Some(state) => Moderation::PostState {
            post: post_id,
            from: post.state,
            state,
        },
        None => Moderation::DismissFlags { post: post_id },
    };
    let logged = ModerationEntry {
        thread: Some(post.thread),
        post: Some(post_id),
        member: post.author,
        member_name: post.author_name.clone(),
        ..entry(moderator, action.as_str(), reason.clone(), now)
    };
    let flaggers: Vec<_> = store
        .open_flags()
        .await?
        .into_iter()
        .filter(|f| f.post == post_id)
        .filter_map(|f| f.flagger)
        .collect();
    match store.moderate(&logged, change).await? {
        Some(_) => {
            tell_about_post(store, moderator, &post, action, &reason, &flaggers, now).await;
            Ok(())
        }
        None if action == PostAction::Dismiss => Err(AppError::Conflict(
            "this post has no open flags to dismiss".into(),
        )),
        None => Err(AppError::Conflict(
            "the post changed meanwhile; try again".into(),
        )),
    }
}

/// Locks or unlocks a thread, with a reason.
///
/// # Errors
///
/// [`AppError::Forbidden`] for members; [`AppError::Field`] without a reason;
/// [`AppError::NotFound`] for no such thread; [`AppError::Conflict`] when it already is.
pub async fn lock(
    store: &dyn Storage,
    moderator: &Account,
    thread_id: i64,
    locked: bool,
    reason: &str,
    now: Millis,
) -> Result<(), AppError> {
    acting_moderator(store, moderator, now).await?;
    let reason = reason_of(reason)?;
    let thread = store
        .thread(thread_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no thread {thread_id}")))?;
    if thread.locked_at.is_some() == locked {
        return Err(AppError::Conflict(format!(
            "this thread is already {}",
            if locked { "locked" } else { "unlocked" }
        )));
    }
    let logged = ModerationEntry {
        thread: Some(thread_id),
        member: thread.author,
        member_name: thread.author_name.clone(),
        ..entry(
            moderator,
            if locked { "lock" } else { "unlock" },
            reason,
            now,
        )
    };
    store
        .moderate(
            &logged,
            Moderation::Lock {
                thread: thread_id,
                locked,
            },
        )
        .await?;
    Ok(())
}

/// Suspends a member for `days` (or lifts their suspension: `None`), with a reason.
/// Moderators suspend learners; admins suspend learners and moderators; nobody suspends
/// an admin or themselves.
///
/// # Errors
///
/// [`AppError::Forbidden`] for those rules; [`AppError::NotFound`] for no such member;
/// [`AppError::Field`] for a reason or a number of days out of range.
pub async fn suspend(
    store: &dyn Storage,
    moderator: &Account,
    member_key: &str,
    days: Option<u32>,
    reason: &str,
    now: Millis,
) -> Result<(), AppError> {
    acting_moderator(store, moderator, now).await?;
    let reason = reason_of(reason)?;
    // By username only: the key also finds e-mail addresses, which moderators never see.
    let member = store
        .account_by_key(member_key)
        .await?
        .filter(|a| a.username_key == member_key)
        .ok_or_else(|| AppError::NotFound("there is no member with this username".into()))?;
    if member.learner == moderator.learner {
        return Err(AppError::Forbidden("you cannot suspend yourself".into()));
    }
    if !outranks(moderator, member.role) {
        return Err(AppError::Forbidden(format!(
            "a {} cannot suspend a {}",
            moderator.role, member.role
        )));
    }
    if let Some(current) = store.suspension(member.learner).await?
        && current.until > now
        && current.by > moderator.role
    {
        return Err(AppError::Forbidden(format!(
            "an {} set this suspension: only an {} may change it",
            current.by, current.by
        )));
    }
    let until = match days {
        Some(days) if (1..=MAX_SUSPENSION_DAYS).contains(&days) => {
            Some(now.saturating_add(i64::from(days) * 86_400_000))
        }
        Some(_) => {
            return Err(AppError::Field {
                field: "days",
                message: format!("a suspension lasts 1 to {MAX_SUSPENSION_DAYS} days"),
            });
        }
        None => None,
    };
    let logged = ModerationEntry {
        member: Some(member.learner),
        member_name: Some(member.username.clone()),
        until,
        ..entry(
            moderator,
            if until.is_some() {
                "suspend"
            } else {
                "unsuspend"
            },
            reason.clone(),
            now,
        )
    };
    let change = Moderation::Suspend {
        member: member.learner,
        until,
        by: moderator.role,
    };
    match store.moderate(&logged, change).await? {
        Some(_) => {
            let text = match until {
                Some(until) => format!(
                    "You are suspended from the community until {} (UTC): {reason}",
                    super::utc(until)
                ),
                None => format!("Your suspension from the community was lifted: {reason}"),
            };
            tell(
                store,
                member.learner,
                moderator.learner,
                kind::MODERATION,
                &text,
                "/moderation/log",
                now,
            )
            .await;
            Ok(())
        }
        None => Err(AppError::Conflict("this member is not suspended".into())),
    }
}

/// Tells a post's author what a moderator did to it, and those who flagged it what
/// became of their flags.
async fn tell_about_post(
    store: &dyn Storage,
    moderator: &Account,
    post: &Post,
    action: PostAction,
    reason: &str,
    flaggers: &[mastery_storage::LearnerId],
    now: Millis,
) {
    let link = format!("/threads/{}#post-{}", post.thread, post.id);
    let (done, to_flag) = match action {
        PostAction::Hide => ("hid your post", "hid it"),
        PostAction::Restore => ("restored your post", "restored it"),
        PostAction::Approve => ("approved your post", "approved it"),
        PostAction::Reject => ("rejected your post", "rejected it"),
        PostAction::Dismiss => ("", "kept it as it is"),
    };
    if let Some(author) = post.author
        && action != PostAction::Dismiss
    {
        let text = format!("A moderator {done}: {reason}");
        tell(
            store,
            author,
            moderator.learner,
            kind::MODERATION,
            &text,
            &link,
            now,
        )
        .await;
    }
    for flagger in flaggers {
        let text = format!("A moderator looked at the post you flagged and {to_flag}: {reason}");
        tell(
            store,
            *flagger,
            moderator.learner,
            kind::FLAG,
            &text,
            &link,
            now,
        )
        .await;
    }
    // An approved reply is a reply everyone reads now: its thread's author hears of it.
    if action == PostAction::Approve
        && let Ok(Some(thread)) = store.thread(post.thread).await
        && thread.opening_post != post.id
        && let (Some(opener), Some(author)) = (thread.author, post.author)
        && opener != author
    {
        let name = post.author_name.as_deref().unwrap_or("someone");
        let text = format!("{name} replied to your thread “{}”", thread.title);
        tell(
            store,
            opener,
            moderator.learner,
            kind::REPLY,
            &text,
            &link,
            now,
        )
        .await;
    }
}

/// A page of the moderation log (from 1), newest first, for signed-in members.
///
/// # Errors
///
/// Storage errors.
pub async fn log(store: &dyn Storage, page: i64) -> Result<Vec<LogLine>, AppError> {
    let settings = CommunitySettings::load(store).await?;
    let offset = (page.max(1) - 1).saturating_mul(LOG_PER_PAGE);
    Ok(store
        .moderation_log(offset, LOG_PER_PAGE)
        .await?
        .into_iter()
        .map(|entry| LogLine {
            moderator: if settings.show_moderators {
                entry.moderator_name.clone()
            } else {
                "a moderator".into()
            },
            entry,
        })
        .collect())
}

/// Questions with threads that no guide has any more: (guide, question, threads).
///
/// # Errors
///
/// [`AppError::Forbidden`] for members; storage errors.
pub async fn orphans(
    store: &dyn Storage,
    moderator: &Account,
    guides: &[Arc<Guide>],
) -> Result<Vec<(String, String, i64)>, AppError> {
    moderator_only(moderator)?;
    Ok(store
        .discussed_questions()
        .await?
        .into_iter()
        .filter(|(guide, question, _)| {
            crate::guides::find_guide(guides, guide)
                .ok()
                .and_then(|g| crate::guides::find_question(g, question).ok())
                .is_none()
        })
        .collect())
}

/// A thread by number for a moderator, whatever its state and whether its question
/// still exists.
///
/// # Errors
///
/// [`AppError::Forbidden`] for members; [`AppError::NotFound`].
pub async fn any_thread(
    store: &dyn Storage,
    moderator: &Account,
    id: i64,
) -> Result<Thread, AppError> {
    moderator_only(moderator)?;
    store
        .thread(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no thread {id}")))
}

/// Orphaned threads of one (guide, question), for moderators.
///
/// # Errors
///
/// [`AppError::Forbidden`] for members; storage errors.
pub async fn orphan_threads(
    store: &dyn Storage,
    moderator: &Account,
    guide: &str,
    question: &str,
) -> Result<Vec<Thread>, AppError> {
    moderator_only(moderator)?;
    let (threads, _) = store
        .threads(&mastery_storage::ThreadQuery {
            guide,
            question,
            order: mastery_storage::ThreadOrder::Newest,
            offset: 0,
            limit: 500,
            viewer: Some(moderator.learner),
            moderator: true,
        })
        .await?;
    Ok(threads)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_through_their_names() {
        for action in PostAction::ALL {
            assert_eq!(PostAction::parse(action.as_str()).ok(), Some(action));
        }
        assert!(PostAction::parse("purge").is_err());
    }
}
