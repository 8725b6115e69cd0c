//! Suggested improvements to the guide: a member proposes new Markdown for one question (its
//! answer, key points, references), members vote, a moderator accepts or rejects it with a
//! comment and its author is told; `mastery suggestions export` writes the accepted ones as
//! a patch for the guide's repository.
//!
//! A proposed text is checked by the rules of `mastery check` on the whole guide with the
//! text in place ([`mastery_content::suggest::check_replacement`]): a suggestion that would
//! break the guide is refused with the diagnostics. A suggestion keeps the question's text
//! it was written against; when the loaded guide's text differs, it is **stale**: shown with
//! the new text beside it, neither accepted nor exported until a moderator rebases it (or,
//! while it is open, its author changes it).

use std::sync::Arc;

use mastery_content::suggest::{
    DiffLine, QuestionSource, check_replacement, diff_lines, normalise, question_source,
    replaced_file, too_large, unified_diff,
};
use mastery_content::{Diagnostic, Guide, GuideFiles, load_guide};
use mastery_storage::{
    Account, Millis, NewNotification, NewSuggestion, Storage, Suggestion, SuggestionDecision,
    SuggestionFilter, SuggestionRevision, SuggestionState,
};

use super::discussion::DELETED_ACCOUNT;
use super::limits::{self, Action};
use super::rules::CommunitySettings;
use super::{MAX_REASON_CHARS, check_not_suspended, is_moderator, short_text};
use crate::AppError;

/// The longest summary of a suggestion, in characters.
pub const MAX_SUMMARY_CHARS: usize = 300;
/// Suggestions per page of a list.
pub const SUGGESTIONS_PER_PAGE: i64 = 50;

/// A loaded guide with the files it was loaded from: what a suggestion is checked against.
#[derive(Debug, Clone)]
pub struct GuideSource {
    /// The guide.
    pub guide: Arc<Guide>,
    /// Its files.
    pub files: Arc<GuideFiles>,
    /// What loading them said (its warnings: a suggestion may add none).
    pub diagnostics: Arc<Vec<Diagnostic>>,
}

impl GuideSource {
    /// Loads `files`; `None` when they do not make a guide.
    #[must_use]
    pub fn load(files: GuideFiles) -> Option<GuideSource> {
        let report = load_guide(&files);
        Some(GuideSource {
            guide: Arc::new(report.guide?),
            files: Arc::new(files),
            diagnostics: Arc::new(report.diagnostics),
        })
    }
}

/// A suggestion as a reader sees it.
#[derive(Debug, Clone)]
pub struct SuggestionView {
    /// As stored.
    pub suggestion: Suggestion,
    /// Its author's name (or [`DELETED_ACCOUNT`]).
    pub author: String,
    /// The question's title now (its id when the guide no longer has it).
    pub question_title: String,
    /// The question's Markdown in the loaded guide, when the guide has it.
    pub current_text: Option<String>,
    /// Whether the question changed since the suggestion was written (or is gone).
    pub stale: bool,
    /// The change: its base text against the proposed one.
    pub diff: Vec<DiffLine>,
    /// The reader's vote (0 when none).
    pub my_vote: i64,
    /// The reader may vote (a member who is not its author, while it is open).
    pub can_vote: bool,
    /// The reader may change or withdraw it (its author, while it is open).
    pub can_revise: bool,
    /// The reader may accept or reject it (a moderator who did not write or change it,
    /// while it is open).
    pub can_decide: bool,
    /// The reader may change its text onto the question's text now (a moderator, while it
    /// is open or accepted and not exported; it is open again after).
    pub can_rebase: bool,
}

/// What the preview step shows: the change, and why it would be refused if it would.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The question's Markdown now.
    pub current: QuestionSource,
    /// The proposed text, normalised.
    pub proposed: String,
    /// The change line by line.
    pub diff: Vec<DiffLine>,
    /// Each problem `mastery check` finds with the text in place (empty when none).
    pub problems: Vec<String>,
}

