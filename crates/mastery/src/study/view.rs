//! Drawing the study session: the question, the answer wrapped to the terminal's width and
//! scrolled, the four rating buttons with their intervals, and the keys.
//!
//! Only the 16 named colours are used, so the learner's terminal theme decides how they
//! look; nothing depends on colour alone (each count and button is also named).

use mastery_study::scheduler::Rating;
use mastery_study::scheduler::queue::QueueKind;
use mastery_study::text::plural;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::app::{App, Block as AnswerBlock, Card, Counts, Screen};

/// The smallest screen the session is drawn on.
const MIN_WIDTH: u16 = 30;
const MIN_HEIGHT: u16 = 10;

/// Draws the whole screen. Clamps `app.scroll` to the answer's length and records how many
/// lines fit (`app.page`), so scrolling stops at the end and pages are a screen long.
pub fn render(frame: &mut Frame, app: &mut App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        frame.render_widget(
            Paragraph::new(format!(
                "Make the terminal larger (at least {MIN_WIDTH}×{MIN_HEIGHT}); q quits."
            ))
            .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let [header, context, body, buttons, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    match app.screen.clone() {
        Screen::Loading => {
            frame.render_widget(Line::from(" Mastery · study").bold(), header);
            frame.render_widget(Paragraph::new("Loading…").block(Block::bordered()), body);
        }
        Screen::Done {
            next_learning,
            reviewed_today,
        } => {
            render_header(frame, header, None);
            render_done(frame, body, next_learning.as_deref(), reviewed_today);
            let keys = if app.summary.count() > 0 {
                " u undo the last review · any other key quits"
            } else {
                " Press any key to quit"
            };
            render_footer(frame, footer, app.status.as_deref(), keys, None);
        }
        Screen::Card {
            card,
            counts,
            revealed,
            ..
        } => {
            render_header(frame, header, Some((counts, card.kind)));
            frame.render_widget(
                Line::from(vec![
                    Span::raw(format!(" {} › {}", card.guide, card.section)),
                    Span::raw(" · "),
                    Span::raw(card.level).bold(),
                    Span::raw(" · "),
                    Span::raw(kind_label(card.kind)),
                ])
                .fg(Color::Gray),
                context,
            );
            let position = render_card(frame, body, &card, revealed, app);
            render_buttons(frame, buttons, &card, revealed);
            let keys = if revealed {
                " 1-4 rate · ↑↓ PgUp PgDn scroll · u undo · q quit"
            } else {
                " Space show the answer · u undo · q quit"
            };
            render_footer(frame, footer, app.status.as_deref(), keys, position);
        }
    }
}

fn kind_label(kind: QueueKind) -> &'static str {
    match kind {
        QueueKind::Learning => "learning",
        QueueKind::Review => "review",
        QueueKind::New => "new question",
    }
}

/// " Mastery · study" on the left; the counts on the right, the current card's kind
/// underlined. The name gives way to the counts on a narrow screen.
fn render_header(frame: &mut Frame, area: Rect, counts: Option<(Counts, QueueKind)>) {
    let name = Line::from(" Mastery · study").bold();
    let Some((counts, kind)) = counts else {
        frame.render_widget(name, area);
        return;
    };
    let count = |label: &str, n: usize, colour: Color, this: QueueKind| {
        let span = Span::styled(format!("{label} {n}"), Style::new().fg(colour).bold());
        if this == kind {
            span.underlined()
        } else {
            span
        }
    };
    let line = Line::from(vec![
        count("learning", counts.learning, Color::Red, QueueKind::Learning),
        Span::raw("  "),
        count("review", counts.review, Color::Green, QueueKind::Review),
        Span::raw("  "),
        count("new", counts.new, Color::Blue, QueueKind::New),
        Span::raw(" "),
    ])
    .alignment(Alignment::Right);
    if name.width() + line.width() < usize::from(area.width) {
        frame.render_widget(name, area);
    }
    frame.render_widget(line, area);
}

/// The question, then the answer (scrolled) once revealed. Returns the scroll position
/// ("12-30 of 45") when the answer is longer than the screen.
fn render_card(
    frame: &mut Frame,
    area: Rect,
    card: &Card,
    revealed: bool,
    app: &mut App,
) -> Option<String> {
    let block = Block::bordered().title(" Question ");
    let inner = block.inner(area).inner(ratatui::layout::Margin::new(1, 0));
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let title: Vec<Line<'static>> = wrap_words(&card.title, width)
        .into_iter()
        .map(|l| Line::from(l).bold())
        .collect();
    let title_height = u16::try_from(title.len())
        .unwrap_or(u16::MAX)
        .min(inner.height.saturating_sub(2).max(1));
    let [title_area, rule_area, answer_area] = Layout::vertical([
        Constraint::Length(title_height),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(title), title_area);
    if !revealed {
        app.page = usize::from(answer_area.height);
        frame.render_widget(
            Paragraph::new(vec![
                Line::default(),
                Line::from("Recall the answer, then press Space to see it.").fg(Color::Gray),
            ]),
            answer_area,
        );
        return None;
    }
    frame.render_widget(Line::from("─".repeat(width)).fg(Color::DarkGray), rule_area);
    let lines = answer_lines(card, width);
    crate::tui::render_scroll(frame, answer_area, &lines, &mut app.scroll, &mut app.page)
}

/// The answer as lines of at most `width` columns: prose wrapped at spaces, code and
/// outputs as written behind a gutter (long lines broken), then the key points.
pub fn answer_lines(card: &Card, width: usize) -> Vec<Line<'static>> {
    let width = width.max(8);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let gutter = |colour: Color| Span::styled("│ ", Style::new().fg(colour));
    for block in &card.answer {
        match block {
            AnswerBlock::Prose(text) => {
                for (i, paragraph) in text.lines().enumerate() {
                    if i > 0 {
                        lines.push(Line::default());
                    }
                    lines.extend(wrap_words(paragraph, width).into_iter().map(Line::from));
                }
            }
            AnswerBlock::Code { language, code } => {
                if !language.is_empty() {
                    lines.push(Line::from(language.clone()).fg(Color::DarkGray));
                }
                for line in code.lines() {
                    for part in hard_wrap(&line.replace('\t', "    "), width - 2) {
                        lines.push(Line::from(vec![
                            gutter(Color::Cyan),
                            Span::styled(part, Style::new().fg(Color::Yellow)),
                        ]));
                    }
                }
            }
            AnswerBlock::Output(output) => {
                lines.push(Line::from("output").fg(Color::DarkGray));
                for line in output.lines() {
                    for part in hard_wrap(&line.replace('\t', "    "), width - 2) {
                        lines.push(Line::from(vec![gutter(Color::DarkGray), Span::raw(part)]));
                    }
                }
            }
        }
        lines.push(Line::default());
    }
    if !card.key_points.is_empty() {
        lines.push(Line::from("Key points").bold());
        for point in &card.key_points {
            for (i, part) in wrap_words(point, width - 2).into_iter().enumerate() {
                let bullet = if i == 0 { "• " } else { "  " };
                lines.push(Line::from(vec![Span::raw(bullet), Span::raw(part)]));
            }
        }
    }
    while lines.last().is_some_and(|l| l.width() == 0) {
        lines.pop();
    }
    lines
}

/// The four ratings with their intervals once the answer is shown; the reveal key before.
/// On a narrow screen the gaps shrink, then the names go (the keys and intervals stay).
fn render_buttons(frame: &mut Frame, area: Rect, card: &Card, revealed: bool) {
    if !revealed {
        let line = Line::from(vec![
            Span::raw(" "),
            Span::styled(" Space ", Style::new().reversed().bold()),
            Span::raw(" Show the answer"),
        ]);
        frame.render_widget(line, area);
        return;
    }
    let buttons = |gap: &'static str, names: bool| {
        let mut spans = vec![Span::raw(" ")];
        for (i, (rating, label)) in card.buttons.iter().enumerate() {
            let colour = match rating {
                Rating::Again => Color::Red,
                Rating::Hard => Color::Yellow,
                Rating::Good => Color::Green,
                Rating::Easy => Color::Blue,
            };
            if i > 0 {
                spans.push(Span::raw(gap));
            }
            spans.push(Span::styled(
                format!(" {} ", rating.as_u8()),
                Style::new().bg(colour).fg(Color::Black).bold(),
            ));
            if names {
                spans.push(Span::styled(
                    format!(" {}", button_name(*rating)),
                    Style::new().fg(colour).bold(),
                ));
            }
            spans.push(Span::raw(format!(" {label}")));
        }
        Line::from(spans)
    };
    let fits = |line: &Line<'_>| line.width() <= usize::from(area.width);
    let line = [buttons("    ", true), buttons(" ", true)]
        .into_iter()
        .find(fits)
        .unwrap_or_else(|| buttons(" ", false));
    frame.render_widget(line, area);
}

