//! The transport: sends core [`Request`]s with the host's `fetch`, and asks a JS token
//! credential for tokens. This is the store's only I/O.
//!
//! Each call gets one [`FetchHost`], which owns what the call set up in JS and undoes it when
//! the call ends: at most one listener on the caller's `abortSignal` (only when there is one),
//! and one timer for the call's back-off waits. A try is one crossing: `transport.js` runs it
//! (its `AbortController`, its time-out, fetch, the headers the core reads, the body) and hands
//! back one string, as each step done from here would be a crossing of its own. A timed-out
//! try ends alone while its siblings of a `claimOwnership` fan-out go on.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};

use futures_util::future::{select, Either};
use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortController;

use crate::credential::AccessToken;
use crate::error::StoreError;
use crate::http::{
    headers_read_on_success, parse_try_answer, Request, Response, TransportError,
    HEADERS_READ_ON_FAILURE, MAX_RESPONSE_BODY_BYTES, MAX_TIMER_MS,
};
use crate::store::Host;

use super::caller::{describe_thrown, CallerValue, Kind, Rejection};
use super::convert::{CallerSignal, TokenCredential};
use super::sys::{abort_caught, clear_timeout, set_timeout};

#[wasm_bindgen(module = "/src/wasm/transport.js")]
extern "C" {
    /// One try; see `transport.js` for what it resolves with. An async function: whatever it
    /// meets becomes a rejection, never an exception here.
    #[wasm_bindgen(js_name = sendTry)]
    fn send_try(
        url: &str,
        init: &str,
        timeout_ms: f64,
        call_signal: Option<web_sys::AbortSignal>,
        wanted_ok: &str,
        wanted_failed: &str,
        max_body: u32,
    ) -> Promise;
}

/// A timer value hosts accept: 1..=2^31-1 ms (larger values wrap to an immediate timer).
pub fn clamp_timer(ms: f64) -> f64 {
    if ms.is_nan() {
        1.0
    } else {
        ms.clamp(1.0, MAX_TIMER_MS)
    }
}

/// A back-off wait of the call: resolving `resolve` ends it (when due, or when the call ends).
struct Entry {
    id: u64,
    due: f64,
    resolve: Function,
}

impl Entry {
    fn end(self) {
        let _ = self.resolve.call0(&JsValue::UNDEFINED);
    }
}

struct Armed {
    handle: JsValue,
    due: f64,
}

/// The caller's signal and the one listener registered on it for this call: the call's own
/// controller's `abort`, bound to it. A native function, not a wasm closure, so a signal that
/// keeps it and calls it after the call ended only aborts a finished controller.
struct Listener {
    signal: CallerSignal,
    bound_abort: Function,
}

/// What one call set up in JS: its deadlines, its one timer, its abort state.
struct Scope {
    me: Weak<Scope>,
    aborted: Cell<bool>,
    /// The call's own controller (only with a caller's signal): handed to `getToken`, aborted
    /// when the caller's signal fires. Nothing else of the caller's signal is used after the door.
    controller: Option<AbortController>,
    /// Settles when the call is aborted (only with a caller's signal).
    abort_promise: Option<Promise>,
    abort_resolve: RefCell<Option<Function>>,
    entries: RefCell<Vec<Entry>>,
    next_id: Cell<u64>,
    timer: RefCell<Option<Armed>>,
    on_timer: RefCell<Option<Closure<dyn Fn()>>>,
    listener: RefCell<Option<Listener>>,
}

