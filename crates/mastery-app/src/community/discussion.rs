//! Threads and posts: what a reader sees of them, and what members do with them.
//!
//! **Who sees what.** A visible post is shown to everyone. A pending post (a new member's
//! first posts, waiting for approval) and a rejected one are shown only to their author
//! and to moderators. A hidden post shows everyone that a moderator hid it; its author and
//! moderators still see its text, with the reason. A deleted post keeps its place (replies
//! follow it) but no text. A thread is what its opening post is.

use std::sync::Arc;

use mastery_content::Guide;
use mastery_content::user_markdown::render_user_markdown;
use mastery_storage::{
    Account, LearnerId, Millis, NewPost, NewThread, Post, PostState, Revision, Storage, Thread,
    ThreadOrder, ThreadQuery,
};

use super::limits::{self, Action};
use super::rules::{CommunitySettings, OTHER_REASON};
use super::{
    MAX_POST_CHARS, MAX_REASON_CHARS, MAX_TITLE_CHARS, POSTS_PER_PAGE, THREADS_PER_PAGE,
    check_not_suspended, is_moderator, short_text,
};
use crate::AppError;

/// What the author of a post is shown as once their account is deleted.
pub const DELETED_ACCOUNT: &str = "deleted member";

/// A page of a question's threads.
#[derive(Debug, Clone)]
pub struct ThreadList {
    /// The threads of the page.
    pub threads: Vec<ThreadSummary>,
    /// Threads in all.
    pub total: i64,
    /// This page, from 1.
    pub page: i64,
    /// Pages in all (at least 1).
    pub pages: i64,
}

/// A thread in a list.
#[derive(Debug, Clone)]
pub struct ThreadSummary {
    /// Its number.
    pub id: i64,
    /// Its title, or what stands for it when the reader may not see it.
    pub title: String,
    /// Who opened it.
    pub author: String,
    /// Its opening post's state.
    pub state: PostState,
    /// Its opening post's score.
    pub score: i64,
    /// Visible replies.
    pub replies: i64,
    /// When it was opened.
    pub created_at: Millis,
    /// Its last visible post.
    pub last_post_at: Millis,
    /// Whether a moderator locked it.
    pub locked: bool,
}

/// A thread as a reader sees it.
#[derive(Debug, Clone)]
pub struct ThreadView {
    /// The thread as stored.
    pub thread: Thread,
    /// Its title as this reader sees it.
    pub title: String,
    /// The posts of this page, oldest first.
    pub posts: Vec<PostView>,
    /// This page, from 1.
    pub page: i64,
    /// Pages in all.
    pub pages: i64,
    /// Whether this reader may reply.
    pub can_reply: bool,
    /// Why they may not, when they are signed in.
    pub reply_notice: Option<String>,
}

/// A post as a reader sees it.
#[derive(Debug, Clone)]
pub struct PostView {
    /// Its number.
    pub id: i64,
    /// Whether it opens its thread.
    pub opening: bool,
    /// Its author's username, or [`DELETED_ACCOUNT`].
    pub author: String,
    /// Its sanitised HTML, when this reader may see its text.
    pub html: Option<String>,
    /// Its Markdown, for its author (to edit it).
    pub body: Option<String>,
    /// Its state.
    pub state: PostState,
    /// What the reader is told about its state ("Hidden by a moderator: …").
    pub notice: Option<String>,
    /// Votes up minus down.
    pub score: i64,
    /// This reader's vote: +1, -1 or 0.
    pub my_vote: i64,
    /// When it was written.
    pub created_at: Millis,
    /// Its last edit.
    pub edited_at: Option<Millis>,
    /// Whether the reader wrote it.
    pub mine: bool,
    /// Whether the reader may edit it.
    pub can_edit: bool,
    /// Whether the reader may vote on it.
    pub can_vote: bool,
    /// Whether the reader may flag it.
    pub can_flag: bool,
}

/// A post just written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posted {
    /// Its thread.
    pub thread: i64,
    /// Its number.
    pub post: i64,
    /// Visible, or pending a moderator's approval.
    pub state: PostState,
}

