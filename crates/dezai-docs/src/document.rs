//! One document → one [`Action`]: walks the outline section by section, reads the tables and
//! examples, and checks what a single document can check on its own.

use dezai_spec::{
    Action, ExampleJson, Field, Model, PUBLIC_PARAMETERS, Subject, Warning, WarningKind,
};

use crate::drift;
use crate::error::DocError;
use crate::examples::{self, RequestExample};
use crate::fields;
use crate::headings::{self, Section};
use crate::markdown::{self, Block, CodeBlock, Table};
use crate::table::{self, RawField};

/// A table row with its type resolved.
type Typed = (RawField, dezai_spec::Type);

/// Where the walk is: the section the last heading opened.
#[derive(Debug, Clone, PartialEq)]
enum Place {
    Start,
    Known(Section),
    /// Inside the Data Model section, under the heading of the named model.
    Model(String, u32),
    /// Under a heading the format does not define.
    Unknown(String),
}

/// What the walk collects before the action is assembled.
#[derive(Default)]
struct Collected {
    title: Option<(String, String, u32)>,
    description: String,
    public_action: Option<(String, u32, String)>,
    request: Option<Vec<RawField>>,
    request_heading: Option<u32>,
    response: Option<Vec<RawField>>,
    response_heading: Option<u32>,
    models: Vec<(String, u32, Vec<RawField>)>,
    /// Model name → line of its heading, to find a second definition in constant time.
    model_lines: std::collections::HashMap<String, u32>,
    request_example: Option<RequestExample>,
    response_example: Option<(CodeBlock, ExampleJson)>,
    /// Set once a response example block was seen, readable or not: later blocks are not
    /// taken as the example.
    response_example_seen: bool,
}

/// A parsed document: the action, plus what cross-document checks need to point at lines.
pub(crate) struct Parsed {
    pub action: Action,
    /// The line of the request example's URL.
    pub endpoint_line: u32,
}

/// Parses one document. `file` names it in errors and in the spec's `source`.
pub(crate) fn parse(file: &str, source: &str, errors: &mut Vec<DocError>) -> Option<Parsed> {
    // CommonMark ends a line at LF, CRLF or a lone CR; `str::lines()` and the line index only
    // know LF. One form for all keeps line numbers and quoted lines in agreement with the
    // Markdown parser (a document of CR-separated rows would otherwise be one "line").
    let normalized;
    let source = if source.contains('\r') {
        normalized = source.replace("\r\n", "\n").replace('\r', "\n");
        normalized.as_str()
    } else {
        source
    };
    let outline = markdown::outline(source);
    let mut warnings = Vec::new();
    let mut got = Collected::default();
    let mut place = Place::Start;
    let mut data_model_level: Option<u8> = None;
    let mut overview_from: Option<usize> = None;
    let first_error = errors.len();

    for (block, range) in &outline.blocks {
        if let Block::Heading(h) = block {
            if let Some(from) = overview_from.take() {
                got.description = outline.source[from..range.start].trim().to_owned();
            }
            if h.level == 1 && got.title.is_none() {
                got.title = parse_title(file, &h.text, h.line, errors);
                continue;
            }
            place = match headings::classify(&h.text) {
                Some(Section::DataModel) => {
                    data_model_level = Some(h.level);
                    Place::Known(Section::DataModel)
                }
                Some(section) => {
                    data_model_level = None;
                    match section {
                        Section::Overview => overview_from = Some(h.span.end),
                        Section::RequestParameters => got.request_heading = Some(h.line),
                        Section::ResponseFields => got.response_heading = Some(h.line),
                        _ => {}
                    }
                    Place::Known(section)
                }
                None => match data_model_level {
                    Some(level) if h.level >= level => Place::Model(h.text.clone(), h.line),
                    _ => {
                        data_model_level = None;
                        Place::Unknown(h.text.clone())
                    }
                },
            };
            continue;
        }
        match (block, &place) {
            (Block::Table(t), _) => read_table(file, t, &place, &mut got, &mut warnings, errors),
            (Block::Code(code), Place::Known(section)) => {
                read_code(code, *section, &mut got, &mut warnings)
            }
            _ => {}
        }
    }
    if let Some(from) = overview_from {
        got.description = outline.source[from..].trim().to_owned();
    }
    assemble(file, source, got, warnings, errors, first_error)
}

