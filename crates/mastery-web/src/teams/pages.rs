//! The teams pages: `/teams` (my teams, invitations, and an admin's form for a new team),
//! `/teams/{team}` (the coach's view and management, or the member's own page), the CSV of
//! the coach's view, and `/teams/join/{token}` (joining with a link, saying what is shared).
//! Every rule is `mastery_app::teams`'s; these handlers parse, call and render.

use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use mastery_app::AppError;
use mastery_app::teams::{self, TeamForm, assignments, cohort};
use mastery_storage::{LearnerId, Role};
use mastery_study::interview::{Custom, Request};
use serde::Deserialize;

use crate::access::{Account, Admin, Viewer, personal_mode};
use crate::error::WebError;
use crate::error_page::form_with_errors;
use crate::layout::{Layout, render};
use crate::security::{absolute_url, redirect_back};
use crate::session::Session;
use crate::state::{AppState, now};
use crate::teams::csv;
use crate::teams::views::{
    JoinPage, Manage, TeamPage, TeamRow, TeamsPage, assignment_line, coach_view, days_words,
    guide_choices, link_lines, member_part, people, scope_words, standing_words, when,
};

/// `GET /teams`.
pub async fn list(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
) -> Result<Response, WebError> {
    Ok(render(
        &teams_page(&state, &session, &user.account, None, &TeamForm::default()).await?,
    ))
}

async fn teams_page(
    state: &AppState,
    session: &Session,
    account: &mastery_storage::Account,
    error: Option<String>,
    form: &TeamForm,
) -> Result<TeamsPage, WebError> {
    let library = state.library();
    let admin = account.role == Role::Admin;
    let teams = teams::teams_of(state.store(), account)
        .await?
        .into_iter()
        .map(|(team, member)| {
            let (standing, invited) = standing_words(member.as_ref(), admin);
            TeamRow {
                id: team.id,
                scope: scope_words(&team, &library.guides),
                date: team
                    .interview_date
                    .clone()
                    .unwrap_or_else(|| "no date".to_owned()),
                name: team.name,
                standing,
                invited,
            }
        })
        .collect();
    Ok(TeamsPage {
        layout: Layout::new(state, Some(session), "Teams", "/teams"),
        teams,
        admin,
        guides: guide_choices(&library.guides, None),
        error,
        form_name: form.name.clone(),
        form_date: form.interview_date.clone(),
    })
}

/// The team form from its fields (guides and sections are checkboxes, sent many times).
fn team_form(pairs: &[(String, String)]) -> TeamForm {
    let mut form = TeamForm::default();
    for (key, value) in pairs {
        match key.as_str() {
            "name" => form.name.clone_from(value),
            "guides" => form.guides.push(value.clone()),
            "sections" => form.sections.push(value.clone()),
            "interview_date" => form.interview_date.clone_from(value),
            "open_invites" => form.open_invites = value == "yes",
            _ => {}
        }
    }
    form
}

