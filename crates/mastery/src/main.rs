//! `mastery`: the binary. Parses the command line and hands each subcommand to its module.

mod anki;
mod backup;
mod check;
mod config;
mod context;
mod db;
mod embedded;
mod guides;
mod import;
mod interview;
mod learner;
mod manual;
mod optimize;
mod output;
mod pythons;
mod runtime;
mod serve;
mod site;
mod stats;
mod study;
mod suggestions;
#[cfg(test)]
pub(crate) mod test_support;
mod tui;
mod users;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Mastery: prepare for senior Python & Django interviews.
///
/// Read an accurate guide, tick off what you have mastered, take notes and search, in the
/// browser (`mastery serve`); drill the questions with spaced repetition in the browser or
/// the terminal (`mastery study`); check a guide you write and verify that every code example
/// really runs and prints what the guide says.
#[derive(Debug, Parser)]
#[command(name = "mastery", version = VERSION, about, long_about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// `mastery --version`: the version and the commit it was built from (see build.rs).
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("MASTERY_BUILD"), ")");

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web app: read the guides, tick what you have mastered, take notes, search.
    #[command(after_help = "\
Examples:
  mastery serve                                  # http://127.0.0.1:8080, data in ~/.local/share/mastery
  mastery serve --bind 127.0.0.1:9000 --data-dir ./data
  mastery serve --guides ./my-guide --watch      # author mode: live reload, errors in the browser

Every option can also be set in mastery.toml (`mastery config default` prints an example) or
with an environment variable: MASTERY_BIND, MASTERY_DATA_DIR, MASTERY_GUIDES (comma-separated),
MASTERY_DATABASE_URL, ... Flags win over variables, variables over the file.")]
    Serve(Box<config::ServeArgs>),

    /// Study in the terminal: due questions one at a time, rated Again, Hard, Good or Easy.
    #[command(after_help = "\
Examples:
  mastery study                                  # everything due, all guides
  mastery study --guide python-django --level senior
  mastery study --section django --tag performance --data-dir ./data

Keys: Space shows the answer, arrows and PageUp/PageDown scroll it, 1-4 rate it (Again, Hard,
Good, Easy; each shows when the question comes back), u undoes the last review, q or Esc
quits and prints what you did. It uses the same database as `mastery serve`, which can run
at the same time.")]
    Study(study::Args),

    /// Rehearse an interview in the terminal: timed questions, typed answers checked against
    /// key points, follow-ups for strong answers, and a report that feeds the study queue.
    #[command(after_help = "\
Examples:
  mastery interview                                  # choose a preset on the start screen
  mastery interview --preset recruiter-screen        # 5 questions in 15 minutes
  mastery interview --level senior --section django --questions 4 --minutes 5
  mastery interview --resume                         # continue the latest unfinished interview
  mastery interview --list-presets
  mastery interview --history                        # past interviews: date, title, score
  mastery interview --report 3f9a0c1b2d4e --markdown report.md

Keys while answering: type your answer (Enter starts a new line, arrows move); Ctrl+D or F2
(or Ctrl+S) submits it; Ctrl+A (or F3) records that you answered aloud. The countdown is shown
at the top right; when it runs out, what you typed is submitted and recorded as timed out.
After an answer: the words that matched a key point are highlighted, 1-9 toggle a key point's
tick, n moves on (to a follow-up when the answer covered the basics), f finishes early, arrows
and PageUp/PageDown scroll. q (when not typing), Esc twice or Ctrl+C leaves; an unfinished
interview can be resumed with --resume. It uses the same database as `mastery serve`, which
can run at the same time.")]
    Interview(interview::Args),

    /// Print study statistics per guide: mastered, due, reviews, retention, time.
    #[command(after_help = "\
Examples:
  mastery stats                       # data in ~/.local/share/mastery
  mastery stats --data-dir ./data
  mastery stats --guides ./my-guide   # count the questions of your own guide too

Days are your study days (the day start hour and UTC offset of your study settings). Colour
only when standard output is a terminal and NO_COLOR is not set.")]
    Stats(stats::Args),

    /// Fit personal FSRS parameters to your reviews; shows the log loss before and after.
    #[command(after_help = "\
