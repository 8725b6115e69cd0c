//! Drawing the mock interview: the preset list, the question with its countdown and the
//! answer editor, the checklist after an answer (the words that matched highlighted), and
//! the report.
//!
//! As in `mastery study`, only the 16 named colours are used and nothing depends on colour
//! alone: ticks are `[x]`, counted matches are underlined, warnings start with `!`.

use mastery_study::interview::{Mark, PointStatus};
use mastery_study::text::{clock, percent, plural, score};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Margin, Position, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::app::{App, Feedback, NextStep, QuestionCard, Screen};
use super::editor::{Editor, columns, rows};
use super::report::{report_lines, score_style};
use super::wrap::{Indented, wrap_styled};
use crate::study::app::Block as AnswerBlock;

/// The smallest screen the interview is drawn on.
const MIN_WIDTH: u16 = 40;
const MIN_HEIGHT: u16 = 12;
/// Below this much time left, the countdown turns red.
const HURRY_MS: i64 = 30_000;

/// Draws the whole screen as of `app.now`. Clamps the scroll positions and records the
/// sizes the key handlers need (`app.page`, the editor's width).
pub fn render(frame: &mut Frame, app: &mut App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        frame.render_widget(
            Paragraph::new(format!(
                "Make the terminal larger (at least {MIN_WIDTH}×{MIN_HEIGHT}); Esc twice leaves."
            ))
            .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let [header, context, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let now = app.now;
    let status = app.status.clone();
    match &mut app.screen {
        Screen::Loading => {
            render_header(frame, header, "", Line::default());
            frame.render_widget(Paragraph::new("Loading…").block(Block::bordered()), body);
        }
        Screen::Start {
            guide,
            presets,
            selected,
        } => {
            render_header(frame, header, "", Line::default());
            frame.render_widget(Line::from(format!(" {guide}")).fg(Color::Gray), context);
            let block = Block::bordered().title(" Choose an interview ");
            let inner = block.inner(body).inner(Margin::new(1, 0));
            frame.render_widget(block, body);
            let width = usize::from(inner.width);
            let mut lines = Vec::new();
            for (i, preset) in presets.iter().enumerate() {
                let chosen = i == *selected;
                let levels: Vec<&str> = preset.levels.iter().map(|l| l.as_str()).collect();
                let head = Line::from(vec![
                    Span::raw(if chosen { "› " } else { "  " }),
                    Span::styled(
                        preset.title,
                        if chosen {
                            Style::new().bold().reversed()
                        } else {
                            Style::new().bold()
                        },
                    ),
                    Span::raw(format!(
                        "  {} questions · {} min · {}",
                        preset.questions,
                        preset.minutes,
                        levels.join(", ")
                    ))
                    .fg(Color::Gray),
                ]);
                lines.extend(wrap_styled(&head, width, 4));
                let description = Line::from(format!("    {}", preset.description));
                lines.extend(wrap_styled(&description, width, 4));
                lines.push(Line::default());
            }
            lines.push(
                Line::from(
                    "Custom interviews: mastery interview --level senior --questions 4 --minutes 5",
                )
                .fg(Color::DarkGray),
            );
            frame.render_widget(Paragraph::new(lines), inner);
            render_footer(
                frame,
                footer,
                status.as_deref(),
                &[" ↑↓ choose · Enter start · q quit"],
            );
        }
        Screen::Question { card, editor } => {
            render_header(frame, header, &card.interview, countdown(card, now));
            render_context(frame, context, card, Some(&card.position()));
            render_question(frame, body, card, editor);
            render_footer(
                frame,
                footer,
                status.as_deref(),
                &[
                    " Ctrl+D or F2 submit · Ctrl+A answered aloud · Enter new line · Esc Esc leave",
                    " Ctrl+D/F2 submit · Ctrl+A aloud · Esc Esc leave",
                    " ^D submit · ^A aloud · Esc Esc leave",
                ],
            );
        }
        Screen::Feedback(feedback) => {
            let feedback = feedback.clone();
            let score = feedback
                .score
                .map_or_else(String::new, |s| format!("score {}% ", percent(s)));
            render_header(
                frame,
                header,
                &feedback.card.interview,
                Line::from(score).bold(),
            );
            render_context(
                frame,
                context,
                &feedback.card,
                Some(&feedback.card.position()),
            );
            let lines = feedback_lines(&feedback, inner_width(body));
            let position = render_scrolled(frame, body, " Your answer, checked ", &lines, app);
            let n = feedback.points.len();
            let toggle = match n {
                0 => String::new(),
                1 => "1 toggle the point · ".to_owned(),
                n => format!("1-{} toggle a point · ", n.min(9)),
            };
            let next = match feedback.next {
                NextStep::FollowUp(_) => "n follow-up",
                NextStep::Question => "n next question",
                NextStep::Report => "n see the report",
            };
            let keys = [
                format!(" {toggle}{next} · f finish · ↑↓ scroll · q quit"),
                format!(" {toggle}{next} · f finish · q quit"),
                format!(
                    " {}{} · f finish · q quit",
                    toggle.replace(" a point", "").replace(" the point", ""),
                    next.replace(" next question", " next")
                        .replace(" see the report", " report")
                ),
            ];
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            render_footer_with(frame, footer, status.as_deref(), &keys, position);
        }
        Screen::Report(view) => {
            let view = view.clone();
            render_header(
                frame,
                header,
                &view.report.title,
                Line::from("report ").bold(),
            );
            frame.render_widget(
                Line::from(format!(" {} · {}", view.report.guide_title, view.date)).fg(Color::Gray),
                context,
            );
            let width = inner_width(body);
            let lines: Vec<Line<'static>> = report_lines(&view)
                .iter()
                .flat_map(|(line, indent)| wrap_styled(line, width, *indent))
                .collect();
            let position = render_scrolled(frame, body, " Report ", &lines, app);
            render_footer_with(
                frame,
                footer,
                status.as_deref(),
                &[" ↑↓ PgUp PgDn scroll · q quit", " ↑↓ scroll · q quit"],
                position,
            );
        }
    }
}

/// " Mastery · interview · Title" on the left, `right` on the right; the name gives way on
/// a narrow screen.
fn render_header(frame: &mut Frame, area: Rect, title: &str, right: Line<'static>) {
    let name = if title.is_empty() {
        Line::from(" Mastery · mock interview").bold()
    } else {
        Line::from(format!(" Mastery · {title}")).bold()
    };
    let right = right.alignment(Alignment::Right);
    if name.width() + right.width() < usize::from(area.width) {
        frame.render_widget(name, area);
    }
    frame.render_widget(right, area);
}

/// The countdown: "Time left 02:41", red under 30 seconds, "Time is up" at zero.
pub fn countdown(card: &QuestionCard, now: i64) -> Line<'static> {
    let left = card.remaining_ms(now);
    if left == 0 {
        return Line::from(vec![
            Span::styled(
                " Time is up 00:00 ",
                Style::new().fg(Color::Red).bold().reversed(),
            ),
            Span::raw(" "),
        ]);
    }
    let secs = (left + 999) / 1000;
    let text = format!("Time left {:02}:{:02} ", secs / 60, secs % 60);
    let style = if left <= HURRY_MS {
        Style::new().fg(Color::Red).bold()
    } else {
        Style::new().bold()
    };
    Line::from(Span::styled(text, style))
}

/// "Guide › Section · level · Question 2 of 5 · Follow-up (depth 1)".
/// On a narrow screen the guide's title goes first, then the section's: the level and the
/// position stay.
fn render_context(frame: &mut Frame, area: Rect, card: &QuestionCard, position: Option<&str>) {
    let line = |place: String| {
        let mut parts: Vec<Span<'static>> = Vec::new();
        if !place.is_empty() {
            parts.push(Span::raw(place));
        }
        if !card.level.is_empty() {
            parts.push(Span::raw(card.level).bold());
        }
        if let Some(position) = position {
            let span = Span::raw(position.to_owned());
            parts.push(if card.depth > 0 {
                span.fg(Color::Magenta).bold()
            } else {
                span
            });
        }
        let mut spans = vec![Span::raw(" ")];
        for (i, part) in parts.into_iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(" · "));
            }
            spans.push(part);
        }
        Line::from(spans).fg(Color::Gray)
    };
    let variants = [
        line(format!("{} › {}", card.guide, card.section)),
        line(card.section.clone()),
        line(String::new()),
    ];
    let fits = |l: &Line<'_>| l.width() <= usize::from(area.width);
    let [full, section, bare] = variants;
    let chosen = if fits(&full) {
        full
    } else if fits(&section) {
        section
    } else {
        bare
    };
    frame.render_widget(chosen, area);
}

