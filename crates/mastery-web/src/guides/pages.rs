//! The home page, a guide's page (pre-rendered once, filled in per learner, kept until the
//! learner's data changes) and a question's page.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use mastery_content::{Entry, EntryKind, Guide, Level, question_path};
use mastery_storage::{LearnerId, MAX_NOTE_BYTES};
use mastery_study::GuideProgress;

use crate::access::Viewer;
use crate::error::WebError;
use crate::guides::lookup::{as_set, find_guide, mastered_in, note_of, ticked_and_mastered};
use crate::guides::page_cache::{self, FinishedPage, Freshness, Lookup, PageKey};
use crate::guides::prerender::{Fill, PageTemplate};
use crate::guides::views::{Card, GuideCard, GuidePage, HomePage, Link, QuestionPage, SectionView};
use crate::layout::{Layout, next_theme, render, theme_attr};
use crate::session::Session;
use crate::state::AppState;

pub(crate) fn card(guide: &Guide, entry: &Entry, mastered: bool) -> Card {
    let url = question_path(&guide.id, &entry.id);
    let flag = |yes: &str, no: &str| {
        if mastered {
            yes.to_owned()
        } else {
            no.to_owned()
        }
    };
    Card {
        state_class: flag(" mastered", ""),
        pressed: flag("true", "false"),
        verb: flag("Unmark", "Mark"),
        next_value: flag("false", "true"),
        id: entry.id.to_string(),
        mark_url: format!("{url}/mark"),
        url,
        title_html: entry.title_html.clone(),
        title_text: entry.title_text.clone(),
        level: entry.level().map(Level::as_str),
        tags: entry.tags.iter().map(ToString::to_string).collect(),
        answer_html: entry.answer_html.clone(),
        insight: matches!(entry.kind, EntryKind::Insight),
    }
}

/// `GET /`: every guide with the learner's progress.
pub async fn home(
    State(state): State<AppState>,
    Viewer(learner): Viewer,
    Extension(session): Extension<Session>,
) -> Result<Response, WebError> {
    let library = state.library();
    let mut mastered_per_guide = Vec::new();
    for g in &library.guides {
        mastered_per_guide.push(mastered_in(&state, learner, g.id.as_str()).await?);
    }
    let guides = library
        .guides
        .iter()
        .zip(&mastered_per_guide)
        .map(|(g, ids)| {
            let p = GuideProgress::of(g, &as_set(ids)).guide;
            GuideCard {
                url: format!("/guides/{}", g.id),
                title: g.title.clone(),
                subtitle: g.subtitle.clone().unwrap_or_default(),
                description: g.description.clone(),
                sections: g.sections.len(),
                mastered: p.mastered,
                total: p.total,
                percent: p.percent(),
            }
        })
        .collect();
    Ok(render(&HomePage {
        layout: Layout::new(&state, Some(&session), "Guides", "/"),
        guides,
    }))
}

/// The guide page with nobody's state, ready to be split into a [`PageTemplate`].
pub(crate) fn guide_page_view(state: &AppState, guide: &Guide) -> GuidePage {
    let sections = guide
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| SectionView {
            number: i + 1,
            id: s.id.to_string(),
            title: s.title.clone(),
            intro_html: s.intro_html.clone().unwrap_or_default(),
            mastered: String::new(),
            total: s.questions().count(),
            percent: String::new(),
            cards: s.entries.iter().map(|e| card(guide, e, false)).collect(),
        })
        .collect();
    GuidePage {
        layout: Layout::new(
            state,
            None,
            guide.title.clone(),
            format!("/guides/{}", guide.id),
        ),
        id: guide.id.to_string(),
        title: guide.title.clone(),
        subtitle: guide.subtitle.clone().unwrap_or_default(),
        description: guide.description.clone(),
        intro_html: guide.intro_html.clone().unwrap_or_default(),
        mastered: String::new(),
        total: guide.questions().count(),
        percent: String::new(),
        sections,
    }
}