/// A post's edit history.
#[derive(Debug, Clone)]
pub struct History {
    /// The post as the reader sees it now.
    pub post: PostView,
    /// Its thread.
    pub thread: i64,
    /// Earlier versions, oldest first.
    pub revisions: Vec<Revision>,
}

fn pages(total: i64, per_page: i64) -> i64 {
    (total.max(0) + per_page - 1).div_euclid(per_page).max(1)
}

fn sees_everything(reader: Option<&Account>) -> bool {
    reader.is_some_and(is_moderator)
}

fn is_author(reader: Option<&Account>, author: Option<LearnerId>) -> bool {
    reader.is_some_and(|r| author == Some(r.learner))
}

fn name(author_name: Option<&str>) -> String {
    author_name.unwrap_or(DELETED_ACCOUNT).to_string()
}

/// Whether the reader may see the thread at all.
fn may_see_thread(reader: Option<&Account>, thread: &Thread) -> bool {
    let privileged = sees_everything(reader) || is_author(reader, thread.author);
    match thread.state {
        PostState::Visible | PostState::Hidden => true,
        // A deleted opening post shows its thread only if everyone could see it once.
        PostState::Deleted => thread.approved || privileged,
        PostState::Pending | PostState::Rejected => privileged,
    }
}

fn title_for(reader: Option<&Account>, thread: &Thread) -> String {
    let privileged = sees_everything(reader) || is_author(reader, thread.author);
    match thread.state {
        PostState::Hidden if !privileged => "Hidden by a moderator".into(),
        PostState::Deleted if thread.title.is_empty() => "A deleted thread".into(),
        PostState::Deleted => format!("{} (deleted by its author)", thread.title),
        _ => thread.title.clone(),
    }
}

/// A page of a question's threads as the reader sees them.
///
/// # Errors
///
/// Storage errors.
pub async fn threads(
    store: &dyn Storage,
    reader: Option<&Account>,
    guide: &str,
    question: &str,
    order: ThreadOrder,
    page: i64,
) -> Result<ThreadList, AppError> {
    let page = page.max(1);
    let (found, total) = store
        .threads(&ThreadQuery {
            guide,
            question,
            order,
            offset: (page - 1).saturating_mul(THREADS_PER_PAGE),
            limit: THREADS_PER_PAGE,
            viewer: reader.map(|r| r.learner),
            moderator: sees_everything(reader),
        })
        .await?;
    let threads = found
        .iter()
        .map(|t| ThreadSummary {
            id: t.id,
            title: title_for(reader, t),
            author: name(t.author_name.as_deref()),
            state: t.state,
            score: t.score,
            replies: (t.visible_posts - i64::from(t.state == PostState::Visible)).max(0),
            created_at: t.created_at,
            last_post_at: t.last_post_at,
            locked: t.locked_at.is_some(),
        })
        .collect();
    Ok(ThreadList {
        threads,
        total,
        page,
        pages: pages(total, THREADS_PER_PAGE),
    })
}

/// How many threads everyone sees on each question of a guide.
///
/// # Errors
///
/// Storage errors.
pub async fn thread_counts(
    store: &dyn Storage,
    guide: &str,
) -> Result<std::collections::HashMap<String, i64>, AppError> {
    Ok(store.thread_counts(guide).await?.into_iter().collect())
}

/// A thread by number, or [`AppError::NotFound`] when the reader may not see it.
///
/// # Errors
///
/// [`AppError::NotFound`]; storage errors.
pub async fn thread(
    store: &dyn Storage,
    reader: Option<&Account>,
    id: i64,
) -> Result<Thread, AppError> {
    match store.thread(id).await? {
        Some(thread) if may_see_thread(reader, &thread) => Ok(thread),
        _ => Err(AppError::NotFound(format!("there is no thread {id}"))),
    }
}

