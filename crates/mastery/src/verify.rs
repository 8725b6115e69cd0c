//! `mastery verify`: run every Python example of a guide and compare its output.
//!
//! Each example runs alone as `python3 example.py` in a fresh temporary directory, in its
//! own process group, with standard output and standard error captured through one pipe
//! (so they interleave as printed) and a time limit after which the whole group is killed:
//! a hanging example, or one that leaves children behind, never hangs verify. Examples that
//! need packages run in a virtual environment created once per set of requirements and
//! cached between runs. Examples run in parallel, one per CPU unless `--jobs` says otherwise.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use indicatif::{ProgressBar, ProgressStyle};
use mastery_content::expected::output_matches;
use mastery_content::{CodeExample, Guide};

use crate::guides::{GuideDirs, load_and_report, sources};
use crate::pythons::{self, Constraint, Interpreter};

/// Arguments of `mastery verify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    guides: GuideDirs,
    /// How many examples run at once [default: the number of CPUs].
    #[arg(long, short)]
    jobs: Option<usize>,
    /// Only the examples of this question id (repeatable).
    #[arg(long, value_name = "ID")]
    only: Vec<String>,
    /// The Python interpreter that runs examples and creates virtual environments.
    #[arg(long, default_value = "python3", env = "MASTERY_PYTHON")]
    python: String,
    /// More interpreters for examples that need another Python version
    /// (`requires="python>=3.12"`), besides python3.N on PATH and pyenv's versions
    /// (colon-separated in MASTERY_PYTHONS; repeatable).
    #[arg(
        long,
        env = "MASTERY_PYTHONS",
        value_name = "PATH",
        value_delimiter = ':'
    )]
    pythons: Vec<PathBuf>,
    /// Where virtual environments are cached [default: the platform cache directory,
    /// e.g. ~/.cache/mastery].
    #[arg(long, env = "MASTERY_CACHE_DIR", value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

/// Output kept per example; more is cut (and reported) so a runaway print cannot eat memory.
const OUTPUT_LIMIT: usize = 1 << 20;

struct Job {
    entry: String,
    example: CodeExample,
    /// The interpreter to run it with, or why there is none.
    python: Result<PathBuf, String>,
}

/// What an example needs to run: an interpreter and the packages of its virtual
/// environment (none: the interpreter itself).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Needs {
    python: PathBuf,
    packages: Vec<String>,
}

enum Outcome {
    Passed,
    Mismatch {
        actual: String,
    },
    WrongExit {
        expected: i32,
        got: Option<i32>,
        actual: String,
    },
    TimedOut {
        limit: Duration,
        actual: String,
    },
    CouldNotRun(String),
}

struct Finished {
    entry: String,
    example: CodeExample,
    outcome: Outcome,
    elapsed: Duration,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut guides: Vec<Guide> = Vec::new();
    let mut load_failed = false;
    for files in sources(&args.guides)? {
        let report = load_and_report(&files);
        match report.guide {
            Some(guide) => guides.push(guide),
            None => load_failed = true,
        }
    }
    if load_failed {
        eprintln!("verify: fix the errors above first (`mastery check` lists them)");
        return Ok(ExitCode::FAILURE);
    }
    let default_version = python_version(&args.python)?;
    let default = Interpreter {
        path: PathBuf::from(&args.python),
        version: pythons::parse_version(&default_version).unwrap_or((3, 0, 0)),
    };
    let mut found: Option<Vec<Interpreter>> = None;
    let mut jobs = Vec::new();
    let mut skipped = Vec::new();
    let mut envs: BTreeMap<Needs, Option<PathBuf>> = BTreeMap::new();
    for guide in &guides {
        for entry in guide.entries() {
            if !args.only.is_empty() && !args.only.iter().any(|o| o == entry.id.as_str()) {
                continue;
            }
            for example in entry
                .examples
                .iter()
                .filter(|e| mastery_content::is_python(&e.language))
            {
                if example.norun {
                    skipped.push((entry.id.to_string(), example.clone()));
                    continue;
                }
                let needs = needs(example, &default, &mut found, &args.pythons);
                if let Ok(needs) = &needs {
                    envs.entry(needs.clone()).or_default();
                }
                jobs.push((needs, entry.id.to_string(), example.clone()));
            }
        }
    }
    if !args.only.is_empty() && jobs.is_empty() && skipped.is_empty() {
        bail!(
            "no example belongs to the question id(s) {}",
            args.only.join(", ")
        );
    }
    let cache = match &args.cache_dir {
        Some(dir) => dir.clone(),
        None => dirs::cache_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("mastery"),
    };
    for (needs, env) in &mut envs {
        if !needs.packages.is_empty() {
            let python = needs.python.to_string_lossy().into_owned();
            let version = python_version(&python)?;
            *env = Some(ensure_venv(&python, &version, &needs.packages, &cache)?);
        }
    }
    let jobs: Vec<Job> = jobs
        .into_iter()
        .map(|(needs, entry, example)| Job {
            entry,
            example,
            python: needs.map(|needs| {
                envs.get(&needs).and_then(|env| env.as_ref()).map_or_else(
                    || needs.python.clone(),
                    |venv| venv.join("bin").join("python"),
                )
            }),
        })
        .collect();

