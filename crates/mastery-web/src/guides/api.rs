//! The guides API: the list of guides, a guide with its sections and progress, and a
//! question with its answer, key points, references and the learner's note.

use std::collections::HashSet;

use axum::Json;
use axum::extract::{Path, State};
use mastery_content::question_path;
use mastery_study::GuideProgress;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Viewer;
use crate::error::{ErrorBody, WebError};
use crate::guides::lookup::{find_guide, mastered_in, note_of};
use crate::guides::notes::NoteDto;
use crate::openapi::op;
use crate::state::AppState;

/// Mastered out of total.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressDto {
    mastered: usize,
    total: usize,
    percent: usize,
}

impl From<mastery_study::Progress> for ProgressDto {
    fn from(p: mastery_study::Progress) -> Self {
        Self {
            mastered: p.mastered,
            total: p.total,
            percent: p.percent(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GuideSummary {
    id: String,
    title: String,
    subtitle: Option<String>,
    description: String,
    version: String,
    sections: usize,
    progress: ProgressDto,
}

/// Every loaded guide with the learner's progress.
#[utoipa::path(get, path = "/api/v1/guides", tag = "guides",
    responses((status = 200, body = Vec<GuideSummary>, description = "Every guide, in order",
        links(
            ("guide" = (operation_id = op::GET_GUIDE, parameters(("path.guide" = "$response.body#/0/id")))),
            ("startInterview" = (operation_id = op::START, request_body = json!({"guide": "$response.body#/0/id"}))),
        ))))]
pub(crate) async fn list_guides(
    State(state): State<AppState>,
    Viewer(learner): Viewer,
) -> Result<Json<Vec<GuideSummary>>, WebError> {
    let library = state.library();
    let mut out = Vec::new();
    for g in &library.guides {
        let ids = mastered_in(&state, learner, g.id.as_str()).await?;
        let set: HashSet<&str> = ids.iter().map(String::as_str).collect();
        out.push(GuideSummary {
            id: g.id.to_string(),
            title: g.title.clone(),
            subtitle: g.subtitle.clone(),
            description: g.description.clone(),
            version: g.version.clone(),
            sections: g.sections.len(),
            progress: GuideProgress::of(g, &set).guide.into(),
        });
    }
    Ok(Json(out))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionSummary {
    id: String,
    title: String,
    /// `junior`, `confirmed` or `senior`; absent for an insight.
    level: Option<String>,
    tags: Vec<String>,
    mastered: bool,
    url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SectionDto {
    id: String,
    title: String,
    progress: ProgressDto,
    questions: Vec<QuestionSummary>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GuideDetail {
    id: String,
    title: String,
    description: String,
    progress: ProgressDto,
    sections: Vec<SectionDto>,
}

/// Where links find a guide's id and its first question's id in [`GuideDetail`].
const GUIDE_ID: &str = "$response.body#/id";
const FIRST_QUESTION_ID: &str = "$response.body#/sections/0/questions/0/id";

/// A guide's sections and questions with the learner's marks.
#[utoipa::path(get, path = "/api/v1/guides/{guide}", tag = "guides", operation_id = op::GET_GUIDE,
    params(("guide" = String, Path, description = "Guide id", pattern = "^[a-z](?:-?[a-z0-9])*$", max_length = 64)),
    responses(
        (status = 200, body = GuideDetail, description = "The guide with its sections and questions",
            links(
                ("question" = (operation_id = op::GET_QUESTION, parameters(("path.guide" = GUIDE_ID), ("path.question" = FIRST_QUESTION_ID)))),
                ("mark" = (operation_id = op::PUT_MARK, parameters(("path.guide" = GUIDE_ID), ("path.question" = FIRST_QUESTION_ID)))),
                ("getNote" = (operation_id = op::GET_NOTE, parameters(("path.guide" = GUIDE_ID), ("path.question" = FIRST_QUESTION_ID)))),
                ("putNote" = (operation_id = op::PUT_NOTE, parameters(("path.guide" = GUIDE_ID), ("path.question" = FIRST_QUESTION_ID)))),
                ("startInterview" = (operation_id = op::START, request_body = json!({"guide": GUIDE_ID}))),
            )),
        (status = 404, body = ErrorBody, description = "No such guide")))]
pub(crate) async fn get_guide(
    State(state): State<AppState>,
    Viewer(learner): Viewer,
    Path(id): Path<String>,
) -> Result<Json<GuideDetail>, WebError> {
    let library = state.library();
    let g = find_guide(&library, &id)?;
    let ids = mastered_in(&state, learner, &id).await?;
    let set: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let progress = GuideProgress::of(&g, &set);
    Ok(Json(GuideDetail {
        id: g.id.to_string(),
        title: g.title.clone(),
        description: g.description.clone(),
        progress: progress.guide.into(),
        sections: g
            .sections
            .iter()
            .map(|s| SectionDto {
                id: s.id.to_string(),
                title: s.title.clone(),
                progress: progress.section(s.id.as_str()).into(),
                questions: s
                    .entries
                    .iter()
                    .map(|e| QuestionSummary {
                        id: e.id.to_string(),
                        title: e.title_text.clone(),
                        level: e.level().map(|l| l.as_str().to_owned()),
                        tags: e.tags.iter().map(ToString::to_string).collect(),
                        mastered: set.contains(e.id.as_str()),
                        url: question_path(&g.id, &e.id),
                    })
                    .collect(),
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyPointDto {
    /// The statement, as Markdown.
    text: String,
    /// Groups of synonyms; a typed answer covers the point when every group matches.
    words: Vec<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferenceDto {
    title: String,
    url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionDetail {
    id: String,
    guide: String,
    section: String,
    title: String,
    level: Option<String>,
    tags: Vec<String>,
    answer_html: String,
    key_points: Vec<KeyPointDto>,
    references: Vec<ReferenceDto>,
    follow_ups: Vec<String>,
    mastered: bool,
    note: NoteDto,
}

/// Where links find a question's guide and id in [`QuestionDetail`].
const QUESTION_GUIDE: &str = "$response.body#/guide";
const QUESTION_ID: &str = "$response.body#/id";

/// One question with its answer, key points, references, follow-ups, mark and note.
#[utoipa::path(get, path = "/api/v1/guides/{guide}/questions/{question}", tag = "guides", operation_id = op::GET_QUESTION,
    params(("guide" = String, Path, description = "Guide id", pattern = "^[a-z](?:-?[a-z0-9])*$", max_length = 64),
           ("question" = String, Path, description = "Question id", pattern = "^[a-z](?:-?[a-z0-9])*$", max_length = 64)),
    responses(
        (status = 200, body = QuestionDetail, description = "The question (or insight) with the learner's mark and note",
            links(
                ("mark" = (operation_id = op::PUT_MARK, parameters(("path.guide" = QUESTION_GUIDE), ("path.question" = QUESTION_ID)))),
                ("getNote" = (operation_id = op::GET_NOTE, parameters(("path.guide" = QUESTION_GUIDE), ("path.question" = QUESTION_ID)))),
                ("putNote" = (operation_id = op::PUT_NOTE, parameters(("path.guide" = QUESTION_GUIDE), ("path.question" = QUESTION_ID)))),
                ("review" = (operation_id = op::POST_REVIEW, request_body = json!({"guide": QUESTION_GUIDE, "question": QUESTION_ID}))),
            )),
        (status = 404, body = ErrorBody, description = "No such guide or question")))]
pub(crate) async fn get_question(
    State(state): State<AppState>,
    Viewer(learner): Viewer,
    Path((guide_id, question_id)): Path<(String, String)>,
) -> Result<Json<QuestionDetail>, WebError> {
    let library = state.library();
    let g = find_guide(&library, &guide_id)?;
    let (section, entry) = g
        .sections
        .iter()
        .find_map(|s| {
            s.entries
                .iter()
                .find(|e| e.id.as_str() == question_id)
                .map(|e| (s, e))
        })
        .ok_or_else(|| {
            WebError::NotFound(format!(
                "the guide `{guide_id}` has no question `{question_id}`"
            ))
        })?;
    let mastered = mastered_in(&state, learner, &guide_id)
        .await?
        .contains(&question_id);
    let note = note_of(&state, learner, &guide_id, &question_id).await?;
    Ok(Json(QuestionDetail {
        id: entry.id.to_string(),
        guide: g.id.to_string(),
        section: section.id.to_string(),
        title: entry.title_text.clone(),
        level: entry.level().map(|l| l.as_str().to_owned()),
        tags: entry.tags.iter().map(ToString::to_string).collect(),
        answer_html: entry.answer_html.clone(),
        key_points: entry
            .key_points
            .iter()
            .map(|k| KeyPointDto {
                text: k.text.clone(),
                words: k.groups.clone(),
            })
            .collect(),
        references: entry
            .references
            .iter()
            .map(|r| ReferenceDto {
                title: r.title.clone(),
                url: r.url.clone(),
            })
            .collect(),
        follow_ups: entry.follow_ups.iter().map(ToString::to_string).collect(),
        mastered,
        note: NoteDto::from_note(note),
    }))
}