/// A page of a thread as the reader sees it.
///
/// # Errors
///
/// [`AppError::NotFound`] for a thread the reader may not see; storage errors.
pub async fn view(
    store: &dyn Storage,
    reader: Option<&Account>,
    id: i64,
    page: i64,
    now: Millis,
) -> Result<ThreadView, AppError> {
    let thread = thread(store, reader, id).await?;
    let page = page.max(1);
    let posts = store
        .posts(
            id,
            (page - 1).saturating_mul(POSTS_PER_PAGE),
            POSTS_PER_PAGE,
        )
        .await?;
    let votes: std::collections::HashMap<i64, i64> = match reader {
        Some(r) => store
            .votes_in_thread(r.learner, id)
            .await?
            .into_iter()
            .collect(),
        None => std::collections::HashMap::new(),
    };
    let suspended = match reader {
        Some(r) => check_not_suspended(store, r, now).await.err(),
        None => None,
    };
    let locked = thread.locked_at.is_some() && !sees_everything(reader);
    let posts = posts
        .iter()
        .filter_map(|p| {
            post_view(
                reader,
                p,
                p.id == thread.opening_post,
                locked,
                suspended.is_none(),
            )
            .map(|mut v| {
                v.my_vote = votes.get(&p.id).copied().unwrap_or(0);
                v
            })
        })
        .collect();
    // Pages are counted over every post, as they are read.
    let total_posts = thread.all_posts.max(1);
    let reply_notice = match (reader, &suspended) {
        (None, _) => None,
        (Some(_), Some(e)) => Some(e.to_string()),
        (Some(_), None) if locked => {
            Some("a moderator locked this thread: it takes no more replies".into())
        }
        (Some(_), None) => None,
    };
    Ok(ThreadView {
        title: title_for(reader, &thread),
        can_reply: reader.is_some() && suspended.is_none() && !locked,
        reply_notice,
        posts,
        page,
        pages: pages(total_posts, POSTS_PER_PAGE),
        thread,
    })
}

/// A post as the reader sees it; None when they may not see it at all.
fn post_view(
    reader: Option<&Account>,
    post: &Post,
    opening: bool,
    locked: bool,
    may_write: bool,
) -> Option<PostView> {
    let mine = is_author(reader, post.author);
    let privileged = mine || sees_everything(reader);
    let reason = post.reason.as_deref().unwrap_or("no reason given");
    let (show, notice) = match post.state {
        PostState::Visible => (true, None),
        PostState::Pending if privileged => (
            true,
            Some("Waiting for a moderator's approval: only you and moderators see it.".into()),
        ),
        PostState::Rejected if privileged => {
            (true, Some(format!("Rejected by a moderator: {reason}")))
        }
        PostState::Pending | PostState::Rejected => return None,
        // Deleted before anyone else saw it: it stays unseen.
        PostState::Deleted if post.approved_at.is_none() && !privileged => return None,
        PostState::Hidden if privileged => (true, Some(format!("Hidden by a moderator: {reason}"))),
        PostState::Hidden => (false, Some("Hidden by a moderator.".into())),
        PostState::Deleted => (false, Some("Deleted by its author.".into())),
    };
    let signed_in = reader.is_some() && may_write;
    let live = post.state == PostState::Visible;
    Some(PostView {
        id: post.id,
        opening,
        author: name(post.author_name.as_deref()),
        html: show.then(|| post.html.clone()),
        body: mine.then(|| post.body.clone()),
        state: post.state,
        notice,
        score: post.score,
        my_vote: 0,
        created_at: post.created_at,
        edited_at: post.edited_at,
        mine,
        can_edit: mine
            && may_write
            && !locked
            && matches!(post.state, PostState::Visible | PostState::Pending),
        can_vote: signed_in && live && !mine,
        can_flag: signed_in && live && !mine,
    })
}

/// What a new post becomes: its HTML, and visible or pending.
struct Checked {
    html: String,
    state: PostState,
}

