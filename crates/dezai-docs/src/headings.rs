//! The headings the format defines, in English and Chinese, with the suffixes documents add
//! (`请求参数（Request Parameters）`, `Response Example:`).

/// A heading the format gives a meaning to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Overview,
    Definition,
    PublicParameters,
    RequestParameters,
    ResponseFields,
    DataModel,
    Example,
    RequestExample,
    ResponseExample,
}

const NAMES: &[(&str, Section)] = &[
    ("overview", Section::Overview),
    ("简介", Section::Overview),
    ("definition", Section::Definition),
    ("定义", Section::Definition),
    ("public parameters", Section::PublicParameters),
    ("public parameter", Section::PublicParameters),
    ("公共参数", Section::PublicParameters),
    ("request parameters", Section::RequestParameters),
    ("request parameter", Section::RequestParameters),
    ("请求参数", Section::RequestParameters),
    ("response field", Section::ResponseFields),
    ("response fields", Section::ResponseFields),
    ("响应字段", Section::ResponseFields),
    ("data model", Section::DataModel),
    ("data models", Section::DataModel),
    ("数据模型", Section::DataModel),
    ("example", Section::Example),
    ("examples", Section::Example),
    ("示例", Section::Example),
    ("request example", Section::RequestExample),
    ("请求示例", Section::RequestExample),
    ("response example", Section::ResponseExample),
    ("响应示例", Section::ResponseExample),
];

impl Section {
    /// How the heading is written in English, for messages.
    pub(crate) fn english(self) -> &'static str {
        match self {
            Section::Overview => "Overview",
            Section::Definition => "Definition",
            Section::PublicParameters => "Public Parameters",
            Section::RequestParameters => "Request Parameters",
            Section::ResponseFields => "Response Field",
            Section::DataModel => "Data Model",
            Section::Example => "Example",
            Section::RequestExample => "Request Example",
            Section::ResponseExample => "Response Example",
        }
    }
}

/// Classifies a heading's text. A suffix in parentheses (ASCII or full-width) or after a colon
/// is allowed, and either the main text or the parenthesised text may carry the name.
pub(crate) fn classify(heading: &str) -> Option<Section> {
    let text = heading.trim().trim_end_matches([':', '：']).trim();
    let (main, suffix) = match text.find(['(', '（']) {
        Some(open) => {
            let rest = &text[open..];
            let inner = rest
                .trim_start_matches(['(', '（'])
                .trim_end_matches([')', '）'])
                .trim_end_matches([':', '：']);
            (text[..open].trim(), Some(inner.trim()))
        }
        None => (text, None),
    };
    lookup(main).or_else(|| suffix.and_then(lookup))
}

fn lookup(name: &str) -> Option<Section> {
    let name = name.trim().trim_end_matches([':', '：']).trim();
    let lower = name.to_lowercase();
    NAMES.iter().find(|(n, _)| *n == lower).map(|(_, s)| *s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_chinese_and_suffixes() {
        assert_eq!(
            classify("Request Parameters"),
            Some(Section::RequestParameters)
        );
        assert_eq!(classify("请求参数"), Some(Section::RequestParameters));
        assert_eq!(
            classify("请求参数（Request Parameters）"),
            Some(Section::RequestParameters)
        );
        assert_eq!(
            classify("Response Example:"),
            Some(Section::ResponseExample)
        );
        assert_eq!(classify("响应示例："), Some(Section::ResponseExample));
        assert_eq!(classify("Data Model (数据模型)"), Some(Section::DataModel));
        assert_eq!(classify("How to Call"), None);
        assert_eq!(classify("BackupFile"), None);
    }
}
