//! Errors: a document the generator cannot read correctly. Each names the file, the line and
//! the text it could not read, so the author can go straight to it.

use std::fmt;

/// One problem that stops a document from becoming a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocError {
    /// The document, as given to the parser (relative to the docs folder for codegen runs).
    pub file: String,
    /// The 1-based line the problem is on.
    pub line: u32,
    /// What is wrong, in a sentence.
    pub message: String,
    /// The source text that could not be read (usually the whole line).
    pub text: String,
}

impl DocError {
    pub(crate) fn new(
        file: &str,
        line: u32,
        message: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        Self {
            file: file.to_owned(),
            line,
            message: message.into(),
            text: excerpt(text.into()),
        }
    }
}

/// How much of a source line an error quotes: enough to find it, never a whole file.
pub(crate) const EXCERPT_CHARS: usize = 120;

/// How much of a cell or name a message quotes inside its sentence.
const SHORT_CHARS: usize = 60;

/// `text` cut to `max` characters, marked with ` …` when cut.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{} …", &text[..at]),
        None => text.to_owned(),
    }
}

fn excerpt(text: String) -> String {
    if text.chars().nth(EXCERPT_CHARS).is_some() {
        cut(&text, EXCERPT_CHARS)
    } else {
        text
    }
}

/// A piece of the source quoted inside a message (a type cell, a name), cut short.
pub(crate) fn short(text: &str) -> String {
    cut(text, SHORT_CHARS)
}

impl fmt::Display for DocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)?;
        if !self.text.is_empty() {
            // Long lines (a table row with a paragraph of description) were cut to
            // EXCERPT_CHARS when the error was made; the line number points at the rest.
            write!(f, "\n    {:>4} | {}", self.line, self.text)?;
        }
        Ok(())
    }
}

impl std::error::Error for DocError {}

/// All the problems of one run: every document is read to the end so that one run reports
/// everything there is to fix.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocErrors(pub Vec<DocError>);

impl fmt::Display for DocErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DocErrors {}
