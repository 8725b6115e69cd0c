//! Loading the guides a command works on: folders from the command line, or the embedded ones.

use std::path::PathBuf;

use anyhow::Context as _;
use mastery_content::{Diagnostic, GuideFiles, LoadReport, load_guide};

use crate::embedded;

/// Guide folders given on the command line (none means the embedded guides).
#[derive(Debug, clap::Args)]
pub struct GuideDirs {
    /// Guide folders (each holds a guide.toml); the built-in guides when none is given.
    #[arg(value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
}

/// The files of every guide named on the command line, or of the embedded guides.
pub fn sources(dirs: &GuideDirs) -> anyhow::Result<Vec<GuideFiles>> {
    if dirs.dirs.is_empty() {
        return Ok(embedded::guides());
    }
    dirs.dirs
        .iter()
        .map(|dir| {
            GuideFiles::from_dir(dir)
                .with_context(|| format!("cannot load the guide in {}", dir.display()))
        })
        .collect()
}

/// Prints diagnostics to standard error, each followed by a blank line.
pub fn print_diagnostics(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        eprintln!("{d}");
    }
}

/// Loads one guide and prints its diagnostics.
pub fn load_and_report(files: &GuideFiles) -> LoadReport {
    let report = load_guide(files);
    print_diagnostics(&report.diagnostics);
    report
}
