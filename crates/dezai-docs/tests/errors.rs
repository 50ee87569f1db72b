//! One test per kind of malformed document: each error names the file, the line, and the text
//! that could not be read.

mod common;

use common::{doc, parse_err};
use dezai_docs::Source;

/// The 1-based line of the first line containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in fixture"))
        + 1
}

/// Asserts that `errors` reports `message` at the line of `needle` and quotes that line.
fn assert_reports(errors: &str, text: &str, needle: &str, message: &str) {
    let line = line_of(text, needle);
    let expected = format!("test/doc.md:{line}: {message}");
    assert!(
        errors.contains(&expected),
        "expected `{expected}` in:\n{errors}"
    );
    assert!(
        errors.contains(&format!("{line:>4} | ")),
        "expected the line quoted in:\n{errors}"
    );
    assert!(
        errors.contains(needle),
        "expected `{needle}` quoted in:\n{errors}"
    );
}

#[test]
fn unknown_type() {
    let text = doc("| **Names** | array[strin] | names |No|", "", "");
    let errors = parse_err(&text);
    assert_reports(
        &errors,
        &text,
        "array[strin]",
        "unknown type `array[strin]` for field `Names`",
    );
}

#[test]
fn unbalanced_type() {
    let text = doc("| **Names** | array[string | names |No|", "", "");
    let errors = parse_err(&text);
    assert_reports(
        &errors,
        &text,
        "array[string",
        "unknown type `array[string` for field `Names`",
    );
}

#[test]
fn model_referenced_but_not_defined() {
    let text = doc(
        "",
        "| **Files** | array[[*BackupFile*](#BackupFile)] | files |No|",
        "",
    );
    let errors = parse_err(&text);
    assert_reports(
        &errors,
        &text,
        "**Files**",
        "data model `BackupFile` is referenced by `Files` but not defined under Data Model",
    );
}

#[test]
fn missing_request_parameters_section() {
    let text = doc("", "", "");
    let start = text.find("### Request Parameters").unwrap();
    let end = text.find("### Response Field").unwrap();
    let text = format!("{}{}", &text[..start], &text[end..]);
    let errors = parse_err(&text);
    assert!(
        errors.contains("test/doc.md:1: missing required section `### Request Parameters`"),
        "{errors}"
    );
    assert!(errors.contains("# Do a thing - DoThing"), "{errors}");
}

#[test]
fn missing_response_field_section() {
    let text = doc("", "", "");
    let text = &text[..text.find("### Response Field").unwrap()];
    let errors = parse_err(text);
    assert!(
        errors.contains("test/doc.md:1: missing required section `### Response Field`"),
        "{errors}"
    );
}

#[test]
fn section_without_a_table() {
    let text = doc("", "", "");
    let start = text.find("| Field Name").unwrap();
    let text = format!("{}No fields here.\n", &text[..start]);
    let errors = parse_err(&text);
    assert_reports(
        &errors,
        &text,
        "### Response Field",
        "the Response Field section has no field table",
    );
}

#[test]
fn missing_title() {
    let text = doc("", "", "").replacen("# Do a thing - DoThing\n", "Just some text\n", 1);
    let errors = parse_err(&text);
    assert!(
        errors.contains("test/doc.md:1: missing title `# <summary> - <ActionName>`"),
        "{errors}"
    );
    assert!(errors.contains("Just some text"), "{errors}");
}

#[test]
fn title_without_action_name() {
    let text = doc("", "", "").replacen("# Do a thing - DoThing", "# Do a thing", 1);
    let errors = parse_err(&text);
    assert_reports(
        &errors,
        &text,
        "# Do a thing",
        "title should read `# <summary> - <ActionName>`",
    );
}

#[test]
fn title_disagrees_with_public_parameters() {
    let text = doc("", "", "").replacen("# Do a thing - DoThing", "# Do a thing - DoOtherThing", 1);
    let errors = parse_err(&text);
    assert_reports(
        &errors,
        &text,
        "the current API is `DoThing`",
        "the title names action `DoOtherThing` but the Public Parameters table says `DoThing`",
    );
}

#[test]
fn duplicate_field() {
    let text = doc(
        "| **Limit** | int | a |No|\n| **Limit** | int | b |No|",
        "",
        "",
    );
    let errors = parse_err(&text);
    let first = line_of(&text, "| **Limit** | int | a");
    assert_reports(
        &errors,
        &text,
        "| **Limit** | int | b",
        &format!("field `Limit` is listed twice (first on line {first})"),
    );
}

