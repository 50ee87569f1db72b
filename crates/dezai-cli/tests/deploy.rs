//! The Kubernetes CronJob of `deploy/kubernetes/` runs a command this `dezai` accepts, split
//! into as many shards as the Indexed Job has pods. (Its schema is checked by `.ci/run`, with
//! kubernetes-validate.)

use std::path::Path;

mod common;

use common::stderr;

/// The values of the `key:` lines of the YAML text (the first of each), and the items of the
/// container's `args:` list.
fn read(yaml: &str) -> (impl Fn(&str) -> String + '_, Vec<String>) {
    let value = move |key: &str| {
        yaml.lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{key}: ")))
            .unwrap_or_else(|| panic!("no `{key}:` in the CronJob"))
            .trim_matches('"')
            .to_owned()
    };
    let args = yaml
        .lines()
        .skip_while(|l| l.trim() != "args:")
        .skip(1)
        .map_while(|l| l.trim().strip_prefix("- "))
        .map(|a| a.trim_matches('"').to_owned())
        .collect();
    (value, args)
}

#[test]
fn the_cronjob_runs_a_command_dezai_accepts_one_shard_per_pod() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/kubernetes/cronjob.yaml");
    let yaml = std::fs::read_to_string(path).unwrap();
    let (value, args) = read(&yaml);
    assert_eq!(value("completionMode"), "Indexed");
    assert_eq!(value("concurrencyPolicy"), "Forbid");
    let shards = args
        .iter()
        .position(|a| a == "--shards")
        .map(|i| args[i + 1].clone());
    assert_eq!(
        shards.as_deref(),
        Some(value("completions").as_str()),
        "{args:?}"
    );
    assert_eq!(value("parallelism"), value("completions"));

    // Outside a Job, the command stops at the missing pod index, after every flag parsed.
    let scratch = tempfile::tempdir().unwrap();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut command = common::command("http://127.0.0.1:9", scratch.path(), &args, ("pk", "sk"));
    let output = command.env_remove("JOB_COMPLETION_INDEX").output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("JOB_COMPLETION_INDEX"),
        "{}",
        stderr(&output)
    );
}