fn inner_width(area: Rect) -> usize {
    usize::from(area.width.saturating_sub(4))
}

/// The question (wrapped, bold) above the answer editor.
fn render_question(frame: &mut Frame, area: Rect, card: &QuestionCard, editor: &mut Editor) {
    let width = inner_width(area);
    let title: Vec<Line<'static>> = wrap_styled(&Line::from(card.title.clone()).bold(), width, 0);
    let points = match card.key_points {
        0 => "not graded".to_owned(),
        n => plural(n, "key point", "key points"),
    };
    let max_title = area.height.saturating_sub(5).max(1);
    let title_height = u16::try_from(title.len())
        .unwrap_or(u16::MAX)
        .min(max_title)
        + 2;
    let [question_area, answer_area] =
        Layout::vertical([Constraint::Length(title_height), Constraint::Min(3)]).areas(area);
    let block = Block::bordered()
        .title(" Question ")
        .title_top(Line::from(format!(" {points} ")).right_aligned());
    frame.render_widget(
        Paragraph::new(title).block(block.padding(ratatui::widgets::Padding::horizontal(1))),
        question_area,
    );

    let block = Block::bordered()
        .title(" Your answer ")
        .title_top(Line::from(format!(" {} words ", editor.words())).right_aligned());
    let inner = block.inner(answer_area).inner(Margin::new(1, 0));
    frame.render_widget(block, answer_area);
    editor.width = usize::from(inner.width);
    if editor.text.is_empty() {
        frame.render_widget(
            Paragraph::new(vec![
                Line::from(
                    "Type your answer here, in sentences: a list of keywords does not score.",
                )
                .fg(Color::DarkGray),
                Line::from("Answered out loud instead? Ctrl+A, then tick the points you made.")
                    .fg(Color::DarkGray),
            ])
            .wrap(Wrap { trim: true }),
            inner,
        );
        frame.set_cursor_position(Position::new(inner.x, inner.y));
        return;
    }
    let rows = rows(&editor.text, editor.wrap_width());
    let (row, col) = editor.cursor_at(&rows);
    let visible = usize::from(inner.height).max(1);
    if row < editor.scroll {
        editor.scroll = row;
    } else if row >= editor.scroll + visible {
        editor.scroll = row + 1 - visible;
    }
    editor.scroll = editor.scroll.min(rows.len().saturating_sub(1));
    let lines: Vec<Line<'static>> = rows
        .iter()
        .skip(editor.scroll)
        .take(visible)
        .map(|r| Line::from(editor.text[r.start..r.end].to_owned()))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
    let x = inner.x
        + u16::try_from(col)
            .unwrap_or(0)
            .min(inner.width.saturating_sub(1));
    let y = inner.y + u16::try_from(row - editor.scroll).unwrap_or(0);
    frame.set_cursor_position(Position::new(x, y));
}

