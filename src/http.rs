//! Plain HTTP request and response values: what the core builds and what the transport returns.

/// An HTTP request the store wants sent. Bodies are always empty: every blob is zero-length.
/// Its `Debug` hides the query (a SAS) and the `Authorization` header.
#[derive(Clone, PartialEq)]
pub struct Request {
    /// `GET`, `PUT`, `HEAD`.
    pub method: &'static str,
    /// The full URL, query included.
    pub url: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let url = match self.url.split_once('?') {
            Some((path, _)) => format!("{path}?[REDACTED]"),
            None => self.url.clone(),
        };
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                if n.eq_ignore_ascii_case("authorization") {
                    (n.as_str(), "[REDACTED]")
                } else {
                    (n.as_str(), v.as_str())
                }
            })
            .collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &url)
            .field("headers", &headers)
            .finish()
    }
}

impl Request {
    /// A request without headers yet.
    pub fn new(method: &'static str, url: String) -> Self {
        Request {
            method,
            url,
            headers: Vec::new(),
        }
    }

    /// Adds a header (name given in lower case).
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// The value of header `name` (lower case), if set.
    pub fn get_header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What came back.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body, as text (list results and error documents are XML).
    pub body: String,
}

impl Response {
    /// The value of header `name` (lower case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why the transport returned no response.
#[derive(Debug, Clone, PartialEq)]
pub enum TransportError {
    /// The caller's abort signal fired.
    Aborted,
    /// The try took longer than its time-out; the request may or may not have been applied.
    Timeout,
    /// The request could not be sent or the answer not read (DNS, refused, reset, CORS, ...).
    /// The text comes from the host's `fetch`; it must not be trusted to be secret-free.
    Network(String),
}

/// Percent-encodes `s` for a URL path segment or query value: everything but the unreserved
/// characters of RFC 3986.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes (and nothing else); invalid escapes are kept as they are.
pub fn decode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Largest response body the transport copies into wasm memory (32 MiB). A full List Blobs
/// page of 5,000 blobs with metadata is about 3 MB; anything far larger is not a Blob Storage
/// answer this store asked for, and is refused rather than allocated.
pub const MAX_RESPONSE_BODY_BYTES: u32 = 32 * 1024 * 1024;

/// Largest delay hosts accept for `setTimeout` (2^31 - 1 ms, about 24.8 days): larger values
/// wrap to an immediate timer, so every timer value is clamped to 1..=this.
pub const MAX_TIMER_MS: f64 = 2_147_483_647.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_query_and_authorization() {
        let r = Request::new("GET", "https://a/c?sv=1&sig=SECRET".into())
            .header("authorization", "Bearer TOKENSECRET");
        let d = format!("{r:?}");
        assert!(!d.contains("SECRET"), "{d}");
    }

    #[test]
    fn encodes_and_decodes() {
        assert_eq!(encode_component("$default/ä b"), "%24default%2F%C3%A4%20b");
        assert_eq!(decode_component("%24default%2F%C3%A4%20b"), "$default/ä b");
        assert_eq!(decode_component("bad%zz%"), "bad%zz%");
        assert_eq!(decode_component("%4"), "%4");
    }
}
