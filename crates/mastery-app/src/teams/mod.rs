//! Teams and cohorts (multi-user mode): an admin creates a team that studies some guides
//! (or some of their sections) for an interview date and names its coaches; coaches invite
//! people by link or by username; members join, saying whether the coaches may see their
//! progress, and may stop sharing or leave at any time.
//!
//! - this module: who may see and change a team ([`Standing`]), the team's own settings,
//!   memberships, invitation links and the date a member plans for;
//! - [`cohort`]: the coach's view of the members who share, and a member's standing against
//!   the cohort's median;
//! - [`assignments`]: mock interviews a coach assigns, which members start from their
//!   interviews page.
//!
//! Notes are never shared; no e-mail address is shown to anyone but admins. A person who is
//! not in a team and is not an admin is told it does not exist.

pub mod assignments;
pub mod cohort;

use std::sync::Arc;

use mastery_content::Guide;
use mastery_storage::{
    Account, LearnerId, Millis, Role, Storage, Team, TeamInvite, TeamMember, TeamRole,
};
use mastery_study::scheduler::DAY_MS;

use crate::AppError;
use crate::accounts::{names, tokens};
use crate::settings::days_from_civil;

/// The longest team name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// How long an invitation link lasts unless the coach says otherwise, in days.
pub const DEFAULT_LINK_DAYS: i64 = 14;
/// The longest a link may last, in days.
pub const MAX_LINK_DAYS: i64 = 90;
/// How many people a link admits unless the coach says otherwise.
pub const DEFAULT_LINK_USES: i64 = 30;
/// The most people one link may admit.
pub const MAX_LINK_USES: i64 = 1_000;

/// What the coaches of a team see of a member who shares, in the words the join page and
/// the team page show (consent is given to exactly this).
pub const SHARED: &[&str] = &[
    "the questions you marked as mastered in the team's guides",
    "how many reviews of them you did in the last 7 and 30 days, and when you last studied \
     anything",
    "your predicted recall on the team's interview date, per section",
    "your mock-interview scores on the team's guides and the key points you missed",
];

/// What joining changes even without sharing (said on the join page).
pub const JOINING_ALSO: &str = "Joining also makes the team's interview date the one your \
     study plans for, unless you set a date of your own in Settings.";

/// What is never shared, whatever the member chooses.
pub const NEVER_SHARED: &[&str] = &[
    "your notes",
    "your e-mail address",
    "your answers' text",
    "anything from guides outside the team",
];

/// What a person may do with a team: their membership, if any, and whether they are a site
/// admin (who manages every team).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// Their own membership (joined, or invited by name and not joined yet).
    pub membership: Option<TeamMember>,
    /// Whether they are a site admin.
    pub admin: bool,
}

impl Standing {
    /// Whether they manage the team's members and links and see the coach's view: its
    /// coaches and site admins.
    #[must_use]
    pub fn coaches(&self) -> bool {
        self.admin
            || self
                .membership
                .as_ref()
                .is_some_and(|m| m.role == TeamRole::Coach && m.joined_at.is_some())
    }

    /// Their own membership, if they have one.
    #[must_use]
    pub fn membership(&self) -> Option<&TeamMember> {
        self.membership.as_ref()
    }
}

/// A team as someone may see it, with their standing.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The team.
    pub team: Team,
    /// The viewer's standing.
    pub standing: Standing,
}

fn not_found(team: i64) -> AppError {
    AppError::NotFound(format!("there is no team {team}"))
}

/// The team as `viewer` may see it.
///
/// # Errors
///
/// [`AppError::NotFound`] when there is no such team or the viewer is neither in it nor an
/// admin (the same answer: a team's existence is not told to strangers); storage errors.
pub async fn seen(store: &dyn Storage, viewer: &Account, team: i64) -> Result<Seen, AppError> {
    let found = store.team(team).await?.ok_or_else(|| not_found(team))?;
    let membership = store
        .team_members(team)
        .await?
        .into_iter()
        .find(|m| m.learner == viewer.learner);
    let admin = viewer.role == Role::Admin;
    if membership.is_none() && !admin {
        return Err(not_found(team));
    }
    let standing = Standing { membership, admin };
    Ok(Seen {
        team: found,
        standing,
    })
}

