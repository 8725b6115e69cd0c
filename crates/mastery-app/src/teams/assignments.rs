//! Mock interviews a coach assigns to the team: a preset or a custom setup on one of the
//! team's guides. Members find them on their interviews page and the team's page and start
//! them there; the coach sees who took each one and the score (of members who share).

use std::sync::Arc;

use mastery_content::Guide;
use mastery_storage::{Account, Assignment, AssignmentTaken, LearnerId, Millis, Storage, Team};
use mastery_study::interview::{self as domain, Request};

use super::{coached, seen};
use crate::AppError;
use crate::interview::{self, Loaded, NewInterview};

/// The longest assignment title, in characters.
pub const MAX_TITLE_CHARS: usize = 100;

fn request_of(assignment: &Assignment) -> Result<Request, AppError> {
    serde_json::from_str(&assignment.request).map_err(|e| {
        AppError::Storage(mastery_storage::StorageError::Corrupt(format!(
            "assignment {}: {e}",
            assignment.id
        )))
    })
}

/// What an assignment asks, in words ("Recruiter screen", "5 questions, 3 minutes each").
#[must_use]
pub fn describe(request: &Request) -> String {
    match request {
        Request::Preset { id } => domain::lineup::PRESETS
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| id.clone(), |p| p.title.to_owned()),
        Request::Custom(custom) => format!(
            "{} {}, {} {} each{}",
            custom.questions,
            if custom.questions == 1 {
                "question"
            } else {
                "questions"
            },
            custom.minutes_per_question,
            if custom.minutes_per_question == 1 {
                "minute"
            } else {
                "minutes"
            },
            if custom.sections.is_empty() {
                String::new()
            } else {
                format!(" ({} sections)", custom.sections.len())
            }
        ),
    }
}

/// What a coach assigns.
#[derive(Debug, Clone, Copy)]
pub struct NewAssignment<'a> {
    /// What members see ("Week 3: the ORM").
    pub title: &'a str,
    /// One of the team's guides, by id.
    pub guide: &'a str,
    /// A preset or a custom interview.
    pub request: &'a Request,
}

/// Assigns a mock interview to the team (a coach or an admin does): `guide` must be one of
/// the team's; the request must make an interview of it.
///
/// # Errors
///
/// As [`coached`]; [`AppError::Field`] for an empty title or a guide outside the team;
/// the lineup's errors for a request the guide cannot make; storage errors.
pub async fn assign(
    store: &dyn Storage,
    guides: &[Arc<Guide>],
    actor: &Account,
    team: i64,
    new: &NewAssignment<'_>,
    now: Millis,
) -> Result<i64, AppError> {
    let NewAssignment {
        title,
        guide,
        request,
    } = *new;
    let seen = coached(store, actor, team).await?;
    let title = crate::community::short_text("title", "a title", title, MAX_TITLE_CHARS)?;
    if !seen.team.guides.iter().any(|g| g == guide) {
        return Err(AppError::Field {
            field: "guide",
            message: format!("`{guide}` is not one of the team's guides"),
        });
    }
    let loaded = guides
        .iter()
        .find(|g| g.id.as_str() == guide)
        .ok_or_else(|| AppError::NotFound(format!("there is no guide `{guide}`")))?;
    // The same check as starting it: a request the guide cannot make is refused now.
    domain::lineup(loaded, request, 0)?;
    let json = serde_json::to_string(request)
        .map_err(|e| AppError::Invalid(format!("the interview's setup: {e}")))?;
    let assignment = Assignment {
        id: 0,
        team,
        guide: guide.to_owned(),
        title,
        request: json,
        created_by: Some(actor.learner),
        created_at: now,
    };
    Ok(store.create_assignment(&assignment).await?)
}

/// Withdraws an assignment (a coach or an admin does); interviews taken stay the members'.
///
/// # Errors
///
/// As [`coached`]; [`AppError::NotFound`] when the team has no such assignment.
pub async fn withdraw(
    store: &dyn Storage,
    actor: &Account,
    team: i64,
    id: i64,
) -> Result<(), AppError> {
    coached(store, actor, team).await?;
    if store.delete_assignment(team, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound(
            "this team has no such assignment".into(),
        ))
    }
}

