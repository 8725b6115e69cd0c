//! Times loading a guide folder: read, parse, validate and render everything.
//!
//! `bench-load DIR [RUNS]` prints each run and the median. Used by `bench/load.sh`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context as _, bail};
use mastery_content::{GuideFiles, GuideStats, load_guide};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().context("usage: bench-load DIR [RUNS]")?);
    let runs: usize = match args.next() {
        Some(n) => n.parse().context("RUNS must be a number")?,
        None => 5,
    };
    let mut times = Vec::with_capacity(runs);
    for run in 1..=runs.max(1) {
        let started = Instant::now();
        let files = GuideFiles::from_dir(&dir)?;
        let report = load_guide(&files);
        let elapsed = started.elapsed();
        let Some(guide) = report.guide else {
            bail!(
                "the guide has {} errors; run `mastery check {}`",
                report.error_count(),
                dir.display()
            );
        };
        let stats = GuideStats::of(&guide);
        println!(
            "run {run}: {:.3} s ({} questions, {} examples)",
            elapsed.as_secs_f64(),
            stats.questions(),
            stats.examples
        );
        times.push(elapsed.as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!("median: {:.3} s", times[times.len() / 2]);
    Ok(())
}
