//! The guide page, rendered once and filled in per request.
//!
//! A guide page holds every answer of the guide (hundreds of kilobytes of HTML that never
//! change) and a few dozen values that depend on the learner: which cards are ticked, the
//! progress numbers, the CSRF token, the theme. The page is rendered once per guide (per
//! loaded library) with a placeholder in each of those places, and split into text
//! segments and slots. A request then only computes the learner's values and copies the
//! segments into the response: no template work and no copies of answers per request.
//! `docs/performance.md` has the figures that motivated this.

use crate::guides::views::{Card, GuidePage, SectionView};

/// Placeholders are private-use characters around a random nonce chosen per render, so
/// guide text that happens to contain these characters can neither forge a placeholder nor
/// derail the split: a marker without the nonce is kept as text.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// A value that differs per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    ThemeAttr,
    NextTheme,
    Csrf,
    AccountNav,
    CardClass(usize),
    Pressed(usize),
    Verb(usize),
    NextValue(usize),
    SectionMastered(usize),
    SectionPercent(usize),
    GuideMastered,
    GuidePercent,
}

impl Slot {
    fn name(self) -> String {
        match self {
            Slot::ThemeAttr => "theme".into(),
            Slot::NextTheme => "next".into(),
            Slot::Csrf => "csrf".into(),
            Slot::AccountNav => "account".into(),
            Slot::CardClass(i) => format!("class:{i}"),
            Slot::Pressed(i) => format!("pressed:{i}"),
            Slot::Verb(i) => format!("verb:{i}"),
            Slot::NextValue(i) => format!("value:{i}"),
            Slot::SectionMastered(i) => format!("sm:{i}"),
            Slot::SectionPercent(i) => format!("sp:{i}"),
            Slot::GuideMastered => "gm".into(),
            Slot::GuidePercent => "gp".into(),
        }
    }

    fn parse(name: &str) -> Option<Self> {
        let (kind, index) = match name.split_once(':') {
            Some((k, i)) => (k, i.parse::<usize>().ok()),
            None => (name, None),
        };
        Some(match (kind, index) {
            ("theme", None) => Slot::ThemeAttr,
            ("next", None) => Slot::NextTheme,
            ("csrf", None) => Slot::Csrf,
            ("account", None) => Slot::AccountNav,
            ("gm", None) => Slot::GuideMastered,
            ("gp", None) => Slot::GuidePercent,
            ("class", Some(i)) => Slot::CardClass(i),
            ("pressed", Some(i)) => Slot::Pressed(i),
            ("verb", Some(i)) => Slot::Verb(i),
            ("value", Some(i)) => Slot::NextValue(i),
            ("sm", Some(i)) => Slot::SectionMastered(i),
            ("sp", Some(i)) => Slot::SectionPercent(i),
            _ => return None,
        })
    }

    fn placeholder(self, nonce: &str) -> String {
        format!("{OPEN}{nonce}:{}{CLOSE}", self.name())
    }
}

#[derive(Debug)]
enum Segment {
    Text(String),
    Slot(Slot),
}

/// What a request fills in.
#[derive(Debug)]
pub struct Fill<'a> {
    pub theme_attr: &'a str,
    pub next_theme: &'a str,
    pub csrf: &'a str,
    /// The header's account links ([`crate::layout::account_nav`]).
    pub account_nav: &'a str,
    /// Whether each card (by its index in guide order) is mastered.
    pub mastered: &'a [bool],
    /// (mastered, percent) per section, in order.
    pub sections: &'a [(usize, usize)],
    /// (mastered, percent) of the guide.
    pub guide: (usize, usize),
}

/// A guide page split into fixed text and per-request slots.
#[derive(Debug)]
pub struct PageTemplate {
    segments: Vec<Segment>,
    text_len: usize,
}

impl PageTemplate {
    /// Turns a page view into placeholders where the learner's values go. `page` must
    /// have been built with the real structure (sections and cards in guide order).
    pub fn prepare(page: &mut GuidePage, nonce: &str) {
        page.layout.theme_attr = Slot::ThemeAttr.placeholder(nonce);
        page.layout.next_theme = Slot::NextTheme.placeholder(nonce);
        page.layout.csrf = Slot::Csrf.placeholder(nonce);
        page.layout.account_nav = Slot::AccountNav.placeholder(nonce);
        page.mastered = Slot::GuideMastered.placeholder(nonce);
        page.percent = Slot::GuidePercent.placeholder(nonce);
        let mut index = 0;
        for (j, section) in page.sections.iter_mut().enumerate() {
            prepare_section(section, j, &mut index, nonce);
        }
    }

    /// Splits rendered HTML at its placeholders (those carrying `nonce`).
    pub fn split(html: &str, nonce: &str) -> Self {
        let mut segments = Vec::new();
        let mut text = String::new();
        let mut text_len = 0;
        let mut rest = html;
        let prefix = format!("{OPEN}{nonce}:");
        while let Some(start) = rest.find(&prefix) {
            let after = &rest[start + prefix.len()..];
            let slot = after
                .find(CLOSE)
                .and_then(|end| Slot::parse(&after[..end]).map(|slot| (slot, end)));
            match slot {
                Some((slot, end)) => {
                    text.push_str(&rest[..start]);
                    text_len += text.len();
                    segments.push(Segment::Text(std::mem::take(&mut text)));
                    segments.push(Segment::Slot(slot));
                    rest = &after[end + CLOSE.len_utf8()..];
                }
                None => {
                    // Not one of ours: keep it as text and look further.
                    text.push_str(&rest[..start + prefix.len()]);
                    rest = after;
                }
            }
        }
        text.push_str(rest);
        text_len += text.len();
        segments.push(Segment::Text(text));
        Self { segments, text_len }
    }