/// An assignment with who took it.
#[derive(Debug, Clone)]
pub struct Assigned {
    /// The assignment.
    pub assignment: Assignment,
    /// What it asks, in words.
    pub what: String,
    /// For a coach: the interviews of members who share, with their usernames; for a
    /// member: their own (username empty).
    pub taken: Vec<(String, AssignmentTaken)>,
}

/// The team's assignments as `viewer` may see them: a coach every one with the interviews
/// of the members who share; a member who joined every one with their own interviews.
///
/// # Errors
///
/// As [`seen`]; storage errors.
pub async fn of_team(
    store: &dyn Storage,
    viewer: &Account,
    team: i64,
) -> Result<Vec<Assigned>, AppError> {
    let seen = seen(store, viewer, team).await?;
    let taken: Vec<(String, AssignmentTaken)> = if seen.standing.coaches() {
        let members = store.team_members(team).await?;
        store
            .assignments_taken(team)
            .await?
            .into_iter()
            .map(|t| {
                let name = members
                    .iter()
                    .find(|m| m.learner == t.learner)
                    .map(|m| m.username.clone())
                    .unwrap_or_default();
                (name, t)
            })
            .collect()
    } else if seen
        .standing
        .membership()
        .is_some_and(|m| m.joined_at.is_some())
    {
        store
            .my_assignments_taken(viewer.learner)
            .await?
            .into_iter()
            .map(|t| (String::new(), t))
            .collect()
    } else {
        return Ok(Vec::new());
    };
    gather(store.assignments(team).await?, &taken)
}

fn gather(
    assignments: Vec<Assignment>,
    taken: &[(String, AssignmentTaken)],
) -> Result<Vec<Assigned>, AppError> {
    assignments
        .into_iter()
        .map(|assignment| {
            Ok(Assigned {
                what: describe(&request_of(&assignment)?),
                taken: taken
                    .iter()
                    .filter(|(_, t)| t.assignment == assignment.id)
                    .cloned()
                    .collect(),
                assignment,
            })
        })
        .collect()
}

/// The assignments of every team a learner joined as a member, with the team and their own
/// interviews for each: what their interviews page offers.
///
/// # Errors
///
/// Storage errors.
pub async fn mine(
    store: &dyn Storage,
    learner: LearnerId,
) -> Result<Vec<(Team, Assigned)>, AppError> {
    let teams = store.teams_of(learner).await?;
    let taken: Vec<(String, AssignmentTaken)> = store
        .my_assignments_taken(learner)
        .await?
        .into_iter()
        .map(|t| (String::new(), t))
        .collect();
    let mut out = Vec::new();
    for (team, member) in teams {
        if member.joined_at.is_none() || member.role != mastery_storage::TeamRole::Member {
            continue;
        }
        for assigned in gather(store.assignments(team.id).await?, &taken)? {
            out.push((team.clone(), assigned));
        }
    }
    Ok(out)
}

/// Starts the interview of `team`'s `assignment` for a member of the team (joined), with
/// the interview id and seed given; the interview is linked to it, so the coach sees it (if
/// the member shares).
///
/// # Errors
///
/// [`AppError::NotFound`] when there is no such assignment or the learner is not a joined
/// member of its team; as [`interview::start`].
pub async fn start(
    store: &dyn Storage,
    guides: &[Arc<Guide>],
    learner: LearnerId,
    (team, assignment): (i64, i64),
    (id, seed): (&str, u64),
    now: Millis,
) -> Result<Loaded, AppError> {
    let missing = || {
        AppError::NotFound(format!(
            "team {team} has no assignment {assignment} for you"
        ))
    };
    let found = store
        .assignment(assignment)
        .await?
        .filter(|a| a.team == team)
        .ok_or_else(missing)?;
    let member = store
        .teams_of(learner)
        .await?
        .into_iter()
        .any(|(t, m)| t.id == found.team && m.joined_at.is_some());
    if !member {
        return Err(missing());
    }
    let request = request_of(&found)?;
    let new = NewInterview {
        guide: &found.guide,
        request: &request,
        id,
        seed,
    };
    let loaded = interview::start(store, learner, guides, &new, now).await?;
    store.link_assignment(learner, id, found.id).await?;
    Ok(loaded)
}
