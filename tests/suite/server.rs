//! A running `tierbook serve` for the tests: the real binary on a free port
//! with its own temporary folder, raw HTTP/1.1 requests over a std
//! `TcpStream` (no client library, so every header is the test's own) and
//! multipart forms built by hand.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The server and what it printed.
pub struct Server {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    stderr: Arc<Mutex<String>>,
    /// The first line on stdout.
    pub url: String,
    pub port: u16,
    pub token: String,
    /// The folder the server takes as the system's temporary folder.
    pub tmp: tempfile::TempDir,
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// A header's value (names compared without case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Server {
    /// Starts `tierbook serve --port 0` with `args` and waits for its address.
    pub fn start(args: &[&str]) -> Server {
        Server::start_with_env(args, &[])
    }

    /// As [`Server::start`], with more environment variables.
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Server {
        let tmp = tempfile::tempdir().expect("temporary folder");
        let mut child = Command::new(env!("CARGO_BIN_EXE_tierbook"))
            .args(["serve", "--port", "0"])
            .args(args)
            .envs(env.iter().copied())
            .env("TMPDIR", tmp.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start tierbook serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        if let Some(mut err) = child.stderr.take() {
            let sink = stderr.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = err.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                    sink.lock().expect("stderr").push_str(&text);
                }
            });
        }
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut url = String::new();
        stdout.read_line(&mut url).expect("the first line");
        let url = url.trim_end().to_string();
        let rest = url
            .strip_prefix("http://127.0.0.1:")
            .unwrap_or_else(|| panic!("not the address line: {url:?}"));
        let (port, token) = rest.split_once("/?token=").expect("port and token");
        Server {
            port: port.parse().expect("a port"),
            token: token.to_string(),
            url: url.clone(),
            child,
            _stdout: stdout,
            stderr,
            tmp,
        }
    }

    /// What the server printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr").clone()
    }

    /// The server's private folders in its temporary folder.
    pub fn private_folders(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.tmp.path())
            .expect("read tmp")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("tierbook-serve-"))
            })
            .collect()
    }

    /// Every file under the server's private folders.
    pub fn private_files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.push(p);
                }
            }
        }
        let mut out = Vec::new();
        for f in self.private_folders() {
            walk(&f, &mut out);
        }
        out
    }

    /// `Host: 127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Sends `request` as it is and reads the whole answer.
    pub fn raw(&self, request: &[u8]) -> Response {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(120)))
            .expect("timeout");
        s.write_all(request).expect("send");
        let mut bytes = Vec::new();
        let _ = s.read_to_end(&mut bytes);
        parse(&bytes)
    }

    /// A GET of `path` with the right host, with extra header lines.
    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        let mut req = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.host()
        );
        for (n, v) in headers {
            req.push_str(&format!("{n}: {v}\r\n"));
        }
        req.push_str("\r\n");
        self.raw(req.as_bytes())
    }

    /// A GET of `path` with the token in the header.
    pub fn get(&self, path: &str) -> Response {
        self.get_with(path, &[("X-Tierbook-Token", &self.token)])
    }

    /// A POST of `form` to `path`; `headers` replace nothing (the token is
    /// not added: give it in `headers` or the path).
    pub fn post_raw(&self, path: &str, form: &Form, headers: &[(&str, &str)]) -> Response {
        let body = form.body();
        let mut req = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
            self.host(),
            form.content_type(),
            body.len()
        );
        for (n, v) in headers {
            req.push_str(&format!("{n}: {v}\r\n"));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(&body);
        self.raw(&bytes)
    }

    /// A POST of `form` with the token, as the page sends it.
    pub fn post(&self, path: &str, form: &Form) -> Response {
        self.post_raw(
            path,
            form,
            &[
                ("X-Tierbook-Token", &self.token),
                ("Origin", &format!("http://{}", self.host())),
                ("Sec-Fetch-Site", "same-origin"),
            ],
        )
    }

    /// Sends `signal` (INT, TERM, HUP) and waits for the process to end;
    /// returns its exit status, its stderr and what is left in its
    /// temporary folder.
    pub fn stop(mut self, signal: &str) -> (ExitStatus, String, Vec<PathBuf>) {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .expect("kill");
        let status = wait(&mut self.child, Duration::from_secs(30)).expect("the server stops");
        // The stderr thread ends with the pipe.
        std::thread::sleep(Duration::from_millis(100));
        let left = std::fs::read_dir(self.tmp.path())
            .expect("read tmp")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .collect();
        (status, self.stderr(), left)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits at most `limit` for `child` to end.
pub fn wait(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// Parses an HTTP/1.1 answer (a chunked body decoded).
fn parse(bytes: &[u8]) -> Response {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(bytes)));
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = bytes[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&b[start..(start + size).min(b.len())]);
        b = &b[(start + size + 2).min(b.len())..];
    }
    out
}

/// A multipart/form-data body.
pub struct Form {
    boundary: String,
    parts: Vec<(String, Option<String>, Vec<u8>)>,
}

impl Default for Form {
    fn default() -> Self {
        Form::new()
    }
}

impl Form {
    pub fn new() -> Form {
        Form {
            boundary: "tierbook-test-boundary-7MA4YWxkTrZu0gW".to_string(),
            parts: Vec::new(),
        }
    }

    /// A file field.
    pub fn file(mut self, field: &str, name: &str, bytes: Vec<u8>) -> Form {
        self.parts
            .push((field.to_string(), Some(name.to_string()), bytes));
        self
    }

    /// A file field from a file on disk, under its own name.
    pub fn path(self, field: &str, path: &Path) -> Form {
        let name = path
            .file_name()
            .expect("a file name")
            .to_string_lossy()
            .into_owned();
        let bytes = std::fs::read(path).expect("read upload");
        self.file(field, &name, bytes)
    }

    /// A text field.
    pub fn text(mut self, field: &str, value: &str) -> Form {
        self.parts
            .push((field.to_string(), None, value.as_bytes().to_vec()));
        self
    }

    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    pub fn body(&self) -> Vec<u8> {
        let mut b = Vec::new();
        for (field, file, bytes) in &self.parts {
            b.extend_from_slice(format!("--{}\r\n", self.boundary).as_bytes());
            match file {
                Some(name) => b.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                ),
                None => b.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{field}\"\r\n\r\n").as_bytes(),
                ),
            }
            b.extend_from_slice(bytes);
            b.extend_from_slice(b"\r\n");
        }
        b.extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        b
    }
}