/// The checks every new or edited post passes, in this order: the author may write, the
/// text's size is within bounds, the limit allows it (taken before the costlier
/// rendering, so that no one can make the server render for free), then the text renders
/// within its rules.
async fn check_post(
    store: &dyn Storage,
    author: &Account,
    body: &str,
    now: Millis,
    action: Action,
) -> Result<Checked, AppError> {
    check_not_suspended(store, author, now).await?;
    check_size(body)?;
    let settings = CommunitySettings::load(store).await?;
    let new_member = limits::is_new(author, settings.new_member_days, now) && !is_moderator(author);
    limits::take(store, action, author, new_member, now).await?;
    let html = render_body(body, new_member)?;
    let state = if is_moderator(author)
        || store.approved_posts(author.learner).await? >= i64::from(settings.approve_first)
    {
        PostState::Visible
    } else {
        PostState::Pending
    };
    Ok(Checked { html, state })
}

fn body_error(message: String) -> AppError {
    AppError::Field {
        field: "body",
        message,
    }
}

/// A post's size: not empty, at most [`MAX_POST_CHARS`] characters and
/// [`mastery_storage::MAX_POST_BYTES`] bytes, no NUL.
fn check_size(body: &str) -> Result<(), AppError> {
    if body.trim().is_empty() {
        return Err(body_error("write something first".into()));
    }
    let chars = body.chars().count();
    if chars > MAX_POST_CHARS {
        return Err(body_error(format!(
            "a post may be at most {MAX_POST_CHARS} characters; this one has {chars}"
        )));
    }
    if body.len() > mastery_storage::MAX_POST_BYTES {
        return Err(body_error(format!(
            "a post may be at most {} KiB of text",
            mastery_storage::MAX_POST_BYTES / 1024
        )));
    }
    if body.contains('\0') {
        return Err(body_error(
            "a post may not contain the NUL character".into(),
        ));
    }
    Ok(())
}

/// Renders a post's text, within its rules (nesting, size of the HTML, links).
fn render_body(body: &str, new_member: bool) -> Result<String, AppError> {
    let rendered = render_user_markdown(body).map_err(|e| body_error(e.to_string()))?;
    let max = limits::max_links(new_member);
    if rendered.links > max {
        return Err(body_error(format!(
            "{} may have at most {max} links; this one has {}",
            if new_member {
                "while your account is new, a post"
            } else {
                "a post"
            },
            rendered.links
        )));
    }
    Ok(rendered.html)
}

/// Opens a thread on a question of a guide.
///
/// # Errors
///
/// [`AppError::NotFound`] for a guide or question that does not exist;
/// [`AppError::Field`] for a title or body that breaks a rule; [`AppError::Forbidden`]
/// for a suspended member; [`AppError::TooMany`] past the limit; storage errors.
#[allow(clippy::too_many_arguments)]
pub async fn start_thread(
    store: &dyn Storage,
    guides: &[Arc<Guide>],
    author: &Account,
    guide: &str,
    question: &str,
    title: &str,
    body: &str,
    now: Millis,
) -> Result<Posted, AppError> {
    let found = crate::guides::find_guide(guides, guide)?;
    crate::guides::find_question(found, question)?;
    let title = short_text("title", "a title", title, MAX_TITLE_CHARS)?;
    let checked = check_post(store, author, body, now, Action::Post).await?;
    let (thread, post) = store
        .create_thread(&NewThread {
            guide,
            question,
            title: &title,
            post: NewPost {
                thread: 0,
                author: author.learner,
                body,
                html: &checked.html,
                state: checked.state,
                at: now,
            },
        })
        .await?;
    Ok(Posted {
        thread,
        post,
        state: checked.state,
    })
}

