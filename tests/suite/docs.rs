//! The docs cannot rot: every example command in README.md and docs/*.md
//! runs on the bundled samples, and every result table the docs promise is
//! what tierbook computes.
//!
//! In each Markdown file, in order:
//! - a fenced block whose info string holds `file=NAME` (```` ```toml file=ex1.toml ````)
//!   is written to NAME in the file's own work folder, which starts with a
//!   copy of `samples/` and `templates/`;
//! - each line of a fenced `sh` block that starts with `tierbook ` or
//!   `cargo run --release -- ` runs there and must exit 0 (a `>`, `|` or
//!   `#` ends the command: what follows is the shell's);
//! - the table after `<!-- expect NAME: key, key, … -->` is compared with
//!   NAME.json: a row per customer, found by the column keyed `id`; every
//!   other column is the JSON key named (`-`: not checked); `—` is null,
//!   `1,234` and `−2%` are read as numbers.
//!
//! A new doc page (workflow, inputs) is checked as soon as it exists.

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use crate::util::{dec, repo, Workdir};

/// A fenced block: its info string and lines.
struct Fence {
    info: String,
    lines: Vec<String>,
}

/// A result table the docs promise: the JSON it is checked against, the
/// keys of its columns, its rows of cells.
struct Expect {
    name: String,
    keys: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// What one Markdown file holds, in order.
enum Part {
    Fence(Fence),
    Expect(Expect),
}

/// The cells of a Markdown table row `| a | b |`.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(|c| c.trim().to_string()).collect()
}

fn parse(text: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if let Some(info) = t.strip_prefix("```") {
            let mut body = Vec::new();
            for l in lines.by_ref() {
                if l.trim_start().starts_with("```") {
                    break;
                }
                body.push(l.to_string());
            }
            parts.push(Part::Fence(Fence {
                info: info.trim().to_string(),
                lines: body,
            }));
        } else if let Some(spec) = t
            .strip_prefix("<!-- expect ")
            .and_then(|s| s.strip_suffix("-->"))
        {
            let (name, keys) = spec.split_once(':').expect("<!-- expect NAME: keys -->");
            let keys: Vec<String> = keys.split(',').map(|k| k.trim().to_string()).collect();
            while lines
                .peek()
                .is_some_and(|l| !l.trim_start().starts_with('|'))
            {
                lines.next();
            }
            let mut rows = Vec::new();
            while let Some(l) = lines.next_if(|l| l.trim_start().starts_with('|')) {
                rows.push(cells(l));
            }
            // The header row and the |---| row.
            rows.drain(..2.min(rows.len()));
            parts.push(Part::Expect(Expect {
                name: name.trim().to_string(),
                keys,
                rows,
            }));
        }
    }
    parts
}

/// Splits a command line into words: spaces separate, quotes group; a
/// `>`, `|` or `#` outside quotes ends the command.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let (mut quote, mut any) = (None, false);
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, '>' | '|' | '#') => break,
            (None, c) if c.is_whitespace() => {
                if any || !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                any = false;
            }
            (None, c) => word.push(c),
        }
    }
    if any || !word.is_empty() {
        out.push(word);
    }
    out
}

/// A block's lines with shell continuations (a line ending in `\`) joined.
fn joined_lines(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    for l in lines {
        let (text, more) = match l.trim_end().strip_suffix('\\') {
            Some(t) => (t.to_string(), true),
            None => (l.clone(), false),
        };
        match (open, out.last_mut()) {
            (true, Some(last)) => {
                last.push(' ');
                last.push_str(text.trim_start());
            }
            _ => out.push(text),
        }
        open = more;
    }
    out
}

/// The tierbook arguments of a shell line, if it runs tierbook.
fn tierbook_args(line: &str) -> Option<Vec<String>> {
    let w = words(line.trim());
    match w.first().map(String::as_str) {
        Some("tierbook") => Some(w[1..].to_vec()),
        Some("cargo") if w.get(1..4) == Some(&["run".into(), "--release".into(), "--".into()]) => {
            Some(w[4..].to_vec())
        }
        _ => None,
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
        }
    }
}

/// A cell of an expected table as JSON would hold it: null, a number or a text.
fn expected_value(cell: &str) -> Option<Result<Decimal, String>> {
    let s = cell.replace('−', "-").replace([',', '¥'], "");
    let s = s.trim();
    if s.is_empty() || s == "—" {
        return None;
    }
    let (num, scale) = match s.strip_suffix('%') {
        Some(p) => (p.trim(), Decimal::ONE_HUNDRED),
        None => (s, Decimal::ONE),
    };
    Some(match num.parse::<Decimal>() {
        Ok(d) => Ok(d / scale),
        Err(_) => Err(s.to_string()),
    })
}

