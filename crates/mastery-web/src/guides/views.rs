//! What the home, guide and question pages show, as plain values for their askama
//! templates.

use askama::Template;

use crate::layout::Layout;

#[derive(Debug, Clone)]
pub struct GuideCard {
    pub url: String,
    pub title: String,
    pub subtitle: String,
    pub description: String,
    pub sections: usize,
    pub mastered: usize,
    pub total: usize,
    pub percent: usize,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub layout: Layout,
    pub guides: Vec<GuideCard>,
}

#[derive(Debug, Clone)]
pub struct Card {
    pub id: String,
    pub url: String,
    pub title_html: String,
    pub title_text: String,
    pub level: Option<&'static str>,
    pub tags: Vec<String>,
    pub answer_html: String,
    pub insight: bool,
    /// ` mastered` or empty: the card's extra class.
    pub state_class: String,
    /// `true` or `false`: the check button's `aria-pressed`.
    pub pressed: String,
    /// `Mark` or `Unmark`: the start of the button's accessible name.
    pub verb: String,
    /// What the no-JavaScript form sends: the opposite of the current state.
    pub next_value: String,
    pub mark_url: String,
}

#[derive(Debug, Clone)]
pub struct SectionView {
    pub number: usize,
    pub id: String,
    pub title: String,
    pub intro_html: String,
    pub mastered: String,
    pub total: usize,
    pub percent: String,
    pub cards: Vec<Card>,
}

#[derive(Template)]
#[template(path = "guide.html")]
pub struct GuidePage {
    pub layout: Layout,
    pub id: String,
    pub title: String,
    pub subtitle: String,
    pub description: String,
    pub intro_html: String,
    pub mastered: String,
    pub total: usize,
    pub percent: String,
    pub sections: Vec<SectionView>,
}

#[derive(Debug, Clone)]
pub struct Link {
    pub url: String,
    pub title: String,
}

impl Link {
    /// An entry's references, as links (the question page and the static site's).
    pub(crate) fn references(entry: &mastery_content::Entry) -> Vec<Link> {
        entry
            .references
            .iter()
            .map(|r| Link {
                url: r.url.clone(),
                title: r.title.clone(),
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "question.html")]
pub struct QuestionPage {
    pub layout: Layout,
    pub guide_url: String,
    pub guide_title: String,
    pub section_number: usize,
    pub section_title: String,
    pub section_url: String,
    pub card: Card,
    pub key_points: Vec<String>,
    pub references: Vec<Link>,
    pub follow_ups: Vec<Link>,
    pub prev: Option<Link>,
    pub next: Option<Link>,
    pub note_body: String,
    pub note_html: String,
    pub note_url: String,
    pub note_limit: usize,
    /// Multi-user mode, nobody signed in: no note form, a sign-in link instead.
    pub signed_out: bool,
    /// This page's path, for coming back after signing in.
    pub sign_in_next: String,
    /// The question's discussion (multi-user mode).
    pub discussion: Option<crate::community::views::DiscussionBlock>,
}
