//! Python packages from PyPI for tests that check Mastery against another program (Anki,
//! an OpenID provider): a virtual environment made once under the cache directory
//! (`~/.cache/mastery/test-venvs/NAME`), built in a staging folder and renamed into place
//! when complete, as `mastery verify` does. Shared by the tests of several crates
//! (`#[path]`), so each keeps no copy.
//!
//! Without Python or pip a test says so and passes, unless `CI=true`: then it fails.

// Test helpers may panic: a panic is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// A tool the test needs is missing: a failure with `CI=true`, a skip (said) otherwise.
pub fn missing(what: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true and this test needs {what}, which is missing"
    );
    eprintln!("skipped: this test needs {what}");
}

/// The user's cache directory (`XDG_CACHE_HOME`, else `~/.cache`).
pub fn cache_dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
}

/// The Python of a virtual environment `name` with `requirement` installed, made on first
/// use; `None` when Python, venv or pip cannot make it.
pub fn python_with(name: &str, requirement: &str) -> Option<PathBuf> {
    let cache = cache_dir().join("mastery").join("test-venvs");
    let dir = cache.join(name);
    let python = dir.join("bin").join("python");
    if dir.join(".complete").is_file() {
        return Some(python);
    }
    std::fs::create_dir_all(&cache).ok()?;
    let staging = cache.join(format!("{name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    eprintln!(
        "creating a virtual environment with {requirement} in {}",
        dir.display()
    );
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&staging)
        .status()
        .ok()?
        .success()
        && Command::new(staging.join("bin").join("python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                requirement,
            ])
            .status()
            .ok()?
            .success();
    if !made {
        let _ = std::fs::remove_dir_all(&staging);
        return None;
    }
    std::fs::write(staging.join(".complete"), requirement).ok()?;
    if std::fs::rename(&staging, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    dir.join(".complete").is_file().then_some(python)
}
