//! The teams pages' view models: what the templates show, already formatted.

use mastery_app::teams::cohort::{CohortView, MemberView, SortBy};
use mastery_app::teams::{NEVER_SHARED, SHARED, Seen};
use mastery_content::Guide;
use mastery_storage::{Millis, Team, TeamInvite, TeamMember, TeamRole};
use std::sync::Arc;

use crate::charts::{CohortSection, cohort};
use crate::layout::Layout;

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub(crate) fn percent(x: f64) -> String {
    format!("{}%", (x.clamp(0.0, 1.0) * 100.0).round() as u32)
}

/// `2026-12-06 14:05` (UTC).
pub(crate) fn utc(at: Millis) -> String {
    mastery_app::community::utc(at)
}

/// How long ago, in whole days ("today", "3 days ago"), or "never".
pub(crate) fn ago(at: Option<Millis>, now: Millis) -> String {
    const DAY: Millis = 24 * 60 * 60 * 1000;
    match at {
        None => "never".to_owned(),
        Some(at) => match (now - at).div_euclid(DAY) {
            i64::MIN..=0 => "today".to_owned(),
            1 => "yesterday".to_owned(),
            days => format!("{days} days ago"),
        },
    }
}

/// A team in the list.
#[derive(Debug, Clone)]
pub struct TeamRow {
    pub id: i64,
    pub name: String,
    pub scope: String,
    pub date: String,
    /// "coach", "member (sharing)", "member (not sharing)", "invited", or "admin".
    pub standing: String,
    pub invited: bool,
}

#[derive(askama::Template)]
#[template(path = "teams.html")]
pub struct TeamsPage {
    pub layout: Layout,
    pub teams: Vec<TeamRow>,
    pub admin: bool,
    pub guides: Vec<GuideChoice>,
    pub error: Option<String>,
    pub form_name: String,
    pub form_date: String,
}

/// A guide with its sections, for the team forms.
#[derive(Debug, Clone)]
pub struct GuideChoice {
    pub id: String,
    pub title: String,
    pub checked: bool,
    pub sections: Vec<SectionChoice>,
}

#[derive(Debug, Clone)]
pub struct SectionChoice {
    /// `guide/section`.
    pub id: String,
    pub title: String,
    pub checked: bool,
}

pub(crate) fn guide_choices(guides: &[Arc<Guide>], team: Option<&Team>) -> Vec<GuideChoice> {
    guides
        .iter()
        .map(|g| GuideChoice {
            id: g.id.to_string(),
            title: g.title.clone(),
            checked: team.is_some_and(|t| t.guides.iter().any(|id| id == g.id.as_str())),
            sections: g
                .sections
                .iter()
                .filter(|s| s.questions().next().is_some())
                .map(|s| {
                    let id = format!("{}/{}", g.id, s.id);
                    SectionChoice {
                        checked: team.is_some_and(|t| t.sections.contains(&id)),
                        id,
                        title: s.title.clone(),
                    }
                })
                .collect(),
        })
        .collect()
}

/// The guides and sections a team studies, in words.
pub(crate) fn scope_words(team: &Team, guides: &[Arc<Guide>]) -> String {
    let title = |id: &str| {
        guides
            .iter()
            .find(|g| g.id.as_str() == id)
            .map_or_else(|| id.to_owned(), |g| g.title.clone())
    };
    let names: Vec<String> = team.guides.iter().map(|g| title(g)).collect();
    if team.sections.is_empty() {
        names.join(", ")
    } else {
        let n = team.sections.len();
        format!(
            "{} ({} {})",
            names.join(", "),
            n,
            if n == 1 { "section" } else { "sections" }
        )
    }
}

pub(crate) fn standing_words(member: Option<&TeamMember>, admin: bool) -> (String, bool) {
    match member {
        Some(m) if m.role == TeamRole::Coach => ("coach".to_owned(), false),
        Some(m) if m.joined_at.is_none() => ("invited".to_owned(), true),
        Some(m) if m.sharing => ("member, sharing".to_owned(), false),
        Some(_) => ("member, not sharing".to_owned(), false),
        None if admin => ("admin".to_owned(), false),
        None => (String::new(), false),
    }
}

/// One member's row in the coach's table.
#[derive(Debug, Clone)]
pub struct MemberLine {
    pub username: String,
    pub readiness: String,
    pub mastered: usize,
    pub reviews_7: usize,
    pub reviews_30: usize,
    pub last_active: String,
    pub interviews: usize,
    pub mean_score: String,
    pub last_score: String,
    pub sections: Vec<MemberSectionLine>,
    /// The key points this member missed most often: (question, key point, times).
    pub missed: Vec<(String, String, usize)>,
    pub idle: bool,
}

