//! What the community's pages show.

use askama::Template;
use mastery_app::community::discussion::{PostView, ThreadSummary};

use crate::layout::{Choice, Layout};

/// A question's discussion, as its page shows it (multi-user mode).
#[derive(Debug, Clone)]
pub struct DiscussionBlock {
    /// Where new threads are posted.
    pub action: String,
    /// The question page's path (sort and page links).
    pub here: String,
    pub threads: Vec<ThreadRow>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    /// `votes` or `newest`.
    pub order: String,
    /// Signed in and allowed to post.
    pub can_post: bool,
    /// Why not, when signed in.
    pub notice: Option<String>,
    pub signed_out: bool,
    pub sign_in_next: String,
    /// The form as sent back with a mistake.
    pub title: String,
    pub body: String,
    pub error: Option<String>,
    /// Rules, for the form's reminder.
    pub rules: Vec<String>,
    /// The question's suggestions (all states).
    pub suggestions_url: String,
    /// How many of them are open.
    pub open_suggestions: i64,
}

/// A thread in a list.
#[derive(Debug, Clone)]
pub struct ThreadRow {
    pub url: String,
    pub title: String,
    pub author: String,
    pub score: i64,
    pub replies: i64,
    pub when: String,
    pub iso: String,
    pub locked: bool,
    /// "pending", "hidden"… for the badge; empty when visible.
    pub badge: String,
}

impl ThreadRow {
    pub fn of(t: &ThreadSummary) -> Self {
        let at = crate::interviews::time::when(t.last_post_at, 0);
        Self {
            url: format!("/threads/{}", t.id),
            title: t.title.clone(),
            author: t.author.clone(),
            score: t.score,
            replies: t.replies,
            when: at.date,
            iso: at.iso,
            locked: t.locked,
            badge: badge(t.state),
        }
    }
}

fn badge(state: mastery_storage::PostState) -> String {
    match state {
        mastery_storage::PostState::Visible => String::new(),
        other => other.as_str().to_string(),
    }
}

/// A post on a thread page.
#[derive(Debug, Clone)]
pub struct PostRow {
    pub id: i64,
    pub opening: bool,
    pub author: String,
    pub html: Option<String>,
    pub notice: Option<String>,
    pub badge: String,
    pub score: i64,
    pub up: bool,
    pub down: bool,
    pub when: String,
    pub iso: String,
    pub edited: bool,
    pub mine: bool,
    pub can_edit: bool,
    pub can_vote: bool,
    pub can_flag: bool,
}

impl PostRow {
    pub fn of(p: &PostView) -> Self {
        let at = crate::interviews::time::when(p.created_at, 0);
        Self {
            id: p.id,
            opening: p.opening,
            author: p.author.clone(),
            html: p.html.clone(),
            notice: p.notice.clone(),
            badge: badge(p.state),
            score: p.score,
            up: p.my_vote > 0,
            down: p.my_vote < 0,
            when: format!("{}, {} UTC", at.date, at.time),
            iso: at.iso,
            edited: p.edited_at.is_some(),
            mine: p.mine,
            can_edit: p.can_edit,
            can_vote: p.can_vote,
            can_flag: p.can_flag,
        }
    }
}

#[derive(Template)]
#[template(path = "thread.html")]
pub struct ThreadPage {
    pub layout: Layout,
    pub id: i64,
    pub title: String,
    pub question_url: String,
    pub question_title: String,
    pub locked: bool,
    pub posts: Vec<PostRow>,
    pub page: i64,
    pub pages: i64,
    pub can_reply: bool,
    pub reply_notice: Option<String>,
    pub signed_out: bool,
    pub moderator: bool,
    pub body: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "post_flag.html")]
pub struct FlagPage {
    pub layout: Layout,
    pub id: i64,
    pub thread_url: String,
    pub author: String,
    pub html: Option<String>,
    /// The rules' names, then "Something else".
    pub reasons: Vec<Choice>,
    pub detail: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "post_edit.html")]
pub struct EditPage {
    pub layout: Layout,
    pub id: i64,
    pub thread_url: String,
    pub body: String,
    pub error: Option<String>,
}

/// One version of a post.
#[derive(Debug, Clone)]
pub struct VersionRow {
    pub label: String,
    pub when: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "post_history.html")]
pub struct HistoryPage {
    pub layout: Layout,
    pub id: i64,
    pub thread_url: String,
    pub versions: Vec<VersionRow>,
}

/// A post in the moderation queue.
#[derive(Debug, Clone)]
pub struct QueueRow {
    pub post: PostRow,
    pub thread_url: String,
    pub thread_title: String,
    pub pending: bool,
    pub hidden: bool,
    pub flags: usize,
    pub reasons: Vec<(String, usize)>,
    pub details: Vec<String>,
}

#[derive(Template)]
#[template(path = "moderation.html")]
pub struct QueuePage {
    pub layout: Layout,
    pub items: Vec<QueueRow>,
    pub orphans: Vec<OrphanRow>,
    /// Suggested improvements waiting for a decision.
    pub open_suggestions: i64,
}

#[derive(Debug, Clone)]
pub struct OrphanRow {
    pub guide: String,
    pub question: String,
    pub threads: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct LogRow {
    pub when: String,
    pub iso: String,
    pub moderator: String,
    pub action: String,
    pub target: String,
    pub target_url: Option<String>,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "moderation_log.html")]
pub struct LogPage {
    pub layout: Layout,
    pub rows: Vec<LogRow>,
    pub page: i64,
    pub more: bool,
    pub moderator: bool,
}

#[derive(Template)]
#[template(path = "admin_community.html")]
pub struct CommunitySettingsPage {
    pub layout: Layout,
    pub rules: String,
    pub approve_first: String,
    pub new_member_days: String,
    pub show_moderators: bool,
    pub error: Option<String>,
    pub saved: bool,
}

#[derive(Template)]
#[template(path = "moderation_member.html")]
pub struct MemberPage {
    pub layout: Layout,
    pub username: String,
    pub role: String,
    pub suspended: Option<String>,
    pub error: Option<String>,
    pub days: Vec<Choice>,
}
