//! The guide page, rendered once and filled in per request.
//!
//! A guide page holds every answer of the guide (hundreds of kilobytes of HTML that never
//! change) and a few dozen values that depend on the learner: which cards are ticked, the
//! progress numbers, the CSRF token, the theme. The page is rendered once per guide (per
//! loaded library) with a placeholder in each of those places, and split into text
//! segments and slots. A request then only computes the learner's values and copies the
//! segments into the response: no template work and no copies of answers per request.
//!
//! The gzip copy is made the same way. Each text segment is compressed once, as raw
//! deflate blocks ending in a full flush (byte-aligned, referring to nothing before them),
//! and a request's gzip body is the gzip header, the segments' blocks with each slot's
//! value between them as a stored (uncompressed) block, a final empty block and the
//! trailer (CRC-32 and length of the HTML): copying, not compressing, so a learner's page
//! costs well under a millisecond to send compressed however often their data changes.
//! The body is one ordinary deflate stream (RFC 1951 §3.2.4 stored blocks, RFC 1952
//! member), which every gzip decoder reads. `docs/performance.md` has the figures that
//! motivated this.

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
    /// Fixed text, and its raw deflate blocks (ending in a full flush).
    Text(String, Vec<u8>),
    Slot(Slot),
}

/// The gzip member header (RFC 1952 §2.3): deflate, no flags, no time, unknown system.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

/// A final, empty stored block: ends the deflate stream.
const FINAL_BLOCK: [u8; 5] = [0x01, 0x00, 0x00, 0xff, 0xff];

/// `text` as raw deflate blocks that end byte-aligned and refer to nothing before them
/// (a full flush), so they can be put anywhere in a stream between other such blocks.
fn deflate_alone(text: &str) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let mut out = Vec::with_capacity(text.len() / 3 + 64);
    if text.is_empty() {
        return out;
    }
    let mut compress = Compress::new(Compression::new(6), false);
    let input = text.as_bytes();
    loop {
        let read = usize::try_from(compress.total_in()).unwrap_or(usize::MAX);
        let rest = input.get(read..).unwrap_or_default();
        out.reserve(1024 + rest.len() / 2);
        if compress
            .compress_vec(rest, &mut out, FlushCompress::Full)
            .is_err()
        {
            // Cannot happen with a fresh compressor and room to write; the segment then
            // goes as stored blocks, which is still a valid stream.
            out.clear();
            push_stored(&mut out, input);
            return out;
        }
        // The flush is complete once all input is in and the compressor stopped short
        // of the room it had (it writes only into spare capacity).
        let read = usize::try_from(compress.total_in()).unwrap_or(usize::MAX);
        if read >= input.len() && out.len() < out.capacity() {
            return out;
        }
    }
}