impl Scope {
    fn new(with_signal: bool) -> Result<Rc<Scope>, StoreError> {
        let failed =
            |e: JsValue| StoreError::no_response("REQUEST_SEND_ERROR", describe_thrown(&e));
        let (controller, abort_promise) = if with_signal {
            let controller = AbortController::new().map_err(failed)?;
            // Settles when the controller aborts: its resolve function is the listener, so
            // no wasm closure is involved.
            let mut resolve = None;
            let promise = Promise::new(&mut |res, _| resolve = Some(res));
            if let Some(r) = &resolve {
                controller
                    .signal()
                    .add_event_listener_with_callback("abort", r)
                    .map_err(failed)?;
            }
            (Some(controller), Some((promise, resolve)))
        } else {
            (None, None)
        };
        let (abort_promise, resolve) = match abort_promise {
            Some((p, r)) => (Some(p), r),
            None => (None, None),
        };
        Ok(Rc::new_cyclic(|me| Scope {
            me: me.clone(),
            aborted: Cell::new(false),
            controller,
            abort_promise,
            abort_resolve: RefCell::new(resolve),
            entries: RefCell::new(Vec::new()),
            next_id: Cell::new(0),
            timer: RefCell::new(None),
            on_timer: RefCell::new(None),
            listener: RefCell::new(None),
        }))
    }

    /// Whether the call was aborted: by the caller's signal (through the call's controller).
    fn is_aborted(&self) -> bool {
        self.aborted.get()
            || self
                .controller
                .as_ref()
                .is_some_and(|c| c.signal().aborted())
    }

    /// Ends everything under way: the caller's signal fired. Idempotent; no borrow is held
    /// while JS runs (the call's controller runs a credential's listeners synchronously).
    fn abort(&self) {
        if self.aborted.replace(true) {
            return;
        }
        let entries = std::mem::take(&mut *self.entries.borrow_mut());
        for e in entries {
            e.end();
        }
        if let Some(c) = &self.controller {
            let _ = abort_caught(c);
        }
    }

    /// Adds a deadline `ms` from now and makes sure the timer fires by then.
    fn schedule(&self, ms: f64, resolve: Function) -> EntryGuard<'_> {
        let now = js_sys::Date::now();
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.entries.borrow_mut().push(Entry {
            id,
            due: now + clamp_timer(ms),
            resolve,
        });
        self.arm(now);
        EntryGuard { scope: self, id }
    }

    /// Arms the timer for the earliest deadline, unless it already fires no later. A timer
    /// left armed for a deadline that went away fires into nothing and re-arms: cheaper than
    /// a clear and a set per try.
    fn arm(&self, now: f64) {
        let next = self
            .entries
            .borrow()
            .iter()
            .map(|e| e.due)
            .fold(f64::INFINITY, f64::min);
        if next == f64::INFINITY {
            return;
        }
        if self.timer.borrow().as_ref().is_some_and(|t| t.due <= next) {
            return;
        }
        if let Some(t) = self.timer.borrow_mut().take() {
            clear_timeout(&t.handle);
        }
        let delay = clamp_timer(next - now);
        let mut slot = self.on_timer.borrow_mut();
        let handler = slot.get_or_insert_with(|| {
            let me = self.me.clone();
            Closure::<dyn Fn()>::new(move || {
                if let Some(s) = me.upgrade() {
                    s.fire();
                }
            })
        });
        let handle = set_timeout(handler.as_ref().unchecked_ref(), delay);
        drop(slot);
        *self.timer.borrow_mut() = Some(Armed {
            handle,
            due: now + delay,
        });
    }

    /// The timer fired: ends what is due by the clock, and re-arms for the rest. The clock,
    /// not the timer, decides: Node counts a timer from the start of the event-loop turn that
    /// set it, so after a long turn it fires early, and a try must not be cut short by that.
    fn fire(&self) {
        self.timer.borrow_mut().take();
        // 1 ms of slack: the clock counts whole milliseconds.
        let cutoff = js_sys::Date::now() + 1.0;
        let due: Vec<Entry> = {
            let mut entries = self.entries.borrow_mut();
            let (due, keep) = std::mem::take(&mut *entries)
                .into_iter()
                .partition(|e| e.due <= cutoff);
            *entries = keep;
            due
        };
        for e in due {
            e.end();
        }
        self.arm(js_sys::Date::now());
    }

    fn remove(&self, id: u64) {
        let mut entries = self.entries.borrow_mut();
        if let Some(i) = entries.iter().position(|e| e.id == id) {
            entries.swap_remove(i);
        }
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        if let Some(t) = self.timer.get_mut().take() {
            clear_timeout(&t.handle);
        }
        // Settles what is still pending, so no JS callback keeps wasm closures alive.
        for e in std::mem::take(self.entries.get_mut()) {
            e.end();
        }
        if let Some(r) = self.abort_resolve.get_mut().take() {
            let _ = r.call0(&JsValue::UNDEFINED);
        }
        if let Some(l) = self.listener.get_mut().take() {
            if let Some(remove) = &l.signal.remove {
                // Caught, and ignored: the call already has its outcome.
                let _ = remove.call2(
                    l.signal.signal.as_js(),
                    &JsValue::from_str("abort"),
                    &l.bound_abort,
                    "",
                );
            }
        }
    }
}

