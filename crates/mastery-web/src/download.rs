//! A file to download: the learner document as a JSON attachment, which the account page
//! ("Download my data") and the settings page (backup) both offer.

use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

/// `value` as pretty JSON, downloaded as `filename` (ASCII, no quotes).
pub(crate) fn json_attachment(
    value: &serde_json::Value,
    filename: &str,
) -> Result<Response, WebError> {
    let mut body = serde_json::to_vec_pretty(value)
        .map_err(|e| WebError::Internal(anyhow::anyhow!("cannot write the data: {e}")))?;
    body.push(b'\n');
    Ok((
        [
            (CONTENT_TYPE, "application/json".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response())
}
