//! Safe writes (SPEC 8, 10): never onto an input, never over an existing file
//! without `--force` (checked at the start and again by the final rename,
//! which refuses to replace a file), always through a temporary file beside
//! the target that is renamed into place, so a failure or an interrupt
//! (see [`super::signals`]) leaves nothing half-written.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::signals;

/// A file path with links and `..` resolved, whether or not it exists yet.
pub fn resolve(path: &Path) -> Result<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Ok(p);
    }
    let name = path
        .file_name()
        .with_context(|| format!("{}: not a file name", path.display()))?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let parent = parent.canonicalize().with_context(|| {
        format!(
            "{}: the folder {} does not exist",
            path.display(),
            parent.display()
        )
    })?;
    Ok(parent.join(name))
}

/// The outputs of one command, checked before any work is done.
#[derive(Debug, Default)]
pub struct Outputs {
    inputs: Vec<PathBuf>,
    force: bool,
    targets: Vec<PathBuf>,
}

impl Outputs {
    /// `inputs` are every file the command reads.
    pub fn new(inputs: &[PathBuf], force: bool) -> Outputs {
        Outputs {
            inputs: inputs
                .iter()
                .filter_map(|p| p.canonicalize().ok())
                .collect(),
            force,
            targets: Vec::new(),
        }
    }

    /// Registers a target: refuses an input file, a folder, an existing file
    /// without `--force`, and the same target twice.
    pub fn add(&mut self, path: &Path) -> Result<PathBuf> {
        let resolved = resolve(path)?;
        if self.inputs.contains(&resolved) {
            bail!(
                "{}: refusing to write over an input file; choose another output name",
                path.display()
            );
        }
        if resolved.is_dir() {
            bail!(
                "{}: is a folder; give a file name for the output",
                path.display()
            );
        }
        if resolved.exists() && !self.force {
            return Err(already_exists(path));
        }
        if self.targets.contains(&resolved) {
            bail!("{}: given twice as an output", path.display());
        }
        self.targets.push(resolved.clone());
        Ok(resolved)
    }
}

/// What an output file holds: bytes already made, a writer that streams them
/// (a large JSON is never held whole in memory), or a writer that needs the
/// file itself (an xlsx package is assembled with seeks, straight into it).
pub enum Body<'a> {
    Bytes(&'a [u8]),
    Stream(&'a dyn Fn(&mut dyn Write) -> std::io::Result<()>),
    File(&'a dyn Fn(&mut std::fs::File) -> Result<()>),
}

/// The message for a target that exists and may not be replaced.
fn already_exists(path: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "{}: already exists; use --force to replace it",
        path.display()
    )
}

/// Says, in `lang`, that each of `paths` was written.
pub fn print_written<'p>(lang: crate::labels::Lang, paths: impl IntoIterator<Item = &'p Path>) {
    let wrote = crate::labels::cli::cli(lang).wrote;
    for path in paths {
        let path = path.display().to_string();
        eprintln!("{}", crate::labels::fill(wrote, &[("path", &path)]));
    }
}

/// `--out` of a command that writes a workbook: a path whose name ends in
/// `.xlsx` (any letter case), for clap (which names the flag and exits 2).
///
/// # Errors
/// The message for any other name (`.xls`, `.csv`, no extension).
pub fn xlsx_path(s: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(s);
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
    {
        Ok(path)
    } else {
        Err(format!(
            "\"{s}\" does not end in .xlsx: the workbook is written as an .xlsx file"
        ))
    }
}

impl Outputs {
    /// Writes several files all-or-nothing: [`Outputs::stage`], then
    /// [`Staged::commit`].
    ///
    /// # Errors
    /// See those two.
    pub fn write_all(&self, files: &[(&Path, Body)]) -> Result<()> {
        self.stage(files)?.commit()
    }

    /// Writes each file to a temporary file in its target folder
    /// (`.tierbook-*.tmp`, listed for removal on an interrupt); nothing is
    /// in place yet.
    ///
    /// # Errors
    /// When a temporary file cannot be created or written; every temporary
    /// file made so far is removed.
    pub fn stage(&self, files: &[(&Path, Body)]) -> Result<Staged> {
        let mut staged = Vec::with_capacity(files.len());
        for (path, body) in files {
            let mut tmp = TempOutput::create(path)?;
            let file = &mut tmp.file;
            match body {
                Body::Bytes(bytes) => file.write_all(bytes).map_err(anyhow::Error::from),
                Body::Stream(write) => {
                    let mut w = std::io::BufWriter::with_capacity(1 << 16, file.as_file_mut());
                    write(&mut w)
                        .and_then(|()| w.flush())
                        .map_err(anyhow::Error::from)
                }
                Body::File(write) => write(file.as_file_mut()),
            }
            .and_then(|()| Ok(file.as_file().sync_all()?))
            .with_context(|| format!("{}: cannot write", path.display()))?;
            staged.push((tmp, path.to_path_buf()));
        }
        Ok(Staged {
            files: staged,
            force: self.force,
        })
    }
}

