//! Python tools the tests run against (Anki's own package, a local SMTP server, an OpenID
//! provider): a virtual environment per requirement, made once under the cache directory
//! (built in a staging folder and renamed into place when complete, so two test processes
//! never share a half-made one).

use std::path::PathBuf;
use std::process::Command;

/// A tool a test needs is missing: a failure with `CI=true`, a skip (said) otherwise.
///
/// # Panics
///
/// With `CI=true`.
pub fn missing(what: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true and this test needs {what}, which is missing"
    );
    eprintln!("skipped: this test needs {what}");
}

/// The cache directory (`$XDG_CACHE_HOME`, else `~/.cache`).
#[must_use]
pub fn cache_dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
}

/// The Python of a virtual environment named `name` with `requirements` installed (pip
/// requirement specifiers), made on first use under `cache/mastery/test-venvs/NAME`; `None`
/// when python3 with venv, or pip, cannot make it.
#[must_use]
pub fn venv_python(name: &str, requirements: &[&str]) -> Option<PathBuf> {
    let cache = cache_dir().join("mastery").join("test-venvs");
    let dir = cache.join(name);
    let python = dir.join("bin").join("python");
    let wanted = requirements.join("\n");
    if std::fs::read_to_string(dir.join(".complete")).is_ok_and(|r| r == wanted) {
        return Some(python);
    }
    std::fs::create_dir_all(&cache).ok()?;
    let staging = cache.join(format!("{name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    eprintln!(
        "creating a virtual environment with {} in {}",
        requirements.join(", "),
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
            ])
            .args(requirements)
            .status()
            .ok()?
            .success();
    if !made {
        let _ = std::fs::remove_dir_all(&staging);
        return None;
    }
    std::fs::write(staging.join(".complete"), &wanted).ok()?;
    // Another test process may have finished first and be using its environment: only an
    // environment made for other requirements (or never finished) is replaced.
    if std::fs::read_to_string(dir.join(".complete")).is_ok_and(|r| r == wanted) {
        let _ = std::fs::remove_dir_all(&staging);
        return Some(python);
    }
    let _ = std::fs::remove_dir_all(&dir);
    if std::fs::rename(&staging, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    std::fs::read_to_string(dir.join(".complete"))
        .is_ok_and(|r| r == wanted)
        .then_some(python)
}
