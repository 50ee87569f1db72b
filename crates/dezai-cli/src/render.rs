//! How an answer is printed: `--query EXPR` (JMESPath) applied first, then `--output json|yaml|
//! table|text` (default: the profile's `output` key, else JSON, pretty on a terminal and compact
//! when piped; YAML by `serde_yaml_ng`, the maintained fork of `serde_yaml` that builds on this
//! project's minimum Rust). `table` lays out a list of objects (the query's result, or the answer's main list:
//! its first field holding objects) in aligned columns, one per key in the keys' order, fitted
//! to the terminal's width; `text` prints tab-separated values, in the same order, for `cut`
//! and `awk`. A bad expression is a usage error, caught
//! before any request is sent.

use std::io::{IsTerminal, Write};

use serde_json::{Map, Value};

/// The output formats.
pub(crate) const FORMATS: [&str; 4] = ["json", "yaml", "table", "text"];

/// What to print, and how.
#[derive(Clone)]
pub(crate) struct Render {
    format: Format,
    query: Option<jmespath::Expression<'static>>,
    /// Whether a flag or the profile chose the format or a query (a command with its own
    /// default layout keeps it otherwise).
    chosen: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Yaml,
    Table,
    Text,
}

impl Render {
    /// From the global flags, then the profile's `output` key. The error is the usage error to
    /// print (a bad expression, an unknown format).
    pub(crate) fn new(
        output: Option<&str>,
        profile_output: Option<&str>,
        query: Option<&str>,
    ) -> Result<Self, String> {
        let chosen = output.or(profile_output).is_some() || query.is_some();
        let format = match output.or(profile_output) {
            None | Some("json") => Format::Json,
            Some("yaml") => Format::Yaml,
            Some("table") => Format::Table,
            Some("text") => Format::Text,
            Some(other) => {
                return Err(format!(
                    "unknown output format `{other}` (one of {})",
                    FORMATS.join(", ")
                ));
            }
        };
        let query = match query {
            None => None,
            Some(text) => Some(
                jmespath::compile(&legacy_literals(text))
                    .map_err(|e| format!("--query is not a JMESPath expression: {e}"))?,
            ),
        };
        Ok(Self {
            format,
            query,
            chosen,
        })
    }

    /// Whether `--output`, `--query` or the profile's `output` said anything.
    pub(crate) fn is_chosen(&self) -> bool {
        self.chosen
    }

    /// Prints a command's summary: `answer` as `--output` and `--query` (or `json`, a
    /// command's own `--json`) say; with nothing chosen, the command's own layout (`header`
    /// and `rows`) as a table on a terminal, and as tab-separated rows without the header when
    /// piped.
    pub(crate) fn print_summary<const N: usize>(
        &self,
        answer: &Value,
        json: bool,
        header: [&str; N],
        rows: impl FnOnce() -> Vec<[String; N]>,
    ) -> Result<(), String> {
        if json {
            let json = Self {
                format: Format::Json,
                ..self.clone()
            };
            return json.print(answer);
        }
        if self.chosen {
            return self.print(answer);
        }
        let rows: Vec<Vec<String>> = rows()
            .into_iter()
            .map(|row| row.iter().map(|c| tsv_cell(c)).collect())
            .collect();
        if rows.is_empty() {
            return Ok(());
        }
        let stdout = std::io::stdout();
        let text = if stdout.is_terminal() {
            let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
            let width = console::Term::stdout().size().1 as usize;
            lay_out(&header, &rows, Some(width))
        } else {
            let lines: Vec<String> = rows.iter().map(|r| r.join("\t")).collect();
            lines.join("\n")
        };
        // A closed pipe is not an error worth a message.
        let _ = writeln!(stdout.lock(), "{}", text.trim_end_matches('\n'));
        Ok(())
    }

    /// Prints `answer` (after the query).
    pub(crate) fn print(&self, answer: &Value) -> Result<(), String> {
        let value = match &self.query {
            None => answer.clone(),
            Some(query) => {
                let data = jmespath::Variable::try_from(answer)
                    .map_err(|e| format!("the answer cannot be queried: {e}"))?;
                let found = query
                    .search(data)
                    .map_err(|e| format!("--query failed: {e}"))?;
                serde_json::to_value(&*found).map_err(|e| e.to_string())?
            }
        };
        let stdout = std::io::stdout();
        let terminal = stdout.is_terminal();
        let text = match self.format {
            Format::Json if terminal => serde_json::to_string_pretty(&value).unwrap_or_default(),
            Format::Json => value.to_string(),
            Format::Yaml => serde_yaml_ng::to_string(&value).map_err(|e| e.to_string())?,
            Format::Text => text(&value),
            Format::Table => {
                let width = terminal.then(|| console::Term::stdout().size().1 as usize);
                table(&value, width)
            }
        };
        let mut out = stdout.lock();
        // A closed pipe (`dezai … | head`) is not an error worth a message.
        let _ = writeln!(out, "{}", text.trim_end_matches('\n'));
        Ok(())
    }
}

