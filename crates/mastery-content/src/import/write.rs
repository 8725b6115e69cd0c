//! From what the files hold to the guide's files: sections across files (a folder of
//! one-question files is one section), ids, the targets links can point at, every title
//! and answer carried over, `guide.toml`, `README.md` and one file per section.

use std::collections::{HashMap, HashSet};

use super::rewrite::{Notes, Rewriter, Targets};
use super::scan::Scanned;
use super::shapes::{self, FileFound, Part, Question, Skipped, Title};
use super::text::{
    UniqueIds, front_matter_value, humanize, id_from, one_line, strip_label, toml_string,
};
use super::{ImportError, Imported, Input, Options, Report};
use crate::model::{Id, Level};

/// A section as written: its introduction, and each question's id, title and answer.
type Written = (String, Vec<(String, String, String)>);

/// A section to write.
struct Out {
    title: String,
    /// The file its introduction comes from.
    file: usize,
    intro: Vec<Part>,
    questions: Vec<(usize, Question)>,
}

pub(super) fn import(input: &Input, options: &Options) -> Result<Imported, ImportError> {
    if input.files.is_empty() {
        return Err(ImportError::NoFiles);
    }
    if let Some(id) = &options.id {
        Id::parse(id).map_err(|e| ImportError::BadId(id.clone(), e.to_string()))?;
    }
    let scanned: Vec<Scanned> = input
        .files
        .iter()
        .map(|f| Scanned::new(&f.path, &f.text))
        .collect();
    let many = scanned.len() > 1;
    let found: Vec<FileFound> = scanned
        .iter()
        .map(|s| {
            let stem = s.path.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
            let readme = matches!(stem.as_str(), "readme.md" | "index.md" | "readme.markdown");
            shapes::find(s, !(many && readme))
        })
        .collect();
    let mut skipped: Vec<Skipped> = found.iter().flat_map(|f| f.skipped.clone()).collect();

    let title = options
        .title
        .clone()
        .or_else(|| {
            // The README's first heading, else the first file's.
            let readme = input
                .files
                .iter()
                .position(|f| f.path.eq_ignore_ascii_case("readme.md"));
            readme
                .into_iter()
                .chain(0..found.len())
                .find_map(|i| found.get(i).and_then(|f| f.h1.clone()))
        })
        .map(|t| one_line(&t))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| humanize(&input.name));
    let title = if title.is_empty() {
        "Imported questions".to_owned()
    } else {
        title
    };

    // Sections across files.
    let mut sections: Vec<Out> = Vec::new();
    let mut intro: Vec<(usize, Part)> = Vec::new();
    let mut folder: Option<(String, usize)> = None;
    for (f, file) in found.iter().enumerate() {
        let path = &scanned[f].path;
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
        let single = file.sections.len() == 1
            && file.sections[0].title.is_none()
            && file.sections[0].questions.len() == 1;
        if f == 0 {
            intro.extend(file.preamble.iter().cloned().map(|p| (f, p)));
            for section in file.sections.iter().take_while(|s| s.questions.is_empty()) {
                intro.extend(section.intro.iter().cloned().map(|p| (f, p)));
            }
        }
        if single {
            let question = file.sections[0].questions[0].clone();
            match &folder {
                Some((d, index)) if *d == dir => sections[*index].questions.push((f, question)),
                _ => {
                    folder = Some((dir.clone(), sections.len()));
                    sections.push(Out {
                        title: if dir.is_empty() {
                            "Questions".to_owned()
                        } else {
                            humanize(&dir)
                        },
                        file: f,
                        intro: Vec::new(),
                        questions: vec![(f, question)],
                    });
                }
            }
            continue;
        }
        folder = None;
        let mut first = true;
        for section in &file.sections {
            if section.questions.is_empty() {
                if (f != 0 || !first)
                    && let Some(part) = section.intro.first()
                {
                    skipped.push(Skipped {
                        file: path.clone(),
                        line: scanned[f].line_of(part.range.start),
                        why: format!(
                            "text of the section {:?}, which has no questions",
                            section.title.clone().unwrap_or_default()
                        ),
                    });
                }
                continue;
            }
            let mut section_intro = section.intro.clone();
            if first && f != 0 && section.title.is_none() {
                section_intro.splice(0..0, file.preamble.iter().cloned());
            }
            first = false;
            sections.push(Out {
                title: [section.title.clone(), file.h1.clone(), Some(humanize(path))]
                    .into_iter()
                    .flatten()
                    .map(|t| one_line(&t))
                    .find(|t| !t.is_empty())
                    .unwrap_or_else(|| "Questions".to_owned()),
                file: f,
                intro: section_intro,
                questions: section.questions.iter().cloned().map(|q| (f, q)).collect(),
            });
        }
    }
    if sections.is_empty() {
        let why = if skipped.is_empty() {
            String::new()
        } else {
            let shown: Vec<String> = skipped
                .iter()
                .take(3)
                .map(|k| format!("{}:{}: {}", k.file, k.line, k.why))
                .collect();
            format!(" (left out: {})", shown.join("; "))
        };
        return Err(ImportError::NoQuestions {
            files: input.files.len(),
            why,
        });
    }

    // Ids: unique across the guide, sections and questions alike.
    let guide_id = options
        .id
        .clone()
        .or_else(|| id_from(&title, 40))
        .or_else(|| id_from(&input.name, 40))
        .unwrap_or_else(|| "imported-guide".to_owned());
    let mut ids = UniqueIds::default();
    let mut unique = |base: Option<String>, fallback: String| ids.unique(base, fallback);
    let section_ids: Vec<String> = sections
        .iter()
        .enumerate()
        .map(|(i, s)| unique(id_from(&s.title, 40), format!("section-{}", i + 1)))
        .collect();
    let mut counter = 0;
    let question_ids: Vec<Vec<String>> = sections
        .iter()
        .map(|s| {
            s.questions
                .iter()
                .map(|(f, q)| {
                    counter += 1;
                    let plain = match &q.title {
                        Title::Source(p) => scanned[*f].plain(&p.ev),
                        Title::Text(t) => t.clone(),
                    };
                    unique(id_from(strip_label(&plain), 48), format!("q-{counter}"))
                })
                .collect()
        })
        .collect();

    // Write titles and answers; a question that ends up empty is left out, and the
    // links to it become text: repeat until nothing more goes.
    let mut dropped: HashSet<String> = HashSet::new();
    let (notes, written, intro_text) = loop {
        let targets = targets(&scanned, &sections, &question_ids, &dropped, input, options);
        let mut notes = Notes::default();
        let mut written: Vec<Written> = Vec::new();
        let mut newly_empty = Vec::new();
        for (si, section) in sections.iter().enumerate() {
            let mut rw = Rewriter {
                s: &scanned[section.file],
                targets: &targets,
                notes: &mut notes,
                base: None,
                open_links: Vec::new(),
            };
            let section_intro = rw.blocks(&section.intro);
            let mut questions = Vec::new();
            for ((f, q), id) in section.questions.iter().zip(&question_ids[si]) {
                if dropped.contains(id) {
                    continue;
                }
                let mut rw = Rewriter {
                    s: &scanned[*f],
                    targets: &targets,
                    notes: &mut notes,
                    base: q.level,
                    open_links: Vec::new(),
                };
                let title_md = rw.title(&q.title);
                let answer = rw.blocks(&q.answer);
                if title_md.is_empty() || answer.is_empty() {
                    newly_empty.push((id.clone(), *f, q.line, title_md.is_empty()));
                    continue;
                }
                questions.push((id.clone(), title_md, answer));
            }
            written.push((section_intro, questions));
        }
        let mut rw = Rewriter {
            s: &scanned[0],
            targets: &targets,
            notes: &mut notes,
            base: None,
            open_links: Vec::new(),
        };
        let intro_parts: Vec<Part> = intro
            .iter()
            .filter(|(f, _)| *f == 0)
            .map(|(_, p)| p.clone())
            .collect();
        let intro_text = rw.blocks(&intro_parts);
        if newly_empty.is_empty() {
            break (notes, written, intro_text);
        }
        for (id, f, line, no_title) in newly_empty {
            dropped.insert(id);
            skipped.push(Skipped {
                file: scanned[f].path.clone(),
                line,
                why: if no_title {
                    "a question whose title is empty once its markup is removed".to_owned()
                } else {
                    "a question whose answer is empty once its markup is removed".to_owned()
                },
            });
        }
    };

    // The files.
    let description = first_sentence(&intro_text)
        .or_else(|| written.iter().find_map(|(intro, _)| first_sentence(intro)))
        .unwrap_or_else(|| format!("Interview questions imported from {}.", input.name));
    let mut files = vec![(
        "guide.toml".to_owned(),
        format!(
            "# Written by `mastery import` from {}; the format is in docs/guide-format.md.\n\
             id = {}\ntitle = {}\ndescription = {}\nversion = \"0.1.0\"\n\
             # Say whose text this is and under which licence (see the source's LICENSE):\n\
             # licence = \"CC-BY-SA-4.0\"\n# authors = [\"...\"]\n",
            one_line(&input.name),
            toml_string(&guide_id),
            toml_string(&title),
            toml_string(&description),
        ),
    )];
    if !intro_text.trim().is_empty() {
        files.push(("README.md".to_owned(), format!("{intro_text}\n")));
    }
    let kept: Vec<usize> = (0..sections.len())
        .filter(|i| !written[*i].1.is_empty())
        .collect();
    let width = if kept.len() > 99 { 3 } else { 2 };
    let mut report = Report {
        id: guide_id.clone(),
        title: title.clone(),
        ..Report::default()
    };
    for (n, &si) in kept.iter().enumerate() {
        let (section_intro, questions) = &written[si];
        let name = format!("{:0width$}-{}.md", n + 1, section_ids[si]);
        let mut text = format!(
            "---\nid: {}\ntitle: {}\n---\n\n",
            section_ids[si],
            front_matter_value(&sections[si].title)
        );
        if !section_intro.trim().is_empty() {
            text.push_str(section_intro);
            text.push_str("\n\n");
        }
        for (id, title_md, answer) in questions {
            text.push_str(&format!(
                "## {title_md}\n\nid: {id}\nlevel: {}\n\n{answer}\n\n",
                options.level
            ));
        }
        report
            .sections
            .push((name.clone(), one_line(&sections[si].title), questions.len()));
        files.push((name, text));
    }
    if report.sections.is_empty() {
        return Err(ImportError::NoQuestions {
            files: input.files.len(),
            why: " (every question found was empty once its markup was removed)".to_owned(),
        });
    }
    for (f, file) in found.iter().enumerate() {
        let n = file.sections.iter().map(|s| s.questions.len()).sum();
        report
            .files
            .push((scanned[f].path.clone(), n, file.guess.clone()));
    }
    skipped.sort_by(|a, b| {
        let order = |p: &str| input.files.iter().position(|f| f.path == p);
        (order(&a.file), a.line).cmp(&(order(&b.file), b.line))
    });
    skipped.dedup();
    report.skipped = skipped;
    report.notes = notes_of(&notes, options);
    Ok(Imported {
        files,
        assets: notes.assets.into_iter().collect(),
        report,
    })
}