/// Splits a title `<summary> - <ActionName>` at its last dash; published titles also drop
/// the spaces (`# 获取监控数据-GetMetric`) or use a full-width or typographic dash. Action names
/// have no dashes, so the last dash of any kind separates them. `Err` says what is wrong.
fn split_title(text: &str) -> Result<(&str, &str), String> {
    const DASHES: [char; 4] = ['-', '－', '–', '—'];
    let Some(at) = text.rfind(DASHES) else {
        return Err("title should read `# <summary> - <ActionName>`".into());
    };
    let name = text[at..].trim_start_matches(DASHES).trim();
    if !table::is_valid_model_name(name) {
        return Err(format!("`{name}` in the title is not an action name"));
    }
    Ok((text[..at].trim(), name))
}

/// The action a title names, when it reads `<summary> - <ActionName>`.
pub(crate) fn title_action(text: &str) -> Option<String> {
    split_title(text).ok().map(|(_, name)| name.to_owned())
}

fn parse_title(
    file: &str,
    text: &str,
    line: u32,
    errors: &mut Vec<DocError>,
) -> Option<(String, String, u32)> {
    match split_title(text) {
        Ok((summary, name)) => Some((summary.to_owned(), name.to_owned(), line)),
        Err(message) => {
            errors.push(DocError::new(file, line, message, format!("# {text}")));
            None
        }
    }
}

fn read_table(
    file: &str,
    t: &Table,
    place: &Place,
    got: &mut Collected,
    warnings: &mut Vec<Warning>,
    errors: &mut Vec<DocError>,
) {
    let skip = |warnings: &mut Vec<Warning>, why: String| {
        warnings.push(Warning {
            kind: WarningKind::SkippedTable,
            line: t.line,
            message: why,
            about: None,
        });
    };
    if !table::is_field_table(t) {
        let header: Vec<&str> = t.header.iter().map(|c| c.text.as_str()).collect();
        skip(
            warnings,
            format!(
                "table with columns `{}` is not a field table; skipped",
                header.join(" | ")
            ),
        );
        return;
    }
    match place {
        Place::Known(Section::PublicParameters) => {
            let rows = table::read_fields(file, t, errors);
            if let Some(action) = rows.iter().find(|r| r.name == "Action") {
                // "the current API is `GetUPgSQLBackupURL`": the first code span names the action.
                let cell = t
                    .rows
                    .iter()
                    .find(|r| r.line == action.line)
                    .and_then(|r| r.cells.get(2));
                if let Some(code) = cell.and_then(|c| c.code.first()) {
                    got.public_action =
                        Some((code.trim().to_owned(), action.line, action.source.clone()));
                }
            }
        }
        Place::Known(Section::RequestParameters) => merge_rows(
            got.request.get_or_insert_with(Vec::new),
            table::read_fields(file, t, errors),
            warnings,
        ),
        Place::Known(Section::ResponseFields) => merge_rows(
            got.response.get_or_insert_with(Vec::new),
            table::read_fields(file, t, errors),
            warnings,
        ),
        Place::Model(name, line) => {
            if !table::is_valid_model_name(name) {
                errors.push(DocError::new(
                    file,
                    *line,
                    format!("data model name `{name}` is not a valid type name"),
                    name,
                ));
                return;
            }
            if let Some(first) = got.model_lines.get(name) {
                errors.push(DocError::new(
                    file,
                    *line,
                    format!("data model `{name}` is defined twice (first on line {first})"),
                    name,
                ));
                return;
            }
            let mut rows = Vec::new();
            merge_rows(&mut rows, table::read_fields(file, t, errors), warnings);
            got.model_lines.insert(name.clone(), *line);
            got.models.push((name.clone(), *line, rows));
        }
        Place::Unknown(heading) => {
            skip(
                warnings,
                format!(
                    "field table under `{heading}`, a heading the format does not define; skipped"
                ),
            );
        }
        Place::Start | Place::Known(_) => skip(
            warnings,
            "field table outside any field section; skipped".into(),
        ),
    }
}

/// Adds a table's rows to a section's, merging rows that repeat an earlier one verbatim (the
/// same name, type, description and required mark): published documents list some rows two or
/// three times. A repeat that differs stays, and is reported as a field listed twice.
fn merge_rows(into: &mut Vec<RawField>, rows: Vec<RawField>, warnings: &mut Vec<Warning>) {
    // Indexed by name so that a table of thousands of rows stays linear.
    let mut by_name: std::collections::HashMap<String, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, r) in into.iter().enumerate() {
        by_name.entry(r.name.clone()).or_default().push(i);
    }
    for row in rows {
        let earlier = by_name.entry(row.name.clone()).or_default();
        let same = earlier.iter().map(|&i| &into[i]).find(|r| {
            r.ty_text == row.ty_text
                && r.description == row.description
                && r.required == row.required
        });
        match same {
            Some(first) => warnings.push(Warning {
                kind: WarningKind::RepeatedRow,
                line: row.line,
                message: format!(
                    "the row of `{}` repeats line {} verbatim; merged into it",
                    row.name, first.line
                ),
                about: None,
            }),
            None => {
                earlier.push(into.len());
                into.push(row);
            }
        }
    }
}

