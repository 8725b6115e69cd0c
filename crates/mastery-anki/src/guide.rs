//! Anki notes (from a package or a text file) as a guide folder (`docs/guide-format.md`):
//! decks become sections, each note a question (its first field the title, the others
//! the answer, in Markdown), cloze notes questions whose answer is the text filled in,
//! `level::…` tags the level and the other tags the question's tags. A note exported from
//! Mastery ("Mastery Q&A") comes back with its id, key points and references.
//!
//! What cannot be carried over is counted in the [`Report`]: card templates and styling,
//! reverse cards, sounds, scripts, notes with nothing to ask or answer.

use std::collections::{BTreeMap, BTreeSet};

use mastery_content::import::names::{
    UniqueIds, front_matter_value, id_from, one_line, toml_string,
};
use mastery_content::{Id, Level};

use crate::export::{FIELDS, NOTE_TYPE};
use crate::html::{Converted, escape_text, to_markdown_in, to_text};
use crate::schedule::CardState;

/// One note read from Anki.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnkiNote {
    /// Its GUID, when known.
    pub guid: Option<String>,
    /// Its note type's name.
    pub notetype: String,
    /// Whether it is a cloze note.
    pub cloze: bool,
    /// The names of its fields.
    pub field_names: Vec<String>,
    /// Its fields' HTML.
    pub fields: Vec<String>,
    /// Its tags.
    pub tags: Vec<String>,
    /// Its deck (`A::B`), empty when none.
    pub deck: String,
    /// Where it comes from, for the report (`line 4`, `note 1690000000000`).
    pub origin: String,
    /// Its first card's state, when the package has scheduling.
    pub card: Option<CardState>,
    /// Its first card's review log (with `question` left empty).
    pub reviews: Vec<crate::schedule::Review>,
    /// Cards beyond the first (reverse cards, further clozes).
    pub extra_cards: usize,
}

/// Choices the importer cannot guess.
#[derive(Debug, Clone)]
pub struct Options {
    /// The guide's id; made from its title when `None`.
    pub id: Option<String>,
    /// The guide's title; the common top deck, else `name`, when `None`.
    pub title: Option<String>,
    /// The level of notes without a `level::…` tag.
    pub level: Level,
    /// The name of what is imported (a file name), for titles and messages.
    pub name: String,
}

/// A guide made from Anki notes.
#[derive(Debug, Clone, Default)]
pub struct Imported {
    /// The guide folder's files: path relative to it, and text.
    pub files: Vec<(String, String)>,
    /// Media files the questions show, to copy to `media/<name>`.
    pub media: Vec<String>,
    /// Each imported note's question id, by the note's index in the input.
    pub questions: BTreeMap<usize, String>,
    /// The guide's id.
    pub id: String,
    /// The guide's title.
    pub title: String,
    /// Each section written: its file, title and number of questions.
    pub sections: Vec<(String, String, usize)>,
    /// What could not be carried over, with counts.
    pub left_out: BTreeMap<String, usize>,
    /// Note types read, with their notes.
    pub note_types: BTreeMap<String, usize>,
}

