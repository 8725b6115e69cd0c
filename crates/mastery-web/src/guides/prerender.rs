//! The guide page, rendered once and filled in per request.
//!
//! A guide page holds every answer of the guide (hundreds of kilobytes of HTML that never
//! change) and a few dozen values that depend on the learner: which cards are ticked, the
//! progress numbers, the CSRF token, the theme. The page is rendered once per guide (per
//! loaded library) with a placeholder in each of those places, and split into text
//! segments and slots. A request then only computes the learner's values and copies the
//! segments into the response: no template work and no copies of answers per request.
//!
//! The gzip body is made the same way, without the HTML. Each text segment is compressed
//! once, as raw deflate blocks ending in a full flush (byte-aligned, referring to nothing
//! before them), with its CRC-32 and length; a request's gzip body is the gzip header, the
//! segments' blocks with each slot's value between them as a stored (uncompressed) block,
//! a final empty block and the trailer. The trailer's CRC-32 of the whole page is joined
//! from the segments' (crc(A‖B) = crc(A)·x^(8·|B|) mod P ⊕ crc(B), the multiplier kept per
//! segment) and the slots' values: copying half a megabyte, not compressing or checksumming
//! a megabyte, so a learner's page costs a fraction of a millisecond to send compressed
//! however often their data changes.
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
    Text(String, Deflated),
    Slot(Slot),
}

/// A text segment made ready for gzip bodies.
#[derive(Debug)]
struct Deflated {
    /// Raw deflate blocks ending in a full flush ([`deflate_alone`]).
    blocks: Vec<u8>,
    /// The CRC-32 of the text.
    crc: u32,
    /// x^(8·len) mod P for the text's length ([`crc::shift`]).
    shift: u32,
}

impl Deflated {
    fn of(text: &str) -> Self {
        Self {
            blocks: deflate_alone(text),
            crc: crc32fast::hash(text.as_bytes()),
            shift: crc::shift(text.len()),
        }
    }
}

/// CRC-32 (gzip's polynomial, bit-reflected) arithmetic for joining the checksums of
/// pieces: crc(A‖B) = crc(A)·x^(8·|B|) mod P ⊕ crc(B), as zlib's `crc32_combine`.
mod crc {
    const POLY: u32 = 0xEDB8_8320;

    /// a·b mod P.
    pub(super) fn multiply(a: u32, mut b: u32) -> u32 {
        let mut product = 0;
        let mut bit = 1_u32 << 31;
        while bit != 0 {
            if a & bit != 0 {
                product ^= b;
            }
            bit >>= 1;
            b = if b & 1 != 0 { (b >> 1) ^ POLY } else { b >> 1 };
        }
        product
    }

    /// x^(8·len) mod P: what a CRC is multiplied by when `len` more bytes follow.
    pub(super) fn shift(len: usize) -> u32 {
        let mut result = 1_u32 << 31; // x^0
        let mut power = 1_u32 << 23; // x^8
        let mut n = len;
        while n != 0 {
            if n & 1 != 0 {
                result = multiply(power, result);
            }
            power = multiply(power, power);
            n >>= 1;
        }
        result
    }

    /// The CRC of A‖B from crc(A), crc(B) and [`shift`] of |B|.
    pub(super) fn join(crc_a: u32, crc_b: u32, shift_b: u32) -> u32 {
        multiply(shift_b, crc_a) ^ crc_b
    }
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
                    let deflated = Deflated::of(&text);
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
        let deflated = Deflated::of(&text);
        segments.push(Segment::Text(text, deflated));
        Self { segments, text_len }
    }

    /// The page for one request.
    pub fn fill(&self, fill: &Fill<'_>) -> String {
        let mut out = String::with_capacity(self.text_len + 4096);
        for segment in &self.segments {
            match segment {
                Segment::Text(text, _) => out.push_str(text),
                Segment::Slot(slot) => push_slot(&mut out, *slot, fill),
            }
        }
        out
    }

    /// The page for one request, gzipped (see the module's docs), without making the HTML.
    pub fn gzip(&self, fill: &Fill<'_>) -> Vec<u8> {
        let blocks: usize = self
            .segments
            .iter()
            .map(|s| match s {
                Segment::Text(_, d) => d.blocks.len(),
                Segment::Slot(_) => 16,
            })
            .sum();
        let mut gz = Vec::with_capacity(blocks + 4096);
        gz.extend_from_slice(&GZIP_HEADER);
        let mut crc = 0_u32;
        let mut len = 0_usize;
        let mut value = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Text(text, deflated) => {
                    gz.extend_from_slice(&deflated.blocks);
                    crc = crc::join(crc, deflated.crc, deflated.shift);
                    len += text.len();
                }
                Segment::Slot(slot) => {
                    value.clear();
                    push_slot(&mut value, *slot, fill);
                    push_stored(&mut gz, value.as_bytes());
                    let mut hasher = crc32fast::Hasher::new_with_initial(crc);
                    hasher.update(value.as_bytes());
                    crc = hasher.finalize();
                    len += value.len();
                }
            }
        }
        gz.extend_from_slice(&FINAL_BLOCK);
        gz.extend_from_slice(&crc.to_le_bytes());
        // ISIZE: the length modulo 2^32.
        gz.extend_from_slice(&(len as u32).to_le_bytes());
        gz
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

    proptest::proptest! {
        /// Joined checksums equal the checksum of the joined bytes.
        #[test]
        fn joined_checksums_are_the_checksum_of_the_whole(
            a in proptest::collection::vec(proptest::num::u8::ANY, 0..3000),
            b in proptest::collection::vec(proptest::num::u8::ANY, 0..3000),
        ) {
            let whole = [a.as_slice(), b.as_slice()].concat();
            proptest::prop_assert_eq!(
                crc::join(crc32fast::hash(&a), crc32fast::hash(&b), crc::shift(b.len())),
                crc32fast::hash(&whole)
            );
        }
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
            let page = t.fill(&fill);
            proptest::prop_assert_eq!(&page, &expected);
            proptest::prop_assert_eq!(gunzip(&t.gzip(&fill)), page);
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
        let (page, gz) = (t.fill(&fill), t.gzip(&fill));
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