/// Outputs written to temporary files beside their targets, not yet in
/// place. Dropped without [`Staged::commit`], the temporary files go.
pub struct Staged {
    files: Vec<(TempOutput, PathBuf)>,
    force: bool,
}

impl Staged {
    /// These outputs and `other`'s, to be placed together by
    /// [`Staged::commit`] (outputs staged on two threads).
    pub fn join(mut self, other: Staged) -> Staged {
        self.files.extend(other.files);
        self
    }

    /// Renames each temporary file onto its target. Without `--force` the
    /// rename refuses an existing target at that moment (a no-replace rename),
    /// so of two runs racing for one output only the first wins.
    ///
    /// # Errors
    /// When a rename fails (the target appeared meanwhile: "already exists;
    /// use --force"): the outputs this call had already put in place are
    /// removed again and no temporary file is left.
    pub fn commit(self) -> Result<()> {
        let mut placed: Vec<PathBuf> = Vec::with_capacity(self.files.len());
        let mut result = Ok(());
        for (tmp, target) in self.files {
            match tmp.place(&target, self.force) {
                Ok(()) => placed.push(target),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && !self.force => {
                    result = Err(already_exists(&target));
                    break;
                }
                Err(e) => {
                    result = Err(anyhow::anyhow!(
                        "{}: cannot be written ({e})",
                        target.display()
                    ));
                    break;
                }
            }
        }
        signals::with_pending(|pending| {
            for target in &placed {
                if result.is_err() {
                    let _ = std::fs::remove_file(target);
                }
                pending.forget(target);
            }
        });
        result
    }
}

/// A temporary file beside its target, on the pending list from the moment
/// it exists until it is renamed or removed.
struct TempOutput {
    file: tempfile::NamedTempFile,
    // Declared after `file`: the file is removed before its path is unlisted.
    listed: Listed,
}

/// A path on the pending list, taken off when dropped.
struct Listed(PathBuf);

impl Drop for Listed {
    fn drop(&mut self) {
        signals::with_pending(|pending| pending.forget(&self.0));
    }
}

