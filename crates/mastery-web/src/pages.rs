//! HTML pages and their form posts. Every page works without JavaScript: forms post, the
//! server answers with a 303 back to the page.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use askama::Template as _;
use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::http::header::{HeaderValue, SET_COOKIE};
use axum::response::Response;
use mastery_content::search::Query as SearchQuery;
use mastery_content::{Entry, EntryKind, Guide, Level, question_path};
use mastery_storage::{MAX_NOTE_BYTES, QuestionKey};
use mastery_study::{GuideProgress, orphaned};
use serde::Deserialize;

use crate::error::WebError;
use crate::library::Library;
use crate::page_cache::{self, FinishedPage, Lookup, PageKey};
use crate::prerender::{Fill, PageTemplate};
use crate::security::{Session, THEME_COOKIE, redirect_back};
use crate::views::{
    Card, Choice, GuideCard, GuidePage, HomePage, Layout, Link, Orphan, QuestionPage, ResultView,
    SearchPage, SectionView, SettingsPage, next_theme, render, theme_attr,
};
use crate::{AppState, now};

/// The ids of the questions the learner has mastered in one guide: ticked by hand, or
/// remembered reliably in study (`mastery_app::date_plan::mastered`, the one definition).
pub(crate) async fn mastered_in(
    state: &AppState,
    guide: &str,
) -> Result<HashSet<String>, WebError> {
    Ok(
        mastery_app::date_plan::mastered(state.store(), state.learner(), guide)
            .await?
            .1,
    )
}

/// (ticked by hand, mastered) for one guide: the check buttons show the first, progress
/// counts the second.
pub(crate) async fn ticked_and_mastered(
    state: &AppState,
    guide: &str,
) -> Result<(HashSet<String>, HashSet<String>), WebError> {
    Ok(mastery_app::date_plan::mastered(state.store(), state.learner(), guide).await?)
}

fn as_set(ids: &HashSet<String>) -> HashSet<&str> {
    ids.iter().map(String::as_str).collect()
}

pub(crate) fn find_guide(library: &Library, id: &str) -> Result<Arc<Guide>, WebError> {
    library
        .guide(id)
        .cloned()
        .ok_or_else(|| WebError::NotFound(format!("there is no guide `{id}`")))
}

fn not_found_question(guide: &Guide, id: &str) -> WebError {
    WebError::NotFound(format!(
        "the guide “{}” has no question `{id}`",
        guide.title
    ))
}

