//! Errors as values: what went wrong, for which operation and blob, without any secret.

use std::fmt;

use crate::model::PartitionOwnership;

/// Every failure the store reports. The JS layer maps each kind to the error a JS user expects
/// (`TypeError`, `RestError`, `AbortError`, `Error`). `Debug` is hand-written (see below).
#[derive(Clone, PartialEq)]
pub enum StoreError {
    /// Bad input, found before any request: `field` names it the way the caller wrote it
    /// (`ownerships[2].partitionId`).
    InvalidInput { field: String, message: String },
    /// The service answered with a failure, or no answer came (`status` is `None`).
    Rest {
        status: Option<u16>,
        /// The Azure error code (`ContainerNotFound`, `AuthenticationFailed`, ...).
        code: Option<String>,
        request_id: Option<String>,
        message: String,
    },
    /// The caller's abort signal fired before or during the call.
    Aborted,
    /// The store was closed before the call.
    Closed,
    /// A `claimOwnership` call that failed part-way: `error` is the first hard failure, and
    /// `claimed` the ownerships the service accepted (with their new ETag and Last-Modified),
    /// so that the caller can keep or release them. Nothing the service accepted is hidden.
    PartialClaim {
        error: Box<StoreError>,
        claimed: Vec<PartitionOwnership>,
        /// Claims that were never sent because an earlier one failed.
        not_sent: usize,
    },
}

impl StoreError {
    /// Bad input in `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = format!("{field}: {}", message.into());
        StoreError::InvalidInput { field, message }
    }

    /// A failure without an HTTP status (network, credential), with an error code of our own.
    pub fn no_response(code: &str, message: impl Into<String>) -> Self {
        StoreError::Rest {
            status: None,
            code: Some(code.to_string()),
            request_id: None,
            message: message.into(),
        }
    }

    /// The HTTP status, if the service answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            StoreError::Rest { status, .. } => *status,
            StoreError::PartialClaim { error, .. } => error.status(),
            _ => None,
        }
    }

    /// The Azure error code, if any.
    pub fn code(&self) -> Option<&str> {
        match self {
            StoreError::Rest { code, .. } => code.as_deref(),
            StoreError::PartialClaim { error, .. } => error.code(),
            _ => None,
        }
    }

    /// The ownerships a failed `claimOwnership` call won before it failed (empty otherwise).
    pub fn claimed(&self) -> &[PartitionOwnership] {
        match self {
            StoreError::PartialClaim { claimed, .. } => claimed,
            _ => &[],
        }
    }

    /// The request id the service gave the failed request, if any.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            StoreError::Rest { request_id, .. } => request_id.as_deref(),
            StoreError::PartialClaim { error, .. } => error.request_id(),
            _ => None,
        }
    }

    /// The same error with `f` applied to every text that may hold outside data (message,
    /// code, request id, and the ETags of claimed ownerships).
    pub fn map_text(self, f: &dyn Fn(&str) -> String) -> Self {
        match self {
            StoreError::InvalidInput { field, message } => StoreError::InvalidInput {
                field: f(&field),
                message: f(&message),
            },
            StoreError::Rest {
                status,
                code,
                request_id,
                message,
            } => StoreError::Rest {
                status,
                code: code.map(|c| f(&c)),
                request_id: request_id.map(|r| f(&r)),
                message: f(&message),
            },
            StoreError::PartialClaim {
                error,
                claimed,
                not_sent,
            } => StoreError::PartialClaim {
                error: Box::new(error.map_text(f)),
                claimed: claimed
                    .into_iter()
                    .map(|mut o| {
                        o.etag = o.etag.map(|e| f(&e));
                        o
                    })
                    .collect(),
                not_sent,
            },
            other => other,
        }
    }

    /// The human-readable message.
    pub fn message(&self) -> String {
        match self {
            StoreError::InvalidInput { message, .. } | StoreError::Rest { message, .. } => {
                message.clone()
            }
            StoreError::Aborted => "The operation was aborted.".to_string(),
            StoreError::Closed => "The BlobCheckpointStore is closed.".to_string(),
            StoreError::PartialClaim {
                error,
                claimed,
                not_sent,
            } => {
                let mut m = error.message();
                m.push_str(&format!(
                    " [claimOwnership stopped at this failure: {} claim(s) won before it are yours (err.claimedOwnerships, with their new etags)",
                    claimed.len()
                ));
                if *not_sent > 0 {
                    m.push_str(&format!(
                        "; {not_sent} claim(s) not yet started were not sent"
                    ));
                }
                m.push(']');
                m
            }
        }
    }
}

// Hand-written: a derived one would print the claimed ownerships' f64 timestamps, and float
// formatting costs the wasm ~20 KB. Claimed ownerships show as partition id and ETag.
impl fmt::Debug for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::InvalidInput { field, message } => f
                .debug_struct("InvalidInput")
                .field("field", field)
                .field("message", message)
                .finish(),
            StoreError::Rest {
                status,
                code,
                request_id,
                message,
            } => f
                .debug_struct("Rest")
                .field("status", status)
                .field("code", code)
                .field("request_id", request_id)
                .field("message", message)
                .finish(),
            StoreError::Aborted => f.write_str("Aborted"),
            StoreError::Closed => f.write_str("Closed"),
            StoreError::PartialClaim {
                error,
                claimed,
                not_sent,
            } => {
                let claimed: Vec<(&str, Option<&str>)> = claimed
                    .iter()
                    .map(|o| (o.partition_id.as_str(), o.etag.as_deref()))
                    .collect();
                f.debug_struct("PartialClaim")
                    .field("error", error)
                    .field("claimed", &claimed)
                    .field("not_sent", not_sent)
                    .finish()
            }
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for StoreError {}

/// Removes anything from text that came from outside (service messages) that could be a secret:
/// `sig=` values and long base64-like runs (account keys, signatures, tokens).
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 24
            && run
                .chars()
                .any(|c| c.is_ascii_digit() || c == '+' || c == '/')
        {
            out.push_str("[REDACTED]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    let mut after_sig = false;
    for c in text.chars() {
        let secretish =
            c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '%' | '-' | '_' | '.');
        if secretish {
            run.push(c);
            if run.eq_ignore_ascii_case("sig=") {
                out.push_str(&run);
                run.clear();
                after_sig = true;
            }
        } else {
            if after_sig {
                out.push_str("[REDACTED]");
                run.clear();
                after_sig = false;
            } else {
                flush(&mut run, &mut out);
            }
            out.push(c);
        }
    }
    if after_sig {
        out.push_str("[REDACTED]");
    } else {
        flush(&mut run, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_keys_and_signatures() {
        let key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
        let msg = format!("bad key {key} and sv=2020&sig=abc%2Bdef%3D&se=1 here");
        let r = redact(&msg);
        assert!(!r.contains("Eby8vd"), "{r}");
        assert!(!r.contains("abc%2Bdef"), "{r}");
        assert!(r.contains("bad key"), "{r}");
    }

    #[test]
    fn keeps_ordinary_text() {
        let msg =
            "The specified container does not exist. RequestId:3f2a Time:2026-11-24T05:44:55Z";
        assert_eq!(redact(msg), msg);
    }

    #[test]
    fn invalid_names_the_field() {
        let e = StoreError::invalid("ownerships[2].partitionId", "must be a string");
        assert_eq!(e.message(), "ownerships[2].partitionId: must be a string");
    }
}
