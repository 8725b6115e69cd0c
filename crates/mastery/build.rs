//! Rebuilds the binary when an embedded guide changes (include_dir cannot tell cargo), and
//! records the commit it is built from for `mastery --version` and `/metrics`:
//! `MASTERY_COMMIT` (12 hex digits, or `unknown` outside a git checkout) and `MASTERY_BUILD`
//! (`commit abc…`, with `, modified` when tracked files differed from the commit).
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn main() {
    println!("cargo:rerun-if-changed=../../guides");
    let commit = git(&["rev-parse", "--short=12", "HEAD"]);
    let modified = git(&["status", "--porcelain", "--untracked-files=no"]).map(|s| !s.is_empty());
    let build = match (&commit, modified) {
        (Some(c), Some(true)) => format!("commit {c}, modified"),
        (Some(c), _) => format!("commit {c}"),
        (None, _) => "commit unknown".to_owned(),
    };
    println!(
        "cargo:rustc-env=MASTERY_COMMIT={}",
        commit.as_deref().unwrap_or("unknown")
    );
    println!("cargo:rustc-env=MASTERY_BUILD={build}");
    // Run again when HEAD moves (a commit, a checkout) or the index changes. Not on every
    // source edit: that would relink the binary for a change to any test file. So
    // `modified` reflects the tree as of the last commit or `git add` before the build.
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        for watched in ["HEAD", "index", "refs", "packed-refs"] {
            println!("cargo:rerun-if-changed={dir}/{watched}");
        }
    }
}
