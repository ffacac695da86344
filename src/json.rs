//! JSON text written by hand: results cross to JS as one JSON string and one `JSON.parse`
//! (one crossing per call, where building each object field by field costs two or three per
//! field), and a try's request init goes the same way.

use crate::http::Request;
use crate::model::MAX_SAFE_INTEGER;

/// Appends `s` as a JSON string.
pub fn json_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    // Runs of bytes that need no escape are copied whole; the escapes are all ASCII, so a run
    // never ends inside a multi-byte character.
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(s.get(run..i).unwrap_or_default());
        if esc.is_empty() {
            out.push_str("\\u00");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        } else {
            out.push_str(esc);
        }
        run = i + 1;
    }
    out.push_str(s.get(run..).unwrap_or_default());
    out.push('"');
}

/// Appends `"name":"value",` (or `null` for none).
pub fn json_field(out: &mut String, name: &str, value: Option<&str>) {
    json_str(out, name);
    out.push(':');
    match value {
        Some(v) => json_str(out, v),
        None => out.push_str("null"),
    }
    out.push(',');
}

/// Milliseconds as a JSON integer (`null` if not finite, which the core never hands out).
/// Rounded to whole milliseconds, which is what they are: formatting a float would pull the
/// float formatting code into the wasm (about 10 KB gzipped).
pub fn json_ms(n: f64) -> String {
    if n.is_finite() && n.abs() <= MAX_SAFE_INTEGER as f64 {
        (n.round() as i64).to_string()
    } else {
        "null".into()
    }
}

/// `{"method":..,"redirect":"manual","headers":{..}}` for `JSON.parse`. Redirects are never
/// followed: a 3xx comes back as a response (status 0 in browsers) for the core to refuse.
pub fn request_init(req: &Request) -> String {
    let mut out = String::with_capacity(
        64 + req
            .headers
            .iter()
            .map(|(n, v)| n.len() + v.len() + 8)
            .sum::<usize>(),
    );
    out.push_str("{\"method\":");
    json_str(&mut out, req.method);
    out.push_str(",\"redirect\":\"manual\",\"headers\":{");
    for (i, (name, value)) in req.headers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_str(&mut out, name);
        out.push(':');
        json_str(&mut out, value);
    }
    out.push_str("}}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js(s: &str) -> String {
        let mut out = String::new();
        json_str(&mut out, s);
        out
    }

    #[test]
    fn escapes_quotes_backslashes_and_control_characters_only() {
        assert_eq!(js(""), "\"\"");
        assert_eq!(js("plain ä €"), "\"plain ä €\"");
        assert_eq!(js("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(js("\n\u{1}\u{1f}x"), "\"\\u000a\\u0001\\u001fx\"");
        assert_eq!(js("\u{7f}/<"), "\"\u{7f}/<\"");
    }

    #[test]
    fn fields_and_milliseconds() {
        let mut out = String::new();
        json_field(&mut out, "a", Some("b"));
        json_field(&mut out, "c", None);
        assert_eq!(out, "\"a\":\"b\",\"c\":null,");
        assert_eq!(json_ms(1.6), "2");
        assert_eq!(json_ms(f64::NAN), "null");
        assert_eq!(json_ms(1e300), "null");
    }

    #[test]
    fn a_request_init_never_follows_redirects() {
        let r = Request::new("PUT", "https://a/c".into())
            .header("x-ms-meta-offset", "1\"2")
            .header("x-ms-version", "2019-07-07");
        assert_eq!(
            request_init(&r),
            "{\"method\":\"PUT\",\"redirect\":\"manual\",\"headers\":{\"x-ms-meta-offset\":\"1\\\"2\",\"x-ms-version\":\"2019-07-07\"}}"
        );
    }
}
