//! The Python interpreters `mastery verify` can run examples on, and the choice of one for
//! an example that says which versions it needs (`requires="python>=3.12"`).
//!
//! Candidates, in this order: `--python` (default `python3`); `python3.N` on `PATH`; every
//! `bin/python3` under pyenv's versions folder (`$PYENV_ROOT/versions`, default
//! `~/.pyenv/versions`); and the paths listed in `--pythons` / `MASTERY_PYTHONS`. Each is
//! asked its version once. An example without a constraint runs on `--python`; one with a
//! constraint runs on `--python` when it fits, otherwise on the oldest candidate that does
//! (the most conservative choice), and when none does verify says which versions it found.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A version as `(major, minor, micro)`.
pub type Version = (u32, u32, u32);

/// An interpreter found on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpreter {
    /// How to run it.
    pub path: PathBuf,
    /// Its version.
    pub version: Version,
}

impl Interpreter {
    /// `python3.12 (3.12.1)`.
    pub fn describe(&self) -> String {
        let (a, b, c) = self.version;
        format!("{} ({a}.{b}.{c})", self.path.display())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
    Ne,
}

/// A version constraint on the interpreter: comma-separated clauses, all of which must
/// hold (`>=3.12`, `>=3.11,<3.14`, `==3.13`). A clause compares as many parts as it names:
/// `==3.13` is any 3.13.x, `<3.13` is before 3.13.0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    text: String,
    clauses: Vec<(Op, Vec<u32>)>,
}

impl Constraint {
    /// The constraint of a `requires=` value that names `python`; `None` for a package.
    ///
    /// # Errors
    ///
    /// A message when it names python but is not a constraint this understands.
    pub fn of_requirement(spec: &str) -> Option<Result<Constraint, String>> {
        let spec = spec.trim();
        let rest = spec.strip_prefix("python")?;
        if rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return None; // python-dateutil, pythonnet: packages
        }
        Some(Self::parse(rest).map_err(|why| {
            format!("`{spec}`: {why}; write, for example, requires=\"python>=3.12\"")
        }))
    }

    fn parse(text: &str) -> Result<Constraint, String> {
        let mut clauses = Vec::new();
        for clause in text.split(',') {
            let clause = clause.trim();
            let (op, version) = [
                (">=", Op::Ge),
                ("<=", Op::Le),
                ("==", Op::Eq),
                ("!=", Op::Ne),
                (">", Op::Gt),
                ("<", Op::Lt),
            ]
            .iter()
            .find_map(|(s, op)| clause.strip_prefix(s).map(|v| (*op, v.trim())))
            .ok_or_else(|| format!("`{clause}` does not start with >=, >, <=, <, == or !="))?;
            let parts: Vec<u32> = version
                .split('.')
                .map(|p| p.parse::<u32>())
                .collect::<Result<_, _>>()
                .map_err(|_| format!("`{version}` is not a version such as 3.12"))?;
            if parts.is_empty() || parts.len() > 3 {
                return Err(format!("`{version}` is not a version such as 3.12"));
            }
            clauses.push((op, parts));
        }
        Ok(Constraint {
            text: text.trim().to_owned(),
            clauses,
        })
    }

    /// Whether `version` satisfies every clause.
    pub fn allows(&self, version: Version) -> bool {
        let full = [version.0, version.1, version.2];
        self.clauses.iter().all(|(op, parts)| {
            let have = &full[..parts.len()];
            let order = have.cmp(parts.as_slice());
            match op {
                Op::Ge => order.is_ge(),
                Op::Gt => order.is_gt(),
                Op::Le => order.is_le(),
                Op::Lt => order.is_lt(),
                Op::Eq => order.is_eq(),
                Op::Ne => order.is_ne(),
            }
        })
    }
}

impl std::fmt::Display for Constraint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Python {}", self.text)
    }
}

/// Parses `Python 3.12.1` (what `python --version` prints).
pub fn parse_version(text: &str) -> Option<Version> {
    let number = text.trim().strip_prefix("Python ")?.trim();
    let mut parts = number.split('.').map(|p| {
        let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
        digits.parse::<u32>().ok()
    });
    let major = parts.next()??;
    let minor = parts.next()??;
    let micro = parts.next().flatten().unwrap_or(0);
    Some((major, minor, micro))
}

/// What an interpreter prints for `--version` (`Python 3.12.1`; very old versions print it
/// on standard error).
///
/// # Errors
///
/// When it cannot be started.
pub fn banner(path: &Path) -> std::io::Result<String> {
    let out = Command::new(path).arg("--version").output()?;
    let text = if out.stdout.is_empty() {
        &out.stderr
    } else {
        &out.stdout
    };
    Ok(String::from_utf8_lossy(text).trim().to_owned())
}

