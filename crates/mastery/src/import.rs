//! `mastery import DIR|FILE.md -o OUT`: a Markdown question list (a file, or a folder of
//! them, as interview-question repositories publish) becomes a guide folder that
//! `mastery check` accepts. Reading and writing happen here; recognising the questions is
//! `mastery_content::import`. The guide is loaded and checked in memory before anything is
//! written, and written whole or not at all.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use indicatif::{ProgressBar, ProgressStyle};
use mastery_content::import::{self, Imported, Input, Options, Source};
use mastery_content::{GuideFiles, Level, SourceFile, load_guide};
use mastery_study::text::plural;

use crate::anki;
use crate::context::{DataArgs, UserArgs};
use crate::guides::print_diagnostics;
use crate::output;

/// Arguments of `mastery import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A Markdown file, or a folder of them (read with its subfolders); or an Anki file:
    /// a package (.apkg, .colpkg) or Anki's text format (.csv, .tsv, .txt).
    #[arg(value_name = "DIR|FILE.md|FILE.apkg|FILE.csv")]
    source: PathBuf,
    /// The guide folder to write (must not exist, or be empty, unless --force).
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: PathBuf,
    /// The guide's id [default: made from its title].
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    /// The guide's title [default: the first # heading, else the folder's name].
    #[arg(long, value_name = "TEXT")]
    title: Option<String>,
    /// The level every question gets (junior, confirmed or senior); change it per
    /// question afterwards.
    #[arg(long, value_name = "LEVEL", default_value = "confirmed", value_parser = parse_level)]
    level: Level,
    /// Where the source's relative links point on the web, to keep them as absolute
    /// links (e.g. https://github.com/OWNER/REPO/blob/main/); without it they become text.
    #[arg(long, value_name = "URL")]
    link_base: Option<String>,
    /// Replace OUT if it exists.
    #[arg(long)]
    force: bool,
    /// Anki packages: import the review history and card states into your data too.
    #[arg(long)]
    with_scheduling: bool,
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    user: UserArgs,
}

fn parse_level(text: &str) -> Result<Level, String> {
    Level::parse(text)
        .ok_or_else(|| format!("{text:?} is not a level: junior, confirmed or senior"))
}

/// Files that sit beside the questions of a repository and never hold any.
const NOT_QUESTIONS: &[&str] = &[
    "contributing.md",
    "code_of_conduct.md",
    "changelog.md",
    "license.md",
    "licence.md",
    "security.md",
    "pull_request_template.md",
];

/// Folders never read.
const SKIPPED_DIRS: &[&str] = &["node_modules", "target", "vendor"];

