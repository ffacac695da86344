//! When to try a request again, and how long to wait first.

use crate::error::StoreError;
use crate::http::Response;
use crate::time::parse_http_date;

/// Retry settings, named as `@azure/event-hubs`' `RetryOptions`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryOptions {
    /// Tries after the first one.
    pub max_retries: u32,
    /// The first back-off; doubled for each further retry.
    pub retry_delay_ms: f64,
    /// No wait is longer, whatever the back-off or the service asks for.
    pub max_retry_delay_ms: f64,
    /// The time-out of each try.
    pub timeout_ms: f64,
}

impl Default for RetryOptions {
    fn default() -> Self {
        RetryOptions {
            max_retries: 3,
            retry_delay_ms: 800.0,
            max_retry_delay_ms: 60_000.0,
            timeout_ms: 60_000.0,
        }
    }
}

/// Most retries accepted: enough for any real use, and it bounds how long one call can last.
pub const MAX_RETRIES_LIMIT: u32 = 100;

impl RetryOptions {
    /// Checks the values, naming the option in errors (`options.retryOptions.timeoutInMs`).
    pub fn validate(&self) -> Result<(), StoreError> {
        const P: &str = "options.retryOptions";
        if self.max_retries > MAX_RETRIES_LIMIT {
            return Err(StoreError::invalid(
                format!("{P}.maxRetries"),
                format!("must be at most {MAX_RETRIES_LIMIT}"),
            ));
        }
        for (name, v) in [
            ("retryDelayInMs", self.retry_delay_ms),
            ("maxRetryDelayInMs", self.max_retry_delay_ms),
        ] {
            if !v.is_finite() || v < 0.0 {
                return Err(StoreError::invalid(
                    format!("{P}.{name}"),
                    "must be a finite number of milliseconds, 0 or more",
                ));
            }
        }
        if !self.timeout_ms.is_finite() || self.timeout_ms < 1.0 {
            return Err(StoreError::invalid(
                format!("{P}.timeoutInMs"),
                "must be a finite number of milliseconds, 1 or more",
            ));
        }
        Ok(())
    }
}

/// Statuses worth another try: time-outs, throttling and server trouble. Other 4xx never are.
pub fn is_retriable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// How long to wait before retry number `retry` (1 for the first retry). `resp` is the failed
/// response, if there was one: its `x-ms-retry-after-ms` or `Retry-After` (seconds or an HTTP
/// date) wins over the back-off. `random01` in [0, 1) spreads clients apart (±20%).
pub fn retry_delay(
    opts: &RetryOptions,
    retry: u32,
    resp: Option<&Response>,
    now_ms: f64,
    random01: f64,
) -> f64 {
    if let Some(ms) = resp.and_then(|r| server_delay(r, now_ms)) {
        return ms.min(opts.max_retry_delay_ms);
    }
    let exponent = retry.saturating_sub(1).min(30) as i32;
    let backoff = opts.retry_delay_ms * 2f64.powi(exponent);
    let jitter = 0.8 + 0.4 * random01.clamp(0.0, 1.0);
    (backoff * jitter).min(opts.max_retry_delay_ms)
}

fn server_delay(resp: &Response, now_ms: f64) -> Option<f64> {
    if let Some(ms) = resp
        .header("x-ms-retry-after-ms")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|ms| ms as f64)
    {
        return Some(ms).filter(|m| m.is_finite()).map(|m| m.max(0.0));
    }
    let v = resp.header("retry-after")?.trim();
    // Integers only, as HTTP defines them (and float parsing would cost the wasm ~10 KB).
    if let Ok(secs) = v.parse::<u64>().map(|s| s as f64) {
        return Some(secs * 1000.0)
            .filter(|m| m.is_finite())
            .map(|m| m.max(0.0));
    }
    parse_http_date(v).map(|at| (at - now_ms).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(headers: &[(&str, &str)]) -> Response {
        Response {
            status: 503,
            headers: headers
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            body: String::new(),
        }
    }

    #[test]
    fn retriable_statuses() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(is_retriable_status(s), "{s}");
        }
        for s in [200, 201, 400, 401, 403, 404, 409, 412, 501, 505] {
            assert!(!is_retriable_status(s), "{s}");
        }
    }

    #[test]
    fn exponential_backoff_with_jitter_and_cap() {
        let o = RetryOptions::default();
        assert_eq!(retry_delay(&o, 1, None, 0.0, 0.5), 800.0);
        assert_eq!(retry_delay(&o, 2, None, 0.0, 0.5), 1600.0);
        assert_eq!(retry_delay(&o, 3, None, 0.0, 0.0), 3200.0 * 0.8);
        assert!((retry_delay(&o, 3, None, 0.0, 1.0) - 3840.0).abs() < 1e-6);
        assert_eq!(retry_delay(&o, 40, None, 0.0, 0.5), 60_000.0);
        assert_eq!(retry_delay(&o, u32::MAX, None, 0.0, 0.5), 60_000.0);
    }

    #[test]
    fn service_asked_delays_win_and_are_capped() {
        let o = RetryOptions {
            max_retry_delay_ms: 5_000.0,
            ..RetryOptions::default()
        };
        assert_eq!(
            retry_delay(&o, 1, Some(&resp(&[("retry-after", "2")])), 0.0, 0.5),
            2_000.0
        );
        assert_eq!(
            retry_delay(
                &o,
                1,
                Some(&resp(&[
                    ("x-ms-retry-after-ms", "150"),
                    ("retry-after", "2")
                ])),
                0.0,
                0.5
            ),
            150.0
        );
        assert_eq!(
            retry_delay(&o, 1, Some(&resp(&[("retry-after", "3600")])), 0.0, 0.5),
            5_000.0
        );
        let now = 1_795_499_095_000.0;
        let at = crate::time::format_http_date(now + 3_000.0);
        assert_eq!(
            retry_delay(&o, 1, Some(&resp(&[("retry-after", &at)])), now, 0.5),
            3_000.0
        );
        // Garbage falls back to the back-off.
        assert_eq!(
            retry_delay(&o, 1, Some(&resp(&[("retry-after", "soon")])), now, 0.5),
            800.0
        );
        assert_eq!(
            retry_delay(&o, 1, Some(&resp(&[("retry-after", "-5")])), now, 0.5),
            800.0
        );
    }

    #[test]
    fn validation_names_the_option() {
        assert!(RetryOptions::default().validate().is_ok());
        let bad = RetryOptions {
            timeout_ms: f64::NAN,
            ..RetryOptions::default()
        };
        assert!(bad
            .validate()
            .unwrap_err()
            .message()
            .starts_with("options.retryOptions.timeoutInMs"));
        let bad = RetryOptions {
            max_retries: 1000,
            ..RetryOptions::default()
        };
        assert!(bad
            .validate()
            .unwrap_err()
            .message()
            .starts_with("options.retryOptions.maxRetries"));
        let bad = RetryOptions {
            retry_delay_ms: -1.0,
            ..RetryOptions::default()
        };
        assert!(bad.validate().is_err());
    }
}
