//! The examples step of an entry: the fenced code blocks of its answer.
//!
//! Each block's info string is parsed by `info.rs` (language and attributes such as
//! `predict`, `norun`, `requires=`, `timeout=`); `output` blocks are paired with the
//! `python` example they follow, and attributes that make no sense together are reported.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use crate::diagnostic::Diagnostics;
use crate::info::parse_info;
use crate::model::{CodeExample, Location, is_python};
use crate::render::options;
use crate::source::SourceText;

/// Code examples in an answer, with their output blocks paired and attributes checked.
pub(super) fn extract_examples(
    src: &SourceText<'_>,
    base: usize,
    answer: &str,
    diags: &mut Diagnostics,
) -> Vec<CodeExample> {
    let mut examples: Vec<CodeExample> = Vec::new();
    let mut current: Option<(String, String, Range<usize>)> = None;
    // The end offset of the last example, to check that an output block follows it directly.
    let mut last_end: Option<usize> = None;
    for (event, range) in Parser::new_ext(answer, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                current = Some((info.to_string(), String::new(), range));
            }
            Event::Text(t) => {
                if let Some((_, code, _)) = current.as_mut() {
                    code.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                let Some((info_src, code, range)) = current.take() else {
                    continue;
                };
                let at = base + range.start;
                let fence_line = answer
                    .get(range.clone())
                    .and_then(|t| t.lines().next())
                    .unwrap_or("");
                let info_at = at + fence_line.find(info_src.trim()).unwrap_or(0);
                let (info, errors) = parse_info(&info_src);
                for e in &errors {
                    diags.push(src.error(
                        info_at + e.offset,
                        e.len,
                        e.message.clone(),
                        e.hint.clone(),
                    ));
                }
                if info.language == "output" {
                    let follows = last_end.is_some_and(|end| {
                        answer
                            .get(end..range.start)
                            .is_some_and(|between| between.trim().is_empty())
                    });
                    match examples.last_mut() {
                        Some(ex) if follows && is_python(&ex.language) && ex.expected_output.is_none() => {
                            if ex.norun {
                                diags.push(src.error(at, fence_line.len(), "a `norun` example cannot have a recorded output: it would never be checked", Some("remove `norun` so `mastery verify` runs it, or remove the output block".into())));
                            }
                            ex.expected_output = Some(code);
                        }
                        _ => diags.push(src.error(at, fence_line.len(), "an `output` block must follow a `python` example directly", Some("put the output block right after the example it belongs to, with only a blank line between".into()))),
                    }
                    last_end = None;
                    continue;
                }
                let python = is_python(&info.language);
                if !python
                    && (info.predict
                        || info.norun
                        || !info.requires.is_empty()
                        || info.timeout.is_some()
                        || info.exit_code.is_some())
                {
                    diags.push(src.error(
                        info_at,
                        info_src.trim().len(),
                        format!(
                            "attributes only apply to python examples, not `{}`",
                            info.language
                        ),
                        Some("remove the attributes, or make it a ```python block".into()),
                    ));
                }
                if info.predict && info.norun {
                    diags.push(src.error(info_at, info_src.trim().len(), "an example cannot be both `predict` and `norun`", Some("a predict exercise is graded against its verified output: remove `norun`".into())));
                }
                examples.push(CodeExample {
                    language: info.language,
                    code,
                    expected_output: None,
                    predict: info.predict,
                    norun: info.norun,
                    norun_reason: info.norun_reason,
                    requires: info.requires,
                    timeout: info.timeout.unwrap_or(CodeExample::DEFAULT_TIMEOUT),
                    exit_code: info.exit_code.unwrap_or(0),
                    location: Location {
                        file: src.display.clone(),
                        line: src.line_of(at),
                    },
                });
                last_end = Some(range.end);
            }
            _ => {}
        }
    }
    for ex in &examples {
        if ex.predict && ex.expected_output.is_none() {
            let offset = line_offset(src, ex.location.line);
            diags.push(src.error(
                offset,
                3,
                "a `predict` example needs its output",
                Some("add an ```output block right after it with what it prints".into()),
            ));
        }
    }
    examples
}

/// The byte offset where the 1-based `line` starts.
fn line_offset(src: &SourceText<'_>, line: usize) -> usize {
    src.text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum()
}