Examples:
  mastery optimize                    # data in ~/.local/share/mastery
  mastery optimize --data-dir ./data

Needs at least 64 reviews made a day or more after the previous review of the same question.
The fitted parameters are saved only when they predict your reviews better than the current
ones. The settings page of `mastery serve` has the same button.")]
    Optimize(optimize::Args),

    /// Copy the database to a file, safely while `mastery serve` runs.
    #[command(after_help = "\
Examples:
  mastery backup --to mastery-2026-11-23.db
  mastery backup --data-dir ./data --to /backups/mastery.db

The copy is a consistent snapshot (SQLite's VACUUM INTO) that opens like any Mastery
database: to restore, stop Mastery and start it with --database sqlite://FILE (or copy the
file over DATA_DIR/mastery.db). An existing file is never overwritten.")]
    Backup(backup::Args),

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
`python3 -m venv` and pip, cached under the cache directory between runs. An example with
`requires=\"python>=3.12\"` runs on an interpreter of that version: --python when it fits,
else the oldest fitting one among python3.N on PATH, pyenv's versions and --pythons.")]
    Verify(verify::Args),

    /// Turn a Markdown question list (a file, or a folder as interview-question repositories
    /// publish them) or an Anki deck (.apkg, .colpkg, .csv, .tsv, .txt) into a guide folder
    /// that `mastery check` accepts.
    #[command(after_help = "\
Examples:
  mastery import questions.md -o my-guide
  mastery import French.apkg -o french --with-scheduling   # an Anki deck and its reviews
  mastery import deck.csv -o deck-guide                      # Anki's text format
  mastery import ./javascript-questions -o js-guide --level junior
  mastery import repo/ -o guide --link-base https://github.com/OWNER/REPO/blob/main/

Recognised: questions as headings followed by answers (the level whose headings read as
questions; deeper headings and `#` lines in code stay in the answer), <details><summary>
blocks, numbered or bulleted lists with indented answers, **bold** or Q: paragraphs, and one
file per question. A table of contents is used to find the questions, then left out. Code
keeps its language, links to headings become links to questions, images are copied. The
report says what was guessed and what was left out, with file and line. OUT is written
whole, after the guide passed the same checks as `mastery check`.

From Anki: decks become sections, fields become Markdown (code blocks kept), cloze notes
become questions whose answer is the text filled in, images are copied into OUT/media/,
tags are kept (level::junior|confirmed|senior sets the level). The report counts what could
not be carried over (templates, reverse cards, sounds). See docs/interop.md.")]
    Import(import::Args),

    /// Write a guide for Anki: an .apkg package Anki imports (optionally with your FSRS
    /// memory state, due dates and review history), or Anki's text format (.csv/.tsv).
    #[command(after_help = "\
Examples:
  mastery export anki python-django -o python-django.apkg
  mastery export anki python-django -o mine.apkg --with-scheduling
  mastery export anki ./my-guide -o my-guide.apkg --with-scheduling --user ada --database postgres://mastery@db/mastery
  mastery export csv python-django -o python-django.csv

One note per question (insights are left out), with the fields Question, Answer (highlighted
code kept), Key points, References and Id; sections become subdecks; levels and tags become
tags. Note ids are derived from the guide and question ids, so importing a newer export into
Anki updates the notes instead of duplicating them. The file is written whole or not at all.")]
    Export(anki::ExportArgs),

    /// Write one guide as a static site: home, guide, question pages, search that works
    /// offline, light and dark themes, and one page for print.
    #[command(after_help = "\
Examples:
  mastery build python-django -o site          # a built-in guide
  mastery build ./my-guide -o public --force   # a guide folder; replace what is in public/

Open site/index.html straight from the disk, or put the folder on any web host: every link
is relative, and the search index is a script, so search works from file:// too. The guide
must pass `mastery check` first; the folder is written whole or not at all.")]
    Build(site::Args),

    /// Settings of `mastery serve`: print an example mastery.toml, or the settings in effect.
    #[command(after_help = "\
Examples:
  mastery config default > mastery.toml     # every key, commented, with its default
  mastery config show                       # what `mastery serve` would use, and from where
  MASTERY_BIND=0.0.0.0:80 mastery config show --config /etc/mastery/mastery.toml

