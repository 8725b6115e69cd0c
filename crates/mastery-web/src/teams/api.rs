//! The teams API: my teams, a coach's view of a cohort, a member's standing, and sharing
//! (`/api/v1/teams/...`). Multi-user mode only; the rules are `mastery_app::teams`'s, so a
//! coach sees only their teams and only members who share, and a member sees no one else's
//! figures.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use mastery_app::teams::{self, cohort};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Account;
use crate::error::{ErrorBody, WebError};
use crate::state::{AppState, now};

/// One's membership of a team.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipDto {
    /// `coach` or `member`.
    role: String,
    /// False while invited by name and not accepted.
    joined: bool,
    /// Whether the coaches see this member's progress.
    sharing: bool,
}

/// A team.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamDto {
    id: i64,
    name: String,
    /// Guide ids.
    guides: Vec<String>,
    /// `guide/section` ids; empty for every section of the guides.
    sections: Vec<String>,
    /// `YYYY-MM-DD`, absent when the team has none.
    interview_date: Option<String>,
    /// The caller's membership; absent for an admin who is not in the team.
    membership: Option<MembershipDto>,
}

/// The teams the caller is in (every team, for an admin).
#[utoipa::path(get, path = "/api/v1/teams", tag = "teams",
    responses((status = 200, body = [TeamDto]),
        (status = 404, body = ErrorBody, description = "A personal server (no accounts)")))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Account(user): Account,
) -> Result<Json<Vec<TeamDto>>, WebError> {
    let list = teams::teams_of(state.store(), &user.account).await?;
    Ok(Json(
        list.into_iter()
            .map(|(t, m)| TeamDto {
                id: t.id,
                name: t.name,
                guides: t.guides,
                sections: t.sections,
                interview_date: t.interview_date,
                membership: m.map(|m| MembershipDto {
                    role: m.role.as_str().to_owned(),
                    joined: m.joined_at.is_some(),
                    sharing: m.sharing,
                }),
            })
            .collect(),
    ))
}

/// A section of the team's scope with the cohort's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct CohortSectionDto {
    /// `guide/section`.
    id: String,
    title: String,
    questions: usize,
    /// Mean over members of their mean predicted recall, 0 to 1.
    mean_recall: f32,
    median_recall: f32,
    /// Mean share of its questions marked as mastered, 0 to 1.
    mastered_share: f32,
}

/// One member who shares.
#[derive(Debug, Serialize, ToSchema)]
pub struct CohortMemberDto {
    username: String,
    mastered: usize,
    reviews_7_days: usize,
    reviews_30_days: usize,
    /// Milliseconds since the epoch of the latest review; absent if none.
    last_active: Option<i64>,
    /// Mean predicted recall over the scope, 0 to 1.
    readiness: f32,
    /// Per section, in the order of `sections`: predicted recall, 0 to 1.
    section_recall: Vec<f32>,
    /// Per section: questions marked as mastered.
    section_mastered: Vec<usize>,
    /// Per section: reviews in the last 7 days.
    section_reviews_7_days: Vec<usize>,
    /// Per section: reviews in the last 30 days.
    section_reviews_30_days: Vec<usize>,
    /// The key points this member missed most often (at most 3).
    most_missed: Vec<MissedPointDto>,
    interviews: usize,
    mean_interview_score: Option<f64>,
}

/// A question of the scope among the weakest.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeakQuestionDto {
    guide: String,
    question: String,
    title: String,
    mean_recall: f32,
    mastered_by: usize,
}

/// A key point often missed in mock interviews.
#[derive(Debug, Serialize, ToSchema)]
pub struct MissedPointDto {
    guide: String,
    question: String,
    text: String,
    times: usize,
    members: usize,
}

fn missed_dto(m: cohort::Missed) -> MissedPointDto {
    MissedPointDto {
        guide: m.key.guide,
        question: m.key.question,
        text: m.text,
        times: m.times,
        members: m.members,
    }
}

/// A coach's view of the team.
#[derive(Debug, Serialize, ToSchema)]
pub struct CohortDto {
    team: i64,
    /// The day recall is predicted for: the team's date, or absent for today.
    interview_date: Option<String>,
    days_left: Option<i64>,
    sections: Vec<CohortSectionDto>,
    members: Vec<CohortMemberDto>,
    /// Members who joined and do not share: only their usernames.
    not_shared: Vec<String>,
    /// Invited by name, not joined yet.
    invited: Vec<String>,
    coaches: Vec<String>,
    weakest: Vec<WeakQuestionDto>,
    /// Usernames of members who share and did no review in 7 days.
    idle_this_week: Vec<String>,
    most_missed: Vec<MissedPointDto>,
}

