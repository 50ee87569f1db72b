//! Inputs that once crashed or hung the parser , each kept as a regression test: the
//! parser answers every one of them with a spec or errors naming file and line, never a panic.

mod common;

use common::{doc, parse};

#[test]
fn a_url_inside_a_query_value_is_not_the_endpoint() {
    let text = doc(
        "| **NotifyUrl** | string | Callback |No|",
        "",
        "## Example\n\n### Request Example\n\n```\n/?Action=DoThing&NotifyUrl=https://hook.example/x\n?://\n```\n",
    );
    let action = parse(&text);
    assert_eq!(action.endpoint, None);
    let notify = action
        .request_example
        .iter()
        .find(|p| p.name == "NotifyUrl")
        .unwrap();
    assert_eq!(notify.value, "https://hook.example/x");
}

#[test]
fn deeply_nested_arrays_are_an_error_not_a_stack_overflow() {
    let deep = format!("{}string{}", "array[".repeat(32_000), "]".repeat(32_000));
    let text = doc(&format!("| **Deep** | {deep} | d |No|"), "", "");
    let errors = common::parse_err(&text);
    assert!(errors.contains("unknown type"), "{}", &errors[..200]);
    assert!(
        errors.len() < 1_000,
        "the error quotes a bounded excerpt, not the whole cell: {} bytes",
        errors.len()
    );
    // Eight levels are fine.
    let eight = format!("{}int{}", "array[".repeat(8), "]".repeat(8));
    parse(&doc(&format!("| **Deep** | {eight} | d |No|"), "", ""));
}

#[test]
fn rows_separated_by_a_lone_cr_are_rows_with_their_own_line_numbers() {
    let rows = "| **A** | string | a |No|\r| **B** | strin | b |No|\r| **C** | int | c |No|";
    let text = doc(rows, "", "");
    let errors = common::parse_err(&text);
    // Counted the way CommonMark counts: a lone CR ends a line.
    let line = common::line_of(&text.replace('\r', "\n"), "**B**");
    assert!(
        errors.contains(&format!(
            "test/doc.md:{line}: unknown type `strin` for field `B`"
        )),
        "{errors}"
    );
    assert!(
        errors.contains(&format!("{line:>4} | | **B** | strin | b |No|"))
            && !errors.contains("**C**"),
        "the error quotes only its own row: {errors}"
    );
}

#[test]
fn crlf_documents_read_like_lf_documents() {
    let text = doc("| **A** | string | a |No|", "| **B** | int | b |No|", "");
    let lf = parse(&text);
    let crlf = parse(&text.replace('\n', "\r\n"));
    assert_eq!(lf.request, crlf.request);
    assert_eq!(lf.response, crlf.response);
}

#[test]
fn error_excerpts_are_capped() {
    let long = "x".repeat(10_000);
    let errors = common::parse_err(&doc(&format!("| **A** | strin | {long} |No|"), "", ""));
    assert!(errors.len() < 600, "{} bytes", errors.len());
    assert!(errors.contains(" …"));
}

#[test]
fn many_case_colliding_names_are_numbered() {
    let rows: String = (0..500)
        .map(|i| format!("| **F{i}Id** | int | f |No|\n| **F{i}_Id** | int | f |No|\n"))
        .collect();
    let action = parse(&doc(rows.trim_end(), "", ""));
    assert_eq!(action.request.len(), 1 + 1_000);
    assert_eq!(action.warnings.len(), 500);
}

#[test]
fn a_model_that_contains_itself_is_checked_against_its_own_table() {
    let table =
        "| Field Name | Type | Description Information | Required |\n|:---|:---|:---|:---|\n";
    let text = doc(
        "",
        "| **Tree** | [*Node*](#Node) | t |No|",
        &format!(
            "#### Data Model\n\n#### Node\n\n{table}| **Name** | string | n |No|\n| **Children** | array[[*Node*](#Node)] | c |No|\n\n\
             ## Example\n\n### Response Example\n\n```json\n{{\"RetCode\": 0, \"Action\": \"DoThingResponse\", \"Tree\": {{\"Name\": \"a\", \"Children\": [{{\"Name\": \"b\", \"Children\": []}}]}}}}\n```\n"
        ),
    );
    let action = parse(&text);
    assert!(action.warnings.is_empty(), "{:?}", action.warnings);
}