/// Backquoted literals that are not JSON (`` `Running` ``) read as strings, as other JMESPath
/// clients have long read them, so that the expressions people copy from aws-cli work.
fn legacy_literals(expression: &str) -> String {
    let mut out = String::with_capacity(expression.len());
    let mut rest = expression;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        // The literal ends at the next backquote not escaped by a backslash.
        let mut end = None;
        let mut escaped = false;
        for (i, c) in after.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '`' if !escaped => {
                    end = Some(i);
                    break;
                }
                _ => escaped = false,
            }
        }
        let Some(end) = end else {
            out.push_str(&rest[start..]);
            return out;
        };
        let literal = &after[..end];
        let unescaped = literal.replace("\\`", "`");
        if serde_json::from_str::<Value>(&unescaped).is_ok() {
            out.push('`');
            out.push_str(literal);
            out.push('`');
        } else {
            let quoted = Value::String(unescaped.trim().to_owned()).to_string();
            out.push('`');
            out.push_str(&quoted.replace('`', "\\`"));
            out.push('`');
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A value as a table's cell: text as it is, anything else as compact JSON; [`tsv_cell`], so
/// that a row stays one line.
fn cell(value: &Value) -> String {
    match value {
        Value::String(s) => tsv_cell(s),
        Value::Null => String::new(),
        other => tsv_cell(&other.to_string()),
    }
}

/// The rows to lay out: a list of objects (or of scalars, one column), an object's main list,
/// or one object as key–value rows.
fn rows_of(value: &Value) -> (Vec<String>, Vec<Vec<String>>) {
    let list = match value {
        Value::Array(items) => Some(items),
        Value::Object(map) => map
            .values()
            .find_map(|v| v.as_array().filter(|a| a.iter().any(Value::is_object))),
        _ => None,
    };
    match (list, value) {
        (Some(items), _) if items.iter().all(Value::is_object) && !items.is_empty() => {
            let mut columns: Vec<String> = Vec::new();
            for item in items {
                for key in item.as_object().into_iter().flat_map(Map::keys) {
                    if !columns.contains(key) {
                        columns.push(key.clone());
                    }
                }
            }
            let rows = items
                .iter()
                .map(|item| columns.iter().map(|c| cell(&item[c.as_str()])).collect())
                .collect();
            (columns, rows)
        }
        (Some(items), _) => (
            vec!["VALUE".into()],
            items.iter().map(|v| vec![cell(v)]).collect(),
        ),
        (None, Value::Object(map)) => (
            vec!["KEY".into(), "VALUE".into()],
            map.iter().map(|(k, v)| vec![k.clone(), cell(v)]).collect(),
        ),
        (None, other) => (vec!["VALUE".into()], vec![vec![cell(other)]]),
    }
}

/// A value's rows in aligned columns, cut to `width` when given.
fn table(value: &Value, width: Option<usize>) -> String {
    let (header, rows) = rows_of(value);
    lay_out(&header, &rows, width)
}

/// Aligned columns under a header, cut to `width` when given (the widest columns first,
/// marked `…`): every table the command line prints.
fn lay_out(header: &[String], rows: &[Vec<String>], width: Option<usize>) -> String {
    let count = display_width;
    let mut widths: Vec<usize> = header.iter().map(|h| count(h)).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(count(c));
        }
    }
    if let Some(limit) = width {
        let gaps = 2 * widths.len().saturating_sub(1);
        while widths.iter().sum::<usize>() + gaps > limit {
            let Some(widest) = widths.iter_mut().max_by_key(|w| **w) else {
                break;
            };
            if *widest <= 4 {
                break;
            }
            *widest -= 1;
        }
    }
    let mut out = String::new();
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(c, w)| fit(c, *w)).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// A cell's width on a terminal: a CJK character or an emoji takes two columns.
fn display_width(text: &str) -> usize {
    console::measure_text_width(text)
}

/// `text` padded to `width` columns, or cut to them, its last column `…`.
fn fit(text: &str, width: usize) -> String {
    let used = display_width(text);
    if used <= width {
        format!("{text}{}", " ".repeat(width - used))
    } else {
        let cut = console::truncate_str(text, width, "…");
        let pad = width.saturating_sub(display_width(&cut));
        format!("{cut}{}", " ".repeat(pad))
    }
}