/// The team, if `viewer` coaches it (or is an admin).
///
/// # Errors
///
/// As [`seen`]; [`AppError::Forbidden`] for a member.
pub async fn coached(store: &dyn Storage, viewer: &Account, team: i64) -> Result<Seen, AppError> {
    let seen = seen(store, viewer, team).await?;
    if seen.standing.coaches() {
        Ok(seen)
    } else {
        Err(AppError::Forbidden(
            "only the team's coaches may do this".into(),
        ))
    }
}

/// The teams someone is in, with their membership; for an admin, every team (with their
/// membership where they have one).
///
/// # Errors
///
/// Storage errors.
pub async fn teams_of(
    store: &dyn Storage,
    viewer: &Account,
) -> Result<Vec<(Team, Option<TeamMember>)>, AppError> {
    let mine = store.teams_of(viewer.learner).await?;
    if viewer.role != Role::Admin {
        return Ok(mine.into_iter().map(|(t, m)| (t, Some(m))).collect());
    }
    let mut all: Vec<(Team, Option<TeamMember>)> = store
        .teams()
        .await?
        .into_iter()
        .map(|t| (t, None))
        .collect();
    for (team, member) in mine {
        if let Some(slot) = all.iter_mut().find(|(t, _)| t.id == team.id) {
            slot.1 = Some(member);
        }
    }
    Ok(all)
}

/// What an admin or coach types for a team's settings.
#[derive(Debug, Clone, Default)]
pub struct TeamForm {
    /// The name.
    pub name: String,
    /// The guides, by id.
    pub guides: Vec<String>,
    /// Sections as `guide/section`; empty for all.
    pub sections: Vec<String>,
    /// `YYYY-MM-DD`, or empty for none.
    pub interview_date: String,
    /// Whether links may create accounts on an invitation-only site (admins only: ignored
    /// when a coach saves).
    pub open_invites: bool,
}

/// Checks a team form against the loaded guides: a name, at least one known guide, sections
/// of those guides, a real date.
fn checked(form: &TeamForm, guides: &[Arc<Guide>]) -> Result<Team, AppError> {
    let name = crate::community::short_text("name", "a team's name", &form.name, MAX_NAME_CHARS)?;
    let mut chosen: Vec<String> = Vec::new();
    for id in &form.guides {
        let id = id.trim();
        if id.is_empty() || chosen.iter().any(|c| c == id) {
            continue;
        }
        if !guides.iter().any(|g| g.id.as_str() == id) {
            return Err(AppError::Field {
                field: "guides",
                message: format!("there is no guide `{id}`"),
            });
        }
        chosen.push(id.to_owned());
    }
    if chosen.is_empty() {
        return Err(AppError::Field {
            field: "guides",
            message: "choose at least one guide".into(),
        });
    }
    let mut sections: Vec<String> = Vec::new();
    for id in &form.sections {
        let id = id.trim();
        if id.is_empty() || sections.iter().any(|s| s == id) {
            continue;
        }
        let known = id.split_once('/').is_some_and(|(g, s)| {
            chosen.iter().any(|c| c == g)
                && guides
                    .iter()
                    .find(|guide| guide.id.as_str() == g)
                    .is_some_and(|guide| guide.sections.iter().any(|x| x.id.as_str() == s))
        });
        if !known {
            return Err(AppError::Field {
                field: "sections",
                message: format!("`{id}` is not a section of the chosen guides"),
            });
        }
        sections.push(id.to_owned());
    }
    let typed = form.interview_date.trim();
    // Stored as YYYY-MM-DD whatever was typed (`2027-3-1`), so dates compare as text.
    let date = if typed.is_empty() {
        String::new()
    } else {
        let day = days_from_civil(typed).ok_or_else(|| AppError::Field {
            field: "interview_date",
            message: format!("`{typed}` is not a date (YYYY-MM-DD)"),
        })?;
        mastery_study::stats::Date::of_day(day).to_string()
    };
    Ok(Team {
        id: 0,
        name,
        guides: chosen,
        sections,
        interview_date: (!date.is_empty()).then_some(date),
        open_invites: form.open_invites,
        created_at: 0,
    })
}

/// Creates a team (admins only).
///
/// # Errors
///
/// [`AppError::Forbidden`] for anyone but an admin; [`AppError::Field`] for a wrong field;
/// storage errors.
pub async fn create(
    store: &dyn Storage,
    guides: &[Arc<Guide>],
    actor: &Account,
    form: &TeamForm,
    now: Millis,
) -> Result<i64, AppError> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden("only admins create teams".into()));
    }
    let team = Team {
        created_at: now,
        ..checked(form, guides)?
    };
    Ok(store.create_team(&team).await?)
}