/// Compares an expected table with the JSON the run wrote.
fn check_expect(doc: &str, e: &Expect, dir: &Path) -> Vec<String> {
    let path = dir.join(format!("{}.json", e.name));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{doc}: no {} (did an example write it?)", path.display()));
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    let id_col = e.keys.iter().position(|k| k == "id").expect("an id column");
    let customers = json["customers"].as_array().expect("customers");
    let mut problems = Vec::new();
    for row in &e.rows {
        let id = &row[id_col];
        let Some(c) = customers.iter().find(|c| c["id"] == id.as_str()) else {
            problems.push(format!("{doc} {}: no customer {id}", e.name));
            continue;
        };
        for (key, cell) in e.keys.iter().zip(row) {
            if key == "-" || key == "id" {
                continue;
            }
            let got = &c[key.as_str()];
            let ok = match (expected_value(cell), got) {
                (None, serde_json::Value::Null) => true,
                (Some(Ok(want)), g @ serde_json::Value::Number(_)) => dec(g) == want,
                (Some(Err(want)), serde_json::Value::String(g)) => *g == want,
                (Some(Ok(want)), serde_json::Value::String(g)) => *g == want.to_string(),
                _ => false,
            };
            if !ok {
                problems.push(format!(
                    "{doc} {} {id} {key}: the doc says {cell:?}, tierbook computed {got}",
                    e.name
                ));
            }
        }
    }
    problems
}

/// A `serve` example never ends by itself: it must print its address as its
/// first line (on a free port, the browser a no-op), then it is stopped.
fn serve_starts(w: &Workdir, args: &[&str]) -> Result<(), String> {
    use std::io::BufRead;
    let mut args = args.to_vec();
    if !args.contains(&"--port") {
        args.extend(["--port", "0"]);
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tierbook"))
        .args(&args)
        .current_dir(w.path())
        // `--open` finds no browser: the example is about the address.
        .env("PATH", "")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("did not start: {e}"))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut first = String::new();
        let _ = std::io::BufReader::new(stdout).read_line(&mut first);
        let _ = tx.send(first);
    });
    let first = rx.recv_timeout(std::time::Duration::from_secs(30));
    let _ = child.kill();
    let _ = child.wait();
    match first {
        Ok(line) if line.starts_with("http://127.0.0.1:") => Ok(()),
        Ok(line) => Err(format!("printed {line:?} instead of its address")),
        Err(_) => Err("printed no address within 30 s".into()),
    }
}

/// Runs one Markdown file's examples; returns what went wrong and how many
/// commands and tables it checked.
fn run_doc(path: &Path) -> (Vec<String>, usize, usize) {
    let doc = path
        .strip_prefix(repo())
        .unwrap_or(path)
        .display()
        .to_string();
    let text = std::fs::read_to_string(path).expect("read doc");
    let w = Workdir::new();
    copy_dir(&repo().join("samples"), &w.join("samples"));
    copy_dir(&repo().join("templates"), &w.join("templates"));
    let (mut problems, mut commands, mut tables) = (Vec::new(), 0, 0);
    for part in parse(&text) {
        match part {
            Part::Fence(f) => {
                if let Some(name) = f
                    .info
                    .split_whitespace()
                    .find_map(|t| t.strip_prefix("file="))
                {
                    let mut body = f.lines.join("\n");
                    body.push('\n');
                    std::fs::write(w.join(name), body).expect("write example file");
                }
                let shell = matches!(f.info.split_whitespace().next(), Some("sh" | "bash"));
                for line in joined_lines(&f.lines).iter().filter(|_| shell) {
                    let Some(args) = tierbook_args(line) else {
                        continue;
                    };
                    commands += 1;
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    if args.first() == Some(&"serve") {
                        if let Err(e) = serve_starts(&w, &args) {
                            problems.push(format!("{doc}: `{}` {e}", line.trim()));
                        }
                        continue;
                    }
                    let out = w.run(&args);
                    if !out.status.success() {
                        problems.push(format!(
                            "{doc}: `{}` failed: {}",
                            line.trim(),
                            String::from_utf8_lossy(&out.stderr)
                        ));
                    }
                }
            }
            Part::Expect(e) => {
                tables += 1;
                problems.extend(check_expect(&doc, &e, w.path()));
            }
        }
    }
    (problems, commands, tables)
}

/// README.md and every Markdown file under docs/.
fn markdown_files() -> Vec<PathBuf> {
    let mut files = vec![repo().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(repo().join("docs"))
        .expect("docs folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

#[test]
fn every_example_in_the_docs_runs_and_gives_the_results_they_show() {
    let (mut problems, mut commands, mut tables) = (Vec::new(), 0, 0);
    for path in markdown_files() {
        let (p, c, t) = run_doc(&path);
        problems.extend(p);
        commands += c;
        tables += t;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The rules pages' three worked examples in two languages, at least.
    assert!(tables >= 6, "only {tables} result tables found");
    assert!(commands >= 8, "only {commands} commands found");
}

#[test]
fn command_lines_split_like_a_shell() {
    assert_eq!(
        tierbook_args("tierbook evaluate a.xlsx --out '评定 表.xlsx' > log.txt"),
        Some(vec![
            "evaluate".into(),
            "a.xlsx".into(),
            "--out".into(),
            "评定 表.xlsx".into()
        ])
    );
    assert_eq!(
        tierbook_args("cargo run --release -- check x.csv | head"),
        Some(vec!["check".into(), "x.csv".into()])
    );
    assert_eq!(tierbook_args("cargo test"), None);
    assert_eq!(
        tierbook_args("sudo apt-get install -y libreoffice-calc"),
        None
    );
    assert_eq!(expected_value("−2%"), Some(Ok(Decimal::new(-2, 2))));
    assert_eq!(expected_value("121,000"), Some(Ok(Decimal::from(121_000))));
    assert_eq!(expected_value("—"), None);
    assert_eq!(expected_value("A"), Some(Err("A".into())));
}
