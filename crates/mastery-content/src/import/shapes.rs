//! Recognising the shapes of question lists in one scanned file: questions as headings
//! followed by answers (with the heading level chosen by how many headings read as
//! questions, and by what a table of contents points at), `<details><summary>` blocks,
//! numbered or bulleted lists of questions with indented answers, bold `**Q?**`
//! paragraphs, and a whole file as one question. Headings deeper than the questions', and
//! `#` lines in code, stay inside answers.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Tag, TagEnd};

use super::scan::{Block, Kind, Scanned};
use super::text::{
    github_slug, humanize, is_answer_summary, is_contents_heading, labelled, question_score,
};

/// A piece of Markdown to carry over: a block (or the rest of a paragraph), its events and
/// the column its lines are indented to.
#[derive(Debug, Clone)]
pub(super) struct Part {
    pub(super) range: Range<usize>,
    pub(super) ev: Range<usize>,
    pub(super) indent: usize,
    pub(super) kind: Kind,
}

/// Where a question's title comes from.
#[derive(Debug, Clone)]
pub(super) enum Title {
    /// Inline Markdown in the file.
    Source(Part),
    /// Plain text (a `<summary>`, a file name).
    Text(String),
}

/// A question as found.
#[derive(Debug, Clone)]
pub(super) struct Question {
    pub(super) line: usize,
    pub(super) start: usize,
    pub(super) title: Title,
    pub(super) answer: Vec<Part>,
    /// The heading level of the questions of its file, to re-level headings in answers.
    pub(super) level: Option<u8>,
    /// Anchors that point at it (GitHub's anchor of its heading, explicit ones).
    pub(super) anchors: Vec<String>,
}

/// A section as found: a heading above the questions, or the file itself (`title` None).
#[derive(Debug, Clone)]
pub(super) struct Section {
    pub(super) title: Option<String>,
    pub(super) intro: Vec<Part>,
    pub(super) questions: Vec<Question>,
}

/// A block left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The file, relative to the import root.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// Why, in words.
    pub why: String,
}

/// What one file holds.
#[derive(Debug, Clone)]
pub(super) struct FileFound {
    /// Content before its first section or question.
    pub(super) preamble: Vec<Part>,
    /// The text of its first `#` heading, if it opens the file.
    pub(super) h1: Option<String>,
    pub(super) sections: Vec<Section>,
    pub(super) skipped: Vec<Skipped>,
    /// What was guessed, in words.
    pub(super) guess: String,
}

/// Finds the questions of one file. `alone` is false for a README among other files,
/// which is then never taken whole as one question (it introduces them).
pub(super) fn find(s: &Scanned, alone: bool) -> FileFound {
    let toc = toc_anchors(s);
    let level = question_level(s, &toc);
    let found = Walker::new(s, level).run();
    if found.sections.iter().any(|sec| !sec.questions.is_empty()) {
        return found;
    }
    // Nothing that reads as a question: headings with text under them are topics asked
    // about, and a file with one heading (or none) is one question.
    if let Some(level) = topic_level(s)
        && Some(level) != level_of(&found)
    {
        let mut again = Walker::new(s, Some(level)).run();
        if again.sections.iter().any(|sec| !sec.questions.is_empty()) {
            again.guess = format!(
                "no heading reads as a question: each {} heading with text under it is one",
                hashes(level)
            );
            return again;
        }
    }
    if alone { whole_file(s, found) } else { found }
}

fn level_of(found: &FileFound) -> Option<u8> {
    found
        .sections
        .iter()
        .flat_map(|s| &s.questions)
        .find_map(|q| q.level)
}

fn hashes(level: u8) -> String {
    "#".repeat(usize::from(level))
}

/// The anchors (`#x`) the file's tables of contents point at.
fn toc_anchors(s: &Scanned) -> HashSet<String> {
    let mut out = HashSet::new();
    for block in &s.blocks {
        if block.kind == Kind::List && is_toc(s, block) {
            for (event, _) in s.events.get(block.ev.clone()).unwrap_or(&[]) {
                if let Event::Start(Tag::Link { dest_url, .. }) = event
                    && let Some(anchor) = dest_url.strip_prefix('#')
                {
                    out.insert(anchor.to_lowercase());
                }
            }
        }
    }
    out
}

