//! What the interviews API answers, as JSON schemas: interviews, items, gradings, reports,
//! history; and how each is built from the domain's values.

use mastery_app::interview::Loaded;
use mastery_content::{Guide, Level};
use mastery_storage::Millis;
use mastery_study::interview::labels;
use mastery_study::interview::matching::PointStatus;
use mastery_study::interview::{Answer, Grading, Interview, Item, Report};
use serde::Serialize;
use utoipa::ToSchema;

use crate::interviews::shared::{next_step, question_url};

/// A ready-made interview.
#[derive(Debug, Serialize, ToSchema)]
pub struct PresetDto {
    /// Send it as `preset` to start this interview.
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) description: String,
    /// `junior`, `confirmed`, `senior`.
    pub(crate) levels: Vec<String>,
    /// Total time of the main questions.
    pub(crate) minutes: u32,
    /// Number of main questions.
    pub(crate) questions: usize,
}

/// An answer as given.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerDto {
    /// `typed` or `aloud`.
    pub(crate) kind: String,
    /// The typed text (empty for a question that timed out unanswered); absent when aloud.
    pub(crate) text: Option<String>,
}

impl AnswerDto {
    fn of(answer: &Answer) -> Self {
        match answer {
            Answer::Typed { text } => Self {
                kind: "typed".into(),
                text: Some(text.clone()),
            },
            Answer::Aloud => Self {
                kind: "aloud".into(),
                text: None,
            },
        }
    }
}

/// One key point of an asked question with its tick.
#[derive(Debug, Serialize, ToSchema)]
pub struct TickDto {
    /// The statement, as Markdown.
    pub(crate) text: String,
    /// The final tick (after corrections).
    pub(crate) ticked: bool,
    /// The automatic tick.
    pub(crate) auto: bool,
    /// The learner's correction, if any.
    pub(crate) corrected: Option<bool>,
}

/// One question asked in the interview.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemDto {
    /// Its index in the interview (for corrections).
    pub(crate) item: usize,
    /// `1`, `2`… for main questions, `1.1`, `1.2`… for the follow-ups of question 1.
    pub(crate) label: String,
    /// The question's id.
    pub(crate) question: String,
    /// Its title; absent when the guide no longer has it.
    pub(crate) title: Option<String>,
    pub(crate) section: Option<String>,
    pub(crate) level: Option<String>,
    /// 0 for a main question, 1 and more for follow-ups.
    pub(crate) depth: u32,
    /// The item it follows up.
    pub(crate) parent: Option<usize>,
    /// Milliseconds since the Unix epoch.
    pub(crate) asked_at: i64,
    /// When its time runs out (milliseconds since the Unix epoch).
    pub(crate) deadline: i64,
    pub(crate) budget_ms: i64,
    pub(crate) answer: Option<AnswerDto>,
    pub(crate) submitted_at: Option<i64>,
    pub(crate) used_ms: Option<i64>,
    /// Answered after the deadline, or expired unanswered.
    pub(crate) timed_out: bool,
    pub(crate) key_points: Vec<TickDto>,
    /// Ticked key points over all, after corrections; absent before an answer.
    pub(crate) score: Option<f64>,
    /// The typed answer read as a keyword list.
    pub(crate) list_like: bool,
    /// The typed answer was too short for all the points it named.
    pub(crate) too_short: bool,
    /// The question's page.
    pub(crate) url: Option<String>,
}

/// The question being asked now.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurrentDto {
    pub(crate) item: usize,
    pub(crate) question: String,
    pub(crate) title: Option<String>,
    pub(crate) section: Option<String>,
    pub(crate) level: Option<String>,
    pub(crate) depth: u32,
    /// When its time runs out (milliseconds since the Unix epoch).
    pub(crate) deadline: i64,
    /// Time left now, in milliseconds (0 once the deadline has passed).
    pub(crate) remaining_ms: i64,
    /// `true` once answered: `next` moves on.
    pub(crate) answered: bool,
}

/// An interview's state.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterviewDto {
    pub(crate) id: String,
    /// The stored revision (one more per change).
    pub(crate) revision: i64,
    pub(crate) guide: String,
    pub(crate) title: String,
    pub(crate) started_at: i64,
    pub(crate) finished_at: Option<i64>,
    pub(crate) finished: bool,
    /// Main questions planned.
    pub(crate) planned_questions: usize,
    /// The time of each question, main or follow-up.
    pub(crate) per_question_ms: i64,
    /// The question being asked; absent once finished.
    pub(crate) current: Option<CurrentDto>,
    /// Once the current question is answered, what `next` does: `follow_up`, `next` or
    /// `finish`.
    pub(crate) next: Option<String>,
    /// Every question asked so far, in order.
    pub(crate) items: Vec<ItemDto>,
    /// The page of this interview.
    pub(crate) url: String,
    pub(crate) report_url: String,
}