/// Removes a deadline when the try or wait that set it ends (or is dropped by an abort).
struct EntryGuard<'a> {
    scope: &'a Scope,
    id: u64,
}

impl Drop for EntryGuard<'_> {
    fn drop(&mut self) {
        self.scope.remove(self.id);
    }
}

/// The host of one call: its deadlines and abort state, and for token credentials the
/// credential the caller gave.
pub struct FetchHost {
    scope: Rc<Scope>,
    token_credential: Option<TokenCredential>,
    /// What the caller's code threw while the core asked for a token: the call rejects with it.
    thrown: RefCell<Option<JsValue>>,
    /// How many `getToken` calls are under way (the only wait that may not watch an abort).
    awaiting_token: Cell<u32>,
}

impl FetchHost {
    /// The host of one call. With a caller's signal (read at the door, see
    /// [`super::convert::call_signal`]): rejects at once if it had fired, else registers one
    /// listener on it (a caught call), removed when the host is dropped.
    pub fn for_call(
        signal: Option<CallerSignal>,
        token_credential: Option<TokenCredential>,
    ) -> Result<FetchHost, Rejection> {
        if signal.as_ref().is_some_and(|s| s.aborted) {
            return Err(StoreError::Aborted.into());
        }
        let scope = Scope::new(signal.is_some())?;
        if let (Some(signal), Some(controller)) = (signal, &scope.controller) {
            let bound_abort = Reflect::get(controller, &JsValue::from_str("abort"))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .map(|f| f.bind0(controller))
                .ok_or_else(|| {
                    StoreError::no_response("REQUEST_SEND_ERROR", "AbortController has no abort")
                })?;
            signal
                .add
                .call2(
                    signal.signal.as_js(),
                    &JsValue::from_str("abort"),
                    &bound_abort,
                    "",
                )
                .map_err(|e| signal.add.rejection(e))?;
            *scope.listener.borrow_mut() = Some(Listener {
                signal,
                bound_abort,
            });
        }
        Ok(FetchHost {
            scope,
            token_credential,
            thrown: RefCell::new(None),
            awaiting_token: Cell::new(0),
        })
    }