    let total = jobs.len();
    let workers = args
        .jobs
        .unwrap_or_else(|| thread::available_parallelism().map_or(2, usize::from))
        .clamp(1, 64)
        .min(total.max(1));
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("verifying {bar:32.cyan/blue} {pos}/{len} examples  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let queue = Arc::new(Mutex::new(jobs));
    let (tx, rx) = mpsc::channel::<Finished>();
    let mut handles = Vec::new();
    for _ in 0..workers {
        let queue = Arc::clone(&queue);
        let tx = tx.clone();
        handles.push(thread::spawn(move || {
            loop {
                let job = match queue.lock() {
                    Ok(mut q) => q.pop(),
                    Err(_) => None,
                };
                let Some(job) = job else { break };
                let started = Instant::now();
                let outcome = match &job.python {
                    Ok(python) => run_example(python, &job.example),
                    Err(why) => Outcome::CouldNotRun(why.clone()),
                };
                let finished = Finished {
                    entry: job.entry,
                    example: job.example,
                    outcome,
                    elapsed: started.elapsed(),
                };
                if tx.send(finished).is_err() {
                    break;
                }
            }
        }));
    }
    drop(tx);
    let mut results = Vec::with_capacity(total);
    for finished in rx {
        bar.set_message(finished.entry.clone());
        bar.inc(1);
        results.push(finished);
    }
    for handle in handles {
        let _ = handle.join();
    }
    bar.finish_and_clear();
    results.sort_by(|a, b| {
        (&a.example.location.file, a.example.location.line)
            .cmp(&(&b.example.location.file, b.example.location.line))
    });
    Ok(report(&results, &skipped, &default_version))
}

/// The interpreter and packages an example needs: its `requires=` values, split into a
/// Python version constraint and packages. The machine's interpreters are looked for once,
/// when the first example with a constraint comes.
fn needs(
    example: &CodeExample,
    default: &Interpreter,
    found: &mut Option<Vec<Interpreter>>,
    extra: &[PathBuf],
) -> Result<Needs, String> {
    let mut constraint = None;
    let mut packages = Vec::new();
    for spec in &example.requires {
        match Constraint::of_requirement(spec) {
            Some(parsed) => constraint = Some(parsed?),
            None => packages.push(spec.clone()),
        }
    }
    packages.sort();
    let python = match &constraint {
        None => default.path.clone(),
        Some(constraint) => {
            let found = found
                .get_or_insert_with(|| pythons::discover(&default.path.to_string_lossy(), extra));
            match pythons::choose(found, default, Some(constraint)) {
                Some(interpreter) => interpreter.path.clone(),
                None => {
                    let list: Vec<String> = found.iter().map(Interpreter::describe).collect();
                    return Err(format!(
                        "it needs {constraint}, and no interpreter here has it (found: {}); install one (for example with pyenv) or name it with --pythons PATH",
                        if list.is_empty() {
                            "none".to_owned()
                        } else {
                            list.join(", ")
                        }
                    ));
                }
            }
        }
    };
    Ok(Needs { python, packages })
}

fn report(results: &[Finished], skipped: &[(String, CodeExample)], python: &str) -> ExitCode {
    let mut failures = 0;
    for r in results {
        let (label, detail) = match &r.outcome {
            Outcome::Passed => continue,
            Outcome::Mismatch { actual } => (
                "output differs from the recorded output".to_owned(),
                diff(r.example.expected_output.as_deref().unwrap_or(""), actual),
            ),
            Outcome::WrongExit {
                expected,
                got,
                actual,
            } => (
                match got {
                    Some(code) => format!("exited with status {code}, expected {expected}"),
                    None => "was killed by a signal".to_owned(),
                },
                actual.clone(),
            ),
            Outcome::TimedOut { limit, actual } => (
                format!(
                    "did not finish within {}s (set `timeout=SECONDS` if it needs longer)",
                    limit.as_secs()
                ),
                actual.clone(),
            ),
            Outcome::CouldNotRun(why) => (format!("could not run: {why}"), String::new()),
        };
        failures += 1;
        eprintln!("FAILED {} ({}): {label}", r.example.location, r.entry);
        for line in detail.lines() {
            eprintln!("    {line}");
        }
        eprintln!();
    }
    println!("{:<7} {:>7}  {:<52} question", "result", "time", "example");
    for r in results {
        let status = if matches!(r.outcome, Outcome::Passed) {
            "ok"
        } else {
            "FAILED"
        };
        println!(
            "{status:<7} {:>6.2}s  {:<52} {}",
            r.elapsed.as_secs_f64(),
            r.example.location.to_string(),
            r.entry
        );
    }
    for (entry, example) in skipped {
        let why = example
            .norun_reason
            .as_deref()
            .map_or_else(String::new, |r| format!(" ({r})"));
        println!(
            "{:<7} {:>7}  {:<52} {entry}{why}",
            "norun",
            "-",
            example.location.to_string()
        );
    }
    let passed = results.len() - failures;
    println!();
    println!(
        "verify ({python}): {passed} examples passed, {failures} failed, {} not run (marked norun)",
        skipped.len()
    );
    if failures > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .header("expected (from the guide)", "actual")
        .to_string()
}

fn python_version(python: &str) -> anyhow::Result<String> {
    pythons::banner(Path::new(python))
        .with_context(|| format!("cannot run `{python}`: install Python 3 or pass --python PATH"))
}

/// A stable 64-bit FNV-1a hash, for cache keys that must not change between builds.
fn fnv1a(data: &str) -> u64 {
    data.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Returns a virtual environment with `requires` installed, creating it if needed.
fn ensure_venv(
    python: &str,
    version: &str,
    requires: &[String],
    cache: &Path,
) -> anyhow::Result<PathBuf> {
    let key = format!(
        "{:016x}",
        fnv1a(&format!("{version}\n{}", requires.join("\n")))
    );
    let dir = cache.join("venvs").join(&key);
    let marker = dir.join(".mastery-complete");
    if marker.is_file() {
        return Ok(dir);
    }
    std::fs::create_dir_all(cache.join("venvs"))
        .with_context(|| format!("cannot create the cache directory {}", cache.display()))?;
    let staging = cache
        .join("venvs")
        .join(format!("{key}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    eprintln!(
        "verify: creating a virtual environment with {} on {version} (cached in {})",
        requires.join(" "),
        dir.display()
    );
    let status = Command::new(python)
        .args(["-m", "venv"])
        .arg(&staging)
        .status()
        .with_context(|| format!("cannot run `{python} -m venv`"))?;
    if !status.success() {
        bail!("`{python} -m venv` failed; on Debian install the python3-venv package");
    }
    let status = Command::new(staging.join("bin").join("python"))
        .args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "--quiet",
        ])
        .args(requires)
        .status()
        .context("cannot run pip in the new virtual environment")?;
    if !status.success() {
        let _ = std::fs::remove_dir_all(&staging);
        bail!("pip could not install {}", requires.join(" "));
    }
    std::fs::write(staging.join(".mastery-complete"), requires.join("\n"))
        .context("cannot write to the cache directory")?;
    if std::fs::rename(&staging, &dir).is_err() {
        // Another verify finished the same environment first: use theirs.
        let _ = std::fs::remove_dir_all(&staging);
        if !marker.is_file() {
            bail!("cannot move the virtual environment into {}", dir.display());
        }
    }
    Ok(dir)
}

fn run_example(python: &Path, example: &CodeExample) -> Outcome {
    match try_run(python, example) {
        Ok(outcome) => outcome,
        Err(e) => Outcome::CouldNotRun(format!("{e:#}")),
    }
}

fn try_run(python: &Path, example: &CodeExample) -> anyhow::Result<Outcome> {
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    std::fs::write(dir.path().join("example.py"), &example.code)
        .context("cannot write example.py")?;
    let (mut reader, writer) = std::io::pipe().context("cannot create a pipe")?;
    let writer_err = writer.try_clone().context("cannot duplicate the pipe")?;
    let mut command = Command::new(python);
    command
        .arg("example.py")
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(writer_err)
        .env("PYTHONUNBUFFERED", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONIOENCODING", "utf-8")
        .env_remove("PYTHONPATH")
        .env_remove("PYTHONSTARTUP")
        .process_group(0);
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot start {}", python.display()))?;
    // The command holds the pipe's write ends; drop them so the reader sees the end.
    drop(command);
    let collector = thread::spawn(move || {
        let mut kept = Vec::new();
        let mut chunk = [0u8; 8192];
        let mut cut = false;
        while let Ok(n) = reader.read(&mut chunk) {
            if n == 0 {
                break;
            }
            let room = OUTPUT_LIMIT.saturating_sub(kept.len());
            kept.extend_from_slice(&chunk[..n.min(room)]);
            cut |= n > room;
        }
        (kept, cut)
    });
    let started = Instant::now();
    let group = rustix::process::Pid::from_raw(i32::try_from(child.id()).unwrap_or(0));
    let kill_group = || {
        if let Some(pid) = group {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    };
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().context("cannot wait for the example")? {
            break status;
        }
        if started.elapsed() > example.timeout {
            timed_out = true;
            kill_group();
            break child.wait().context("cannot wait for the example")?;
        }
        thread::sleep(Duration::from_millis(10));
    };
    // Children left behind would keep the pipe open: end them too.
    kill_group();
    let (bytes, cut) = collector.join().unwrap_or_default();
    let mut actual = String::from_utf8_lossy(&bytes).into_owned();
    if cut {
        actual.push_str("\n[output cut at 1 MiB]\n");
    }
    if timed_out {
        return Ok(Outcome::TimedOut {
            limit: example.timeout,
            actual,
        });
    }
    if status.code() != Some(example.exit_code) {
        return Ok(Outcome::WrongExit {
            expected: example.exit_code,
            got: status.code(),
            actual,
        });
    }
    let expected = example.expected_output.as_deref().unwrap_or("");
    if output_matches(expected, &actual) {
        Ok(Outcome::Passed)
    } else {
        Ok(Outcome::Mismatch { actual })
    }
}