/// What links can point at: every question's anchors and one-question files.
fn targets(
    scanned: &[Scanned],
    sections: &[Out],
    ids: &[Vec<String>],
    dropped: &HashSet<String>,
    input: &Input,
    options: &Options,
) -> Targets {
    let mut t = Targets {
        assets: input.assets.iter().cloned().collect(),
        link_base: options.link_base.clone(),
        ..Targets::default()
    };
    t.ids = ids
        .iter()
        .flatten()
        .filter(|id| !dropped.contains(*id))
        .cloned()
        .collect();
    let mut counts: HashMap<String, (usize, String)> = HashMap::new();
    let mut per_file: HashMap<usize, Vec<String>> = HashMap::new();
    for (section, ids) in sections.iter().zip(ids) {
        for ((f, q), id) in section.questions.iter().zip(ids) {
            if dropped.contains(id) {
                continue;
            }
            per_file.entry(*f).or_default().push(id.clone());
            let path = &scanned[*f].path;
            for anchor in &q.anchors {
                t.anchors.insert((path.clone(), anchor.clone()), id.clone());
                let entry = counts.entry(anchor.clone()).or_insert((0, id.clone()));
                entry.0 += 1;
            }
        }
    }
    t.unique_anchors = counts
        .into_iter()
        .filter(|(_, (n, _))| *n == 1)
        .map(|(anchor, (_, id))| (anchor, id))
        .collect();
    for (f, ids) in per_file {
        if let [only] = ids.as_slice() {
            t.files.insert(scanned[f].path.clone(), only.clone());
        }
    }
    t
}

