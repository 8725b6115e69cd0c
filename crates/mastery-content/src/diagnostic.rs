//! Diagnostics: what `mastery check` prints.
//!
//! Every problem found in a guide is a [`Diagnostic`] that carries the file, the 1-based
//! line and column, the offending line itself and an optional hint. Parsing never stops at
//! the first problem: every stage pushes into a [`Diagnostics`] list and goes on, so an
//! author sees all their mistakes in one run.

use std::fmt;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// A style problem; the guide still loads.
    Warning,
    /// The guide cannot be loaded until this is fixed.
    Error,
}

/// One problem, located precisely in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, as the author would type it (`guides/python-django/01-core.md`).
    pub file: String,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// How many characters the caret underlines (at least 1).
    pub width: usize,
    /// The text of the offending line (empty when `line` is 0).
    pub source_line: String,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, when we can say.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// `true` for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// Renders the diagnostic the way rustc does: message, location, the line and a caret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{label}: {}", self.message)?;
        if self.line == 0 {
            writeln!(f, "  --> {}", self.file)?;
        } else {
            let number = self.line.to_string();
            let pad = " ".repeat(number.len());
            writeln!(f, "{pad}--> {}:{}:{}", self.file, self.line, self.column)?;
            writeln!(f, "{pad} |")?;
            // Tabs would misalign the caret; show them as single spaces.
            let shown: String = self
                .source_line
                .chars()
                .map(|c| if c == '\t' { ' ' } else { c })
                .collect();
            writeln!(f, "{number} | {shown}")?;
            let indent = " ".repeat(self.column.saturating_sub(1));
            let carets = "^".repeat(self.width.max(1));
            writeln!(f, "{pad} | {indent}{carets}")?;
        }
        if let Some(hint) = &self.hint {
            writeln!(f, "  = help: {hint}")?;
        }
        Ok(())
    }
}

/// A growing list of diagnostics.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Adds one diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Moves every diagnostic of `other` into this list.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// `true` when at least one error was reported.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Every diagnostic, errors and warnings, sorted by file, line and column.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            (&a.file, a.line, a.column, b.severity).cmp(&(&b.file, b.line, b.column, a.severity))
        });
        self.items
    }
}

/// Suggests the closest of `candidates` to a misspelt `word`, if one is close enough.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), *c))
        .filter(|(distance, c)| *distance <= (c.len() / 3).max(1) + usize::from(c.len() > 6))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_with_caret_and_hint() {
        let d = Diagnostic {
            severity: Severity::Error,
            file: "g/01.md".into(),
            line: 14,
            column: 8,
            width: 5,
            source_line: "level: senor".into(),
            message: "unknown level `senor`".into(),
            hint: Some("did you mean `senior`?".into()),
        };
        let text = d.to_string();
        assert_eq!(
            text,
            "error: unknown level `senor`\n  --> g/01.md:14:8\n   |\n14 | level: senor\n   |        ^^^^^\n  = help: did you mean `senior`?\n"
        );
    }

    #[test]
    fn suggestions_are_close_words_only() {
        let levels = ["junior", "confirmed", "senior"];
        assert_eq!(did_you_mean("senor", &levels), Some("senior"));
        assert_eq!(did_you_mean("confrimed", &levels), Some("confirmed"));
        assert_eq!(did_you_mean("expert", &levels), None);
    }
}
