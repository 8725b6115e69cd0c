//! The answer editor of a question: a multi-line text with a cursor, wrapped to the width
//! of the screen (at spaces where it can), moved by character, line and visual row.

use mastery_study::interview::session::MAX_ANSWER_CHARS;
use ratatui::text::Span;

/// A multi-line text editor: the text and a cursor (a byte offset on a character boundary).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Editor {
    /// The text typed.
    pub text: String,
    /// Where the next character goes, in bytes.
    pub cursor: usize,
    /// The first visible row (kept on the cursor by the renderer).
    pub scroll: usize,
    /// Columns available for the text (set by the renderer; Up and Down move by rows of it).
    pub width: usize,
}

/// One visual row of the editor: a byte range of the text, without the line break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// First byte.
    pub start: usize,
    /// Just past the last byte.
    pub end: usize,
}

/// Display width of a character in terminal columns.
fn char_columns(c: char) -> usize {
    Span::raw(c.encode_utf8(&mut [0; 4]).to_owned()).width()
}

/// Display width of `text` in terminal columns.
pub fn columns(text: &str) -> usize {
    text.chars().map(char_columns).sum()
}

/// The visual rows of `text` wrapped to `width` columns: at spaces when a line has one,
/// else inside the word. Every byte but the line breaks belongs to exactly one row, so a
/// cursor maps to a row and a column. An empty text is one empty row.
pub fn rows(text: &str, width: usize) -> Vec<Row> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split('\n') {
        let mut start = offset;
        let mut used = 0;
        // Just after the last space of the current row: where to break it.
        let mut after_space: Option<usize> = None;
        for (i, c) in line.char_indices() {
            let at = offset + i;
            let w = char_columns(c);
            if used + w > width && at > start {
                let cut = after_space.filter(|&s| s > start).unwrap_or(at);
                out.push(Row { start, end: cut });
                used = columns(&text[cut..at]);
                start = cut;
                after_space = None;
            }
            used += w;
            if c == ' ' {
                after_space = Some(at + 1);
            }
        }
        out.push(Row {
            start,
            end: offset + line.len(),
        });
        offset += line.len() + 1;
    }
    out
}

impl Editor {
    /// The row and column of the cursor among `rows`.
    pub fn cursor_at(&self, rows: &[Row]) -> (usize, usize) {
        let row = rows
            .iter()
            .rposition(|r| r.start <= self.cursor)
            .unwrap_or(0);
        let col = rows
            .get(row)
            .map_or(0, |r| columns(&self.text[r.start..self.cursor.min(r.end)]));
        (row, col)
    }

    /// Inserts `s` at the cursor; refuses (returns `false`) past [`MAX_ANSWER_CHARS`].
    pub fn insert(&mut self, s: &str) -> bool {
        if self.text.chars().count() + s.chars().count() > MAX_ANSWER_CHARS {
            return false;
        }
        self.text.insert_str(self.cursor, s);
        self.cursor += s.len();
        true
    }

    fn prev_boundary(&self) -> Option<usize> {
        self.text[..self.cursor]
            .char_indices()
            .last()
            .map(|(i, _)| i)
    }

    fn next_boundary(&self) -> Option<usize> {
        self.text[self.cursor..]
            .chars()
            .next()
            .map(|c| self.cursor + c.len_utf8())
    }

    /// Deletes the character before the cursor.
    pub fn backspace(&mut self) {
        if let Some(at) = self.prev_boundary() {
            self.text.replace_range(at..self.cursor, "");
            self.cursor = at;
        }
    }

    /// Deletes the character after the cursor.
    pub fn delete(&mut self) {
        if let Some(end) = self.next_boundary() {
            self.text.replace_range(self.cursor..end, "");
        }
    }

    /// Moves one character left.
    pub fn left(&mut self) {
        if let Some(at) = self.prev_boundary() {
            self.cursor = at;
        }
    }

    /// Moves one character right.
    pub fn right(&mut self) {
        if let Some(at) = self.next_boundary() {
            self.cursor = at;
        }
    }