/// The most files read from a folder.
const MAX_FILES: usize = 20_000;

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if args.source.is_file() && anki::is_anki_file(&args.source) {
        return anki::import(&anki::ImportRequest {
            source: &args.source,
            output: &args.output,
            id: args.id.clone(),
            title: args.title.clone(),
            level: args.level,
            force: args.force,
            with_scheduling: args.with_scheduling,
            data: &args.data,
            user: &args.user,
        });
    }
    if args.with_scheduling {
        bail!(
            "--with-scheduling is for Anki packages (.apkg, .colpkg); Markdown has no scheduling"
        );
    }
    if let Some(base) = &args.link_base
        && !(base.starts_with("https://") || base.starts_with("http://"))
    {
        bail!("--link-base must be an https:// (or http://) URL, not {base:?}");
    }
    let (root, markdown, others) = list(&args.source)?;
    let name = args
        .source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| args.source.display().to_string());

    let bar = progress(markdown.len(), "reading");
    let mut input = Input {
        name,
        files: Vec::new(),
        assets: others,
    };
    let mut unreadable = Vec::new();
    for relative in &markdown {
        bar.set_message(relative.clone());
        let path = root.join(relative);
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        match String::from_utf8(bytes) {
            Ok(text) => input.files.push(Source {
                path: relative.clone(),
                text,
            }),
            Err(e) => {
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
                unreadable.push(format!(
                    "{}:{line}: not UTF-8 (save it as UTF-8 to import it); skipped",
                    path.display()
                ));
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    for warning in &unreadable {
        eprintln!("warning: {warning}");
    }

    let options = Options {
        id: args.id.clone(),
        title: args.title.clone(),
        level: args.level,
        link_base: args.link_base.clone(),
    };
    let imported = import::import(&input, &options)
        .with_context(|| format!("cannot import {}", args.source.display()))?;

    let warnings = check_imported(&args.output, &imported.files)?;

    let mut files: Vec<(String, Vec<u8>)> = imported
        .files
        .iter()
        .map(|(path, text)| (path.clone(), text.clone().into_bytes()))
        .collect();
    for asset in &imported.assets {
        let path = root.join(asset);
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        files.push((asset.clone(), bytes));
    }
    let bar = progress(files.len(), "writing");
    output::write_dir(&args.output, &files, args.force, |name| {
        bar.set_message(name.to_owned());
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    print_report(&imported, args, warnings);
    Ok(ExitCode::SUCCESS)
}

fn progress(len: usize, verb: &str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{verb} {{bar:32.cyan/blue}} {{pos}}/{{len}} files  {{msg}}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// The root folder, its Markdown files and its other files (relative, `/`-separated, in
/// reading order: the README first, then by path with numbers in numeric order).
fn list(source: &Path) -> anyhow::Result<(PathBuf, Vec<String>, Vec<String>)> {
    let meta = std::fs::metadata(source).with_context(|| {
        format!(
            "cannot read {}: give a Markdown file or a folder",
            source.display()
        )
    })?;
    if meta.is_file() {
        if !is_markdown(source) {
            bail!(
                "{} is not a Markdown file (*.md or *.markdown) nor an Anki file (*.apkg, *.colpkg, *.csv, *.tsv, *.txt); give one of those or a folder",
                source.display()
            );
        }
        let root = source
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let name = source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut others = Vec::new();
        walk(&root, &root, &mut Vec::new(), &mut others)?;
        return Ok((root, vec![name], others));
    }
    let (mut markdown, mut others) = (Vec::new(), Vec::new());
    walk(source, source, &mut markdown, &mut others)?;
    markdown.retain(|path| {
        let file = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
        !NOT_QUESTIONS.contains(&file.as_str())
    });
    markdown.sort_by_key(|p| natural_key(p));
    if let Some(readme) = markdown
        .iter()
        .position(|p| p.eq_ignore_ascii_case("readme.md"))
    {
        let readme = markdown.remove(readme);
        markdown.insert(0, readme);
    }
    if markdown.is_empty() {
        bail!(
            "{} holds no Markdown file (*.md or *.markdown) to import",
            source.display()
        );
    }
    Ok((source.to_path_buf(), markdown, others))
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

/// Collects the files under `dir`, skipping hidden and dependency folders.
fn walk(
    root: &Path,
    dir: &Path,
    markdown: &mut Vec<String>,
    others: &mut Vec<String>,
) -> anyhow::Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let kind = entry
            .file_type()
            .with_context(|| format!("cannot read {}", path.display()))?;
        if kind.is_dir() {
            if !SKIPPED_DIRS.contains(&name.as_str()) {
                walk(root, &path, markdown, others)?;
            }
            continue;
        }
        if !kind.is_file() {
            continue;
        }
        let Some(relative) = path
            .strip_prefix(root)
            .ok()
            .and_then(|r| r.to_str())
            .map(|r| r.replace('\\', "/"))
        else {
            continue;
        };
        if markdown.len() + others.len() >= MAX_FILES {
            bail!(
                "{} holds more than {MAX_FILES} files; import a smaller folder",
                root.display()
            );
        }
        if is_markdown(&path) {
            markdown.push(relative);
        } else {
            others.push(relative);
        }
    }
    Ok(())
}

/// A path as text and numbers, so `q2.md` comes before `q10.md`.
fn natural_key(path: &str) -> Vec<(String, u64)> {
    let mut key = Vec::new();
    let mut text = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            let mut number = String::from(c);
            while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                number.push(d);
                chars.next();
            }
            key.push((
                std::mem::take(&mut text),
                number.parse().unwrap_or(u64::MAX),
            ));
        } else {
            text.extend(c.to_lowercase());
        }
    }
    key.push((text, 0));
    key
}

/// Loads an imported guide's files as `mastery check` would, before anything is written:
/// its warning count, or an error (with the diagnostics printed).
pub(crate) fn check_imported(output: &Path, files: &[(String, String)]) -> anyhow::Result<usize> {
    let files = GuideFiles {
        root: output.display().to_string(),
        files: files
            .iter()
            .map(|(path, text)| SourceFile {
                path: path.clone(),
                bytes: text.as_bytes().to_vec(),
            })
            .collect(),
    };
    let report = load_guide(&files);
    if report.error_count() > 0 {
        print_diagnostics(&report.diagnostics);
        bail!(
            "the imported guide does not pass `mastery check` ({}); nothing was written. \
             This is a bug of the importer: please report it with the file that caused it",
            plural(report.error_count(), "error", "errors")
        );
    }
    Ok(report.warning_count())
}

/// Each section written, as a table: its file, title and number of questions.
pub(crate) fn print_sections(sections: &[(String, String, usize)]) {
    let width = sections
        .iter()
        .map(|(file, _, _)| file.chars().count())
        .max()
        .unwrap_or(0);
    for (file, title, n) in sections {
        println!(
            "  {file:<width$}  {title}  ({})",
            plural(*n, "question", "questions")
        );
    }
}

fn print_report(imported: &Imported, args: &Args, warnings: usize) {
    let report = &imported.report;
    println!(
        "Imported {} in {} from {} into {} (guide `{}`, \"{}\").",
        plural(report.questions(), "question", "questions"),
        plural(report.sections.len(), "section", "sections"),
        plural(report.files.len(), "file", "files"),
        args.output.display(),
        report.id,
        report.title
    );
    print_sections(&report.sections);
    println!("Guessed:");
    for (path, n, guess) in &report.files {
        println!(
            "  {path}: {guess} ({})",
            plural(*n, "question", "questions")
        );
    }
    if !report.skipped.is_empty() {
        println!("Left out ({}):", report.skipped.len());
        for skipped in report.skipped.iter().take(50) {
            println!("  {}:{}: {}", skipped.file, skipped.line, skipped.why);
        }
        if report.skipped.len() > 50 {
            println!("  ... and {} more", report.skipped.len() - 50);
        }
    }
    println!("Notes:");
    for note in &report.notes {
        println!("  - {note}");
    }
    println!(
        "Next: mastery check {0}   ({1}: no key points or references yet)\n      mastery build {0} -o site",
        args.output.display(),
        plural(warnings, "warning", "warnings")
    );
}

#[cfg(test)]
mod tests {
    use super::natural_key;

    #[test]
    fn numbers_sort_as_numbers() {
        let mut paths = vec!["q10.md", "q2.md", "Q1.md", "a/q3.md"];
        paths.sort_by_key(|p| natural_key(p));
        assert_eq!(paths, ["a/q3.md", "Q1.md", "q2.md", "q10.md"]);
    }
}
