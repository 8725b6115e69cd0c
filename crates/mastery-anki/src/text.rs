//! Anki's text format ("Notes in Plain Text", `.csv`, `.tsv`, `.txt`) both ways.
//!
//! A file starts with optional header lines, `#key:value` each: `#separator` (`Comma`,
//! `Semicolon`, `Tab`, `Space`, `Pipe`, `Colon`, or the character itself), `#html`
//! (`true`/`false`), `#columns` (the column names), `#notetype`, `#deck` and `#tags` (for
//! every row), and `#guid column`, `#notetype column`, `#deck column`, `#tags column`
//! (1-based). Rows follow, quoted per RFC 4180 (a field holding the separator, a quote or
//! a line break is quoted, quotes doubled). UTF-8, with or without a byte order mark.

use mastery_content::Guide;

use crate::AnkiError;
use crate::export::{FIELDS, NOTE_TYPE, notes};
use crate::guide::{AnkiNote, is_cloze_text};

/// A guide in Anki's text format, with `separator` (`,` or tab): one row per question,
/// with its GUID, note type, deck, the five fields and its tags.
///
/// # Errors
///
/// Never in practice (writing to memory); an error names what failed.
pub fn write(guide: &Guide, separator: u8) -> Result<(String, usize), AnkiError> {
    let (notes, _) = notes(guide);
    let name = match separator {
        b'\t' => "tab",
        b';' => "semicolon",
        b'|' => "pipe",
        _ => "comma",
    };
    let mut out = format!(
        "#separator:{name}\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:{}\n#columns:{}\n",
        FIELDS.len() + 4,
        ["GUID", "Note type", "Deck"]
            .iter()
            .chain(FIELDS.iter())
            .chain(["Tags"].iter())
            .copied()
            .collect::<Vec<_>>()
            .join(&char::from(separator).to_string())
    );
    let mut writer = csv::WriterBuilder::new()
        .delimiter(separator)
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    for note in &notes {
        // A row must never start with `#` (a comment to Anki's reader): GUIDs never do.
        let mut row: Vec<String> = vec![note.guid.clone(), NOTE_TYPE.to_owned(), note.deck.clone()];
        row.extend(note.fields.iter().cloned());
        row.push(note.tags.join(" "));
        writer
            .write_record(&row)
            .map_err(|e| AnkiError::Text(format!("cannot write a row: {e}")))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| AnkiError::Text(format!("cannot write the rows: {e}")))?;
    out.push_str(&String::from_utf8_lossy(&bytes));
    Ok((out, notes.len()))
}

/// The headers of a text file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Headers {
    separator: Option<u8>,
    html: Option<bool>,
    columns: Option<Vec<String>>,
    notetype: Option<String>,
    deck: Option<String>,
    tags: Vec<String>,
    guid_column: Option<usize>,
    notetype_column: Option<usize>,
    deck_column: Option<usize>,
    tags_column: Option<usize>,
    /// Headers this reader does not use.
    ignored: Vec<String>,
}

fn separator_of(value: &str) -> Option<u8> {
    let value = value.trim_end_matches(['\r', '\n']);
    if let [c @ (b',' | b';' | b'\t' | b' ' | b'|' | b':')] = value.as_bytes() {
        return Some(*c);
    }
    match value.trim().to_ascii_lowercase().as_str() {
        "comma" | "," => Some(b','),
        "semicolon" | ";" => Some(b';'),
        "tab" | "\t" => Some(b'\t'),
        "space" | " " => Some(b' '),
        "pipe" | "|" => Some(b'|'),
        "colon" | ":" => Some(b':'),
        _ => None,
    }
}

/// What a text file holds.
#[derive(Debug, Clone, Default)]
pub struct TextFile {
    /// Its notes, in order.
    pub notes: Vec<AnkiNote>,
    /// Headers it has that this reader does not use.
    pub ignored_headers: Vec<String>,
}