/// The question's Markdown now, for the form.
///
/// # Errors
///
/// [`AppError::NotFound`] when the guide has no such question.
pub fn current_text(source: &GuideSource, question: &str) -> Result<QuestionSource, AppError> {
    crate::guides::find_entry(&source.guide, question)?;
    question_source(&source.files, &source.guide, question).ok_or_else(|| {
        AppError::NotFound(format!(
            "the text of `{question}` is not available to suggest changes to"
        ))
    })
}

/// The change a proposed text makes and what `mastery check` says of it.
///
/// # Errors
///
/// As [`current_text`].
pub fn preview(source: &GuideSource, question: &str, proposed: &str) -> Result<Preview, AppError> {
    let current = current_text(source, question)?;
    // Too large a text gets no further work (no diff, no check).
    if let Some(problem) = too_large(proposed) {
        return Ok(Preview {
            diff: Vec::new(),
            current,
            proposed: String::new(),
            problems: vec![problem],
        });
    }
    let proposed = normalise(proposed);
    let problems = if proposed == current.text {
        vec!["the text is the same as the question's: change something first".to_owned()]
    } else {
        check_replacement(
            &source.files,
            &source.guide,
            &source.diagnostics,
            question,
            &proposed,
        )
        .err()
        .map(|r| r.problems)
        .unwrap_or_default()
    };
    Ok(Preview {
        diff: diff_lines(&current.text, &proposed),
        current,
        proposed,
        problems,
    })
}

/// [`preview`] for a member: limited per member (each runs the guide's checks).
///
/// # Errors
///
/// As [`preview`]; [`AppError::TooMany`] past the limit.
pub async fn preview_for(
    store: &dyn Storage,
    source: &GuideSource,
    member: &Account,
    question: &str,
    proposed: &str,
    now: Millis,
) -> Result<Preview, AppError> {
    current_text(source, question)?;
    take_limit(store, member, Action::Preview, now).await?;
    preview(source, question, proposed)
}

fn refused(problems: Vec<String>) -> AppError {
    AppError::Field {
        field: "text",
        message: format!(
            "this text would break the guide, so it cannot be suggested: {}",
            problems.join("; ")
        ),
    }
}

/// Refuses a suspended member, then takes one of `action` from their limit.
async fn check_member(
    store: &dyn Storage,
    account: &Account,
    action: Action,
    now: Millis,
) -> Result<(), AppError> {
    check_not_suspended(store, account, now).await?;
    take_limit(store, account, action, now).await
}

async fn take_limit(
    store: &dyn Storage,
    account: &Account,
    action: Action,
    now: Millis,
) -> Result<(), AppError> {
    let settings = CommunitySettings::load(store).await?;
    let new_member =
        limits::is_new(account, settings.new_member_days, now) && !is_moderator(account);
    limits::take(store, action, account, new_member, now).await
}

/// Suggests `proposed` as the new text of `question`; returns the suggestion's number.
///
/// # Errors
///
/// [`AppError::Field`] for a summary that breaks a rule (`summary`) or a text that is the
/// same or would break the guide (`text`, with the diagnostics); [`AppError::NotFound`]
/// for an unknown question; [`AppError::Forbidden`] when suspended;
/// [`AppError::TooMany`] past the limit; storage errors.
pub async fn suggest(
    store: &dyn Storage,
    source: &GuideSource,
    author: &Account,
    question: &str,
    summary: &str,
    proposed: &str,
    now: Millis,
) -> Result<i64, AppError> {
    let summary = short_text("summary", "a summary", summary, MAX_SUMMARY_CHARS)?;
    current_text(source, question)?;
    // The limit first: a refused text still costs the guide's checks.
    check_member(store, author, Action::Suggest, now).await?;
    let preview = preview(source, question, proposed)?;
    if !preview.problems.is_empty() {
        return Err(refused(preview.problems));
    }
    Ok(store
        .create_suggestion(&NewSuggestion {
            guide: source.guide.id.as_str(),
            question,
            author: author.learner,
            summary: &summary,
            base_text: &preview.current.text,
            proposed_text: &preview.proposed,
            at: now,
        })
        .await?)
}

