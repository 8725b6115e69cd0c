//! What the study page shows.

use crate::layout::Layout;

/// One rating button.
#[derive(Debug, Clone)]
pub struct Button {
    pub rating: u8,
    pub name: &'static str,
    pub label: String,
}

/// The card on the study page.
#[derive(Debug, Clone)]
pub struct StudyCard {
    /// A link to the question's discussion (multi-user mode), shown with the answer.
    pub discussion: Option<String>,
    pub guide: String,
    pub question: String,
    pub url: String,
    pub title_html: String,
    pub section_title: String,
    pub guide_title: String,
    pub level: &'static str,
    pub kind: &'static str,
    pub answer_html: String,
    pub key_points: Vec<String>,
    pub buttons: Vec<Button>,
    /// A "predict the output" exercise of this question, if it has one.
    pub predict: Option<PredictView>,
    /// The grade of the learner's prediction, after they submitted one.
    pub graded: Option<Graded>,
}

/// The code of a predict-the-output exercise, highlighted.
#[derive(Debug, Clone)]
pub struct PredictView {
    pub example: usize,
    pub code_html: String,
}

/// The learner's prediction against the verified output.
#[derive(Debug, Clone)]
pub struct Graded {
    pub correct: bool,
    pub expected: String,
    pub typed: String,
}

#[derive(askama::Template)]
#[template(path = "study.html")]
pub struct StudyPage {
    pub layout: Layout,
    pub card: Option<StudyCard>,
    pub learning: usize,
    pub review: usize,
    pub new: usize,
    pub reviewed_today: usize,
    pub next_learning: String,
    pub review_id: String,
    pub shown_at: i64,
    pub query: String,
    pub guides: Vec<(String, String, bool)>,
}

pub(crate) fn kind_name(kind: mastery_study::scheduler::queue::QueueKind) -> &'static str {
    use mastery_study::scheduler::queue::QueueKind;
    match kind {
        QueueKind::Learning => "learning",
        QueueKind::Review => "review",
        QueueKind::New => "new",
    }
}
