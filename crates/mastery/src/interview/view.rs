//! Drawing the mock interview: the preset list, the question with its countdown and the
//! answer editor, the checklist after an answer (the words that matched highlighted), and
//! the report.
//!
//! As in `mastery study`, only the 16 named colours are used and nothing depends on colour
//! alone: ticks are `[x]`, counted matches are underlined, warnings start with `!`.

use mastery_study::interview::PointStatus;
use mastery_study::interview::report::{clock, percent};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Margin, Position, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::app::{App, Editor, Feedback, Mark, NextStep, QuestionCard, ReportView, Screen, rows};
use crate::study::app::Block as AnswerBlock;

/// The smallest screen the interview is drawn on.
const MIN_WIDTH: u16 = 40;
const MIN_HEIGHT: u16 = 12;
/// Below this much time left, the countdown turns red.
const HURRY_MS: i64 = 30_000;

/// A logical line and the indent of its continuation lines when wrapped.
pub type Indented = (Line<'static>, usize);

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
        1 => "1 key point".to_owned(),
        n => format!("{n} key points"),
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

/// The style of a score: green from 70%, yellow from 40%, red below.
fn score_style(score: Option<f64>) -> Style {
    match score {
        Some(s) if s >= 0.7 => Style::new().fg(Color::Green).bold(),
        Some(s) if s >= 0.4 => Style::new().fg(Color::Yellow).bold(),
        Some(_) => Style::new().fg(Color::Red).bold(),
        None => Style::new(),
    }
}

fn pct(score: Option<f64>) -> String {
    score.map_or_else(|| "–".to_owned(), |s| format!("{}%", percent(s)))
}

/// The checklist, the warnings, the answer with its matches highlighted, and the model
/// answer, wrapped to `width`.
pub fn feedback_lines(feedback: &Feedback, width: usize) -> Vec<Line<'static>> {
    // The question stays in sight above the checklist.
    let mut logical: Vec<Indented> = vec![
        (Line::from(feedback.card.title.clone()).bold(), 0),
        (Line::from(""), 0),
    ];
    let ticked = feedback.points.iter().filter(|p| p.ticked).count();
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
                    format!("({})", pct(feedback.score)),
                    score_style(feedback.score),
                ),
            ]),
            0,
        ));
        for (k, point) in feedback.points.iter().enumerate() {
            let mark = if point.ticked { "[x]" } else { "[ ]" };
            let number = if k < 9 {
                format!("{}", k + 1)
            } else {
                " ".to_owned()
            };
            let mut spans = vec![
                Span::styled(
                    format!("{mark} "),
                    if point.ticked {
                        Style::new().fg(Color::Green).bold()
                    } else {
                        Style::new().fg(Color::Red)
                    },
                ),
                Span::raw(format!("{number}  ")).bold(),
                Span::raw(point.text.clone()),
            ];
            let note = match (point.corrected, point.ticked, point.status) {
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

/// Labels of the report's questions: `1`, `2`, … for main questions, `1.1`, `1.2`, … for
/// the follow-ups of question 1 by depth (as in the Markdown export).
pub fn labels(view: &ReportView) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(view.report.questions.len());
    let mut main = 0;
    for q in &view.report.questions {
        let label = match q.parent.and_then(|p| out.get(p)) {
            Some(parent) if q.depth > 0 => {
                let root = parent.split('.').next().unwrap_or(parent);
                format!("{root}.{}", q.depth)
            }
            _ => {
                main += 1;
                main.to_string()
            }
        };
        out.push(label);
    }
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The report as logical lines (with the indent of their continuation lines): summary,
/// questions, sections, ladders, timed-out questions and missed key points. The screen wraps
/// them; `--report` prints them as they are.
pub fn report_lines(view: &ReportView) -> Vec<Indented> {
    let r = &view.report;
    let labels = labels(view);
    let title = |i: usize| view.titles.get(i).cloned().unwrap_or_default();
    let label = |i: usize| labels.get(i).cloned().unwrap_or_default();
    let heading = |text: &str| (Line::from(text.to_owned()).bold().underlined(), 0);
    let mut lines: Vec<Indented> = vec![
        (
            Line::from(vec![
                Span::raw("Overall score ").bold(),
                Span::styled(pct(r.score), score_style(r.score)),
                Span::raw(format!(
                    " · time used {} of {} planned · {}",
                    clock(r.used_ms),
                    clock(r.planned_ms),
                    plural(r.questions.len(), "question", "questions")
                )),
            ]),
            0,
        ),
        (
            Line::from(match view.fed() {
                0 => "No question was fed to your study queue (nothing was answered).".to_owned(),
                n => format!(
                    "{} fed to your study queue: weak answers come back soon.",
                    plural(n, "question", "questions")
                ),
            }),
            0,
        ),
        (Line::default(), 0),
        heading("Questions"),
    ];
    let head = format!(
        "  {:<5} {:>5}  {:<20} {:<12} ",
        "#", "Score", "Time", "Depth"
    );
    let indent = columns(&head);
    lines.push((Line::from(format!("{head}Question")).fg(Color::DarkGray), 0));
    for (i, q) in r.questions.iter().enumerate() {
        let time = match q.used_ms {
            Some(ms) if q.timed_out => format!("{} timed out", clock(ms)),
            Some(ms) => format!("{} of {}", clock(ms), clock(q.budget_ms)),
            None => "not answered".to_owned(),
        };
        let depth = if q.depth == 0 {
            "main".to_owned()
        } else {
            format!("follow-up {}", q.depth)
        };
        lines.push((
            Line::from(vec![
                Span::raw(format!("  {:<5} ", label(i))),
                Span::styled(format!("{:>5}", pct(q.score)), score_style(q.score)),
                Span::raw(format!("  {time:<20} {depth:<12} ")),
                Span::raw(title(i)),
            ]),
            indent,
        ));
    }
    if !r.sections.is_empty() {
        lines.push((Line::default(), 0));
        lines.push(heading("Sections"));
        for s in &r.sections {
            lines.push((
                Line::from(vec![
                    Span::styled(format!("  {:>5}", pct(s.score)), score_style(s.score)),
                    Span::raw(format!(
                        "  {} ({})",
                        s.title,
                        plural(s.questions, "question", "questions")
                    )),
                ]),
                9,
            ));
        }
    }
    let ladders: Vec<_> = r.ladders.iter().filter(|l| l.max_depth > 0).collect();
    if !ladders.is_empty() {
        lines.push((Line::default(), 0));
        lines.push(heading("Follow-up ladders"));
        for l in ladders {
            lines.push((
                Line::from(format!(
                    "  {:<5} depth {} of {}  {}",
                    label(l.item),
                    l.depth,
                    l.max_depth,
                    title(l.item)
                )),
                22,
            ));
        }
    }
    if !r.timed_out.is_empty() {
        lines.push((Line::default(), 0));
        lines.push(heading("Timed out"));
        for &i in &r.timed_out {
            lines.push((Line::from(format!("  {:<5} {}", label(i), title(i))), 8));
        }
    }
    if !r.missed.is_empty() {
        lines.push((Line::default(), 0));
        lines.push(heading("Missed key points: study these questions"));
        let mut last = None;
        for m in &r.missed {
            if last != Some(m.item) {
                last = Some(m.item);
                lines.push((
                    Line::from(vec![
                        Span::raw(format!("  {:<5} ", label(m.item))),
                        Span::raw(title(m.item)).bold(),
                        Span::raw(format!("  ({})", m.question)).fg(Color::DarkGray),
                    ]),
                    8,
                ));
            }
            lines.push((Line::from(format!("        - {}", m.text)), 10));
        }
    }
    if !r.missing.is_empty() {
        lines.push((Line::default(), 0));
        lines.push((
            Line::from(format!("No longer in the guide: {}", r.missing.join(", "))),
            2,
        ));
    }
    lines
}

/// A line's text without its styles.
pub fn plain(line: &Line<'_>) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

/// Display width of `text` in terminal columns.
fn columns(text: &str) -> usize {
    Span::raw(text).width()
}

/// Wraps a styled line at spaces into lines of at most `width` columns, keeping each
/// character's style; continuation lines start with `indent` spaces. A word longer than a
/// line is broken. Leading spaces are kept, spaces at a break are dropped.
pub fn wrap_styled(line: &Line<'_>, width: usize, indent: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let indent = if indent >= width { 0 } else { indent };
    let chars: Vec<(char, Style)> = line
        .spans
        .iter()
        .flat_map(|s| {
            let style = line.style.patch(s.style);
            s.content.chars().map(move |c| (c, style))
        })
        .collect();
    let width_of = |cs: &[(char, Style)]| {
        cs.iter()
            .map(|(c, _)| super::app::columns(c.encode_utf8(&mut [0; 4])))
            .sum::<usize>()
    };
    let mut out: Vec<Vec<(char, Style)>> = Vec::new();
    let mut current: Vec<(char, Style)> = Vec::new();
    let mut used = 0;
    let mut has_word = false;
    let avail = |out: &Vec<Vec<(char, Style)>>| {
        if out.is_empty() {
            width
        } else {
            width - indent
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let sep_start = i;
        while i < chars.len() && chars[i].0.is_whitespace() {
            i += 1;
        }
        let sep = &chars[sep_start..i];
        let word_start = i;
        while i < chars.len() && !chars[i].0.is_whitespace() {
            i += 1;
        }
        let word = &chars[word_start..i];
        if word.is_empty() {
            break;
        }
        let (sep_w, word_w) = (width_of(sep), width_of(word));
        if used + sep_w + word_w <= avail(&out) {
            // Fits: leading spaces of the line are kept, as are spaces between words.
            if has_word || out.is_empty() {
                current.extend_from_slice(sep);
                used += sep_w;
            }
            current.extend_from_slice(word);
            used += word_w;
            has_word = true;
            continue;
        }
        // Break before the word (a line of only leading spaces is dropped).
        if has_word {
            out.push(std::mem::take(&mut current));
        }
        current.clear();
        used = 0;
        has_word = false;
        for &(c, style) in word {
            let w = super::app::columns(c.encode_utf8(&mut [0; 4]));
            if used + w > avail(&out) && has_word {
                out.push(std::mem::take(&mut current));
                used = 0;
            }
            current.push((c, style));
            used += w;
            has_word = true;
        }
    }
    if has_word || out.is_empty() {
        out.push(current);
    }
    out.into_iter()
        .enumerate()
        .map(|(n, cs)| {
            let mut spans: Vec<Span<'static>> = Vec::new();
            if n > 0 && indent > 0 {
                spans.push(Span::raw(" ".repeat(indent)));
            }
            let mut run = String::new();
            let mut run_style: Option<Style> = None;
            for (c, style) in cs {
                if run_style.is_some_and(|s| s != style) {
                    spans.push(Span::styled(
                        std::mem::take(&mut run),
                        run_style.unwrap_or_default(),
                    ));
                }
                run_style = Some(style);
                run.push(c);
            }
            if !run.is_empty() {
                spans.push(Span::styled(run, run_style.unwrap_or_default()));
            }
            Line::from(spans)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(plain).collect()
    }

    #[test]
    fn styled_text_wraps_at_spaces_with_a_hanging_indent() {
        let line = Line::from(vec![
            Span::raw("[x] 1  "),
            Span::raw("The GIL lets only one thread run").bold(),
        ]);
        let lines = wrap_styled(&line, 20, 7);
        assert_eq!(
            texts(&lines),
            [
                "[x] 1  The GIL lets",
                "       only one",
                "       thread run"
            ]
        );
        assert!(lines.iter().all(|l| l.width() <= 20));
        // The styles stay with their characters.
        let bold: String = lines[0]
            .spans
            .iter()
            .filter(|s| s.style.add_modifier.contains(Modifier::BOLD))
            .map(|s| s.content.as_ref())
            .collect();
        assert_eq!(bold, "The GIL lets");
        assert_eq!(texts(&wrap_styled(&Line::default(), 10, 0)), [""]);
        assert_eq!(
            texts(&wrap_styled(&Line::from("    indented code"), 40, 0)),
            ["    indented code"]
        );
        assert_eq!(
            texts(&wrap_styled(&Line::from("abcdefghij"), 4, 0)),
            ["abcd", "efgh", "ij"]
        );
    }

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
        assert_eq!(texts(&lines), ["Only one thread.", "Then bytecode"]);
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