/// One section of a member's row.
#[derive(Debug, Clone)]
pub struct MemberSectionLine {
    pub title: String,
    pub mastered: usize,
    pub questions: usize,
    pub recall: String,
    pub reviews_7: usize,
    pub reviews_30: usize,
}

/// A column header that sorts.
#[derive(Debug, Clone)]
pub struct SortLink {
    pub label: String,
    pub href: String,
    /// `ascending`, `descending` or `none` (aria-sort).
    pub aria: &'static str,
}

#[derive(Debug, Clone)]
pub struct WeakLine {
    pub url: String,
    pub title: String,
    pub section: String,
    pub recall: String,
    pub mastered_by: usize,
}

#[derive(Debug, Clone)]
pub struct MissedLine {
    pub url: String,
    pub title: String,
    pub text: String,
    pub members: usize,
    pub times: usize,
}

#[derive(Debug, Clone)]
pub struct SectionLine {
    pub guide: String,
    pub title: String,
    pub questions: usize,
    pub mean: String,
    pub median: String,
    pub mastered: String,
}

/// The coach's part of the team page.
#[derive(Debug, Clone)]
pub struct CoachView {
    pub when: String,
    pub questions: usize,
    pub chart: String,
    pub sections: Vec<SectionLine>,
    pub sort_links: Vec<SortLink>,
    pub members: Vec<MemberLine>,
    pub not_shared: Vec<String>,
    pub invited: Vec<String>,
    pub coaches: Vec<String>,
    pub idle: Vec<String>,
    pub weakest: Vec<WeakLine>,
    pub missed: Vec<MissedLine>,
    pub csv: String,
}

/// Readiness words for the day recall is predicted for.
pub(crate) fn when(team: &Team) -> String {
    team.interview_date
        .as_ref()
        .map_or_else(|| "today".to_owned(), |d| format!("on {d}"))
}

pub(crate) fn coach_view(
    view: &CohortView,
    by: SortBy,
    descending: bool,
    now: Millis,
) -> CoachView {
    let id = view.team.id;
    let when = when(&view.team);
    let sections: Vec<SectionLine> = view
        .sections
        .iter()
        .map(|s| SectionLine {
            guide: s.section.guide_title.clone(),
            title: s.section.title.clone(),
            questions: s.section.questions,
            mean: percent(f64::from(s.mean_recall)),
            median: percent(f64::from(s.median_recall)),
            mastered: percent(f64::from(s.mastered_share)),
        })
        .collect();
    let chart = cohort(
        "cohort-readiness",
        &view
            .sections
            .iter()
            .map(|s| CohortSection {
                title: s.section.title.clone(),
                mean: f64::from(s.mean_recall),
                median: f64::from(s.median_recall),
            })
            .collect::<Vec<_>>(),
        view.members.len(),
        &when,
    );
    let sort_links = [
        ("Member", SortBy::Name),
        ("Readiness", SortBy::Readiness),
        ("Mastered", SortBy::Mastered),
        ("Reviews, 7 days", SortBy::Reviews7),
        ("Reviews, 30 days", SortBy::Reviews30),
        ("Last active", SortBy::LastActive),
        ("Interview score", SortBy::Score),
    ]
    .into_iter()
    .map(|(label, key)| {
        let current = key == by;
        let next_desc = current && !descending;
        SortLink {
            label: label.to_owned(),
            href: format!(
                "/teams/{id}?sort={}{}#members",
                key.word(),
                if next_desc { "&dir=desc" } else { "" }
            ),
            aria: match (current, descending) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            },
        }
    })
    .collect();
    let mut rows = view.members.clone();
    mastery_app::teams::cohort::sort(&mut rows, by, descending);
    let score = |s: Option<f64>| s.map_or_else(|| "—".to_owned(), percent);
    let members = rows
        .iter()
        .map(|m| MemberLine {
            username: m.username.clone(),
            readiness: percent(f64::from(m.readiness)),
            mastered: m.mastered,
            reviews_7: m.reviews_7,
            reviews_30: m.reviews_30,
            last_active: ago(m.last_active, now),
            interviews: m.interviews,
            mean_score: score(m.mean_score),
            last_score: score(m.last_score),
            sections: view
                .sections
                .iter()
                .zip(&m.sections)
                .map(|(s, mine)| MemberSectionLine {
                    title: s.section.title.clone(),
                    mastered: mine.mastered,
                    questions: s.section.questions,
                    recall: percent(f64::from(mine.recall)),
                    reviews_7: mine.reviews_7,
                    reviews_30: mine.reviews_30,
                })
                .collect(),
            missed: m
                .missed
                .iter()
                .map(|x| (x.title.clone(), x.text.clone(), x.times))
                .collect(),
            idle: m.reviews_7 == 0,
        })
        .collect();
    CoachView {
        when,
        questions: view.questions,
        chart,
        sections,
        sort_links,
        members,
        not_shared: view.roster.not_shared.clone(),
        invited: view.roster.invited.clone(),
        coaches: view.roster.coaches.clone(),
        idle: view.idle_this_week.clone(),
        weakest: view
            .weakest
            .iter()
            .map(|w| WeakLine {
                url: format!("/guides/{}/{}", w.key.guide, w.key.question),
                title: w.title.clone(),
                section: w.section.clone(),
                recall: percent(f64::from(w.mean_recall)),
                mastered_by: w.mastered_by,
            })
            .collect(),
        missed: view
            .missed
            .iter()
            .map(|m| MissedLine {
                url: format!("/guides/{}/{}", m.key.guide, m.key.question),
                title: m.title.clone(),
                text: m.text.clone(),
                members: m.members,
                times: m.times,
            })
            .collect(),
        csv: format!("/teams/{id}/members.csv"),
    }
}

