//! What every request to `tierbook serve` passes before it reaches a route:
//! the `Host` header (against DNS rebinding), the path (no `..`, however
//! encoded), the run's token (`?token=` or `X-Tierbook-Token`), and for a
//! POST its `Origin` and `Sec-Fetch-Site` (a multipart form needs no CORS
//! preflight, so any web page could otherwise post to the server) and its
//! declared size. Every answer carries a Content-Security-Policy that lets
//! the page load nothing but its own files.

use std::net::IpAddr;

use axum::http::{HeaderMap, HeaderValue, Method};

/// The header a script may send the token in instead of `?token=`.
pub const TOKEN_HEADER: &str = "x-tierbook-token";

/// The Content-Security-Policy of every answer: the page's own files only,
/// never framed, forms posted nowhere else.
pub const CSP: &str =
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A random token of 32 bytes from the operating system, as 64 hex digits.
///
/// # Errors
/// The operating system's random source fails.
pub fn new_token() -> Result<String, getrandom::Error> {
    Ok(hex(&random_bytes::<32>()?))
}

/// `N` random bytes from the operating system.
///
/// # Errors
/// The operating system's random source fails.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

/// Lower-case hex digits of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Which host names a request may address.
#[derive(Debug, Clone)]
pub struct Guard {
    token: String,
    port: u16,
    /// The address given with `--host`, when it is not a loopback one; an
    /// unspecified address (0.0.0.0, ::) admits any address literal.
    extra: Option<IpAddr>,
}

/// Why a request is refused before it reaches a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A `Host` header that is not this server's (DNS rebinding), or none.
    Host,
    /// `..` in the path, plain or percent-encoded.
    Path,
    /// No token, or a wrong one.
    Token,
    /// A POST from another site.
    CrossSite,
}

impl Refusal {
    /// What the answer says (English, like the command line's errors).
    pub fn message(self) -> &'static str {
        match self {
            Refusal::Host => "refused: the Host header names another server (open the address tierbook serve printed)",
            Refusal::Path => "not found",
            Refusal::Token => "refused: the token is missing or wrong (open the address tierbook serve printed, with its ?token=, or send the X-Tierbook-Token header)",
            Refusal::CrossSite => "refused: a request from another web site",
        }
    }
}

impl Guard {
    /// A guard for a server on `port` with `token`; `host` is the address
    /// it listens on.
    pub fn new(token: String, port: u16, host: IpAddr) -> Guard {
        Guard {
            token,
            port,
            extra: (!host.is_loopback()).then_some(host),
        }
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// Checks a request's path, host, token (unless `public`) and, for a
    /// POST, where it comes from.
    ///
    /// # Errors
    /// The first check that fails, in that order.
    pub fn check(
        &self,
        method: &Method,
        path: &str,
        query: Option<&str>,
        headers: &HeaderMap,
        public: bool,
    ) -> Result<(), Refusal> {
        let host = header(headers, "host");
        if !self.host_ok(host) {
            return Err(Refusal::Host);
        }
        if !path_ok(path) {
            return Err(Refusal::Path);
        }
        if !public && !self.token_ok(query, header(headers, TOKEN_HEADER)) {
            return Err(Refusal::Token);
        }
        let safe = matches!(*method, Method::GET | Method::HEAD);
        let same_site = self.origin_ok(header(headers, "origin"))
            && fetch_site_ok(header(headers, "sec-fetch-site"));
        if !safe && !same_site {
            return Err(Refusal::CrossSite);
        }
        Ok(())
    }

    /// Whether `host` (a `Host` header) names this server: 127.0.0.1,
    /// localhost or [::1] with its port (or the `--host` address).
    pub fn host_ok(&self, host: Option<&str>) -> bool {
        let Some(host) = host else { return false };
        let Some((name, port)) = host.rsplit_once(':') else {
            return false;
        };
        if port.parse::<u16>().ok() != Some(self.port) {
            return false;
        }
        let name = name.to_ascii_lowercase();
        if matches!(name.as_str(), "127.0.0.1" | "localhost" | "[::1]") {
            return true;
        }
        let literal = name
            .strip_prefix('[')
            .and_then(|n| n.strip_suffix(']'))
            .unwrap_or(&name);
        match (self.extra, literal.parse::<IpAddr>()) {
            (Some(extra), Ok(ip)) => extra.is_unspecified() || ip == extra,
            _ => false,
        }
    }

    /// Whether an `Origin` header is this server's (or absent: a request
    /// that is not from a web page).
    pub fn origin_ok(&self, origin: Option<&str>) -> bool {
        match origin {
            None => true,
            Some(o) => o
                .strip_prefix("http://")
                .is_some_and(|host| self.host_ok(Some(host))),
        }
    }

    /// Whether the token given in the query or the header is this run's.
    pub fn token_ok(&self, query: Option<&str>, header: Option<&str>) -> bool {
        let from_query =
            query.and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("token=")));
        [from_query, header]
            .into_iter()
            .flatten()
            .any(|t| same(t.as_bytes(), self.token.as_bytes()))
    }
}

