//! The pages of the static site and what they show. Every URL is relative to the page:
//! `root` is `""` for the pages at the site's root and `"../"` for question pages.

use askama::Template;
use mastery_content::{Entry, Guide, Section};

use super::{SiteError, relative_links};
use crate::guides::views::Link;

/// The frame every static page shares.
#[derive(Debug, Clone)]
pub(crate) struct SiteLayout {
    pub(crate) title: String,
    pub(crate) guide_title: String,
    /// `""` or `"../"`: the way back to the site's root.
    pub(crate) root: String,
    pub(crate) footer: String,
    /// Whether the page loads the search index.
    pub(crate) search: bool,
}

/// One question or insight, with every URL relative to the page it is shown on.
#[derive(Debug, Clone)]
pub(crate) struct EntryView {
    pub(crate) id: String,
    pub(crate) url: String,
    pub(crate) title_html: String,
    pub(crate) level: Option<String>,
    pub(crate) insight: bool,
    pub(crate) tags: Vec<String>,
    pub(crate) answer_html: String,
    pub(crate) key_points: Vec<String>,
    pub(crate) references: Vec<Link>,
    pub(crate) follow_ups: Vec<Link>,
}

/// One section with its entries.
#[derive(Debug, Clone)]
pub(crate) struct SectionView {
    pub(crate) id: String,
    pub(crate) number: usize,
    pub(crate) title: String,
    pub(crate) intro_html: String,
    pub(crate) entries: Vec<EntryView>,
    pub(crate) questions: usize,
}

#[derive(Template)]
#[template(path = "site_home.html")]
pub(crate) struct HomePage {
    pub(crate) layout: SiteLayout,
    pub(crate) subtitle: String,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) intro_html: String,
    pub(crate) questions: usize,
    pub(crate) sections: Vec<SectionView>,
    pub(crate) first: Option<Link>,
}

#[derive(Template)]
#[template(path = "site_guide.html")]
pub(crate) struct GuidePage {
    pub(crate) layout: SiteLayout,
    pub(crate) subtitle: String,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) sections: Vec<SectionView>,
}

#[derive(Template)]
#[template(path = "site_question.html")]
pub(crate) struct QuestionPage {
    pub(crate) layout: SiteLayout,
    pub(crate) section_title: String,
    pub(crate) section_number: usize,
    pub(crate) section_url: String,
    pub(crate) entry: EntryView,
    /// The side panel (`_question_side.html`, shared with the server's question page).
    pub(crate) key_points: Vec<String>,
    pub(crate) follow_ups: Vec<Link>,
    pub(crate) references: Vec<Link>,
    pub(crate) prev: Option<Link>,
    pub(crate) next: Option<Link>,
}

#[derive(Template)]
#[template(path = "site_print.html")]
pub(crate) struct PrintPage {
    pub(crate) layout: SiteLayout,
    pub(crate) subtitle: String,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) intro_html: String,
    pub(crate) sections: Vec<SectionView>,
}

#[derive(Template)]
#[template(path = "site_search.html")]
pub(crate) struct SearchPage {
    pub(crate) layout: SiteLayout,
    pub(crate) sections: Vec<SectionView>,
}

fn layout(guide: &Guide, title: &str, root: &str, search: bool) -> SiteLayout {
    let mut footer = format!("{} {}", guide.title, guide.version);
    if let Some(licence) = &guide.licence {
        footer.push_str(&format!(" · {licence}"));
    }
    if !guide.authors.is_empty() {
        footer.push_str(&format!(" · {}", guide.authors.join(", ")));
    }
    SiteLayout {
        title: title.to_owned(),
        guide_title: guide.title.clone(),
        root: root.to_owned(),
        footer,
        search,
    }
}

/// An entry as shown on a page whose question pages are at `prefix<id>.html`.
fn entry_view(guide: &Guide, entry: &Entry, prefix: &str) -> EntryView {
    let guide_id = guide.id.as_str();
    EntryView {
        id: entry.id.to_string(),
        url: format!("{prefix}{}.html", entry.id),
        title_html: entry.title_html.clone(),
        level: entry.level().map(|l| l.to_string()),
        insight: entry.level().is_none(),
        tags: entry.tags.iter().map(ToString::to_string).collect(),
        answer_html: relative_links(&entry.answer_html, guide_id, prefix),
        key_points: entry.key_points.iter().map(|k| k.html.clone()).collect(),
        references: Link::references(entry),
        follow_ups: entry
            .follow_ups
            .iter()
            .filter_map(|id| guide.entry(id.as_str()))
            .map(|e| Link {
                url: format!("{prefix}{}.html", e.id),
                title: e.title_text.clone(),
            })
            .collect(),
    }
}