/// `GET /guides/{guide}`: the whole guide, sections with progress, each question a card.
/// The page is rendered once per guide ([`PageTemplate`]); a request fills in the
/// learner's marks, progress, CSRF token and theme, and the finished page is kept until
/// the learner's data changes ([`crate::page_cache`]).
/// `GET /guides/{guide}/anki.apkg`: the guide as an Anki package ("Download for Anki"),
/// the same file as `mastery export anki GUIDE`, without any learner's data.
pub async fn anki_package(
    State(state): State<AppState>,
    Viewer(_learner): Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
    use axum::response::IntoResponse as _;

    let library = state.library();
    let guide = find_guide(&library, &id)?;
    let bytes = library
        .anki_package(&guide, crate::state::now())
        .await
        .map_err(|e| WebError::Internal(anyhow::anyhow!("cannot write the Anki package: {e}")))?;
    Ok((
        [
            (CONTENT_TYPE, "application/zip".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.apkg\"", guide.id.as_str()),
            ),
        ],
        bytes.to_vec(),
    )
        .into_response())
}

pub async fn guide(
    State(state): State<AppState>,
    Viewer(learner): Viewer,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let library = state.library();
    let guide = find_guide(&library, &id)?;
    let theme = session.theme;
    let csrf = crate::session::stably_masked(state.csrf_key(), &session.csrf);
    let header = crate::layout::account_nav(Some(&session), &csrf);
    let key = PageKey {
        guide: id.clone(),
        learner: learner.map_or(0, |l| l.0),
        csrf: session.csrf.clone(),
        theme,
        header,
        gzip: page_cache::takes_gzip(&headers),
    };
    // Read before the learner's data: a page kept under it is never older than it says.
    let freshness = freshness(&state, &session, learner).await?;
    if let Some(freshness) = freshness
        && let Lookup::Page(page) = library.finished.get(&key, freshness)
    {
        return Ok(page_cache::respond(page, &headers).await);
    }
    let template = library
        .page(&id, || {
            let mut page = guide_page_view(&state, &guide);
            // A fresh nonce per render: guide text cannot forge a placeholder.
            let nonce = crate::session::random_hex(12).ok()?;
            PageTemplate::prepare(&mut page, &nonce);
            match page.render() {
                Ok(html) => Some(PageTemplate::split(&html, &nonce)),
                Err(e) => {
                    tracing::error!(error = %e, guide = %id, "cannot render the guide page");
                    None
                }
            }
        })
        .ok_or_else(|| {
            WebError::Internal(anyhow::anyhow!("the guide page could not be rendered"))
        })?;
    let (ticked_ids, mastered_ids) = ticked_and_mastered(&state, learner, &id).await?;
    let set = as_set(&mastered_ids);
    let progress = GuideProgress::of(&guide, &set);
    let mastered: Vec<bool> = guide
        .entries()
        .map(|e| ticked_ids.contains(e.id.as_str()))
        .collect();
    let sections: Vec<(usize, usize)> = progress
        .sections
        .iter()
        .map(|s| (s.progress.mastered, s.progress.percent()))
        .collect();
    let fill = Fill {
        theme_attr: &theme_attr(theme),
        next_theme: next_theme(theme),
        csrf: &csrf,
        account_nav: &key.header,
        mastered: &mastered,
        sections: &sections,
        guide: (progress.guide.mastered, progress.guide.percent()),
    };
    // Browsers take gzip: their page is made gzipped, without the HTML.
    let mut page = Arc::new(if key.gzip {
        FinishedPage::gzipped(template.gzip(&fill))
    } else {
        FinishedPage::new(template.fill(&fill))
    });
    // A request without a session cookie (a crawler, a probe, a first visit) has a session
    // nobody may come back with: keeping its page would only push out the pages of real
    // browser sessions.
    if let Some(freshness) = freshness
        && !session.fresh
    {
        page = library.finished.put(key, freshness, page);
    }
    Ok(page_cache::respond(page, &headers).await)
}