/// `bytes` as stored (uncompressed, non-final) deflate blocks of at most 65,535 bytes.
fn push_stored(out: &mut Vec<u8>, bytes: &[u8]) {
    for chunk in bytes.chunks(usize::from(u16::MAX)) {
        let len = u16::try_from(chunk.len()).unwrap_or(u16::MAX);
        out.push(0x00);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
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
                    let deflated = deflate_alone(&text);
                    segments.push(Segment::Text(std::mem::take(&mut text), deflated));
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
        let deflated = deflate_alone(&text);
        segments.push(Segment::Text(text, deflated));
        Self { segments, text_len }
    }

    /// The page for one request.
    #[cfg(test)]
    fn fill(&self, fill: &Fill<'_>) -> String {
        self.fill_with_gzip(fill).0
    }

    /// The page for one request, and the same page gzipped (see the module's docs).
    pub fn fill_with_gzip(&self, fill: &Fill<'_>) -> (String, Vec<u8>) {
        let mut html = String::with_capacity(self.text_len + 4096);
        let deflated: usize = self
            .segments
            .iter()
            .map(|s| match s {
                Segment::Text(_, d) => d.len(),
                Segment::Slot(_) => 8,
            })
            .sum();
        let mut gz = Vec::with_capacity(deflated + 4096);
        gz.extend_from_slice(&GZIP_HEADER);
        for segment in &self.segments {
            match segment {
                Segment::Text(text, deflated) => {
                    html.push_str(text);
                    gz.extend_from_slice(deflated);
                }
                Segment::Slot(slot) => {
                    let start = html.len();
                    push_slot(&mut html, *slot, fill);
                    push_stored(&mut gz, &html.as_bytes()[start..]);
                }
            }
        }
        gz.extend_from_slice(&FINAL_BLOCK);
        let mut crc = flate2::Crc::new();
        crc.update(html.as_bytes());
        gz.extend_from_slice(&crc.sum().to_le_bytes());
        // ISIZE: the length modulo 2^32.
        gz.extend_from_slice(&(html.len() as u32).to_le_bytes());
        (html, gz)
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

    fn gunzip(gz: &[u8]) -> String {
        use std::io::Read as _;
        let mut out = String::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_string(&mut out)
            .unwrap();
        out
    }

    proptest::proptest! {
        /// Whatever the text around the slots and the values in them (empty, long, past
        /// the 65,535 bytes of one stored block), the spliced gzip body decodes to exactly
        /// the filled page.
        #[test]
        fn the_spliced_gzip_is_the_filled_page(
            texts in proptest::collection::vec(".{0,300}", 4),
            mastered in proptest::collection::vec(proptest::bool::ANY, 2),
            nav_len in proptest::sample::select(vec![0_usize, 5, 70_000]),
            csrf in "[a-z0-9]{0,40}",
        ) {
            let n = "n0nce";
            let html = format!(
                "{}{}{}<b class=\"card{}\">{}</b>{}{}",
                texts[0],
                Slot::AccountNav.placeholder(n),
                texts[1],
                Slot::CardClass(1).placeholder(n),
                Slot::Csrf.placeholder(n),
                texts[2].repeat(50),
                Slot::GuidePercent.placeholder(n),
            ) + &texts[3];
            let t = PageTemplate::split(&html, n);
            let nav = "é".repeat(nav_len / 2);
            let fill = Fill {
                theme_attr: "",
                next_theme: "dark",
                csrf: &csrf,
                account_nav: &nav,
                mastered: &mastered,
                sections: &[],
                guide: (1, 50),
            };
            let expected = html
                .replace(&Slot::AccountNav.placeholder(n), &nav)
                .replace(
                    &Slot::CardClass(1).placeholder(n),
                    if mastered[1] { " mastered" } else { "" },
                )
                .replace(&Slot::Csrf.placeholder(n), &csrf)
                .replace(&Slot::GuidePercent.placeholder(n), "50");
            let (page, gz) = t.fill_with_gzip(&fill);
            proptest::prop_assert_eq!(&page, &expected);
            proptest::prop_assert_eq!(gunzip(&gz), page);
        }
    }

    #[test]
    fn the_spliced_gzip_of_a_big_page_is_small() {
        let n = "n";
        let answer = "<p>The GIL lets one thread run Python bytecode at a time; \
                      <code>threading</code> still helps with I/O.</p>"
            .repeat(20);
        let mut html = String::new();
        for i in 0..300 {
            html.push_str(&format!(
                "<article class=\"card{}\">{answer}</article>",
                Slot::CardClass(i).placeholder(n)
            ));
        }
        let t = PageTemplate::split(&html, n);
        let mastered: Vec<bool> = (0..300).map(|i| i % 3 == 0).collect();
        let fill = Fill {
            theme_attr: "",
            next_theme: "dark",
            csrf: "t",
            account_nav: "",
            mastered: &mastered,
            sections: &[],
            guide: (100, 33),
        };
        let (page, gz) = t.fill_with_gzip(&fill);
        assert_eq!(gunzip(&gz), page);
        assert!(gz.len() * 5 < page.len(), "{} of {}", gz.len(), page.len());
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