/// The suggestion `id` as `reader` sees it (every suggestion is public to members: they
/// improve a shared guide).
///
/// # Errors
///
/// [`AppError::NotFound`] when there is no such suggestion; storage errors.
pub async fn view(
    store: &dyn Storage,
    sources: &[GuideSource],
    reader: Option<&Account>,
    id: i64,
) -> Result<SuggestionView, AppError> {
    let suggestion = store
        .suggestion(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no suggestion {id}")))?;
    let my_vote = match reader {
        Some(r) => store.suggestion_vote(id, r.learner).await?,
        None => 0,
    };
    Ok(describe(sources, reader, suggestion, my_vote, true))
}

/// How a reader sees a suggestion; its diff only when `with_diff` (a list shows none).
fn describe(
    sources: &[GuideSource],
    reader: Option<&Account>,
    suggestion: Suggestion,
    my_vote: i64,
    with_diff: bool,
) -> SuggestionView {
    let source = sources
        .iter()
        .find(|s| s.guide.id.as_str() == suggestion.guide);
    let current = source.and_then(|s| question_source(&s.files, &s.guide, &suggestion.question));
    let question_title = source
        .and_then(|s| s.guide.entry(&suggestion.question))
        .map_or_else(|| suggestion.question.clone(), |e| e.title.clone());
    let current_text = current.map(|c| c.text);
    let stale = current_text.as_deref() != Some(suggestion.base_text.as_str());
    let open = suggestion.state == SuggestionState::Open;
    let own = reader.is_some_and(|r| suggestion.author == Some(r.learner));
    SuggestionView {
        diff: if with_diff {
            diff_lines(&suggestion.base_text, &suggestion.proposed_text)
        } else {
            Vec::new()
        },
        author: suggestion
            .author_name
            .clone()
            .unwrap_or_else(|| DELETED_ACCOUNT.to_owned()),
        question_title,
        current_text,
        stale,
        my_vote,
        can_vote: open && reader.is_some() && !own,
        can_revise: open && own,
        can_decide: open
            && reader.is_some_and(|r| {
                is_moderator(r)
                    && suggestion.author != Some(r.learner)
                    && suggestion.reviser != Some(r.learner)
            }),
        can_rebase: reader.is_some_and(is_moderator)
            && suggestion.exported_at.is_none()
            && matches!(
                suggestion.state,
                SuggestionState::Open | SuggestionState::Accepted
            ),
        suggestion,
    }
}

/// Which suggestions a list shows.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// One guide's.
    pub guide: Option<String>,
    /// One question's (with `guide`).
    pub question: Option<String>,
    /// In one state (every state when `None`).
    pub state: Option<SuggestionState>,
    /// Only the reader's own.
    pub mine: bool,
    /// The page, from 1.
    pub page: i64,
}

/// A page of suggestions, newest first.
///
/// # Errors
///
/// [`AppError::Forbidden`] for `mine` without an account; storage errors.
pub async fn list(
    store: &dyn Storage,
    sources: &[GuideSource],
    reader: Option<&Account>,
    query: &ListQuery,
) -> Result<Vec<SuggestionView>, AppError> {
    let author = match (query.mine, reader) {
        (true, Some(r)) => Some(r.learner),
        (true, None) => {
            return Err(AppError::Forbidden(
                "sign in to see your suggestions".into(),
            ));
        }
        (false, _) => None,
    };
    let page = query.page.max(1);
    let found = store
        .suggestions(&SuggestionFilter {
            guide: query.guide.clone(),
            question: query.question.clone(),
            states: query.state.into_iter().collect(),
            author,
            unexported: false,
            limit: SUGGESTIONS_PER_PAGE,
            offset: (page - 1).saturating_mul(SUGGESTIONS_PER_PAGE),
        })
        .await?;
    Ok(found
        .into_iter()
        .map(|s| describe(sources, reader, s, 0, false))
        .collect())
}

/// Sets the member's vote on an open suggestion (+1, -1, or 0 to take it back); the score.
///
/// # Errors
///
/// [`AppError::Invalid`] for another value; [`AppError::Forbidden`] on one's own suggestion
/// or when suspended; [`AppError::Conflict`] once it is decided; [`AppError::NotFound`];
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
    let suggestion = found(store, id).await?;
    if suggestion.author == Some(voter.learner) {
        return Err(AppError::Forbidden(
            "you cannot vote on your own suggestion".into(),
        ));
    }
    if suggestion.state != SuggestionState::Open {
        return Err(AppError::Conflict(format!(
            "this suggestion is {}: it takes no more votes",
            suggestion.state
        )));
    }
    check_member(store, voter, Action::Vote, now).await?;
    Ok(store.vote_suggestion(id, voter.learner, value, now).await?)
}