impl TempOutput {
    /// An empty temporary file in the folder of `target`.
    fn create(target: &Path) -> Result<TempOutput> {
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".tierbook-").suffix(".tmp");
        // A temporary file is private (0600) by default; the output should get the
        // usual permissions (0666 less the umask), like any file the user saves.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        signals::with_pending(|pending| {
            let file = builder.tempfile_in(dir)?;
            pending.add(file.path());
            let listed = Listed(file.path().to_path_buf());
            Ok::<_, std::io::Error>(TempOutput { file, listed })
        })
        .with_context(|| {
            format!(
                "{}: cannot create a temporary file in {}",
                target.display(),
                dir.display()
            )
        })
    }

    /// Renames the file onto `target` (replacing it only with `force`); the
    /// target takes its place on the pending list. On failure the temporary
    /// file is removed.
    fn place(self, target: &Path, force: bool) -> std::io::Result<()> {
        let TempOutput { file, listed } = self;
        let result = signals::with_pending(|pending| {
            let renamed = if force {
                file.persist(target)
            } else {
                file.persist_noclobber(target).or_else(|e| {
                    // A filesystem with neither a no-replace rename nor hard links
                    // (some FUSE mounts): a plain rename, the target checked just before.
                    let absent = std::fs::symlink_metadata(target).is_err();
                    if e.error.kind() != std::io::ErrorKind::AlreadyExists && absent {
                        e.file.persist(target)
                    } else {
                        Err(e)
                    }
                })
            };
            match renamed {
                Ok(_) => {
                    pending.add(target);
                    Ok(())
                }
                // The error holds the temporary file: dropping it removes it.
                Err(e) => Err(e.error),
            }
        });
        drop(listed);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_inputs_existing_files_and_folders() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let input = dir.path().join("in.xlsx");
        std::fs::write(&input, b"x")?;
        let mut outs = Outputs::new(std::slice::from_ref(&input), false);
        let sneaky = dir.path().join("sub/../in.xlsx");
        std::fs::create_dir(dir.path().join("sub"))?;
        assert!(
            outs.add(&sneaky).is_err(),
            "the input through a relative path"
        );
        assert!(outs.add(dir.path()).is_err(), "a folder");
        let existing = dir.path().join("old.xlsx");
        std::fs::write(&existing, b"old")?;
        assert!(
            outs.add(&existing).is_err(),
            "an existing file without --force"
        );
        let mut forced = Outputs::new(std::slice::from_ref(&input), true);
        assert!(forced.add(&existing).is_ok());
        assert!(
            outs.add(&dir.path().join("missing/out.xlsx")).is_err(),
            "a missing folder"
        );
        Ok(())
    }

    #[test]
    fn writes_leave_no_temporary_files() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let a = dir.path().join("a.xlsx");
        let b = dir.path().join("b.json");
        let c = dir.path().join("c.xlsx");
        Outputs::new(&[], false).write_all(&[
            (&a, Body::Bytes(b"A")),
            (&b, Body::Stream(&|w| w.write_all(b"B"))),
            (&c, Body::File(&|f| Ok(f.write_all(b"C")?))),
        ])?;
        assert_eq!(std::fs::read(&a)?, b"A");
        assert_eq!(std::fs::read(&c)?, b"C");
        let names: Vec<_> = std::fs::read_dir(dir.path())?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 3);
        Ok(())
    }

    #[test]
    fn a_failed_writer_leaves_nothing() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let a = dir.path().join("a.xlsx");
        let b = dir.path().join("b.json");
        let failed = Outputs::new(&[], false).write_all(&[
            (&a, Body::Bytes(b"A")),
            (
                &b,
                Body::File(&|_| bail!("the workbook could not be assembled")),
            ),
        ]);
        let message = format!("{:#}", failed.err().context("the write should fail")?);
        assert!(message.contains("b.json: cannot write"), "{message}");
        assert!(message.contains("could not be assembled"), "{message}");
        assert_eq!(std::fs::read_dir(dir.path())?.count(), 0);
        Ok(())
    }

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_target_made_after_staging_wins_over_this_run() -> Result<()> {
        // Another run writes b.json between this run's staging and its renames:
        // a.xlsx, already placed, is removed again, b.json keeps the other run's
        // bytes, and no temporary file is left.
        let dir = tempfile::tempdir()?;
        let a = dir.path().join("a.xlsx");
        let b = dir.path().join("b.json");
        let staged =
            Outputs::new(&[], false).stage(&[(&a, Body::Bytes(b"A")), (&b, Body::Bytes(b"B"))])?;
        assert_eq!(names(dir.path()).len(), 2, "two temporary files");
        std::fs::write(&b, b"other run")?;
        let message = format!("{:#}", staged.commit().err().context("should fail")?);
        assert!(
            message.contains("b.json: already exists; use --force to replace it"),
            "{message}"
        );
        assert_eq!(names(dir.path()), ["b.json"]);
        assert_eq!(std::fs::read(&b)?, b"other run");
        // The first target taken instead: nothing of this run is placed.
        let staged =
            Outputs::new(&[], false).stage(&[(&a, Body::Bytes(b"A")), (&b, Body::Bytes(b"B"))])?;
        std::fs::remove_file(&b)?;
        std::fs::write(&a, b"other run")?;
        let message = format!("{:#}", staged.commit().err().context("should fail")?);
        assert!(message.contains("a.xlsx: already exists"), "{message}");
        assert_eq!(names(dir.path()), ["a.xlsx"]);
        assert_eq!(std::fs::read(&a)?, b"other run");
        Ok(())
    }

    #[test]
    fn with_force_a_target_made_after_staging_is_replaced() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let a = dir.path().join("a.xlsx");
        let staged = Outputs::new(&[], true).stage(&[(&a, Body::Bytes(b"A"))])?;
        std::fs::write(&a, b"other run")?;
        staged.commit()?;
        assert_eq!(std::fs::read(&a)?, b"A");
        assert_eq!(names(dir.path()), ["a.xlsx"]);
        Ok(())
    }

    #[test]
    fn staged_files_are_pending_until_the_set_is_placed() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let a = dir.path().join("a.xlsx");
        let listed = |p: &Path| signals::with_pending(|pending| pending.contains(p));
        let staged = Outputs::new(&[], false).stage(&[(&a, Body::Bytes(b"A"))])?;
        let tmp = staged.files[0].0.file.path().to_path_buf();
        assert!(listed(&tmp));
        staged.commit()?;
        assert!(!listed(&tmp) && !listed(&a));
        // Dropped without a commit: removed and unlisted.
        let staged = Outputs::new(&[], false).stage(&[(&a, Body::Bytes(b"A"))])?;
        let tmp = staged.files[0].0.file.path().to_path_buf();
        drop(staged);
        assert!(!tmp.exists() && !listed(&tmp));
        Ok(())
    }

    #[test]
    fn out_must_end_in_xlsx() {
        for ok in ["out.xlsx", "dir/Out.XLSX", "评定表.Xlsx"] {
            assert_eq!(xlsx_path(ok), Ok(PathBuf::from(ok)));
        }
        for bad in ["out.xls", "out.csv", "out", "out.xlsx.bak", ".xlsx", "dir/"] {
            let message = xlsx_path(bad).expect_err(bad);
            assert!(
                message.contains(bad) && message.contains(".xlsx"),
                "{message}"
            );
        }
    }
}