/// Replies to a thread.
///
/// # Errors
///
/// As [`start_thread`]; [`AppError::Conflict`] for a locked thread.
pub async fn reply(
    store: &dyn Storage,
    author: &Account,
    thread_id: i64,
    body: &str,
    now: Millis,
) -> Result<Posted, AppError> {
    let thread = thread(store, Some(author), thread_id).await?;
    if !is_moderator(author) {
        if thread.locked_at.is_some() {
            return Err(AppError::Conflict(
                "a moderator locked this thread: it takes no more replies".into(),
            ));
        }
        if thread.state != PostState::Visible {
            return Err(AppError::Conflict(format!(
                "this thread is {}: it takes no replies",
                thread.state
            )));
        }
    }
    let checked = check_post(store, author, body, now, Action::Post).await?;
    let post = store
        .add_post(&NewPost {
            thread: thread_id,
            author: author.learner,
            body,
            html: &checked.html,
            state: checked.state,
            at: now,
        })
        .await?;
    // The thread's author hears of replies everyone can read.
    if let Some(opener) = thread.author
        && checked.state == PostState::Visible
    {
        crate::notifications::tell(
            store,
            opener,
            author.learner,
            crate::notifications::kind::REPLY,
            &format!(
                "{} replied to your thread “{}”",
                author.username, thread.title
            ),
            &format!("/threads/{thread_id}#post-{post}"),
            now,
        )
        .await;
    }
    Ok(Posted {
        thread: thread_id,
        post,
        state: checked.state,
    })
}

/// A post the account wrote, or why they may not change it.
async fn own_post(store: &dyn Storage, author: &Account, id: i64) -> Result<Post, AppError> {
    let post = store
        .post(id)
        .await?
        .filter(|p| {
            p.state != PostState::Deleted
                && (p.author == Some(author.learner)
                    || !matches!(p.state, PostState::Pending | PostState::Rejected)
                    || is_moderator(author))
        })
        .ok_or_else(|| AppError::NotFound(format!("there is no post {id}")))?;
    if post.author != Some(author.learner) {
        return Err(AppError::Forbidden(
            "you can only change your own posts".into(),
        ));
    }
    Ok(post)
}

/// The account's own post, if its author may still change it: not hidden or rejected by
/// a moderator (it stays as they left it), not in a locked thread.
async fn changeable_post(store: &dyn Storage, author: &Account, id: i64) -> Result<Post, AppError> {
    let post = own_post(store, author, id).await?;
    if matches!(post.state, PostState::Hidden | PostState::Rejected) {
        return Err(AppError::Conflict(
            "a moderator hid or rejected this post: it stays as they left it".into(),
        ));
    }
    let thread = thread(store, Some(author), post.thread).await?;
    if thread.locked_at.is_some() && !is_moderator(author) {
        return Err(AppError::Conflict(
            "a moderator locked this thread: its posts can no longer be changed".into(),
        ));
    }
    Ok(post)
}

/// Replaces the text of the account's own post, keeping the old text in its history.
///
/// # Errors
///
/// [`AppError::Forbidden`] for someone else's post; [`AppError::Conflict`] for a hidden or
/// rejected post or a locked thread; as [`reply`] for the text.
pub async fn edit(
    store: &dyn Storage,
    author: &Account,
    id: i64,
    body: &str,
    now: Millis,
) -> Result<(), AppError> {
    let post = changeable_post(store, author, id).await?;
    if post.body == body {
        return Ok(());
    }
    let checked = check_post(store, author, body, now, Action::Edit).await?;
    if !store.edit_post(id, body, &checked.html, now).await? {
        return Err(AppError::Conflict(
            "this post changed meanwhile (a moderator hid it, or it was deleted)".into(),
        ));
    }
    Ok(())
}

/// Deletes the account's own post: its text and history go; its place in the thread stays.
///
/// # Errors
///
/// [`AppError::Forbidden`] for someone else's post or when suspended;
/// [`AppError::Conflict`] for a post a moderator hid or rejected, or in a locked thread;
/// storage errors.
pub async fn delete(
    store: &dyn Storage,
    author: &Account,
    id: i64,
    now: Millis,
) -> Result<(), AppError> {
    check_not_suspended(store, author, now).await?;
    changeable_post(store, author, id).await?;
    store.delete_post(id, now).await?;
    Ok(())
}