async fn found(store: &dyn Storage, id: i64) -> Result<Suggestion, AppError> {
    store
        .suggestion(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no suggestion {id}")))
}

/// A moderator's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Into the next patch.
    Accept,
    /// Refused, with a comment.
    Reject,
}

/// A moderator accepts or rejects an open suggestion with a comment (required to reject);
/// its author is told. `seen` is the suggestion's `updated_at` the moderator read: a text
/// changed since is not decided on. A stale suggestion must be rebased before it is
/// accepted, and it is checked again against the guide as loaded now. Nobody decides on a
/// suggestion they wrote or last changed: another moderator does.
///
/// # Errors
///
/// [`AppError::Forbidden`] for a member who does not moderate, a suspended moderator, or
/// one's own suggestion; [`AppError::Conflict`] when it is not open, changed since `seen`,
/// or is stale; [`AppError::Field`] for a missing or too long comment (`comment`) or a text
/// that no longer passes the check (`text`); storage errors.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    store: &dyn Storage,
    sources: &[GuideSource],
    moderator: &Account,
    id: i64,
    verdict: Verdict,
    comment: &str,
    seen: Millis,
    now: Millis,
) -> Result<(), AppError> {
    if !is_moderator(moderator) {
        return Err(AppError::Forbidden(
            "only moderators accept or reject suggestions".into(),
        ));
    }
    check_not_suspended(store, moderator, now).await?;
    let comment = comment.trim();
    let comment = match verdict {
        Verdict::Reject => Some(short_text(
            "comment",
            "a comment saying why",
            comment,
            MAX_REASON_CHARS,
        )?),
        Verdict::Accept if comment.is_empty() => None,
        Verdict::Accept => Some(short_text(
            "comment",
            "a comment",
            comment,
            MAX_REASON_CHARS,
        )?),
    };
    let suggestion = found(store, id).await?;
    if suggestion.author == Some(moderator.learner) || suggestion.reviser == Some(moderator.learner)
    {
        return Err(AppError::Forbidden(
            "another moderator decides on a suggestion you wrote or changed".into(),
        ));
    }
    if suggestion.state != SuggestionState::Open {
        return Err(AppError::Conflict(format!(
            "this suggestion is already {}",
            suggestion.state
        )));
    }
    if suggestion.updated_at != seen {
        return Err(changed_since());
    }
    let view = describe(sources, Some(moderator), suggestion, 0, false);
    if verdict == Verdict::Accept {
        if view.stale {
            return Err(AppError::Conflict(
                "the question changed since this suggestion was written: rebase it onto the \
                 new text first"
                    .into(),
            ));
        }
        let source = source_of(sources, &view.suggestion.guide)?;
        if let Err(refusal) = check_replacement(
            &source.files,
            &source.guide,
            &source.diagnostics,
            &view.suggestion.question,
            &view.suggestion.proposed_text,
        ) {
            return Err(refused(refusal.problems));
        }
    }
    let (to, word) = match verdict {
        Verdict::Accept => (SuggestionState::Accepted, "accepted"),
        Verdict::Reject => (SuggestionState::Rejected, "rejected"),
    };
    let text = match &comment {
        Some(c) => format!(
            "{} {word} your suggestion on “{}”: {c}",
            moderator.username, view.question_title
        ),
        None => format!(
            "{} {word} your suggestion on “{}”",
            moderator.username, view.question_title
        ),
    };
    let text = crate::notifications::clip(&text);
    let link = format!("/suggestions/{id}");
    let notice = view
        .suggestion
        .author
        .filter(|a| *a != moderator.learner)
        .map(|learner| NewNotification {
            learner,
            kind: "suggestion",
            text: &text,
            link: &link,
            at: now,
        });
    let changed = store
        .decide_suggestion(&SuggestionDecision {
            id,
            from: SuggestionState::Open,
            seen: Some(seen),
            to,
            moderator: Some((moderator.learner, moderator.username.as_str())),
            comment: comment.as_deref(),
            at: now,
            notice,
        })
        .await?;
    if changed {
        Ok(())
    } else {
        Err(changed_since())
    }
}

