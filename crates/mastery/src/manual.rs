//! `mastery completions SHELL` and `mastery man`: shell completion scripts and man pages,
//! generated from the command definitions (clap_complete, clap_mangen), so they never
//! drift from `--help`. The Debian package ships both.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::CommandFactory as _;

/// Arguments of `mastery completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to write the completion script for.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Arguments of `mastery man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write one page per command into this folder (mastery.1, mastery-serve.1,
    /// mastery-user-add.1, ...); without it, print mastery(1) on standard output.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
}

/// The whole command line, as clap describes it.
fn command() -> clap::Command {
    crate::Cli::command()
}

/// `mastery completions SHELL`.
pub fn completions(args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut command = command();
    clap_complete::generate(args.shell, &mut command, "mastery", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

/// `mastery man [--out-dir DIR]`.
pub fn man(args: &ManArgs) -> anyhow::Result<ExitCode> {
    match &args.out_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(command(), dir)
                .with_context(|| format!("cannot write the man pages into {}", dir.display()))?;
            let mut written: Vec<String> = std::fs::read_dir(dir)
                .with_context(|| format!("cannot list {}", dir.display()))?
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".1"))
                .collect();
            written.sort();
            println!(
                "{} man pages in {}: {}",
                written.len(),
                dir.display(),
                written.join(" ")
            );
        }
        None => clap_mangen::Man::new(command())
            .render(&mut std::io::stdout())
            .context("cannot write the man page")?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Every command's name path (`["user", "add"]`), the top level excluded.
#[cfg(test)]
fn command_paths(command: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
    for sub in command.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        let mut path = prefix.to_vec();
        path.push(sub.get_name().to_owned());
        out.push(path.clone());
        command_paths(sub, &path, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_a_man_page_and_completions() {
        let mut paths = Vec::new();
        command_paths(&command(), &[], &mut paths);
        assert!(paths.len() > 20, "{paths:?}");

        let dir = tempfile::tempdir().unwrap();
        clap_mangen::generate_to(command(), dir.path()).unwrap();
        assert!(dir.path().join("mastery.1").is_file());
        for path in &paths {
            let page = dir.path().join(format!("mastery-{}.1", path.join("-")));
            assert!(page.is_file(), "no man page {}", page.display());
        }

        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
            clap_complete::Shell::PowerShell,
        ] {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command(), "mastery", &mut script);
            let script = String::from_utf8(script).unwrap();
            for path in &paths {
                let name = path.last().unwrap();
                assert!(
                    script.contains(name.as_str()),
                    "{shell}: no `{}`",
                    path.join(" ")
                );
            }
        }
    }
}