/// `POST /teams` (admins): a new team; its page opens for naming coaches.
pub async fn create(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Admin(user): Admin,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = team_form(&pairs);
    let library = state.library();
    match teams::create(state.store(), &library.guides, &user.account, &form, now()).await {
        Ok(id) => Ok(redirect_back(Some(&format!("/teams/{id}")))),
        Err(AppError::Field { message, .. }) => {
            let page = teams_page(&state, &session, &user.account, Some(message), &form).await?;
            Ok(form_with_errors(render(&page)))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct TeamQuery {
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
}

/// What the team page shows beyond the team: a notice, a mistake, a link made just now.
#[derive(Debug, Default)]
struct Extra {
    notice: String,
    error: Option<String>,
    new_link: Option<String>,
    form: Option<TeamForm>,
}

async fn team_page(
    state: &AppState,
    session: &Session,
    account: &mastery_storage::Account,
    team: i64,
    query: &TeamQuery,
    extra: Extra,
) -> Result<TeamPage, WebError> {
    let store = state.store();
    let library = state.library();
    let at = now();
    let seen = teams::seen(store, account, team).await?;
    let layout = Layout::new(
        state,
        Some(session),
        seen.team.name.clone(),
        format!("/teams/{team}"),
    );
    let mut page = TeamPage::new(layout, &seen, &library.guides);
    page.notice = extra.notice;
    page.error = extra.error;
    if let Some(member) = seen.standing.membership() {
        // A coach shares nothing; a member (an admin may be one) sees their standing.
        let view = if member.role == mastery_storage::TeamRole::Member {
            cohort::member_view(store, &library.guides, account, team, at).await?
        } else {
            cohort::MemberView::NotSharing
        };
        page.member = Some(member_part(member, &view, &when(&seen.team)));
    }
    let members = store.team_members(team).await?;
    page.coaches = members
        .iter()
        .filter(|m| m.role == mastery_storage::TeamRole::Coach)
        .map(|m| m.username.clone())
        .collect();
    let coach = seen.standing.coaches();
    page.assignments = assignments::of_team(store, account, team)
        .await?
        .iter()
        .map(|a| assignment_line(&seen.team, a, &library.guides, coach))
        .collect();
    if seen.standing.coaches() {
        let view = cohort::view(store, &library.guides, account, team, at).await?;
        page.days_left = days_words(view.days_left);
        let by = cohort::SortBy::parse(&query.sort);
        page.coach = Some(coach_view(&view, by, query.dir == "desc", at));
        let form = extra.form.unwrap_or_else(|| TeamForm {
            name: seen.team.name.clone(),
            interview_date: seen.team.interview_date.clone().unwrap_or_default(),
            ..TeamForm::default()
        });
        page.guides = guide_choices(&library.guides, Some(&seen.team));
        page.manage = Some(Manage {
            people: people(&members),
            links: link_lines(&teams::links(store, account, team).await?, at),
            new_link: extra.new_link,
            form_name: form.name,
            form_date: form.interview_date,
            open_invites: seen.team.open_invites,
        });
    }
    Ok(page)
}

/// `GET /teams/{team}`: the coach's view for coaches and admins, the member's page for
/// members; 404 for anyone else.
pub async fn show(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path(team): Path<i64>,
    Query(query): Query<TeamQuery>,
) -> Result<Response, WebError> {
    let page = team_page(
        &state,
        &session,
        &user.account,
        team,
        &query,
        Extra::default(),
    )
    .await?;
    Ok(render(&page))
}

/// The team page again after a form: a field's mistake shown at the top (422); other
/// errors as usual.
async fn again(
    state: &AppState,
    session: &Session,
    account: &mastery_storage::Account,
    team: i64,
    result: Result<String, AppError>,
) -> Result<Response, WebError> {
    match result {
        Ok(back) => Ok(redirect_back(Some(&back))),
        Err(AppError::Field { message, .. } | AppError::Conflict(message)) => {
            let extra = Extra {
                error: Some(message),
                ..Extra::default()
            };
            let query = TeamQuery {
                sort: String::new(),
                dir: String::new(),
            };
            let page = team_page(state, session, account, team, &query, extra).await?;
            Ok(form_with_errors(render(&page)))
        }
        Err(other) => Err(other.into()),
    }
}

/// `GET /teams/{team}/members.csv`: the coach's view, one row per member and section.
pub async fn members_csv(
    State(state): State<AppState>,
    Account(user): Account,
    Path(team): Path<i64>,
) -> Result<Response, WebError> {
    let library = state.library();
    let view = cohort::view(state.store(), &library.guides, &user.account, team, now()).await?;
    let body = csv::members(&view);
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"team-{team}.csv\""))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    Ok(response)
}

/// `POST /teams/{team}/settings` (coaches and admins).
pub async fn settings(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path(team): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = team_form(&pairs);
    let library = state.library();
    let result = teams::update(state.store(), &library.guides, &user.account, team, &form)
        .await
        .map(|_| format!("/teams/{team}"));
    again(&state, &session, &user.account, team, result).await
}

/// `POST /teams/{team}/delete` (admins).
pub async fn delete(
    State(state): State<AppState>,
    Admin(user): Admin,
    Path(team): Path<i64>,
) -> Result<Response, WebError> {
    teams::delete(state.store(), &user.account, team).await?;
    Ok(redirect_back(Some("/teams")))
}

#[derive(Debug, Deserialize)]
pub struct NameForm {
    #[serde(default)]
    username: String,
}

/// `POST /teams/{team}/coaches`: names a coach.
pub async fn name_coach(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path(team): Path<i64>,
    Form(form): Form<NameForm>,
) -> Result<Response, WebError> {
    let result = teams::name_coach(state.store(), &user.account, team, &form.username, now())
        .await
        .map(|_| format!("/teams/{team}#people"));
    again(&state, &session, &user.account, team, result).await
}

/// `POST /teams/{team}/invite`: invites an account by username.
pub async fn invite(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path(team): Path<i64>,
    Form(form): Form<NameForm>,
) -> Result<Response, WebError> {
    let result = teams::invite_by_name(state.store(), &user.account, team, &form.username, now())
        .await
        .map(|_| format!("/teams/{team}#people"));
    again(&state, &session, &user.account, team, result).await
}

/// `POST /teams/{team}/people/{learner}/remove`.
pub async fn remove(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path((team, learner)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let result = teams::remove(state.store(), &user.account, team, LearnerId(learner))
        .await
        .map(|()| format!("/teams/{team}#people"));
    again(&state, &session, &user.account, team, result).await
}

#[derive(Debug, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    days: String,
    #[serde(default)]
    uses: String,
}

/// `POST /teams/{team}/links`: a new link, shown once.
pub async fn create_link(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    headers: HeaderMap,
    Path(team): Path<i64>,
    Form(form): Form<LinkForm>,
) -> Result<Response, WebError> {
    let days = form
        .days
        .trim()
        .parse::<i64>()
        .unwrap_or(teams::DEFAULT_LINK_DAYS);
    let uses = form
        .uses
        .trim()
        .parse::<i64>()
        .unwrap_or(teams::DEFAULT_LINK_USES);
    match teams::create_link(state.store(), &user.account, team, days, uses, now()).await {
        Ok(link) => {
            let extra = Extra {
                notice: "Link made: copy it now, it is shown once.".into(),
                new_link: Some(absolute_url(
                    &session,
                    &headers,
                    &format!("/teams/join/{}", link.token),
                )),
                ..Extra::default()
            };
            let query = TeamQuery {
                sort: String::new(),
                dir: String::new(),
            };
            let page = team_page(&state, &session, &user.account, team, &query, extra).await?;
            Ok(render(&page))
        }
        Err(e) => again(&state, &session, &user.account, team, Err(e)).await,
    }
}

/// `POST /teams/{team}/links/{link}/revoke`.
pub async fn revoke_link(
    State(state): State<AppState>,
    Account(user): Account,
    Path((team, link)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    teams::revoke_link(state.store(), &user.account, team, link, now()).await?;
    Ok(redirect_back(Some(&format!("/teams/{team}#links"))))
}

#[derive(Debug, Deserialize)]
pub struct ShareForm {
    #[serde(default)]
    share: String,
}

/// `POST /teams/{team}/accept`: accepts an invitation by name (`share=yes` to share).
pub async fn accept(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path(team): Path<i64>,
    Form(form): Form<ShareForm>,
) -> Result<Response, WebError> {
    let result = teams::accept(
        state.store(),
        &user.account,
        team,
        form.share == "yes",
        now(),
    )
    .await
    .map(|()| format!("/teams/{team}"));
    again(&state, &session, &user.account, team, result).await
}

/// `POST /teams/{team}/sharing`: starts (`share=yes`) or stops sharing.
pub async fn sharing(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path(team): Path<i64>,
    Form(form): Form<ShareForm>,
) -> Result<Response, WebError> {
    let result = teams::set_sharing(state.store(), &user.account, team, form.share == "yes")
        .await
        .map(|()| format!("/teams/{team}"));
    again(&state, &session, &user.account, team, result).await
}

/// `POST /teams/{team}/leave`: leaves, or declines an invitation.
pub async fn leave(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path(team): Path<i64>,
) -> Result<Response, WebError> {
    let result = teams::leave(state.store(), &user.account, team)
        .await
        .map(|()| "/teams".to_owned());
    again(&state, &session, &user.account, team, result).await
}

/// `GET /teams/join/{token}`: what the team is and what joining shares; for a visitor,
/// signing in or creating an account first.
pub async fn join_form(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Viewer(viewer): Viewer,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    if !state.multi_user() {
        return Err(personal_mode());
    }
    // Opening a link tells whether it is valid: counted like a site invitation's.
    state
        .limits()
        .invite(state.store(), session.client, now())
        .await?;
    let team = teams::link_team(state.store(), &token, now()).await?;
    let coaches = state
        .store()
        .team_members(team.id)
        .await?
        .into_iter()
        .filter(|m| m.role == mastery_storage::TeamRole::Coach)
        .map(|m| m.username)
        .collect();
    let site = mastery_app::accounts::Site::load(state.store()).await?;
    let library = state.library();
    let page = JoinPage {
        layout: Layout::new(
            &state,
            Some(&session),
            format!("Join {}", team.name),
            "/teams",
        ),
        token,
        scope: scope_words(&team, &library.guides),
        date: team
            .interview_date
            .clone()
            .unwrap_or_else(|| "not set".to_owned()),
        signed_in: viewer.is_some(),
        can_sign_up: site.registration.admits_team_sign_ups(team.open_invites),
        name: team.name,
        shared: teams::SHARED,
        never_shared: teams::NEVER_SHARED,
        joining_also: teams::JOINING_ALSO,
        coaches,
    };
    Ok(render(&page))
}

/// `POST /teams/join/{token}`: joins (`share=yes` to share).
pub async fn join(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path(token): Path<String>,
    Form(form): Form<ShareForm>,
) -> Result<Response, WebError> {
    state
        .limits()
        .invite(state.store(), session.client, now())
        .await?;
    let team = teams::join(
        state.store(),
        &user.account,
        &token,
        form.share == "yes",
        now(),
    )
    .await?;
    Ok(redirect_back(Some(&format!("/teams/{team}"))))
}

/// The assignment form: a title, one of the team's guides, and a preset (`preset`) or a
/// custom interview (`preset=custom`, `questions`, `minutes`: every level and section).
#[derive(Debug, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    guide: String,
    #[serde(default)]
    preset: String,
    #[serde(default)]
    questions: String,
    #[serde(default)]
    minutes: String,
}

impl AssignForm {
    /// The interview it asks for.
    fn request(&self) -> Result<Request, AppError> {
        if self.preset != "custom" {
            return Ok(Request::Preset {
                id: self.preset.clone(),
            });
        }
        let number = |field: &'static str, text: &str| {
            text.trim().parse::<u32>().map_err(|_| AppError::Field {
                field,
                message: format!("give the number of {field} as a whole number"),
            })
        };
        Ok(Request::Custom(Custom {
            levels: Vec::new(),
            sections: Vec::new(),
            questions: number("questions", &self.questions)? as usize,
            minutes_per_question: number("minutes", &self.minutes)?,
        }))
    }
}

