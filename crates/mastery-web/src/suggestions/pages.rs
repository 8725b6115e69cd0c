//! The suggestion pages: the form (with its preview step), a suggestion's page and its
//! forms (vote, decide, withdraw, change or rebase), the list.

use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use mastery_app::AppError;
use mastery_app::accounts::SignedIn;
use mastery_app::community::suggestions::{self, GuideSource, ListQuery, Preview, Verdict};
use mastery_content::suggest::{diff_lines, rebase};
use mastery_storage::SuggestionState;
use serde::Deserialize;

use crate::access::Account;
use crate::community::pages::reader;
use crate::community::question_url;
use crate::error::WebError;
use crate::error_page::form_with_errors;
use crate::layout::{Choice, Layout, render};
use crate::security::redirect_back;
use crate::session::Session;
use crate::state::{AppState, now};
use crate::suggestions::views::{
    SuggestPage, SuggestionPage, SuggestionRow, SuggestionsPage, diff_rows,
};

/// The loaded guide `guide` with its files.
pub(crate) fn source_of(sources: &[GuideSource], guide: &str) -> Result<GuideSource, WebError> {
    sources
        .iter()
        .find(|s| s.guide.id.as_str() == guide)
        .cloned()
        .ok_or_else(|| WebError::NotFound(format!("there is no guide `{guide}`")))
}

/// The form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct SuggestForm {
    #[serde(default)]
    summary: String,
    #[serde(default)]
    text: String,
    /// `preview` or `send`.
    #[serde(default)]
    step: String,
    /// The suggestion's `updated_at` when the form was drawn (changes and rebases).
    #[serde(default)]
    seen: i64,
}

/// What the form page shows besides the draft.
struct FormParts<'a> {
    heading: String,
    action: String,
    submit_label: &'a str,
    notice: Option<String>,
    /// What is wrong with the summary, when sending refused it.
    summary_error: Option<String>,
}

/// Draws the form for `question` with the draft, what the preview found and a summary error.
fn form_page(
    state: &AppState,
    session: &Session,
    source: &GuideSource,
    question: &str,
    parts: FormParts<'_>,
    draft: &SuggestForm,
    preview: Option<&Preview>,
) -> Result<SuggestPage, WebError> {
    let current = suggestions::current_text(source, question)?;
    let title = source
        .guide
        .entry(question)
        .map_or_else(|| question.to_owned(), |e| e.title_text.clone());
    let diff = preview.map_or_else(
        || {
            diff_lines(
                &current.text,
                &mastery_content::suggest::normalise(&draft.text),
            )
        },
        |p| p.diff.clone(),
    );
    Ok(SuggestPage {
        layout: Layout::new(
            state,
            Some(session),
            parts.heading.clone(),
            parts.action.clone(),
        ),
        heading: parts.heading,
        question_url: question_url(source.guide.id.as_str(), question),
        question_title: title,
        action: parts.action,
        submit_label: parts.submit_label.to_owned(),
        seen: draft.seen,
        base: current.text,
        text: draft.text.clone(),
        summary: draft.summary.clone(),
        summary_error: parts.summary_error,
        problems: preview.map(|p| p.problems.clone()).unwrap_or_default(),
        previewed_ok: preview.is_some_and(|p| p.problems.is_empty()),
        diff: diff_rows(&diff),
        notice: parts.notice,
    })
}

fn new_parts(guide: &str, question: &str) -> FormParts<'static> {
    FormParts {
        heading: "Suggest an improvement".into(),
        action: format!("/guides/{guide}/{question}/suggest"),
        submit_label: "Send the suggestion",
        notice: None,
        summary_error: None,
    }
}

