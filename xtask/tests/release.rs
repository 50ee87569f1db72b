//! `cargo xtask release` on made-up histories: a small workspace shaped like ours (a runtime,
//! a generated product, the facade, a command line) committed and tagged as a release, then
//! changed the ways documents and code change. Each test asserts the versions a user of the
//! previous release would be handed, and the changelog lines that tell them why.

use std::path::PathBuf;
use std::process::Command;

use dezai_spec::{Action, Field, ProductSpec, Type};
use xtask::release::{self, Options, Plan};

/// A workspace in a git repository, its first state tagged as the release `dezai-sdk-v0.1.0`.
struct History {
    dir: PathBuf,
}

const RUNTIME: &str = "/// A client.\npub struct Client;\n\nimpl Client {\n    /// Calls.\n    pub fn call(&self) {}\n}\n\n\
    /// How to call.\npub enum Mode {\n    /// Now.\n    Now,\n}\n\n\
    /// Settings.\n#[non_exhaustive]\npub struct Settings {\n    /// Attempts.\n    pub attempts: u32,\n}\n\n\
    impl From<u32> for Settings {\n    fn from(attempts: u32) -> Self {\n        Settings { attempts }\n    }\n}\n\n\
    impl From<&str> for Settings {\n    fn from(text: &str) -> Self {\n        Settings { attempts: text.len() as u32 }\n    }\n}\n";

impl History {
    fn new(name: &str) -> History {
        let dir =
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dezai-release-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        let history = History { dir };
        history.write(
            "Cargo.toml",
            "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\", \"products/shop\"]\n\n\
             [workspace.package]\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [workspace.dependencies]\n\
             dezai-runtime = { path = \"crates/dezai-runtime\", version = \"0.4.0\" }\n",
        );
        history.write(".gitignore", "/target\n");
        history.krate(
            "crates/dezai-runtime",
            "dezai-runtime",
            "0.4.0",
            "",
            Some(RUNTIME),
        );
        history.krate(
            "products/shop",
            "dezai-shop",
            "1.2.0",
            "dezai-runtime.workspace = true\n",
            Some("pub use dezai_runtime::Client;\n"),
        );
        history.krate(
            "crates/dezai-sdk",
            "dezai-sdk",
            "0.1.0",
            "dezai-runtime.workspace = true\n\
             dezai-shop = { path = \"../../products/shop\", version = \"1.2.0\" }\n",
            Some("pub use dezai_runtime::Client;\npub use dezai_shop as shop;\n"),
        );
        history.krate(
            "crates/dezai-cli",
            "dezai-cli",
            "0.1.0",
            "dezai-runtime.workspace = true\n",
            None,
        );
        history.spec(&shop(vec![order()]));
        history.git(&["init", "-q", "-b", "main"]);
        history.commit("the first release");
        history.git(&["tag", "dezai-sdk-v0.1.0"]);
        history
    }

    fn krate(&self, dir: &str, name: &str, version: &str, deps: &str, lib: Option<&str>) {
        self.write(
            &format!("{dir}/Cargo.toml"),
            &format!(
                "[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition.workspace = true\n\n\
                 [dependencies]\n{deps}"
            ),
        );
        match lib {
            Some(lib) => self.write(&format!("{dir}/src/lib.rs"), &format!("//! {name}\n{lib}")),
            None => self.write(&format!("{dir}/src/main.rs"), "fn main() {}\n"),
        }
    }

