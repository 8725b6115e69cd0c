//! `mastery suggestions`: the community's accepted improvements to a guide, as a patch for
//! the guide's repository.

use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use mastery_content::GuideFiles;

use crate::context::{self, DataArgs};
use crate::runtime;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Write the accepted suggestions of the guide in DIR as one unified diff against its
    /// Markdown files (for `git apply`), and mark them exported. Suggestions whose question
    /// changed since they were written are listed as stale and left for a moderator to
    /// rebase; the next export takes them.
    Export {
        #[command(flatten)]
        data: DataArgs,
        /// The guide's folder as it is now, in its repository (`guides/python-django`).
        #[arg(long, value_name = "DIR")]
        guide: PathBuf,
        /// Where to write the patch.
        #[arg(short = 'o', long = "output", value_name = "FILE.patch")]
        output: PathBuf,
        /// Write the patch without marking the suggestions exported (to look first).
        #[arg(long)]
        dry_run: bool,
        /// Replace FILE.patch if it exists.
        #[arg(long)]
        force: bool,
    },
}

/// The prefix of the patch's paths: the guide folder as typed when it is relative (what
/// `git apply` at the repository's top expects), else the folder relative to the current
/// one, else only the file names (`git apply --directory=DIR` then places them).
fn prefix_of(dir: &Path) -> String {
    let clean = |p: &Path| -> String {
        p.components()
            .filter(|c| !matches!(c, Component::CurDir))
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/")
    };
    if dir.is_relative() && !dir.components().any(|c| matches!(c, Component::ParentDir)) {
        return clean(dir);
    }
    std::env::current_dir()
        .ok()
        .and_then(|cwd| dir.strip_prefix(&cwd).ok().map(clean))
        .unwrap_or_default()
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let Action::Export {
        data,
        guide,
        output,
        dry_run,
        force,
    } = &args.action;
    if output.exists() && !force {
        anyhow::bail!(
            "{} exists: choose another file or add --force to replace it",
            output.display()
        );
    }
    // The reason alone (its cause is already in it), and what the option wants.
    let files = GuideFiles::from_dir(guide).map_err(|e| {
        anyhow::anyhow!(
            "{e}; --guide takes the guide's folder in its repository (the one with guide.toml)"
        )
    })?;
    let prefix = prefix_of(guide);
    let runtime = runtime::current_thread()?;
    runtime.block_on(async {
        let db = context::open_store(data.data_dir.as_deref(), data.database.as_deref()).await?;
        let store = db.store.as_ref();
        let export = mastery_app::community::suggestions::export(store, &files, &prefix)
            .await
            .map_err(anyhow::Error::new)?;
        for (id, question) in &export.stale {
            eprintln!(
                "suggestion {id} on `{question}` is stale: the question changed since it was written; a moderator rebases it on its page, then export again"
            );
        }
        if export.exported.is_empty() {
            println!(
                "No accepted suggestion to export for {}{}",
                guide.display(),
                if export.stale.is_empty() {
                    ""
                } else {
                    " (the stale ones above wait for a rebase)"
                }
            );
            return Ok(ExitCode::SUCCESS);
        }
        std::fs::write(output, &export.patch)
            .with_context(|| format!("cannot write {}", output.display()))?;
        let marked = if *dry_run {
            0
        } else {
            mastery_app::community::suggestions::mark_exported(
                store,
                &export.exported,
                mastery_storage::now(),
            )
            .await
            .map_err(anyhow::Error::new)?
        };
        let numbers: Vec<String> = export
            .exported
            .iter()
            .map(|(id, _)| id.to_string())
            .collect();
        println!(
            "Wrote {} suggestion{} ({}) to {}{}",
            export.exported.len(),
            if export.exported.len() == 1 { "" } else { "s" },
            numbers.join(", "),
            output.display(),
            if *dry_run {
                " (--dry-run: not marked exported)".to_owned()
            } else {
                format!("; {marked} marked exported")
            }
        );
        if prefix.is_empty() {
            println!(
                "Apply it inside the guide folder's repository with: git apply --directory=<the guide folder> {}",
                output.display()
            );
        } else {
            println!(
                "Apply it at the top of the repository with: git apply {}",
                output.display()
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_paths_follow_the_folder_as_typed() {
        assert_eq!(
            prefix_of(Path::new("guides/python-django")),
            "guides/python-django"
        );
        assert_eq!(
            prefix_of(Path::new("./guides/python-django/")),
            "guides/python-django"
        );
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(prefix_of(&cwd.join("guides/x")), "guides/x");
        assert_eq!(prefix_of(Path::new("/surely/elsewhere")), "");
    }
}
