//! Prometheus metrics of `backup sync` and `backup status`, for a job that cannot be scraped:
//! `--metrics-file PATH` (node_exporter's textfile collector; written to a temporary file
//! beside it, then renamed, so the collector never reads half a file) and `--pushgateway URL`
//! (a push to a Pushgateway). `docs/backups.md` ("Metrics and alerts") lists the series.
//!
//! Everything is a gauge in Prometheus' text format 0.0.4, with HELP and TYPE lines, base
//! units (seconds, bytes) and Unix-seconds timestamps, as Prometheus' naming guide asks.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use dezai_backups::mirror::{Copy, InstanceStatus, Report, Shard, Status};

/// The run series that only a run without failures sets; a failed run keeps the last one.
const LAST_SUCCESS: &str = "dezai_backup_sync_last_success_timestamp_seconds";
const LAST_SUCCESS_HELP: &str =
    "When the last sync run in which every instance succeeded ended, in Unix seconds.";

/// The series of one run or status, ready to write.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    families: Vec<Family>,
    /// The shard the run copied: a label of each run series and the Pushgateway group.
    shard: Option<Shard>,
    /// Whether the run had no failure (a push then replaces the whole group).
    succeeded: bool,
}

/// One metric: its name, help and samples.
#[derive(Debug)]
struct Family {
    name: &'static str,
    help: &'static str,
    samples: Vec<(Vec<(&'static str, String)>, f64)>,
}

impl Metrics {
    /// A sync run: each instance's newest copy, and the run's figures.
    pub(crate) fn of_sync(report: &Report, duration: Duration, shard: Option<Shard>) -> Self {
        let now = now();
        let newest = report.outcomes.iter().filter_map(|o| {
            let instance = o.instance.as_deref()?;
            Some((
                o.kind.as_str(),
                o.region.as_str(),
                instance,
                o.newest.as_ref(),
            ))
        });
        let mut metrics = Self::of_copies(newest, now);
        let copied: u64 = report
            .outcomes
            .iter()
            .filter_map(|o| match &o.status {
                Status::Copied { copy, .. } => Some(copy.size),
                _ => None,
            })
            .sum();
        let failed = report.failed();
        let instances = report.outcomes.iter().filter(|o| o.instance.is_some());
        let labels = || match shard {
            Some(shard) => vec![("shard", shard.index().to_string())],
            None => Vec::new(),
        };
        let mut run = |name, help, value: f64| {
            metrics.families.push(Family {
                name,
                help,
                samples: vec![(labels(), value)],
            })
        };
        if failed == 0 {
            run(LAST_SUCCESS, LAST_SUCCESS_HELP, now as f64);
        }
        run(
            "dezai_backup_sync_duration_seconds",
            "How long the last sync run took.",
            duration.as_secs_f64(),
        );
        run(
            "dezai_backup_sync_copied_bytes",
            "Bytes the last sync run copied (new copies only, every file).",
            copied as f64,
        );
        run(
            "dezai_backup_sync_failed_instances",
            "Instances the last sync run failed to copy (a failed listing of instances counts as one).",
            failed as f64,
        );
        run(
            "dezai_backup_sync_instances",
            "Instances the last sync run selected.",
            instances.count() as f64,
        );
        metrics.shard = shard;
        metrics.succeeded = failed == 0;
        metrics
    }

    /// `backup status`: each instance's newest complete copy.
    pub(crate) fn of_status(found: &[InstanceStatus]) -> Self {
        let newest = found.iter().map(|s| {
            let at = (s.kind.as_str(), s.region.as_str(), s.instance.as_str());
            (at.0, at.1, at.2, s.newest.as_ref())
        });
        Self::of_copies(newest, now())
    }

    /// The two series per instance with a complete copy: when its backup was made (when it
    /// was copied, for a backup without a time, as `status` reads it) and its age now.
    fn of_copies<'a>(
        newest: impl Iterator<Item = (&'a str, &'a str, &'a str, Option<&'a Copy>)>,
        now: i64,
    ) -> Self {
        let mut made = Family {
            name: "dezai_backup_newest_copy_timestamp_seconds",
            help: "When the backup of the instance's newest complete copy was made, in Unix seconds.",
            samples: Vec::new(),
        };
        let mut age = Family {
            name: "dezai_backup_newest_copy_age_seconds",
            help: "Age of the backup of the instance's newest complete copy when the metrics were written.",
            samples: Vec::new(),
        };
        for (kind, region, instance, copy) in newest {
            let Some(copy) = copy else { continue };
            let time = copy.time.unwrap_or(copy.copied_at);
            let labels = vec![
                ("kind", kind.to_owned()),
                ("region", region.to_owned()),
                ("instance", instance.to_owned()),
            ];
            made.samples.push((labels.clone(), time as f64));
            age.samples.push((labels, (now - time).max(0) as f64));
        }
        Self {
            families: vec![made, age],
            shard: None,
            succeeded: true,
        }
    }

    /// The text exposition format: HELP and TYPE, then the samples, of each family.
    pub(crate) fn text(&self) -> String {
        let mut out = String::new();
        for family in &self.families {
            let _ = writeln!(out, "# HELP {} {}", family.name, help_text(family.help));
            let _ = writeln!(out, "# TYPE {} gauge", family.name);
            for (labels, value) in &family.samples {
                out.push_str(family.name);
                if !labels.is_empty() {
                    let pairs: Vec<String> = labels
                        .iter()
                        .map(|(k, v)| format!("{k}=\"{}\"", label_value(v)))
                        .collect();
                    let _ = write!(out, "{{{}}}", pairs.join(","));
                }
                let _ = writeln!(out, " {value}");
            }
        }
        out
    }

    /// Writes the file atomically (a temporary file in the same folder, renamed over it),
    /// readable by the collector's user. A run with failures keeps the last success time the
    /// file held.
    pub(crate) fn write_file(mut self, path: &Path) -> Result<(), String> {
        if !self.succeeded {
            if let Some(kept) = std::fs::read_to_string(path)
                .ok()
                .and_then(|previous| last_success(&previous, self.shard))
            {
                let labels = self.run_labels();
                self.families.push(Family {
                    name: LAST_SUCCESS,
                    help: LAST_SUCCESS_HELP,
                    samples: vec![(labels, kept)],
                });
            }
        }
        let shown = path.display();
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mut file = tempfile::Builder::new()
            .prefix(".dezai-metrics")
            .tempfile_in(dir)
            .map_err(|e| format!("cannot write the metrics beside {shown}: {e}"))?;
        use std::io::Write as _;
        file.write_all(self.text().as_bytes())
            .and_then(|()| file.as_file().sync_all())
            .map_err(|e| format!("cannot write the metrics to {shown}: {e}"))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let readable = std::fs::Permissions::from_mode(0o644);
            std::fs::set_permissions(file.path(), readable)
                .map_err(|e| format!("cannot write the metrics to {shown}: {e}"))?;
        }
        file.persist(path)
            .map_err(|e| format!("cannot write the metrics to {shown}: {}", e.error))?;
        Ok(())
    }