/// What a kept guide page of this request is checked against ([`Freshness`]), read
/// before the learner's data: the data revision read with the session (no query), else
/// the store's own count of commits (personal mode on SQLite, no query), else the data
/// revision (one indexed query); `None` keeps nothing (nobody signed in, an unknown
/// learner).
async fn freshness(
    state: &AppState,
    session: &Session,
    learner: Option<LearnerId>,
) -> Result<Option<Freshness>, WebError> {
    let Some(learner) = learner else {
        // A page for nobody signed in is not kept: anyone can make up a new session
        // cookie per request, and such pages would push out learners' pages (making one
        // is copies anyway).
        return Ok(None);
    };
    if let Some(user) = &session.user
        && user.account.learner == learner
        && let Some(revision) = user.data_revision
    {
        return Ok(Some(Freshness::Revision(revision)));
    }
    if let Some(generation) = state.store().local_write_generation() {
        return Ok(Some(Freshness::LocalWrites(generation)));
    }
    Ok(mastery_app::marks::data_revision(state.store(), learner)
        .await?
        .map(Freshness::Revision))
}

/// `GET /guides/{guide}/{question}`: one question with its key points, references,
/// follow-ups, neighbours and the learner's note.
pub async fn question(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path((guide_id, question_id)): Path<(String, String)>,
    Query(discussion): Query<crate::community::pages::DiscussionQuery>,
) -> Result<Response, WebError> {
    let block = crate::community::pages::discussion_block(
        &state,
        &session,
        &guide_id,
        &question_id,
        &discussion,
        None,
    );
    question_page(&state, &session, &guide_id, &question_id, block).await
}

/// A question's page, with its discussion (multi-user mode) as `discussion` reads it, at the
/// same time as the page's own reads.
pub(crate) async fn question_page(
    state: &AppState,
    session: &Session,
    guide_id: &str,
    question_id: &str,
    discussion: impl Future<Output = Result<Option<crate::community::views::DiscussionBlock>, WebError>>,
) -> Result<Response, WebError> {
    let state = state.clone();
    let session = session.clone();
    let (guide_id, question_id) = (guide_id.to_string(), question_id.to_string());
    let learner = state.personal_learner().or_else(|| session.learner());
    let library = state.library();
    let guide = find_guide(&library, &guide_id)?;
    // Unknown ids get the message every front end uses.
    mastery_app::guides::find_entry(&guide, &question_id)?;
    let entries: Vec<(usize, &Entry)> = guide
        .sections
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.entries.iter().map(move |e| (i, e)))
        .collect();
    let position = entries
        .iter()
        .position(|(_, e)| e.id.as_str() == question_id)
        .ok_or_else(|| WebError::NotFound(format!("no question `{question_id}`")))?;
    let (section_index, entry) = entries[position];
    let section = &guide.sections[section_index];
    let (mastered, note, discussion) = tokio::try_join!(
        async {
            match learner {
                Some(learner) => Ok(mastery_app::marks::is_ticked(
                    state.store(),
                    learner,
                    &guide_id,
                    &question_id,
                )
                .await?),
                None => Ok(false),
            }
        },
        note_of(&state, learner, &guide_id, &question_id),
        discussion,
    )?;
    let link = |e: &Entry| Link {
        url: question_path(&guide.id, &e.id),
        title: e.title_text.clone(),
    };
    let page = QuestionPage {
        layout: Layout::new(
            &state,
            Some(&session),
            entry.title_text.clone(),
            question_path(&guide.id, &entry.id),
        ),
        guide_url: format!("/guides/{}", guide.id),
        guide_title: guide.title.clone(),
        section_number: section_index + 1,
        section_title: section.title.clone(),
        section_url: format!("/guides/{}#{}", guide.id, section.id),
        card: card(&guide, entry, mastered),
        key_points: entry.key_points.iter().map(|k| k.html.clone()).collect(),
        references: Link::references(entry),
        follow_ups: entry
            .follow_ups
            .iter()
            .filter_map(|id| guide.entry(id.as_str()))
            .map(link)
            .collect(),
        prev: position
            .checked_sub(1)
            .and_then(|p| entries.get(p))
            .map(|(_, e)| link(e)),
        next: entries.get(position + 1).map(|(_, e)| link(e)),
        note_html: note
            .as_ref()
            .map(|n| crate::guides::notes::render_markdown(&n.body))
            .unwrap_or_default(),
        note_body: note.map(|n| n.body).unwrap_or_default(),
        note_url: format!("{}/note", question_path(&guide.id, &entry.id)),
        note_limit: MAX_NOTE_BYTES,
        signed_out: learner.is_none(),
        sign_in_next: question_path(&guide.id, &entry.id),
        discussion,
    };
    Ok(render(&page))
}