/// The first sentence (or the start) of the first paragraph of some Markdown, as plain
/// text for `description`.
fn first_sentence(markdown: &str) -> Option<String> {
    let paragraph = markdown.split("\n\n").map(str::trim).find(|p| {
        !p.is_empty()
            && !p.starts_with(['#', '!', '<', '|', '`', '>', '-', '*', '['])
            && p.chars().filter(|c| c.is_alphabetic()).count() >= 12
    })?;
    let plain: String = one_line(paragraph)
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '`' | '\\'))
        .collect();
    let mut out = String::new();
    for word in plain.split(' ') {
        if out.len() + word.len() > 240 {
            out.push('…');
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    (!out.is_empty()).then_some(out)
}

fn notes_of(notes: &Notes, options: &Options) -> Vec<String> {
    let mut out = vec![format!(
        "every question is `level: {}`: set each to junior, confirmed or senior{}",
        options.level,
        if options.level == Level::Confirmed {
            " (or pass --level)"
        } else {
            ""
        }
    )];
    out.push(
        "no question has key points or references yet: `mastery check` warns until you add them"
            .to_owned(),
    );
    if notes.python_norun > 0 {
        out.push(format!(
            "{} Python code block(s) are marked `norun=\"imported, not verified\"`: remove the mark once an example has its `output` block and passes `mastery verify`",
            notes.python_norun
        ));
    }
    if let Some((file, line)) = notes.fences_closed.first() {
        out.push(format!(
            "{} code fence(s) were never closed in the source and were closed where their block ends (first at {file}:{line})",
            notes.fences_closed.len()
        ));
    }
    let listed = |items: &[(String, usize, String)]| -> String {
        let shown: Vec<String> = items
            .iter()
            .take(5)
            .map(|(f, l, d)| format!("{f}:{l} {d}"))
            .collect();
        let more = items.len().saturating_sub(5);
        if more > 0 {
            format!("{}, and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    };
    if !notes.links_to_text.is_empty() {
        out.push(format!(
            "{} link(s) became plain text: guides link to https://, mailto: or #question-id{} ({})",
            notes.links_to_text.len(),
            if options.link_base.is_none() {
                "; pass --link-base URL to keep relative links as absolute ones"
            } else {
                ""
            },
            listed(&notes.links_to_text)
        ));
    }
    if !notes.images_dropped.is_empty() {
        out.push(format!(
            "{} image(s) could not be found and became their alt text ({})",
            notes.images_dropped.len(),
            listed(&notes.images_dropped)
        ));
    }
    if notes.html_converted > 0 {
        out.push(format!(
            "{} HTML block(s) became Markdown or text (guides show raw HTML as text)",
            notes.html_converted
        ));
    }
    if !notes.assets.is_empty() {
        out.push(format!(
            "{} image file(s) copied into the guide folder",
            notes.assets.len()
        ));
    }
    out
}