/// "Again", "Hard", "Good", "Easy".
pub fn button_name(rating: Rating) -> &'static str {
    match rating {
        Rating::Again => "Again",
        Rating::Hard => "Hard",
        Rating::Good => "Good",
        Rating::Easy => "Easy",
    }
}

/// The keys on the left (or the status message, which replaces them until the next key),
/// the scroll position on the right.
fn render_footer(
    frame: &mut Frame,
    area: Rect,
    status: Option<&str>,
    keys: &str,
    position: Option<String>,
) {
    let left = match status {
        Some(message) => Line::from(format!(" {message}")).fg(Color::Yellow).bold(),
        None => Line::from(keys.to_owned()).fg(Color::DarkGray),
    };
    let right = Line::from(format!("{} ", position.unwrap_or_default())).fg(Color::DarkGray);
    let right_width = u16::try_from(right.width()).unwrap_or(area.width);
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(right_width)]).areas(area);
    frame.render_widget(left, left_area);
    frame.render_widget(right, right_area);
}

fn render_done(frame: &mut Frame, area: Rect, next_learning: Option<&str>, reviewed_today: usize) {
    let mut text = vec![
        Line::from("Nothing is due now.").bold(),
        Line::default(),
        Line::from(match reviewed_today {
            0 => "No reviews yet today.".to_owned(),
            n => format!("{} today.", plural(n, "review", "reviews")),
        }),
        Line::from(match next_learning {
            Some(when) => format!("The next learning step comes due in {when}."),
            None => "New questions and reviews come back tomorrow.".to_owned(),
        }),
    ];
    let block = Block::bordered().title(" Study ");
    let inner = block.inner(area);
    // Centred vertically too.
    let lines = u16::try_from(text.len()).unwrap_or(0);
    let above = inner.height.saturating_sub(lines) / 2;
    text.splice(0..0, (0..above).map(|_| Line::default()));
    let paragraph = Paragraph::new(Text::from(text))
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true })
        .block(block);
    frame.render_widget(paragraph, area);
}