/// Whether a list is a table of contents: mostly links to anchors or to Markdown files,
/// with little text outside them.
pub(super) fn is_toc(s: &Scanned, list: &Block) -> bool {
    let (mut items, mut links, mut link_text, mut other_text) = (0usize, 0usize, 0usize, 0usize);
    let mut in_link = 0usize;
    for (event, _) in s.events.get(list.ev.clone()).unwrap_or(&[]) {
        match event {
            Event::Start(Tag::Item) => items += 1,
            Event::Start(Tag::Link {
                dest_url,
                link_type,
                ..
            }) => {
                in_link += 1;
                let dest = dest_url.to_lowercase();
                if !matches!(link_type, LinkType::Autolink | LinkType::Email)
                    && (dest.starts_with('#') || dest.contains(".md"))
                {
                    links += 1;
                }
            }
            Event::End(TagEnd::Link) => in_link = in_link.saturating_sub(1),
            Event::Text(t) | Event::Code(t) => {
                let n = t.chars().filter(|c| c.is_alphanumeric()).count();
                if in_link > 0 {
                    link_text += n;
                } else {
                    other_text += n;
                }
            }
            _ => {}
        }
    }
    links >= 2 && links * 10 >= items * 7 && other_text * 4 <= link_text
}

/// The heading level of the questions: the level whose headings read most as questions
/// (and that the table of contents points at), if any does.
fn question_level(s: &Scanned, toc: &HashSet<String>) -> Option<u8> {
    let mut scores = [0f32; 7];
    let mut slugs: HashMap<String, usize> = HashMap::new();
    for block in &s.blocks {
        let Kind::Heading(level) = block.kind else {
            continue;
        };
        let text = s.plain(&block.ev);
        let slug = unique_slug(&mut slugs, &text);
        if is_contents_heading(&text) {
            continue;
        }
        let mut score = question_score(&text);
        if toc.contains(&slug) {
            score += 2.0;
        }
        if let Some(total) = scores.get_mut(usize::from(level)) {
            *total += score;
        }
    }
    let (best, score) =
        scores.iter().enumerate().fold(
            (0usize, 0f32),
            |(bl, bs), (l, s)| if *s > bs { (l, *s) } else { (bl, bs) },
        );
    (score >= 1.0).then(|| u8::try_from(best).unwrap_or(2))
}

/// The deepest level with at least two headings that have text under them.
fn topic_level(s: &Scanned) -> Option<u8> {
    let mut counts = [0usize; 7];
    for (i, block) in s.blocks.iter().enumerate() {
        if let Kind::Heading(level) = block.kind {
            let has_text = s
                .blocks
                .get(i + 1)
                .is_some_and(|next| !matches!(next.kind, Kind::Heading(l) if l <= level));
            if has_text && !is_contents_heading(&s.plain(&block.ev)) {
                counts[usize::from(level).min(6)] += 1;
            }
        }
    }
    (1..=6u8).rev().find(|l| counts[usize::from(*l)] >= 2)
}

/// GitHub's anchor for a heading, with `-1`, `-2` for repeats in the same file.
fn unique_slug(seen: &mut HashMap<String, usize>, text: &str) -> String {
    let slug = github_slug(text);
    let n = seen.entry(slug.clone()).or_insert(0);
    let out = if *n == 0 {
        slug.clone()
    } else {
        format!("{slug}-{n}")
    };
    *n += 1;
    out
}

/// The file as one question (its only top heading is the question, or its name is).
fn whole_file(s: &Scanned, mut found: FileFound) -> FileFound {
    let blocks: Vec<&Block> = s
        .blocks
        .iter()
        .filter(|b| !matches!(b.kind, Kind::DetailsOpen(_) | Kind::DetailsClose))
        .collect();
    let first_heading = blocks
        .first()
        .filter(|b| matches!(b.kind, Kind::Heading(_)));
    let (title, rest, level, guess) = match first_heading {
        Some(h) => {
            let Kind::Heading(level) = h.kind else {
                return found;
            };
            let others_shallower = blocks
                .iter()
                .skip(1)
                .any(|b| matches!(b.kind, Kind::Heading(l) if l <= level));
            if others_shallower {
                return found;
            }
            (
                Title::Source(heading_title(s, h)),
                &blocks[1..],
                Some(level),
                format!(
                    "the whole file is one question (its {} heading)",
                    hashes(level)
                ),
            )
        }
        None => (
            Title::Text(humanize(&s.path)),
            &blocks[..],
            None,
            "the whole file is one question, named after the file".to_owned(),
        ),
    };
    let answer: Vec<Part> = rest.iter().map(|b| part(s, b)).collect();
    if answer.iter().all(|p| matches!(p.kind, Kind::Heading(_))) {
        return found;
    }
    let start = first_heading.map_or(0, |h| h.range.start);
    let mut anchors = Vec::new();
    if let Some(h) = first_heading {
        anchors.push(github_slug(&s.plain(&h.ev)));
    }
    found.sections = vec![Section {
        title: None,
        intro: Vec::new(),
        questions: vec![Question {
            line: s.line_of(start),
            start,
            title,
            answer,
            level,
            anchors,
        }],
    }];
    found.preamble.clear();
    found
        .skipped
        .retain(|k| !k.why.contains("outside any question"));
    found.guess = guess;
    found
}