pub(crate) fn level_name(level: Option<Level>) -> Option<String> {
    level.map(|l| l.as_str().to_owned())
}

pub(crate) fn item_dto(guide: &Guide, item: &Item, index: usize, label: String) -> ItemDto {
    let found = guide.question(&item.question);
    let entry = found.map(|(_, e)| e);
    ItemDto {
        item: index,
        label,
        question: item.question.clone(),
        title: entry.map(|e| e.title_text.clone()),
        section: found.map(|(s, _)| s.id.to_string()),
        level: level_name(entry.and_then(mastery_content::Entry::level)),
        depth: item.depth,
        parent: item.parent,
        asked_at: item.asked_at,
        deadline: item.deadline,
        budget_ms: item.budget_ms(),
        answer: item.answer.as_ref().map(AnswerDto::of),
        submitted_at: item.submitted_at,
        used_ms: item.used_ms(),
        timed_out: item.timed_out,
        key_points: (0..item.auto.len())
            .map(|k| TickDto {
                text: entry
                    .and_then(|e| e.key_points.get(k))
                    .map(|p| p.text.clone())
                    .unwrap_or_default(),
                ticked: item.ticked(k).unwrap_or(false),
                auto: item.auto.get(k).copied().unwrap_or(false),
                corrected: item.corrections.get(k).copied().flatten(),
            })
            .collect(),
        score: item.score(),
        list_like: item.list_like,
        too_short: item.too_short,
        url: question_url(guide, &item.question),
    }
}

pub(crate) fn interview_dto(loaded: &Loaded, guide: &Guide, now: Millis) -> InterviewDto {
    let interview: &Interview = &loaded.interview;
    let labels = labels(&interview.items);
    let current = interview.current_index().and_then(|i| {
        let item = interview.items.get(i)?;
        let found = guide.question(&item.question);
        Some(CurrentDto {
            item: i,
            question: item.question.clone(),
            title: found.map(|(_, e)| e.title_text.clone()),
            section: found.map(|(s, _)| s.id.to_string()),
            level: level_name(found.and_then(|(_, e)| e.level())),
            depth: item.depth,
            deadline: item.deadline,
            remaining_ms: if item.is_answered() {
                0
            } else {
                item.remaining_ms(now)
            },
            answered: item.is_answered(),
        })
    });
    InterviewDto {
        id: loaded.id.clone(),
        revision: loaded.revision,
        guide: interview.guide.clone(),
        title: interview.lineup.title.clone(),
        started_at: interview.started_at,
        finished_at: interview.finished_at,
        finished: interview.is_finished(),
        planned_questions: interview.lineup.questions.len(),
        per_question_ms: interview.lineup.per_question_ms,
        current,
        next: next_step(interview, guide).map(|s| s.as_str().to_owned()),
        items: interview
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| item_dto(guide, item, i, labels.get(i).cloned().unwrap_or_default()))
            .collect(),
        url: format!("/interviews/{}", loaded.id),
        report_url: format!("/interviews/{}/report", loaded.id),
    }
}

/// One interview in the history.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryDto {
    pub(crate) id: String,
    pub(crate) guide: String,
    pub(crate) title: String,
    pub(crate) started_at: i64,
    pub(crate) finished_at: Option<i64>,
    /// The overall score from 0 to 1, once finished.
    pub(crate) score: Option<f64>,
    /// Questions asked.
    pub(crate) questions: usize,
    /// Its page: the report once finished, else the question to resume.
    pub(crate) url: String,
}

/// One finished interview on the trend.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrendPointDto {
    /// When it finished (milliseconds since the Unix epoch).
    pub(crate) at: i64,
    pub(crate) score: f64,
    /// The mean of this score and up to two before it.
    pub(crate) average: f64,
}

/// The trend of finished interviews.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrendDto {
    /// Oldest first.
    pub(crate) points: Vec<TrendPointDto>,
    pub(crate) best: Option<f64>,
    pub(crate) latest: Option<f64>,
    /// Latest minus the one before.
    pub(crate) change: Option<f64>,
    /// Least-squares slope of the score, per week.
    pub(crate) per_week: Option<f64>,
}

/// The learner's interviews and the trend of their scores.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryDto {
    /// Newest first.
    pub(crate) interviews: Vec<SummaryDto>,
    pub(crate) trend: TrendDto,
}

/// Where one synonym of a key point was found in the answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitDto {
    /// The synonym, as the guide writes it.
    pub(crate) word: String,
    /// The text it matched.
    pub(crate) text: String,
    /// Byte offset of the match in the UTF-8 answer.
    pub(crate) start: usize,
    /// Byte offset just past the match.
    pub(crate) end: usize,
    /// `false` when it is in a sentence that reads as a keyword list (it earns nothing).
    pub(crate) counted: bool,
}

