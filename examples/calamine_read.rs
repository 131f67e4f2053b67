//! The floor of SPEC 8 (Speed): calamine's streaming reader alone.
//!
//! Opens a workbook, walks every cell of every sheet and prints how many cells
//! it saw and how many were non-empty. Nothing else: no header detection, no
//! parsing, no output. `benches/run.sh` times `tierbook evaluate` against this.
//!
//! Usage: cargo run --release --example calamine_read -- FILE.xlsx

use calamine::{open_workbook_auto, DataType, Reader, Sheets};
use std::process::ExitCode;

fn run(path: &str) -> Result<(u64, u64, usize), Box<dyn std::error::Error>> {
    let mut wb = open_workbook_auto(path)?;
    let names = wb.sheet_names();
    let (mut cells, mut non_empty) = (0u64, 0u64);
    match &mut wb {
        Sheets::Xlsx(x) if std::env::var_os("CALAMINE_READ_FORMULAS").is_some() => {
            // The variant tierbook uses: values plus formula metadata.
            for name in &names {
                let mut reader = x.worksheet_cells_reader(name)?;
                while let Some(cell) = reader.next_cell_with_formula_metadata()? {
                    cells += 1;
                    if !cell.value.is_empty() {
                        non_empty += 1;
                    }
                }
            }
        }
        Sheets::Xlsx(x) => {
            for name in &names {
                let mut reader = x.worksheet_cells_reader(name)?;
                while let Some(cell) = reader.next_cell()? {
                    cells += 1;
                    if !cell.get_value().is_empty() {
                        non_empty += 1;
                    }
                }
            }
        }
        Sheets::Xlsb(x) => {
            for name in &names {
                let mut reader = x.worksheet_cells_reader(name)?;
                while let Some(cell) = reader.next_cell()? {
                    cells += 1;
                    if !cell.get_value().is_empty() {
                        non_empty += 1;
                    }
                }
            }
        }
        other => {
            for name in &names {
                let range = other.worksheet_range(name)?;
                for c in range.cells() {
                    cells += 1;
                    if !c.2.is_empty() {
                        non_empty += 1;
                    }
                }
            }
        }
    }
    Ok((cells, non_empty, names.len()))
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: calamine_read FILE.xlsx");
        return ExitCode::from(2);
    };
    match run(&path) {
        Ok((cells, non_empty, sheets)) => {
            println!("sheets={sheets} cells={cells} non_empty={non_empty}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("calamine_read: {path}: {e}");
            ExitCode::FAILURE
        }
    }
}