fn card(guide: &Guide, entry: &Entry, mastered: bool) -> Card {
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
    Extension(session): Extension<Session>,
) -> Result<Response, WebError> {
    let library = state.library();
    let mut mastered_per_guide = Vec::new();
    for g in &library.guides {
        mastered_per_guide.push(mastered_in(&state, g.id.as_str()).await?);
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
fn guide_page_view(state: &AppState, guide: &Guide) -> GuidePage {
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
pub async fn guide(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let library = state.library();
    let guide = find_guide(&library, &id)?;
    let key = PageKey {
        guide: id.clone(),
        learner: state.learner().0,
        csrf: session.csrf.clone(),
        theme: session.theme,
    };
    // Read before the learner's data: a page kept under it is never older than it says.
    let generation = state.store().local_write_generation();
    if let Some(generation) = generation
        && let Lookup::Page(page) = library.finished.get(&key, generation)
    {
        return Ok(page_cache::respond(page, &headers).await);
    }
    let template = library
        .page(&id, || {
            let mut page = guide_page_view(&state, &guide);
            // A fresh nonce per render: guide text cannot forge a placeholder.
            let nonce = crate::security::random_hex(12).ok()?;
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
    let (ticked_ids, mastered_ids) = ticked_and_mastered(&state, &id).await?;
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
    let theme = session.theme;
    let html = template.fill(&Fill {
        theme_attr: &theme_attr(theme),
        next_theme: next_theme(theme),
        csrf: &session.csrf,
        mastered: &mastered,
        sections: &sections,
        guide: (progress.guide.mastered, progress.guide.percent()),
    });
    let mut page = Arc::new(FinishedPage::new(html));
    // A request without a session cookie (a crawler, a probe, a first visit) has a session
    // nobody may come back with: keeping its page would only push out the pages of real
    // browser sessions.
    if let Some(generation) = generation
        && !session.fresh
    {
        page = library.finished.put(key, generation, page);
    }
    Ok(page_cache::respond(page, &headers).await)
}

/// `GET /guides/{guide}/{question}`: one question with its key points, references,
/// follow-ups, neighbours and the learner's note.
pub async fn question(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path((guide_id, question_id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let library = state.library();
    let guide = find_guide(&library, &guide_id)?;
    let entries: Vec<(usize, &Entry)> = guide
        .sections
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.entries.iter().map(move |e| (i, e)))
        .collect();
    let position = entries
        .iter()
        .position(|(_, e)| e.id.as_str() == question_id)
        .ok_or_else(|| not_found_question(&guide, &question_id))?;
    let (section_index, entry) = entries[position];
    let section = &guide.sections[section_index];
    let key = QuestionKey::new(guide_id.as_str(), question_id.as_str());
    let mastered = ticked_and_mastered(&state, &guide_id)
        .await?
        .0
        .contains(&question_id);
    let note = state.store().note(state.learner(), &key).await?;
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
        references: entry
            .references
            .iter()
            .map(|r| Link {
                url: r.url.clone(),
                title: r.title.clone(),
            })
            .collect(),
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
            .map(|n| crate::notes::render(&n.body))
            .unwrap_or_default(),
        note_body: note.map(|n| n.body).unwrap_or_default(),
        note_url: format!("{}/note", question_path(&guide.id, &entry.id)),
        note_limit: MAX_NOTE_BYTES,
    };
    Ok(render(&page))
}

/// The checked (guide, question) of a request: the question must exist and be a question.
pub(crate) fn question_key(
    library: &Library,
    guide: &str,
    question: &str,
) -> Result<QuestionKey, WebError> {
    let g = find_guide(library, guide)?;
    match g.entry(question) {
        Some(e) if e.level().is_some() => Ok(QuestionKey::new(guide, question)),
        Some(_) => Err(WebError::BadRequest(format!(
            "`{question}` is an insight, not a question: it cannot be marked"
        ))),
        None => Err(not_found_question(&g, question)),
    }
}

#[derive(Debug, Deserialize)]
pub struct MarkForm {
    mastered: bool,
    back: Option<String>,
}

/// `POST /guides/{guide}/{question}/mark`: tick or untick, then back to the page (`back`,
/// or the question's card on the guide page, whose forms leave `back` out).
pub async fn mark(
    State(state): State<AppState>,
    Path((guide, question)): Path<(String, String)>,
    Form(form): Form<MarkForm>,
) -> Result<Response, WebError> {
    let key = question_key(&state.library(), &guide, &question)?;
    state
        .store()
        .set_mark(state.learner(), &key, form.mastered, now())
        .await?;
    let card = format!("/guides/{}#{}", key.guide, key.question);
    Ok(redirect_back(Some(form.back.as_deref().unwrap_or(&card))))
}

#[derive(Debug, Deserialize)]
pub struct NoteForm {
    body: String,
}

/// `POST /guides/{guide}/{question}/note`: save the note, then back to the question.
pub async fn note(
    State(state): State<AppState>,
    Path((guide, question)): Path<(String, String)>,
    Form(form): Form<NoteForm>,
) -> Result<Response, WebError> {
    let library = state.library();
    let g = find_guide(&library, &guide)?;
    let entry = g
        .entry(&question)
        .ok_or_else(|| not_found_question(&g, &question))?;
    if form.body.len() > MAX_NOTE_BYTES {
        return Err(WebError::PayloadTooLarge(MAX_NOTE_BYTES / 1024));
    }
    let key = QuestionKey::new(guide.as_str(), question.as_str());
    state
        .store()
        .save_note(state.learner(), &key, &form.body, now())
        .await?;
    Ok(redirect_back(Some(&format!(
        "{}#note-title",
        question_path(&g.id, &entry.id)
    ))))
}

/// The query string of the search page and API.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct SearchParams {
    /// Words to find (titles, answers, code, tags); the last word also matches as a prefix.
    #[serde(default)]
    pub q: String,
    /// Only this guide id.
    pub guide: Option<String>,
    /// Only this section id.
    pub section: Option<String>,
    /// Only this level: junior, confirmed or senior.
    pub level: Option<String>,
    /// Only questions with this tag.
    pub tag: Option<String>,
    /// `mastered` or `todo`.
    pub status: Option<String>,
}

fn non_empty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A search result with what the page and the API show.
pub(crate) struct Found {
    pub guide: Arc<Guide>,
    pub section: usize,
    pub entry: usize,
    pub title_html: String,
    pub snippet_html: String,
    pub mastered: bool,
}

/// Runs a search with the learner's mastered filter. Shared by the page and the API.
pub(crate) async fn run_search(
    state: &AppState,
    params: &SearchParams,
) -> Result<Vec<Found>, WebError> {
    let level = match non_empty(&params.level) {
        Some(l) => Some(Level::parse(&l).ok_or_else(|| {
            WebError::BadRequest(format!(
                "unknown level `{l}`: use junior, confirmed or senior"
            ))
        })?),
        None => None,
    };
    let status = non_empty(&params.status);
    if let Some(s) = status.as_deref()
        && s != "mastered"
        && s != "todo"
    {
        return Err(WebError::BadRequest(format!(
            "unknown status `{s}`: use mastered or todo"
        )));
    }
    let library = state.library();
    let query = SearchQuery {
        text: params.q.chars().take(200).collect(),
        guide: non_empty(&params.guide),
        section: non_empty(&params.section),
        level,
        tag: non_empty(&params.tag),
    };
    // "Mastered" as everywhere: ticked by hand, or stable in study.
    let mut marks: HashSet<(String, String)> = HashSet::new();
    for g in &library.guides {
        for q in mastered_in(state, g.id.as_str()).await? {
            marks.insert((g.id.to_string(), q));
        }
    }
    let mut out = Vec::new();
    for hit in library.search.search(&query).into_iter().take(100) {
        let Some(guide) = library.search.guides().get(hit.at.guide) else {
            continue;
        };
        let Some(entry) = library.search.entry(hit.at) else {
            continue;
        };
        let mastered = marks.contains(&(guide.id.to_string(), entry.id.to_string()));
        let keep = match status.as_deref() {
            Some("mastered") => mastered,
            Some("todo") => !mastered && entry.level().is_some(),
            _ => true,
        };
        if keep {
            out.push(Found {
                guide: Arc::clone(guide),
                section: hit.at.section,
                entry: hit.at.entry,
                title_html: hit.title_html,
                snippet_html: hit.snippet_html,
                mastered,
            });
        }
    }
    Ok(out)
}

fn choices(
    selected: Option<&str>,
    any: &str,
    options: impl IntoIterator<Item = (String, String)>,
) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: any.to_owned(),
        selected: selected.is_none(),
    }];
    out.extend(options.into_iter().map(|(value, label)| Choice {
        selected: selected == Some(value.as_str()),
        value,
        label,
    }));
    out
}

/// `GET /search?q=...`: results with highlighted words and filters, as a shareable page.
pub async fn search(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Query(params): Query<SearchParams>,
) -> Result<Response, WebError> {
    let library = state.library();
    let guide_filter = non_empty(&params.guide);
    let searched = !params.q.trim().is_empty()
        || [
            &params.guide,
            &params.section,
            &params.level,
            &params.tag,
            &params.status,
        ]
        .iter()
        .any(|v| non_empty(v).is_some());
    let found = if searched {
        run_search(&state, &params).await?
    } else {
        Vec::new()
    };
    let results = found
        .iter()
        .filter_map(|f| {
            let section = f.guide.sections.get(f.section)?;
            let entry = section.entries.get(f.entry)?;
            Some(ResultView {
                url: question_path(&f.guide.id, &entry.id),
                title_html: f.title_html.clone(),
                snippet_html: f.snippet_html.clone(),
                guide_title: f.guide.title.clone(),
                section_title: section.title.clone(),
                level: entry.level().map(Level::as_str),
                mastered: f.mastered,
            })
        })
        .collect();
    let scoped: Vec<&Arc<Guide>> = library
        .guides
        .iter()
        .filter(|g| guide_filter.as_deref().is_none_or(|id| g.id.as_str() == id))
        .collect();
    let tags: BTreeSet<String> = scoped
        .iter()
        .flat_map(|g| g.entries())
        .flat_map(|e| e.tags.iter().map(ToString::to_string))
        .collect();
    let mut layout = Layout::new(&state, Some(&session), "Search", "/search");
    layout.query = params.q.clone();
    let page = SearchPage {
        layout,
        query: params.q.clone(),
        guides: choices(
            guide_filter.as_deref(),
            "All guides",
            library
                .guides
                .iter()
                .map(|g| (g.id.to_string(), g.title.clone())),
        ),
        sections: choices(
            non_empty(&params.section).as_deref(),
            "All sections",
            scoped.iter().flat_map(|g| {
                g.sections
                    .iter()
                    .map(|s| (s.id.to_string(), s.title.clone()))
            }),
        ),
        levels: choices(
            non_empty(&params.level).as_deref(),
            "All levels",
            Level::ALL
                .iter()
                .map(|l| (l.as_str().to_owned(), l.as_str().to_owned())),
        ),
        tags: choices(
            non_empty(&params.tag).as_deref(),
            "All tags",
            tags.into_iter().map(|t| (t.clone(), t)),
        ),
        statuses: choices(
            non_empty(&params.status).as_deref(),
            "Any status",
            [
                ("todo".to_owned(), "Not mastered yet".to_owned()),
                ("mastered".to_owned(), "Mastered".to_owned()),
            ],
        ),
        results,
        searched,
    };
    Ok(render(&page))
}

/// `GET /settings`.
pub async fn settings(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
) -> Result<Response, WebError> {
    let library = state.library();
    let marks = state.store().marks(state.learner()).await?;
    let notes = state.store().notes(state.learner()).await?;
    let mut orphans = Vec::new();
    let mut keys: BTreeSet<(String, String)> = marks
        .iter()
        .map(|m| (m.key.guide.clone(), m.key.question.clone()))
        .collect();
    keys.extend(
        notes
            .iter()
            .map(|n| (n.key.guide.clone(), n.key.question.clone())),
    );
    let guides_with_state: BTreeSet<&str> = keys.iter().map(|(g, _)| g.as_str()).collect();
    for guide_id in guides_with_state {
        let ids = keys
            .iter()
            .filter(|(g, _)| g == guide_id)
            .map(|(_, q)| q.as_str());
        // A guide that is not loaded at all is not "lost": its state waits for it.
        let Some(guide) = library.guide(guide_id) else {
            continue;
        };
        for q in orphaned(guide, ids) {
            let marked = marks
                .iter()
                .any(|m| m.key.guide == guide_id && m.key.question == q);
            let noted = notes
                .iter()
                .any(|n| n.key.guide == guide_id && n.key.question == q);
            let what = match (marked, noted) {
                (true, true) => "mark and note",
                (true, false) => "mark",
                _ => "note",
            };
            orphans.push(Orphan {
                guide: guide_id.to_owned(),
                question: q.to_owned(),
                what: what.to_owned(),
            });
        }
    }
    let current = session.theme.unwrap_or("system");
    let study = crate::plan::settings_view(&state).await?;
    let page = SettingsPage {
        study,
        layout: Layout::new(&state, Some(&session), "Settings", "/settings"),
        theme_choices: [
            ("system", "Follow the system"),
            ("light", "Light"),
            ("dark", "Dark"),
        ]
        .into_iter()
        .map(|(v, l)| Choice {
            value: v.to_owned(),
            label: l.to_owned(),
            selected: v == current,
        })
        .collect(),
        database: state.settings().database_label.clone(),
        orphans,
        guides: library
            .guides
            .iter()
            .map(|g| Link {
                url: format!("/guides/{}", g.id),
                title: g.title.clone(),
            })
            .collect(),
    };
    Ok(render(&page))
}

#[derive(Debug, Deserialize)]
pub struct ThemeForm {
    theme: String,
    back: Option<String>,
}

/// `POST /settings/theme`: remembered in a cookie for a year (`system` clears it).
pub async fn theme(
    State(state): State<AppState>,
    Form(form): Form<ThemeForm>,
) -> Result<Response, WebError> {
    let cookie = match form.theme.as_str() {
        "light" | "dark" => format!(
            "{THEME_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{}",
            form.theme,
            state.cookie_suffix()
        ),
        "system" => format!(
            "{THEME_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax{}",
            state.cookie_suffix()
        ),
        other => {
            return Err(WebError::BadRequest(format!(
                "unknown theme `{other}`: use light, dark or system"
            )));
        }
    };
    let mut response = redirect_back(form.back.as_deref());
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, v);
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct ForgetForm {
    guide: String,
    question: String,
}

/// `POST /settings/forget`: delete the mark and note of a question the guide lost.
pub async fn forget(
    State(state): State<AppState>,
    Form(form): Form<ForgetForm>,
) -> Result<Response, WebError> {
    let library = state.library();
    if library
        .guide(&form.guide)
        .and_then(|g| g.entry(&form.question))
        .is_some()
    {
        return Err(WebError::BadRequest(
            "this question is still in its guide: untick it on its page instead".into(),
        ));
    }
    state
        .store()
        .forget(
            state.learner(),
            &QuestionKey::new(form.guide, form.question),
        )
        .await?;
    Ok(redirect_back(Some("/settings")))
}
