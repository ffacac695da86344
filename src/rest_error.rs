//! Turning a failed response into a [`StoreError`]: status, Azure error code, request id, and a
//! message that names the operation and the blob but never a secret.

use crate::error::{redact, StoreError};
use crate::http::Response;
use quick_xml::events::Event;
use quick_xml::Reader;

/// The `Code` and `Message` of an Azure error document, when the body is one.
pub fn parse_error_body(xml: &str) -> (Option<String>, Option<String>) {
    let mut reader = Reader::from_str(xml);
    let mut code = None;
    let mut message = None;
    let mut current: Option<&'static str> = None;
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                depth += 1;
                current = match (depth, e.local_name().as_ref()) {
                    (2, b"Code") => Some("code"),
                    (2, b"Message") => Some("message"),
                    _ => None,
                };
            }
            Ok(Event::Text(t)) => {
                let value = t.unescape().map(|v| v.into_owned()).ok();
                match current {
                    Some("code") => code = value,
                    Some("message") => message = value,
                    _ => {}
                }
            }
            Ok(Event::End(_)) => {
                depth = depth.saturating_sub(1);
                current = None;
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    (code.filter(|c| !c.trim().is_empty()), message)
}

/// Builds the error for a failed `operation` on `target` (a blob or container name).
/// `secrets` are strings to scrub from anything the service echoed.
pub fn from_response(
    operation: &str,
    target: &str,
    resp: &Response,
    secrets: &[String],
) -> StoreError {
    let (body_code, body_message) = parse_error_body(&resp.body);
    let code = resp
        .header("x-ms-error-code")
        .map(str::to_string)
        .or(body_code)
        .map(|c| scrub(&c, secrets));
    let request_id = resp
        .header("x-ms-request-id")
        .map(|r| replace_secrets(r, &as_strs(secrets)));
    let mut message = format!(
        "{operation} failed for '{target}': {} {}",
        resp.status,
        code.as_deref().unwrap_or(reason(resp.status))
    );
    if let Some(m) = body_message {
        // Only the first line: later lines of AuthenticationFailed echo the string to sign.
        let first = m.lines().next().unwrap_or("").trim();
        if !first.is_empty() {
            message.push_str(". ");
            message.push_str(&scrub(first, secrets));
        }
    }
    StoreError::Rest {
        status: Some(resp.status),
        code,
        request_id,
        message,
    }
}

fn as_strs(secrets: &[String]) -> Vec<&str> {
    secrets.iter().map(String::as_str).collect()
}

/// Replaces every known secret in `text` with `[REDACTED]`, and nothing else (for request ids
/// and codes, which the look-alike heuristic of [`redact`] would mangle). Secrets shorter than
/// 4 characters are skipped: replacing them would blank ordinary words.
pub fn replace_secrets(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        if out.contains(*s) {
            out = out.replace(*s, "[REDACTED]");
        }
    }
    out
}

/// Removes the given secrets and anything secret-looking from `text`.
pub fn scrub(text: &str, secrets: &[String]) -> String {
    redact(&replace_secrets(text, &as_strs(secrets)))
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        412 => "Precondition Failed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "HTTP error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_code_from_header_or_body() {
        let body = "<?xml version=\"1.0\"?><Error><Code>ContainerNotFound</Code><Message>The specified container does not exist.\nRequestId:1</Message></Error>";
        let e = from_response(
            "claimOwnership",
            "c/ns/eh/cg/ownership/0",
            &Response::of(404, &[("x-ms-request-id", "r1")], body),
            &[],
        );
        let StoreError::Rest {
            status,
            code,
            request_id,
            message,
        } = e
        else {
            panic!()
        };
        assert_eq!(status, Some(404));
        assert_eq!(code.as_deref(), Some("ContainerNotFound"));
        assert_eq!(request_id.as_deref(), Some("r1"));
        assert_eq!(message, "claimOwnership failed for 'c/ns/eh/cg/ownership/0': 404 ContainerNotFound. The specified container does not exist.");
        let e = from_response(
            "op",
            "t",
            &Response::of(412, &[("x-ms-error-code", "ConditionNotMet")], ""),
            &[],
        );
        assert_eq!(e.code(), Some("ConditionNotMet"));
    }

    #[test]
    fn never_echoes_secrets() {
        let body = "<Error><Code>AuthenticationFailed</Code><Message>Signature did not match. sig=SECRETSIG key MYSECRETKEY\nString to sign: x</Message></Error>";
        let e = from_response(
            "op",
            "t",
            &Response::of(403, &[], body),
            &["MYSECRETKEY".into()],
        );
        assert!(
            !e.message().contains("SECRETSIG") && !e.message().contains("MYSECRETKEY"),
            "{}",
            e.message()
        );
        assert!(!e.message().contains("String to sign"));
    }

    #[test]
    fn survives_garbage_bodies() {
        for body in [
            "",
            "<Error>",
            "\u{0}\u{ffff}",
            "<Error><Code>&bad;</Code></Error>",
            "not xml at all",
        ] {
            let e = from_response("op", "t", &Response::of(500, &[], body), &[]);
            assert_eq!(e.status(), Some(500));
        }
    }
}