/// Changes a team's name, guides, sections and date (coaches and admins); whether its links
/// may create accounts only an admin changes.
///
/// # Errors
///
/// As [`coached`] and [`create`].
pub async fn update(
    store: &dyn Storage,
    guides: &[Arc<Guide>],
    actor: &Account,
    team: i64,
    form: &TeamForm,
) -> Result<Team, AppError> {
    let seen = coached(store, actor, team).await?;
    let mut updated = checked(form, guides)?;
    updated.id = team;
    updated.created_at = seen.team.created_at;
    if actor.role != Role::Admin {
        updated.open_invites = seen.team.open_invites;
    }
    if !store.update_team(&updated).await? {
        return Err(not_found(team));
    }
    // Members agreed to share what the team studied then: a wider scope asks them again.
    if widens(&seen.team, &updated) {
        for member in store.team_members(team).await? {
            if member.shares() {
                store.set_team_sharing(team, member.learner, false).await?;
            }
        }
    }
    Ok(updated)
}

/// Whether `new` studies something `old` did not: another guide, or a section outside
/// `old`'s sections (no sections meaning all of its guides).
fn widens(old: &Team, new: &Team) -> bool {
    let in_old_guides = |id: &str| old.guides.iter().any(|g| g == id);
    if !new.guides.iter().all(|g| in_old_guides(g)) {
        return true;
    }
    if old.sections.is_empty() {
        return false;
    }
    new.sections.is_empty() || !new.sections.iter().all(|s| old.sections.contains(s))
}

/// Deletes a team with its memberships and links (admins only). Nobody's study data goes.
///
/// # Errors
///
/// [`AppError::Forbidden`] for anyone but an admin; [`AppError::NotFound`]; storage errors.
pub async fn delete(store: &dyn Storage, actor: &Account, team: i64) -> Result<(), AppError> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden("only admins delete teams".into()));
    }
    if store.delete_team(team).await? {
        Ok(())
    } else {
        Err(not_found(team))
    }
}

/// The account a coach typed the username of. E-mail addresses are refused: coaches never
/// learn who owns an address.
async fn named(store: &dyn Storage, typed: &str) -> Result<Account, AppError> {
    let typed = typed.trim();
    let unknown = || AppError::Field {
        field: "username",
        message: format!("there is no account named `{typed}`"),
    };
    if typed.is_empty() || typed.contains('@') {
        return Err(AppError::Field {
            field: "username",
            message: "type the person's username (not an e-mail address)".into(),
        });
    }
    let key = names::username_key(typed);
    match store.account_by_key(&key).await? {
        Some(account) if account.username_key == key && account.disabled_at.is_none() => {
            Ok(account)
        }
        _ => Err(unknown()),
    }
}

/// Names a coach (a coach or an admin does): an existing account becomes a coach of the team
/// at once (a coach shares nothing); a member who becomes a coach stops being shown as one.
///
/// # Errors
///
/// As [`coached`]; [`AppError::Field`] for an unknown username; storage errors.
pub async fn name_coach(
    store: &dyn Storage,
    actor: &Account,
    team: i64,
    username: &str,
    now: Millis,
) -> Result<TeamMember, AppError> {
    coached(store, actor, team).await?;
    let account = named(store, username).await?;
    let member = TeamMember {
        team,
        learner: account.learner,
        username: account.username,
        role: TeamRole::Coach,
        sharing: false,
        invited_at: now,
        joined_at: Some(now),
    };
    store.put_team_member(&member).await?;
    Ok(member)
}

/// Invites an existing account by username (a coach or an admin does): they see the
/// invitation on their teams page and join by accepting it; until then nothing is shared.
///
/// # Errors
///
/// As [`coached`]; [`AppError::Field`] for an unknown username or someone already in the
/// team; storage errors.
pub async fn invite_by_name(
    store: &dyn Storage,
    actor: &Account,
    team: i64,
    username: &str,
    now: Millis,
) -> Result<TeamMember, AppError> {
    coached(store, actor, team).await?;
    let account = named(store, username).await?;
    let member = TeamMember {
        team,
        learner: account.learner,
        username: account.username,
        role: TeamRole::Member,
        sharing: false,
        invited_at: now,
        joined_at: None,
    };
    if !store.invite_team_member(&member).await? {
        return Err(AppError::Field {
            field: "username",
            message: format!("{} is in this team already", member.username),
        });
    }
    Ok(member)
}