/// What matching found for one group of synonyms of a key point.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupDto {
    /// A synonym was found in a sentence that counts.
    pub(crate) matched: bool,
    pub(crate) hits: Vec<HitDto>,
}

/// The automatic verdict on one key point.
#[derive(Debug, Serialize, ToSchema)]
pub struct PointGradingDto {
    /// `covered`, `listed_only`, `too_short`, `partial` or `missing`.
    pub(crate) status: String,
    /// Ticked automatically.
    pub(crate) ticked: bool,
    /// One per group of synonyms: every group must match.
    pub(crate) groups: Vec<GroupDto>,
}

/// The automatic grading of a typed answer, with where each key word was found.
#[derive(Debug, Serialize, ToSchema)]
pub struct GradingDto {
    /// One per key point, in order.
    pub(crate) points: Vec<PointGradingDto>,
    /// Key points ticked automatically.
    pub(crate) covered: usize,
    /// Words in the answer.
    pub(crate) words: usize,
    /// Words in sentences that read as prose.
    pub(crate) counted_words: usize,
    /// Some point was named only in a keyword list: explain it in a sentence.
    pub(crate) list_like: bool,
    /// Some point was named but the answer is too short to earn it.
    pub(crate) too_short: bool,
}

pub(crate) fn status_name(status: PointStatus) -> &'static str {
    match status {
        PointStatus::Covered => "covered",
        PointStatus::ListedOnly => "listed_only",
        PointStatus::TooShort => "too_short",
        PointStatus::Partial => "partial",
        PointStatus::Missing => "missing",
    }
}