#[test]
fn duplicate_response_field() {
    let text = doc(
        "",
        "| **Path** | string | a |No|\n| **Path** | string | b |No|",
        "",
    );
    let errors = parse_err(&text);
    assert!(errors.contains("field `Path` is listed twice"), "{errors}");
}

#[test]
fn model_defined_twice() {
    let table = "| Field Name | Type | Description Information | Required |\n|:---|:---|:---|:---|\n| **Id** | string | id |No|\n";
    let text = doc(
        "",
        "",
        &format!("#### Data Model\n\n#### Disk\n\n{table}\n#### Disk\n\n{table}"),
    );
    let errors = parse_err(&text);
    assert!(
        errors.contains("data model `Disk` is defined twice"),
        "{errors}"
    );
}

#[test]
fn ragged_row_with_too_many_cells() {
    let text = doc("| **Mode** | string | one | two |No|", "", "");
    let errors = parse_err(&text);
    assert_reports(
        &errors,
        &text,
        "| **Mode** |",
        "table row has 5 cells but the table has 4 columns",
    );
}

#[test]
fn ragged_row_with_too_few_cells() {
    let text = doc("| **Mode** | string | No |", "", "");
    let errors = parse_err(&text);
    assert_reports(
        &errors,
        &text,
        "| **Mode** |",
        "table row has 3 cells but the table has 4 columns",
    );
}

#[test]
fn unreadable_required_column() {
    let text = doc("| **Mode** | string | mode | maybe |", "", "");
    let errors = parse_err(&text);
    assert_reports(
        &errors,
        &text,
        "| **Mode** |",
        "required column of `Mode` reads `maybe`; expected `Yes` or `No`",
    );
}

#[test]
fn invalid_field_name() {
    let text = doc("| **Bad Name** | string | spaces |No|", "", "");
    let errors = parse_err(&text);
    assert_reports(
        &errors,
        &text,
        "**Bad Name**",
        "field name `Bad Name` is not a valid parameter name",
    );
}

#[test]
fn flattened_name_conflicts_with_plain_field() {
    let text = doc(
        "| **Disks** | string | plain |No|\n| **Disks.N.Size** | int | size |No|",
        "",
        "",
    );
    let errors = parse_err(&text);
    let first = line_of(&text, "| **Disks** |");
    assert_reports(
        &errors,
        &text,
        "**Disks.N.Size**",
        &format!(
            "`Disks.N.Size` makes `Disks` a structure, but line {first} declares `Disks` as a plain field"
        ),
    );
}

#[test]
fn flattened_names_disagree_on_list() {
    let text = doc(
        "| **Disks.N.Size** | int | size |No|\n| **Disks.Type** | string | type |No|",
        "",
        "",
    );
    let errors = parse_err(&text);
    assert!(
        errors.contains("`Disks.Type` disagrees with line"),
        "{errors}"
    );
}

#[test]
fn flattened_name_too_deep() {
    let text = doc("| **A.B.C.D.E.F.G.H.I** | string | deep |No|", "", "");
    let errors = parse_err(&text);
    assert_reports(
        &errors,
        &text,
        "**A.B.C.D.E.F.G.H.I**",
        "parameter `A.B.C.D.E.F.G.H.I` nests 9 levels deep",
    );
}

#[test]
fn flattened_name_in_response() {
    let text = doc("", "| **Data.Size** | int | size |No|", "");
    let errors = parse_err(&text);
    assert!(
        errors
            .contains("field name `Data.Size` is flattened, which only request parameters may be"),
        "{errors}"
    );
}

#[test]
fn every_error_of_a_document_is_reported() {
    let text = doc(
        "| **A** | strin | a |No|\n| **B** | int | b | maybe |",
        "| **C** | [*Nope*](#Nope) | c |No|",
        "",
    );
    let errors = parse_err(&text);
    assert_eq!(errors.matches("error: ").count(), 3, "{errors}");
}

fn source(path: &str, bytes: Vec<u8>) -> Source {
    Source {
        product: path.split('/').next().unwrap().into(),
        path: path.into(),
        bytes,
    }
}

