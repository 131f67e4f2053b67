//! Interrupts (SPEC 10, Flags and outputs): when a run gets SIGINT (Ctrl-C),
//! SIGTERM or SIGHUP, every file it listed as pending is removed before the
//! process ends with exit code 128 + the signal's number (130, 143, 129).
//!
//! Pending files are the temporary outputs beside their targets
//! (`.tierbook-*.tmp`) and the outputs already renamed into place while the
//! rest of their all-or-nothing set is not. Other temporary files of a run
//! need nothing: the ledger spills and rust_xlsxwriter's constant-memory
//! worksheets are anonymous files (`tempfile::tempfile`, opened with
//! `O_TMPFILE` on Linux, unlinked at once elsewhere) that vanish with the
//! process.
//!
//! A file is created and listed, renamed and relisted, removed and unlisted
//! under one lock, which the interrupt takes for good before it removes
//! anything: so an interrupt comes either before a step or after it, never
//! in the middle, and no file appears once the cleanup has run.
//!
//! A command that runs until it is stopped (`serve`) may take the first
//! interrupt for itself with [`on_first_interrupt`] and shut down in order;
//! a second interrupt ends the process as above.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The files to remove if the run is interrupted.
#[derive(Debug, Default)]
pub struct Pending {
    paths: Vec<PathBuf>,
}

impl Pending {
    /// Lists `path` for removal on an interrupt.
    pub fn add(&mut self, path: &Path) {
        self.paths.push(path.to_path_buf());
    }

    /// Takes `path` off the list (it is done with, or already gone).
    pub fn forget(&mut self, path: &Path) {
        self.paths.retain(|p| p != path);
    }

    /// Whether `path` is listed.
    pub fn contains(&self, path: &Path) -> bool {
        self.paths.iter().any(|p| p == path)
    }

    /// Removes every listed file (a folder with what it holds); a file that
    /// is already gone is no error.
    fn remove_all(&mut self) {
        for path in self.paths.drain(..) {
            let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
            let _ = if is_dir {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
}

static PENDING: Mutex<Pending> = Mutex::new(Pending { paths: Vec::new() });

fn lock() -> MutexGuard<'static, Pending> {
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `step` (creating, renaming or removing files) with the pending list,
/// so that an interrupt sees the files and the list agree. `step` must not
/// call `with_pending` itself.
pub fn with_pending<T>(step: impl FnOnce(&mut Pending) -> T) -> T {
    step(&mut lock())
}

/// What a command does with the first interrupt instead of ending the process.
type Hook = Box<dyn FnOnce(i32) + Send>;

static HOOK: Mutex<Option<Hook>> = Mutex::new(None);

/// Hands the next interrupt (its signal number) to `hook` instead of ending
/// the process; the interrupt after that removes the pending files and ends
/// it. Replaces a hook not yet called.
pub fn on_first_interrupt(hook: impl FnOnce(i32) + Send + 'static) {
    *HOOK.lock().unwrap_or_else(PoisonError::into_inner) = Some(Box::new(hook));
}

/// The hook set by [`on_first_interrupt`], taken off (it runs once).
fn take_hook() -> Option<Hook> {
    HOOK.lock().unwrap_or_else(PoisonError::into_inner).take()
}

/// Starts listening for SIGINT, SIGTERM and SIGHUP (once per process; later
/// calls do nothing): on the first (or the first after a hook of
/// [`on_first_interrupt`] ran), the pending files are removed and the
/// process exits with 128 + its number.
///
/// # Errors
/// When the signal handlers cannot be registered or the listening thread
/// cannot start.
#[cfg(unix)]
pub fn install() -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    static INSTALLED: Mutex<bool> = Mutex::new(false);
    let mut installed = INSTALLED.lock().unwrap_or_else(PoisonError::into_inner);
    if *installed {
        return Ok(());
    }
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("tierbook-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                if let Some(hook) = take_hook() {
                    hook(signal);
                    continue;
                }
                // The lock is kept until the process ends: no step runs after the cleanup.
                let mut pending = lock();
                pending.remove_all();
                eprintln!("error: interrupted by {}", signal_name(signal));
                std::process::exit(128 + signal);
            }
        })?;
    *installed = true;
    Ok(())
}

/// Without Unix signals an interrupt ends the process as the system does.
#[cfg(not(unix))]
pub fn install() -> std::io::Result<()> {
    Ok(())
}

/// The name of an interrupt signal (SIGINT, SIGTERM, SIGHUP).
#[cfg(unix)]
pub fn signal_name(signal: i32) -> &'static str {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    match signal {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

/// Without Unix signals there are no signal names.
#[cfg(not(unix))]
pub fn signal_name(_signal: i32) -> &'static str {
    "an interrupt"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_listed_files_and_folders_and_skips_missing_ones() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join(".tierbook-a.tmp");
        let folder = dir.path().join(".tierbook-sample-x");
        let kept = dir.path().join("kept.xlsx");
        std::fs::write(&file, b"a")?;
        std::fs::create_dir(&folder)?;
        std::fs::write(folder.join("ledger.xlsx"), b"b")?;
        std::fs::write(&kept, b"c")?;
        let mut pending = Pending::default();
        pending.add(&file);
        pending.add(&folder);
        pending.add(&kept);
        pending.add(&dir.path().join("gone.tmp"));
        pending.forget(&kept);
        pending.remove_all();
        let left: Vec<_> = std::fs::read_dir(dir.path())?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left, ["kept.xlsx"]);
        assert!(pending.paths.is_empty());
        Ok(())
    }
}
