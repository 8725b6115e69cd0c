//! Times the search index in process (no HTTP): `bench-search DIR [RUNS [QUERY...]]` loads a guide
//! folder (with `guides/python-django` beside it when found), builds the index and asks
//! each query of `bench/search.sh` RUNS times (default 30) for the best 100 and the best
//! 10, printing p50 and p99, and a digest of the best 100 (entries, scores, order) to
//! compare two versions of the ranking. Used by `bench/search.sh`.

use std::hash::{DefaultHasher, Hash as _, Hasher as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context as _, bail};
use mastery_content::search::{Query, SearchIndex};
use mastery_content::{GuideFiles, load_guide};

const QUERIES: &[&str] = &[
    "mechanism",
    "threshold",
    "contention",
    "reference count",
    "\"reference count\"",
    "gil",
    "select_related",
    "decoratr",
    "select_relatd",
    "mechanism -threshold",
    "m",
    "me",
];

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .context("usage: bench-search DIR [RUNS [QUERY...]]")?,
    );
    let runs: usize = match args.next() {
        Some(n) => n.parse().context("RUNS must be a number")?,
        None => 30,
    };
    let mut guides = Vec::new();
    let builtin = Path::new("guides/python-django");
    for path in [builtin, dir.as_path()] {
        if !path.is_dir() {
            continue;
        }
        let report = load_guide(&GuideFiles::from_dir(path)?);
        let Some(guide) = report.guide else {
            bail!("{} does not load", path.display());
        };
        guides.push(Arc::new(guide));
    }
    let started = Instant::now();
    let index = SearchIndex::build(&guides);
    println!(
        "index built in {} ms ({} words)",
        started.elapsed().as_millis(),
        index.vocabulary()
    );
    println!(
        "{:<24} {:>7} {:>15} {:>15} {:>15}  {:<16} first",
        "query", "matches", "100: p50/p99", "10: p50/p99", "0: p50/p99", "digest of 100"
    );
    // More queries may follow RUNS; then only those are asked.
    let asked: Vec<String> = args.collect();
    let queries: Vec<&str> = if asked.is_empty() {
        QUERIES.to_vec()
    } else {
        asked.iter().map(String::as_str).collect()
    };
    for q in queries {
        let query = Query {
            text: q.to_owned(),
            ..Query::default()
        };
        let results = index.search_with(&query, 100, |_, _| true);
        let total = results.total;
        let mut digest = DefaultHasher::new();
        for hit in &results.hits {
            hit.at.hash(&mut digest);
            hit.score.to_bits().hash(&mut digest);
            hit.title_html.hash(&mut digest);
            hit.snippet_html.hash(&mut digest);
        }
        let first = results
            .hits
            .first()
            .and_then(|h| index.entry(h.at))
            .map_or("-", |e| e.id.as_str());
        let mut line = format!("{q:<24} {total:>7}");
        for limit in [100, 10, 0] {
            let mut times: Vec<f64> = (0..runs.max(1))
                .map(|_| {
                    let t = Instant::now();
                    let r = index.search_with(&query, limit, |_, _| true);
                    std::hint::black_box(r);
                    t.elapsed().as_secs_f64() * 1000.0
                })
                .collect();
            times.sort_by(f64::total_cmp);
            let p50 = times[times.len() / 2];
            let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];
            line.push_str(&format!(" {:>7.2}/{:<7.2}", p50, p99));
        }
        println!("{line}  {:016x} {first}", digest.finish());
    }
    Ok(())
}