fn changed_since() -> AppError {
    AppError::Conflict(
        "this suggestion changed since you opened it (a new text or a decision): reload it".into(),
    )
}

fn source_of<'s>(sources: &'s [GuideSource], guide: &str) -> Result<&'s GuideSource, AppError> {
    sources
        .iter()
        .find(|s| s.guide.id.as_str() == guide)
        .ok_or_else(|| AppError::Conflict(format!("the guide `{guide}` is not loaded")))
}

/// Its author takes back an open suggestion.
///
/// # Errors
///
/// [`AppError::Forbidden`] for someone else's; [`AppError::Conflict`] once decided;
/// storage errors.
pub async fn withdraw(
    store: &dyn Storage,
    author: &Account,
    id: i64,
    now: Millis,
) -> Result<(), AppError> {
    let suggestion = found(store, id).await?;
    if suggestion.author != Some(author.learner) {
        return Err(AppError::Forbidden(
            "you can only withdraw your own suggestions".into(),
        ));
    }
    let changed = store
        .decide_suggestion(&SuggestionDecision {
            id,
            from: SuggestionState::Open,
            seen: None,
            to: SuggestionState::Withdrawn,
            moderator: None,
            comment: None,
            at: now,
            notice: None,
        })
        .await?;
    if changed {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "this suggestion is already {}",
            suggestion.state
        )))
    }
}

/// New text for a suggestion, written against the question's text now: its author changes
/// it while it is open; a moderator rebases an open or accepted (not yet exported) one. A
/// new text is a new proposal: the suggestion is open again, its decision and votes
/// cleared; a moderator who changed it does not decide on it, and its author is told.
/// `seen` is the `updated_at` the form was drawn with.
///
/// # Errors
///
/// [`AppError::Forbidden`] for anyone else; [`AppError::Conflict`] when it is decided (for
/// its author), exported, or changed meanwhile; as [`suggest`] for the texts.
#[allow(clippy::too_many_arguments)]
pub async fn revise(
    store: &dyn Storage,
    sources: &[GuideSource],
    account: &Account,
    id: i64,
    summary: &str,
    proposed: &str,
    seen: Millis,
    now: Millis,
) -> Result<(), AppError> {
    let suggestion = found(store, id).await?;
    let own = suggestion.author == Some(account.learner);
    let states: &[SuggestionState] = if is_moderator(account) {
        &[SuggestionState::Open, SuggestionState::Accepted]
    } else if own {
        &[SuggestionState::Open]
    } else {
        return Err(AppError::Forbidden(
            "only its author or a moderator can change a suggestion".into(),
        ));
    };
    if !states.contains(&suggestion.state) || suggestion.exported_at.is_some() {
        return Err(AppError::Conflict(format!(
            "this suggestion is {}: it can no longer be changed",
            if suggestion.exported_at.is_some() {
                "exported"
            } else {
                suggestion.state.as_str()
            }
        )));
    }
    let summary = short_text("summary", "a summary", summary, MAX_SUMMARY_CHARS)?;
    let source = source_of(sources, &suggestion.guide)?;
    // The limit first: a refused text still costs the guide's checks.
    check_member(store, account, Action::Edit, now).await?;
    let preview = preview(source, &suggestion.question, proposed)?;
    if !preview.problems.is_empty() {
        return Err(refused(preview.problems));
    }
    let changed = store
        .revise_suggestion(&SuggestionRevision {
            id,
            by: account.learner,
            seen,
            states,
            base_text: &preview.current.text,
            proposed_text: &preview.proposed,
            summary: &summary,
            at: now,
        })
        .await?;
    if !changed {
        return Err(AppError::Conflict(
            "this suggestion changed since you opened it: reload it and make your change again"
                .into(),
        ));
    }
    if let Some(author) = suggestion.author {
        crate::notifications::tell(
            store,
            author,
            account.learner,
            crate::notifications::kind::SUGGESTION,
            &format!(
                "{} changed the text of your suggestion “{}” (it is open again)",
                account.username, suggestion.summary
            ),
            &format!("/suggestions/{id}"),
            now,
        )
        .await;
    }
    Ok(())
}