/// `POST /teams/{team}/assignments`: assigns a mock interview to the team.
pub async fn assign(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path(team): Path<i64>,
    Form(form): Form<AssignForm>,
) -> Result<Response, WebError> {
    let library = state.library();
    let result = match form.request() {
        Ok(request) => assignments::assign(
            state.store(),
            &library.guides,
            &user.account,
            team,
            &assignments::NewAssignment {
                title: &form.title,
                guide: &form.guide,
                request: &request,
            },
            now(),
        )
        .await
        .map(|_| format!("/teams/{team}#assignments")),
        Err(e) => Err(e),
    };
    let result = result.map_err(|e| match e {
        // The lineup's refusals (no such preset, too many questions) go with the form.
        AppError::Invalid(message) | AppError::NotFound(message) => AppError::Field {
            field: "preset",
            message,
        },
        other => other,
    });
    again(&state, &session, &user.account, team, result).await
}

/// `POST /teams/{team}/assignments/{id}/withdraw`.
pub async fn withdraw(
    State(state): State<AppState>,
    Account(user): Account,
    Path((team, id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    assignments::withdraw(state.store(), &user.account, team, id).await?;
    Ok(redirect_back(Some(&format!("/teams/{team}#assignments"))))
}

/// `POST /teams/{team}/assignments/{id}/start`: a member starts the assigned interview and
/// goes to its first question.
pub async fn start_assignment(
    State(state): State<AppState>,
    Account(user): Account,
    Path((team, id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let library = state.library();
    let (interview, seed) = crate::interviews::shared::new_id_and_seed()?;
    let loaded = assignments::start(
        state.store(),
        &library.guides,
        user.account.learner,
        (team, id),
        (&interview, seed),
        now(),
    )
    .await?;
    Ok(redirect_back(Some(&format!("/interviews/{}", loaded.id))))
}
