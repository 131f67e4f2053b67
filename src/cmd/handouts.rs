//! `evaluate --split-by region|sales_rep --out-dir D`: the handouts of
//! [`crate::report::handouts`], written into D.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::output::Outputs;
use crate::report::evaluation::Evaluation;
use crate::report::model::Book;
use crate::report::returnable::SplitBy;

/// `--split-by`: `region` or `sales_rep` (also `sales-rep`, `rep`).
pub fn parse_split(s: &str) -> Result<SplitBy, String> {
    crate::report::handouts::parse_split(s)
}

/// Creates the handouts' folder when it is missing.
///
/// # Errors
/// The folder cannot be created.
pub fn prepare_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create the folder", dir.display()))
}

/// A handout: where it is written (resolved, registered with the outputs),
/// the path as the user will recognise it, and the book.
pub struct Handout {
    pub path: PathBuf,
    pub shown: PathBuf,
    pub book: Book,
}

/// The handout books of `ev` split by `split`, each registered with `outs`.
///
/// # Errors
/// A handout path is refused (exists without `--force`, is an input…).
pub fn handouts(
    ev: &Evaluation,
    split: SplitBy,
    dir: &Path,
    paper: crate::report::model::Paper,
    outs: &mut Outputs,
) -> Result<Vec<Handout>> {
    crate::report::handouts::handouts(ev, split, paper)
        .into_iter()
        .map(|h| {
            let shown = dir.join(&h.file);
            let path = outs.add(&shown)?;
            Ok(Handout {
                path,
                shown,
                book: h.book,
            })
        })
        .collect()
}
