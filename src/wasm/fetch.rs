//! The transport: sends core [`Request`]s with the host's `fetch`, and asks a JS token
//! credential for tokens. This is the store's only I/O.

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

use futures_util::future::{select, Either};
use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, Headers, RequestInit};

use crate::credential::AccessToken;
use crate::error::{redact, StoreError};
use crate::http::{Request, Response, TransportError};
use crate::store::Host;

use super::sys::{clear_timeout, fetch_with_init, set_timeout};

/// Response headers the core reads; only these are copied out of the JS `Headers` (each one
/// a crossing of the boundary, so a success reads only what a success needs).
const SUCCESS_HEADERS: [&str; 4] = [
    "etag",
    "last-modified",
    "x-ms-meta-ownerid",
    "x-ms-request-id",
];
const FAILURE_HEADERS: [&str; 6] = [
    "x-ms-error-code",
    "x-ms-request-id",
    "retry-after",
    "x-ms-retry-after-ms",
    "etag",
    "last-modified",
];

/// The host of one call: its abort signal and, for token credentials, the credential object.
pub struct FetchHost {
    /// The caller's `abortSignal`, handed to every `fetch` and to `getToken`.
    pub signal: Option<AbortSignal>,
    /// An object with `getToken(scopes, options)`.
    pub token_credential: Option<JsValue>,
}

impl FetchHost {
    fn aborted(&self) -> bool {
        self.signal.as_ref().is_some_and(AbortSignal::aborted)
    }

    async fn fetch(
        &self,
        req: &Request,
        signal: &AbortSignal,
    ) -> Result<web_sys::Response, JsValue> {
        let init = RequestInit::new();
        init.set_method(req.method);
        let headers = Headers::new()?;
        for (name, value) in &req.headers {
            headers.append(name, value)?;
        }
        init.set_headers(&headers);
        init.set_signal(Some(signal));
        JsFuture::from(fetch_with_init(&req.url, &init))
            .await?
            .dyn_into()
    }
}

/// What one try set up, undone when the try ends or is dropped.
struct TryGuard {
    timer: JsValue,
    signal: Option<AbortSignal>,
    on_abort: Closure<dyn FnMut()>,
    _on_timeout: Closure<dyn FnMut()>,
}

impl Drop for TryGuard {
    fn drop(&mut self) {
        clear_timeout(&self.timer);
        if let Some(s) = &self.signal {
            let _ = s.remove_event_listener_with_callback(
                "abort",
                self.on_abort.as_ref().unchecked_ref(),
            );
        }
    }
}

impl FetchHost {
    async fn fetch_and_read(
        &self,
        req: &Request,
        signal: &AbortSignal,
    ) -> Result<Response, JsValue> {
        let resp = self.fetch(req, signal).await?;
        let js_headers = resp.headers();
        let wanted: &[&str] = match (resp.ok(), req.method) {
            (true, "HEAD") => &SUCCESS_HEADERS[..3],
            (true, "GET") => &["x-ms-request-id", "date"],
            (true, _) => &SUCCESS_HEADERS[..2],
            (false, _) => &FAILURE_HEADERS,
        };
        let headers = wanted
            .iter()
            .filter_map(|n| js_headers.get(n).ok().flatten().map(|v| (n.to_string(), v)))
            .collect();
        // Always read the body: Node keeps the connection busy until it is consumed.
        let body = JsFuture::from(resp.text()?)
            .await?
            .as_string()
            .unwrap_or_default();
        Ok(Response {
            status: resp.status(),
            headers,
            body,
        })
    }
}

/// A short description of a thrown JS value: its name and message (and its cause's, as Node
/// puts the real reason of "fetch failed" there). Secret-looking runs are removed.
pub fn describe_js_error(err: &JsValue) -> String {
    let text = |v: &JsValue, key: &str| {
        Reflect::get(v, &JsValue::from_str(key))
            .ok()
            .and_then(|s| s.as_string())
    };
    let mut out = match (text(err, "name"), text(err, "message")) {
        (Some(n), Some(m)) => format!("{n}: {m}"),
        (None, Some(m)) => m,
        _ => err.as_string().unwrap_or_else(|| "unknown error".into()),
    };
    if let Some(cause) = Reflect::get(err, &JsValue::from_str("cause"))
        .ok()
        .filter(|c| c.is_object())
    {
        if let Some(m) = text(&cause, "message").or_else(|| text(&cause, "code")) {
            out.push_str(" (");
            out.push_str(&m);
            out.push(')');
        }
    }
    redact(&out)
}

