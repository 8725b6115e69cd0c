//! What the settings page shows.

use askama::Template;

use crate::guides::views::Link;
use crate::layout::{Choice, Layout};

#[derive(Debug, Clone)]
pub struct Orphan {
    pub guide: String,
    pub question: String,
    pub what: String,
}

#[derive(Template)]
#[template(path = "settings.html")]
pub struct SettingsPage {
    pub layout: Layout,
    pub theme_choices: Vec<Choice>,
    pub database: String,
    pub orphans: Vec<Orphan>,
    pub guides: Vec<Link>,
    pub study: StudySettingsView,
    /// What the last backup restore did, right after it.
    pub restored: String,
    /// The largest backup the upload form takes, in MiB.
    pub upload_limit_mib: usize,
}

/// The study part of the settings page.
#[derive(Debug, Clone, Default)]
pub struct StudySettingsView {
    pub desired_retention: String,
    pub new_per_day: u32,
    pub reviews_per_day: u32,
    pub day_start_hour: u8,
    pub utc_offset_minutes: i32,
    pub interview_date: String,
    pub training_reviews: usize,
    pub min_reviews: usize,
    pub personal_parameters: bool,
    pub last_fit: String,
}