/// A post's edit history, for whoever may see its text.
///
/// # Errors
///
/// [`AppError::NotFound`] for a post the reader may not see the text of.
pub async fn history(
    store: &dyn Storage,
    reader: Option<&Account>,
    id: i64,
) -> Result<History, AppError> {
    let missing = || AppError::NotFound(format!("there is no post {id}"));
    let post = store.post(id).await?.ok_or_else(missing)?;
    let thread = thread(store, reader, post.thread).await?;
    let view = post_view(reader, &post, post.id == thread.opening_post, true, false)
        .filter(|v| v.html.is_some())
        .ok_or_else(missing)?;
    Ok(History {
        post: view,
        thread: thread.id,
        revisions: store.revisions(id).await?,
    })
}

/// A visible post someone else wrote, for a vote or a flag.
async fn others_visible_post(
    store: &dyn Storage,
    member: &Account,
    id: i64,
    what: &str,
) -> Result<Post, AppError> {
    let post = store
        .post(id)
        .await?
        .filter(|p| p.state == PostState::Visible)
        .ok_or_else(|| AppError::NotFound(format!("there is no visible post {id}")))?;
    // The thread must be one the member may see, as the post's page is.
    if thread(store, Some(member), post.thread).await.is_err() {
        return Err(AppError::NotFound(format!("there is no visible post {id}")));
    }
    if post.author == Some(member.learner) {
        return Err(AppError::Forbidden(format!(
            "you cannot {what} your own post"
        )));
    }
    Ok(post)
}

/// Sets the member's vote on a post (+1, -1, or 0 to take it back); the post's score.
///
/// # Errors
///
/// [`AppError::Invalid`] for another value; [`AppError::Forbidden`] on one's own post or
/// when suspended; [`AppError::NotFound`] for a post that is not visible;
/// [`AppError::TooMany`] past the limit; storage errors.
pub async fn vote(
    store: &dyn Storage,
    voter: &Account,
    id: i64,
    value: i64,
    now: Millis,
) -> Result<i64, AppError> {
    if !(-1..=1).contains(&value) {
        return Err(AppError::Invalid(
            "a vote is 1 (up), -1 (down) or 0 (take it back)".into(),
        ));
    }
    check_not_suspended(store, voter, now).await?;
    let post = others_visible_post(store, voter, id, "vote on").await?;
    let settings = CommunitySettings::load(store).await?;
    let new_member = limits::is_new(voter, settings.new_member_days, now) && !is_moderator(voter);
    limits::take(store, Action::Vote, voter, new_member, now).await?;
    Ok(store.vote(post.id, voter.learner, value, now).await?)
}

/// Flags a post as breaking a rule of the community.
///
/// # Errors
///
/// [`AppError::Field`] for a reason that is not a rule, or "something else" without
/// details; [`AppError::Conflict`] when the member already flagged it; as [`vote`].
pub async fn flag(
    store: &dyn Storage,
    flagger: &Account,
    id: i64,
    reason: &str,
    detail: &str,
    now: Millis,
) -> Result<(), AppError> {
    check_not_suspended(store, flagger, now).await?;
    let settings = CommunitySettings::load(store).await?;
    let reasons = settings.flag_reasons();
    let Some(rule) = reasons.iter().find(|r| r.as_str() == reason.trim()) else {
        return Err(AppError::Field {
            field: "reason",
            message: format!("pick one of the community's rules: {}", reasons.join("; ")),
        });
    };
    let detail = detail.trim();
    if detail.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::Field {
            field: "detail",
            message: format!("the details may be at most {MAX_REASON_CHARS} characters"),
        });
    }
    if rule == OTHER_REASON && detail.is_empty() {
        return Err(AppError::Field {
            field: "detail",
            message: "say what is wrong with the post".into(),
        });
    }
    let detail = if detail.is_empty() {
        String::new()
    } else {
        short_text("detail", "the details", detail, MAX_REASON_CHARS)?
    };
    let post = others_visible_post(store, flagger, id, "flag").await?;
    let new_member =
        limits::is_new(flagger, settings.new_member_days, now) && !is_moderator(flagger);
    limits::take(store, Action::Flag, flagger, new_member, now).await?;
    if store
        .flag(post.id, flagger.learner, rule, &detail, now)
        .await?
    {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "you have already flagged this post; a moderator will look at it".into(),
        ))
    }
}