impl Host for FetchHost {
    async fn send(&self, req: Request, timeout_ms: f64) -> Result<Response, TransportError> {
        if self.aborted() {
            return Err(TransportError::Aborted);
        }
        // One controller per try: the caller's signal and the try's time-out both abort it.
        let controller =
            AbortController::new().map_err(|e| TransportError::Network(describe_js_error(&e)))?;
        let timed_out = Rc::new(Cell::new(false));
        let on_timeout = {
            let (controller, timed_out) = (controller.clone(), timed_out.clone());
            Closure::<dyn FnMut()>::new(move || {
                timed_out.set(true);
                controller.abort();
            })
        };
        let on_abort = {
            let controller = controller.clone();
            Closure::<dyn FnMut()>::new(move || controller.abort())
        };
        if let Some(s) = &self.signal {
            let _ = s.add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
        }
        // Clears the timer and the listener however this future ends, dropped mid-way included
        // (an aborted call drops it): a timer firing into a dropped closure would throw.
        let _guard = TryGuard {
            timer: set_timeout(on_timeout.as_ref().unchecked_ref(), timeout_ms),
            signal: self.signal.clone(),
            on_abort,
            _on_timeout: on_timeout,
        };
        self.fetch_and_read(&req, &controller.signal())
            .await
            .map_err(|e| {
                if self.aborted() {
                    TransportError::Aborted
                } else if timed_out.get() {
                    TransportError::Timeout
                } else {
                    TransportError::Network(describe_js_error(&e))
                }
            })
    }

    async fn sleep(&self, ms: f64) {
        let mut timer = JsValue::UNDEFINED;
        let wait = Promise::new(&mut |resolve, _reject| {
            timer = set_timeout(&resolve, ms);
        });
        // Cleared if the wait is dropped (an abort), so no timer outlives the call.
        struct Cancel(JsValue);
        impl Drop for Cancel {
            fn drop(&mut self) {
                clear_timeout(&self.0);
            }
        }
        let _cancel = Cancel(timer);
        let _ = JsFuture::from(wait).await;
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    async fn get_token(&self, scope: &str) -> Result<AccessToken, StoreError> {
        const FIELD: &str = "credential.getToken";
        let cred = self
            .token_credential
            .as_ref()
            .ok_or_else(|| StoreError::invalid("credential", "has no getToken function"))?;
        let get_token: Function = Reflect::get(cred, &JsValue::from_str("getToken"))
            .ok()
            .and_then(|f| f.dyn_into().ok())
            .ok_or_else(|| StoreError::invalid("credential", "has no getToken function"))?;
        let options = js_sys::Object::new();
        if let Some(signal) = &self.signal {
            let _ = Reflect::set(&options, &JsValue::from_str("abortSignal"), signal);
        }
        let scopes = Array::of1(&JsValue::from_str(scope));
        let failed = |e: &JsValue| {
            StoreError::no_response(
                "CredentialUnavailable",
                format!("{FIELD} failed: {}", describe_js_error(e)),
            )
        };
        let result = get_token
            .call2(cred, &scopes, &options)
            .map_err(|e| failed(&e))?;
        let result = JsFuture::from(Promise::resolve(&result))
            .await
            .map_err(|e| {
                if self.aborted() {
                    StoreError::Aborted
                } else {
                    failed(&e)
                }
            })?;
        if !result.is_object() {
            return Err(StoreError::invalid(
                FIELD,
                "must return an object { token, expiresOnTimestamp }",
            ));
        }
        let token = Reflect::get(&result, &JsValue::from_str("token"))
            .ok()
            .and_then(|t| t.as_string())
            .ok_or_else(|| StoreError::invalid(format!("{FIELD}().token"), "must be a string"))?;
        let expires_on_ms = Reflect::get(&result, &JsValue::from_str("expiresOnTimestamp"))
            .ok()
            .and_then(|t| t.as_f64())
            .filter(|t| t.is_finite())
            .ok_or_else(|| {
                StoreError::invalid(format!("{FIELD}().expiresOnTimestamp"), "must be a number")
            })?;
        Ok(AccessToken {
            token,
            expires_on_ms,
        })
    }
}

/// Runs `fut`, but settles with [`StoreError::Aborted`] as soon as `signal` fires, even while
/// the operation waits on something that does not watch the signal itself.
pub async fn abortable<T>(
    signal: Option<AbortSignal>,
    fut: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    let Some(signal) = signal else {
        return fut.await;
    };
    if signal.aborted() {
        return Err(StoreError::Aborted);
    }
    let mut listener: Option<Function> = None;
    let fired = Promise::new(&mut |resolve, _reject| {
        if signal
            .add_event_listener_with_callback("abort", &resolve)
            .is_ok()
        {
            listener = Some(resolve);
        }
    });
    let outcome = select(Box::pin(fut), JsFuture::from(fired)).await;
    if let Some(l) = listener {
        let _ = signal.remove_event_listener_with_callback("abort", &l);
    }
    match outcome {
        Either::Left((result, _)) => result,
        Either::Right(_) => Err(StoreError::Aborted),
    }
}
