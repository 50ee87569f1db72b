//! `backup sync` and `backup status` write Prometheus metrics: a textfile that the real
//! `promtool check metrics` accepts, holding each instance's newest copy and the run's figures;
//! a failed run keeps the last success; a push to a real Pushgateway (Debian's
//! `prometheus-pushgateway`, started here on 127.0.0.1) whose `/metrics` then holds the series
//! with their labels, one group per shard. Both programs come from `.ci/test-tools`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
mod common;

use common::{dezai, stderr};
use dezai_emulator::{World, WorldBackup, WorldInstance};

const KEYS: (&str, &str) = ("metrics-public", "metrics-private");
/// When each instance's newest completed backup was made.
const MADE: i64 = 1_700_000_060;
const SIZE: u64 = 400;

/// Two instances of every offered kind in cn-bj2, each with an older backup and a newer one.
fn fleet() -> (World, Vec<(String, String)>) {
    let mut world = World::new();
    let mut instances = Vec::new();
    let mut id = 50_000;
    for kind in common::offered_kinds() {
        for i in 0..2 {
            let name = format!("{}-m{i}", kind.name);
            world = world.instance(
                WorldInstance::new(kind.name, &name)
                    .region("cn-bj2")
                    .zone("cn-bj2-04")
                    .backup(WorldBackup::new(id, MADE - 60, 300))
                    .backup(WorldBackup::new(id + 1, MADE, SIZE)),
            );
            id += 10;
            instances.push((kind.name.to_owned(), name));
        }
    }
    (world, instances)
}

/// One sample of the text format: its labels and value.
type Sample = (BTreeMap<String, String>, f64);

/// The samples of `name` in a text exposition (label values without quotes or commas).
fn samples(text: &str, name: &str) -> Vec<Sample> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, labels) = match series.split_once('{') {
                Some((metric, rest)) => (metric, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            if metric != name {
                return None;
            }
            let labels = labels
                .split(',')
                .filter(|p| !p.is_empty())
                .filter_map(|pair| {
                    let (k, v) = pair.split_once('=')?;
                    Some((k.to_owned(), v.trim_matches('"').to_owned()))
                })
                .collect();
            Some((labels, value.parse().ok()?))
        })
        .collect()
}

