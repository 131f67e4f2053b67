//! The runs of `tierbook serve`: each has a private folder inside the
//! server's own (created 0700), its uploads under `in/` (removed as soon as
//! the run is over) and what it wrote under `out/` (kept for downloading
//! until the run expires, an hour by default). While a run is going, its
//! progress can be asked for by the id the page gave it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::progress::{Phase, Progress};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    /// The upload is being received (`bytes` so far).
    Receiving { bytes: u64 },
    /// Sheets of one kind of input are read.
    Reading {
        kind: &'static str,
        done: u64,
        total: u64,
    },
    /// The model is built and graded (between and after the readings).
    Computing,
    /// The workbooks and the JSON are written.
    Writing,
}

/// The progress of one run, shared with the pipeline (a [`Progress`]).
#[derive(Debug)]
pub struct RunProgress {
    started: Instant,
    stage: Mutex<Stage>,
}

impl Default for RunProgress {
    fn default() -> Self {
        RunProgress {
            started: Instant::now(),
            stage: Mutex::new(Stage::Receiving { bytes: 0 }),
        }
    }
}

/// What the page is told about a run: its stage and the time since it began.
#[derive(Debug, Serialize)]
pub struct ProgressReport {
    #[serde(flatten)]
    pub stage: Stage,
    pub elapsed_ms: u128,
}

impl RunProgress {
    pub fn set(&self, stage: Stage) {
        *lock(&self.stage) = stage;
    }

    pub fn report(&self) -> ProgressReport {
        ProgressReport {
            stage: *lock(&self.stage),
            elapsed_ms: self.started.elapsed().as_millis(),
        }
    }
}

impl Progress for RunProgress {
    fn begin(&self, phase: Phase, total: u64) {
        let Phase::Reading(kind) = phase;
        if total > 0 {
            self.set(Stage::Reading {
                kind: kind.as_str(),
                done: 0,
                total,
            });
        }
    }

    fn advance(&self, n: u64) {
        if let Stage::Reading { done, .. } = &mut *lock(&self.stage) {
            *done += n;
        }
    }

    fn end(&self) {
        self.set(Stage::Computing);
    }
}

/// Whether a run id the page chose is usable: 8 to 64 letters, digits, `-`, `_`.
pub fn valid_id(id: &str) -> bool {
    (8..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The runs in progress, by the id the page gave them.
#[derive(Debug, Default)]
pub struct Tracker {
    runs: Mutex<HashMap<String, Arc<RunProgress>>>,
}

/// A run's place in the [`Tracker`], given up when dropped.
pub struct Tracked<'a> {
    tracker: &'a Tracker,
    id: Option<String>,
    pub progress: Arc<RunProgress>,
}

impl Drop for Tracked<'_> {
    fn drop(&mut self) {
        if let Some(id) = &self.id {
            lock(&self.tracker.runs).remove(id);
        }
    }
}

impl Tracker {
    /// Starts tracking a run under `id` (when the page gave a usable one).
    pub fn track(&self, id: Option<&str>) -> Tracked<'_> {
        let progress = Arc::new(RunProgress::default());
        let id = id.filter(|i| valid_id(i)).map(str::to_string);
        if let Some(id) = &id {
            lock(&self.runs).insert(id.clone(), progress.clone());
        }
        Tracked {
            tracker: self,
            id,
            progress,
        }
    }

    /// The progress of the run `id`, while it goes on.
    pub fn get(&self, id: &str) -> Option<ProgressReport> {
        lock(&self.runs).get(id).map(|p| p.report())
    }
}

/// A file a run wrote, offered for download.
#[derive(Debug, Clone)]
pub struct Download {
    /// The key in the API's `downloads` (`evaluation`, `json`, …).
    pub key: &'static str,
    pub path: PathBuf,
    /// The name the browser saves it under (may be Chinese).
    pub name: String,
    /// The same name in ASCII, for clients without RFC 5987.
    pub ascii_name: String,
    pub mime: &'static str,
}

/// The folder of one run; removed when dropped unless it was kept.
pub struct RunDir {
    pub id: String,
    pub path: PathBuf,
    kept: bool,
}

impl RunDir {
    /// Where the uploads go.
    pub fn input(&self) -> PathBuf {
        self.path.join("in")
    }

