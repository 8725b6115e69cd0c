//! `mastery`: the binary. Parses the command line and hands each subcommand to its module.

mod check;
mod embedded;
mod guides;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Mastery: prepare for senior Python & Django interviews.
///
/// Read an accurate guide, tick off what you have mastered, and check that every code
/// example in a guide really runs and prints what the guide says.
#[derive(Debug, Parser)]
#[command(name = "mastery", version, about, long_about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate guides and print a summary; exit status 1 on any error.
    #[command(after_help = "\
Examples:
  mastery check                         # the guides built into this binary
  mastery check guides/python-django    # a guide folder you are writing
  mastery check a/ b/ --deny-warnings   # several guides; warnings fail too")]
    Check(check::Args),

    /// Run every Python example of a guide and compare its output with the recorded one.
    #[command(after_help = "\
Examples:
  mastery verify                        # every example of the built-in guides
  mastery verify guides/python-django   # a guide folder
  mastery verify --only gil --jobs 1    # the examples of one question, one at a time

Examples with `requires=...` run in a virtual environment that verify creates with
`python3 -m venv` and pip, cached under the cache directory between runs.")]
    Verify(verify::Args),
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Verify(args) => verify::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("MASTERY_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Guide folders given on the command line (none means the embedded guides).
#[derive(Debug, clap::Args)]
pub struct GuideDirs {
    /// Guide folders (each holds a guide.toml); the built-in guides when none is given.
    #[arg(value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
}