/// Display width of `text` in terminal columns.
fn columns(text: &str) -> usize {
    Span::raw(text).width()
}

/// Wraps prose at spaces into lines of at most `width` columns; a word longer than a line
/// is broken.
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let needed = if line.is_empty() {
            columns(word)
        } else {
            columns(&line) + 1 + columns(word)
        };
        if needed <= width {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut parts = hard_wrap(word, width);
        if let Some(last) = parts.pop() {
            lines.extend(parts);
            line = last;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Breaks a line into pieces of at most `width` columns (an empty line stays one line).
pub fn hard_wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = columns(c.encode_utf8(&mut [0; 4]));
        if used + w > width && !part.is_empty() {
            parts.push(std::mem::take(&mut part));
            used = 0;
        }
        part.push(c);
        used += w;
    }
    parts.push(part);
    parts
}

#[cfg(test)]
mod tests {
    use mastery_storage::QuestionKey;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::super::app::Next;
    use super::*;

    fn draw(app: &mut App, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        let frame = terminal.draw(|f| render(f, app)).unwrap();
        let buffer = frame.buffer;
        buffer
            .content
            .chunks(usize::from(width))
            .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn long_card() -> Card {
        let prose = (1..=60)
            .map(|i| format!("word{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        Card {
            key: QuestionKey::new("g", "q"),
            title: "A question with a long answer?".into(),
            guide: "Guide".into(),
            section: "Section".into(),
            level: "junior",
            kind: QueueKind::Review,
            answer: vec![
                AnswerBlock::Prose(prose),
                AnswerBlock::Code {
                    language: "python".into(),
                    code: (1..=20)
                        .map(|i| format!("x{i} = {i}"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                },
            ],
            key_points: vec!["The last point.".into()],
            buttons: Rating::ALL.map(|r| (r, "1d".to_owned())),
        }
    }

    #[test]
    fn a_long_answer_scrolls_and_stops_at_its_end() {
        let mut app = App::new();
        app.show(Next::Card(Box::new(long_card()), Counts::default()), 0);
        app.on_key(KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE));
        let top = draw(&mut app, 40, 20);
        assert!(top.contains("word1 word2"), "{top}");
        assert!(!top.contains("The last point."), "{top}");
        let page = app.page;
        assert!(
            top.contains(&format!("1-{page} of")),
            "position shown: {top}"
        );
        app.on_key(KeyEvent::new(KeyCode::End, KeyModifiers::NONE));
        let bottom = draw(&mut app, 40, 20);
        assert!(bottom.contains("• The last point."), "{bottom}");
        assert!(!bottom.contains("word1 "), "{bottom}");
        let end = app.scroll;
        assert!(end < 100, "clamped to the answer's end");
        app.on_key(KeyEvent::new(KeyCode::PageUp, KeyModifiers::NONE));
        assert_eq!(
            app.scroll,
            end - (page - 1),
            "a page is the visible height less one line"
        );
    }

    #[test]
    fn nothing_due_says_when_the_next_step_comes() {
        let mut app = App::new();
        app.show(
            Next::Done {
                next_learning: Some("25m".into()),
                reviewed_today: 4,
            },
            0,
        );
        let screen = draw(&mut app, 80, 12);
        assert!(screen.contains("Nothing is due now."), "{screen}");
        assert!(screen.contains("4 reviews today."), "{screen}");
        assert!(
            screen.contains("The next learning step comes due in 25m."),
            "{screen}"
        );
        assert!(screen.contains("Press any key to quit"), "{screen}");
    }

    #[test]
    fn a_tiny_terminal_asks_for_more_room() {
        let mut app = App::new();
        app.show(Next::Card(Box::new(long_card()), Counts::default()), 0);
        let screen = draw(&mut app, 20, 5);
        assert!(screen.contains("Make the"), "{screen}");
    }

    #[test]
    fn prose_wraps_at_spaces_within_the_width() {
        let text = "The global interpreter lock lets one thread run Python bytecode at a time.";
        for width in [11, 20, 33, 80] {
            let lines = wrap_words(text, width);
            assert!(
                lines.iter().all(|l| columns(l) <= width),
                "{width}: {lines:?}"
            );
            assert_eq!(lines.join(" "), text, "no word lost at {width}");
        }
        assert_eq!(wrap_words("a b c", 3), ["a b", "c"]);
        assert_eq!(wrap_words("", 10), Vec::<String>::new());
    }

    #[test]
    fn long_words_and_code_lines_are_broken() {
        assert_eq!(wrap_words("ab abcdefgh", 4), ["ab", "abcd", "efgh"]);
        assert_eq!(hard_wrap("abcdefg", 3), ["abc", "def", "g"]);
        assert_eq!(hard_wrap("", 3), [""]);
        assert_eq!(
            hard_wrap("日本語", 4),
            ["日本", "語"],
            "wide characters count twice"
        );
    }
}