    /// Moves to the start of the line.
    pub fn home(&mut self) {
        self.cursor = self.text[..self.cursor].rfind('\n').map_or(0, |i| i + 1);
    }

    /// Moves to the end of the line.
    pub fn end(&mut self) {
        self.cursor = self.text[self.cursor..]
            .find('\n')
            .map_or(self.text.len(), |i| self.cursor + i);
    }

    /// The columns rows are wrapped to: one less than the width, so the cursor fits after
    /// the last character (unlimited before the first draw).
    pub fn wrap_width(&self) -> usize {
        if self.width == 0 {
            usize::MAX
        } else {
            self.width.saturating_sub(1).max(1)
        }
    }

    /// Moves one visual row up (`-1`) or down (`1`), keeping the column where it can.
    pub fn vertical(&mut self, step: isize) {
        let rows = rows(&self.text, self.wrap_width());
        let (row, col) = self.cursor_at(&rows);
        let Some(target) = row.checked_add_signed(step).and_then(|r| rows.get(r)) else {
            // Past the first or last row: to the start or the end.
            self.cursor = if step < 0 { 0 } else { self.text.len() };
            return;
        };
        let mut at = target.start;
        let mut used = 0;
        for (i, c) in self.text[target.start..target.end].char_indices() {
            let w = char_columns(c);
            if used + w > col {
                break;
            }
            used += w;
            at = target.start + i + c.len_utf8();
        }
        // A wrapped row's end is the next row's start: stay on this row.
        let wrapped = target.end < self.text.len() && !self.text[target.end..].starts_with('\n');
        if wrapped && at == target.end && at > target.start {
            at = self.text[..at].char_indices().last().map_or(at, |(i, _)| i);
        }
        self.cursor = at;
    }

    /// Words typed.
    pub fn words(&self) -> usize {
        self.text.split_whitespace().count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_wrap_at_spaces_and_keep_every_byte() {
        let text = "one two three four\n\nfive";
        let r = rows(text, 9);
        let parts: Vec<&str> = r.iter().map(|r| &text[r.start..r.end]).collect();
        assert_eq!(parts, ["one two ", "three ", "four", "", "five"]);
        assert_eq!(rows("", 5), [Row { start: 0, end: 0 }]);
        let long = rows("abcdefghij", 4);
        let parts: Vec<&str> = long.iter().map(|r| &"abcdefghij"[r.start..r.end]).collect();
        assert_eq!(parts, ["abcd", "efgh", "ij"]);
    }

    #[test]
    fn the_cursor_maps_to_rows_and_moves_between_them() {
        let mut editor = Editor {
            text: "one two three four".into(),
            cursor: 0,
            scroll: 0,
            width: 10,
        };
        let r = rows(&editor.text, 9);
        editor.cursor = 8; // "t" of "three", the start of the second row
        assert_eq!(editor.cursor_at(&r), (1, 0));
        editor.cursor = 5;
        editor.vertical(1);
        assert_eq!(editor.cursor, 13, "same column on the next row");
        editor.vertical(1);
        assert_eq!(editor.cursor_at(&rows(&editor.text, 9)).0, 2);
        editor.vertical(1);
        assert_eq!(
            editor.cursor,
            editor.text.len(),
            "past the last row: the end"
        );
        editor.vertical(-1);
        editor.vertical(-1);
        editor.vertical(-1);
        editor.vertical(-1);
        assert_eq!(editor.cursor, 0);
    }

    #[test]
    fn editing_respects_characters_and_the_size_limit() {
        let mut editor = Editor::default();
        assert!(editor.insert("é"));
        assert!(editor.insert("t"));
        editor.left();
        editor.left();
        assert_eq!(editor.cursor, 0);
        editor.delete();
        assert_eq!(editor.text, "t");
        editor.right();
        editor.backspace();
        assert_eq!(editor.text, "");
        editor.backspace();
        let big = "x".repeat(MAX_ANSWER_CHARS);
        assert!(editor.insert(&big));
        assert!(!editor.insert("y"));
        assert_eq!(editor.words(), 1);
    }
}