    /// Pushes to a Pushgateway, into the group `job` (and `shard`, for a part of the fleet).
    /// A run without failures replaces the group (PUT: instances gone from the fleet go too);
    /// otherwise, and for `status`, only the series sent are replaced (POST), so the group
    /// keeps the last success time.
    pub(crate) async fn push(&self, gateway: &str, job: &str) -> Result<(), String> {
        let mut target = reqwest::Url::parse(gateway)
            .map_err(|e| format!("--pushgateway `{gateway}` is not a URL: {e}"))?;
        // Errors show the gateway without a password its URL may hold.
        let mut shown = target.clone();
        let _ = shown.set_password(None);
        let shard = self.shard.map(|s| s.index().to_string());
        let group = std::iter::once(("job", job)).chain(shard.as_deref().map(|k| ("shard", k)));
        {
            let mut path = target
                .path_segments_mut()
                .map_err(|()| format!("--pushgateway `{shown}` cannot take a path"))?;
            path.pop_if_empty().push("metrics");
            for (name, value) in group {
                match group_value(value) {
                    Some(encoded) => path.extend([format!("{name}@base64"), encoded]),
                    None => path.extend([name, value]),
                };
            }
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| format!("cannot push the metrics: {e}"))?;
        let request = if self.succeeded && self.has_run() {
            client.put(target)
        } else {
            client.post(target)
        };
        let answer = request
            .header("Content-Type", "text/plain; version=0.0.4")
            .body(self.text())
            .send()
            .await
            .map_err(|e| format!("cannot push the metrics to {shown}: {}", e.without_url()))?;
        let status = answer.status();
        if !status.is_success() {
            let said = answer.text().await.unwrap_or_default();
            return Err(format!(
                "the Pushgateway at {shown} refused the metrics: HTTP {status}: {}",
                said.trim()
            ));
        }
        Ok(())
    }

    fn has_run(&self) -> bool {
        self.families
            .iter()
            .any(|f| f.name.starts_with("dezai_backup_sync_"))
    }

    fn run_labels(&self) -> Vec<(&'static str, String)> {
        match self.shard {
            Some(shard) => vec![("shard", shard.index().to_string())],
            None => Vec::new(),
        }
    }
}

/// The last success time a previous file of ours holds for this shard.
fn last_success(previous: &str, shard: Option<Shard>) -> Option<f64> {
    let wanted = match shard {
        Some(shard) => format!("{LAST_SUCCESS}{{shard=\"{}\"}} ", shard.index()),
        None => format!("{LAST_SUCCESS} "),
    };
    let line = previous.lines().find(|l| l.starts_with(&wanted))?;
    line[wanted.len()..].trim().parse().ok()
}

/// A grouping label's value as the Pushgateway reads it from a path: base64url when it
/// holds a slash or is empty (`<name>@base64/<value>`), `None` when it can be sent as it is
/// (percent-encoded by the URL).
fn group_value(value: &str) -> Option<String> {
    use base64::Engine as _;
    match value {
        "" => Some("=".to_owned()),
        v if v.contains('/') => Some(base64::engine::general_purpose::URL_SAFE.encode(v)),
        _ => None,
    }
}

/// A label value with `\`, `"` and newlines escaped, as the text format requires.
fn label_value(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A HELP text with `\` and newlines escaped.
fn help_text(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\n', "\\n")
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_groups_are_escaped_as_prometheus_reads_them() {
        assert_eq!(label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(group_value("nightly"), None);
        assert_eq!(group_value("s3://b/m").as_deref(), Some("czM6Ly9iL20="));
        assert_eq!(group_value("").as_deref(), Some("="));
        let file = format!("# TYPE x gauge\n{LAST_SUCCESS}{{shard=\"1\"}} 17\n{LAST_SUCCESS} 12\n");
        assert_eq!(last_success(&file, Shard::new(1, 2)), Some(17.0));
        assert_eq!(last_success(&file, None), Some(12.0));
        assert_eq!(last_success(&file, Shard::new(0, 2)), None);
    }
}