/// A block as a part, indented to its own column.
fn part(s: &Scanned, b: &Block) -> Part {
    Part {
        range: b.range.clone(),
        ev: b.ev.clone(),
        indent: s.column_of(b.range.start),
        kind: b.kind.clone(),
    }
}

/// The inline content of a heading.
fn heading_title(s: &Scanned, h: &Block) -> Part {
    inner(s, h)
}

/// The content of an inline container (a heading, a paragraph, `**…**`): its events
/// without the outer `Start` and `End`, and their byte range.
fn inner(s: &Scanned, b: &Block) -> Part {
    let ev = b.ev.start + 1..b.ev.end.saturating_sub(1).max(b.ev.start + 1);
    let range = s.span(&ev).unwrap_or(b.range.end..b.range.end);
    Part {
        range,
        ev,
        indent: 0,
        kind: Kind::Other,
    }
}

struct Walker<'a> {
    s: &'a Scanned,
    level: Option<u8>,
    found: FileFound,
    current: Option<Question>,
    /// The current question was opened by a `<details>` summary.
    from_details: bool,
    slugs: HashMap<String, usize>,
    shapes: Vec<&'static str>,
}

impl<'a> Walker<'a> {
    fn new(s: &'a Scanned, level: Option<u8>) -> Self {
        Self {
            s,
            level,
            found: FileFound {
                preamble: Vec::new(),
                h1: None,
                sections: Vec::new(),
                skipped: Vec::new(),
                guess: String::new(),
            },
            current: None,
            from_details: false,
            slugs: HashMap::new(),
            shapes: Vec::new(),
        }
    }

    fn run(mut self) -> FileFound {
        let s = self.s;
        for (i, block) in s.blocks.iter().enumerate() {
            self.block(block, i == 0);
        }
        self.close();
        let mut shapes = std::mem::take(&mut self.shapes);
        shapes.dedup();
        let mut seen = HashSet::new();
        shapes.retain(|s| seen.insert(*s));
        self.found.guess = if shapes.is_empty() {
            "no questions".to_owned()
        } else {
            shapes.join("; ")
        };
        self.found
    }

    fn skip(&mut self, at: usize, why: impl Into<String>) {
        self.found.skipped.push(Skipped {
            file: self.s.path.clone(),
            line: self.s.line_of(at),
            why: why.into(),
        });
    }

    fn note(&mut self, shape: &'static str) {
        self.shapes.push(shape);
    }

    /// Ends the current question: kept when it has an answer.
    fn close(&mut self) {
        self.from_details = false;
        let Some(q) = self.current.take() else {
            return;
        };
        if q.answer.iter().all(|p| matches!(p.kind, Kind::Heading(_))) {
            let title = match &q.title {
                Title::Source(p) => self.s.plain(&p.ev),
                Title::Text(t) => t.clone(),
            };
            self.skip(q.start, format!("question {title:?} has no answer"));
            return;
        }
        if self.found.sections.is_empty() {
            self.found.sections.push(Section {
                title: None,
                intro: Vec::new(),
                questions: Vec::new(),
            });
        }
        if let Some(section) = self.found.sections.last_mut() {
            section.questions.push(q);
        }
    }

