//! `mastery check`: validate guides and print what they hold.

use std::process::ExitCode;

use mastery_content::{GuideStats, Level};
use mastery_study::text::plural;

use crate::guides::{GuideDirs, load_and_report, sources};

/// Arguments of `mastery check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    guides: GuideDirs,
    /// Fail (exit status 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    for files in sources(&args.guides)? {
        let report = load_and_report(&files);
        let (errors, warnings) = (report.error_count(), report.warning_count());
        failed |= errors > 0 || (args.deny_warnings && warnings > 0);
        match &report.guide {
            Some(guide) => {
                let s = GuideStats::of(guide);
                let levels: Vec<String> = Level::ALL
                    .iter()
                    .zip(s.by_level)
                    .map(|(level, n)| format!("{n} {level}"))
                    .collect();
                println!("{}  {}  ({})", guide.id, guide.title, files.root);
                println!(
                    "  {} sections · {} questions ({}) · {}",
                    s.sections,
                    s.questions(),
                    levels.join(", "),
                    plural(s.insights, "insight", "insights")
                );
                println!(
                    "  {} code examples: {} run by `mastery verify`, {} marked norun, {} in other languages; {} predict-the-output",
                    s.examples,
                    s.runnable,
                    s.norun,
                    s.examples - s.runnable - s.norun,
                    s.predict
                );
                println!(
                    "  {} key points · {} references · {} questions with follow-ups",
                    s.key_points, s.references, s.ladders
                );
            }
            None => println!("{}: not loaded", files.root),
        }
        println!(
            "  {}, {}",
            plural(errors, "error", "errors"),
            plural(warnings, "warning", "warnings")
        );
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