/// Whether field HTML holds a cloze deletion (`{{c1::…}}`).
pub fn is_cloze_text(text: &str) -> bool {
    let mut rest = text;
    while let Some(at) = rest.find("{{c") {
        let after = &rest[at + 3..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with("::") {
            return true;
        }
        rest = after;
    }
    false
}

/// Cloze HTML with every deletion shown (`answer`) or hidden as `[…]` (or `[hint]`).
pub fn cloze(text: &str, answer: bool) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("{{c") {
        let after = &rest[at + 3..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        let body_start = digits + 2;
        if digits == 0 || !after[digits..].starts_with("::") {
            out.push_str(&rest[..at + 3]);
            rest = after;
            continue;
        }
        let Some(end) = after[body_start..].find("}}") else {
            break;
        };
        out.push_str(&rest[..at]);
        let body = &after[body_start..body_start + end];
        let (shown, hint) = match body.split_once("::") {
            Some((s, h)) => (s, Some(h)),
            None => (body, None),
        };
        if answer {
            out.push_str("<b>");
            out.push_str(shown);
            out.push_str("</b>");
        } else {
            out.push_str(&format!("[{}]", hint.unwrap_or("…")));
        }
        rest = &after[body_start + end + 2..];
    }
    out.push_str(rest);
    out
}

/// A deck path's parts (`A::B` → `["A", "B"]`), without empty ones.
fn deck_parts(deck: &str) -> Vec<String> {
    deck.split("::")
        .map(one_line)
        .filter(|p| !p.is_empty())
        .collect()
}

/// `01 Basics` → `Basics` (the numbering Mastery's export adds).
fn strip_number(title: &str) -> &str {
    let digits = title.chars().take_while(char::is_ascii_digit).count();
    if (1..=3).contains(&digits) && title[digits..].starts_with(' ') && title.len() > digits + 1 {
        title[digits + 1..].trim_start()
    } else {
        title
    }
}

struct Question {
    note: usize,
    title: String,
    id_hint: Option<String>,
    level: Level,
    tags: Vec<String>,
    answer: String,
    key_points: Vec<String>,
    references: Vec<(String, String)>,
}

/// Builds the guide.
pub fn to_guide(notes: &[AnkiNote], options: &Options) -> Imported {
    let mut out = Imported::default();
    let mut left_out: BTreeMap<String, usize> = BTreeMap::new();
    let mut count = |what: &str, n: usize| {
        if n > 0 {
            *left_out.entry(what.to_owned()).or_insert(0) += n;
        }
    };

    // The title: the top deck every note shares, else the name.
    let parts: Vec<Vec<String>> = notes.iter().map(|n| deck_parts(&n.deck)).collect();
    let common_top = parts
        .first()
        .and_then(|p| p.first())
        .filter(|top| parts.iter().all(|p| p.first() == Some(*top)))
        .cloned();
    let title = options
        .title
        .clone()
        .or_else(|| common_top.clone())
        .map(|t| one_line(&t))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| one_line(&options.name));
    let title = if title.is_empty() {
        "Imported from Anki".to_owned()
    } else {
        title
    };

    // Sections by deck (below the common top deck), in deck order.
    let mut sections: BTreeMap<String, Vec<Question>> = BTreeMap::new();
    let mut media: BTreeSet<String> = BTreeSet::new();
    for (index, note) in notes.iter().enumerate() {
        *out.note_types.entry(note.notetype.clone()).or_insert(0) += 1;
        count(
            "reverse and further cards of a note (one question per note)",
            note.extra_cards,
        );
        let Some(q) = question(index, note, options.level, &mut media, &mut count) else {
            continue;
        };
        let mut path = parts[index].clone();
        if common_top.is_some() && !path.is_empty() {
            path.remove(0);
        }
        let section = if path.is_empty() {
            common_top.clone().unwrap_or_else(|| "Questions".to_owned())
        } else {
            path.iter()
                .map(|p| strip_number(p).to_owned())
                .collect::<Vec<_>>()
                .join(" / ")
        };
        let key = parts[index].join("\u{1f}");
        sections
            .entry(format!("{key}\u{0}{section}"))
            .or_default()
            .push(q);
    }

    // Ids: unique across the guide.
    let guide_id = options
        .id
        .clone()
        .or_else(|| id_from(&title, 40))
        .or_else(|| id_from(&options.name, 40))
        .unwrap_or_else(|| "anki-import".to_owned());
    let mut ids = UniqueIds::default();
    let mut unique = |base: Option<String>, fallback: String| ids.unique(base, fallback);

    let mut files = vec![(
        "guide.toml".to_owned(),
        format!(
            "# Written by `mastery import` from {}; the format is in docs/guide-format.md.\n\
             id = {}\ntitle = {}\ndescription = {}\nversion = \"0.1.0\"\n\
             # Say whose text this is and under which licence:\n\
             # licence = \"CC-BY-SA-4.0\"\n# authors = [\"...\"]\n",
            one_line(&options.name),
            toml_string(&guide_id),
            toml_string(&title),
            toml_string(&format!(
                "Questions imported from the Anki file {}.",
                one_line(&options.name)
            )),
        ),
    )];
    let width = if sections.len() > 99 { 3 } else { 2 };
    let mut counter = 0;
    for (n, (key, questions)) in sections.into_iter().enumerate() {
        let section_title = key.split_once('\0').map_or("Questions", |(_, t)| t);
        let section_id = unique(id_from(section_title, 40), format!("section-{}", n + 1));
        let name = format!("{:0width$}-{section_id}.md", n + 1);
        let mut text = format!(
            "---\nid: {section_id}\ntitle: {}\n---\n\n",
            front_matter_value(section_title)
        );
        let written = questions.len();
        for q in questions {
            counter += 1;
            let id = unique(
                q.id_hint
                    .clone()
                    .filter(|h| Id::parse(h).is_ok())
                    .or_else(|| id_from(&q.title, 48)),
                format!("q-{counter}"),
            );
            out.questions.insert(q.note, id.clone());
            text.push_str(&format!("## {}\n\nid: {id}\nlevel: {}\n", q.title, q.level));
            if !q.tags.is_empty() {
                text.push_str(&format!("tags: {}\n", q.tags.join(", ")));
            }
            text.push('\n');
            text.push_str(&q.answer);
            text.push_str("\n\n");
            if !q.key_points.is_empty() {
                // Key points need the words that show an answer covered them, which Anki
                // does not have: they stay in the answer.
                text.push_str("#### Key points\n\n");
                for point in &q.key_points {
                    text.push_str(&format!("- {point}\n"));
                }
                text.push('\n');
            }
            if !q.references.is_empty() {
                text.push_str("### References\n\n");
                for (title, url) in &q.references {
                    text.push_str(&format!("- [{title}]({url})\n"));
                }
                text.push('\n');
            }
        }
        out.sections
            .push((name.clone(), section_title.to_owned(), written));
        files.push((name, text));
    }
    out.files = files;
    out.media = media.into_iter().collect();
    out.id = guide_id;
    out.title = title;
    out.left_out = left_out;
    out
}