    fn open(&mut self, title: Title, start: usize, anchors: Vec<String>) {
        self.close();
        let mut anchors = anchors;
        // An explicit anchor right before (or in) the question names it.
        for (at, name) in &self.s.anchors {
            let before = self.s.text.get(*at..start).unwrap_or("x");
            let between_is_markup = before
                .lines()
                .skip(1)
                .all(|l| l.trim().is_empty() || l.trim_start().starts_with('<'));
            if (*at < start && between_is_markup && start - at < 400)
                || (*at >= start
                    && *at < start + 400
                    && self.s.line_of(*at) == self.s.line_of(start))
            {
                anchors.push(name.to_lowercase());
            }
        }
        self.current = Some(Question {
            line: self.s.line_of(start),
            start,
            title,
            answer: Vec::new(),
            level: self.level,
            anchors,
        });
    }

    /// Content outside any question: the section's introduction before its first
    /// question, the file's preamble before any section, else left out.
    fn content(&mut self, p: Part) {
        if let Some(q) = self.current.as_mut() {
            q.answer.push(p);
            return;
        }
        match self.found.sections.last_mut() {
            Some(section) if section.questions.is_empty() => section.intro.push(p),
            Some(_) => {
                if p.kind != Kind::Rule {
                    self.skip(p.range.start, "text outside any question");
                }
            }
            None => self.found.preamble.push(p),
        }
    }

    fn block(&mut self, block: &Block, first: bool) {
        let s = self.s;
        match &block.kind {
            Kind::Heading(level) => {
                let text = s.plain(&block.ev);
                let slug = unique_slug(&mut self.slugs, &text);
                if first && *level == 1 {
                    self.found.h1 = Some(text.clone());
                }
                match self.level {
                    Some(q) if *level == q && !is_contents_heading(&text) => {
                        self.note(match q {
                            1 => "questions are # headings",
                            2 => "questions are ## headings",
                            3 => "questions are ### headings",
                            _ => "questions are #### (or deeper) headings",
                        });
                        self.open(
                            Title::Source(heading_title(s, block)),
                            block.range.start,
                            vec![slug],
                        );
                    }
                    // Deeper than the questions: part of an answer (or an introduction).
                    Some(q) if *level > q => self.content(part(s, block)),
                    _ => {
                        self.close();
                        // A "Table of contents" heading names no section: the file does.
                        let title = (!is_contents_heading(&text)).then_some(text);
                        self.found.sections.push(Section {
                            title,
                            intro: Vec::new(),
                            questions: Vec::new(),
                        });
                    }
                }
            }
            Kind::DetailsOpen(summary) => {
                let generic = is_answer_summary(summary);
                if generic {
                    let answered = self.current.as_ref().is_some_and(|q| !q.answer.is_empty());
                    if answered || self.current.is_none() {
                        // The question is the paragraph just before the block.
                        if self.promote_last_paragraph() {
                            self.from_details = true;
                        } else if !answered {
                            self.skip(
                                block.range.start,
                                "an answer block with no question before it",
                            );
                        }
                    }
                    self.note("answers inside <details>");
                } else {
                    let answered = self.current.as_ref().is_some_and(|q| !q.answer.is_empty());
                    if self.current.is_some() && !answered && self.level.is_some() {
                        // The heading is the question; the summary is only a label.
                        self.note("answers inside <details>");
                    } else {
                        self.note("questions are <details><summary> blocks");
                        self.open(Title::Text(summary.clone()), block.range.start, Vec::new());
                        self.from_details = true;
                    }
                }
            }
            Kind::DetailsClose => {
                if self.from_details {
                    self.close();
                }
            }
            Kind::List => {
                if is_toc(s, block) {
                    self.skip(
                        block.range.start,
                        format!("table of contents ({} items)", block.items.len()),
                    );
                } else if self.current.is_none() && self.list_questions(block) {
                    self.note("questions are list items with indented answers");
                } else {
                    self.content(part(s, block));
                }
            }
            Kind::Paragraph => {
                if navigation(s, block) {
                    self.skip(block.range.start, "a navigation link (\"back to top\")");
                } else if self.level.is_none()
                    && !self.from_details
                    && let Some((title, rest)) = paragraph_question(s, block)
                {
                    self.note("questions are bold or Q: paragraphs");
                    self.open(Title::Source(title), block.range.start, Vec::new());
                    if let Some(rest) = rest
                        && let Some(q) = self.current.as_mut()
                    {
                        q.answer.push(rest);
                    }
                } else {
                    self.content(part(s, block));
                }
            }
            Kind::Html => {
                let text = s.slice(&block.range);
                if super::rewrite::html_is_empty(text) {
                    if self.current.is_some() || text.trim_start().starts_with("<a") {
                        // Anchors and line breaks between questions are noise.
                    } else {
                        self.skip(block.range.start, "an HTML block with no text");
                    }
                } else {
                    self.content(part(s, block));
                }
            }
            _ => self.content(part(s, block)),
        }
    }