/// A person in the team, for the coach's management list.
#[derive(Debug, Clone)]
pub struct PersonLine {
    pub learner: i64,
    pub username: String,
    pub standing: String,
    pub since: String,
}

/// A link in the coach's list.
#[derive(Debug, Clone)]
pub struct LinkLine {
    pub id: i64,
    pub created: String,
    pub expires: String,
    pub uses: i64,
    pub state: &'static str,
    pub open: bool,
}

pub(crate) fn people(members: &[TeamMember]) -> Vec<PersonLine> {
    members
        .iter()
        .map(|m| PersonLine {
            learner: m.learner.0,
            username: m.username.clone(),
            standing: standing_words(Some(m), false).0,
            since: utc(m.joined_at.unwrap_or(m.invited_at)),
        })
        .collect()
}

pub(crate) fn link_lines(links: &[TeamInvite], now: Millis) -> Vec<LinkLine> {
    links
        .iter()
        .map(|l| LinkLine {
            id: l.id,
            created: utc(l.created_at),
            expires: utc(l.expires_at),
            uses: l.uses,
            state: l.state(now),
            open: l.usable(now),
        })
        .collect()
}

/// A member's standing line.
#[derive(Debug, Clone)]
pub struct StandingLine {
    pub guide: String,
    pub title: String,
    pub mine: String,
    pub median: String,
    pub above: bool,
}

/// The member's part of the team page.
#[derive(Debug, Clone)]
pub struct MemberPart {
    pub joined: bool,
    pub sharing: bool,
    pub coach: bool,
    /// Why no standing is shown, when none is.
    pub standing_note: String,
    pub standing: Vec<StandingLine>,
}

pub(crate) fn member_part(member: &TeamMember, view: &MemberView, when: &str) -> MemberPart {
    let (standing_note, standing) = match view {
        MemberView::NotSharing => (
            "Share your progress to see where you stand against the cohort's median.".to_owned(),
            Vec::new(),
        ),
        MemberView::TooFew { sharing } => (
            format!(
                "The cohort's median appears once at least {} members share ({} do now), so \
                 that it never tells anyone's own figures.",
                mastery_app::teams::cohort::MIN_FOR_MEDIAN,
                sharing
            ),
            Vec::new(),
        ),
        MemberView::Standing {
            sections, sharing, ..
        } => (
            format!(
                "Your predicted recall {when} beside the median of the {sharing} members who \
                 share. No names, no one else's figures."
            ),
            sections
                .iter()
                .map(|s| StandingLine {
                    guide: s.section.guide_title.clone(),
                    title: s.section.title.clone(),
                    mine: percent(f64::from(s.mine)),
                    median: percent(f64::from(s.median)),
                    above: s.mine >= s.median,
                })
                .collect(),
        ),
    };
    MemberPart {
        joined: member.joined_at.is_some(),
        sharing: member.sharing,
        coach: member.role == TeamRole::Coach,
        standing_note,
        standing,
    }
}

#[derive(askama::Template)]
#[template(path = "team.html")]
pub struct TeamPage {
    pub layout: Layout,
    pub id: i64,
    pub name: String,
    pub scope: String,
    pub date: String,
    /// ", in 12 days", ": today", " (passed)" or empty.
    pub days_left: String,
    pub standing: String,
    pub notice: String,
    pub error: Option<String>,
    pub shared: &'static [&'static str],
    pub never_shared: &'static [&'static str],
    pub member: Option<MemberPart>,
    pub coach: Option<CoachView>,
    /// The coach's management: people, links, settings.
    pub manage: Option<Manage>,
    /// The guides and sections for the settings form (coaches only).
    pub guides: Vec<GuideChoice>,
    /// Assigned mock interviews (coaches: with who took them; members: their own).
    pub assignments: Vec<AssignmentLine>,
    /// The team's coaches, shown to everyone in it.
    pub coaches: Vec<String>,
    /// The team's guides (id, title) and the presets, for the assignment form.
    pub team_guides: Vec<(String, String)>,
    pub presets: Vec<PresetOption>,
    pub admin: bool,
}

