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

/// The longest delay any host's timer accepts: `setTimeout` takes a signed 32-bit number of
/// milliseconds (about 24.8 days) and fires at once for anything larger. Every wait and
/// time-out the store asks for is at most this.
pub const MAX_TIMER_MS: f64 = 2_147_483_647.0;

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
            if !v.is_finite() || !(0.0..=MAX_TIMER_MS).contains(&v) {
                return Err(StoreError::invalid(
                    format!("{P}.{name}"),
                    "must be a number of milliseconds from 0 to 2147483647 (2^31-1, the longest timer hosts accept)",
                ));
            }
        }
        if !self.timeout_ms.is_finite() || !(1.0..=MAX_TIMER_MS).contains(&self.timeout_ms) {
            return Err(StoreError::invalid(
                format!("{P}.timeoutInMs"),
                // A literal: formatting an f64 would pull float printing (~10 KB) into the wasm.
                "must be a number of milliseconds from 1 to 2147483647 (2^31-1, the longest timer hosts accept)",
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
/// date) wins over the back-off, however large it is: it is capped, like the back-off, by
/// `max_retry_delay_ms` and by [`MAX_TIMER_MS`]. `random01` in [0, 1) spreads clients apart
/// (±20%). The result is always a finite number from 0 to [`MAX_TIMER_MS`].
pub fn retry_delay(
    opts: &RetryOptions,
    retry: u32,
    resp: Option<&Response>,
    now_ms: f64,
    random01: f64,
) -> f64 {
    // Constant bounds only for clamp: with a variable bound its panic check (and message, with
    // float formatting, ~20 KB of wasm) stays in. NaN comes only from unvalidated options.
    let cap = if opts.max_retry_delay_ms.is_nan() {
        MAX_TIMER_MS
    } else {
        opts.max_retry_delay_ms.clamp(0.0, MAX_TIMER_MS)
    };
    if let Some(ms) = resp.and_then(|r| server_delay(r, now_ms)) {
        return ms.min(cap);
    }
    let exponent = retry.saturating_sub(1).min(30) as i32;
    let backoff = opts.retry_delay_ms * 2f64.powi(exponent);
    let jitter = 0.8 + 0.4 * random01.clamp(0.0, 1.0);
    (backoff * jitter).max(0.0).min(cap)
}

/// A run of ASCII digits as a number, saturating (to infinity) instead of failing, so that an
/// absurd value such as `99999999999999999999` still means "a very long time".
fn saturating_digits(v: &str) -> Option<f64> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(
        v.bytes()
            .fold(0.0f64, |n, b| n * 10.0 + f64::from(b - b'0')),
    )
}

fn server_delay(resp: &Response, now_ms: f64) -> Option<f64> {
    if let Some(ms) = resp
        .header("x-ms-retry-after-ms")
        .and_then(|v| saturating_digits(v.trim()))
    {
        return Some(ms);
    }
    let v = resp.header("retry-after")?.trim();
    // Integers only, as HTTP defines them (and float parsing would cost the wasm ~10 KB).
    if let Some(secs) = saturating_digits(v) {
        return Some(secs * 1000.0);
    }
    parse_http_date(v)
        .map(|at| at - now_ms)
        .filter(|d| !d.is_nan())
        .map(|d| d.max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(headers: &[(&str, &str)]) -> Response {
        Response::of(503, headers, "")
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
    fn absurd_server_delays_are_capped_at_the_timer_limit() {
        let small = RetryOptions {
            max_retry_delay_ms: 50.0,
            ..RetryOptions::default()
        };
        let huge = RetryOptions {
            max_retry_delay_ms: MAX_TIMER_MS,
            ..RetryOptions::default()
        };
        for h in [
            ("retry-after", "1000000000000"),
            ("retry-after", "99999999999999999999"),
            ("retry-after", &"9".repeat(400)),
            ("x-ms-retry-after-ms", "99999999999999999999"),
            ("x-ms-retry-after-ms", "4294967296"),
            ("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT"),
        ] {
            let r = resp(&[h]);
            assert_eq!(retry_delay(&small, 1, Some(&r), 0.0, 0.5), 50.0, "{h:?}");
            assert_eq!(
                retry_delay(&huge, 1, Some(&r), 0.0, 0.5),
                MAX_TIMER_MS,
                "{h:?}"
            );
        }
        // Even options that bypassed validation never give a delay a timer would wrap.
        let unchecked = RetryOptions {
            retry_delay_ms: 1e300,
            max_retry_delay_ms: f64::INFINITY,
            ..RetryOptions::default()
        };
        assert_eq!(retry_delay(&unchecked, 5, None, 0.0, 0.5), MAX_TIMER_MS);
    }

    #[test]
    fn timer_values_above_the_host_limit_are_rejected_by_name() {
        for (name, o) in [
            (
                "timeoutInMs",
                RetryOptions {
                    timeout_ms: MAX_TIMER_MS + 1.0,
                    ..RetryOptions::default()
                },
            ),
            (
                "retryDelayInMs",
                RetryOptions {
                    retry_delay_ms: 2f64.powi(32),
                    ..RetryOptions::default()
                },
            ),
            (
                "maxRetryDelayInMs",
                RetryOptions {
                    max_retry_delay_ms: 1e12,
                    ..RetryOptions::default()
                },
            ),
        ] {
            let e = o.validate().unwrap_err();
            assert!(
                e.message()
                    .starts_with(&format!("options.retryOptions.{name}")),
                "{e}"
            );
            assert!(matches!(e, StoreError::InvalidInput { .. }));
        }
        let edge = RetryOptions {
            timeout_ms: MAX_TIMER_MS,
            retry_delay_ms: MAX_TIMER_MS,
            max_retry_delay_ms: MAX_TIMER_MS,
            ..RetryOptions::default()
        };
        assert!(edge.validate().is_ok());
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