    /// Makes the paragraph before an answer in `<details>` the question: the last of the
    /// introduction, or the last of the current answer when it reads as a question;
    /// whether there was one.
    fn promote_last_paragraph(&mut self) -> bool {
        let s = self.s;
        let in_answer = self.current.is_some();
        let holder = match (self.current.as_mut(), self.found.sections.last_mut()) {
            (Some(q), _) => &mut q.answer,
            (None, Some(section)) if section.questions.is_empty() => &mut section.intro,
            (None, Some(_)) => return false,
            (None, None) => &mut self.found.preamble,
        };
        let Some(last) = holder.last() else {
            return false;
        };
        let text = s.plain(&last.ev);
        if last.kind != Kind::Paragraph
            || text.chars().count() > 300
            || (in_answer && question_score(text.trim_matches(['*', '_', ' '])) < 1.0)
        {
            return false;
        }
        let Some(last) = holder.pop() else {
            return false;
        };
        let title = inner_part(s, &last);
        self.open(Title::Source(title), last.range.start, Vec::new());
        true
    }

    /// Takes a list as questions when its items read as questions or carry answers under
    /// a first line; whether it did.
    fn list_questions(&mut self, list: &Block) -> bool {
        let s = self.s;
        let candidates: Vec<Option<(Part, Vec<Part>)>> = list
            .items
            .iter()
            .map(|item| item_question(s, item))
            .collect();
        let n = candidates.len();
        let answered = candidates
            .iter()
            .flatten()
            .filter(|(_, answer)| !answer.is_empty())
            .count();
        let questions = candidates
            .iter()
            .flatten()
            .filter(|(title, _)| question_score(&s.plain(&title.ev)) >= 1.0)
            .count();
        let taken = n > 0
            && ((answered * 2 >= n && answered > 0 && questions * 3 >= n)
                || (n >= 2 && questions * 2 >= n));
        if !taken {
            return false;
        }
        for (item, candidate) in list.items.iter().zip(candidates) {
            match candidate {
                Some((title, answer)) => {
                    self.open(Title::Source(title), item.range.start, Vec::new());
                    if let Some(q) = self.current.as_mut() {
                        q.answer = answer;
                    }
                    self.close();
                }
                None => self.skip(item.range.start, "a list item that is not a question"),
            }
        }
        true
    }
}

/// A list item as (question, answer): its first line (or `**bold**` start) and the rest.
fn item_question(s: &Scanned, item: &super::scan::Item) -> Option<(Part, Vec<Part>)> {
    let mut children = item
        .children
        .iter()
        .filter(|b| !matches!(b.kind, Kind::DetailsOpen(_) | Kind::DetailsClose));
    let first = children.next()?;
    if !matches!(first.kind, Kind::Paragraph | Kind::Heading(_)) {
        return None;
    }
    let (title, rest) = split_paragraph(s, first);
    let mut answer: Vec<Part> = rest.into_iter().collect();
    answer.extend(children.map(|b| part(s, b)));
    Some((title, answer))
}

