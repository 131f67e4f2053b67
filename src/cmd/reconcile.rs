//! `tierbook reconcile`: ledgers + receipts (+ customer master) → the
//! finance reconciliation workbook of SPEC 7.5 (statements, open items,
//! unmatched receipts, control totals), and optionally JSON.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;

use super::evaluate::Timer;
use super::output::{xlsx_path, Body, Outputs, Staged};
use super::{ReadArgs, RunArgs};
use crate::labels::fill_owned;
use crate::labels::finance::finance;
use crate::pipeline::{gather, Inputs};
use crate::report::reconcile::Reconciliation;

#[derive(Debug, Clone, Args)]
pub struct ReconcileArgs {
    /// Sales ledger files (xlsx, xlsm, xlsb, xls, ods, csv); all their sheets with a header are read.
    #[arg(required = true, value_name = "LEDGER")]
    pub ledgers: Vec<PathBuf>,
    /// Receipts ledgers (回款台账) to reconcile the sales ledgers with.
    #[arg(long, required = true, value_name = "F")]
    pub receipts: Vec<PathBuf>,
    /// Customer master (客户档案): payment terms and credit limits.
    #[arg(long, value_name = "F")]
    pub customers: Vec<PathBuf>,
    /// The reconciliation workbook to write (.xlsx).
    #[arg(long, value_name = "F", value_parser = xlsx_path)]
    pub out: PathBuf,
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub run: RunArgs,
}

pub fn run(args: ReconcileArgs) -> Result<()> {
    let inputs = Inputs {
        ledgers: args.ledgers.clone(),
        receipts: args.receipts.clone(),
        customers: args.customers.clone(),
        previous: Vec::new(),
    };
    let mut guarded = inputs.all();
    guarded.extend(args.read.rules.iter().cloned());
    let mut outs = Outputs::new(&guarded, args.run.force);
    let out = outs.add(&args.out)?;
    let json_out = args.run.json.as_ref().map(|j| outs.add(j)).transpose()?;
    let mut settings = args.read.settings(args.run.as_of, args.run.quiet)?;
    settings.statements = true;
    settings.evaluation_facts = false;
    let mut timer = Timer::new();
    let gathered = gather(&inputs, &settings)?;
    timer.lap("read+match");
    let rec = Reconciliation::of(&gathered, &settings.rules, settings.lang)
        .context(crate::report::reconcile::NO_RECEIPTS)?;
    let json = crate::render::json::reconciliation_json(&rec, &settings.rules.source);
    // The JSON is written on a second thread while the workbook model is
    // built, waits while the sheets are written on every core, and goes on
    // as soon as a core has no sheet left and while the workbook is
    // compressed (one thread); both are put in place together.
    let gate = Gate::default();
    let staged = std::thread::scope(|scope| {
        let json_job = json_out.as_ref().map(|p| {
            let (outs, json, gate) = (&outs, &json, &gate);
            scope.spawn(move || {
                let write = |w: &mut dyn std::io::Write| {
                    crate::render::json::write_pretty(&mut Gated { inner: w, gate }, json)
                };
                outs.stage(&[(p.as_path(), Body::Stream(&write))])
            })
        });
        let book = rec.book().with_paper(args.run.paper);
        timer.lap("report");
        let xlsx = {
            let _closed = gate.close();
            let open = || gate.open();
            let write_xlsx =
                |f: &mut std::fs::File| crate::render::xlsx::write_xlsx_then(&book, &rec, f, &open);
            outs.stage(&[(out.as_path(), Body::File(&write_xlsx))])
        };
        let json = json_job.map(|j| j.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        match (xlsx, json.transpose()) {
            (Ok(x), Ok(Some(j))) => Ok(Staged::join(x, j)),
            (Ok(x), Ok(None)) => Ok(x),
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
    })?;
    staged.commit()?;
    timer.lap("write");
    if !args.run.quiet {
        print_summary(&rec, &args.out, args.run.json.as_deref());
    }
    Ok(())
}

/// Holds a writer back while closed.
#[derive(Default)]
struct Gate {
    closed: std::sync::Mutex<bool>,
    changed: std::sync::Condvar,
}

impl Gate {
    fn set(&self, closed: bool) {
        let mut c = self
            .closed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *c = closed;
        self.changed.notify_all();
    }

    /// Closed until [`Gate::open`] or until the guard is dropped (on every
    /// path, errors included, so the writer never waits for ever).
    fn close(&self) -> Reopen<'_> {
        self.set(true);
        Reopen(self)
    }

    fn open(&self) {
        self.set(false);
    }

    fn wait(&self) {
        let mut c = self
            .closed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while *c {
            c = self
                .changed
                .wait(c)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
}

struct Reopen<'a>(&'a Gate);

impl Drop for Reopen<'_> {
    fn drop(&mut self) {
        self.0.open();
    }
}

/// A writer that waits at its gate before each write (the JSON's writes come
/// in buffers of 64 KiB).
struct Gated<'a, W: std::io::Write + ?Sized> {
    inner: &'a mut W,
    gate: &'a Gate,
}

impl<W: std::io::Write + ?Sized> std::io::Write for Gated<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.gate.wait();
        self.inner.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn print_summary(rec: &Reconciliation, out: &Path, json: Option<&Path>) {
    let customers = rec.customers();
    let open: usize = customers
        .iter()
        .map(|&i| rec.finance.accounts[i].open_items.len())
        .sum();
    let args = [
        ("customers", customers.len().to_string()),
        ("open", open.to_string()),
        ("unmatched", rec.finance.unmatched.len().to_string()),
        ("as_of", rec.model.period.as_of.to_string()),
    ];
    eprintln!("{}", fill_owned(finance(rec.lang).cli_reconcile, &args));
    super::output::print_written(rec.lang, std::iter::once(out).chain(json));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn a_gated_writer_waits_while_the_gate_is_closed() {
        let gate = Gate::default();
        let wrote = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let closed = gate.close();
            let writer = scope.spawn(|| {
                let mut out = Vec::new();
                Gated {
                    inner: &mut out,
                    gate: &gate,
                }
                .write_all(b"json")
                .expect("write");
                wrote.store(true, Ordering::SeqCst);
                out
            });
            std::thread::sleep(std::time::Duration::from_millis(50));
            assert!(!wrote.load(Ordering::SeqCst), "wrote through a closed gate");
            gate.open();
            assert_eq!(writer.join().expect("writer"), b"json");
            drop(closed);
        });
    }

    #[test]
    fn a_closed_gate_opens_when_its_guard_goes() {
        let gate = Gate::default();
        {
            let _closed = gate.close();
            assert!(*gate.closed.lock().expect("gate"));
        }
        // Would wait for ever if the guard had not opened it.
        gate.wait();
        let mut out = Vec::new();
        Gated {
            inner: &mut out,
            gate: &gate,
        }
        .write_all(b"x")
        .expect("write");
        assert_eq!(out, b"x");
    }
}