/// Asks an interpreter its version; `None` when it does not run.
pub fn version_of(path: &Path) -> Option<Version> {
    parse_version(&banner(path).ok()?)
}

/// The candidate paths, in order (see the module documentation).
pub fn candidates(default: &str, extra: &[PathBuf]) -> Vec<PathBuf> {
    let mut paths = vec![PathBuf::from(default)];
    let on_path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&on_path) {
        for minor in 6..=20 {
            let candidate = dir.join(format!("python3.{minor}"));
            if candidate.is_file() {
                paths.push(candidate);
            }
        }
    }
    let pyenv = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".pyenv")));
    if let Some(root) = pyenv
        && let Ok(versions) = std::fs::read_dir(root.join("versions"))
    {
        let mut found: Vec<PathBuf> = versions
            .flatten()
            .map(|v| v.path().join("bin").join("python3"))
            .filter(|p| p.is_file())
            .collect();
        found.sort();
        paths.extend(found);
    }
    paths.extend(extra.iter().cloned());
    paths
}

/// Every candidate that runs, with its version, without duplicates (same version from a
/// later candidate is dropped: the earlier one wins).
pub fn discover(default: &str, extra: &[PathBuf]) -> Vec<Interpreter> {
    let mut found: Vec<Interpreter> = Vec::new();
    for path in candidates(default, extra) {
        if let Some(version) = version_of(&path)
            && !found.iter().any(|i| i.version == version)
        {
            found.push(Interpreter { path, version });
        }
    }
    found
}

/// The interpreter for an example: `default` when it fits `constraint` (or there is
/// none), otherwise the oldest one found that fits.
pub fn choose<'a>(
    found: &'a [Interpreter],
    default: &'a Interpreter,
    constraint: Option<&Constraint>,
) -> Option<&'a Interpreter> {
    let Some(constraint) = constraint else {
        return Some(default);
    };
    if constraint.allows(default.version) {
        return Some(default);
    }
    found
        .iter()
        .filter(|i| constraint.allows(i.version))
        .min_by_key(|i| i.version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn constraint(text: &str) -> Constraint {
        Constraint::of_requirement(text).unwrap().unwrap()
    }

    #[test]
    fn constraints_compare_as_many_parts_as_they_name() {
        let c = constraint("python>=3.12");
        assert!(c.allows((3, 12, 0)) && c.allows((3, 13, 1)) && !c.allows((3, 11, 7)));
        let c = constraint("python >=3.11, <3.13");
        assert!(c.allows((3, 11, 0)) && c.allows((3, 12, 9)) && !c.allows((3, 13, 0)));
        let c = constraint("python==3.13");
        assert!(c.allows((3, 13, 0)) && c.allows((3, 13, 5)) && !c.allows((3, 12, 0)));
        let c = constraint("python!=3.12.1");
        assert!(!c.allows((3, 12, 1)) && c.allows((3, 12, 2)));
    }

    #[test]
    fn packages_are_not_python_and_bad_constraints_say_why() {
        assert!(Constraint::of_requirement("django>=5.2").is_none());
        assert!(Constraint::of_requirement("python-dateutil>=2").is_none());
        let bad = Constraint::of_requirement("python~=3.12")
            .unwrap()
            .unwrap_err();
        assert!(bad.contains("python>=3.12"), "{bad}");
        assert!(
            Constraint::of_requirement("python>=three")
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn versions_are_read_from_python_s_banner() {
        assert_eq!(parse_version("Python 3.12.1\n"), Some((3, 12, 1)));
        assert_eq!(parse_version("Python 3.14.0rc2"), Some((3, 14, 0)));
        assert_eq!(parse_version("Python 3.13"), Some((3, 13, 0)));
        assert_eq!(parse_version("bash: python: not found"), None);
    }

    #[test]
    fn the_default_wins_when_it_fits_else_the_oldest_that_does() {
        let make = |p: &str, v: Version| Interpreter {
            path: PathBuf::from(p),
            version: v,
        };
        let found = vec![
            make("python3", (3, 11, 7)),
            make("python3.13", (3, 13, 0)),
            make("python3.12", (3, 12, 1)),
        ];
        let default = &found[0];
        assert_eq!(choose(&found, default, None), Some(default));
        let c = constraint("python>=3.12");
        assert_eq!(
            choose(&found, default, Some(&c)).unwrap().path,
            PathBuf::from("python3.12")
        );
        let c = constraint("python>=3.14");
        assert!(choose(&found, default, Some(&c)).is_none());
        let c = constraint("python>=3.10");
        assert_eq!(choose(&found, default, Some(&c)), Some(default));
    }
}
