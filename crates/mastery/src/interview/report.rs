//! The report of a finished interview as styled lines: the summary, the questions with their
//! scores and times, the sections, the follow-up ladders, the questions that timed out and
//! the key points missed. The report screen wraps them; `--report` prints them as they are.

use mastery_study::text::{clock, plural, score};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span};

use super::app::ReportView;
use super::editor::columns;
use super::wrap::Indented;

/// The style of a score: green from 70%, yellow from 40%, red below.
pub fn score_style(score: Option<f64>) -> Style {
    match score {
        Some(s) if s >= 0.7 => Style::new().fg(Color::Green).bold(),
        Some(s) if s >= 0.4 => Style::new().fg(Color::Yellow).bold(),
        Some(_) => Style::new().fg(Color::Red).bold(),
        None => Style::new(),
    }
}

/// The report as logical lines (with the indent of their continuation lines): summary,
/// questions, sections, ladders, timed-out questions and missed key points. The screen wraps
/// them; `--report` prints them as they are.
pub fn report_lines(view: &ReportView) -> Vec<Indented> {
    let r = &view.report;
    let labels = r.labels();
    let title = |i: usize| view.titles.get(i).cloned().unwrap_or_default();
    let label = |i: usize| labels.get(i).cloned().unwrap_or_default();
    let heading = |text: &str| (Line::from(text.to_owned()).bold().underlined(), 0);
    let mut lines: Vec<Indented> = vec![
        (
            Line::from(vec![
                Span::raw("Overall score ").bold(),
                Span::styled(score(r.score), score_style(r.score)),
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
                Span::styled(format!("{:>5}", score(q.score)), score_style(q.score)),
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
                    Span::styled(format!("  {:>5}", score(s.score)), score_style(s.score)),
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