Precedence, lowest to highest: built-in defaults, mastery.toml (--config FILE, else
./mastery.toml, else ~/.config/mastery/mastery.toml), MASTERY_* variables, flags.")]
    Config(config::Args),

    /// Accounts of a multi-user database: add, list, change roles, disable, reset
    /// passwords, delete.
    #[command(after_help = "\
Examples:
  mastery user add ada --admin                 # prints a generated password, once
  printf '%s\\n' \"$PASSWORD\" | mastery user add grace --email grace@example.org --password-stdin
  mastery user list --database postgres://mastery@db/mastery
  mastery user role grace moderator
  mastery user disable grace                   # ends her sessions at once
  mastery user reset-password grace
  mastery user delete grace --yes

Works on SQLite and PostgreSQL, beside a running server. See docs/multi-user.md.")]
    User(users::UserArgs),

    /// Invitation links of a multi-user server: create, list, revoke.
    #[command(after_help = "\
Examples:
  mastery invite create --label \"cohort 12\" --days 14 --uses 30 --base-url https://mastery.example.org
  mastery invite list
  mastery invite revoke 3")]
    Invite(users::InviteArgs),

    /// Personal access tokens of an account, for the JSON API: create, list, revoke.
    #[command(after_help = "\
Examples:
  mastery token create --user ada --label \"backup script\" --days 90   # prints the token, once
  mastery token create --user ada --label sync --scope write
  mastery token list --user ada
  mastery token revoke --user ada 3

A token is sent as `Authorization: Bearer TOKEN` to /api/v1; it needs no CSRF token and
can never change the password, two-factor sign-in or tokens. See docs/multi-user.md.")]
    Token(users::TokenArgs),

    /// The community's accepted improvements to a guide, as a patch for its repository.
    #[command(after_help = "\
Examples:
  mastery suggestions export --guide guides/python-django -o suggestions.patch
  git apply --check suggestions.patch && git apply suggestions.patch
  mastery suggestions export --guide guides/python-django -o look.patch --dry-run

Moderators accept suggestions on /suggestions; a stale one (its question changed since) is
rebased on its page before it is exported. See docs/community.md.")]
    Suggestions(suggestions::Args),

    /// Print a shell completion script (bash, zsh, fish, powershell).
    #[command(after_help = "\
Examples:
  mastery completions bash > ~/.local/share/bash-completion/completions/mastery
  mastery completions zsh > ~/.zfunc/_mastery        # with fpath+=~/.zfunc in ~/.zshrc
  mastery completions fish > ~/.config/fish/completions/mastery.fish")]
    Completions(manual::CompletionsArgs),

    /// Print the man page, or write one per command with --out-dir.
    #[command(after_help = "\
Examples:
  mastery man | man -l -
  mastery man --out-dir ~/.local/share/man/man1")]
    Man(manual::ManArgs),

    /// Back up or restore one learner's data (marks, notes, card states, review log,
    /// interviews, settings) as a JSON file: `mastery learner export` and `import`.
    Learner(learner::Args),

    /// Work on whole databases: `mastery db copy --from URL --to URL` moves everything
    /// between SQLite and PostgreSQL (either way) and verifies the copy.
    Db(db::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `serve` sets up its own logging, in the format its settings choose.
    if !matches!(cli.command, Command::Serve(_)) {
        init_logging();
    }
    let result = match cli.command {
        Command::Serve(args) => serve::run(&args),
        Command::Study(args) => study::run(&args),
        Command::Interview(args) => interview::run(&args),
        Command::Stats(args) => stats::run(&args),
        Command::Optimize(args) => optimize::run(&args),
        Command::Backup(args) => backup::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Config(args) => config::run(&args),
        Command::Db(args) => db::run(&args),
        Command::Learner(args) => learner::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Export(args) => anki::export(&args),
        Command::Build(args) => site::run(&args),
        Command::User(args) => users::run_user(&args),
        Command::Completions(args) => manual::completions(&args),
        Command::Man(args) => manual::man(&args),
        Command::Invite(args) => users::run_invite(&args),
        Command::Token(args) => users::run_token(&args),
        Command::Suggestions(args) => suggestions::run(&args),
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