pub(crate) fn grading_dto(text: &str, grading: &Grading) -> GradingDto {
    GradingDto {
        points: grading
            .points
            .iter()
            .map(|p| PointGradingDto {
                status: status_name(p.status).to_owned(),
                ticked: p.covered(),
                groups: p
                    .groups
                    .iter()
                    .map(|g| GroupDto {
                        matched: g.matched(),
                        hits: g
                            .hits
                            .iter()
                            .map(|h| HitDto {
                                word: h.word.clone(),
                                text: text.get(h.start..h.end).unwrap_or_default().to_owned(),
                                start: h.start,
                                end: h.end,
                                counted: h.counted,
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        covered: grading.covered(),
        words: grading.words,
        counted_words: grading.counted_words,
        list_like: grading.list_like,
        too_short: grading.too_short,
    }
}

/// What an answer recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerResultDto {
    /// The answered item's index.
    pub(crate) item: usize,
    /// It came after the deadline (plus two seconds of grace).
    pub(crate) timed_out: bool,
    /// The question is no longer in the guide (nothing graded).
    pub(crate) missing: bool,
    /// The grading of a typed answer; absent when answered aloud.
    pub(crate) grading: Option<GradingDto>,
    pub(crate) interview: InterviewDto,
}

/// What `next` did.
#[derive(Debug, Serialize, ToSchema)]
pub struct NextDto {
    /// `asked` (a new question) or `finished` (none was left: the report is ready).
    pub(crate) step: String,
    /// The new item's index.
    pub(crate) item: Option<usize>,
    /// The new question is a follow-up on the ladder.
    pub(crate) follow_up: bool,
    pub(crate) interview: InterviewDto,
}

/// One question in the report.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionReportDto {
    pub(crate) item: usize,
    pub(crate) label: String,
    pub(crate) question: String,
    pub(crate) title: Option<String>,
    pub(crate) section: Option<String>,
    pub(crate) level: Option<String>,
    pub(crate) depth: u32,
    pub(crate) parent: Option<usize>,
    pub(crate) answer: Option<AnswerDto>,
    pub(crate) key_points: Vec<TickDto>,
    pub(crate) score: Option<f64>,
    pub(crate) budget_ms: i64,
    pub(crate) used_ms: Option<i64>,
    pub(crate) timed_out: bool,
    pub(crate) list_like: bool,
    pub(crate) too_short: bool,
    pub(crate) url: Option<String>,
}

/// The score of one section.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionReportDto {
    pub(crate) section: String,
    pub(crate) title: String,
    pub(crate) questions: usize,
    pub(crate) score: Option<f64>,
}

/// How deep the learner went below one main question.
#[derive(Debug, Serialize, ToSchema)]
pub struct LadderDto {
    pub(crate) item: usize,
    pub(crate) question: String,
    /// The deepest follow-up asked (0: none).
    pub(crate) depth: u32,
    /// The deepest the guide offers (at most 3).
    pub(crate) max_depth: u32,
}

/// A key point the learner missed.
#[derive(Debug, Serialize, ToSchema)]
pub struct MissedDto {
    pub(crate) item: usize,
    pub(crate) question: String,
    pub(crate) key_point: usize,
    /// The statement, as Markdown.
    pub(crate) text: String,
    /// The question's page, to study it.
    pub(crate) url: Option<String>,
}

/// The rating fed to the scheduler for one answered question.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingDto {
    pub(crate) item: usize,
    pub(crate) question: String,
    /// 1 Again, 2 Hard, 3 Good, 4 Easy.
    pub(crate) rating: u8,
    pub(crate) name: String,
    pub(crate) score: f64,
}

/// The report of an interview.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDto {
    pub(crate) id: String,
    pub(crate) guide: String,
    pub(crate) guide_title: String,
    pub(crate) title: String,
    pub(crate) started_at: i64,
    pub(crate) finished_at: Option<i64>,
    /// Planned time of the main questions.
    pub(crate) planned_ms: i64,
    /// Time spent answering.
    pub(crate) used_ms: i64,
    /// The overall score, 0 to 1.
    pub(crate) score: Option<f64>,
    pub(crate) questions: Vec<QuestionReportDto>,
    pub(crate) sections: Vec<SectionReportDto>,
    pub(crate) ladders: Vec<LadderDto>,
    pub(crate) missed: Vec<MissedDto>,
    /// Item indices of the questions that timed out.
    pub(crate) timed_out: Vec<usize>,
    /// Question ids no longer in the guide.
    pub(crate) missing: Vec<String>,
    /// The ratings fed to the scheduler when the interview finished (empty before).
    pub(crate) ratings: Vec<RatingDto>,
    /// The report page (print-friendly).
    pub(crate) url: String,
    /// The report as Markdown.
    pub(crate) markdown_url: String,
}

pub(crate) fn report_dto(loaded: &Loaded, report: &Report, guide: &Guide) -> ReportDto {
    let labels = labels(&loaded.interview.items);
    let finished = loaded.interview.is_finished();
    ReportDto {
        id: loaded.id.clone(),
        guide: report.guide.clone(),
        guide_title: report.guide_title.clone(),
        title: report.title.clone(),
        started_at: report.started_at,
        finished_at: report.finished_at,
        planned_ms: report.planned_ms,
        used_ms: report.used_ms,
        score: report.score,
        questions: report
            .questions
            .iter()
            .map(|q| QuestionReportDto {
                item: q.item,
                label: labels.get(q.item).cloned().unwrap_or_default(),
                question: q.question.clone(),
                title: guide
                    .question(&q.question)
                    .map(|(_, e)| e.title_text.clone()),
                section: q.section.clone(),
                level: level_name(q.level),
                depth: q.depth,
                parent: q.parent,
                answer: q.answer.as_ref().map(AnswerDto::of),
                key_points: q
                    .points
                    .iter()
                    .map(|p| TickDto {
                        text: p.text.clone(),
                        ticked: p.ticked,
                        auto: p.auto,
                        corrected: p.corrected,
                    })
                    .collect(),
                score: q.score,
                budget_ms: q.budget_ms,
                used_ms: q.used_ms,
                timed_out: q.timed_out,
                list_like: q.list_like,
                too_short: q.too_short,
                url: question_url(guide, &q.question),
            })
            .collect(),
        sections: report
            .sections
            .iter()
            .map(|s| SectionReportDto {
                section: s.section.clone(),
                title: s.title.clone(),
                questions: s.questions,
                score: s.score,
            })
            .collect(),
        ladders: report
            .ladders
            .iter()
            .map(|l| LadderDto {
                item: l.item,
                question: l.question.clone(),
                depth: l.depth,
                max_depth: l.max_depth,
            })
            .collect(),
        missed: report
            .missed
            .iter()
            .map(|m| MissedDto {
                item: m.item,
                question: m.question.clone(),
                key_point: m.key_point,
                text: m.text.clone(),
                url: question_url(guide, &m.question),
            })
            .collect(),
        timed_out: report.timed_out.clone(),
        missing: report.missing.clone(),
        ratings: if finished {
            report
                .ratings
                .iter()
                .map(|r| RatingDto {
                    item: r.item,
                    question: report
                        .questions
                        .get(r.item)
                        .map(|q| q.question.clone())
                        .unwrap_or_default(),
                    rating: r.rating.as_u8(),
                    name: r.rating.name().to_owned(),
                    score: r.score,
                })
                .collect()
        } else {
            Vec::new()
        },
        url: format!("/interviews/{}/report", loaded.id),
        markdown_url: format!("/interviews/{}/report.md", loaded.id),
    }
}
