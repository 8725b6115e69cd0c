//! Writing what a command produces without ever leaving it half-written: everything goes
//! to a temporary file or folder next to the target (same file system), is flushed to
//! disk, and is renamed into place at the end. An interrupted or failed run leaves the
//! target as it was. Used by `learner export`, `import` and `build`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

/// The folder a path lives in (`.` for a bare file name).
fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `bytes` to `target` through a temporary file in the same folder. An existing
/// `target` is replaced only when `replace` is set.
///
/// # Errors
///
/// An existing target without `replace`, or any I/O error, naming the path.
pub fn write_file(target: &Path, bytes: &[u8], replace: bool) -> anyhow::Result<()> {
    if target.is_dir() {
        bail!("{} is a folder; give a file name", target.display());
    }
    if target.exists() && !replace {
        bail!(
            "{} already exists; choose another name or pass --force to replace it",
            target.display()
        );
    }
    let dir = parent_of(target);
    let mut temp = tempfile::Builder::new()
        .prefix(".mastery-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", temp.path().display()))?;
    if replace {
        temp.persist(target)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write {}", target.display()))?;
    } else {
        temp.persist_noclobber(target)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write {}", target.display()))?;
    }
    Ok(())
}

/// Writes a folder of `files` (paths relative to it, `/`-separated) as `target`, through a
/// temporary folder next to it that is renamed into place once complete. An existing
/// non-empty `target` is replaced only when `replace` is set (it is moved aside first and
/// deleted after the new one is in place). `progress` is called after each file.
///
/// # Errors
///
/// An existing target without `replace`, a file path that leaves the folder, or any I/O
/// error, naming the path.
pub fn write_dir(
    target: &Path,
    files: &[(String, Vec<u8>)],
    replace: bool,
    mut progress: impl FnMut(&str),
) -> anyhow::Result<()> {
    let existing = target.exists();
    if existing {
        if !target.is_dir() {
            bail!("{} exists and is not a folder", target.display());
        }
        let empty = std::fs::read_dir(target)
            .with_context(|| format!("cannot read {}", target.display()))?
            .next()
            .is_none();
        if !empty && !replace {
            bail!(
                "{} already exists and is not empty; choose another folder or pass --force to replace it",
                target.display()
            );
        }
    }
    let dir = parent_of(target);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".mastery-")
        .suffix(".tmp")
        .tempdir_in(&dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    for (relative, bytes) in files {
        let path = staging.path().join(safe_relative(relative)?);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        progress(relative);
    }
    // The new folder is complete: swap it in.
    let staged = staging.keep();
    let aside = if existing {
        let aside = dir.join(format!(
            ".mastery-old-{}",
            target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        let _ = std::fs::remove_dir_all(&aside);
        std::fs::rename(target, &aside)
            .with_context(|| format!("cannot move {} aside", target.display()))?;
        Some(aside)
    } else {
        None
    };
    if let Err(e) = std::fs::rename(&staged, target) {
        // Put the old folder back; the new one stays for inspection.
        if let Some(aside) = &aside {
            let _ = std::fs::rename(aside, target);
        }
        return Err(e)
            .with_context(|| format!("cannot move {} to {}", staged.display(), target.display()));
    }
    if let Some(aside) = aside {
        std::fs::remove_dir_all(&aside)
            .with_context(|| format!("cannot remove the old {}", aside.display()))?;
    }
    Ok(())
}

/// A relative path that stays inside the folder it is joined to.
fn safe_relative(relative: &str) -> anyhow::Result<PathBuf> {
    let path = Path::new(relative);
    let inside = !relative.is_empty()
        && path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !inside {
        bail!("refusing to write {relative:?}: it is not a path inside the output folder");
    }
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_file_is_written_whole_and_never_over_another_unless_asked() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.json");
        write_file(&target, b"one", false).unwrap();
        let err = write_file(&target, b"two", false).unwrap_err().to_string();
        assert!(err.contains("already exists"), "{err}");
        assert_eq!(std::fs::read(&target).unwrap(), b"one");
        write_file(&target, b"two", true).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_folder_is_swapped_in_complete() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("site");
        let files = vec![
            ("index.html".to_owned(), b"home".to_vec()),
            ("q/a.html".to_owned(), b"a".to_vec()),
        ];
        let mut seen = Vec::new();
        write_dir(&target, &files, false, |f| seen.push(f.to_owned())).unwrap();
        assert_eq!(seen, ["index.html", "q/a.html"]);
        assert_eq!(std::fs::read(target.join("q/a.html")).unwrap(), b"a");
        let err = write_dir(&target, &files, false, |_| {}).unwrap_err();
        assert!(err.to_string().contains("--force"), "{err}");
        let fewer = vec![("index.html".to_owned(), b"new".to_vec())];
        write_dir(&target, &fewer, true, |_| {}).unwrap();
        assert_eq!(std::fs::read(target.join("index.html")).unwrap(), b"new");
        assert!(!target.join("q").exists(), "the old folder is gone");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let bad = vec![("../escape.html".to_owned(), Vec::new())];
        assert!(write_dir(&dir.path().join("x"), &bad, false, |_| {}).is_err());
        assert!(!dir.path().join("escape.html").exists());
        assert!(!dir.path().join("x").exists(), "nothing half-written");
    }
}
