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

#[cfg(test)]
impl Response {
    /// A response for the unit tests: `headers` as (lower-case name, value) pairs.
    pub(crate) fn of(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        Response {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.to_string(),
        }
    }
}

/// Why the transport returned no response.
#[derive(Debug, Clone, PartialEq)]
pub enum TransportError {
    /// The caller's abort signal fired.
    Aborted,
    /// The try took longer than its time-out; the request may or may not have been applied.
    Timeout,
    /// The answer's body is over [`MAX_RESPONSE_BODY_BYTES`]: not read further, and not tried
    /// again (the same request would get the same answer). `status` is the answer's status.
    TooLarge { status: u16 },
    /// The request could not be sent or the answer not read (DNS, refused, reset, CORS, ...).
    /// The text comes from the host's `fetch`; it must not be trusted to be secret-free.
    Network(String),
}

/// `parts` joined into one string of the right size: what `format!` of plain strings does,
/// without its machinery, on the paths every request takes (URLs, header names).
pub fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// Percent-encodes `s` for a URL path segment or query value: everything but the unreserved
/// characters of RFC 3986.
pub fn encode_component(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut run = 0; // start of the unreserved run not yet copied
    for (i, &b) in bytes.iter().enumerate() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            continue;
        }
        // Unreserved ASCII since `run`, or empty (`run` may then sit inside a character, which
        // `get` answers with None rather than a panic).
        out.push_str(s.get(run..i).unwrap_or_default());
        out.push('%');
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
        run = i + 1;
    }
    out.push_str(s.get(run..).unwrap_or_default());
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

/// The response headers the core reads after a successful `method` (comma-separated): only
/// these cross the boundary.
pub fn headers_read_on_success(method: &str) -> &'static str {
    match method {
        "HEAD" => "etag,last-modified,x-ms-meta-ownerid",
        "GET" => "x-ms-request-id,date",
        _ => "etag,last-modified",
    }
}

/// The response headers the core reads after any other status (comma-separated).
pub const HEADERS_READ_ON_FAILURE: &str =
    "x-ms-error-code,x-ms-request-id,retry-after,x-ms-retry-after-ms";

/// Takes apart what the wasm transport's one try (`src/wasm/transport.js`) of a `method`
/// request resolved with: "T" (its time-out), "L<status>" (a body over [`MAX_RESPONSE_BODY_BYTES`]),
/// or `"<status>\n<field>..\n<body>"` with one field per name of
/// [`headers_read_on_success`] (a 2xx) or [`HEADERS_READ_ON_FAILURE`] (any other status):
/// empty when the header was absent, `:` + its value.
pub fn parse_try_answer(mut answer: String, method: &str) -> Result<Response, TransportError> {
    let malformed = || TransportError::Network("the transport's answer is malformed".into());
    if answer == "T" {
        return Err(TransportError::Timeout);
    }
    if let Some(status) = answer.strip_prefix('L') {
        let status = status.parse().map_err(|_| malformed())?;
        return Err(TransportError::TooLarge { status });
    }
    let mut fields = answer.split('\n');
    let status_field = fields.next().unwrap_or_default();
    let status: u16 = status_field.parse().map_err(|_| malformed())?;
    // An opaque redirect (status 0): nothing more. The core turns it into an error.
    if status == 0 {
        return Ok(Response {
            status,
            headers: Vec::new(),
            body: String::new(),
        });
    }
    let names = if (200..300).contains(&status) {
        headers_read_on_success(method)
    } else {
        HEADERS_READ_ON_FAILURE
    };
    let mut headers = Vec::new();
    let mut consumed = status_field.len() + 1;
    for name in names.split(',') {
        let field = fields.next().ok_or_else(malformed)?;
        consumed += field.len() + 1;
        if let Some(value) = field.strip_prefix(':') {
            headers.push((name.to_string(), value.to_string()));
        }
    }
    // The body is the rest: moved down in place, not copied.
    let start = consumed.min(answer.len());
    answer.replace_range(..start, "");
    Ok(Response {
        status,
        headers,
        body: answer,
    })
}

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
    fn takes_a_try_answer_apart() {
        let r = parse_try_answer("201\n:\"0x1\"\n\n<b>\nx</b>".into(), "PUT").unwrap();
        assert_eq!(r.status, 201);
        assert_eq!(r.headers, vec![("etag".to_string(), "\"0x1\"".to_string())]);
        assert_eq!(r.body, "<b>\nx</b>");
        let r = parse_try_answer("503\n:ServerBusy\n\n\n\n".into(), "PUT").unwrap();
        assert_eq!(
            (r.status, r.header("x-ms-error-code"), r.body.as_str()),
            (503, Some("ServerBusy"), "")
        );
        let r = parse_try_answer("0".into(), "HEAD").unwrap();
        assert_eq!((r.status, r.headers.len()), (0, 0));
        assert!(matches!(
            parse_try_answer("T".into(), "PUT"),
            Err(TransportError::Timeout)
        ));
        assert!(matches!(
            parse_try_answer("L200".into(), "GET"),
            Err(TransportError::TooLarge { status: 200 })
        ));
        for bad in ["", "x", "200", "200\n:a", "99999\n\n", "L", "Lx", "L99999"] {
            assert!(parse_try_answer(bad.into(), "PUT").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn encodes_and_decodes() {
        assert_eq!(encode_component("$default/ä b"), "%24default%2F%C3%A4%20b");
        for (raw, encoded) in [
            ("", ""),
            ("ä", "%C3%A4"),
            ("äb", "%C3%A4b"),
            ("aä", "a%C3%A4"),
            ("€x€", "%E2%82%ACx%E2%82%AC"),
            ("A-z.0_~", "A-z.0_~"),
        ] {
            assert_eq!(encode_component(raw), encoded);
            assert_eq!(decode_component(encoded), raw);
        }
        assert_eq!(decode_component("%24default%2F%C3%A4%20b"), "$default/ä b");
        assert_eq!(decode_component("bad%zz%"), "bad%zz%");
        assert_eq!(decode_component("%4"), "%4");
    }
}
