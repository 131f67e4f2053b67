//! `tierbook serve`: the whole job in a browser on the user's own machine,
//! for people who never open a terminal. An HTTP server on 127.0.0.1 (another
//! address only when asked for) serves one page, embedded in the binary, and
//! an API over the same library pipeline as the command line: the page's
//! figures and the downloaded workbook are the ones `tierbook evaluate`
//! writes for the same files.
//!
//! - [`security`]: host, path, token and origin checks, the CSP.
//! - [`uploads`]: the multipart form into a run's private folder.
//! - [`jobs`]: `check`, `evaluate`, `monthly`, `reconcile` and the handouts on the pipeline.
//! - [`runs`]: run folders, progress, downloads, expiry.
//! - [`routes`]: the routes behind the guard.
//! - [`assets`]: the page (HTML, CSS, JavaScript, texts).
//! - [`error`]: refusals and failures as `{"error": message}`.
//!
//! Files: the server makes one private folder (mode 0700) in the system's
//! temporary folder; each run gets its own inside it. Uploads are removed
//! when their run is over, outputs an hour later, and the whole folder when
//! the server stops (Ctrl-C, SIGTERM, SIGHUP). Nothing is written anywhere
//! else: a workbook reaches the user's folders only by being downloaded.

pub mod assets;
pub mod error;
pub mod jobs;
pub mod routes;
pub mod runs;
pub mod security;
pub mod uploads;

use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::cmd::signals;
use routes::App;
use runs::{Runs, Tracker};
use security::Guard;

/// How to serve.
#[derive(Debug, Clone)]
pub struct Config {
    pub host: IpAddr,
    /// 0: any free port.
    pub port: u16,
    /// Open the page in the default browser once the socket is bound.
    pub open: bool,
    /// The most bytes one request may upload.
    pub max_upload: u64,
    /// How long a run's outputs are kept for download.
    pub keep: Duration,
    /// How long requests still going on may finish after a stop.
    pub grace: Duration,
}

/// Binds the socket, with a clear error for a port in use.
///
/// # Errors
/// The address cannot be bound.
pub fn bind(host: IpAddr, port: u16) -> Result<TcpListener> {
    let addr = SocketAddr::new(host, port);
    TcpListener::bind(addr).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::AddrInUse => format!(
                "port {port} is already in use on {host}: stop what uses it, choose another \
                 with --port, or use --port 0 for a free one"
            ),
            std::io::ErrorKind::PermissionDenied => {
                format!("not allowed to listen on port {port}: choose a port above 1023")
            }
            std::io::ErrorKind::AddrNotAvailable => {
                format!("{host} is not an address of this computer")
            }
            _ => format!("cannot listen on {addr}: {e}"),
        };
        anyhow::anyhow!(why)
    })
}

/// Serves until interrupted (SIGINT, SIGTERM, SIGHUP): prints the page's
/// address as the first line on stdout, then stops accepting at the first
/// interrupt, lets requests going on finish (at most `grace`), and removes
/// its folder.
///
/// # Errors
/// The socket cannot be bound, or the private folder made.
pub fn run(config: &Config) -> Result<()> {
    let listener = bind(config.host, config.port)?;
    listener
        .set_nonblocking(true)
        .context("cannot set up the socket")?;
    let port = listener
        .local_addr()
        .context("cannot read the port")?
        .port();
    let token = security::new_token().context("cannot draw a random token")?;
    let root = private_folder().context("cannot make a private temporary folder")?;
    signals::with_pending(|p| p.add(root.path()));
    let url = format!("http://127.0.0.1:{port}/?token={token}");
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "{url}");
    let _ = stdout.flush();
    if !config.host.is_loopback() {
        eprintln!(
            "warning: listening on {} port {port}: other computers that can reach this one may \
             use the page with the address above's token (--host); nothing else protects the files",
            config.host
        );
    }
    eprintln!("tierbook serve: open the address above in a browser; Ctrl-C stops the server");
    if config.open {
        open_browser(&url);
    }
    let app = Arc::new(App {
        guard: Guard::new(token, port, config.host),
        runs: Runs::new(root.path(), config.keep),
        tracker: Tracker::default(),
        max_upload: config.max_upload,
    });
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(None::<i32>);
    signals::on_first_interrupt(move |signal| {
        let _ = stop_tx.send(Some(signal));
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    let served = runtime.block_on(serve(listener, app, stop_rx, config.grace));
    runtime.shutdown_timeout(Duration::from_millis(200));
    signals::with_pending(|p| {
        p.forget(root.path());
        root.close()
    })
    .context("cannot remove the temporary folder")?;
    let signal = served?;
    eprintln!(
        "tierbook serve: stopped by {}; temporary files removed",
        signals::signal_name(signal)
    );
    Ok(())
}

/// Serves on `listener` until `stop` names a signal; then waits at most
/// `grace` for requests going on. Returns the signal.
async fn serve(
    listener: TcpListener,
    app: Arc<App>,
    mut stop: tokio::sync::watch::Receiver<Option<i32>>,
    grace: Duration,
) -> Result<i32> {
    let listener =
        tokio::net::TcpListener::from_std(listener).context("cannot set up the socket")?;
    let sweeper = tokio::spawn(sweep(app.clone()));
    let mut stopped = stop.clone();
    let graceful = async move {
        let _ = stopped.wait_for(Option::is_some).await;
    };
    let server = axum::serve(listener, routes::router(app)).with_graceful_shutdown(graceful);
    let server = tokio::spawn(async move { server.await });
    let signal = match stop.wait_for(Option::is_some).await {
        Ok(s) => s.unwrap_or(0),
        Err(_) => 0,
    };
    // Requests going on may finish; a run that takes longer is cut off.
    let _ = tokio::time::timeout(grace, server).await;
    sweeper.abort();
    Ok(signal)
}

/// The server's own folder in the system's temporary folder, readable by
/// this user only.
fn private_folder() -> std::io::Result<tempfile::TempDir> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("tierbook-serve-");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    builder.tempdir()
}

/// Removes expired runs now and then.
async fn sweep(app: Arc<App>) {
    let every = app.runs.sweep_every();
    loop {
        tokio::time::sleep(every).await;
        app.runs.sweep();
    }
}

/// Opens `url` in the default browser; a failure is only reported.
fn open_browser(url: &str) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    match command.spawn() {
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(e) => {
            eprintln!("warning: cannot open a browser ({e}): open the address above yourself")
        }
    }
}
