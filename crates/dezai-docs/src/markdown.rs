//! A flat outline of a Markdown document: the headings, tables, code blocks and prose the API
//! format is made of, each with its line number.
//!
//! pulldown-cmark does the Markdown; this module only keeps what the format needs and adds what
//! pulldown-cmark does not report: line numbers, the raw source of every table cell, and the
//! number of cells each table row really has (pulldown-cmark silently pads short rows and drops
//! the cells of long ones, which would hide a broken row).

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// One block of the outline.
#[derive(Debug)]
pub(crate) enum Block {
    Heading(Heading),
    Table(Table),
    Code(CodeBlock),
    /// Anything else (paragraphs, lists, quotes): only its position matters, for descriptions.
    Other,
}

#[derive(Debug)]
pub(crate) struct Heading {
    pub level: u8,
    /// The heading's text with inline markup removed.
    pub text: String,
    pub line: u32,
    /// Byte range of the whole heading in the source.
    pub span: Range<usize>,
}

#[derive(Debug)]
pub(crate) struct Table {
    pub line: u32,
    pub header: Vec<Cell>,
    pub rows: Vec<Row>,
}

#[derive(Debug)]
pub(crate) struct Row {
    pub line: u32,
    pub cells: Vec<Cell>,
    /// The number of cells written in the source line, counted by this module.
    pub written_cells: usize,
    /// The row's source line, for error messages.
    pub source: String,
}

#[derive(Debug, Default)]
pub(crate) struct Cell {
    /// Text with markup removed: link text kept, code spans as their content, `\|` as `|`.
    pub text: String,
    /// The cell's Markdown source, trimmed, with `\|` unescaped: used as the description.
    pub markdown: String,
    /// Whether the cell holds a link (a data model reference in a type column).
    pub has_link: bool,
    /// The contents of the code spans in the cell, in order.
    pub code: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct CodeBlock {
    /// The line of the first line of content.
    pub line: u32,
    pub info: String,
    pub text: String,
}

/// The outline of a document plus the facts needed to report on it.
pub(crate) struct Outline<'a> {
    pub source: &'a str,
    pub blocks: Vec<(Block, Range<usize>)>,
}

/// Byte offset → 1-based line number.
struct LineIndex {
    newlines: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        Self {
            newlines: text.match_indices('\n').map(|(i, _)| i).collect(),
        }
    }

    fn line_of(&self, offset: usize) -> u32 {
        let line = self.newlines.partition_point(|&nl| nl < offset) + 1;
        u32::try_from(line).unwrap_or(u32::MAX)
    }
}

pub(crate) fn outline(source: &str) -> Outline<'_> {
    let lines = LineIndex::new(source);
    let mut blocks = Vec::new();
    let mut events = Parser::new_ext(source, Options::ENABLE_TABLES).into_offset_iter();

    while let Some((event, range)) = events.next() {
        let block = match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let mut text = String::new();
                let mut end = range.end;
                for (event, r) in events.by_ref() {
                    match event {
                        Event::End(TagEnd::Heading(_)) => {
                            end = r.end;
                            break;
                        }
                        other => push_inline_text(&mut text, &other),
                    }
                }
                Block::Heading(Heading {
                    level: level as u8,
                    text: text.trim().to_owned(),
                    line: lines.line_of(range.start),
                    span: range.start..end,
                })
            }
            Event::Start(Tag::Table(_)) => {
                Block::Table(read_table(source, &lines, &mut events, range.start))
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                let mut text = String::new();
                let mut first = None;
                for (event, r) in events.by_ref() {
                    match event {
                        Event::Text(t) => {
                            first.get_or_insert(r.start);
                            text.push_str(&t);
                        }
                        Event::End(TagEnd::CodeBlock) => break,
                        _ => {}
                    }
                }
                let line = lines.line_of(first.unwrap_or(range.start));
                Block::Code(CodeBlock {
                    line,
                    info: info.trim().to_owned(),
                    text,
                })
            }
            Event::Start(_) => {
                skip_to_end(&mut events);
                Block::Other
            }
            _ => continue,
        };
        blocks.push((block, range));
    }
    Outline { source, blocks }
}

