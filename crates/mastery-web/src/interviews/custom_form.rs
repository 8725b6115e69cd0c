//! The custom interview form: its fields, checking them against the guide (each mistake next
//! to its field) and turning them into a request.

use mastery_content::{Guide, Level};
use mastery_study::interview::lineup::{
    MAX_MINUTES_PER_QUESTION, MAX_QUESTIONS, MIN_MINUTES_PER_QUESTION,
};
use mastery_study::interview::{self as domain, Custom};

/// Validation errors of the custom form, per field.
#[derive(Debug, Clone, Default)]
pub struct FormErrors {
    pub questions: Option<String>,
    pub minutes: Option<String>,
    pub levels: Option<String>,
    pub sections: Option<String>,
    pub general: Option<String>,
}

impl FormErrors {
    pub(crate) fn is_empty(&self) -> bool {
        self.questions.is_none()
            && self.minutes.is_none()
            && self.levels.is_none()
            && self.sections.is_none()
            && self.general.is_none()
    }

    /// (field anchor, message) for the summary at the top of the form.
    pub fn summary(&self) -> Vec<(&'static str, String)> {
        [
            ("custom-levels", &self.levels),
            ("custom-sections", &self.sections),
            ("custom-questions", &self.questions),
            ("custom-minutes", &self.minutes),
            ("custom-title", &self.general),
        ]
        .into_iter()
        .filter_map(|(anchor, m)| m.clone().map(|m| (anchor, m)))
        .collect()
    }
}

/// The custom form as sent (or as first shown).
#[derive(Debug, Clone)]
pub(crate) struct CustomForm {
    pub(crate) levels: Vec<String>,
    pub(crate) sections: Vec<String>,
    pub(crate) questions: String,
    pub(crate) minutes: String,
}

impl Default for CustomForm {
    fn default() -> Self {
        Self {
            levels: Level::ALL.iter().map(|l| l.as_str().to_owned()).collect(),
            sections: Vec::new(),
            questions: "5".into(),
            minutes: "3".into(),
        }
    }
}

impl CustomForm {
    /// Checks every field, so the page can show every problem at once.
    pub(crate) fn validate(&self, guide: &Guide) -> Result<Custom, FormErrors> {
        let mut errors = FormErrors::default();
        let questions = match self.questions.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_QUESTIONS).contains(&n) => n,
            _ => {
                errors.questions = Some(format!(
                    "Number of questions: enter a whole number from 1 to {MAX_QUESTIONS}."
                ));
                0
            }
        };
        let minutes = match self.minutes.trim().parse::<u32>() {
            Ok(n) if (MIN_MINUTES_PER_QUESTION..=MAX_MINUTES_PER_QUESTION).contains(&n) => n,
            _ => {
                errors.minutes = Some(format!(
                    "Minutes per question: enter a whole number from \
                     {MIN_MINUTES_PER_QUESTION} to {MAX_MINUTES_PER_QUESTION}."
                ));
                0
            }
        };
        let mut levels = Vec::new();
        for name in &self.levels {
            match Level::parse(name) {
                Some(level) if !levels.contains(&level) => levels.push(level),
                Some(_) => {}
                None => {
                    errors.levels = Some("Levels: choose junior, confirmed or senior.".into());
                }
            }
        }
        let mut sections = Vec::new();
        for id in &self.sections {
            if !guide.sections.iter().any(|s| s.id.as_str() == id) {
                errors.sections = Some(format!(
                    "Sections: “{}” has no such section; reload the page.",
                    guide.title
                ));
            } else if !sections.contains(id) {
                sections.push(id.clone());
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let custom = Custom {
            levels,
            sections,
            questions,
            minutes_per_question: minutes,
        };
        match custom.lineup(guide, 0) {
            Ok(_) => Ok(custom),
            Err(domain::LineupError::NoMatchingQuestion) => Err(FormErrors {
                sections: Some(
                    "No question matches these levels and sections: check more levels or \
                     sections."
                        .into(),
                ),
                ..FormErrors::default()
            }),
            Err(e) => Err(FormErrors {
                general: Some(capitalise(&e.to_string())),
                ..FormErrors::default()
            }),
        }
    }
}

pub(crate) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}