/// Reads Anki's text format. `name` is the file's name for messages; `default_separator`
/// is used when the file has no `#separator` header (tab for `.tsv` and `.txt`, comma
/// for `.csv`, as Anki guesses).
///
/// # Errors
///
/// Bytes that are not UTF-8, a bad header, or a row whose column count differs from the
/// first row's: each names the file, the row (line) and what was expected.
pub fn read(name: &str, bytes: &[u8], default_separator: u8) -> Result<TextFile, AnkiError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
        AnkiError::Text(format!(
            "{name}:{line}: not UTF-8; save the file as UTF-8 (Anki's export does) and import it again"
        ))
    })?;
    let mut headers = Headers::default();
    let mut body_start = 0;
    let mut header_lines = 0;
    for line in text.split_inclusive('\n') {
        let Some(header) = line.strip_prefix('#') else {
            break;
        };
        header_lines += 1;
        body_start += line.len();
        let header = header.trim_end_matches(['\n', '\r']);
        let Some((key, value)) = header.split_once(':') else {
            headers.ignored.push(header.to_owned());
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let column = |value: &str| -> Result<usize, AnkiError> {
            value
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| {
                    AnkiError::Text(format!(
                        "{name}:{header_lines}: `#{key}:{value}` needs a column number from 1"
                    ))
                })
        };
        match key.as_str() {
            "separator" => {
                headers.separator = Some(separator_of(value).ok_or_else(|| {
                    AnkiError::Text(format!(
                        "{name}:{header_lines}: unknown separator {value:?}; use Comma, Semicolon, Tab, Space, Pipe or Colon"
                    ))
                })?);
            }
            "html" => headers.html = Some(value.trim().eq_ignore_ascii_case("true")),
            "notetype" => headers.notetype = Some(value.trim().to_owned()),
            "deck" => headers.deck = Some(value.trim().to_owned()),
            "tags" => {
                headers.tags = value.split_whitespace().map(str::to_owned).collect();
            }
            "columns" => headers.columns = Some(vec![value.to_owned()]),
            "guid column" => headers.guid_column = Some(column(value)?),
            "notetype column" => headers.notetype_column = Some(column(value)?),
            "deck column" => headers.deck_column = Some(column(value)?),
            "tags column" => headers.tags_column = Some(column(value)?),
            _ => headers.ignored.push(header.to_owned()),
        }
    }
    let separator = headers.separator.unwrap_or(default_separator);
    // `#columns` is split by the separator once it is known.
    if let Some(columns) = headers.columns.take() {
        let joined = columns.concat();
        headers.columns = Some(
            joined
                .split(char::from(separator))
                .map(|c| c.trim().to_owned())
                .collect(),
        );
    }
    let html = headers.html.unwrap_or(false);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(&text.as_bytes()[body_start..]);
    let mut expected: Option<usize> = headers.columns.as_ref().map(Vec::len);
    let mut notes = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize + header_lines);
            AnkiError::Text(format!("{name}:{line}: cannot read the row: {e}"))
        })?;
        let line = record
            .position()
            .map_or(0, |p| p.line() as usize + header_lines);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let found = record.len();
        match expected {
            None => expected = Some(found),
            Some(n) if n != found => {
                return Err(AnkiError::Text(format!(
                    "{name}:{line}: this row has {found} columns, expected {n} (as {}); quote a field that holds the separator {:?} with \"...\"",
                    if headers.columns.is_some() {
                        "the #columns header"
                    } else {
                        "the first row"
                    },
                    char::from(separator)
                )));
            }
            Some(_) => {}
        }
        notes.push(note_of(&record, &headers, html, found, line));
    }
    Ok(TextFile {
        notes,
        ignored_headers: headers.ignored,
    })
}

fn note_of(
    record: &csv::StringRecord,
    headers: &Headers,
    html: bool,
    width: usize,
    line: usize,
) -> AnkiNote {
    let get = |column: Option<usize>| {
        column
            .and_then(|c| record.get(c - 1))
            .map(|v| v.trim().to_owned())
    };
    let special: Vec<usize> = [
        headers.guid_column,
        headers.notetype_column,
        headers.deck_column,
        headers.tags_column,
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut field_names = Vec::new();
    let mut fields = Vec::new();
    for column in 1..=width {
        if special.contains(&column) {
            continue;
        }
        let value = record.get(column - 1).unwrap_or("");
        let value = if html {
            value.to_owned()
        } else {
            text_to_html(value)
        };
        let name = headers
            .columns
            .as_ref()
            .and_then(|c| c.get(column - 1))
            .filter(|n| !n.is_empty())
            .cloned();
        field_names.push(name);
        fields.push(value);
    }
    let notetype = get(headers.notetype_column)
        .filter(|n| !n.is_empty())
        .or_else(|| headers.notetype.clone())
        .unwrap_or_else(|| "Basic".to_owned());
    let ours = notetype == NOTE_TYPE && fields.len() == FIELDS.len();
    let field_names: Vec<String> = field_names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            name.unwrap_or_else(|| {
                if ours {
                    FIELDS[i].to_owned()
                } else {
                    match i {
                        0 => "Front".to_owned(),
                        1 => "Back".to_owned(),
                        n => format!("Field {}", n + 1),
                    }
                }
            })
        })
        .collect();
    let mut tags = headers.tags.clone();
    if let Some(t) = get(headers.tags_column) {
        tags.extend(t.split_whitespace().map(str::to_owned));
    }
    let cloze = notetype.to_ascii_lowercase().contains("cloze")
        || fields.first().is_some_and(|f| is_cloze_text(f));
    AnkiNote {
        guid: get(headers.guid_column).filter(|g| !g.is_empty()),
        notetype,
        cloze,
        field_names,
        fields,
        tags,
        deck: get(headers.deck_column)
            .filter(|d| !d.is_empty())
            .or_else(|| headers.deck.clone())
            .unwrap_or_default(),
        origin: format!("line {line}"),
        ..AnkiNote::default()
    }
}