/// The order of the members.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CohortQuery {
    /// `name` (default), `readiness`, `mastered`, `reviews-7`, `reviews-30`,
    /// `last-active` or `score`.
    #[serde(default)]
    #[param(pattern = "^(name|readiness|mastered|reviews-7|reviews-30|last-active|score)$")]
    sort: Option<String>,
    /// `desc` for descending.
    #[serde(default)]
    #[param(pattern = "^(asc|desc)$")]
    dir: Option<String>,
}

/// The coach's view of a team: the members who share, per section, and the cohort's
/// weakest questions (coaches of the team and admins).
#[utoipa::path(get, path = "/api/v1/teams/{team}/cohort", tag = "teams",
    params(("team" = i64, Path, description = "Team number", minimum = 1), CohortQuery),
    responses((status = 200, body = CohortDto),
        (status = 403, body = ErrorBody, description = "A member of the team, not a coach"),
        (status = 404, body = ErrorBody, description = "A personal server, no such team, or not in it")))]
pub(crate) async fn cohort_view(
    State(state): State<AppState>,
    Account(user): Account,
    Path(team): Path<i64>,
    Query(query): Query<CohortQuery>,
) -> Result<Json<CohortDto>, WebError> {
    let library = state.library();
    let view = cohort::view(state.store(), &library.guides, &user.account, team, now()).await?;
    let mut members = view.members.clone();
    cohort::sort(
        &mut members,
        cohort::SortBy::parse(query.sort.as_deref().unwrap_or("")),
        query.dir.as_deref() == Some("desc"),
    );
    Ok(Json(CohortDto {
        team,
        interview_date: view.team.interview_date.clone(),
        days_left: view.days_left,
        sections: view
            .sections
            .iter()
            .map(|s| CohortSectionDto {
                id: s.section.id.clone(),
                title: s.section.title.clone(),
                questions: s.section.questions,
                mean_recall: s.mean_recall,
                median_recall: s.median_recall,
                mastered_share: s.mastered_share,
            })
            .collect(),
        members: members
            .into_iter()
            .map(|m| CohortMemberDto {
                section_recall: m.sections.iter().map(|s| s.recall).collect(),
                section_mastered: m.sections.iter().map(|s| s.mastered).collect(),
                section_reviews_7_days: m.sections.iter().map(|s| s.reviews_7).collect(),
                section_reviews_30_days: m.sections.iter().map(|s| s.reviews_30).collect(),
                most_missed: m.missed.into_iter().map(missed_dto).collect(),
                username: m.username,
                mastered: m.mastered,
                reviews_7_days: m.reviews_7,
                reviews_30_days: m.reviews_30,
                last_active: m.last_active,
                readiness: m.readiness,
                interviews: m.interviews,
                mean_interview_score: m.mean_score,
            })
            .collect(),
        not_shared: view.roster.not_shared,
        invited: view.roster.invited,
        coaches: view.roster.coaches,
        weakest: view
            .weakest
            .into_iter()
            .map(|w| WeakQuestionDto {
                guide: w.key.guide,
                question: w.key.question,
                title: w.title,
                mean_recall: w.mean_recall,
                mastered_by: w.mastered_by,
            })
            .collect(),
        idle_this_week: view.idle_this_week,
        most_missed: view.missed.into_iter().map(missed_dto).collect(),
    }))
}

/// One section of a member's standing.
#[derive(Debug, Serialize, ToSchema)]
pub struct StandingSectionDto {
    id: String,
    title: String,
    /// The caller's predicted recall, 0 to 1.
    mine: f32,
    /// The median of the members who share.
    median: f32,
}

/// A member's own standing against the cohort's median.
#[derive(Debug, Serialize, ToSchema)]
pub struct StandingDto {
    /// `standing`; `not_sharing` (share to see it); `too_few` (fewer than 3 members share).
    status: String,
    /// Members who share (absent when not sharing).
    sharing: Option<usize>,
    sections: Vec<StandingSectionDto>,
}

/// The caller's own standing in a team against the cohort's median per section (members
/// who share; no names).
#[utoipa::path(get, path = "/api/v1/teams/{team}/standing", tag = "teams",
    params(("team" = i64, Path, description = "Team number", minimum = 1)),
    responses((status = 200, body = StandingDto),
        (status = 404, body = ErrorBody, description = "A personal server, no such team, or not in it")))]