/// The field named `name` (any case), if the note has it.
fn field<'a>(note: &'a AnkiNote, name: &str) -> Option<&'a str> {
    note.field_names
        .iter()
        .position(|n| n.eq_ignore_ascii_case(name))
        .and_then(|i| note.fields.get(i))
        .map(String::as_str)
}

fn markdown(
    html: &str,
    media: &mut BTreeSet<String>,
    count: &mut dyn FnMut(&str, usize),
) -> String {
    let (html, sounds) = strip_sounds(html);
    count("sounds ([sound:…] in a field)", sounds);
    let Converted {
        markdown,
        images,
        dropped,
    } = to_markdown_in(&html, "media/");
    for kind in dropped {
        count(&format!("<{kind}> elements in fields"), 1);
    }
    media.extend(images);
    markdown
}

/// `[sound:x.mp3]` references removed, and how many there were.
fn strip_sounds(html: &str) -> (String, usize) {
    let mut out = String::new();
    let mut rest = html;
    let mut n = 0;
    while let Some(at) = rest.find("[sound:") {
        let Some(end) = rest[at..].find(']') else {
            break;
        };
        out.push_str(&rest[..at]);
        rest = &rest[at + end + 1..];
        n += 1;
    }
    out.push_str(rest);
    (out, n)
}

/// A note as a question, or `None` (counted) when it has nothing to ask or answer.
fn question(
    index: usize,
    note: &AnkiNote,
    default_level: Level,
    media: &mut BTreeSet<String>,
    count: &mut dyn FnMut(&str, usize),
) -> Option<Question> {
    let ours = note.notetype == NOTE_TYPE
        && FIELDS
            .iter()
            .all(|f| note.field_names.iter().any(|n| n == f));
    let first = note.fields.first().map(String::as_str).unwrap_or("");
    let (title_html, mut answer_parts) = if note.cloze {
        let title = cloze(first, false);
        let filled = markdown(&cloze(first, true), media, count);
        (title, vec![filled])
    } else {
        let front = markdown(first, media, count);
        let single_line = !front.contains('\n') && !front.contains("![");
        let mut parts = Vec::new();
        if !single_line && !front.trim().is_empty() {
            parts.push(front);
        }
        (first.to_owned(), parts)
    };
    let title = escape_text(&to_text(&strip_sounds(&title_html).0));
    let title = one_line(&title);
    if title.is_empty() {
        count("notes whose first field has no text", 1);
        return None;
    }

    let mut key_points = Vec::new();
    let mut references = Vec::new();
    let mut id_hint = None;
    if ours {
        if let Some(answer) = field(note, "Answer") {
            answer_parts.push(markdown(answer, media, count));
        }
        for item in list_items(field(note, "Key points").unwrap_or("")) {
            let point = one_line(&markdown(&item, media, count));
            if !point.is_empty() {
                key_points.push(point);
            }
        }
        for item in list_items(field(note, "References").unwrap_or("")) {
            let md = markdown(&item, media, count);
            match web_link(&md) {
                Some(link) => references.push(link),
                None if !md.trim().is_empty() => answer_parts.push(md),
                None => {}
            }
        }
        id_hint = field(note, "Id").map(|id| to_text(id).trim().to_owned());
    } else {
        for (i, html) in note.fields.iter().enumerate().skip(1) {
            let md = markdown(html, media, count);
            if md.trim().is_empty() {
                continue;
            }
            let name = note
                .field_names
                .get(i)
                .map(|n| one_line(n))
                .unwrap_or_default();
            // The second field is the back (or a cloze's extra): no heading.
            let heading = i > 1;
            if heading && !name.is_empty() {
                answer_parts.push(format!("#### {}\n\n{md}", escape_text(&name)));
            } else {
                answer_parts.push(md);
            }
        }
    }
    let answer = answer_parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    if answer.trim().is_empty() {
        count("notes with no answer (only their first field has text)", 1);
        return None;
    }

    let mut level = None;
    let mut tags = Vec::new();
    for tag in &note.tags {
        if let Some(l) = tag
            .strip_prefix("level::")
            .or_else(|| tag.strip_prefix("Level::"))
            .and_then(Level::parse)
        {
            level = Some(l);
            continue;
        }
        if tag.eq_ignore_ascii_case("marked") || tag.eq_ignore_ascii_case("leech") {
            continue;
        }
        match id_from(&tag.replace("::", " "), 48) {
            Some(t) if !tags.contains(&t) => tags.push(t),
            Some(_) => {}
            None => count("tags with no letters or digits", 1),
        }
    }
    Some(Question {
        note: index,
        title,
        id_hint,
        level: level.unwrap_or(default_level),
        tags,
        answer,
        key_points,
        references,
    })
}