/// How many suggestions are open: all of them (the moderators' queue), or one question's.
///
/// # Errors
///
/// Storage errors.
pub async fn open_count(
    store: &dyn Storage,
    question: Option<(&str, &str)>,
) -> Result<i64, AppError> {
    Ok(store
        .count_suggestions(&SuggestionFilter {
            guide: question.map(|(g, _)| g.to_owned()),
            question: question.map(|(_, q)| q.to_owned()),
            states: vec![SuggestionState::Open],
            ..SuggestionFilter::default()
        })
        .await?)
}

/// What `mastery suggestions export` writes.
#[derive(Debug, Clone, Default)]
pub struct Export {
    /// The patch: one unified diff per changed file, for `git apply`.
    pub patch: String,
    /// The suggestions in it, in the order applied, with the `updated_at` of the text that
    /// went in.
    pub exported: Vec<(i64, Millis)>,
    /// Accepted suggestions left out because their question changed since (or another
    /// suggestion in this patch changes it first): (number, question).
    pub stale: Vec<(i64, String)>,
}

/// The accepted, not yet exported suggestions of `guide` applied in the order they were
/// accepted to `files` (the guide folder as it is now), as one patch whose paths start with
/// `prefix` (`guides/python-django`). Marks nothing: see [`mark_exported`].
///
/// # Errors
///
/// [`AppError::Invalid`] when the folder does not load as a guide; storage errors.
pub async fn export(
    store: &dyn Storage,
    files: &GuideFiles,
    prefix: &str,
) -> Result<Export, AppError> {
    let report = load_guide(files);
    let Some(guide) = report.guide else {
        return Err(AppError::Invalid(format!(
            "{} does not load as a guide: run `mastery check {}` first",
            files.root, files.root
        )));
    };
    let accepted = store
        .suggestions(&SuggestionFilter {
            guide: Some(guide.id.to_string()),
            unexported: true,
            limit: i64::MAX,
            ..SuggestionFilter::default()
        })
        .await?;
    let mut out = Export::default();
    let mut working = files.clone();
    let mut guide = guide;
    for s in accepted {
        let applied = question_source(&working, &guide, &s.question)
            .filter(|current| current.text == s.base_text)
            .and_then(|current| {
                replaced_file(&working, &current, &s.proposed_text).map(|t| (current, t))
            });
        let Some((current, text)) = applied else {
            out.stale.push((s.id, s.question.clone()));
            continue;
        };
        let mut next = working.clone();
        if let Some(f) = next.files.iter_mut().find(|f| f.path == current.file) {
            f.bytes = text.into_bytes();
        }
        // Each step must leave a guide that loads, or the rest cannot be placed.
        match load_guide(&next).guide {
            Some(g) => {
                working = next;
                guide = g;
                out.exported.push((s.id, s.updated_at));
            }
            None => out.stale.push((s.id, s.question.clone())),
        }
    }
    let prefix = prefix.trim_end_matches('/');
    let mut paths: Vec<&str> = files.files.iter().map(|f| f.path.as_str()).collect();
    paths.sort_unstable();
    for path in paths {
        let old = files.files.iter().find(|f| f.path == path);
        let new = working.files.iter().find(|f| f.path == path);
        if let (Some(old), Some(new)) = (old, new)
            && old.bytes != new.bytes
        {
            let shown = if prefix.is_empty() {
                path.to_owned()
            } else {
                format!("{prefix}/{path}")
            };
            out.patch.push_str(&unified_diff(
                &shown,
                &String::from_utf8_lossy(&old.bytes),
                &String::from_utf8_lossy(&new.bytes),
            ));
        }
    }
    Ok(out)
}

/// Marks suggestions as exported (after the patch is written), each only while its text is
/// the one that went in; how many were marked.
///
/// # Errors
///
/// Storage errors.
pub async fn mark_exported(
    store: &dyn Storage,
    ids: &[(i64, Millis)],
    now: Millis,
) -> Result<u64, AppError> {
    Ok(store.mark_suggestions_exported(ids, now).await?)
}
