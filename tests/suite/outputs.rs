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
    std::fs::create_dir(w.join("out")).expect("output folder");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tierbook"))
        .args([
            "evaluate",
            "in/销售台账.xlsx",
            "--out",
            "out/评定表.xlsx",
            "--json",
            "out/评定表.json",
            "-q",
        ])
        .current_dir(w.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tierbook");
    let out = w.join("out");
    let start = Instant::now();
    while staged(&out) == 0 {
        if let Some(status) = child.try_wait().expect("poll tierbook") {
            panic!("the run ended ({status}) before its output was staged: make the ledger bigger");
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no output staged"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let sent = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill -{signal}");
    let result = child.wait_with_output().expect("wait for tierbook");
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
    let left: Vec<_> = std::fs::read_dir(&out)
        .expect("output folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "left behind after SIG{signal}: {left:?}");
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
    std::fs::create_dir(w.join("out")).expect("output folder");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tierbook"))
        .args(["sample", "--rows", "400000", "--out-dir", "out", "-q"])
        .current_dir(w.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tierbook");
    let out = w.join("out");
    let start = Instant::now();
    while std::fs::read_dir(&out).expect("output folder").count() == 0 {
        if let Some(status) = child.try_wait().expect("poll tierbook") {
            panic!("the run ended ({status}) before its staging folder appeared");
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no staging folder"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let sent = Command::new("kill")
        .args(["-INT".to_string(), child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill -INT");
    let result = child.wait_with_output().expect("wait for tierbook");
    assert_eq!(result.status.code(), Some(130));
    let left: Vec<_> = std::fs::read_dir(&out)
        .expect("output folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "left behind after SIGINT: {left:?}");
}
