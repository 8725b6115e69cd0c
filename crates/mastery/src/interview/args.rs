//! The command line of `mastery interview`: its arguments, checked against the guides before
//! the terminal is taken over, and the command to print as a hint.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use mastery_content::{Guide, Level};
use mastery_study::interview::{self as domain, Custom, Request};

use crate::context::{self, DataArgs, GuidesArgs};
use crate::tui::{self, LevelArg};

/// Questions of a custom interview when `--questions` is not given.
const DEFAULT_QUESTIONS: usize = 5;
/// Minutes per question of a custom interview when `--minutes` is not given.
const DEFAULT_MINUTES: u32 = 3;
/// What `--resume` without an id stands for.
pub const LATEST: &str = "latest";

/// Arguments of `mastery interview`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The guide to draw the questions from (its id) [default: the first guide].
    #[arg(long, value_name = "ID")]
    pub guide: Option<String>,
    /// Start this preset at once instead of choosing on the start screen.
    #[arg(
        long,
        value_name = "ID",
        value_parser = clap::builder::PossibleValuesParser::new(domain::PRESETS.iter().map(|p| p.id)),
        conflicts_with_all = ["levels", "sections", "questions", "minutes"]
    )]
    pub preset: Option<String>,
    /// Print the presets and exit.
    #[arg(long, conflicts_with_all = ["preset", "resume", "report", "history"])]
    pub list_presets: bool,
    /// Only this level (repeatable) [default: every level].
    #[arg(
        long = "level",
        value_enum,
        value_name = "LEVEL",
        help_heading = "Custom interview"
    )]
    pub levels: Vec<LevelArg>,
    /// Only this section (its id; repeatable) [default: every section].
    #[arg(long = "section", value_name = "ID", help_heading = "Custom interview")]
    pub sections: Vec<String>,
    /// Number of main questions, 1 to 50 [default: 5].
    #[arg(long, value_name = "N", help_heading = "Custom interview")]
    pub questions: Option<usize>,
    /// Minutes per question, 1 to 30 [default: 3].
    #[arg(long, value_name = "M", help_heading = "Custom interview")]
    pub minutes: Option<u32>,
    /// Continue an unfinished interview (without ID: the latest unfinished one).
    #[arg(
        long,
        value_name = "ID",
        num_args = 0..=1,
        default_missing_value = LATEST,
        conflicts_with_all = ["guide", "preset", "levels", "sections", "questions", "minutes"]
    )]
    pub resume: Option<String>,
    /// Print the report of a finished interview and exit (no terminal needed).
    #[arg(
        long,
        value_name = "ID",
        conflicts_with_all = ["guide", "preset", "levels", "sections", "questions", "minutes", "resume", "history"]
    )]
    pub report: Option<String>,
    /// Print your past interviews (date, title, score) and exit (no terminal needed).
    #[arg(
        long,
        conflicts_with_all = ["guide", "preset", "levels", "sections", "questions", "minutes", "resume"]
    )]
    pub history: bool,
    /// Write the report as Markdown to FILE when the interview is finished (with --report:
    /// at once); `-` prints it.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["history", "list_presets"])]
    pub markdown: Option<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub user: context::UserArgs,
    #[command(flatten)]
    pub guides: GuidesArgs,
}

/// How the session begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// The start screen, for this guide.
    Choose(String),
    /// A new interview on this guide.
    Start {
        /// The guide's id.
        guide: String,
        /// A preset or a custom interview.
        request: Request,
    },
    /// An unfinished interview, by id.
    Resume(String),
}

/// `mastery interview` with `rest` and the data options given, to print as a hint.
pub fn command(args: &Args, rest: &str) -> String {
    let mut line = format!("mastery interview {rest}");
    if let Some(dir) = &args.data.data_dir {
        let _ = write!(line, " --data-dir {}", dir.display());
    }
    if let Some(url) = &args.data.database {
        let _ = write!(line, " --database {}", context::redact(url));
    }
    for dir in &args.guides.guides {
        let _ = write!(line, " --guides {}", dir.display());
    }
    line
}

/// What the arguments ask for, checked against the guides: the guide, preset, levels and
/// sections must exist and select at least one question.
pub fn begin(args: &Args, guides: &[Arc<Guide>]) -> anyhow::Result<Begin> {
    if let Some(id) = &args.resume {
        return Ok(Begin::Resume(id.clone()));
    }
    let guide = match &args.guide {
        Some(id) => tui::guide(guides, id)?,
        None => guides.first().context("no guide is loaded")?,
    };
    let custom = !args.levels.is_empty()
        || !args.sections.is_empty()
        || args.questions.is_some()
        || args.minutes.is_some();
    let request = match (&args.preset, custom) {
        (Some(id), _) => Request::Preset { id: id.clone() },
        (None, true) => {
            for section in &args.sections {
                if !guide.sections.iter().any(|s| s.id.as_str() == section) {
                    bail!(
                        "the guide {} has no section `{section}`; its sections are: {}",
                        guide.id.as_str(),
                        tui::list(guide.sections.iter().map(|s| s.id.as_str()))
                    );
                }
            }
            Request::Custom(Custom {
                levels: args.levels.iter().copied().map(Level::from).collect(),
                sections: args.sections.clone(),
                questions: args.questions.unwrap_or(DEFAULT_QUESTIONS),
                minutes_per_question: args.minutes.unwrap_or(DEFAULT_MINUTES),
            })
        }
        (None, false) => return Ok(Begin::Choose(guide.id.to_string())),
    };
    // The same check `start` makes, before the terminal is taken over.
    domain::lineup(guide, &request, 0).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Begin::Start {
        guide: guide.id.to_string(),
        request,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{INTERVIEW, guides};

    #[test]
    fn arguments_are_checked_before_the_terminal() {
        use clap::Parser as _;

        #[derive(Debug, clap::Parser)]
        struct Cli {
            #[command(flatten)]
            args: Args,
        }
        let guides = guides(INTERVIEW);
        let parse = |line: &[&str]| {
            let mut argv = vec!["interview"];
            argv.extend_from_slice(line);
            Cli::try_parse_from(argv).map(|c| c.args)
        };
        let begin_of = |line: &[&str]| begin(&parse(line).unwrap(), &guides);
        assert_eq!(begin_of(&[]).unwrap(), Begin::Choose("t".into()));
        assert_eq!(
            begin_of(&["--preset", "recruiter-screen"]).unwrap(),
            Begin::Start {
                guide: "t".into(),
                request: Request::Preset {
                    id: "recruiter-screen".into()
                }
            }
        );
        assert_eq!(
            begin_of(&["--resume"]).unwrap(),
            Begin::Resume(LATEST.into())
        );
        let custom = begin_of(&["--level", "senior", "--questions", "1"]).unwrap();
        assert!(
            matches!(&custom, Begin::Start { request: Request::Custom(c), .. } if c.minutes_per_question == DEFAULT_MINUTES),
            "{custom:?}"
        );
        let error = |line: &[&str]| begin_of(line).unwrap_err().to_string();
        assert_eq!(
            error(&["--guide", "nope"]),
            "there is no guide `nope`; the guides are: t"
        );
        assert_eq!(
            error(&["--section", "nope"]),
            "the guide t has no section `nope`; its sections are: basics"
        );
        assert!(error(&["--minutes", "99"]).contains("minutes per question"));
        assert!(parse(&["--preset", "nope"]).is_err());
        assert!(parse(&["--preset", "recruiter-screen", "--level", "senior"]).is_err());
        assert!(parse(&["--report", "x", "--resume", "y"]).is_err());
    }
}