/// Splits a paragraph into a question and the rest of the paragraph: at a `**bold**`
/// start that reads as a question, else at the first line break after a line that reads
/// as one (or ends with `:`); else the whole paragraph is the question.
fn split_paragraph(s: &Scanned, p: &Block) -> (Part, Option<Part>) {
    let whole = inner_part(s, &part(s, p));
    let events = s.events.get(whole.ev.clone()).unwrap_or(&[]);
    // `**Question?** answer…`
    if let Some((Event::Start(Tag::Strong | Tag::Emphasis), _)) = events.first() {
        let end = events
            .iter()
            .position(|(e, _)| matches!(e, Event::End(TagEnd::Strong | TagEnd::Emphasis)));
        if let Some(end) = end {
            let title_ev = whole.ev.start + 1..whole.ev.start + end;
            let title_text = s.plain(&title_ev);
            let after = whole.ev.start + end + 1;
            if after < whole.ev.end && question_score(&title_text) >= 1.0 {
                let title = inline_part(s, title_ev, &whole);
                let rest_start = events[end].1.end;
                return (title, rest_part(s, p, after..whole.ev.end, rest_start));
            }
        }
    }
    // `Question?\nanswer…`
    if let Some(brk) = events
        .iter()
        .position(|(e, _)| matches!(e, Event::SoftBreak | Event::HardBreak))
    {
        let title_ev = whole.ev.start..whole.ev.start + brk;
        let text = s.plain(&title_ev);
        if question_score(&text) >= 1.0 || labelled(&text) || text.trim_end().ends_with(':') {
            let title = inline_part(s, title_ev, &whole);
            let rest_start = events[brk].1.end;
            return (
                title,
                rest_part(s, p, whole.ev.start + brk + 1..whole.ev.end, rest_start),
            );
        }
    }
    (whole, None)
}

/// The inline events `ev` of the paragraph `whole` as a part.
fn inline_part(s: &Scanned, ev: Range<usize>, whole: &Part) -> Part {
    Part {
        range: s.span(&ev).unwrap_or(whole.range.clone()),
        ev,
        indent: 0,
        kind: Kind::Other,
    }
}

/// The rest of paragraph `p` from byte `start` (events `ev`), when it has text.
fn rest_part(s: &Scanned, p: &Block, ev: Range<usize>, start: usize) -> Option<Part> {
    let range = start..p.range.end;
    let text = s
        .slice(&range)
        .trim_start_matches([' ', ':', '-', '—', '–']);
    if text.trim().is_empty() {
        return None;
    }
    let start = p.range.end - text.len();
    Some(Part {
        range: start..p.range.end,
        ev,
        indent: s.column_of(p.range.start),
        kind: Kind::Paragraph,
    })
}

/// The content of a paragraph part (without its `Start` and `End`).
fn inner_part(s: &Scanned, p: &Part) -> Part {
    let block = Block {
        kind: p.kind.clone(),
        range: p.range.clone(),
        ev: p.ev.clone(),
        items: Vec::new(),
    };
    let is_container = matches!(
        s.events.get(p.ev.start),
        Some((Event::Start(Tag::Paragraph | Tag::Heading { .. }), _))
    );
    if is_container {
        inner(s, &block)
    } else {
        p.clone()
    }
}

/// A paragraph that asks a question: `**Question?**` (alone or with the answer after it)
/// or `Q: …` / `Question: …`. Returns the title and the rest of the paragraph.
fn paragraph_question(s: &Scanned, p: &Block) -> Option<(Part, Option<Part>)> {
    let labelled = labelled(s.slice(&p.range));
    let events = s.events.get(p.ev.clone()).unwrap_or(&[]);
    let bold_start = matches!(events.get(1), Some((Event::Start(Tag::Strong), _)));
    if !labelled && !bold_start {
        return None;
    }
    let (title, rest) = split_paragraph(s, p);
    let title_text = s.plain(&title.ev);
    let title_text = title_text.trim_start_matches(|c: char| c == '*' || c.is_whitespace());
    let is_question = labelled || question_score(title_text) >= 1.0;
    let bold_only = bold_start
        && rest.is_none()
        && matches!(
            events.get(events.len().saturating_sub(2)),
            Some((Event::End(TagEnd::Strong), _))
        );
    (is_question && (labelled || bold_only || rest.is_some())).then_some((title, rest))
}

/// A short paragraph of links to anchors that only moves around the page.
fn navigation(s: &Scanned, p: &Block) -> bool {
    let events = s.events.get(p.ev.clone()).unwrap_or(&[]);
    let mut links = 0;
    for (event, _) in events {
        if let Event::Start(Tag::Link { dest_url, .. }) = event {
            if !dest_url.starts_with('#') && !dest_url.contains(".md") {
                return false;
            }
            links += 1;
        }
    }
    let text = s.plain(&p.ev).to_lowercase();
    links > 0
        && text.chars().count() <= 40
        && [
            "top",
            "back",
            "contents",
            "index",
            "↑",
            "⬆",
            "🔝",
            "наверх",
            "retour",
        ]
        .iter()
        .any(|w| text.contains(w))
}