fn read_code(code: &CodeBlock, section: Section, got: &mut Collected, warnings: &mut Vec<Warning>) {
    let text = code.text.trim_start();
    let is_response = code.info.eq_ignore_ascii_case("json")
        || text.starts_with('{')
        || text.starts_with("HTTP/");
    let as_request =
        section == Section::RequestExample || (section == Section::Example && !is_response);
    let as_response =
        section == Section::ResponseExample || (section == Section::Example && is_response);
    let mut invalid = |(line, message): (u32, String), which: &str| {
        warnings.push(Warning {
            kind: WarningKind::InvalidExample,
            line,
            message: format!("{which}: {message}"),
            about: None,
        })
    };
    if as_request && got.request_example.is_none() {
        let (example, problem) = examples::read_request_example(code);
        if let Some(problem) = problem {
            invalid(problem, "request example");
        }
        got.request_example = Some(example);
    } else if as_response && !got.response_example_seen {
        got.response_example_seen = true;
        let read = examples::read_json_example(code);
        if let Some(problem) = read.problem {
            invalid(problem, "response example");
        }
        got.response_example = read.value.map(|value| (code.clone(), value));
    }
}

fn assemble(
    file: &str,
    source: &str,
    got: Collected,
    mut warnings: Vec<Warning>,
    errors: &mut Vec<DocError>,
    first_error: usize,
) -> Option<Parsed> {
    let Some((summary, name, _)) = got.title else {
        if errors.len() == first_error {
            let (line, text) = first_text_line(source);
            errors.push(DocError::new(
                file,
                line,
                "missing title `# <summary> - <ActionName>`",
                text,
            ));
        }
        return None;
    };
    let title_text = format!("# {summary} - {name}");
    if let Some((public, line, source)) = &got.public_action {
        if *public != name {
            errors.push(DocError::new(
                file,
                *line,
                format!("the title names action `{name}` but the Public Parameters table says `{public}`"),
                source,
            ));
        }
    }
    let request_rows = required_table(
        file,
        got.request,
        got.request_heading,
        Section::RequestParameters,
        &title_text,
        errors,
    );
    let response_rows = required_table(
        file,
        got.response,
        got.response_heading,
        Section::ResponseFields,
        &title_text,
        errors,
    );

    // Types can name any model of the document, wherever it is defined.
    let owned_names: Vec<String> = got.models.iter().map(|(n, _, _)| n.clone()).collect();
    let model_names: std::collections::HashSet<&str> =
        owned_names.iter().map(String::as_str).collect();
    let mut resolve = |rows: Vec<RawField>| -> Vec<Typed> {
        rows.into_iter()
            .filter_map(
                |raw| match fields::resolve_type(file, &raw, &raw.ty, &model_names) {
                    Ok(ty) => Some((raw, ty)),
                    Err(e) => {
                        errors.push(e);
                        None
                    }
                },
            )
            .collect()
    };
    let request_rows: Vec<RawField> = request_rows
        .into_iter()
        .filter(|r| !PUBLIC_PARAMETERS.contains(&r.name.as_str()))
        .collect();
    let request_typed = resolve(request_rows);
    let response_typed = resolve(response_rows);
    let models_typed: Vec<(String, u32, Vec<Typed>)> = got
        .models
        .into_iter()
        .map(|(n, l, rows)| (n, l, resolve(rows)))
        .collect();

    let mut request = fields::request_fields(file, request_typed, errors);
    let mut response = fields::plain_fields(file, response_typed, errors);
    let mut models: Vec<Model> = models_typed
        .into_iter()
        .map(|(name, line, rows)| Model {
            name,
            line,
            fields: fields::plain_fields(file, rows, errors),
            type_name: None,
        })
        .collect();

    let namer = dezai_spec::names::Namer::for_document(file);
    fields::name_collisions(&namer, &request, "", &Subject::request, &mut warnings);
    fields::name_collisions(&namer, &response, "", &Subject::response, &mut warnings);
    for model in &models {
        let at = |path: String| Subject::model(&model.name, &path);
        fields::name_collisions(&namer, &model.fields, "", &at, &mut warnings);
    }
    name_models(&namer, &name, &mut models, &mut warnings);

    let endpoint = got
        .request_example
        .as_ref()
        .and_then(|e| e.endpoint.clone());
    let endpoint_line = got.request_example.as_ref().map_or(1, |e| e.line);
    if let Some(example) = &got.request_example {
        drift::check_request_example(&name, example, &mut request, &mut warnings);
    }
    let response_example = match got.response_example {
        Some((block, value)) => {
            drift::check_response_example(
                &block,
                &value.to_value(),
                &mut response,
                &mut models,
                &mut warnings,
            );
            Some(value)
        }
        None => None,
    };
    deprecation_warnings(&request, &response, &models, &mut warnings);
    warnings.sort_by(|a, b| (a.line, a.kind, &a.message).cmp(&(b.line, b.kind, &b.message)));

    if errors.len() > first_error {
        return None;
    }
    let action = Action {
        name,
        summary,
        description: got.description,
        source: file.to_owned(),
        endpoint,
        request,
        response,
        models,
        request_example: got
            .request_example
            .map(|e| e.params.into_iter().map(|(p, _)| p).collect())
            .unwrap_or_default(),
        response_example,
        warnings,
    };
    Some(Parsed {
        action,
        endpoint_line,
    })
}