/// The value of the sample of `name` whose labels include `with`.
fn value(text: &str, name: &str, with: &[(&str, &str)]) -> Option<f64> {
    samples(text, name)
        .into_iter()
        .find(|(labels, _)| {
            with.iter()
                .all(|(k, v)| labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|(_, v)| v)
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// A program of `.ci/test-tools`: `$env` names it, else it is looked up on PATH.
fn program(env: &str, name: &str) -> PathBuf {
    let program = std::env::var_os(env).map_or_else(|| PathBuf::from(name), PathBuf::from);
    let found = Command::new(&program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    assert!(
        found.is_ok_and(|s| s.success()),
        "the metrics tests need {name} (Debian's `prometheus` and `prometheus-pushgateway`): \
         run `bash .ci/test-tools` once, or set {env}"
    );
    program
}

/// `promtool check metrics < file`: its exit status and what it said.
fn promtool_check(file: &Path) -> (bool, String) {
    let output = Command::new(program("DEZAI_PROMTOOL", "promtool"))
        .args(["check", "metrics"])
        .stdin(std::fs::File::open(file).unwrap())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), said)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_metrics_file_holds_every_instance_and_the_run_and_passes_promtool() {
    let (world, instances) = fleet();
    let emulator = common::world_emulator(world, KEYS).await;
    let dir = tempfile::tempdir().unwrap();
    let sync = |more: Vec<String>| {
        let (url, dir) = (emulator.url().to_owned(), dir.path().to_path_buf());
        async move {
            let mut args = vec!["backup", "sync", "mirror", "--metrics-file", "m.prom"];
            args.extend(more.iter().map(String::as_str));
            dezai(&url, &dir, &args, KEYS).await
        }
    };
    let before = now();
    let first = sync(Vec::new()).await;
    assert!(first.status.success(), "{}", stderr(&first));
    let file = dir.path().join("m.prom");
    let text = std::fs::read_to_string(&file).unwrap();
    let (ok, said) = promtool_check(&file);
    assert!(ok, "promtool check metrics: {said}\n{text}");
    for (kind, instance) in &instances {
        let labels = [
            ("kind", kind.as_str()),
            ("region", "cn-bj2"),
            ("instance", instance),
        ];
        let made = value(&text, "dezai_backup_newest_copy_timestamp_seconds", &labels);
        assert_eq!(made, Some(MADE as f64), "{kind} {instance}\n{text}");
        let age = value(&text, "dezai_backup_newest_copy_age_seconds", &labels).unwrap();
        assert!((age - (before - MADE as f64)).abs() < 120.0, "{age}");
    }
    let run = |name: &str| value(&text, name, &[]).unwrap_or_else(|| panic!("{name}\n{text}"));
    let success = run("dezai_backup_sync_last_success_timestamp_seconds");
    assert!(success >= before.floor() && success <= now(), "{success}");
    assert_eq!(run("dezai_backup_sync_instances"), instances.len() as f64);
    assert_eq!(run("dezai_backup_sync_failed_instances"), 0.0);
    assert_eq!(
        run("dezai_backup_sync_copied_bytes"),
        (instances.len() as u64 * SIZE) as f64
    );
    for name in [
        "dezai_backup_sync_duration_seconds",
        "dezai_backup_newest_copy_age_seconds",
    ] {
        assert!(text.contains(&format!("# HELP {name} ")), "{text}");
        assert!(text.contains(&format!("# TYPE {name} gauge")), "{text}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644, "node_exporter's user must read it");
    }

    // A run with a failure: the failure counted, the last success kept as it was.
    std::thread::sleep(Duration::from_millis(1100));
    let (kind, instance) = &instances[0];
    let listed = format!("{kind}/cn-bj2/{instance}");
    let missing = format!("{kind}/cn-bj2/{kind}-nowhere");
    let failed = sync(vec![
        "--instance".into(),
        listed,
        "--instance".into(),
        missing,
    ])
    .await;
    assert_eq!(failed.status.code(), Some(8), "{}", stderr(&failed));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(promtool_check(&file).0, "{text}");
    let run = |name: &str| value(&text, name, &[]);
    assert_eq!(
        run("dezai_backup_sync_last_success_timestamp_seconds"),
        Some(success)
    );
    assert_eq!(run("dezai_backup_sync_failed_instances"), Some(1.0));
    assert_eq!(run("dezai_backup_sync_copied_bytes"), Some(0.0));
    let labels = [("kind", kind.as_str()), ("instance", instance.as_str())];
    let made = value(&text, "dezai_backup_newest_copy_timestamp_seconds", &labels);
    assert_eq!(made, Some(MADE as f64), "{text}");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.starts_with(".dezai-metrics")),
        "a temporary file was left: {names:?}"
    );

    // `status` writes each instance's newest copy too.
    let status = dezai(
        emulator.url(),
        dir.path(),
        &[
            "backup",
            "status",
            "mirror",
            "--metrics-file",
            "status.prom",
        ],
        KEYS,
    )
    .await;
    assert!(status.status.success(), "{}", stderr(&status));
    let status_file = dir.path().join("status.prom");
    let text = std::fs::read_to_string(&status_file).unwrap();
    assert!(promtool_check(&status_file).0, "{text}");
    let newest = samples(&text, "dezai_backup_newest_copy_timestamp_seconds");
    assert_eq!(newest.len(), instances.len(), "{text}");
    assert!(newest.iter().all(|(_, v)| *v == MADE as f64), "{text}");

    // Stale copies and a gateway that is not there: one error saying both, exit 9 kept.
    let args = [
        "backup",
        "status",
        "mirror",
        "--max-age",
        "1h",
        "--pushgateway",
        "http://127.0.0.1:9",
    ];
    let both = dezai(emulator.url(), dir.path(), &args, KEYS).await;
    assert_eq!(both.status.code(), Some(9), "{}", stderr(&both));
    let said = stderr(&both);
    assert!(
        said.contains("newer than --max-age") && said.contains("cannot push"),
        "{said}"
    );
}

/// A Pushgateway on 127.0.0.1, stopped when dropped.
struct Pushgateway {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Pushgateway {
    async fn start() -> Self {
        let program = program("DEZAI_PUSHGATEWAY", "prometheus-pushgateway");
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(program)
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg(format!(
                "--persistence.file={}",
                dir.path().join("pushgateway.data").display()
            ))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let gateway = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        };
        for _ in 0..100 {
            if let Ok(answer) = http().get(format!("{}/-/ready", gateway.url)).send().await {
                if answer.status().is_success() {
                    return gateway;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the Pushgateway did not start");
    }

    async fn metrics(&self) -> String {
        let answer = http().get(format!("{}/metrics", self.url)).send().await;
        answer.unwrap().text().await.unwrap()
    }
}

impl Drop for Pushgateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_pushes_its_series_to_a_pushgateway_one_group_per_shard() {
    let gateway = Pushgateway::start().await;
    let (world, instances) = fleet();
    let emulator = common::world_emulator(world, KEYS).await;
    let dir = tempfile::tempdir().unwrap();
    let push = |more: Vec<String>| {
        let (url, dir, gateway) = (
            emulator.url().to_owned(),
            dir.path().to_path_buf(),
            gateway.url.clone(),
        );
        async move {
            let mut args = vec!["backup", "sync", "mirror", "--pushgateway", &gateway];
            args.extend(more.iter().map(String::as_str));
            dezai(&url, &dir, &args, KEYS).await
        }
    };
    for shard in ["0/2", "1/2"] {
        let run = push(vec!["--shard".into(), shard.into()]).await;
        assert!(run.status.success(), "{}", stderr(&run));
    }
    let text = gateway.metrics().await;
    for (kind, instance) in &instances {
        let labels = [
            ("job", "dezai_backup"),
            ("kind", kind.as_str()),
            ("region", "cn-bj2"),
            ("instance", instance.as_str()),
        ];
        let made = value(&text, "dezai_backup_newest_copy_timestamp_seconds", &labels);
        assert_eq!(made, Some(MADE as f64), "{kind} {instance}\n{text}");
    }
    let success = "dezai_backup_sync_last_success_timestamp_seconds";
    let of_shard = |text: &str, name: &str, shard: &str| {
        value(text, name, &[("job", "dezai_backup"), ("shard", shard)])
    };
    let first = of_shard(&text, success, "0").expect("shard 0's success");
    assert!(of_shard(&text, success, "1").is_some(), "{text}");
    let per_shard: f64 = ["0", "1"]
        .iter()
        .map(|s| of_shard(&text, "dezai_backup_sync_instances", s).unwrap())
        .sum();
    assert_eq!(per_shard, instances.len() as f64);

    // A failed run of shard 0 replaces its figures but keeps its last success.
    std::thread::sleep(Duration::from_millis(1100));
    let (kind, _) = &instances[0];
    let missing = format!("{kind}/cn-bj2/{kind}-nowhere");
    let failed = push(vec![
        "--shard".into(),
        "0/2".into(),
        "--instance".into(),
        missing,
    ])
    .await;
    assert_eq!(failed.status.code(), Some(8), "{}", stderr(&failed));
    let text = gateway.metrics().await;
    assert_eq!(of_shard(&text, success, "0"), Some(first), "{text}");
    let failures = of_shard(&text, "dezai_backup_sync_failed_instances", "0");
    assert_eq!(failures, Some(1.0), "{text}");

    // `status` pushes under the job it is given, a slash in it included (sent base64url).
    let status = dezai(
        emulator.url(),
        dir.path(),
        &[
            "backup",
            "status",
            "mirror",
            "--pushgateway",
            &gateway.url,
            "--pushgateway-job",
            "nightly/status",
        ],
        KEYS,
    )
    .await;
    assert!(status.status.success(), "{}", stderr(&status));
    let text = gateway.metrics().await;
    let pushed = samples(&text, "dezai_backup_newest_copy_timestamp_seconds");
    let by_status = pushed
        .iter()
        .filter(|(labels, _)| labels.get("job").map(String::as_str) == Some("nightly/status"));
    assert_eq!(by_status.count(), instances.len(), "{text}");

    // A gateway that is not there is an error naming it, after the copies were made.
    let gone = dezai(
        emulator.url(),
        dir.path(),
        &[
            "backup",
            "sync",
            "mirror",
            "--pushgateway",
            "http://user:hunter2@127.0.0.1:9",
        ],
        KEYS,
    )
    .await;
    assert_eq!(gone.status.code(), Some(1), "{}", stderr(&gone));
    let said = stderr(&gone);
    assert!(
        said.contains("cannot push the metrics to http://user@127.0.0.1:9/"),
        "{said}"
    );
    assert!(!said.contains("hunter2"), "{said}");
}