/// Plain text as field HTML: escaped, line breaks as `<br>`.
fn text_to_html(text: &str) -> String {
    mastery_content::html::escape(text)
        .replace("\r\n", "\n")
        .replace('\n', "<br>")
}

/// The separator a file name suggests when the file does not say.
pub fn default_separator(path: &str) -> u8 {
    if path.to_ascii_lowercase().ends_with(".csv") {
        b','
    } else {
        b'\t'
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn headers_and_quoted_fields() {
        let file = "\u{feff}#separator:Semicolon\n#html:true\n#deck column:3\n#tags column:4\n\
                    \"What is <b>x</b>?\";\"a \"\"quoted\"\"; answer\non two lines\";Deck::Sub;t1 t2\n\
                    Q2;A2;Deck;\n";
        let read = read("f.csv", file.as_bytes(), b',').unwrap();
        assert_eq!(read.notes.len(), 2);
        let n = &read.notes[0];
        assert_eq!(
            n.fields,
            ["What is <b>x</b>?", "a \"quoted\"; answer\non two lines"]
        );
        assert_eq!(n.field_names, ["Front", "Back"]);
        assert_eq!(n.deck, "Deck::Sub");
        assert_eq!(n.tags, ["t1", "t2"]);
        assert!(!n.cloze);
        assert_eq!(read.notes[1].tags, Vec::<String>::new());
    }

    #[test]
    fn plain_text_is_escaped_and_tabs_are_the_default_for_txt() {
        let read = read("f.txt", b"a <b>\tline1\nQ\tA\n", b'\t').unwrap();
        assert_eq!(read.notes[0].fields, ["a &lt;b&gt;", "line1"]);
    }

    #[test]
    fn a_row_with_the_wrong_column_count_names_file_row_and_counts() {
        let err = read("deck.csv", b"#separator:comma\na,b\nc,d\ne,f,g\n", b',')
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("deck.csv:4:"), "{err}");
        assert!(err.contains("3 columns, expected 2"), "{err}");
    }

    #[test]
    fn bad_headers_and_bytes_are_named() {
        let err = read("x.csv", b"#separator:weird\na,b\n", b',')
            .unwrap_err()
            .to_string();
        assert!(err.contains("x.csv:1: unknown separator"), "{err}");
        let err = read("x.csv", b"a,b\n\xff,c\n", b',')
            .unwrap_err()
            .to_string();
        assert!(err.contains("x.csv:2: not UTF-8"), "{err}");
    }

    #[test]
    fn cloze_is_recognised() {
        let read = read(
            "c.tsv",
            b"#notetype:Cloze\n{{c1::Paris}} is the capital\textra\n",
            b'\t',
        )
        .unwrap();
        assert!(read.notes[0].cloze);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_bytes_are_read_or_refused_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = read("fuzz.csv", &bytes, b',');
        }

        #[test]
        fn any_text_lines_are_read_or_refused(lines in proptest::collection::vec("(#[a-z ]{0,12}:[a-z0-9 ,;]{0,6}|[a-z\"',;\t ]{0,16})", 0..12)) {
            let _ = read("fuzz.tsv", lines.join("\n").as_bytes(), b'\t');
        }

        #[test]
        fn fields_round_trip_through_quoting(fields in proptest::collection::vec("[a-z\",;\n ]{1,12}", 2..5), sep in prop::sample::select(vec![b',', b'\t', b';'])) {
            let mut w = csv::WriterBuilder::new().delimiter(sep).terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
            w.write_record(&fields).unwrap();
            let bytes = w.into_inner().unwrap();
            let mut file = format!("#separator:{}\n#html:true\n", char::from(sep)).into_bytes();
            file.extend(bytes);
            let read = read("rt.csv", &file, b',').unwrap();
            if fields.iter().all(|f| f.trim().is_empty()) {
                prop_assert!(read.notes.is_empty());
            } else {
                prop_assert_eq!(read.notes.len(), 1);
                prop_assert_eq!(&read.notes[0].fields, &fields);
            }
        }
    }
}
