//! Progress bars (indicatif) on stderr for long work — only when stderr is a terminal and the
//! output is not JSON; otherwise every call is a no-op.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar of `len` units (`bytes`: shown as sizes), or nothing when it should not be drawn.
    pub fn new(show: bool, len: u64, bytes: bool, what: &str) -> Progress {
        if !show || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let template = if bytes {
            "{prefix} [{bar:30}] {bytes}/{total_bytes} {msg} ({elapsed})"
        } else {
            "{prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed})"
        };
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr())
            .with_style(style)
            .with_prefix(what.to_string());
        Progress(Some(bar))
    }

    pub fn inc(&self, n: u64) {
        if let Some(b) = &self.0 {
            b.inc(n);
        }
    }

    pub fn message(&self, m: String) {
        if let Some(b) = &self.0 {
            b.set_message(m);
        }
    }

    pub fn position(&self) -> u64 {
        self.0.as_ref().map_or(0, ProgressBar::position)
    }

    /// Leaves the finished bar on the terminal.
    pub fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish();
        }
    }
}
