//! Anki interop for Mastery: a guide as an Anki package (`export`) or as Anki's text
//! format (`text`), and Anki's packages and text files as a guide folder (`read`, `guide`),
//! with a learner's scheduling carried both ways (`schedule`). Field HTML becomes guide
//! Markdown in `html`; `ids` makes the GUIDs and ids that let a second export update
//! what Anki has. See docs/interop.md.
//!
//! Everything works on memory except the collection database, which sqlx writes and reads
//! in a temporary folder. Nothing here panics on any input: the readers are fuzzed by
//! property tests.

pub mod export;
pub mod guide;
pub mod html;
pub mod ids;
mod proto;
pub mod read;
pub mod schedule;
pub mod text;

/// Why an Anki file cannot be written or read.
#[derive(Debug, thiserror::Error)]
pub enum AnkiError {
    /// The temporary folder or file for the collection database failed.
    #[error("cannot use a temporary file: {0}")]
    Temp(#[source] std::io::Error),
    /// The collection database failed.
    #[error("the collection database: {0}")]
    Database(#[from] sqlx::Error),
    /// The zip archive is broken or cannot be written.
    #[error(
        "the package is not a readable zip archive ({0}); export it again from Anki (File > Export)"
    )]
    Zip(#[from] zip::result::ZipError),
    /// The package is not one this reader knows.
    #[error("{0}")]
    Package(String),
    /// A text file cannot be read.
    #[error("{0}")]
    Text(String),
}

/// Runs a future to completion in tests.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) fn block_on<T>(f: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}
