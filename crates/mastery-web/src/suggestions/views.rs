//! What the suggestion pages show.

use askama::Template;
use mastery_app::community::suggestions::SuggestionView;
use mastery_content::suggest::DiffLine;
use mastery_storage::SuggestionState;

use crate::layout::{Choice, Layout};

/// Unchanged lines kept around each change; longer runs fold into one line.
const CONTEXT: usize = 3;

/// One line of a diff on a page.
#[derive(Debug, Clone)]
pub struct DiffRow {
    /// `kept`, `removed`, `added` or `folded` (a run of unchanged lines left out).
    pub class: &'static str,
    /// `-`, `+` or a space.
    pub sign: char,
    pub text: String,
}

/// The rows of a diff, with long runs of unchanged lines folded.
pub fn diff_rows(lines: &[DiffLine]) -> Vec<DiffRow> {
    let changed: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.tag != ' ')
        .map(|(i, _)| i)
        .collect();
    let near = |i: usize| {
        changed
            .iter()
            .any(|&c| i + CONTEXT >= c && i <= c + CONTEXT)
    };
    let mut rows = Vec::new();
    let mut folded = 0;
    for (i, line) in lines.iter().enumerate() {
        if line.tag == ' ' && !near(i) {
            folded += 1;
            continue;
        }
        if folded > 0 {
            rows.push(fold(folded));
            folded = 0;
        }
        rows.push(DiffRow {
            class: match line.tag {
                '-' => "removed",
                '+' => "added",
                _ => "kept",
            },
            sign: line.tag,
            text: line.text.clone(),
        });
    }
    if folded > 0 {
        rows.push(fold(folded));
    }
    if changed.is_empty() {
        rows.clear();
    }
    rows
}

fn fold(n: usize) -> DiffRow {
    DiffRow {
        class: "folded",
        sign: ' ',
        text: if n == 1 {
            "… 1 unchanged line".to_owned()
        } else {
            format!("… {n} unchanged lines")
        },
    }
}

/// The form to suggest a change, or to change or rebase a suggestion.
#[derive(Template)]
#[template(path = "suggest.html")]
pub struct SuggestPage {
    pub layout: Layout,
    pub heading: String,
    pub question_url: String,
    pub question_title: String,
    pub action: String,
    pub submit_label: String,
    /// The `updated_at` the form was drawn with (0 for a new suggestion).
    pub seen: i64,
    /// The question's Markdown now: what the diff compares with.
    pub base: String,
    pub text: String,
    pub summary: String,
    pub summary_error: Option<String>,
    /// What `mastery check` says of the text (the preview step, or a refused send).
    pub problems: Vec<String>,
    /// The preview step ran and found nothing wrong.
    pub previewed_ok: bool,
    pub diff: Vec<DiffRow>,
    /// Shown above the form when rebasing a stale suggestion.
    pub notice: Option<String>,
}

/// A suggestion in a list or on its page.
#[derive(Debug, Clone)]
pub struct SuggestionRow {
    pub id: i64,
    pub url: String,
    pub question_url: String,
    pub question_title: String,
    pub author: String,
    pub summary: String,
    pub state: String,
    pub score: i64,
    pub when: String,
    pub iso: String,
    pub stale: bool,
    pub exported: bool,
}

impl SuggestionRow {
    pub fn of(v: &SuggestionView) -> Self {
        let s = &v.suggestion;
        let at = crate::interviews::time::when(s.created_at, 0);
        Self {
            id: s.id,
            url: format!("/suggestions/{}", s.id),
            question_url: crate::community::question_url(&s.guide, &s.question),
            question_title: v.question_title.clone(),
            author: v.author.clone(),
            summary: s.summary.clone(),
            state: s.state.as_str().to_owned(),
            score: s.score,
            when: at.date,
            iso: at.iso,
            stale: v.stale
                && matches!(s.state, SuggestionState::Open | SuggestionState::Accepted)
                && s.exported_at.is_none(),
            exported: s.exported_at.is_some(),
        }
    }
}

/// A suggestion's page.
#[derive(Template)]
#[template(path = "suggestion.html")]
pub struct SuggestionPage {
    pub layout: Layout,
    pub row: SuggestionRow,
    pub diff: Vec<DiffRow>,
    /// The question's text now, shown beside a stale suggestion.
    pub current_text: Option<String>,
    /// The change between the text the suggestion was written against and the text now.
    pub moved: Vec<DiffRow>,
    pub my_vote: i64,
    pub can_vote: bool,
    pub can_revise: bool,
    pub can_decide: bool,
    /// Accepting is possible (open and not stale).
    pub can_accept: bool,
    /// A moderator may rebase it (stale, not exported).
    pub can_rebase: bool,
    /// Its `updated_at`: the decision applies to the text shown.
    pub seen: i64,
    /// A moderator other than its author changed its text (while it waits).
    pub changed_by_other: bool,
    pub signed_out: bool,
    pub decision: Option<String>,
    pub comment: Option<String>,
    pub error: Option<String>,
}

/// A list of suggestions.
#[derive(Template)]
#[template(path = "suggestions.html")]
pub struct SuggestionsPage {
    pub layout: Layout,
    pub heading: String,
    pub rows: Vec<SuggestionRow>,
    pub states: Vec<Choice>,
    pub mine: bool,
    pub signed_in: bool,
    pub next: Option<String>,
    pub previous: Option<String>,
}

/// One notification on the notifications page.
#[derive(Debug, Clone)]
pub struct NotificationRow {
    pub text: String,
    pub link: String,
    pub when: String,
    pub iso: String,
    pub unread: bool,
}

/// The notifications page.
#[derive(Template)]
#[template(path = "notifications.html")]
pub struct NotificationsPage {
    pub layout: Layout,
    pub rows: Vec<NotificationRow>,
    pub older: Option<String>,
    /// The newest unread notification shown: the form marks up to it read.
    pub read_up_to: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(tag: char, text: &str) -> DiffLine {
        DiffLine {
            tag,
            text: text.to_owned(),
        }
    }

    #[test]
    fn long_unchanged_runs_fold() {
        let mut lines: Vec<DiffLine> = (0..20).map(|i| line(' ', &format!("l{i}"))).collect();
        lines.insert(10, line('-', "old"));
        lines.insert(11, line('+', "new"));
        let rows = diff_rows(&lines);
        let classes: Vec<&str> = rows.iter().map(|r| r.class).collect();
        assert_eq!(
            classes,
            [
                "folded", "kept", "kept", "kept", "removed", "added", "kept", "kept", "kept",
                "folded"
            ]
        );
        assert_eq!(rows[0].text, "… 7 unchanged lines");
        assert!(diff_rows(&[line(' ', "same")]).is_empty());
    }
}
