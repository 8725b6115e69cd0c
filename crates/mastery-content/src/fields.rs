//! `key: value` lines: the syntax of section front matter and of question metadata.
//!
//! Both are small, strict subsets of YAML: one `key: value` per line, values optionally
//! quoted with `"` or `'`, `#` comments and blank lines ignored. Anything else is an error
//! that points at the line.

/// One `key: value` line, with byte offsets into the file for precise diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field<'a> {
    pub(crate) key: &'a str,
    pub(crate) key_offset: usize,
    pub(crate) value: String,
    pub(crate) value_offset: usize,
    pub(crate) value_len: usize,
}

/// A line that is not `key: value`, or a bad quoted value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub(crate) offset: usize,
    pub(crate) len: usize,
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
}

/// `true` when `line` looks like `key: value` (used to recognise a metadata paragraph).
pub(crate) fn looks_like_field(line: &str) -> bool {
    split_key(line.trim_start()).is_some()
}

fn split_key(line: &str) -> Option<(&str, &str)> {
    let colon = line.find(':')?;
    let key = &line[..colon];
    let valid = !key.is_empty()
        && key.starts_with(|c: char| c.is_ascii_alphabetic())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    valid.then(|| (key, &line[colon + 1..]))
}

/// Parses the `key: value` lines of `text`, which starts at byte `base` of its file.
pub(crate) fn parse_fields(text: &str, base: usize) -> (Vec<Field<'_>>, Vec<FieldError>) {
    let mut fields = Vec::new();
    let mut errors = Vec::new();
    let mut offset = 0;
    for raw_line in text.split_inclusive('\n') {
        let line_offset = base + offset;
        offset += raw_line.len();
        let line = raw_line.trim_end_matches(['\n', '\r']);
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some((key, rest)) = split_key(&line[indent..]) else {
            errors.push(FieldError {
                offset: line_offset + indent,
                len: trimmed.len(),
                message: "expected a `key: value` line".into(),
                hint: Some("write one field per line, such as `id: my-question`".into()),
            });
            continue;
        };
        let key_offset = line_offset + indent;
        let value_start = key_offset + key.len() + 1;
        let lead = rest.len() - rest.trim_start().len();
        let raw_value = rest.trim();
        let value_offset = value_start + lead;
        match unquote(raw_value) {
            Ok(value) => fields.push(Field {
                key,
                key_offset,
                value,
                value_offset,
                value_len: raw_value.len(),
            }),
            Err(message) => errors.push(FieldError {
                offset: value_offset,
                len: raw_value.len(),
                message,
                hint: Some("close the quote, or remove it: plain values need no quotes".into()),
            }),
        }
    }
    (fields, errors)
}

fn unquote(raw: &str) -> Result<String, String> {
    for quote in ['"', '\''] {
        if let Some(inner) = raw.strip_prefix(quote) {
            return match inner.strip_suffix(quote) {
                Some(value) if !raw.ends_with(&format!("\\{quote}")) || quote == '\'' => {
                    Ok(if quote == '"' {
                        value.replace("\\\"", "\"").replace("\\\\", "\\")
                    } else {
                        value.replace("''", "'")
                    })
                }
                _ => Err(format!(
                    "the value starts with {quote} but does not end with it"
                )),
            };
        }
    }
    Ok(raw.to_owned())
}

/// The front matter of a section file.
#[derive(Debug)]
pub(crate) struct FrontMatter<'a> {
    pub(crate) fields: Vec<Field<'a>>,
    /// Byte offset where the Markdown body starts.
    pub(crate) body_start: usize,
}

/// Why the front matter could not be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FrontMatterError {
    /// The file does not start with `---`.
    Missing,
    /// No closing `---`.
    Unclosed,
}

/// Splits `---` front matter from the start of `text`. Field errors are returned beside it.
pub(crate) fn front_matter(
    text: &str,
) -> Result<(FrontMatter<'_>, Vec<FieldError>), FrontMatterError> {
    let start = usize::from(text.starts_with('\u{feff}')) * '\u{feff}'.len_utf8();
    let rest = &text[start..];
    let first_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    if rest[..first_end].trim_end() != "---" {
        return Err(FrontMatterError::Missing);
    }
    let inner_start = start + first_end;
    let mut pos = inner_start;
    for line in text[inner_start..].split_inclusive('\n') {
        if line.trim_end() == "---" {
            let (fields, errors) = parse_fields(&text[inner_start..pos], inner_start);
            return Ok((
                FrontMatter {
                    fields,
                    body_start: pos + line.len(),
                },
                errors,
            ));
        }
        pos += line.len();
    }
    Err(FrontMatterError::Unclosed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields_with_offsets() {
        let text = "id: gil\nlevel:  senior\n# note\ntitle: \"A: b\"\n";
        let (fields, errors) = parse_fields(text, 100);
        assert!(errors.is_empty());
        assert_eq!(fields.len(), 3);
        assert_eq!(
            (fields[1].key, fields[1].value.as_str()),
            ("level", "senior")
        );
        assert_eq!(fields[1].value_offset, 100 + 8 + 8);
        assert_eq!(fields[2].value, "A: b");
    }

    #[test]
    fn reports_bad_lines_and_quotes() {
        let (_, errors) = parse_fields("just words\nid: \"open\n", 0);
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].offset, 0);
        assert_eq!(errors[1].offset, 15);
    }

    #[test]
    fn splits_front_matter() {
        let text = "---\nid: a\ntitle: B\n---\n\nBody\n";
        let (fm, errors) = front_matter(text).unwrap();
        assert!(errors.is_empty());
        assert_eq!(fm.fields.len(), 2);
        assert_eq!(&text[fm.body_start..], "\nBody\n");
        assert_eq!(
            front_matter("# x\n").unwrap_err(),
            FrontMatterError::Missing
        );
        assert_eq!(
            front_matter("---\nid: a\n").unwrap_err(),
            FrontMatterError::Unclosed
        );
    }
}
