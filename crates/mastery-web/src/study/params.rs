//! What the study page and the study API share: the filter of a session (guide, levels,
//! sections) and the time a learner took on a card.

use mastery_app::study::Filter;
use mastery_content::Level;
use serde::Deserialize;

use crate::error::WebError;
use crate::search::query::chosen;

/// The filters of a study session, as query parameters.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct StudyParams {
    /// Only this guide id.
    pub guide: Option<String>,
    /// Only this section id.
    pub section: Option<String>,
    /// Only this level: junior, confirmed or senior.
    #[param(schema_with = crate::openapi::schemas::level_filter)]
    pub level: Option<String>,
    /// Only questions with this tag.
    pub tag: Option<String>,
}

impl StudyParams {
    pub(crate) fn filter(&self) -> Result<Filter, WebError> {
        let some = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let levels = match chosen(&self.level) {
            Some(l) => vec![Level::parse(l).ok_or_else(|| {
                WebError::BadRequest(format!(
                    "unknown level `{l}`: use junior, confirmed or senior"
                ))
            })?],
            None => Vec::new(),
        };
        Ok(Filter {
            guide: some(&self.guide),
            sections: some(&self.section).into_iter().collect(),
            levels,
            tags: some(&self.tag).into_iter().collect(),
        })
    }

    /// The query string that keeps these filters (`?guide=…&level=…`).
    pub(crate) fn query(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("guide", &self.guide),
            ("section", &self.section),
            ("level", &self.level),
            ("tag", &self.tag),
        ] {
            if let Some(v) = v.as_deref().filter(|v| {
                !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            }) {
                parts.push(format!("{k}={v}"));
            }
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// Time spent on a card, from when the page showed it (capped at an hour).
pub(crate) fn time_spent(shown_at: Option<i64>, now: i64) -> u32 {
    shown_at.map_or(0, |s| {
        u32::try_from(now.saturating_sub(s).clamp(0, 3_600_000)).unwrap_or(0)
    })
}