/// The `<li>` items of a field (the whole field when it has none).
fn list_items(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    if !lower.contains("<li") {
        return if html.trim().is_empty() {
            Vec::new()
        } else {
            vec![html.to_owned()]
        };
    }
    let mut items = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<li") {
        let start = from + at;
        let Some(open_end) = lower[start..].find('>') else {
            break;
        };
        let body = start + open_end + 1;
        let end = lower[body..]
            .find("</li")
            .or_else(|| lower[body..].find("<li"))
            .map_or(html.len(), |e| body + e);
        items.push(html[body..end].to_owned());
        from = end.max(body);
        if from >= html.len() {
            break;
        }
    }
    items
}

/// `[title](https://…)` alone → its title and address.
fn web_link(md: &str) -> Option<(String, String)> {
    let md = md.trim();
    let rest = md.strip_prefix('[')?;
    let close = rest.rfind("](")?;
    let (title, url) = (&rest[..close], rest[close + 2..].strip_suffix(')')?);
    (url.starts_with("https://") && !url.contains(char::is_whitespace) && !title.is_empty())
        .then(|| (title.to_owned(), url.to_owned()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use mastery_content::{GuideFiles, SourceFile, load_guide};
    use proptest::prelude::*;

    fn options() -> Options {
        Options {
            id: None,
            title: None,
            level: Level::Confirmed,
            name: "deck.apkg".to_owned(),
        }
    }

    fn basic(front: &str, back: &str, deck: &str, tags: &[&str]) -> AnkiNote {
        AnkiNote {
            notetype: "Basic".to_owned(),
            field_names: vec!["Front".to_owned(), "Back".to_owned()],
            fields: vec![front.to_owned(), back.to_owned()],
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            deck: deck.to_owned(),
            ..AnkiNote::default()
        }
    }

    fn load(imported: &Imported) -> mastery_content::Guide {
        let files = GuideFiles {
            root: "out".to_owned(),
            files: imported
                .files
                .iter()
                .map(|(p, t)| SourceFile {
                    path: p.clone(),
                    bytes: t.as_bytes().to_vec(),
                })
                .collect(),
        };
        let report = load_guide(&files);
        assert_eq!(
            report.error_count(),
            0,
            "{:#?}\n{:#?}",
            report.diagnostics,
            imported.files
        );
        report.guide.unwrap()
    }

    #[test]
    fn cloze_is_hidden_and_filled() {
        let text = "{{c1::Paris}} is the capital of {{c2::France::country}}";
        assert!(is_cloze_text(text));
        assert!(!is_cloze_text("{{Front}}"));
        assert_eq!(cloze(text, false), "[…] is the capital of [country]");
        assert_eq!(
            cloze(text, true),
            "<b>Paris</b> is the capital of <b>France</b>"
        );
    }

    #[test]
    fn decks_become_sections_and_the_guide_loads() {
        let notes = vec![
            basic(
                "What is <b>GIL</b>?",
                "A lock.<br><pre><code class=\"language-python\">print(1)</code></pre>",
                "Python::01 Core",
                &["level::senior", "python::threads"],
            ),
            basic(
                "Closures?",
                "<ul><li>one</li><li>two</li></ul>",
                "Python::02 Functions",
                &[],
            ),
            basic("", "orphan", "Python::02 Functions", &[]),
            AnkiNote {
                notetype: "Cloze".to_owned(),
                cloze: true,
                field_names: vec!["Text".to_owned(), "Back Extra".to_owned()],
                fields: vec![
                    "{{c1::Paris}} is in France [sound:a.mp3]".to_owned(),
                    "<img src=\"map.png\">".to_owned(),
                ],
                deck: "Python::02 Functions".to_owned(),
                ..AnkiNote::default()
            },
        ];
        let imported = to_guide(&notes, &options());
        assert_eq!(imported.title, "Python");
        assert_eq!(
            imported
                .sections
                .iter()
                .map(|s| s.1.as_str())
                .collect::<Vec<_>>(),
            ["Core", "Functions"]
        );
        assert_eq!(imported.media, ["map.png"]);
        assert_eq!(
            imported.left_out.get("notes whose first field has no text"),
            Some(&1)
        );
        assert_eq!(
            imported.left_out.get("sounds ([sound:…] in a field)"),
            Some(&1)
        );
        let guide = load(&imported);
        let (_, gil) = guide.question("what-is-gil").unwrap();
        assert_eq!(gil.level(), Some(Level::Senior));
        assert_eq!(
            gil.tags.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
            ["python-threads"]
        );
        assert!(
            gil.answer_html.contains("language-python"),
            "{}",
            gil.answer_html
        );
        let cloze_q = guide
            .questions()
            .find(|q| q.title.contains("is in France"))
            .unwrap();
        assert!(
            cloze_q.title_text.starts_with("[…] is in France"),
            "{}",
            cloze_q.title_text
        );
        assert!(
            cloze_q.answer_text.contains("Paris"),
            "{}",
            cloze_q.answer_text
        );
    }

    #[test]
    fn mastery_notes_come_back_with_their_ids_and_references() {
        let note = AnkiNote {
            notetype: NOTE_TYPE.to_owned(),
            field_names: FIELDS.iter().map(|f| (*f).to_owned()).collect(),
            fields: vec![
                "What is the GIL?".to_owned(),
                "<p>A lock.</p>".to_owned(),
                "<ul><li>one lock</li><li>per interpreter</li></ul>".to_owned(),
                "<ul><li><a href=\"https://docs.python.org/3/\">Docs</a></li></ul>".to_owned(),
                "gil".to_owned(),
            ],
            deck: "Guide::01 Basics".to_owned(),
            ..AnkiNote::default()
        };
        let imported = to_guide(&[note], &options());
        let guide = load(&imported);
        let (_, q) = guide.question("gil").unwrap();
        assert_eq!(q.references.len(), 1);
        assert!(q.answer_text.contains("per interpreter"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn any_notes_make_a_guide_that_loads(
            notes in proptest::collection::vec(
                ("[a-zA-Z0-9 <>/&;#{}:c*_\\[\\]`-]{0,30}", "[a-zA-Z0-9 <>/&;#{}:*_\\[\\]`\n-]{0,40}", "[A-Za-z: ]{0,12}", proptest::collection::vec("[a-z:]{0,8}", 0..3), any::<bool>()),
                1..8)
        ) {
            let notes: Vec<AnkiNote> = notes.into_iter().map(|(f, b, d, t, c)| {
                let mut n = basic(&f, &b, &d, &t.iter().map(String::as_str).collect::<Vec<_>>());
                n.cloze = c;
                n
            }).collect();
            let imported = to_guide(&notes, &options());
            if !imported.sections.is_empty() {
                let files = GuideFiles {
                    root: "out".to_owned(),
                    files: imported.files.iter().map(|(p, t)| SourceFile { path: p.clone(), bytes: t.as_bytes().to_vec() }).collect(),
                };
                let report = load_guide(&files);
                prop_assert_eq!(report.error_count(), 0, "{:#?}\n{:#?}", report.diagnostics, imported.files);
            }
        }
    }
}
