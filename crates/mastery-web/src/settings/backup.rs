//! The settings page's backup: download the learner's data as the JSON document of
//! `docs/your-data.md`, and restore one with a plain form upload (no JavaScript needed).
//! The merge rules are `mastery_app::learner_data::restore`'s, as for `mastery learner
//! import`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use axum::response::Response;
use mastery_app::learner_data::{self, restore};

use crate::access::Learner;
use crate::download::json_attachment;
use crate::error::WebError;
use crate::multipart;
use crate::security::redirect_back;
use crate::state::{AppState, now};

/// `GET /settings/data.json`: the learner's data, downloaded.
pub async fn download(
    State(state): State<AppState>,
    Learner(learner): Learner,
) -> Result<Response, WebError> {
    let data = learner_data::export(state.store(), learner, now()).await?;
    json_attachment(&data, "mastery-backup.json")
}

/// `POST /settings/data`: restores a backup sent by the form (`multipart/form-data` with
/// the fields `csrf`, `file` and, when ticked, `overwrite`), then back to the settings
/// page with what it did.
pub async fn upload(
    State(state): State<AppState>,
    Learner(learner): Learner,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = multipart::boundary(content_type).ok_or_else(|| {
        WebError::UnsupportedMediaType(
            "send the backup with the settings page's form (multipart/form-data with a `file` field)"
                .into(),
        )
    })?;
    let parts =
        multipart::parse(&body, &boundary).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let file = parts
        .iter()
        .find(|p| p.name == "file" && !p.data.is_empty())
        .ok_or_else(|| {
            WebError::BadRequest(
                "choose a backup file first: the .json file \"Download a backup\" gives".into(),
            )
        })?;
    let name = file.filename.as_deref().unwrap_or("the file");
    let backup = restore::parse(file.data)
        .map_err(|e| WebError::BadRequest(format!("{name} is not a Mastery backup: {e}")))?;
    let overwrite = multipart::text(&parts, "overwrite").is_some();
    let summary = restore::restore(state.store(), learner, &backup, overwrite).await?;
    let target = format!(
        "/settings?restored={}&kept={}#data-title",
        summary.written(),
        summary.kept()
    );
    Ok(redirect_back(Some(&target)))
}

/// The sentence the settings page shows after a restore.
pub(crate) fn restored_notice(written: usize, kept: usize) -> String {
    let mut notice = match written {
        0 => "Backup restored: your data already held everything in it.".to_owned(),
        1 => "Backup restored: 1 item added or updated.".to_owned(),
        n => format!("Backup restored: {n} items added or updated."),
    };
    if kept > 0 {
        notice.push_str(&format!(
            " {kept} differed from the file and were kept as you have them (yours is newer, or a \
             setting you chose); tick \"Replace newer data\" to take the file's."
        ));
    }
    notice
}