fn section_views(guide: &Guide, prefix: &str) -> Vec<SectionView> {
    guide
        .sections
        .iter()
        .enumerate()
        .map(|(i, s): (usize, &Section)| SectionView {
            id: s.id.to_string(),
            number: i + 1,
            title: s.title.clone(),
            intro_html: s
                .intro_html
                .as_deref()
                .map(|h| relative_links(h, guide.id.as_str(), prefix))
                .unwrap_or_default(),
            entries: s
                .entries
                .iter()
                .map(|e| entry_view(guide, e, prefix))
                .collect(),
            questions: s.questions().count(),
        })
        .collect()
}

fn render<T: Template>(page: &str, template: &T) -> Result<(String, Vec<u8>), SiteError> {
    let html = template.render().map_err(|source| SiteError {
        page: page.to_owned(),
        source,
    })?;
    Ok((page.to_owned(), html.into_bytes()))
}

/// Every page of the site.
pub(super) fn render_all(guide: &Guide) -> Result<Vec<(String, Vec<u8>)>, SiteError> {
    let intro_html = guide
        .intro_html
        .as_deref()
        .map(|h| relative_links(h, guide.id.as_str(), "q/"))
        .unwrap_or_default();
    let subtitle = guide.subtitle.clone().unwrap_or_default();
    let root_sections = section_views(guide, "q/");
    let mut files = Vec::new();
    let entries: Vec<(&Section, &Entry)> = guide
        .sections
        .iter()
        .flat_map(|s| s.entries.iter().map(move |e| (s, e)))
        .collect();
    files.push(render(
        "index.html",
        &HomePage {
            layout: layout(guide, "Home", "", false),
            subtitle: subtitle.clone(),
            title: guide.title.clone(),
            description: guide.description.clone(),
            intro_html: intro_html.clone(),
            questions: guide.questions().count(),
            sections: root_sections.clone(),
            first: entries.first().map(|(_, e)| Link {
                url: format!("q/{}.html", e.id),
                title: e.title_text.clone(),
            }),
        },
    )?);
    files.push(render(
        "guide.html",
        &GuidePage {
            layout: layout(guide, "Guide", "", false),
            subtitle: subtitle.clone(),
            title: guide.title.clone(),
            description: guide.description.clone(),
            sections: root_sections.clone(),
        },
    )?);
    files.push(render(
        "print.html",
        &PrintPage {
            layout: layout(guide, "The whole guide", "", false),
            subtitle,
            title: guide.title.clone(),
            description: guide.description.clone(),
            intro_html,
            sections: root_sections.clone(),
        },
    )?);
    files.push(render(
        "search.html",
        &SearchPage {
            layout: layout(guide, "Search", "", true),
            sections: root_sections,
        },
    )?);
    let link = |e: &Entry| Link {
        url: format!("{}.html", e.id),
        title: e.title_text.clone(),
    };
    for (i, (section, entry)) in entries.iter().enumerate() {
        let number = guide
            .sections
            .iter()
            .position(|s| s.id == section.id)
            .map_or(1, |n| n + 1);
        let view = entry_view(guide, entry, "");
        let page = QuestionPage {
            layout: layout(guide, &entry.title_text, "../", false),
            section_title: section.title.clone(),
            section_number: number,
            section_url: format!("../guide.html#{}", section.id),
            key_points: view.key_points.clone(),
            follow_ups: view.follow_ups.clone(),
            references: view.references.clone(),
            entry: view,
            prev: i
                .checked_sub(1)
                .and_then(|p| entries.get(p))
                .map(|(_, e)| link(e)),
            next: entries.get(i + 1).map(|(_, e)| link(e)),
        };
        files.push(render(&format!("q/{}.html", entry.id), &page)?);
    }
    Ok(files)
}
