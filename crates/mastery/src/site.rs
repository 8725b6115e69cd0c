//! `mastery build GUIDE -o DIR`: one guide as a static site (`mastery_web::site`), written
//! whole through a temporary folder, that works from any web host or straight from disk.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use indicatif::{ProgressBar, ProgressStyle};
use mastery_content::{GuideFiles, GuideStats, load_guide};
use mastery_study::text::plural;

use crate::embedded;
use crate::guides::print_diagnostics;
use crate::output;

/// Arguments of `mastery build`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A built-in guide's id (`python-django`) or a guide folder.
    #[arg(value_name = "GUIDE")]
    guide: String,
    /// The folder to write the site to (must not exist, or be empty, unless --force).
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    output: PathBuf,
    /// Replace DIR if it exists.
    #[arg(long)]
    force: bool,
}

/// The files of the guide `name`: a folder, else a built-in guide's id.
pub(crate) fn source(name: &str) -> anyhow::Result<GuideFiles> {
    let path = PathBuf::from(name);
    if path.is_dir() {
        return GuideFiles::from_dir(&path)
            .with_context(|| format!("cannot load the guide in {}", path.display()));
    }
    let embedded = embedded::guides();
    let found = embedded
        .iter()
        .find(|files| files.root.rsplit('/').next() == Some(name))
        .cloned();
    match found {
        Some(files) => Ok(files),
        None => {
            let ids: Vec<String> = embedded
                .iter()
                .filter_map(|f| f.root.rsplit('/').next().map(str::to_owned))
                .collect();
            bail!(
                "{name:?} is neither a guide folder nor a built-in guide (built in: {})",
                ids.join(", ")
            )
        }
    }
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let files = source(&args.guide)?;
    let report = load_guide(&files);
    print_diagnostics(&report.diagnostics);
    let Some(guide) = report.guide else {
        bail!(
            "{} has {} (listed above); fix them, then build again (`mastery check {}` shows them too)",
            files.root,
            plural(report.error_count(), "error", "errors"),
            args.guide
        );
    };
    let site = mastery_web::site::build(&guide).context("cannot build the site")?;
    let bar = ProgressBar::new(site.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("writing {bar:32.cyan/blue} {pos}/{len} files  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    output::write_dir(&args.output, &site, args.force, |name| {
        bar.set_message(name.to_owned());
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    let stats = GuideStats::of(&guide);
    let bytes: usize = site.iter().map(|(_, b)| b.len()).sum();
    let index = args.output.join("index.html");
    println!(
        "Built {} ({} · {} · {} pages, {} KiB) into {}.",
        guide.title,
        plural(stats.sections, "section", "sections"),
        plural(stats.questions(), "question", "questions"),
        site.iter().filter(|(p, _)| p.ends_with(".html")).count(),
        bytes / 1024,
        args.output.display()
    );
    println!(
        "Open {} in a browser (search works from the disk too), or put the folder on any web host.",
        std::path::absolute(&index).unwrap_or(index).display()
    );
    Ok(ExitCode::SUCCESS)
}