/// Draws `lines` (already wrapped) in a bordered block, scrolled by `app.scroll` (clamped);
/// returns the position ("12-30 of 45") when they do not all fit.
fn render_scrolled(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    lines: &[Line<'static>],
    app: &mut App,
) -> Option<String> {
    let block = Block::bordered().title(title.to_owned());
    let inner = block.inner(area).inner(Margin::new(1, 0));
    frame.render_widget(block, area);
    crate::tui::render_scroll(frame, inner, lines, &mut app.scroll, &mut app.page)
}

fn render_footer(frame: &mut Frame, area: Rect, status: Option<&str>, keys: &[&str]) {
    render_footer_with(frame, area, status, keys, None);
}

/// The keys on the left (the first of `keys` that fits, shortest last; or the status
/// message, until the next key), the scroll position on the right.
fn render_footer_with(
    frame: &mut Frame,
    area: Rect,
    status: Option<&str>,
    keys: &[&str],
    position: Option<String>,
) {
    let right = Line::from(format!("{} ", position.unwrap_or_default())).fg(Color::DarkGray);
    let right_width = u16::try_from(right.width()).unwrap_or(area.width);
    let room = usize::from(area.width.saturating_sub(right_width));
    let left = match status {
        Some(message) => Line::from(format!(" {message}")).fg(Color::Yellow).bold(),
        None => {
            let keys = keys
                .iter()
                .find(|k| columns(k) <= room)
                .or(keys.last())
                .copied()
                .unwrap_or_default();
            Line::from(keys.to_owned()).fg(Color::DarkGray)
        }
    };
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(right_width)]).areas(area);
    frame.render_widget(left, left_area);
    frame.render_widget(right, right_area);
}