    /// The page for one request.
    pub fn fill(&self, fill: &Fill<'_>) -> String {
        let mut out = String::with_capacity(self.text_len + 4096);
        for segment in &self.segments {
            match segment {
                Segment::Text(text) => out.push_str(text),
                Segment::Slot(slot) => push_slot(&mut out, *slot, fill),
            }
        }
        out
    }
}

fn prepare_section(section: &mut SectionView, j: usize, index: &mut usize, nonce: &str) {
    section.mastered = Slot::SectionMastered(j).placeholder(nonce);
    section.percent = Slot::SectionPercent(j).placeholder(nonce);
    for card in &mut section.cards {
        prepare_card(card, *index, nonce);
        *index += 1;
    }
}

fn prepare_card(card: &mut Card, i: usize, nonce: &str) {
    card.state_class = Slot::CardClass(i).placeholder(nonce);
    card.pressed = Slot::Pressed(i).placeholder(nonce);
    card.verb = Slot::Verb(i).placeholder(nonce);
    card.next_value = Slot::NextValue(i).placeholder(nonce);
}

fn push_slot(out: &mut String, slot: Slot, fill: &Fill<'_>) {
    let mastered = |i: usize| fill.mastered.get(i).copied().unwrap_or(false);
    let section = |j: usize| fill.sections.get(j).copied().unwrap_or((0, 0));
    match slot {
        Slot::ThemeAttr => out.push_str(fill.theme_attr),
        Slot::NextTheme => out.push_str(fill.next_theme),
        Slot::Csrf => out.push_str(fill.csrf),
        Slot::AccountNav => out.push_str(fill.account_nav),
        Slot::CardClass(i) => out.push_str(if mastered(i) { " mastered" } else { "" }),
        Slot::Pressed(i) => out.push_str(if mastered(i) { "true" } else { "false" }),
        Slot::Verb(i) => out.push_str(if mastered(i) { "Unmark" } else { "Mark" }),
        Slot::NextValue(i) => out.push_str(if mastered(i) { "false" } else { "true" }),
        Slot::SectionMastered(j) => out.push_str(&section(j).0.to_string()),
        Slot::SectionPercent(j) => out.push_str(&section(j).1.to_string()),
        Slot::GuideMastered => out.push_str(&fill.guide.0.to_string()),
        Slot::GuidePercent => out.push_str(&fill.guide.1.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_round_trip() {
        for slot in [
            Slot::Csrf,
            Slot::CardClass(7),
            Slot::SectionPercent(12),
            Slot::GuideMastered,
        ] {
            assert_eq!(Slot::parse(&slot.name()), Some(slot));
        }
        assert_eq!(Slot::parse("class:x"), None);
    }

    #[test]
    fn guide_text_cannot_forge_or_break_placeholders() {
        let n = "secret";
        let forged = format!("{OPEN}csrf{CLOSE} {OPEN}other:csrf{CLOSE} {OPEN}");
        let html = format!(
            "<a href=\"{forged}\">x</a><b>{}</b>",
            Slot::Csrf.placeholder(n)
        );
        let t = PageTemplate::split(&html, n);
        let fill = Fill {
            theme_attr: "",
            next_theme: "dark",
            csrf: "TOKEN",
            account_nav: "",
            mastered: &[],
            sections: &[],
            guide: (0, 0),
        };
        let out = t.fill(&fill);
        assert_eq!(
            out,
            format!("<a href=\"{forged}\">x</a><b>TOKEN</b>"),
            "only the real placeholder is filled"
        );
    }

    #[test]
    fn splitting_and_filling() {
        let n = "n0nce";
        let html = format!(
            "<html{}><p class=\"card{}\" aria-pressed=\"{}\">{} {}/3 {}%</p>",
            Slot::ThemeAttr.placeholder(n),
            Slot::CardClass(1).placeholder(n),
            Slot::Pressed(1).placeholder(n),
            Slot::Verb(1).placeholder(n),
            Slot::GuideMastered.placeholder(n),
            Slot::GuidePercent.placeholder(n)
        );
        let t = PageTemplate::split(&html, n);
        let fill = Fill {
            theme_attr: " data-theme=\"dark\"",
            next_theme: "light",
            csrf: "t",
            account_nav: "",
            mastered: &[false, true],
            sections: &[],
            guide: (1, 33),
        };
        assert_eq!(
            t.fill(&fill),
            "<html data-theme=\"dark\"><p class=\"card mastered\" aria-pressed=\"true\">Unmark 1/3 33%</p>"
        );
        let fill = Fill {
            mastered: &[false, false],
            theme_attr: "",
            guide: (0, 0),
            ..fill
        };
        assert_eq!(
            t.fill(&fill),
            "<html><p class=\"card\" aria-pressed=\"false\">Mark 0/3 0%</p>"
        );
    }
}