type OffsetIter<'a> = pulldown_cmark::OffsetIter<'a, pulldown_cmark::DefaultBrokenLinkCallback>;

fn skip_to_end(events: &mut OffsetIter<'_>) {
    // Blocks nest (a list inside a quote); count depth so the outer block ends where it ends.
    let mut depth = 1usize;
    for (event, _) in events.by_ref() {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            _ => {}
        }
    }
}

fn push_inline_text(out: &mut String, event: &Event<'_>) {
    match event {
        Event::Text(t) | Event::Code(t) => out.push_str(t),
        Event::SoftBreak | Event::HardBreak => out.push(' '),
        _ => {}
    }
}

fn read_table(source: &str, lines: &LineIndex, events: &mut OffsetIter<'_>, start: usize) -> Table {
    let mut table = Table {
        line: lines.line_of(start),
        header: Vec::new(),
        rows: Vec::new(),
    };
    let mut cell: Option<Cell> = None;
    let mut in_head = false;
    for (event, range) in events.by_ref() {
        match event {
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => {
                let row_source = line_at(source, range.start);
                table.rows.push(Row {
                    line: lines.line_of(range.start),
                    cells: Vec::new(),
                    written_cells: count_cells(row_source),
                    source: row_source.trim().to_owned(),
                });
            }
            Event::Start(Tag::TableCell) => {
                cell = Some(Cell {
                    markdown: unescape_pipes(source[range].trim()),
                    ..Cell::default()
                });
            }
            Event::End(TagEnd::TableCell) => {
                let mut done = cell.take().unwrap_or_default();
                done.text = done.text.trim().to_owned();
                match (in_head, table.rows.last_mut()) {
                    (true, _) | (false, None) => table.header.push(done),
                    (false, Some(row)) => row.cells.push(done),
                }
            }
            Event::End(TagEnd::Table) => break,
            other => {
                if let Some(cell) = cell.as_mut() {
                    match &other {
                        Event::Start(Tag::Link { .. }) => cell.has_link = true,
                        Event::Code(code) => cell.code.push(code.to_string()),
                        _ => {}
                    }
                    push_inline_text(&mut cell.text, &other);
                }
            }
        }
    }
    table
}

/// The whole source line holding `offset`.
fn line_at(source: &str, offset: usize) -> &str {
    let start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = source[offset..]
        .find('\n')
        .map_or(source.len(), |i| offset + i);
    &source[start..end]
}

/// Counts the cells of a table row as written: cells are separated by pipes that are not
/// escaped with a backslash; a leading and a trailing pipe only delimit the row.
pub(crate) fn count_cells(row: &str) -> usize {
    let row = row.trim();
    let mut separators = 0usize;
    let mut escaped = false;
    let mut last_was_pipe = false;
    for c in row.chars() {
        last_was_pipe = false;
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '|' => {
                separators += 1;
                last_was_pipe = true;
            }
            _ => {}
        }
    }
    let leading = usize::from(row.starts_with('|'));
    let trailing = usize::from(last_was_pipe && row.len() > 1);
    separators + 1 - leading - trailing
}

fn unescape_pipes(cell: &str) -> String {
    cell.replace("\\|", "|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_cells_with_and_without_outer_pipes() {
        assert_eq!(count_cells("| a | b | c |"), 3);
        assert_eq!(count_cells("a|b|c"), 3);
        assert_eq!(count_cells("|a|b|c"), 3);
        assert_eq!(count_cells("| a \\| x | b |"), 2);
        assert_eq!(count_cells("| a | b | c | d | e |"), 5);
    }

    #[test]
    fn line_numbers_are_one_based() {
        let idx = LineIndex::new("a\nb\nc");
        assert_eq!(idx.line_of(0), 1);
        assert_eq!(idx.line_of(2), 2);
        assert_eq!(idx.line_of(4), 3);
    }
}