#[derive(Debug, Clone)]
pub struct Manage {
    pub people: Vec<PersonLine>,
    pub links: Vec<LinkLine>,
    pub new_link: Option<String>,
    pub form_name: String,
    pub form_date: String,
    pub open_invites: bool,
}

impl TeamPage {
    pub(crate) fn new(layout: Layout, seen: &Seen, guides: &[Arc<Guide>]) -> Self {
        let (standing, _) = standing_words(seen.standing.membership(), seen.standing.admin);
        Self {
            layout,
            id: seen.team.id,
            name: seen.team.name.clone(),
            scope: scope_words(&seen.team, guides),
            date: seen
                .team
                .interview_date
                .clone()
                .unwrap_or_else(|| "not set".to_owned()),
            days_left: String::new(),
            standing,
            notice: String::new(),
            error: None,
            shared: SHARED,
            never_shared: NEVER_SHARED,
            member: None,
            coach: None,
            manage: None,
            guides: Vec::new(),
            assignments: Vec::new(),
            coaches: Vec::new(),
            team_guides: seen
                .team
                .guides
                .iter()
                .map(|id| {
                    let title = guides
                        .iter()
                        .find(|g| g.id.as_str() == id)
                        .map_or_else(|| id.clone(), |g| g.title.clone());
                    (id.clone(), title)
                })
                .collect(),
            presets: mastery_study::interview::PRESETS
                .iter()
                .map(|p| PresetOption {
                    id: p.id,
                    title: p.title,
                })
                .collect(),
            admin: seen.standing.admin,
        }
    }
}

#[derive(askama::Template)]
#[template(path = "team_join.html")]
pub struct JoinPage {
    pub layout: Layout,
    pub token: String,
    pub name: String,
    pub scope: String,
    pub date: String,
    pub signed_in: bool,
    pub can_sign_up: bool,
    pub shared: &'static [&'static str],
    pub never_shared: &'static [&'static str],
    pub joining_also: &'static str,
    pub coaches: Vec<String>,
}

/// How far the team's date is, after the date: ", in 12 days", ": today", " (passed)".
pub(crate) fn days_words(days_left: Option<i64>) -> String {
    match days_left {
        None => String::new(),
        Some(1) => ", in 1 day".to_owned(),
        Some(d) if d > 1 => format!(", in {d} days"),
        Some(0) => ": today".to_owned(),
        Some(_) => " (passed)".to_owned(),
    }
}

/// An assignment on the team page or the interviews page.
#[derive(Debug, Clone)]
pub struct AssignmentLine {
    pub id: i64,
    pub team: i64,
    pub team_name: String,
    pub title: String,
    pub what: String,
    pub guide: String,
    pub assigned: String,
    /// For a coach: who took it (members who share); for a member: their own attempts.
    pub taken: Vec<TakenLine>,
}

#[derive(Debug, Clone)]
pub struct TakenLine {
    pub username: String,
    pub started: String,
    pub score: String,
    pub url: String,
}

pub(crate) fn assignment_line(
    team: &Team,
    a: &mastery_app::teams::assignments::Assigned,
    guides: &[Arc<Guide>],
    coach: bool,
) -> AssignmentLine {
    AssignmentLine {
        id: a.assignment.id,
        team: team.id,
        team_name: team.name.clone(),
        title: a.assignment.title.clone(),
        what: a.what.clone(),
        guide: guides
            .iter()
            .find(|g| g.id.as_str() == a.assignment.guide)
            .map_or_else(|| a.assignment.guide.clone(), |g| g.title.clone()),
        assigned: utc(a.assignment.created_at),
        taken: a
            .taken
            .iter()
            .map(|(name, t)| TakenLine {
                username: name.clone(),
                started: utc(t.started_at),
                score: match (t.finished_at, t.score) {
                    (Some(_), Some(score)) => percent(score),
                    (Some(_), None) => "finished".to_owned(),
                    (None, _) => "in progress".to_owned(),
                },
                // A member opens their own interview; a coach has no page of someone else's.
                url: if coach {
                    String::new()
                } else if t.finished_at.is_some() {
                    format!("/interviews/{}/report", t.interview)
                } else {
                    format!("/interviews/{}", t.interview)
                },
            })
            .collect(),
    }
}

/// A preset for the assignment form.
#[derive(Debug, Clone)]
pub struct PresetOption {
    pub id: &'static str,
    pub title: &'static str,
}
