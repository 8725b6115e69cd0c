//! One search, shared by the page and the API: the query string, the filters and the
//! ranked hits.

use std::collections::HashSet;
use std::sync::Arc;

use mastery_content::search::Query as SearchQuery;
use mastery_content::{Guide, Level};
use serde::Deserialize;

use crate::error::WebError;
use crate::guides::lookup::mastered_in;
use crate::layout::Choice;
use crate::state::AppState;

/// The query string of the search page and API.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct SearchParams {
    /// Words to find (titles, answers, code, tags); the last word also matches as a prefix.
    /// Only the first 200 characters are used.
    #[serde(default)]
    pub q: String,
    /// Only this guide id.
    pub guide: Option<String>,
    /// Only this section id.
    pub section: Option<String>,
    /// Only this level: junior, confirmed or senior.
    #[param(schema_with = crate::openapi::schemas::level_filter)]
    pub level: Option<String>,
    /// Only questions with this tag.
    pub tag: Option<String>,
    /// `mastered` or `todo` (empty: both).
    #[param(schema_with = status_filter)]
    pub status: Option<String>,
}

/// The `status` filter: `mastered`, `todo`, or empty for both.
fn status_filter() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(["", "mastered", "todo"]))
        .description(Some(
            "Only `mastered` or only `todo` questions (empty: both)",
        ))
        .into()
}

/// A free-text filter: trimmed, empty means none.
pub(crate) fn non_empty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A filter with a fixed set of values (a level, a status): exactly as sent, empty means
/// none. The values are the document's enum, so nothing is trimmed.
pub(crate) fn chosen(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
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
    learner: Option<mastery_storage::LearnerId>,
    params: &SearchParams,
) -> Result<Vec<Found>, WebError> {
    let level = match chosen(&params.level) {
        Some(l) => Some(Level::parse(l).ok_or_else(|| {
            WebError::BadRequest(format!(
                "unknown level `{l}`: use junior, confirmed or senior"
            ))
        })?),
        None => None,
    };
    let status = chosen(&params.status);
    if let Some(s) = status
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
        for q in mastered_in(state, learner, g.id.as_str()).await? {
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
        let keep = match status {
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

pub(crate) fn choices(
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
