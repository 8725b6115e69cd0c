//! The metadata step: the `key: value` fields of an entry (and of a section's front matter).
//!
//! The lines themselves are split by `fields.rs`; here unknown keys get a did-you-mean hint,
//! repeated keys are reported, and ids and comma-separated id lists are validated into
//! [`Id`] newtypes, each malformed one pointed at precisely.

use std::collections::HashMap;
use std::ops::Range;

use crate::diagnostic::{Diagnostics, did_you_mean};
use crate::fields::Field;
use crate::model::Id;
use crate::source::SourceText;

/// Reports unknown and repeated keys; returns the fields worth reading.
pub(super) fn check_keys<'f, 'a>(
    src: &SourceText<'_>,
    fields: &'f [Field<'a>],
    known: &[&str],
    what: &str,
    diags: &mut Diagnostics,
) -> Vec<&'f Field<'a>> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::new();
    for field in fields {
        if !known.contains(&field.key) {
            let hint = match did_you_mean(field.key, known) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the {what} keys are: {}", known.join(", ")),
            };
            diags.push(src.error(
                field.key_offset,
                field.key.len(),
                format!("unknown {what} key `{}`", field.key),
                Some(hint),
            ));
            continue;
        }
        if seen.insert(field.key, field.key_offset).is_some() {
            diags.push(src.error(
                field.key_offset,
                field.key.len(),
                format!("`{}` is given twice", field.key),
                Some("keep one of the two lines".into()),
            ));
            continue;
        }
        out.push(field);
    }
    out
}

/// Validates the value of `field` as an id; `what` names it in the message (`section id`).
pub(super) fn parse_id(
    src: &SourceText<'_>,
    field: &Field<'_>,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<Id> {
    id_at(
        src,
        &field.value,
        field.value_offset..field.value_offset + field.value_len,
        what,
        diags,
    )
}

/// Splits a comma-separated list of ids, reporting each malformed one.
pub(super) fn parse_id_list(
    src: &SourceText<'_>,
    field: &Field<'_>,
    what: &str,
    diags: &mut Diagnostics,
) -> Vec<(Id, Range<usize>)> {
    let mut out = Vec::new();
    let mut offset = field.value_offset;
    let raw = src
        .text
        .get(field.value_offset..field.value_offset + field.value_len)
        .unwrap_or("");
    for part in raw.split(',') {
        let lead = part.len() - part.trim_start().len();
        let item = part.trim();
        let at = offset + lead;
        offset += part.len() + 1;
        if item.is_empty() {
            continue;
        }
        let range = at..at + item.len();
        if let Some(id) = id_at(src, item, range.clone(), what, diags) {
            out.push((id, range));
        }
    }
    out
}

/// Validates `raw`, written at `range` of the file, as an id: a malformed one is reported
/// with the reason and a suggested id.
fn id_at(
    src: &SourceText<'_>,
    raw: &str,
    range: Range<usize>,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<Id> {
    match Id::parse(raw) {
        Ok(id) => Some(id),
        Err(e) => {
            diags.push(src.error(
                range.start,
                range.len(),
                format!("malformed {what} `{raw}`: {e}"),
                Some(format!("try `{}`", Id::suggest(raw))),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::parse_fields;

    #[test]
    fn malformed_ids_are_pointed_at() {
        let text = "id: Bad_Id\ntags: basics,  Two--Words , ok\n";
        let src = SourceText::new("f.md".into(), text);
        let (fields, errors) = parse_fields(text, 0);
        assert!(errors.is_empty());
        let mut diags = Diagnostics::default();
        assert_eq!(parse_id(&src, &fields[0], "question id", &mut diags), None);
        let tags = parse_id_list(&src, &fields[1], "tag", &mut diags);
        let tags: Vec<(&str, Range<usize>)> =
            tags.iter().map(|(t, r)| (t.as_str(), r.clone())).collect();
        assert_eq!(tags, [("basics", 17..23), ("ok", 39..41)]);
        let found: Vec<(usize, usize, usize, String, Option<String>)> = diags
            .into_sorted()
            .into_iter()
            .map(|d| (d.line, d.column, d.width, d.message, d.hint))
            .collect();
        assert_eq!(
            found,
            [
                (
                    1,
                    5,
                    6,
                    "malformed question id `Bad_Id`: an id may only use lowercase letters, digits and hyphens, not `B`".into(),
                    Some("try `bad-id`".into())
                ),
                (
                    2,
                    16,
                    10,
                    "malformed tag `Two--Words`: an id may only use lowercase letters, digits and hyphens, not `T`".into(),
                    Some("try `two-words`".into())
                ),
            ]
        );
    }

    #[test]
    fn repeated_and_unknown_keys_are_reported() {
        let text = "id: a\nlevle: junior\nid: b\n";
        let src = SourceText::new("f.md".into(), text);
        let (fields, _) = parse_fields(text, 0);
        let mut diags = Diagnostics::default();
        let kept = check_keys(
            &src,
            &fields,
            &["id", "level"],
            "question metadata",
            &mut diags,
        );
        assert_eq!(kept.len(), 1);
        let found: Vec<(usize, String, Option<String>)> = diags
            .into_sorted()
            .into_iter()
            .map(|d| (d.line, d.message, d.hint))
            .collect();
        assert_eq!(
            found,
            [
                (
                    2,
                    "unknown question metadata key `levle`".into(),
                    Some("did you mean `level`?".into())
                ),
                (
                    3,
                    "`id` is given twice".into(),
                    Some("keep one of the two lines".into())
                ),
            ]
        );
    }
}
