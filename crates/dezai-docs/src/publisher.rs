//! The publisher's repository, as `docs/format.md` ("How the publisher keeps the documents")
//! describes it: one `<product>-api` folder per product, next to index pages, shared pages and
//! site files. These two rules decide what `cargo xtask import` takes from it.

use crate::headings::{self, Section};
use crate::markdown::{self, Block};

/// The product a publisher's folder holds: `udb-api` → `udb`, `vpc2.0-api` → `vpc20` (letters
/// and digits only, lower case). `None` for a folder that is not a product's (`summary`).
pub fn product_of_folder(name: &str) -> Option<String> {
    let stem = name.strip_suffix("-api")?;
    let product: String = stem
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (!product.is_empty()).then_some(product)
}

/// The action a Markdown text documents, when it is an action document: its first level-1
/// heading reads `<summary> - <Action>` and it has a Definition section (`## Definition` or
/// `## 定义`). Index pages, sidebars and shared pages give `None`. The file name plays no part.
pub fn documented_action(text: &str) -> Option<String> {
    let normalized;
    let text = if text.contains('\r') {
        normalized = text.replace("\r\n", "\n");
        normalized.as_str()
    } else {
        text
    };
    let outline = markdown::outline(text);
    let mut action = None;
    let mut definition = false;
    for (block, _) in &outline.blocks {
        if let Block::Heading(h) = block {
            if h.level == 1 && action.is_none() {
                action = Some(crate::document::title_action(&h.text)?);
            } else if headings::classify(&h.text) == Some(Section::Definition) {
                definition = true;
            }
        }
    }
    action.filter(|_| definition)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders() {
        assert_eq!(product_of_folder("udb-api").as_deref(), Some("udb"));
        assert_eq!(product_of_folder("vpc2.0-api").as_deref(), Some("vpc20"));
        assert_eq!(product_of_folder("UHost-api").as_deref(), Some("uhost"));
        assert_eq!(product_of_folder("summary"), None);
        assert_eq!(product_of_folder("-api"), None);
    }

    #[test]
    fn action_documents_in_either_language() {
        let english = "# Get a URL - DescribeX\n\n## Overview\n\nx\n\n## Definition\n";
        assert_eq!(documented_action(english).as_deref(), Some("DescribeX"));
        let chinese = "# 获取备份下载地址-DescribeX\r\n\r\n## 简介\r\n\r\n## 定义\r\n";
        assert_eq!(documented_action(chinese).as_deref(), Some("DescribeX"));
        let index = "# UDB - 云数据库\n\n* [DescribeX](describe_x.md)\n";
        assert_eq!(documented_action(index), None, "no Definition section");
        let sidebar = "* [Home](README.md)\n\n## Definition\n";
        assert_eq!(documented_action(sidebar), None, "no title");
        let shared = "# Signature - How to sign\n\n## Definition\n";
        assert_eq!(
            documented_action(shared),
            None,
            "`How to sign` names no action"
        );
    }
}