/// The first line with text, where a title was expected.
fn first_text_line(source: &str) -> (u32, &str) {
    source
        .lines()
        .enumerate()
        .find(|(_, l)| !l.trim().is_empty())
        .map_or((1, ""), |(i, l)| {
            (u32::try_from(i + 1).unwrap_or(u32::MAX), l.trim())
        })
}

fn required_table(
    file: &str,
    rows: Option<Vec<RawField>>,
    heading: Option<u32>,
    section: Section,
    title: &str,
    errors: &mut Vec<DocError>,
) -> Vec<RawField> {
    match (rows, heading) {
        (Some(rows), _) => rows,
        (None, Some(line)) => {
            errors.push(DocError::new(
                file,
                line,
                format!("the {} section has no field table", section.english()),
                format!("### {}", section.english()),
            ));
            Vec::new()
        }
        (None, None) => {
            errors.push(DocError::new(
                file,
                1,
                format!("missing required section `### {}`", section.english()),
                title,
            ));
            Vec::new()
        }
    }
}

/// Gives a model whose Rust name would collide (with a type the generator derives for the
/// action, or with an earlier model) a deterministic other name: `Model`, then `Model2`, … appended.
fn name_models(
    namer: &dezai_spec::names::Namer,
    action: &str,
    models: &mut [Model],
    warnings: &mut Vec<Warning>,
) {
    let mut taken: std::collections::HashSet<String> =
        namer.action_type_names(action).into_iter().collect();
    let mut next: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for model in models.iter_mut() {
        let derived = namer.type_name(&model.name);
        if taken.insert(derived.clone()) {
            continue;
        }
        let n = next.entry(derived.clone()).or_insert(1);
        let renamed = loop {
            let candidate = if *n == 1 {
                format!("{derived}Model")
            } else {
                format!("{derived}Model{n}")
            };
            *n += 1;
            if taken.insert(candidate.clone()) {
                break candidate;
            }
        };
        warnings.push(Warning {
            kind: WarningKind::RenamedModel,
            line: model.line,
            message: format!(
                "data model `{}` would be the Rust type `{derived}`, which the action or an earlier \
                 model already uses; its Rust name is `{renamed}`",
                model.name
            ),
            about: None,
        });
        model.type_name = Some(renamed);
    }
}

fn deprecation_warnings(
    request: &[Field],
    response: &[Field],
    models: &[Model],
    warnings: &mut Vec<Warning>,
) {
    fn walk(
        fields: &[Field],
        prefix: &str,
        at: &dyn Fn(String) -> Subject,
        warnings: &mut Vec<Warning>,
    ) {
        for field in fields {
            let path = format!("{prefix}{}", field.name);
            if let Some(note) = &field.deprecated {
                warnings.push(Warning {
                    kind: WarningKind::Deprecated,
                    line: field.line,
                    message: format!(
                        "`{}` is described as going away (\"{note}\"); marked deprecated",
                        field.name
                    ),
                    about: Some(at(path.clone())),
                });
            }
            if let Some(inner) = field.ty.struct_fields() {
                walk(inner, &format!("{path}."), at, warnings);
            }
        }
    }
    walk(request, "", &Subject::request, warnings);
    walk(response, "", &Subject::response, warnings);
    for model in models {
        walk(
            &model.fields,
            "",
            &|path| Subject::model(&model.name, &path),
            warnings,
        );
    }
}