/// Compares in a time that does not depend on where the inputs differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A header's value as text.
pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `Sec-Fetch-Site` of a POST: the page itself (`same-origin`), a request
/// the user typed or a script sent (`none`, or no header). `same-site` is
/// refused too: another server on this machine is the same site.
pub fn fetch_site_ok(value: Option<&str>) -> bool {
    matches!(value, None | Some("same-origin") | Some("none"))
}

/// Whether a request path is free of `..` segments, backslashes and NUL,
/// before and after percent-decoding.
pub fn path_ok(path: &str) -> bool {
    let decoded = percent_decode(path);
    [path.as_bytes(), decoded.as_slice()].iter().all(|p| {
        !p.contains(&b'\\')
            && !p.contains(&0)
            && !p
                .split(|&b| b == b'/')
                .any(|seg| seg == b".." || seg == b".")
            && !p.windows(2).any(|w| w == b"..")
    })
}

/// `%XX` escapes decoded (repeatedly, so `%252e` is caught too); a
/// malformed escape is kept as it is.
fn percent_decode(path: &str) -> Vec<u8> {
    let mut bytes = path.as_bytes().to_vec();
    for _ in 0..3 {
        let next: Vec<u8> = percent_encoding::percent_decode(&bytes).collect();
        if next == bytes {
            break;
        }
        bytes = next;
    }
    bytes
}

/// The headers every answer carries.
pub fn add_headers(headers: &mut HeaderMap) {
    let fixed = [
        ("content-security-policy", CSP),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cross-origin-resource-policy", "same-origin"),
        ("cross-origin-opener-policy", "same-origin"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key("cache-control") {
        headers.insert("cache-control", HeaderValue::from_static("no-store"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(host: &str) -> Guard {
        Guard::new("ab12".to_string(), 8123, host.parse().expect("an address"))
    }

    #[test]
    fn hosts_must_name_this_server_and_its_port() {
        let g = guard("127.0.0.1");
        for ok in [
            "127.0.0.1:8123",
            "localhost:8123",
            "LOCALHOST:8123",
            "[::1]:8123",
        ] {
            assert!(g.host_ok(Some(ok)), "{ok}");
        }
        for bad in [
            "127.0.0.1",
            "127.0.0.1:8124",
            "evil.example:8123",
            "localhost.evil.example:8123",
            "192.168.1.5:8123",
            "127.0.0.1:8123:8123",
            "",
        ] {
            assert!(!g.host_ok(Some(bad)), "{bad}");
        }
        assert!(!g.host_ok(None));
    }

    #[test]
    fn another_host_admits_its_own_address_and_never_names() {
        let g = guard("192.168.1.5");
        assert!(g.host_ok(Some("192.168.1.5:8123")));
        assert!(!g.host_ok(Some("192.168.1.6:8123")));
        let any = guard("0.0.0.0");
        assert!(any.host_ok(Some("10.0.0.7:8123")));
        assert!(any.host_ok(Some("[fe80::1]:8123")));
        assert!(!any.host_ok(Some("rebind.example:8123")));
    }

    #[test]
    fn origins_must_be_this_server() {
        let g = guard("127.0.0.1");
        assert!(g.origin_ok(None));
        assert!(g.origin_ok(Some("http://127.0.0.1:8123")));
        assert!(g.origin_ok(Some("http://localhost:8123")));
        for bad in [
            "https://evil.example",
            "http://127.0.0.1:8124",
            "null",
            "https://127.0.0.1:8123",
        ] {
            assert!(!g.origin_ok(Some(bad)), "{bad}");
        }
        assert!(fetch_site_ok(None) && fetch_site_ok(Some("same-origin")));
        assert!(!fetch_site_ok(Some("cross-site")) && !fetch_site_ok(Some("same-site")));
    }

    #[test]
    fn the_token_comes_from_the_query_or_the_header() {
        let g = guard("127.0.0.1");
        assert!(g.token_ok(Some("token=ab12"), None));
        assert!(g.token_ok(Some("x=1&token=ab12"), None));
        assert!(g.token_ok(None, Some("ab12")));
        assert!(!g.token_ok(Some("token=ab13"), None));
        assert!(!g.token_ok(Some("token=ab1"), None));
        assert!(!g.token_ok(Some("tok=ab12"), None));
        assert!(!g.token_ok(None, None));
    }

    #[test]
    fn dot_dot_is_refused_however_it_is_written() {
        for ok in ["/", "/assets/app.js", "/download/ab/evaluation", "/a.b/c"] {
            assert!(path_ok(ok), "{ok}");
        }
        for bad in [
            "/../etc/passwd",
            "/assets/../index.html",
            "/%2e%2e/x",
            "/%2E%2e/x",
            "/assets/%2e%2e%2fx",
            "/%252e%252e/x",
            "/assets/..",
            "/a\\b",
            "/a%5cb",
            "/a%00b",
            "/./x",
        ] {
            assert!(!path_ok(bad), "{bad}");
        }
    }

    #[test]
    fn tokens_are_random_hex() {
        let (a, b) = (new_token().expect("token"), new_token().expect("token"));
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_eq!(hex(&[0x00, 0xff, 0x1a]), "00ff1a");
    }
}
