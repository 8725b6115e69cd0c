//! Author mode: reload guides when their files change.
//!
//! A filesystem watcher (notify) reports changes under the guide folders; changes are
//! coalesced for 200 ms, then every guide is loaded again and the new [`Library`] replaces
//! the old one. A guide with errors does not take the server down: its diagnostics are
//! shown at the top of every page until the author fixes them.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mastery_content::GuideFiles;
use notify::{RecursiveMode, Watcher};

use crate::library::{Library, Shelf};

/// Keeps the watcher alive; dropping it stops watching.
#[derive(Debug)]
pub struct WatchHandle {
    _watcher: notify::RecommendedWatcher,
}

/// Watches `dirs`; on change, rebuilds the library from `embedded` plus the folders.
pub fn watch(
    shelf: Arc<Shelf>,
    embedded: Vec<GuideFiles>,
    dirs: Vec<PathBuf>,
) -> notify::Result<WatchHandle> {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok_and(|e| !e.kind.is_access()) {
            let _ = tx.send(());
        }
    })?;
    for dir in &dirs {
        watcher.watch(dir, RecursiveMode::Recursive)?;
    }
    std::thread::spawn(move || {
        while rx.recv().is_ok() {
            // Coalesce the burst of events an editor's save produces.
            while rx.recv_timeout(Duration::from_millis(200)).is_ok() {}
            let mut sources = embedded.clone();
            for dir in &dirs {
                match GuideFiles::from_dir(dir) {
                    Ok(files) => sources.push(files),
                    Err(e) => tracing::warn!(error = %e, "cannot read guide folder"),
                }
            }
            let library = Library::load(&sources);
            for p in &library.problems {
                tracing::warn!(guide = %p.root, errors = p.diagnostics.len(), "guide has errors");
            }
            tracing::info!(guides = library.guides.len(), "guides reloaded");
            shelf.replace(library);
        }
    });
    Ok(WatchHandle { _watcher: watcher })
}
