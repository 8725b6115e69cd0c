//! The Tokio runtimes the commands run on: one thread for the commands that make one
//! database call after another (`study`, `interview`, `stats`, `backup`, ...), a worker per
//! core for `serve`, which answers requests in parallel.

use anyhow::Context as _;
use tokio::runtime::{Builder, Runtime};

/// The single-threaded runtime the database calls of a command run on.
pub fn current_thread() -> anyhow::Result<Runtime> {
    build(Builder::new_current_thread())
}

/// The multi-threaded runtime of `mastery serve`.
pub fn multi_thread() -> anyhow::Result<Runtime> {
    build(Builder::new_multi_thread())
}

fn build(mut builder: Builder) -> anyhow::Result<Runtime> {
    builder
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
