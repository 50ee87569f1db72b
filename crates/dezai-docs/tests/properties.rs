//! Properties of the parser on arbitrary input: it never panics, and it is deterministic.

use proptest::prelude::*;

const SEED: &str = include_str!("../../../specs/docs/udb/describe_udb_instance_backup_url.md");
const MADE_UP: &str =
    include_str!("../../dezai-sdk/tests/fixtures/docs/madeup/list_udb_backup_files.md");

/// Lines that look like the format, so random documents reach deep into the parser rather
/// than failing at the title.
fn format_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("# Summary - Action".to_owned()),
        Just("## Definition".to_owned()),
        Just("### Request Parameters".to_owned()),
        Just("### 响应字段（Response Field）".to_owned()),
        Just("#### Data Model".to_owned()),
        Just("| Parameter Name | Type | Description Information | Required |".to_owned()),
        Just("|:---|:---|:---|:---|".to_owned()),
        Just("```json".to_owned()),
        Just("```".to_owned()),
        "[A-Za-z.N]{1,12}".prop_map(|name| format!("| **{name}** | string | d |No|")),
        (
            "[A-Za-z.N]{1,12}",
            "(array\\[)?(string|int|float|bool|object|\\[\\*M\\*\\]\\(#M\\))\\]?"
        )
            .prop_map(|(name, ty)| format!("| {name} | {ty} | d \\| e | **Yes** |")),
        "\\{\"[A-Za-z]{1,5}\": (1|\"x\"|null|\\[\\]|true)\\}",
        "&[A-Za-z.0-9]{1,10}=[a-z0-9]{0,4}",
        any::<String>(),
    ]
}

fn check(text: &str) {
    let first = dezai_docs::parse_document("p/doc.md", text);
    let second = dezai_docs::parse_document("p/doc.md", text);
    assert_eq!(first, second, "same input, same result");
    if let Ok(action) = first {
        // A successful parse always round-trips through the spec's JSON.
        let spec = dezai_spec::ProductSpec {
            format_version: dezai_spec::FORMAT_VERSION,
            product: "p".into(),
            generated: String::new(),
            actions: vec![action],
        };
        let text = spec.to_json();
        assert_eq!(dezai_spec::ProductSpec::from_json(&text).unwrap(), spec);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        check(&text);
    }

    #[test]
    fn format_like_documents_never_panic(lines in proptest::collection::vec(format_line(), 0..40)) {
        check(&lines.join("\n"));
    }

    #[test]
    fn mutated_seeds_never_panic(
        base in prop_oneof![Just(SEED), Just(MADE_UP)],
        cuts in proptest::collection::vec((any::<prop::sample::Index>(), format_line()), 1..6),
    ) {
        let mut lines: Vec<String> = base.lines().map(str::to_owned).collect();
        for (at, line) in cuts {
            let i = at.index(lines.len());
            lines[i] = line;
        }
        check(&lines.join("\n"));
    }
}