/// Tab-separated values, for `cut`, `awk` and `while read`: a line per item of a list (an
/// object's values in the columns' order, a list's items, or the item itself), the values of
/// an object on one line, a scalar as it is.
fn text(value: &Value) -> String {
    let line = |cells: Vec<String>| cells.join("\t");
    match value {
        Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => {
            let (_, rows) = rows_of(value);
            let lines: Vec<String> = rows.into_iter().map(line).collect();
            lines.join("\n")
        }
        Value::Array(items) => {
            let row = |item: &Value| match item {
                Value::Array(cells) => line(cells.iter().map(cell).collect()),
                Value::Object(map) => line(map.values().map(cell).collect()),
                scalar => cell(scalar),
            };
            let lines: Vec<String> = items.iter().map(row).collect();
            lines.join("\n")
        }
        Value::Object(map) => line(map.values().map(cell).collect()),
        other => line(vec![cell(other)]),
    }
}

/// A cell with its backslashes, tabs, newlines and carriage returns written `\\`, `\t`,
/// `\n`, `\r` (as PostgreSQL's text format does): a cell never breaks a line or a column.
pub(crate) fn tsv_cell(text: &str) -> String {
    if !text.contains(['\\', '\t', '\n', '\r']) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer() -> Value {
        json!({"DataSet": [
            {"DBId": "udb-1", "State": "Running", "Port": 3306},
            {"DBId": "udb-2", "State": "Stopped", "Port": 3307}
        ], "TotalCount": 2})
    }

    fn run(query: &str) -> Value {
        let render = Render::new(None, None, Some(query)).unwrap();
        let data = jmespath::Variable::try_from(&answer()).unwrap();
        serde_json::to_value(&*render.query.unwrap().search(data).unwrap()).unwrap()
    }

    #[test]
    fn text_keeps_one_line_per_item_whatever_a_value_holds() {
        assert_eq!(tsv_cell("plain"), "plain");
        assert_eq!(tsv_cell("a\tb\nc\\d"), "a\\tb\\nc\\\\d");
        assert_eq!(text(&json!(["udb-1", "udb-2"])), "udb-1\nudb-2");
        let rows = json!([{"id": "a\tb", "n": 1}, {"id": "c\nd", "n": 2}]);
        assert_eq!(text(&rows), "a\\tb\t1\nc\\nd\t2");
    }

    #[test]
    fn queries_take_the_legacy_literals_people_copy() {
        assert_eq!(run("DataSet[?State==`Running`].DBId"), json!(["udb-1"]));
        assert_eq!(run("DataSet[?State=='Stopped'].DBId"), json!(["udb-2"]));
        assert_eq!(run("DataSet[?Port==`3307`].DBId"), json!(["udb-2"]));
        assert_eq!(run("DataSet[].DBId"), json!(["udb-1", "udb-2"]));
        assert!(Render::new(None, None, Some("DataSet[?")).is_err());
        assert!(Render::new(Some("xml"), None, None).is_err());
    }

    #[test]
    fn tables_lay_out_the_main_list_and_fit_the_width() {
        let wide = table(&answer(), None);
        let lines: Vec<&str> = wide.lines().collect();
        // Columns in the keys' order (JSON objects are read with their keys sorted).
        assert_eq!(
            lines[0].split_whitespace().collect::<Vec<_>>(),
            ["DBId", "Port", "State"]
        );
        assert_eq!(
            lines[1].split_whitespace().collect::<Vec<_>>(),
            ["udb-1", "3306", "Running"]
        );
        let narrow = table(&answer(), Some(16));
        assert!(narrow.lines().all(|l| l.chars().count() <= 16), "{narrow}");
        assert!(narrow.contains('…'));
        let one = table(&json!({"State": "Running"}), None);
        assert!(one.lines().nth(1).unwrap().starts_with("State"), "{one}");
    }

    #[test]
    fn wide_characters_keep_the_columns_aligned() {
        let names = json!([
            {"Name": "订单库", "State": "Running"},
            {"Name": "orders 📦", "State": "Stopped"},
            {"Name": "x", "State": "Running"}
        ]);
        let laid = table(&names, None);
        // Each row's second column starts at the same terminal column.
        let starts: Vec<usize> = laid
            .lines()
            .map(|l| display_width(&l[..l.rfind(' ').unwrap() + 1]))
            .collect();
        assert!(starts.windows(2).all(|w| w[0] == w[1]), "{laid}");
        assert_eq!(fit("订单库", 5), "订单…");
        assert_eq!(display_width(&fit("订单库", 5)), 5);
        assert_eq!(fit("ab", 4), "ab  ");
    }

    #[test]
    fn text_is_tab_separated() {
        assert_eq!(
            text(&answer()["DataSet"]),
            "udb-1\t3306\tRunning\nudb-2\t3307\tStopped"
        );
        assert_eq!(text(&json!(["a", "b"])), "a\nb");
        assert_eq!(text(&json!([["a", 1], ["b", 2]])), "a\t1\nb\t2");
        assert_eq!(text(&json!("x")), "x");
    }
}
