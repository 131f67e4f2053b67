//! Outputs and signals (SPEC 10, Flags and outputs): `--out` names an .xlsx,
//! and a run stopped by SIGINT, SIGTERM or SIGHUP while it writes leaves no
//! file behind and exits 128 + the signal's number.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::Workdir;

#[test]
fn out_must_name_an_xlsx() {
    let w = Workdir::new();
    for out in ["out.xls", "out.csv", "out"] {
        let run = w.run(&["evaluate", "ledger.xlsx", "--out", out]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "--out {out}: {stderr}");
        assert!(
            stderr.contains("--out") && stderr.contains(out) && stderr.contains(".xlsx"),
            "{stderr}"
        );
    }
    assert!(w.files().is_empty());
}

#[test]
fn out_in_capitals_is_an_xlsx() {
    let w = Workdir::new();
    let ledger = crate::util::repo().join("samples/销售台账.xlsx");
    let ledger = ledger.to_string_lossy();
    w.ok(&["evaluate", &ledger, "--out", "评定表.XLSX", "-q"]);
    assert_eq!(w.files(), ["评定表.XLSX"]);
}

/// The names in `dir` that start with `.tierbook-` (a staged output).
fn staged(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tierbook-"))
        .count()
}

/// Starts `evaluate` on a ledger with many customers (a write phase of about
/// a second in a debug build), sends `signal` as soon as its first temporary
/// output appears, and asserts the exit code, the message and an empty
/// output folder.
#[cfg(unix)]
fn interrupted_while_writing(signal: &str, code: i32) {
    let w = Workdir::new();
    // 36,000 customers (the most `sample` makes from 80,000 rows): the
    // workbook and the JSON take about 1.2 s to write, the read under 2 s.
    w.ok(&[
        "sample",
        "--rows",
        "80000",
        "--customers",
        "36000",
        "--out-dir",
        "in",
        "-q",
    ]);
    let result = interrupt_when(
        &w,
        &[
            "evaluate",
            "in/销售台账.xlsx",
            "--out",
            "out/评定表.xlsx",
            "--json",
            "out/评定表.json",
            "-q",
        ],
        |out| staged(out) > 0,
        signal,
    );
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(
        result.status.code(),
        Some(code),
        "after SIG{signal}: {stderr}"
    );
    assert!(
        stderr.contains(&format!("interrupted by SIG{signal}")),
        "{stderr}"
    );
    assert_eq!(
        left_in(&w.join("out")),
        Vec::<String>::new(),
        "after SIG{signal}"
    );
}

/// Runs tierbook with `args` in `w` (outputs going to its `out/` folder),
/// sends `signal` as soon as `ready` holds for that folder, and returns how
/// the run ended.
#[cfg(unix)]
fn interrupt_when(
    w: &Workdir,
    args: &[&str],
    ready: impl Fn(&Path) -> bool,
    signal: &str,
) -> std::process::Output {
    std::fs::create_dir(w.join("out")).expect("output folder");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tierbook"))
        .args(args)
        .current_dir(w.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tierbook");
    let out = w.join("out");
    let start = Instant::now();
    while !ready(&out) {
        if let Some(status) = child.try_wait().expect("poll tierbook") {
            panic!("the run ended ({status}) before it was ready to interrupt: make it longer");
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "never ready to interrupt"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let sent = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill -{signal}");
    child.wait_with_output().expect("wait for tierbook")
}

/// The names of what a folder holds.
fn left_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("output folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[cfg(unix)]
#[test]
fn sigint_while_writing_leaves_nothing() {
    interrupted_while_writing("INT", 130);
}

#[cfg(unix)]
#[test]
fn sigterm_while_writing_leaves_nothing() {
    interrupted_while_writing("TERM", 143);
}

#[cfg(unix)]
#[test]
fn sighup_while_writing_leaves_nothing() {
    interrupted_while_writing("HUP", 129);
}

#[cfg(unix)]
#[test]
fn an_interrupted_sample_leaves_no_staging_folder() {
    let w = Workdir::new();
    let result = interrupt_when(
        &w,
        &["sample", "--rows", "400000", "--out-dir", "out", "-q"],
        |out| !left_in(out).is_empty(),
        "INT",
    );
    assert_eq!(result.status.code(), Some(130));
    assert_eq!(
        left_in(&w.join("out")),
        Vec::<String>::new(),
        "after SIGINT"
    );
}