/// Removes someone from the team (a coach or an admin does). Only an admin removes another
/// coach.
///
/// # Errors
///
/// As [`coached`]; [`AppError::NotFound`] for someone not in the team;
/// [`AppError::Forbidden`] for a coach removing another coach; storage errors.
pub async fn remove(
    store: &dyn Storage,
    actor: &Account,
    team: i64,
    learner: LearnerId,
) -> Result<(), AppError> {
    coached(store, actor, team).await?;
    let members = store.team_members(team).await?;
    let Some(gone) = members.iter().find(|m| m.learner == learner) else {
        return Err(AppError::NotFound("that person is not in this team".into()));
    };
    if gone.role == TeamRole::Coach && gone.learner != actor.learner && actor.role != Role::Admin {
        return Err(AppError::Forbidden(
            "only an admin removes a coach (a coach may leave)".into(),
        ));
    }
    store.remove_team_member(team, learner).await?;
    Ok(())
}

/// Accepts an invitation by name, sharing or not.
///
/// # Errors
///
/// [`AppError::NotFound`] when there is no invitation; [`AppError::Conflict`] when already
/// joined; storage errors.
pub async fn accept(
    store: &dyn Storage,
    actor: &Account,
    team: i64,
    sharing: bool,
    now: Millis,
) -> Result<(), AppError> {
    let seen = seen(store, actor, team).await?;
    let Some(member) = seen.standing.membership() else {
        return Err(not_found(team));
    };
    if member.joined_at.is_some() {
        return Err(AppError::Conflict("you are in this team already".into()));
    }
    // Conditional: an invitation withdrawn meanwhile is not brought back.
    if store
        .accept_team_invitation(team, actor.learner, sharing, now)
        .await?
    {
        Ok(())
    } else {
        Err(not_found(team))
    }
}

/// Starts or stops sharing one's progress with the team's coaches.
///
/// # Errors
///
/// [`AppError::NotFound`] when not in the team; [`AppError::Conflict`] for a coach or an
/// invitation not accepted yet; storage errors.
pub async fn set_sharing(
    store: &dyn Storage,
    actor: &Account,
    team: i64,
    sharing: bool,
) -> Result<(), AppError> {
    let seen = seen(store, actor, team).await?;
    let Some(member) = seen.standing.membership() else {
        return Err(not_found(team));
    };
    if member.role == TeamRole::Coach {
        return Err(AppError::Conflict("coaches share nothing".into()));
    }
    if member.joined_at.is_none() {
        return Err(AppError::Conflict(
            "accept the invitation first, choosing whether to share".into(),
        ));
    }
    // Conditional: someone removed meanwhile is not put back.
    if store.set_team_sharing(team, actor.learner, sharing).await? {
        Ok(())
    } else {
        Err(not_found(team))
    }
}

/// Leaves a team (or declines an invitation). The team's last coach cannot leave while it
/// has members.
///
/// # Errors
///
/// [`AppError::NotFound`] when not in the team; [`AppError::Conflict`] for the last coach;
/// storage errors.
pub async fn leave(store: &dyn Storage, actor: &Account, team: i64) -> Result<(), AppError> {
    let members = store.team_members(team).await?;
    let Some(me) = members.iter().find(|m| m.learner == actor.learner) else {
        return Err(not_found(team));
    };
    let coaches = members.iter().filter(|m| m.role == TeamRole::Coach).count();
    if me.role == TeamRole::Coach && coaches == 1 && members.len() > 1 {
        return Err(AppError::Conflict(
            "you are the team's only coach: name another coach before you leave".into(),
        ));
    }
    store.remove_team_member(team, actor.learner).await?;
    Ok(())
}

/// A link just made, with the token shown once.
#[derive(Debug, Clone)]
pub struct NewLink {
    /// Its record.
    pub invite: TeamInvite,
    /// The token for the link (`/teams/join/{token}`); only its digest is stored.
    pub token: String,
}