pub(crate) async fn standing(
    State(state): State<AppState>,
    Account(user): Account,
    Path(team): Path<i64>,
) -> Result<Json<StandingDto>, WebError> {
    let library = state.library();
    let view =
        cohort::member_view(state.store(), &library.guides, &user.account, team, now()).await?;
    Ok(Json(match view {
        cohort::MemberView::NotSharing => StandingDto {
            status: "not_sharing".into(),
            sharing: None,
            sections: Vec::new(),
        },
        cohort::MemberView::TooFew { sharing } => StandingDto {
            status: "too_few".into(),
            sharing: Some(sharing),
            sections: Vec::new(),
        },
        cohort::MemberView::Standing {
            sections, sharing, ..
        } => StandingDto {
            status: "standing".into(),
            sharing: Some(sharing),
            sections: sections
                .into_iter()
                .map(|s| StandingSectionDto {
                    id: s.section.id,
                    title: s.section.title,
                    mine: s.mine,
                    median: s.median,
                })
                .collect(),
        },
    }))
}

/// Whether to share one's progress with the team's coaches.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SharingBody {
    sharing: bool,
}

/// Starts or stops sharing one's progress with the team's coaches.
#[utoipa::path(put, path = "/api/v1/teams/{team}/sharing", tag = "teams",
    params(("team" = i64, Path, description = "Team number", minimum = 1),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = SharingBody,
    responses((status = 204, description = "Saved"),
        (status = 404, body = ErrorBody, description = "A personal server, no such team, or not in it"),
        (status = 409, body = ErrorBody, description = "A coach, or an invitation not accepted yet")))]
pub(crate) async fn put_sharing(
    State(state): State<AppState>,
    Account(user): Account,
    Path(team): Path<i64>,
    Json(body): Json<SharingBody>,
) -> Result<StatusCode, WebError> {
    teams::set_sharing(state.store(), &user.account, team, body.sharing).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One interview taken for an assignment.
#[derive(Debug, Serialize, ToSchema)]
pub struct TakenDto {
    /// The member (a coach's view; absent in a member's own list).
    username: Option<String>,
    /// The interview's id (a member's own only).
    interview: Option<String>,
    started_at: i64,
    finished_at: Option<i64>,
    /// 0 to 1, once finished.
    score: Option<f64>,
}

/// A mock interview assigned to the team.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentDto {
    id: i64,
    title: String,
    guide: String,
    /// What it asks, in words.
    what: String,
    created_at: i64,
    /// For a coach: the interviews of the members who share; for a member: their own.
    taken: Vec<TakenDto>,
}

/// The team's assigned mock interviews (coaches: with who took them; members: with their
/// own attempts).
#[utoipa::path(get, path = "/api/v1/teams/{team}/assignments", tag = "teams",
    params(("team" = i64, Path, description = "Team number", minimum = 1)),
    responses((status = 200, body = [AssignmentDto]),
        (status = 404, body = ErrorBody, description = "A personal server, no such team, or not in it")))]
pub(crate) async fn assignments(
    State(state): State<AppState>,
    Account(user): Account,
    Path(team): Path<i64>,
) -> Result<Json<Vec<AssignmentDto>>, WebError> {
    let list = teams::assignments::of_team(state.store(), &user.account, team).await?;
    Ok(Json(
        list.into_iter()
            .map(|a| AssignmentDto {
                id: a.assignment.id,
                title: a.assignment.title,
                guide: a.assignment.guide,
                what: a.what,
                created_at: a.assignment.created_at,
                taken: a
                    .taken
                    .into_iter()
                    .map(|(name, t)| {
                        let coach = !name.is_empty();
                        TakenDto {
                            username: coach.then_some(name),
                            interview: (!coach).then_some(t.interview),
                            started_at: t.started_at,
                            finished_at: t.finished_at,
                            score: t.score,
                        }
                    })
                    .collect(),
            })
            .collect(),
    ))
}

/// The interview started for an assignment.
#[derive(Debug, Serialize, ToSchema)]
pub struct StartedDto {
    /// The new interview's id (`/api/v1/interviews/{id}`).
    interview: String,
}

/// Starts the interview of an assignment (a member of the team who joined).
#[utoipa::path(post, path = "/api/v1/teams/{team}/assignments/{assignment}/start", tag = "teams",
    params(("team" = i64, Path, description = "Team number", minimum = 1),
           ("assignment" = i64, Path, description = "Assignment number", minimum = 1),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    responses((status = 201, body = StartedDto, description = "Started"),
        (status = 404, body = ErrorBody, description = "A personal server, no such assignment, or not a member of its team")))]
pub(crate) async fn start_assignment(
    State(state): State<AppState>,
    Account(user): Account,
    Path((team, assignment)): Path<(i64, i64)>,
) -> Result<(StatusCode, Json<StartedDto>), WebError> {
    let library = state.library();
    let (id, seed) = crate::interviews::shared::new_id_and_seed()?;
    let loaded = teams::assignments::start(
        state.store(),
        &library.guides,
        user.account.learner,
        (team, assignment),
        (&id, seed),
        now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(StartedDto {
            interview: loaded.id,
        }),
    ))
}