/// The checklist, the warnings, the answer with its matches highlighted, and the model
/// answer, wrapped to `width`.
pub fn feedback_lines(feedback: &Feedback, width: usize) -> Vec<Line<'static>> {
    // The question stays in sight above the checklist.
    let mut logical: Vec<Indented> = vec![
        (Line::from(feedback.card.title.clone()).bold(), 0),
        (Line::from(""), 0),
    ];
    let ticked = feedback.points.iter().filter(|p| p.point.ticked).count();
    let total = feedback.points.len();
    if total == 0 {
        logical.push((
            Line::from("This question has no key points: it is not graded.").bold(),
            0,
        ));
    } else {
        logical.push((
            Line::from(vec![
                Span::raw(format!("Key points: {ticked} of {total} ticked ")).bold(),
                Span::styled(
                    format!("({})", score(feedback.score)),
                    score_style(feedback.score),
                ),
            ]),
            0,
        ));
        for (k, point) in feedback.points.iter().enumerate() {
            let mark = if point.point.ticked { "[x]" } else { "[ ]" };
            let number = if k < 9 {
                format!("{}", k + 1)
            } else {
                " ".to_owned()
            };
            let mut spans = vec![
                Span::styled(
                    format!("{mark} "),
                    if point.point.ticked {
                        Style::new().fg(Color::Green).bold()
                    } else {
                        Style::new().fg(Color::Red)
                    },
                ),
                Span::raw(format!("{number}  ")).bold(),
                Span::raw(point.point.text.clone()),
            ];
            let note = match (point.point.corrected, point.point.ticked, point.status) {
                (Some(_), _, _) => Some("corrected".to_owned()),
                (None, true, _) => Some("auto".to_owned()),
                (None, false, Some(PointStatus::ListedOnly)) => {
                    Some("found only in a keyword list".to_owned())
                }
                (None, false, Some(PointStatus::TooShort)) => {
                    Some("found, but the answer is too short".to_owned())
                }
                (None, false, Some(PointStatus::Partial)) => Some("partly found".to_owned()),
                _ => None,
            };
            if let Some(note) = note {
                spans.push(Span::raw(format!("  ({note})")).fg(Color::DarkGray));
            }
            logical.push((Line::from(spans), 7));
        }
    }
    let mut warnings = Vec::new();
    if feedback.timed_out {
        warnings.push("The time was up: this question is recorded as timed out.");
    }
    if feedback.list_like {
        warnings.push(
            "This reads like a list of keywords: explain them in sentences. Words found outside sentences earn nothing.",
        );
    }
    if feedback.too_short {
        warnings.push(
            "The answer is too short for all the points it names: each point needs about six words of explanation.",
        );
    }
    if !warnings.is_empty() {
        logical.push((Line::default(), 0));
    }
    for warning in warnings {
        logical.push((
            Line::from(format!("! {warning}")).fg(Color::Yellow).bold(),
            2,
        ));
    }
    logical.push((Line::default(), 0));
    match &feedback.answer {
        None => logical.push((
            Line::from(vec![
                Span::raw("Your answer: ").bold(),
                Span::raw("answered aloud. Tick the points you made with the number keys."),
            ]),
            0,
        )),
        Some(text) if text.trim().is_empty() => logical.push((
            Line::from(vec![
                Span::raw("Your answer: ").bold(),
                Span::raw("nothing typed."),
            ]),
            0,
        )),
        Some(text) => {
            let used = feedback.used_ms.map_or_else(String::new, |ms| {
                format!(
                    " · {} of {}",
                    clock(ms),
                    clock(feedback.card.deadline - feedback.card.asked_at)
                )
            });
            logical.push((
                Line::from(vec![
                    Span::raw("Your answer").bold(),
                    Span::raw(format!("{used} · ")).fg(Color::DarkGray),
                    Span::styled("matched", matched_style(true)),
                    Span::raw(" words counted, ").fg(Color::DarkGray),
                    Span::styled("yellow", matched_style(false)),
                    Span::raw(" ones were in a keyword list").fg(Color::DarkGray),
                ]),
                0,
            ));
            logical.extend(
                answer_lines(text, &feedback.marks)
                    .into_iter()
                    .map(|l| (l, 0)),
            );
        }
    }
    if !feedback.model.is_empty() {
        logical.push((Line::default(), 0));
        logical.push((Line::from("Model answer").bold(), 0));
        logical.extend(model_lines(&feedback.model));
    }
    logical
        .iter()
        .flat_map(|(line, indent)| wrap_styled(line, width, *indent))
        .collect()
}

