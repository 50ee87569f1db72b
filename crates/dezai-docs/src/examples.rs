//! Reading the two examples of a document in the shapes documents write them: a URL with a
//! query, a JSON body, JSON with trailing commas, an HTTP transcript. Nothing here fails a
//! document; what could not be read is reported for an `invalid_example` warning. Where the
//! examples disagree with the tables is [`crate::drift`]'s business.

use dezai_spec::{ExampleJson, ExampleParam};

use crate::markdown::CodeBlock;

/// A parsed request example.
pub(crate) struct RequestExample {
    /// `scheme://host` of the example URL.
    pub endpoint: Option<String>,
    pub line: u32,
    pub params: Vec<(ExampleParam, u32)>,
}

/// Reads a request example: a URL with a query string, usually one `&name=value` per line.
/// Values are kept exactly as written.
pub(crate) fn parse_request_example(block: &CodeBlock) -> RequestExample {
    let mut example = RequestExample {
        endpoint: None,
        line: block.line,
        params: Vec::new(),
    };
    for (i, line) in block.text.lines().enumerate() {
        let line_no = block.line + u32::try_from(i).unwrap_or(u32::MAX - block.line);
        let mut query = line.trim();
        // A URL is what comes before the first `?`; a `://` after it is inside a value
        // (`&NotifyUrl=https://hook.example`).
        let (url, rest) = query.split_once('?').unwrap_or((query, ""));
        if let Some(scheme_end) = url.find("://") {
            let after = scheme_end + "://".len();
            let host_end = url[after..].find('/').map_or(url.len(), |i| after + i);
            if example.endpoint.is_none() {
                example.endpoint = Some(url[..host_end].to_owned());
                example.line = line_no;
            }
            query = rest;
        }
        for pair in query.split('&') {
            let pair = pair.trim().trim_start_matches('?');
            if pair.is_empty() {
                continue;
            }
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            example.params.push((
                ExampleParam {
                    name: name.trim().to_owned(),
                    value: value.trim().to_owned(),
                },
                line_no,
            ));
        }
    }
    example
}

/// Reads a request example in any of the shapes documents use: a URL with a query string, a
/// JSON body (the JSON-body variants of some actions), or an HTTP transcript around either.
/// Returns the example and, when the block was not plainly readable, what was wrong with it.
pub(crate) fn read_request_example(block: &CodeBlock) -> (RequestExample, Option<(u32, String)>) {
    let (body_block, transcript) = match transcript_body(&block.text) {
        Some((skipped, body)) => (
            CodeBlock {
                line: block.line + u32::try_from(skipped).unwrap_or(0),
                info: block.info.clone(),
                text: body.to_owned(),
            },
            true,
        ),
        None => (block.clone(), false),
    };
    let note = |problem: Option<(u32, String)>| {
        problem.or_else(|| {
            transcript.then(|| {
                (
                    block.line,
                    "the request example is an HTTP transcript; its body is used".to_owned(),
                )
            })
        })
    };
    if !body_block.text.trim_start().starts_with('{') {
        return (parse_request_example(&body_block), note(None));
    }
    let read = read_json_example(&body_block);
    let mut example = RequestExample {
        endpoint: None,
        line: body_block.line,
        params: Vec::new(),
    };
    if let Some(ExampleJson::Object(pairs)) = &read.value {
        for (key, value) in pairs {
            flatten_json(key, value, body_block.line, &mut example.params);
        }
    }
    (example, note(read.problem))
}

/// A JSON request body as the flat parameters the wire would carry (`Disks.0.Size`), numbers
/// as written.
fn flatten_json(name: &str, value: &ExampleJson, line: u32, out: &mut Vec<(ExampleParam, u32)>) {
    let mut push = |value: String| {
        out.push((
            ExampleParam {
                name: name.to_owned(),
                value,
            },
            line,
        ))
    };
    match value {
        ExampleJson::Null => {}
        ExampleJson::String(s) => push(s.clone()),
        ExampleJson::Bool(b) => push(b.to_string()),
        ExampleJson::Number(text) => push(text.clone()),
        ExampleJson::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten_json(&format!("{name}.{i}"), item, line, out);
            }
        }
        ExampleJson::Object(pairs) => {
            for (key, item) in pairs {
                flatten_json(&format!("{name}.{key}"), item, line, out);
            }
        }
    }
}