    /// Where the outputs go.
    pub fn output(&self) -> PathBuf {
        self.path.join("out")
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// A finished run whose outputs wait to be downloaded.
struct Finished {
    path: PathBuf,
    downloads: Vec<Download>,
    at: Instant,
}

/// Every run's folder, under the server's private folder.
pub struct Runs {
    root: PathBuf,
    keep: Duration,
    finished: Mutex<HashMap<String, Finished>>,
}

impl Runs {
    /// Runs in `root`, their outputs kept for `keep`.
    pub fn new(root: &Path, keep: Duration) -> Runs {
        Runs {
            root: root.to_path_buf(),
            keep,
            finished: Mutex::new(HashMap::new()),
        }
    }

    /// A new run's folder, named by a random id, with `in/` and `out/`.
    ///
    /// # Errors
    /// The folder cannot be made, or no random id can be had.
    pub fn create(&self) -> std::io::Result<RunDir> {
        let bytes = super::security::random_bytes::<16>().map_err(std::io::Error::other)?;
        let id = super::security::hex(&bytes);
        let path = self.root.join(&id);
        let run = RunDir {
            id,
            path,
            kept: false,
        };
        std::fs::create_dir(&run.path)?;
        std::fs::create_dir(run.input())?;
        std::fs::create_dir(run.output())?;
        Ok(run)
    }

    /// Keeps a run's outputs for download; its uploads are removed now.
    pub fn finish(&self, mut run: RunDir, downloads: Vec<Download>) {
        let _ = std::fs::remove_dir_all(run.input());
        run.kept = true;
        lock(&self.finished).insert(
            run.id.clone(),
            Finished {
                path: run.path.clone(),
                downloads,
                at: Instant::now(),
            },
        );
    }

    /// The download `key` of run `id`, while it is kept.
    pub fn download(&self, id: &str, key: &str) -> Option<Download> {
        let finished = lock(&self.finished);
        let run = finished.get(id)?;
        (run.at.elapsed() < self.keep)
            .then(|| run.downloads.iter().find(|d| d.key == key).cloned())
            .flatten()
    }

    /// Removes the runs kept longer than their time; returns how many.
    pub fn sweep(&self) -> usize {
        let mut finished = lock(&self.finished);
        let expired: Vec<String> = finished
            .iter()
            .filter(|(_, r)| r.at.elapsed() >= self.keep)
            .map(|(id, _)| id.clone())
            .collect();
        for id in &expired {
            if let Some(run) = finished.remove(id) {
                let _ = std::fs::remove_dir_all(&run.path);
            }
        }
        expired.len()
    }

    /// How often [`Runs::sweep`] should run: every minute, or more often
    /// when runs are kept less than two minutes.
    pub fn sweep_every(&self) -> Duration {
        (self.keep / 2).clamp(Duration::from_millis(100), Duration::from_secs(60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::InputKind;

    #[test]
    fn progress_follows_the_readings() {
        let p = RunProgress::default();
        assert_eq!(p.report().stage, Stage::Receiving { bytes: 0 });
        p.begin(Phase::Reading(InputKind::Ledger), 24);
        p.advance(1);
        p.advance(2);
        assert_eq!(
            p.report().stage,
            Stage::Reading {
                kind: "ledger",
                done: 3,
                total: 24
            }
        );
        p.end();
        // A kind without files does not take the stage back to reading.
        p.begin(Phase::Reading(InputKind::Receipts), 0);
        assert_eq!(p.report().stage, Stage::Computing);
        let json = serde_json::to_value(p.report()).expect("json");
        assert_eq!(json["stage"], "computing");
        assert!(json["elapsed_ms"].is_number());
    }

    #[test]
    fn runs_are_tracked_while_they_go_on() {
        let t = Tracker::default();
        {
            let run = t.track(Some("abcdef012345"));
            run.progress.set(Stage::Writing);
            assert_eq!(t.get("abcdef012345").map(|r| r.stage), Some(Stage::Writing));
            let _untracked = t.track(Some("../x"));
            assert!(t.get("../x").is_none());
        }
        assert!(t.get("abcdef012345").is_none());
        assert!(valid_id("run-1_abcd") && !valid_id("short") && !valid_id("a b c d e f"));
    }

    #[test]
    fn uploads_go_when_a_run_ends_and_outputs_when_it_expires() -> std::io::Result<()> {
        let root = tempfile::tempdir()?;
        let runs = Runs::new(root.path(), Duration::from_millis(50));
        let failed = runs.create()?;
        let failed_path = failed.path.clone();
        drop(failed);
        assert!(!failed_path.exists(), "a failed run leaves nothing");
        let run = runs.create()?;
        std::fs::write(run.input().join("ledger.xlsx"), b"x")?;
        std::fs::write(run.output().join("evaluation.xlsx"), b"y")?;
        let (id, path, out) = (run.id.clone(), run.path.clone(), run.output());
        let d = Download {
            key: "evaluation",
            path: out.join("evaluation.xlsx"),
            name: "评定表.xlsx".into(),
            ascii_name: "evaluation.xlsx".into(),
            mime: "application/octet-stream",
        };
        runs.finish(run, vec![d]);
        assert!(!path.join("in").exists(), "uploads removed");
        assert!(runs.download(&id, "evaluation").is_some());
        assert!(runs.download(&id, "json").is_none());
        std::thread::sleep(Duration::from_millis(60));
        assert!(runs.download(&id, "evaluation").is_none(), "expired");
        assert_eq!(runs.sweep(), 1);
        assert!(!path.exists());
        Ok(())
    }
}