    fn spec(&self, spec: &ProductSpec) {
        self.write("specs/shop.json", &spec.to_json());
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn git(&self, args: &[&str]) {
        let status = Command::new("git")
            .args(["-c", "user.name=test", "-c", "user.email=test@127.0.0.1"])
            .args(args)
            .current_dir(&self.dir)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    fn plan(&self) -> Plan {
        release::plan(
            &self.dir,
            &Options {
                work_dir: Some(self.dir.join("target/release-plan")),
                ..Options::default()
            },
        )
        .unwrap()
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.dir.join(path)).unwrap_or_default()
    }
}

impl Drop for History {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Each crate's next version, or `-` when it is not released again.
fn versions(plan: &Plan) -> Vec<(String, String)> {
    plan.crates
        .iter()
        .map(|c| {
            let next = if c.released_now() {
                c.next.to_string()
            } else {
                "-".into()
            };
            (c.name.clone(), next)
        })
        .collect()
}

fn expect(plan: &Plan, expected: &[(&str, &str)]) {
    let mut expected: Vec<(String, String)> = expected
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    expected.sort();
    let mut got = versions(plan);
    got.sort();
    assert_eq!(got, expected, "{}", release::report(plan));
}

/// The publish order holds `count` crates, each after the crates it depends on.
fn publishable(plan: &Plan, count: usize) {
    let order: Vec<&str> = plan
        .publish_order()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(order.len(), count, "{order:?}");
    let at = |name: &str| order.iter().position(|n| *n == name);
    for (before, after) in [
        ("dezai-runtime", "dezai-shop"),
        ("dezai-runtime", "dezai-sdk"),
        ("dezai-runtime", "dezai-cli"),
        ("dezai-shop", "dezai-sdk"),
    ] {
        if let (Some(b), Some(a)) = (at(before), at(after)) {
            assert!(
                b < a,
                "{before} must be published before {after}: {order:?}"
            );
        }
    }
}

fn lines(plan: &Plan, name: &str) -> Vec<String> {
    plan.get(name)
        .unwrap()
        .entries
        .iter()
        .map(|e| format!("[{}] {}", e.level, e.text))
        .collect()
}

fn field(name: &str, ty: Type, required: bool, description: &str) -> Field {
    Field {
        name: name.into(),
        ty,
        required,
        description: description.into(),
        deprecated: None,
        aliases: Vec::new(),
        documented: true,
        line: 1,
    }
}

fn action(name: &str, summary: &str, request: Vec<Field>, response: Vec<Field>) -> Action {
    Action {
        name: name.into(),
        summary: summary.into(),
        description: format!("{summary}."),
        source: format!("shop/{}.md", name.to_lowercase()),
        endpoint: None,
        request,
        response,
        models: Vec::new(),
        request_example: Vec::new(),
        response_example: None,
        warnings: Vec::new(),
    }
}

fn order() -> Action {
    action(
        "DescribeFixtureOrder",
        "Describe an order",
        vec![
            field("OrderId", Type::String, true, "The order's id"),
            field("Limit", Type::Int, false, "How many lines"),
        ],
        vec![
            field("Total", Type::Int, false, "The total, in cents"),
            field("Note", Type::String, false, "What the buyer wrote"),
        ],
    )
}

fn shop(actions: Vec<Action>) -> ProductSpec {
    ProductSpec {
        format_version: dezai_spec::FORMAT_VERSION,
        product: "shop".into(),
        generated: String::new(),
        actions,
    }
}

#[test]
fn an_added_action_is_a_compatible_bump_named_in_the_documents_words() {
    let history = History::new("added");
    let refund = action(
        "RefundFixtureOrder",
        "Refund an order",
        vec![field("OrderId", Type::String, true, "The order's id")],
        Vec::new(),
    );
    history.spec(&shop(vec![order(), refund]));
    let plan = history.plan();
    // 1.2.0 adds (1.3.0); the facade only follows (a patch, to require it); the runtime and
    // the command line are not released again.
    expect(
        &plan,
        &[
            ("dezai-runtime", "-"),
            ("dezai-shop", "1.3.0"),
            ("dezai-sdk", "0.1.1"),
            ("dezai-cli", "-"),
        ],
    );
    assert_eq!(
        lines(&plan, "dezai-shop"),
        ["[additions] `RefundFixtureOrder`: action added — Refund an order"]
    );
    assert_eq!(
        lines(&plan, "dezai-sdk"),
        ["[patch] requires `dezai-shop` 1.3.0"]
    );
    publishable(&plan, 2);
}

#[test]
fn a_removed_field_a_changed_type_and_a_newly_required_field_break() {
    let history = History::new("breaking");
    let mut changed = order();
    changed.response.retain(|f| f.name != "Note");
    changed.response[0].ty = Type::String;
    changed.request[1].required = true;
    history.spec(&shop(vec![changed]));
    let plan = history.plan();
    // The facade re-exports the product, so its break is the facade's too (0.x: 0.2.0).
    expect(
        &plan,
        &[
            ("dezai-runtime", "-"),
            ("dezai-shop", "2.0.0"),
            ("dezai-sdk", "0.2.0"),
            ("dezai-cli", "-"),
        ],
    );
    let shop = lines(&plan, "dezai-shop");
    for expected in [
        "[breaking] `DescribeFixtureOrder`: response field `Note` removed — What the buyer wrote",
        "[breaking] `DescribeFixtureOrder`: response field `Total` changed type from `int` to `string`",
        "[breaking] `DescribeFixtureOrder`: request field `Limit` made required (a new constructor argument)",
    ] {
        assert!(
            shop.iter().any(|l| l == expected),
            "{expected} not in {shop:#?}"
        );
    }
    assert!(
        lines(&plan, "dezai-sdk")
            .iter()
            .any(|l| l == "[breaking] `dezai-shop` 2.0.0, part of this crate's API, breaks"),
        "{:#?}",
        lines(&plan, "dezai-sdk")
    );
}

#[test]
fn a_description_only_change_is_a_patch() {
    let history = History::new("words");
    let mut reworded = order();
    reworded.description = "Describe one order, with its lines.".into();
    reworded.response[0].description = "The total in cents, taxes included".into();
    history.spec(&shop(vec![reworded]));
    let plan = history.plan();
    expect(
        &plan,
        &[
            ("dezai-runtime", "-"),
            ("dezai-shop", "1.2.1"),
            ("dezai-sdk", "0.1.1"),
            ("dezai-cli", "-"),
        ],
    );
    assert_eq!(
        lines(&plan, "dezai-shop"),
        ["[patch] `DescribeFixtureOrder`: documentation updated"]
    );
}

#[test]
fn a_runtime_break_bumps_every_crate_whose_api_shows_it() {
    let history = History::new("runtime");
    history.write(
        "crates/dezai-runtime/src/lib.rs",
        &format!(
            "//! dezai-runtime\n{}",
            RUNTIME.replace("call(&self)", "call(&self, retries: u32)")
        ),
    );
    let plan = history.plan();
    // 0.4.0 breaks (0.5.0); the product's generated code and the facade name its types, so
    // they break too; the command line, a binary, only requires the new version.
    expect(
        &plan,
        &[
            ("dezai-runtime", "0.5.0"),
            ("dezai-shop", "2.0.0"),
            ("dezai-sdk", "0.2.0"),
            ("dezai-cli", "0.1.1"),
        ],
    );
    assert!(
        lines(&plan, "dezai-runtime")
            .contains(&"[breaking] `dezai_runtime::Client::call` (function) changed".to_owned()),
        "{:#?}",
        lines(&plan, "dezai-runtime")
    );
    assert_eq!(
        lines(&plan, "dezai-cli"),
        ["[patch] requires `dezai-runtime` 0.5.0"]
    );
    publishable(&plan, 4);
}

#[test]
fn a_runtime_addition_is_compatible_and_dependents_follow_with_patches() {
    let history = History::new("runtime-added");
    history.write(
        "crates/dezai-runtime/src/lib.rs",
        &format!("//! dezai-runtime\n{RUNTIME}\n/// New.\npub fn ping() {{}}\n"),
    );
    let plan = history.plan();
    expect(
        &plan,
        &[
            ("dezai-runtime", "0.4.1"),
            ("dezai-shop", "1.2.1"),
            ("dezai-sdk", "0.1.1"),
            ("dezai-cli", "0.1.1"),
        ],
    );
    assert_eq!(
        lines(&plan, "dezai-runtime"),
        ["[additions] `dezai_runtime::ping` (function) added"]
    );
}

#[test]
fn writing_sets_every_version_and_requirement_and_a_changelog_per_crate() {
    let history = History::new("write");
    let mut changed = order();
    changed.response.retain(|f| f.name != "Note");
    changed.response[1 - 1].deprecated = Some("Use Amount instead".into());
    changed
        .response
        .push(field("Amount", Type::Int, false, "The amount, in cents"));
    history.spec(&shop(vec![changed]));
    let plan = history.plan();
    release::write(&history.dir, &plan, "2026-12-04").unwrap();
    assert!(
        history
            .read("products/shop/Cargo.toml")
            .contains("version = \"2.0.0\"")
    );
    let sdk_manifest = history.read("crates/dezai-sdk/Cargo.toml");
    assert!(
        sdk_manifest.contains("version = \"0.2.0\""),
        "{sdk_manifest}"
    );
    assert!(
        sdk_manifest
            .contains("dezai-shop = { path = \"../../products/shop\", version = \"2.0.0\" }"),
        "{sdk_manifest}"
    );
    // Unchanged crates keep their version and get no entry.
    assert!(
        history
            .read("crates/dezai-runtime/Cargo.toml")
            .contains("version = \"0.4.0\"")
    );
    assert!(history.read("crates/dezai-runtime/CHANGELOG.md").is_empty());

    let changelog = history.read("products/shop/CHANGELOG.md");
    for expected in [
        "# Changelog",
        "## 2.0.0 — 2026-12-04",
        "### Breaking\n\n- `DescribeFixtureOrder`: response field `Note` removed — What the buyer wrote",
        "### Added\n\n- `DescribeFixtureOrder`: response field `Amount` added — The amount, in cents",
        "### Deprecated\n\n- `DescribeFixtureOrder`: response field `Total` deprecated (\"Use Amount instead\")",
    ] {
        assert!(changelog.contains(expected), "{expected}\n---\n{changelog}");
    }
    let summary = history.read("crates/dezai-sdk/CHANGELOG.md");
    assert!(
        summary
            .contains("- `dezai-shop` 1.2.0 → 2.0.0 (breaking; 1 breaking, 1 added, 1 deprecated)"),
        "{summary}"
    );
    // Planning again after writing gives the same release (versions come from the tag).
    history.commit("release");
    expect(
        &history.plan(),
        &versions(&plan)
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect::<Vec<_>>(),
    );
}

#[test]
fn the_facade_is_released_with_any_release_so_each_has_its_own_tag() {
    let history = History::new("cli-only");
    history.write(
        "crates/dezai-cli/src/main.rs",
        "fn main() {\n    println!(\"hi\");\n}\n",
    );
    let plan = history.plan();
    expect(
        &plan,
        &[
            ("dezai-runtime", "-"),
            ("dezai-shop", "-"),
            ("dezai-sdk", "0.1.1"),
            ("dezai-cli", "0.1.1"),
        ],
    );
    assert_eq!(
        lines(&plan, "dezai-sdk"),
        ["[patch] released with `dezai-cli`"]
    );
}

#[test]
fn a_change_to_tests_alone_releases_nothing() {
    let history = History::new("tests-only");
    history.write(
        "crates/dezai-runtime/tests/call.rs",
        "#[test]\nfn calls() {}\n",
    );
    history.write("crates/dezai-runtime/benches/call.rs", "fn main() {}\n");
    let plan = history.plan();
    assert!(
        plan.publish_order().is_empty(),
        "{}",
        release::report(&plan)
    );
}

#[test]
fn without_a_release_tag_every_crate_is_a_first_release_at_its_version() {
    let history = History::new("first");
    history.git(&["tag", "-d", "dezai-sdk-v0.1.0"]);
    let plan = history.plan();
    assert!(plan.baseline.is_none());
    expect(
        &plan,
        &[
            ("dezai-runtime", "0.4.0"),
            ("dezai-shop", "1.2.0"),
            ("dezai-sdk", "0.1.0"),
            ("dezai-cli", "0.1.0"),
        ],
    );
    publishable(&plan, 4);
}

#[test]
fn what_callers_can_build_or_match_decides_whether_an_addition_breaks() {
    let history = History::new("shapes");
    let runtime = |text: String| {
        history.write(
            "crates/dezai-runtime/src/lib.rs",
            &format!("//! dezai-runtime\n{text}"),
        )
    };
    // A variant added to an exhaustive enum breaks every `match` on it.
    runtime(RUNTIME.replace("    Now,\n", "    Now,\n    /// Later.\n    Later,\n"));
    let plan = history.plan();
    assert_eq!(plan.get("dezai-runtime").unwrap().next.to_string(), "0.5.0");
    let first = lines(&plan, "dezai-runtime");
    assert!(
        first.contains(&"[breaking] `dezai_runtime::Mode` (enum) changed".to_owned()),
        "{first:#?}"
    );
    assert!(
        first.contains(&"[additions] `dezai_runtime::Mode::Later` (variant) added".to_owned()),
        "{first:#?}"
    );
    // A field added to a `#[non_exhaustive]` struct breaks no literal: there are none.
    runtime(RUNTIME.replace(
        "    pub attempts: u32,\n",
        "    pub attempts: u32,\n    /// Seconds.\n    pub timeout: u32,\n",
    ));
    let plan = history.plan();
    assert_eq!(plan.get("dezai-runtime").unwrap().next.to_string(), "0.4.1");
    assert_eq!(
        lines(&plan, "dezai-runtime"),
        ["[additions] `dezai_runtime::Settings.timeout` (struct_field) added"]
    );
    // One of two implementations of a generic trait removed: callers of that one break.
    let from_str = RUNTIME.find("impl From<&str>").unwrap();
    runtime(RUNTIME[..from_str].to_owned());
    let plan = history.plan();
    assert_eq!(
        lines(&plan, "dezai-runtime"),
        ["[breaking] `dezai_runtime::Settings: core::convert::From<&str>` (impl) removed"]
    );
}
