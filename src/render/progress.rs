//! A progress bar on stderr for long runs: files done of total, findings so far.
//!
//! In: the live [`Progress`] counters a run updates. Out: an indicatif bar, drawn by its own
//! thread only once the run has lasted `delay` (a quick run shows nothing), and cleared when
//! the run ends so the report that follows starts on a clean line. Whether to show one at
//! all (only on a terminal, never with `--quiet` or a machine-readable format) is the
//! caller's decision: see [`wanted`].

use crate::run::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a run goes before a bar appears.
pub const DELAY: Duration = Duration::from_secs(1);
const REFRESH: Duration = Duration::from_millis(100);

/// Whether a run should show a bar: stderr is a terminal, the user did not ask for quiet,
/// and stdout is for people, not for a program.
pub fn wanted(stderr_is_terminal: bool, quiet: bool, machine_readable: bool) -> bool {
    stderr_is_terminal && !quiet && !machine_readable
}

/// A bar being drawn (or waiting for its delay); [`Bar::finish`] or dropping it clears it.
pub struct Bar {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl Bar {
    /// A bar on stderr after [`DELAY`].
    pub fn on_stderr(progress: Arc<Progress>) -> Bar {
        Bar::start(progress, DELAY, ProgressDrawTarget::stderr())
    }

    pub fn start(progress: Arc<Progress>, delay: Duration, target: ProgressDrawTarget) -> Bar {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let signal = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            if wait(&signal, delay) {
                return;
            }
            let bar = ProgressBar::with_draw_target(None, target);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} checking {pos}/{len} files, {msg} {wide_bar} {elapsed}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            loop {
                bar.set_length(progress.total.load(Ordering::Relaxed) as u64);
                bar.set_position(progress.done.load(Ordering::Relaxed) as u64);
                let findings = progress.findings.load(Ordering::Relaxed);
                bar.set_message(match findings {
                    1 => "1 finding".to_owned(),
                    n => format!("{n} findings"),
                });
                bar.tick();
                if wait(&signal, REFRESH) {
                    break;
                }
            }
            bar.finish_and_clear();
        });
        Bar {
            stop,
            thread: Some(thread),
        }
    }

    /// Stop drawing and clear the bar.
    pub fn finish(mut self) {
        self.stop_thread();
    }

    fn stop_thread(&mut self) {
        let (stopped, changed) = &*self.stop;
        *stopped.lock().unwrap_or_else(|e| e.into_inner()) = true;
        changed.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.stop_thread();
    }
}

/// Sleep up to `timeout`; true if the bar was stopped meanwhile.
fn wait(signal: &(Mutex<bool>, Condvar), timeout: Duration) -> bool {
    let (stopped, changed) = signal;
    let guard = stopped.lock().unwrap_or_else(|e| e.into_inner());
    let (guard, _) = changed
        .wait_timeout_while(guard, timeout, |stopped| !*stopped)
        .unwrap_or_else(|e| e.into_inner());
    *guard
}

#[cfg(test)]
mod tests {
    use super::*;
    use indicatif::TermLike;

    /// A terminal that records everything written to it.
    #[derive(Debug, Default, Clone)]
    struct Recorder(Arc<Mutex<String>>);

    impl Recorder {
        fn text(&self) -> String {
            self.0.lock().unwrap().clone()
        }
    }

    impl TermLike for Recorder {
        fn width(&self) -> u16 {
            100
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(&format!("{s}\n"))
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn counters(total: usize, done: usize, findings: usize) -> Arc<Progress> {
        let progress = Progress::default();
        progress.total.store(total, Ordering::Relaxed);
        progress.done.store(done, Ordering::Relaxed);
        progress.findings.store(findings, Ordering::Relaxed);
        Arc::new(progress)
    }

    #[test]
    fn a_long_run_shows_files_and_findings() {
        let term = Recorder::default();
        let target = ProgressDrawTarget::term_like(Box::new(term.clone()));
        let bar = Bar::start(counters(40, 12, 3), Duration::ZERO, target);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !term.text().contains("checking 12/40 files, 3 findings")
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        bar.finish();
        assert!(
            term.text().contains("checking 12/40 files, 3 findings"),
            "drawn: {:?}",
            term.text()
        );
    }

    #[test]
    fn a_run_shorter_than_the_delay_draws_nothing() {
        let term = Recorder::default();
        let target = ProgressDrawTarget::term_like(Box::new(term.clone()));
        let bar = Bar::start(counters(3, 3, 0), Duration::from_secs(60), target);
        bar.finish();
        assert_eq!(term.text(), "");
    }

    #[test]
    fn only_on_a_terminal_for_people() {
        assert!(wanted(true, false, false));
        assert!(!wanted(false, false, false));
        assert!(!wanted(true, true, false));
        assert!(!wanted(true, false, true));
    }
}