fn matched_style(counted: bool) -> Style {
    if counted {
        Style::new()
            .fg(Color::Green)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    } else {
        Style::new().fg(Color::Yellow)
    }
}

/// The typed answer, one logical line per line typed, with `marks` styled.
pub fn answer_lines(text: &str, marks: &[Mark]) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut offset = 0;
    for line in text.split('\n') {
        let mut spans: Vec<Span<'static>> = Vec::new();
        let mut run = String::new();
        let mut run_style = Style::new();
        for (i, c) in line.char_indices() {
            let at = offset + i;
            let style = marks
                .iter()
                .find(|m| m.start <= at && at < m.end)
                .map_or(Style::new(), |m| matched_style(m.counted));
            if style != run_style && !run.is_empty() {
                spans.push(Span::styled(std::mem::take(&mut run), run_style));
            }
            run_style = style;
            run.push(c);
        }
        if !run.is_empty() {
            spans.push(Span::styled(run, run_style));
        }
        lines.push(Line::from(spans));
        offset += line.len() + 1;
    }
    while lines.last().is_some_and(|l| l.width() == 0) {
        lines.pop();
    }
    lines
}

/// The model answer: prose, code behind a gutter, outputs.
fn model_lines(blocks: &[AnswerBlock]) -> Vec<Indented> {
    let mut lines: Vec<Indented> = Vec::new();
    for block in blocks {
        match block {
            AnswerBlock::Prose(text) => {
                for (i, paragraph) in text.lines().enumerate() {
                    if i > 0 {
                        lines.push((Line::default(), 0));
                    }
                    lines.push((Line::from(paragraph.to_owned()), 0));
                }
            }
            AnswerBlock::Code { language, code } => {
                if !language.is_empty() {
                    lines.push((Line::from(language.clone()).fg(Color::DarkGray), 0));
                }
                for line in code.lines() {
                    lines.push((
                        Line::from(vec![
                            Span::styled("│ ", Style::new().fg(Color::Cyan)),
                            Span::styled(
                                line.replace('\t', "    "),
                                Style::new().fg(Color::Yellow),
                            ),
                        ]),
                        2,
                    ));
                }
            }
            AnswerBlock::Output(output) => {
                lines.push((Line::from("output").fg(Color::DarkGray), 0));
                for line in output.lines() {
                    lines.push((
                        Line::from(vec![
                            Span::styled("│ ", Style::new().fg(Color::DarkGray)),
                            Span::raw(line.replace('\t', "    ")),
                        ]),
                        2,
                    ));
                }
            }
        }
        lines.push((Line::default(), 0));
    }
    while lines.last().is_some_and(|(l, _)| l.width() == 0) {
        lines.pop();
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interview::wrap::plain;

    #[test]
    fn matches_are_styled_where_they_are() {
        let text = "Only one thread.\nThen bytecode";
        let marks = [
            Mark {
                start: 5,
                end: 15,
                counted: true,
            },
            Mark {
                start: 22,
                end: 30,
                counted: false,
            },
        ];
        let lines = answer_lines(text, &marks);
        let texts: Vec<String> = lines.iter().map(plain).collect();
        assert_eq!(texts, ["Only one thread.", "Then bytecode"]);
        let styled: Vec<(String, bool)> = lines
            .iter()
            .flat_map(|l| &l.spans)
            .filter(|s| s.style != Style::new())
            .map(|s| {
                (
                    s.content.to_string(),
                    s.style.add_modifier.contains(Modifier::UNDERLINED),
                )
            })
            .collect();
        assert_eq!(
            styled,
            [
                ("one thread".to_owned(), true),
                ("bytecode".to_owned(), false)
            ]
        );
    }
}