/// `GET /guides/{guide}/{question}/suggest`: the form, filled with the question's Markdown.
pub async fn new_form(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(_user): Account,
    Path((guide, question)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let library = state.library();
    let source = source_of(&library.sources, &guide)?;
    let current = suggestions::current_text(&source, &question)?;
    let draft = SuggestForm {
        text: current.text,
        ..SuggestForm::default()
    };
    let page = form_page(
        &state,
        &session,
        &source,
        &question,
        new_parts(&guide, &question),
        &draft,
        None,
    )?;
    Ok(render(&page))
}

/// Redraws the form with `preview` after a refused send or a preview step: 422 when
/// something must be fixed.
#[allow(clippy::too_many_arguments)]
fn redraw(
    state: &AppState,
    session: &Session,
    source: &GuideSource,
    question: &str,
    mut parts: FormParts<'_>,
    form: &SuggestForm,
    mut preview: Preview,
    error: Option<AppError>,
) -> Result<Response, WebError> {
    match error {
        Some(AppError::Field {
            field: "summary",
            message,
        }) => parts.summary_error = Some(message),
        Some(AppError::Field { message, .. }) if preview.problems.is_empty() => {
            preview.problems.push(message);
        }
        _ => {}
    }
    let failed = parts.summary_error.is_some() || !preview.problems.is_empty();
    let page = form_page(
        state,
        session,
        source,
        question,
        parts,
        form,
        Some(&preview),
    )?;
    let response = render(&page);
    Ok(if failed {
        form_with_errors(response)
    } else {
        response
    })
}

/// The preview step (limited per member: it runs the guide's checks), or the form again
/// after a send `error` refused.
async fn preview_or_refusal(
    state: &AppState,
    session: &Session,
    user: &SignedIn,
    (source, question): (&GuideSource, &str),
    parts: FormParts<'_>,
    form: &SuggestForm,
    error: Option<AppError>,
) -> Result<Response, WebError> {
    let preview = match error {
        None => {
            suggestions::preview_for(
                state.store(),
                source,
                &user.account,
                question,
                &form.text,
                now(),
            )
            .await?
        }
        Some(_) => suggestions::preview(source, question, &form.text)?,
    };
    redraw(
        state, session, source, question, parts, form, preview, error,
    )
}

/// `POST /guides/{guide}/{question}/suggest`: the preview step, or the suggestion sent (its
/// page next).
pub async fn create(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path((guide, question)): Path<(String, String)>,
    Form(form): Form<SuggestForm>,
) -> Result<Response, WebError> {
    let library = state.library();
    let source = source_of(&library.sources, &guide)?;
    let parts = new_parts(&guide, &question);
    if form.step == "preview" {
        let target = (&source, question.as_str());
        return preview_or_refusal(&state, &session, &user, target, parts, &form, None).await;
    }
    let sent = suggestions::suggest(
        state.store(),
        &source,
        &user.account,
        &question,
        &form.summary,
        &form.text,
        now(),
    )
    .await;
    match sent {
        Ok(id) => Ok(redirect_back(Some(&format!("/suggestions/{id}")))),
        Err(e @ AppError::Field { .. }) => {
            let target = (&source, question.as_str());
            preview_or_refusal(&state, &session, &user, target, parts, &form, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn suggestion_page(
    state: &AppState,
    session: &Session,
    id: i64,
    error: Option<String>,
) -> Result<SuggestionPage, WebError> {
    let user = reader(state, session)?;
    let account = user.as_ref().map(|u| &u.account);
    let library = state.library();
    let view = suggestions::view(state.store(), &library.sources, account, id).await?;
    let s = &view.suggestion;
    let decision = match (s.state, &s.moderator_name, s.decided_at) {
        (SuggestionState::Accepted | SuggestionState::Rejected, Some(m), Some(at)) => {
            Some(format!(
                "{m} {} it on {}",
                s.state,
                crate::interviews::time::when(at, 0).date
            ))
        }
        (SuggestionState::Withdrawn, _, Some(at)) => Some(format!(
            "Its author withdrew it on {}",
            crate::interviews::time::when(at, 0).date
        )),
        _ => None,
    };
    let row = SuggestionRow::of(&view);
    let moved = view
        .current_text
        .as_deref()
        .map(|now| diff_rows(&diff_lines(&s.base_text, now)))
        .unwrap_or_default();
    let not_exported = s.exported_at.is_none();
    Ok(SuggestionPage {
        layout: Layout::new(
            state,
            Some(session),
            format!("Suggestion {id}"),
            format!("/suggestions/{id}"),
        ),
        diff: diff_rows(&view.diff),
        current_text: view.current_text.clone(),
        moved,
        my_vote: view.my_vote,
        can_vote: view.can_vote,
        can_revise: view.can_revise,
        can_decide: view.can_decide,
        can_accept: !row.stale,
        can_rebase: view.can_rebase && row.stale && not_exported && view.current_text.is_some(),
        seen: s.updated_at,
        changed_by_other: s.reviser.is_some() && s.state == SuggestionState::Open,
        signed_out: account.is_none(),
        decision,
        comment: s.decision_comment.clone(),
        error,
        row,
    })
}

/// `GET /suggestions/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    Ok(render(&suggestion_page(&state, &session, id, None).await?))
}

/// `?state=open|accepted|rejected|withdrawn|all&mine=1&guide=…&page=N`.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    state: Option<String>,
    mine: Option<String>,
    guide: Option<String>,
    question: Option<String>,
    page: Option<i64>,
}

/// The state a list asks for: `None` for all; open when not said.
pub(crate) fn state_filter(state: Option<&str>) -> Result<Option<SuggestionState>, WebError> {
    match state {
        None | Some("") => Ok(Some(SuggestionState::Open)),
        Some("all") => Ok(None),
        Some(name) => SuggestionState::parse(name).map(Some).map_err(|_| {
            WebError::BadRequest(format!(
                "state is open, accepted, rejected, withdrawn or all, not {name:?}"
            ))
        }),
    }
}

/// `GET /suggestions`: open suggestions first; filters by state, guide and "mine".
pub async fn list(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Query(params): Query<ListParams>,
) -> Result<Response, WebError> {
    let user = reader(&state, &session)?;
    let account = user.as_ref().map(|u| &u.account);
    let wanted = state_filter(params.state.as_deref())?;
    let mine = params.mine.as_deref() == Some("1") && account.is_some();
    let page = params.page.unwrap_or(1).max(1);
    let library = state.library();
    let views = suggestions::list(
        state.store(),
        &library.sources,
        account,
        &ListQuery {
            guide: params.guide.clone().filter(|g| !g.is_empty()),
            question: params.question.clone().filter(|q| !q.is_empty()),
            state: wanted,
            mine,
            page,
        },
    )
    .await?;
    let state_name = wanted.map_or("all", SuggestionState::as_str);
    let mut filter_query = format!("state={state_name}&");
    if mine {
        filter_query.push_str("mine=1&");
    }
    for (name, value) in [("guide", &params.guide), ("question", &params.question)] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            filter_query.push_str(&format!("{name}={}&", crate::search::api::encode_query(v)));
        }
    }
    let full = views.len() as i64 >= suggestions::SUGGESTIONS_PER_PAGE;
    let states = [
        ("open", "Open"),
        ("accepted", "Accepted"),
        ("rejected", "Rejected"),
        ("withdrawn", "Withdrawn"),
        ("all", "All"),
    ]
    .into_iter()
    .map(|(value, label)| Choice {
        value: value.into(),
        label: label.into(),
        selected: value == state_name,
    })
    .collect();
    let page_view = SuggestionsPage {
        layout: Layout::new(&state, Some(&session), "Suggestions", "/suggestions"),
        heading: if mine {
            "Your suggestions".into()
        } else {
            "Suggested improvements".into()
        },
        rows: views.iter().map(SuggestionRow::of).collect(),
        states,
        mine,
        signed_in: account.is_some(),
        next: full.then(|| format!("/suggestions?{filter_query}page={}", page + 1)),
        previous: (page > 1).then(|| format!("/suggestions?{filter_query}page={}", page - 1)),
    };
    Ok(render(&page_view))
}

#[derive(Debug, Deserialize)]
pub struct VoteForm {
    value: i64,
}

/// `POST /suggestions/{id}/vote`.
pub async fn vote(
    State(state): State<AppState>,
    Account(user): Account,
    Path(id): Path<i64>,
    Form(form): Form<VoteForm>,
) -> Result<Response, WebError> {
    suggestions::vote(state.store(), &user.account, id, form.value, now()).await?;
    Ok(redirect_back(Some(&format!("/suggestions/{id}"))))
}

#[derive(Debug, Deserialize)]
pub struct DecideForm {
    verdict: String,
    #[serde(default)]
    comment: String,
    /// The suggestion's `updated_at` on the page the moderator read.
    #[serde(default)]
    seen: i64,
}

/// `POST /suggestions/{id}/decide`: a moderator accepts or rejects.
pub async fn decide(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path(id): Path<i64>,
    Form(form): Form<DecideForm>,
) -> Result<Response, WebError> {
    let verdict = verdict_of(&form.verdict)?;
    let library = state.library();
    let decided = suggestions::decide(
        state.store(),
        &library.sources,
        &user.account,
        id,
        verdict,
        &form.comment,
        form.seen,
        now(),
    )
    .await;
    match decided {
        Ok(()) => Ok(redirect_back(Some(&format!("/suggestions/{id}")))),
        Err(AppError::Field { message, .. }) => {
            let page = suggestion_page(&state, &session, id, Some(message)).await?;
            Ok(form_with_errors(render(&page)))
        }
        Err(e) => Err(e.into()),
    }
}

/// `accept` or `reject`.
pub(crate) fn verdict_of(word: &str) -> Result<Verdict, WebError> {
    match word {
        "accept" => Ok(Verdict::Accept),
        "reject" => Ok(Verdict::Reject),
        other => Err(WebError::BadRequest(format!(
            "verdict is accept or reject, not {other:?}"
        ))),
    }
}

/// `POST /suggestions/{id}/withdraw`: its author takes it back.
pub async fn withdraw(
    State(state): State<AppState>,
    Account(user): Account,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    suggestions::withdraw(state.store(), &user.account, id, now()).await?;
    Ok(redirect_back(Some(&format!("/suggestions/{id}"))))
}

/// The parts of the change form of suggestion `id` for `user`, and its first draft: the
/// author changes their text; a moderator rebases a stale one onto the question's text
/// now (merged when the two changes touch different lines).
async fn edit_setup(
    state: &AppState,
    user: &SignedIn,
    id: i64,
) -> Result<(GuideSource, String, FormParts<'static>, SuggestForm), WebError> {
    let library = state.library();
    let view = suggestions::view(state.store(), &library.sources, Some(&user.account), id).await?;
    let s = &view.suggestion;
    let rebasing = view.can_rebase && !view.can_revise;
    if !(view.can_revise || view.can_rebase) {
        return Err(WebError::Forbidden(
            "only its author (while it is open) or a moderator can change this suggestion".into(),
        ));
    }
    let source = source_of(&library.sources, &s.guide)?;
    let current = view.current_text.clone().ok_or_else(|| {
        WebError::Conflict("the guide no longer has this question: it cannot be rebased".into())
    })?;
    let (text, notice) = if view.stale {
        match rebase(&s.base_text, &s.proposed_text, &current) {
            Some(merged) => (
                merged,
                "The question changed since this suggestion was written. Its change is carried \
                 over to the new text below: check it, then save."
                    .to_owned(),
            ),
            None => (
                current.clone(),
                "The question changed since this suggestion was written, on the lines it \
                 changes. The box holds the question's new text: make the suggested change again \
                 (shown on the suggestion's page), then save."
                    .to_owned(),
            ),
        }
    } else {
        (s.proposed_text.clone(), String::new())
    };
    let draft = SuggestForm {
        summary: s.summary.clone(),
        text,
        step: String::new(),
        seen: s.updated_at,
    };
    let parts = FormParts {
        heading: if rebasing {
            format!("Rebase suggestion {id}")
        } else {
            format!("Change suggestion {id}")
        },
        action: format!("/suggestions/{id}/edit"),
        submit_label: "Save",
        notice: (!notice.is_empty()).then_some(notice),
        summary_error: None,
    };
    let question = s.question.clone();
    Ok((source, question, parts, draft))
}

/// `GET /suggestions/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (source, question, parts, draft) = edit_setup(&state, &user, id).await?;
    let page = form_page(&state, &session, &source, &question, parts, &draft, None)?;
    Ok(render(&page))
}

/// `POST /suggestions/{id}/edit`: the preview step, or the new text saved.
pub async fn edit(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path(id): Path<i64>,
    Form(form): Form<SuggestForm>,
) -> Result<Response, WebError> {
    let (source, question, mut parts, _) = edit_setup(&state, &user, id).await?;
    parts.notice = None;
    if form.step == "preview" {
        let target = (&source, question.as_str());
        return preview_or_refusal(&state, &session, &user, target, parts, &form, None).await;
    }
    let library = state.library();
    let saved = suggestions::revise(
        state.store(),
        &library.sources,
        &user.account,
        id,
        &form.summary,
        &form.text,
        form.seen,
        now(),
    )
    .await;
    match saved {
        Ok(()) => Ok(redirect_back(Some(&format!("/suggestions/{id}")))),
        Err(e @ AppError::Field { .. }) => {
            let target = (&source, question.as_str());
            preview_or_refusal(&state, &session, &user, target, parts, &form, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}