/// Makes an invitation link to the team that lasts `days` days and admits `max_uses` people
/// (a coach or an admin does).
///
/// # Errors
///
/// As [`coached`]; [`AppError::Field`] for a number of days outside 1 to [`MAX_LINK_DAYS`]
/// or of people outside 1 to [`MAX_LINK_USES`]; storage errors.
pub async fn create_link(
    store: &dyn Storage,
    actor: &Account,
    team: i64,
    days: i64,
    max_uses: i64,
    now: Millis,
) -> Result<NewLink, AppError> {
    coached(store, actor, team).await?;
    if !(1..=MAX_LINK_DAYS).contains(&days) {
        return Err(AppError::Field {
            field: "days",
            message: format!("a link lasts 1 to {MAX_LINK_DAYS} days"),
        });
    }
    if !(1..=MAX_LINK_USES).contains(&max_uses) {
        return Err(AppError::Field {
            field: "uses",
            message: format!("a link admits 1 to {MAX_LINK_USES} people"),
        });
    }
    let token = tokens::fresh_token()?;
    let mut invite = TeamInvite {
        id: 0,
        team,
        token_hash: tokens::digest(&token),
        created_by: Some(actor.learner),
        created_at: now,
        expires_at: now + days * DAY_MS,
        max_uses,
        uses: 0,
        revoked_at: None,
    };
    invite.id = store.create_team_invite(&invite).await?;
    Ok(NewLink { invite, token })
}

/// Revokes one of the team's links (a coach or an admin does).
///
/// # Errors
///
/// As [`coached`]; [`AppError::NotFound`] when the team has no such open link.
pub async fn revoke_link(
    store: &dyn Storage,
    actor: &Account,
    team: i64,
    link: i64,
    now: Millis,
) -> Result<(), AppError> {
    coached(store, actor, team).await?;
    if store.revoke_team_invite(team, link, now).await? {
        Ok(())
    } else {
        Err(AppError::NotFound(
            "this team has no such link, or it was revoked already".into(),
        ))
    }
}

/// The team's links, newest first (coaches and admins).
///
/// # Errors
///
/// As [`coached`].
pub async fn links(
    store: &dyn Storage,
    actor: &Account,
    team: i64,
) -> Result<Vec<TeamInvite>, AppError> {
    coached(store, actor, team).await?;
    Ok(store.team_invites(team).await?)
}

/// The team a link joins, while it is usable at `now` (for the join page, before signing
/// in or up). Any malformed, unknown, revoked or expired token is the same "not usable".
///
/// # Errors
///
/// [`AppError::NotFound`] for a link that cannot be used; storage errors.
pub async fn link_team(store: &dyn Storage, token: &str, now: Millis) -> Result<Team, AppError> {
    let unusable = || {
        AppError::NotFound(
            "this team link is not valid: it may have expired or been revoked; ask your coach \
             for a new one"
                .into(),
        )
    };
    if !tokens::is_token(token) {
        return Err(unusable());
    }
    // Used up or not is for joining to say (someone the link made an account for joins
    // with its last use taken).
    let invite = store
        .team_invite(&tokens::digest(token))
        .await?
        .filter(|i| i.revoked_at.is_none() && now < i.expires_at)
        .ok_or_else(unusable)?;
    store.team(invite.team).await?.ok_or_else(unusable)
}

/// Joins the team of a link, sharing or not.
///
/// # Errors
///
/// As [`link_team`].
pub async fn join(
    store: &dyn Storage,
    actor: &Account,
    token: &str,
    sharing: bool,
    now: Millis,
) -> Result<i64, AppError> {
    let team = link_team(store, token, now).await?;
    store
        .join_team(&tokens::digest(token), actor.learner, sharing, now)
        .await?
        .filter(|joined| *joined == team.id)
        .ok_or_else(|| {
            AppError::NotFound(
                "this team link is no longer valid: it has been used up or revoked; ask your \
                 coach for a new one"
                    .into(),
            )
        })
}

/// The date a learner's study planning aims at when they set none of their own: the
/// earliest interview date, today or later (in UTC), of the teams they joined as a member
/// (coaching a team changes nothing of one's own planning).
///
/// # Errors
///
/// Storage errors.
pub async fn planning_date(
    store: &dyn Storage,
    learner: LearnerId,
    now: Millis,
) -> Result<Option<String>, AppError> {
    let today = now.div_euclid(DAY_MS);
    Ok(store
        .teams_of(learner)
        .await?
        .into_iter()
        .filter(|(_, m)| m.joined_at.is_some() && m.role == TeamRole::Member)
        .filter_map(|(t, _)| t.interview_date)
        .filter_map(|d| days_from_civil(&d).map(|day| (day, d)))
        .filter(|(day, _)| *day >= today)
        .min()
        .map(|(_, d)| d))
}
