//! The entries step: one `## ` heading and what follows it, up to the next one.
//!
//! The first paragraph after the heading is the metadata (`id:`, `level:`, `kind:`,
//! `tags:`, `follow-ups:`); the answer runs from there to `### Key points` or
//! `### References`. The answer is rendered once, its code examples extracted, and the
//! entry's id and follow-ups recorded for the cross-checks.

use crate::diagnostic::{Diagnostics, did_you_mean};
use crate::fields::{looks_like_field, parse_fields};
use crate::model::{Entry, EntryKind, Id, Level, Location};
use crate::render::{render_block, render_inline};
use crate::source::SourceText;

use super::blocks::{Block, heading_text};
use super::checks::{Ctx, Declared, IdRef};
use super::examples::extract_examples;
use super::lists::{parse_lists, reserved_heading};
use super::metadata::{check_keys, parse_id, parse_id_list};
use super::rendered::report_render_findings;

const META_KEYS: [&str; 5] = ["id", "level", "tags", "follow-ups", "kind"];

/// One entry, from its `## ` heading (the first of `blocks`) to the next; `None` when it has
/// errors (all of them reported).
pub(super) fn parse_entry(
    src: &SourceText<'_>,
    ctx: &mut Ctx<'_>,
    blocks: &[Block],
    diags: &mut Diagnostics,
) -> Option<Entry> {
    let guide = ctx.guide;
    let Some((
        Block::Heading {
            range: heading_range,
            content,
            ..
        },
        rest,
    )) = blocks.split_first()
    else {
        return None;
    };
    let title = heading_text(src, content).to_owned();
    let heading_at = heading_range.start;
    if title.is_empty() {
        diags.push(src.error(
            heading_at,
            2,
            "a question heading has no text",
            Some("write the question after `## `".into()),
        ));
    }
    // Metadata: the first paragraph, when it is made of `key: value` lines.
    let meta = match rest.first() {
        Some(Block::Paragraph(r))
            if src
                .text
                .get(r.clone())
                .is_some_and(|t| looks_like_field(t.lines().next().unwrap_or(""))) =>
        {
            Some(r.clone())
        }
        _ => None,
    };
    let Some(meta_range) = meta else {
        diags.push(src.error(
            heading_at,
            heading_range.end.saturating_sub(heading_at).min(200),
            "this question has no metadata",
            Some(format!(
                "add the lines `id: {}` and `level: senior` (or junior, confirmed) right after the heading, followed by a blank line",
                Id::suggest(&title)
            )),
        ));
        return None;
    };
    let meta_text = src.text.get(meta_range.clone()).unwrap_or("");
    let (fields, errors) = parse_fields(meta_text, meta_range.start);
    for e in errors {
        diags.push(src.error(e.offset, e.len, e.message, e.hint));
    }
    let fields = check_keys(src, &fields, &META_KEYS, "question metadata", diags);
    let mut id = None;
    let mut level = None;
    let mut level_field = None;
    let mut insight = false;
    let mut tags = Vec::new();
    let mut follow_ups = Vec::new();
    let mut follow_field = None;
    let mut valid = true;
    let mut id_offset = 0;
    for field in fields {
        match field.key {
            "id" => {
                id = parse_id(src, field, "question id", diags);
                valid &= id.is_some();
                id_offset = field.value_offset;
            }
            "level" => {
                level_field = Some(field);
                level = Level::parse(&field.value);
                if level.is_none() {
                    let names: Vec<&str> = Level::ALL.iter().map(|l| l.as_str()).collect();
                    let hint = match did_you_mean(&field.value.to_lowercase(), &names) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "the levels are junior, confirmed and senior".into(),
                    };
                    diags.push(src.error(
                        field.value_offset,
                        field.value_len.max(1),
                        format!("unknown level `{}`", field.value),
                        Some(hint),
                    ));
                    valid = false;
                }
            }
            "kind" => match field.value.as_str() {
                "question" => {}
                "insight" => insight = true,
                other => {
                    let hint = did_you_mean(other, &["question", "insight"]).map_or_else(
                        || "the kinds are `question` (the default) and `insight`".to_owned(),
                        |s| format!("did you mean `{s}`?"),
                    );
                    diags.push(src.error(
                        field.value_offset,
                        field.value_len.max(1),
                        format!("unknown kind `{other}`"),
                        Some(hint),
                    ));
                    valid = false;
                }
            },
            "tags" => {
                tags = parse_id_list(src, field, "tag", diags)
                    .into_iter()
                    .map(|(t, _)| t)
                    .collect()
            }
            "follow-ups" => {
                follow_field = Some(field);
                follow_ups = parse_id_list(src, field, "follow-up id", diags);
            }
            _ => {}
        }
    }
    if id.is_none() && valid {
        diags.push(src.error(
            meta_range.start,
            0,
            "this question has no `id`",
            Some(format!("add a line `id: {}`", Id::suggest(&title))),
        ));
        valid = false;
    }
    if insight {
        if let Some(f) = level_field {
            diags.push(
                src.error(
                    f.key_offset,
                    f.key.len(),
                    "an insight has no level",
                    Some(
                        "remove the `level:` line, or remove `kind: insight` to make it a question"
                            .into(),
                    ),
                ),
            );
            valid = false;
        }
        if let Some(f) = follow_field {
            diags.push(src.error(
                f.key_offset,
                f.key.len(),
                "an insight has no follow-ups",
                Some("remove the `follow-ups:` line".into()),
            ));
            valid = false;
        }
    } else if level.is_none() && level_field.is_none() {
        diags.push(src.error(
            meta_range.start,
            0,
            "this question has no `level`",
            Some("add a line `level: junior`, `level: confirmed` or `level: senior`".into()),
        ));
        valid = false;
    }
    let anchor = id.as_ref().map_or_else(String::new, |i: &Id| i.to_string());
    if let Some(id) = &id {
        ctx.declared.push(Declared {
            id: id.to_string(),
            question: !insight,
            file: ctx.file,
            offset: id_offset,
        });
    }
    for (fid, range) in &follow_ups {
        ctx.refs.push(IdRef {
            id: fid.to_string(),
            file: ctx.file,
            range: range.clone(),
            what: "follow-up",
            from: Some(anchor.clone()),
        });
    }

    // Split the rest into the answer, key points and references.
    let body = &rest[1..];
    let reserved = body.iter().position(|b| reserved_heading(src, b).is_some());
    let answer_end = reserved.map_or_else(
        || body.last().map_or(meta_range.end, |b| b.range().end),
        |i| body[i].range().start,
    );
    let answer_src = src
        .text
        .get(meta_range.end..answer_end.max(meta_range.end))
        .unwrap_or("");
    if answer_src.trim().is_empty() {
        diags.push(src.error(
            heading_at,
            heading_range.end.saturating_sub(heading_at).min(200),
            "this question has no answer",
            Some("write the answer after the metadata lines, before `### Key points`".into()),
        ));
        valid = false;
    }
    let rendered = render_block(answer_src, guide, &anchor);
    report_render_findings(src, meta_range.end, &rendered, ctx.refs, ctx.file, diags);
    let examples = extract_examples(src, meta_range.end, answer_src, diags);

    let lists = parse_lists(src, reserved.map_or(&[][..], |start| &body[start..]), diags);
    valid &= lists.valid;
    let (title_html, title_text) = render_inline(&title);
    let kind = match (insight, level) {
        (true, _) => EntryKind::Insight,
        (false, Some(level)) => EntryKind::Question(level),
        (false, None) => return None,
    };
    if !insight && lists.key_points.is_empty() && !lists.has_key_points_heading {
        {
            diags.push(src.warning(
                heading_at,
                heading_range.len().min(200),
                "this question has no key points, so mock interviews cannot grade it",
                Some("add `### Key points` with 4 to 8 items, each with a `Words:` line".into()),
            ));
        }
    }
    if lists.references.is_empty() {
        diags.push(src.warning(
            heading_at,
            heading_range.len().min(200),
            "this answer has no reference",
            Some("add `### References` with a link to the official documentation".into()),
        ));
    }
    let id = id?;
    if !valid {
        return None;
    }
    Some(Entry {
        id,
        kind,
        title,
        title_html,
        title_text,
        tags,
        follow_ups: follow_ups.into_iter().map(|(f, _)| f).collect(),
        answer_html: rendered.html,
        answer_text: rendered.text,
        key_points: lists.key_points,
        references: lists.references,
        examples,
        location: Location {
            file: src.display.clone(),
            line: src.line_of(heading_at),
        },
    })
}
