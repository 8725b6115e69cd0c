//! One search, shared by the page and the API: the query string, the filters and the
//! ranked hits.

use std::collections::HashSet;
use std::sync::Arc;

use mastery_content::search::{EntryRef, Is, Query as SearchQuery};
use mastery_content::{Entry, Guide, Level};
use mastery_storage::QuestionKey;
use serde::Deserialize;

use crate::error::WebError;
use crate::guides::lookup::mastered_in;
use crate::layout::Choice;
use crate::state::{AppState, now};

/// The query string of the search page and API.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct SearchParams {
    /// Words to find in titles, answers, key points, code and tags; the last word also
    /// matches as a prefix, and words of 5 letters or more tolerate a typo (9 or more, two).
    /// The query language: `"a phrase"`, `-word` (without), `tag:NAME`, `level:LEVEL`,
    /// `section:ID`, `guide:ID`, `is:mastered`, `is:todo`, `is:due`. Only the first 200
    /// characters are used.
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
    /// How many results to return, best first: 1 to 100 (default 100). The count in
    /// `X-Total-Count` is the same whatever the limit; search as you type asks for the few
    /// it shows, so that only those are formatted and sent.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
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

/// A search's results, with what the page says about them.
pub(crate) struct Outcome {
    /// At most the limit asked for ([`MAX_RESULTS`] by default), best first.
    pub found: Vec<Found>,
    /// How many matched in all.
    pub total: usize,
    /// A corrected query when nothing matched.
    pub did_you_mean: Option<String>,
    /// Parts of the query that were not understood.
    pub problems: Vec<String>,
}

/// The most results a search returns (and how many it returns without a `limit`).
pub(crate) const MAX_RESULTS: usize = 100;

/// Runs a search with the learner's filters (`status`, `is:`). Shared by the page and the
/// API.
pub(crate) async fn run_search(
    state: &AppState,
    learner: Option<mastery_storage::LearnerId>,
    params: &SearchParams,
) -> Result<Outcome, WebError> {
    let level = match chosen(&params.level) {
        Some(l) => Some(Level::parse(l).ok_or_else(|| {
            WebError::BadRequest(format!(
                "unknown level `{l}`: use junior, confirmed or senior"
            ))
        })?),
        None => None,
    };
    let limit = match params.limit {
        None => MAX_RESULTS,
        Some(n) if (1..=MAX_RESULTS).contains(&n) => n,
        Some(n) => {
            return Err(WebError::BadRequest(format!(
                "limit {n} is out of range: ask for 1 to {MAX_RESULTS} results"
            )));
        }
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
    let parsed = mastery_content::search::parse(&query.text);
    let wants = |is: Is| parsed.is.contains(&is);
    // "Mastered" as everywhere: ticked by hand, or stable in study. By guide, in the
    // index's order; read from the database only for a guide it is needed for.
    let guides = library.search.guides();
    // Most searches filter on nothing the learner did: then no entry is looked up, and
    // the marks are read afterwards for the guides of the results only (none when nothing
    // matched: a search as you type that finds nothing reads nothing).
    let by_learner = status.is_some() || wants(Is::Mastered) || wants(Is::Todo) || wants(Is::Due);
    let mut marks: Vec<Option<HashSet<String>>> = vec![None; guides.len()];
    if by_learner {
        for (slot, g) in marks.iter_mut().zip(guides) {
            *slot = Some(mastered_in(state, learner, g.id.as_str()).await?);
        }
    }
    let due: HashSet<QuestionKey> = match learner {
        Some(l) if wants(Is::Due) => mastery_app::study::due_keys(state.store(), l, now()).await?,
        _ => HashSet::new(),
    };
    let mastered_of = |marks: &[Option<HashSet<String>>], at: EntryRef, entry: &Entry| {
        marks
            .get(at.guide)
            .and_then(Option::as_ref)
            .is_some_and(|m| m.contains(entry.id.as_str()))
    };
    let results = library.search.search_with(&query, limit, |at, entry| {
        if !by_learner {
            return true;
        }
        let mastered = mastered_of(&marks, at, entry);
        let todo = !mastered && entry.level().is_some();
        let is_due = || {
            guides
                .get(at.guide)
                .is_some_and(|g| due.contains(&QuestionKey::new(g.id.as_str(), entry.id.as_str())))
        };
        (match status {
            Some("mastered") => mastered,
            Some("todo") => todo,
            _ => true,
        }) && (!wants(Is::Mastered) || mastered)
            && (!wants(Is::Todo) || todo)
            && (!wants(Is::Due) || is_due())
    });
    if learner.is_some() {
        for hit in &results.hits {
            if let (Some(slot @ None), Some(g)) =
                (marks.get_mut(hit.at.guide), guides.get(hit.at.guide))
            {
                *slot = Some(mastered_in(state, learner, g.id.as_str()).await?);
            }
        }
    }
    let found = results
        .hits
        .into_iter()
        .filter_map(|hit| {
            let guide = guides.get(hit.at.guide)?;
            let entry = library.search.entry(hit.at)?;
            Some(Found {
                guide: Arc::clone(guide),
                section: hit.at.section,
                entry: hit.at.entry,
                mastered: mastered_of(&marks, hit.at, entry),
                title_html: hit.title_html,
                snippet_html: hit.snippet_html,
            })
        })
        .collect();
    let mut problems = results.parsed.problems;
    if wants(Is::Due) && learner.is_none() {
        problems.push("is:due needs you to sign in".into());
    }
    Ok(Outcome {
        found,
        total: results.total,
        did_you_mean: results.did_you_mean,
        problems,
    })
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