#[test]
fn every_error_of_every_document_is_reported() {
    let bad1 = doc("| **A** | strin | a |No|", "", "");
    let bad2 = doc("| **B** | int | b | maybe |", "", "").replace("DoThing", "DoOther");
    let good = doc("", "", "").replace("DoThing", "DoFine");
    let sources = vec![
        source("p/a.md", bad1.into()),
        source("p/b.md", bad2.into()),
        source("p/c.md", good.into()),
    ];
    let errors = dezai_docs::build_specs(&sources).unwrap_err();
    let files: Vec<&str> = errors.0.iter().map(|e| e.file.as_str()).collect();
    assert_eq!(files, ["p/a.md", "p/b.md"]);
}

#[test]
fn same_action_documented_twice_names_both_files() {
    let text = doc("", "", "");
    let revised = text.replace("Does a thing.", "Does a thing, revised.");
    let sources = vec![
        source("p/a.md", text.into()),
        source("p/b.md", revised.into()),
    ];
    let errors = dezai_docs::build_specs(&sources).unwrap_err().to_string();
    assert!(
        errors.contains("p/b.md:1: action `DoThing` is documented twice, in p/a.md and in p/b.md"),
        "{errors}"
    );
}

#[test]
fn byte_identical_copies_of_a_document_are_a_warning() {
    let text = doc("", "", "");
    let sources = vec![
        source("p/a.md", text.clone().into()),
        source("p/copy.md", text.into()),
    ];
    let specs = dezai_docs::build_specs(&sources).unwrap();
    let action = &specs[0].actions[0];
    assert_eq!(specs[0].actions.len(), 1);
    assert_eq!(action.source, "p/a.md");
    assert_eq!(
        action.warnings[0].kind,
        dezai_spec::WarningKind::DuplicateDocument
    );
    assert!(action.warnings[0].message.contains("p/copy.md"));
}

#[test]
fn an_error_in_one_product_does_not_stop_the_others() {
    let sources = vec![
        source("bad/a.md", doc("| **A** | strin | a |No|", "", "").into()),
        source("good/a.md", doc("", "", "").into()),
    ];
    let built = dezai_docs::build_products(&sources);
    let products: Vec<&str> = built.specs.iter().map(|s| s.product.as_str()).collect();
    assert_eq!(products, ["good"]);
    assert_eq!(built.failed.keys().collect::<Vec<_>>(), ["bad"]);
    assert!(
        built.failed["bad"][0]
            .to_string()
            .contains("unknown type `strin`")
    );
}

#[test]
fn type_differences_are_compared_within_a_product_only() {
    let int = doc("| **BackupId** | int | a |No|", "", "");
    let string = doc("| **BackupId** | string | a |No|", "", "").replace("DoThing", "DoOther");
    // Region is `string` in every other document: a config parameter is never compared.
    let region = doc("", "", "")
        .replace("| **Region** | string |", "| **Region** | int |")
        .replace("DoThing", "DoZone");
    let sources = vec![
        source("one/a.md", int.clone().into()),
        source("two/b.md", string.clone().into()),
        source("same/a.md", int.into()),
        source("same/b.md", string.into()),
        source("same/z.md", region.into()),
    ];
    let specs = dezai_docs::build_specs(&sources).unwrap();
    let warned = |product: &str| -> Vec<(String, dezai_spec::WarningKind)> {
        let spec = specs.iter().find(|s| s.product == product).unwrap();
        spec.actions
            .iter()
            .flat_map(|a| a.warnings.iter().map(move |w| (a.name.clone(), w.kind)))
            .collect()
    };
    assert_eq!(warned("one"), []);
    assert_eq!(warned("two"), []);
    let same = warned("same");
    assert_eq!(
        same.len(),
        2,
        "BackupId in both actions, never Region: {same:?}"
    );
    assert!(
        same.iter()
            .all(|(_, k)| *k == dezai_spec::WarningKind::TypeDiffersAcrossActions)
    );
}

#[test]
fn document_not_utf8() {
    let mut bytes = doc("", "", "").into_bytes();
    let at = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
    bytes.insert(at, 0xff);
    let errors = dezai_docs::build_specs(&[source("p/a.md", bytes)])
        .unwrap_err()
        .to_string();
    assert!(
        errors.contains("p/a.md:2: the document is not valid UTF-8"),
        "{errors}"
    );
}

#[test]
fn product_folder_not_a_module_name() {
    let errors = dezai_docs::build_specs(&[source("U-DB/a.md", doc("", "", "").into())])
        .unwrap_err()
        .to_string();
    assert!(
        errors.contains("product folder `U-DB` is not a valid module name"),
        "{errors}"
    );
}
