//! Safe writes (SPEC 8): never onto an input, never over an existing file
//! without `--force`, always through a temporary file beside the target that
//! is renamed into place, so a failure leaves nothing half-written.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

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
            bail!(
                "{}: already exists; use --force to replace it",
                path.display()
            );
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

/// Writes several files all-or-nothing: each goes to a temporary file in its
/// target folder first; only when all are written are they renamed into place.
pub fn write_all(files: &[(&Path, Body)]) -> Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, body) in files {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".tierbook-").suffix(".tmp");
        // A temporary file is private (0600) by default; the output should get the
        // usual permissions (0666 less the umask), like any file the user saves.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let mut tmp = builder.tempfile_in(dir).with_context(|| {
            format!(
                "{}: cannot create a temporary file in {}",
                path.display(),
                dir.display()
            )
        })?;
        match body {
            Body::Bytes(bytes) => tmp.write_all(bytes).map_err(anyhow::Error::from),
            Body::Stream(write) => {
                let mut w = std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
                write(&mut w)
                    .and_then(|()| w.flush())
                    .map_err(anyhow::Error::from)
            }
            Body::File(write) => write(tmp.as_file_mut()),
        }
        .and_then(|()| Ok(tmp.as_file().sync_all()?))
        .with_context(|| format!("{}: cannot write", path.display()))?;
        staged.push((tmp, *path));
    }
    for (tmp, path) in staged {
        tmp.persist(path)
            .map_err(|e| anyhow::anyhow!("{}: cannot be written ({})", path.display(), e.error))?;
    }
    Ok(())
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
        write_all(&[
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
        let failed = write_all(&[
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
}
