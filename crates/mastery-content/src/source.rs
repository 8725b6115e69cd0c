//! Where a guide's files come from: a folder on disk or bytes embedded in the binary.
//!
//! Both become a [`GuideFiles`]: a display name for the folder plus each file's relative
//! path and bytes. Everything after this module works on memory only, so the parser can be
//! fed arbitrary input by property tests and the fuzzer.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Severity};

/// One file of a guide.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the guide folder, with `/` separators (`01-core.md`).
    pub path: String,
    /// The raw bytes; UTF-8 is checked by the parser, which reports the exact spot.
    pub bytes: Vec<u8>,
}

/// All files of one guide folder.
#[derive(Debug, Clone)]
pub struct GuideFiles {
    /// How the folder is named in diagnostics (`guides/python-django`).
    pub root: String,
    /// The files, in any order.
    pub files: Vec<SourceFile>,
}

/// Why a guide folder could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The folder or one of its files could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The folder has no `guide.toml`, so it is not a guide.
    #[error("{0} is not a guide: it has no guide.toml (see docs/guide-format.md)")]
    NotAGuide(PathBuf),
}

impl GuideFiles {
    /// Reads the guide files of a folder: `guide.toml` and the `*.md` files at its top level.
    pub fn from_dir(dir: &Path) -> Result<Self, SourceError> {
        let io = |path: &Path, source| SourceError::Io {
            path: path.to_path_buf(),
            source,
        };
        if !dir.join("guide.toml").is_file() {
            if !dir.is_dir() {
                return Err(io(
                    dir,
                    std::io::Error::new(std::io::ErrorKind::NotFound, "no such folder"),
                ));
            }
            return Err(SourceError::NotAGuide(dir.to_path_buf()));
        }
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
            let entry = entry.map_err(|e| io(dir, e))?;
            let path = entry.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if !path.is_file() || !(name == "guide.toml" || name.ends_with(".md")) {
                continue;
            }
            let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
            files.push(SourceFile {
                path: name.to_owned(),
                bytes,
            });
        }
        Ok(Self {
            root: dir.display().to_string(),
            files,
        })
    }

    /// The display path of one file (`guides/python-django/01-core.md`).
    pub fn display_path(&self, relative: &str) -> String {
        if self.root.is_empty() {
            relative.to_owned()
        } else {
            format!("{}/{}", self.root.trim_end_matches('/'), relative)
        }
    }
}

/// A file's text with a line index, to turn byte offsets into lines and columns.
#[derive(Debug)]
pub(crate) struct SourceText<'a> {
    pub(crate) display: String,
    pub(crate) text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> SourceText<'a> {
    pub(crate) fn new(display: String, text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self {
            display,
            text,
            line_starts,
        }
    }

    /// 0-based line index of a byte offset.
    fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// The text of the 0-based line `index`, without its line ending.
    fn line_text(&self, index: usize) -> &'a str {
        let start = self
            .line_starts
            .get(index)
            .copied()
            .unwrap_or(self.text.len());
        let end = self
            .line_starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.text.len());
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    /// 1-based line number of a byte offset.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        self.line_index(offset) + 1
    }

    /// A diagnostic underlining `len` bytes at `offset`.
    pub(crate) fn diag(
        &self,
        severity: Severity,
        offset: usize,
        len: usize,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Diagnostic {
        let offset = offset.min(self.text.len());
        let index = self.line_index(offset);
        let line_start = self.line_starts.get(index).copied().unwrap_or(0);
        let line = self.line_text(index);
        let before = self.text.get(line_start..offset).unwrap_or("");
        let column = before.chars().count() + 1;
        let in_line = line.get(before.len()..).unwrap_or("");
        let span_end = len.min(in_line.len());
        let mut width = in_line.get(..span_end).map_or(1, |s| s.chars().count());
        if width == 0 {
            width = 1;
        }
        Diagnostic {
            severity,
            file: self.display.clone(),
            line: index + 1,
            column,
            width,
            source_line: line.to_owned(),
            message: message.into(),
            hint,
        }
    }

    pub(crate) fn error(
        &self,
        offset: usize,
        len: usize,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Diagnostic {
        self.diag(Severity::Error, offset, len, message, hint)
    }

    pub(crate) fn warning(
        &self,
        offset: usize,
        len: usize,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Diagnostic {
        self.diag(Severity::Warning, offset, len, message, hint)
    }
}

/// A diagnostic for a file that is not valid UTF-8, pointing at the first bad byte.
pub(crate) fn not_utf8(display: String, bytes: &[u8], error: std::str::Utf8Error) -> Diagnostic {
    let valid = bytes.get(..error.valid_up_to()).unwrap_or(&[]);
    // `valid` is valid UTF-8 by definition of `valid_up_to`.
    let text = std::str::from_utf8(valid).unwrap_or("");
    let line = text.matches('\n').count() + 1;
    let line_start = text.rfind('\n').map_or(0, |i| i + 1);
    let prefix = text.get(line_start..).unwrap_or("");
    let rest = bytes.get(error.valid_up_to()..).unwrap_or(&[]);
    let rest_line = rest.split(|b| *b == b'\n').next().unwrap_or(&[]);
    Diagnostic {
        severity: Severity::Error,
        file: display,
        line,
        column: prefix.chars().count() + 1,
        width: 1,
        source_line: format!("{prefix}{}", String::from_utf8_lossy(rest_line)),
        message: "the file is not valid UTF-8".into(),
        hint: Some(
            "save the file as UTF-8 (most editors offer this under \"Save with encoding\")".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let s = SourceText::new("f.md".into(), "ab\ncdé f\n");
        let d = s.error(8, 1, "x", None);
        assert_eq!((d.line, d.column, d.source_line.as_str()), (2, 5, "cdé f"));
        let end = s.error(s.text.len(), 3, "eof", None);
        assert_eq!((end.line, end.width), (3, 1));
    }

    #[test]
    fn bad_utf8_is_located() {
        let bytes: Vec<u8> = [&b"ok\nab"[..], &[0xff], &b"cd\n"[..]].concat();
        let bytes = bytes.as_slice();
        let err = std::str::from_utf8(bytes).unwrap_err();
        let d = not_utf8("f.md".into(), bytes, err);
        assert_eq!((d.line, d.column), (2, 3));
        assert!(d.source_line.starts_with("ab"));
    }
}
