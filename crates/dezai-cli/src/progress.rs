//! A download's progress on stderr, for the backup commands: a bar on a terminal, a line every
//! few seconds otherwise; retries, restarts and refreshed URLs as lines.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use dezai_runtime::download::Progress;

/// Progress on stderr: a bar on a terminal, a line every few seconds otherwise; retries and
/// restarts as lines.
pub(crate) struct Bar {
    bar: Option<indicatif::ProgressBar>,
    last: Instant,
}

impl Bar {
    pub(crate) fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bytes}/{total_bytes} {wide_bar} {bytes_per_sec} ETA {eta}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Self {
            bar,
            last: Instant::now(),
        }
    }

    fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    pub(crate) fn show(&mut self, event: &Progress<'_>) {
        match event {
            Progress::Started { at, total } => {
                if let Some(bar) = &self.bar {
                    bar.set_length(total.unwrap_or(0));
                    bar.set_position(*at);
                } else if *at > 0 {
                    eprintln!("resuming at {at} bytes");
                }
            }
            Progress::Advanced { at, total } => {
                if let Some(bar) = &self.bar {
                    bar.set_position(*at);
                } else if self.last.elapsed() >= Duration::from_secs(5) {
                    self.last = Instant::now();
                    let of = total.map_or(String::new(), |t| format!(" of {t}"));
                    eprintln!("{at}{of} bytes");
                }
            }
            Progress::Restarted => self.line(
                "the server sent the whole file (it ignores ranges, or the file changed): starting over",
            ),
            Progress::Refreshing => self.line("the backup URL has expired: asking for a new one"),
            Progress::Retrying { wait, error, .. } => {
                self.line(&format!("{error}; resuming in {} ms", wait.as_millis()));
            }
            _ => {}
        }
    }

    pub(crate) fn done(&self, size: u64, elapsed: Duration) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let seconds = elapsed.as_secs_f64().max(1e-3);
        eprintln!(
            "downloaded {size} bytes in {seconds:.1} s ({:.1} MB/s)",
            size as f64 / seconds / 1e6
        );
    }
}