/// What reading an example's JSON gave: the value, if any could be read, and what was wrong
/// with the text as written (for an [`WarningKind::InvalidExample`] warning).
pub(crate) struct ReadJson {
    pub value: Option<ExampleJson>,
    pub problem: Option<(u32, String)>,
}

/// Whether a block is an HTTP transcript (`HTTP/1.1 200 OK` or `POST / HTTP/1.1` followed by
/// headers), whose body follows the first blank line.
fn transcript_body(text: &str) -> Option<(usize, &str)> {
    let first = text.lines().find(|l| !l.trim().is_empty())?.trim();
    let is_status = first.starts_with("HTTP/");
    let is_request = first
        .rsplit_once(' ')
        .is_some_and(|(_, version)| version.starts_with("HTTP/"));
    if !is_status && !is_request {
        return None;
    }
    // The body starts after the first blank line that follows the start line.
    let start = text.find(first).unwrap_or(0);
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        offset += line.len();
        if line.trim().is_empty() {
            let skipped = text[..offset].matches('\n').count();
            return Some((skipped, &text[offset..]));
        }
    }
    Some((text.matches('\n').count(), ""))
}

/// Reads an example block as a JSON object. Examples illustrate and the tables are the
/// contract, so nothing here is an error: a transcript's body is read, JSON with trailing
/// commas is read without them, and anything else leaves no value, each with the problem
/// stated.
pub(crate) fn read_json_example(block: &CodeBlock) -> ReadJson {
    let (skipped, body) = match transcript_body(&block.text) {
        Some((skipped, body)) => (skipped, body),
        None => (0, block.text.as_str()),
    };
    let base = block.line + u32::try_from(skipped).unwrap_or(0);
    let line_of = |json_line: usize| base + u32::try_from(json_line.saturating_sub(1)).unwrap_or(0);
    let transcript = (skipped > 0)
        .then(|| "the example is an HTTP transcript; its JSON body is used".to_owned());
    let parsed = ExampleJson::parse(body);
    let (value, problem) = match parsed {
        Ok(value) => (Some(value), transcript.map(|t| (block.line, t))),
        Err(e) => {
            let fixed = without_trailing_commas(body);
            match ExampleJson::parse(&fixed) {
                Ok(value) if fixed != body => (
                    Some(value),
                    Some((
                        line_of(e.line()),
                        format!(
                            "the example is not valid JSON ({e}); read with its trailing commas removed"
                        ),
                    )),
                ),
                _ => (
                    None,
                    Some((
                        line_of(e.line()),
                        format!("the example is not valid JSON ({e}); ignored"),
                    )),
                ),
            }
        }
    };
    match value {
        Some(object @ ExampleJson::Object(_)) => ReadJson {
            value: Some(object),
            problem,
        },
        Some(_) => ReadJson {
            value: None,
            problem: Some((base, "the example is not a JSON object; ignored".into())),
        },
        None => ReadJson {
            value: None,
            problem,
        },
    }
}

/// The text with every comma that directly precedes `}` or `]` (whitespace aside) removed,
/// outside strings.
fn without_trailing_commas(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut pending: Option<usize> = None;
    for c in text.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            ',' => {
                pending = Some(out.len());
                out.push(c);
                continue;
            }
            '}' | ']' => {
                if let Some(at) = pending {
                    out.remove(at);
                }
            }
            '"' => in_string = true,
            _ => {}
        }
        if !c.is_whitespace() {
            pending = None;
        }
        out.push(c);
    }
    out
}