    /// Runs the call's future (the core's work and its conversion); settles with
    /// [`StoreError::Aborted`] as soon as the caller's signal fires, even while the core waits
    /// on something that does not watch it. One boxed type for every method: one copy in the wasm.
    pub async fn run<'a>(
        &self,
        fut: Pin<Box<dyn Future<Output = Result<JsValue, Rejection>> + 'a>>,
    ) -> Result<JsValue, Rejection> {
        let result = match &self.scope.abort_promise {
            _ if self.scope.is_aborted() => Err(StoreError::Aborted.into()),
            None => fut.await,
            Some(p) => match select(fut, JsFuture::from(p.clone())).await {
                Either::Left((result, _)) => result,
                Either::Right((_, fut)) => {
                    // Ends the tries and waits under way: each now settles as aborted.
                    self.scope.abort();
                    if self.awaiting_token.get() > 0 {
                        // A credential may ignore the signal it was given: not waited for.
                        drop(fut);
                        Err(StoreError::Aborted.into())
                    } else {
                        // Lets the core see its tries end, so that what the service already
                        // accepted is reported: a claimOwnership rejects with the claims won
                        // before the abort (`claimedOwnerships`), not as if none were.
                        // A call whose every step had finished keeps its result.
                        fut.await
                    }
                }
            },
        };
        if let Some(v) = self.thrown.borrow_mut().take() {
            return Err(Rejection::Thrown(v));
        }
        result
    }

    fn aborted(&self) -> bool {
        self.scope.is_aborted()
    }

    /// One try through `transport.js`, and its answer taken apart.
    async fn try_once(&self, req: &Request, timeout_ms: f64) -> Result<Response, TransportError> {
        let net = |e: JsValue| TransportError::Network(describe_thrown(&e));
        let answer = JsFuture::from(send_try(
            &req.url,
            &crate::json::request_init(req),
            clamp_timer(timeout_ms),
            self.scope.controller.as_ref().map(|c| c.signal()),
            headers_read_on_success(req.method),
            HEADERS_READ_ON_FAILURE,
            MAX_RESPONSE_BODY_BYTES,
        ))
        .await
        .map_err(net)?
        .as_string()
        .ok_or_else(|| TransportError::Network("the transport answered no text".into()))?;
        parse_try_answer(answer, req.method)
    }
}

impl Host for FetchHost {
    async fn send(&self, req: Request, timeout_ms: f64) -> Result<Response, TransportError> {
        if self.aborted() {
            return Err(TransportError::Aborted);
        }
        self.try_once(&req, timeout_ms).await.map_err(|e| {
            if self.aborted() {
                TransportError::Aborted
            } else {
                e
            }
        })
    }

    async fn sleep(&self, ms: f64) {
        if self.aborted() {
            return;
        }
        let mut resolve = None;
        let wait = Promise::new(&mut |res, _reject| resolve = Some(res));
        let Some(resolve) = resolve else { return };
        // Removed if the wait is dropped (an abort), so no deadline outlives it.
        let _deadline = self.scope.schedule(ms, resolve);
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
        // The caller's code threw while we read what it returned: the call rejects with that.
        let pass_through = |r: Rejection| match r {
            Rejection::Store(e) => e,
            Rejection::Thrown(v) => {
                *self.thrown.borrow_mut() = Some(v);
                StoreError::invalid(FIELD, "threw")
            }
        };
        let options = js_sys::Object::new();
        if let Some(c) = &self.scope.controller {
            let _ = Reflect::set(&options, &JsValue::from_str("abortSignal"), &c.signal());
        }
        let scopes = Array::of1(&JsValue::from_str(scope));
        let failed = |e: &JsValue| {
            StoreError::no_response(
                "CredentialUnavailable",
                format!("{FIELD} failed: {}", describe_thrown(e)),
            )
        };
        let result = cred
            .get_token
            .call2(
                cred.object.as_js(),
                &scopes,
                &options,
                &format!("{FIELD}()"),
            )
            .map_err(|e| failed(&e))?;
        self.awaiting_token.set(self.awaiting_token.get() + 1);
        let settled = result.settle().await;
        self.awaiting_token.set(self.awaiting_token.get() - 1);
        let result = match settled {
            Ok(v) => v,
            Err(Ok(_)) if self.aborted() => return Err(StoreError::Aborted),
            Err(Ok(reason)) => return Err(failed(&reason)),
            Err(Err(r)) => return Err(pass_through(r)),
        };
        if result.kind() != Kind::Object {
            return Err(StoreError::invalid(
                FIELD,
                "must return an object { token, expiresOnTimestamp }",
            ));
        }
        let read = |name: &'static str| result.get(name).map_err(pass_through);
        let token: CallerValue = read("token")?;
        let token = token.string().map_err(pass_through)?;
        let expires_on_ms = read("expiresOnTimestamp")?
            .number()
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
