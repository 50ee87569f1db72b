//! One run per mirror: `sync` and `verify` hold an exclusive OS lock (`flock`, through `fs4`)
//! on [`LOCK_FILE`] in the mirror's folder for as long as they run. The operating system drops
//! the lock with its process, so a run killed by SIGKILL leaves nothing stale: the file stays,
//! unlocked, and the next run takes it. The holder writes who it is into the file (pid, host,
//! start time), which a refused run reads to name it.

use std::io::{Read, Seek, Write};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use fs4::fs_std::FileExt;

use super::error::MirrorError;

/// The lock file's name in the mirror's folder.
pub const LOCK_FILE: &str = ".dezai-backups.lock";
/// How often a waiting run tries the lock again.
const RETRY_EVERY: Duration = Duration::from_millis(200);

/// The mirror's lock, held until dropped.
#[derive(Debug)]
pub(crate) struct MirrorLock {
    /// Closing the file releases the lock.
    _file: std::fs::File,
}

/// Takes the lock of `dir` (which exists), waiting up to `wait` for another run to end;
/// [`MirrorError::Locked`] naming the holder when it does not.
pub(crate) async fn acquire(dir: &Path, wait: Option<Duration>) -> Result<MirrorLock, MirrorError> {
    let path = dir.join(LOCK_FILE);
    let io = |source: std::io::Error| MirrorError::Io {
        path: path.clone(),
        source,
    };
    // Never truncated on open: the holder's words stay readable until a new holder writes.
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    let deadline = wait.map(|w| Instant::now() + w);
    loop {
        if file.try_lock_exclusive().map_err(io)? {
            break;
        }
        if deadline.is_none_or(|d| Instant::now() >= d) {
            return Err(MirrorError::Locked {
                dir: dir.to_path_buf(),
                holder: holder(&mut file).await,
            });
        }
        tokio::time::sleep(RETRY_EVERY).await;
    }
    let me = format!(
        "pid {} on {} since {}",
        std::process::id(),
        host_name(),
        humantime::format_rfc3339_seconds(SystemTime::now())
    );
    // Written over the last holder's words, then cut to length: a reader never finds the file
    // empty once a holder has written.
    file.rewind().map_err(io)?;
    file.write_all(me.as_bytes()).map_err(io)?;
    file.set_len(me.len() as u64).map_err(io)?;
    Ok(MirrorLock { _file: file })
}

/// Who holds the lock, as it wrote itself. A holder writes just after it takes the lock, so a
/// file still empty is read again for a moment before saying so.
async fn holder(file: &mut std::fs::File) -> String {
    for _ in 0..20 {
        let mut words = String::new();
        let read = file.rewind().and_then(|()| file.read_to_string(&mut words));
        if read.is_ok() && !words.trim().is_empty() {
            return words.trim().to_owned();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    "a run that has not said who it is yet".to_owned()
}

/// This machine's name, for the holder's line.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "an unnamed host".into())
}
