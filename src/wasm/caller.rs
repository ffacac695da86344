//! The one door for caller values: every read of a value the caller hands us (arguments,
//! options, `abortSignal`, the credential and what `getToken` returns) goes through a
//! [`CallerValue`], whose every operation is either a `typeof` check (which runs no caller
//! code and cannot throw, even on a revoked Proxy) or a catching call (`#[wasm_bindgen(catch)]`
//! imports, `Reflect`). A JS exception becomes a [`Rejection`] of the call: the caller's own
//! thrown value as is, or a `TypeError` naming the field when the engine refused the read
//! (a revoked Proxy, a trap breaking an invariant). Nothing here allocates from a size the
//! caller states before checking it against a bound.

use std::cell::Cell;

use js_sys::{Function, JsString, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::error::{redact, StoreError};
use crate::model::{field_path, MAX_CALLER_STRING_LEN};

use super::errors::error_to_js;

#[wasm_bindgen]
extern "C" {
    /// `Array.isArray(v)`: throws on a revoked Proxy.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn array_is_array(v: &JsValue) -> Result<bool, JsValue>;

    /// `ArrayBuffer.isView(v)`: reads an internal slot, no caller code.
    #[wasm_bindgen(catch, js_namespace = ArrayBuffer, js_name = isView)]
    fn array_buffer_is_view(v: &JsValue) -> Result<bool, JsValue>;

    /// A `Uint8Array` made by the caught constructor below.
    #[wasm_bindgen(js_name = Uint8Array)]
    type Uint8ArrayCopy;

    /// `new Uint8Array(typedArray)`: a copy made from internal slots; throws when detached.
    #[wasm_bindgen(catch, constructor, js_class = "Uint8Array")]
    fn new(v: &JsValue) -> Result<Uint8ArrayCopy, JsValue>;

    /// `Promise.resolve(v)`: reads `v.constructor` and `v.then`, which may throw.
    #[wasm_bindgen(catch, js_namespace = Promise, js_name = resolve)]
    fn promise_resolve(v: &JsValue) -> Result<Promise, JsValue>;
}

// `typeof` as a number: one crossing and no string, where `js_typeof().as_string()` took two
// and a string copy. `typeof` runs no caller code and never throws, even on a revoked Proxy.
#[wasm_bindgen(inline_js = "export function kindOf(v) { switch (typeof v) { \
case 'undefined': return 0; case 'boolean': return 2; case 'number': return 3; \
case 'bigint': return 4; case 'string': return 5; case 'symbol': return 6; \
case 'function': return 7; default: return v === null ? 1 : 8; } }")]
extern "C" {
    #[wasm_bindgen(js_name = kindOf)]
    fn kind_of(v: &JsValue) -> u32;
}

thread_local! {
    /// The property names the door reads, as JS strings: made once, not decoded per read.
    /// Keyed by the literal's address and length (a handful of literals).
    static KEYS: std::cell::RefCell<Vec<(usize, usize, JsValue)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `key` as a JS string, from [`KEYS`].
fn key_js(key: &'static str) -> JsValue {
    let id = (key.as_ptr() as usize, key.len());
    KEYS.with(|keys| {
        let mut keys = keys.borrow_mut();
        if let Some((_, _, v)) = keys.iter().find(|(p, l, _)| (*p, *l) == id) {
            return v.clone();
        }
        let v = JsValue::from_str(key);
        keys.push((id.0, id.1, v.clone()));
        v
    })
}

/// Why a call rejects: an error of the store, or a value the caller's own code threw, handed
/// back as is.
#[derive(Debug)]
pub enum Rejection {
    /// Converted with [`error_to_js`].
    Store(StoreError),
    /// Thrown by the caller's getter, trap, coercion or method: rejected with unchanged.
    Thrown(JsValue),
}

impl From<StoreError> for Rejection {
    fn from(e: StoreError) -> Self {
        Rejection::Store(e)
    }
}

impl Rejection {
    /// The JS value the call's promise rejects with.
    pub fn into_js(self) -> JsValue {
        match self {
            Rejection::Store(e) => error_to_js(&e),
            Rejection::Thrown(v) => v,
        }
    }
}

/// What `typeof` says (plus null), found without running caller code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Undefined,
    Null,
    Boolean,
    Number,
    BigInt,
    String,
    Symbol,
    Function,
    /// Any other object (arrays and proxies included).
    Object,
}

/// A value the caller gave us, with the path the caller knows it by (`ownerships[3].etag`).
/// The only way this crate reads caller values.
#[derive(Clone)]
pub struct CallerValue {
    value: JsValue,
    path: String,
    kind: Cell<Option<Kind>>,
}

impl std::fmt::Debug for CallerValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the value: it may be a secret (a key, a token).
        write!(f, "CallerValue({})", self.path)
    }
}

/// The message of a `TypeError` thrown by the engine for a Proxy (revoked, or a trap that
/// broke an invariant), or `None` for anything else, which is passed through as is.
fn engine_proxy_error(thrown: &JsValue) -> Option<String> {
    let type_error_proto: JsValue = Reflect::get_prototype_of(&js_sys::TypeError::new("").into())
        .ok()?
        .into();
    // `thrown` may itself be a hostile Proxy: only catching calls on it.
    if !thrown.is_object()
        || JsValue::from(Reflect::get_prototype_of(thrown).ok()?) != type_error_proto
    {
        return None;
    }
    let message = Reflect::get(thrown, &JsValue::from_str("message")).ok()?;
    let message = bounded_string(&message, 1024)?;
    message
        .to_ascii_lowercase()
        .contains("proxy")
        .then_some(message)
}

/// `v` as a Rust string if it is a primitive string of at most `max` UTF-16 units; its length
/// is read without copying it.
fn bounded_string(v: &JsValue, max: u32) -> Option<String> {
    if !v.is_string() {
        return None;
    }
    if v.unchecked_ref::<JsString>().length() > max {
        return None;
    }
    v.as_string()
}

impl CallerValue {
    /// An argument as the caller passed it; `path` is its name in messages.
    pub fn arg(value: JsValue, path: &str) -> Self {
        CallerValue {
            value,
            path: path.to_string(),
            kind: Cell::new(None),
        }
    }

    /// The name the caller knows this value by.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// A `TypeError` naming this value.
    pub fn invalid(&self, message: impl Into<String>) -> Rejection {
        Rejection::Store(StoreError::invalid(&self.path, message))
    }

    /// What a caller's exception during a read of this value becomes.
    fn thrown(&self, e: JsValue) -> Rejection {
        match engine_proxy_error(&e) {
            Some(m) => self.invalid(format!("could not be read ({})", redact(&m))),
            None => Rejection::Thrown(e),
        }
    }

    /// What an exception thrown by the engine (no caller code ran) becomes.
    fn engine(&self, e: JsValue) -> Rejection {
        self.invalid(format!("could not be read ({})", describe_thrown(&e)))
    }

    /// `typeof` (and null): runs no caller code. Found once per value and kept: each check
    /// is a crossing of the boundary, and a call reads dozens of values.
    pub fn kind(&self) -> Kind {
        if let Some(k) = self.kind.get() {
            return k;
        }
        let k = match kind_of(&self.value) {
            0 => Kind::Undefined,
            1 => Kind::Null,
            2 => Kind::Boolean,
            3 => Kind::Number,
            4 => Kind::BigInt,
            5 => Kind::String,
            6 => Kind::Symbol,
            7 => Kind::Function,
            // "object", and whatever a host's exotic objects may say.
            _ => Kind::Object,
        };
        self.kind.set(Some(k));
        k
    }

    /// Undefined or null.
    pub fn is_nullish(&self) -> bool {
        matches!(self.kind(), Kind::Undefined | Kind::Null)
    }

    /// `Array.isArray`, caught (it throws on a revoked Proxy).
    pub fn is_array(&self) -> Result<bool, Rejection> {
        if self.kind() != Kind::Object {
            return Ok(false);
        }
        // Runs no caller code: it throws only for a revoked Proxy.
        array_is_array(&self.value).map_err(|e| self.engine(e))
    }

    /// How messages describe this value's type ("an array", "a string", ...).
    pub fn type_name(&self) -> &'static str {
        match self.kind() {
            Kind::Undefined => "undefined",
            Kind::Null => "null",
            Kind::Boolean => "a boolean",
            Kind::Number => "a number",
            Kind::BigInt => "a bigint",
            Kind::String => "a string",
            Kind::Symbol => "a symbol",
            Kind::Function => "a function",
            // A revoked Proxy cannot say whether it is an array: it is "an object".
            Kind::Object if self.is_array().unwrap_or(false) => "an array",
            Kind::Object => "an object",
        }
    }

    /// Requires a plain object (not null, not an array, not a function).
    pub fn expect_object(&self) -> Result<(), Rejection> {
        if self.kind() == Kind::Object && !self.is_array()? {
            Ok(())
        } else {
            Err(self.invalid(format!("must be an object, got {}", self.type_name())))
        }
    }

    /// Property `key` (getters and `get` traps run, caught). Only objects and functions have
    /// properties here; anything else is a `TypeError`.
    pub fn get(&self, key: &'static str) -> Result<CallerValue, Rejection> {
        if !matches!(self.kind(), Kind::Object | Kind::Function) {
            return Err(self.invalid(format!("must be an object, got {}", self.type_name())));
        }
        let field = CallerValue::arg(JsValue::UNDEFINED, "");
        let field = CallerValue {
            path: field_path(&self.path, key),
            ..field
        };
        let value = Reflect::get(&self.value, &key_js(key)).map_err(|e| field.thrown(e))?;
        Ok(CallerValue { value, ..field })
    }

    /// The first of `names` that is set (not undefined/null), or undefined named `names[0]`.
    pub fn get_first(&self, names: &[&'static str]) -> Result<CallerValue, Rejection> {
        let mut first = None;
        for n in names {
            let v = self.get(n)?;
            if !v.is_nullish() {
                return Ok(v);
            }
            first.get_or_insert(v);
        }
        Ok(first.unwrap_or_else(|| CallerValue::arg(JsValue::UNDEFINED, &self.path)))
    }

    /// The length of an array, checked to be a whole number of at most `max` before anything
    /// is sized from it (a Proxy's `length` may say anything).
    pub fn array_len(&self, max: usize) -> Result<usize, Rejection> {
        if !self.is_array()? {
            return Err(self.invalid(format!("must be an array, got {}", self.type_name())));
        }
        let len = Reflect::get(&self.value, &key_js("length")).map_err(|e| self.thrown(e))?;
        let Some(n) = len.as_f64() else {
            return Err(self.invalid("has a length that is not a number"));
        };
        if !(n >= 0.0 && n.fract() == 0.0) {
            return Err(self.invalid("has a length that is not a whole number"));
        }
        if n > max as f64 {
            // `n` as a whole number (formatting a float would pull float formatting into the wasm).
            let got = if n < 1e18 {
                (n as u64).to_string()
            } else {
                "more".into()
            };
            return Err(self.invalid(format!("must have at most {max} elements, got {got}")));
        }
        Ok(n as usize)
    }

    /// Element `i` of an array (index getters and traps run, caught); a hole reads as
    /// undefined, which the element's own check then refuses, naming the index.
    pub fn index(&self, i: usize) -> Result<CallerValue, Rejection> {
        let field = CallerValue::arg(JsValue::UNDEFINED, "");
        let field = CallerValue {
            path: format!("{}[{i}]", self.path),
            ..field
        };
        let value =
            Reflect::get(&self.value, &JsValue::from_f64(i as f64)).map_err(|e| field.thrown(e))?;
        Ok(CallerValue::arg(value, &field.path))
    }

    /// A primitive string (no coercion: a `String` object or anything with `toString` is
    /// refused), of at most [`MAX_CALLER_STRING_LEN`] UTF-16 units, checked before copying.
    pub fn string(&self) -> Result<String, Rejection> {
        self.string_max(MAX_CALLER_STRING_LEN)
    }

    /// [`CallerValue::string`] with its own bound.
    pub fn string_max(&self, max: u32) -> Result<String, Rejection> {
        if self.kind() != Kind::String {
            return Err(self.invalid(format!("must be a string, got {}", self.type_name())));
        }
        // Known to be a primitive string: its length, then the copy.
        if self.value.unchecked_ref::<JsString>().length() > max {
            return Err(self.invalid(format!("must be at most {max} characters")));
        }
        self.value
            .as_string()
            .ok_or_else(|| self.invalid("must be a string"))
    }

    /// A number primitive (no coercion).
    pub fn number(&self) -> Option<f64> {
        self.value.as_f64()
    }

    /// A boolean primitive (no coercion).
    pub fn boolean(&self) -> Option<bool> {
        self.value.as_bool()
    }

    /// A bigint primitive that fits in an `i64` (no coercion, no caller code).
    pub fn bigint_i64(&self) -> Option<i64> {
        if self.kind() != Kind::BigInt {
            return None;
        }
        i64::try_from(self.value.clone()).ok()
    }

    /// The bytes of a typed array (a `Uint8Array` or Node `Buffer`), at most `max`, or `None`
    /// when this is no typed array. The copy is made from internal slots, so a lying
    /// `length` or `byteLength` getter cannot size it.
    pub fn bytes(&self, max: u32) -> Result<Option<Vec<u8>>, Rejection> {
        if self.kind() != Kind::Object {
            return Ok(None);
        }
        if !array_buffer_is_view(&self.value).map_err(|e| self.thrown(e))? {
            return Ok(None);
        }
        // No caller code runs here (the value is a real typed array, not a Proxy): anything
        // thrown (a detached buffer) is the engine's, so a TypeError naming the field.
        let copy: Uint8Array = Uint8ArrayCopy::new(&self.value)
            .map_err(|e| self.engine(e))?
            .unchecked_into();
        if copy.length() > max {
            return Err(self.invalid(format!("must be at most {max} bytes")));
        }
        Ok(Some(copy.to_vec()))
    }

    /// This value as a function to call later, or `None` when it is not callable.
    pub fn function(&self) -> Option<CallerFunction> {
        (self.kind() == Kind::Function).then(|| CallerFunction {
            function: self.value.clone().unchecked_into(),
            path: self.path.clone(),
        })
    }

    /// Settles this value as `await` would, caught at every step. Its `then` is read here
    /// first (a throwing getter or trap is the caller's error, passed through), and only a
    /// thenable goes through `Promise.resolve`. A rejection is `Err(Ok(reason))`.
    pub async fn settle(&self) -> Result<CallerValue, Result<JsValue, Rejection>> {
        if !matches!(self.kind(), Kind::Object | Kind::Function) {
            return Ok(self.clone());
        }
        if self.get("then").map_err(Err)?.function().is_none() {
            return Ok(self.clone());
        }
        let promise = promise_resolve(&self.value).map_err(|e| Err(self.thrown(e)))?;
        match JsFuture::from(promise).await {
            Ok(value) => Ok(CallerValue::arg(value, &self.path)),
            Err(reason) => Err(Ok(reason)),
        }
    }

    /// The raw value, for handing back to the caller's own code (as `this` of a method).
    pub fn as_js(&self) -> &JsValue {
        &self.value
    }
}

/// A caller's function (`getToken`, `addEventListener`): calls are caught.
#[derive(Clone)]
pub struct CallerFunction {
    function: Function,
    path: String,
}

impl CallerFunction {
    /// Calls it with `this` and two arguments; its result is a caller value named `path()`.
    pub fn call2(
        &self,
        this: &JsValue,
        a: &JsValue,
        b: &JsValue,
        result_path: &str,
    ) -> Result<CallerValue, JsValue> {
        // `Function.prototype.call` bound by js_sys: a caught import.
        self.function
            .call2(this, a, b)
            .map(|value| CallerValue::arg(value, result_path))
    }

    /// The name the caller knows it by.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What an exception thrown by this call becomes (see [`CallerValue`]).
    pub fn rejection(&self, e: JsValue) -> Rejection {
        CallerValue::arg(JsValue::UNDEFINED, &self.path).thrown(e)
    }
}

/// A short description of a thrown JS value (a caller's or the host's): its name and message,
/// and its cause's (Node puts the real reason of "fetch failed" there). Read with catching
/// calls and bounded; secret-looking runs are removed.
pub fn describe_thrown(err: &JsValue) -> String {
    const MAX: u32 = 2048;
    let text = |v: &JsValue, key: &str| {
        if !v.is_object() {
            return None;
        }
        Reflect::get(v, &JsValue::from_str(key))
            .ok()
            .and_then(|s| bounded_string(&s, MAX))
    };
    let mut out = match (text(err, "name"), text(err, "message")) {
        (Some(n), Some(m)) => format!("{n}: {m}"),
        (None, Some(m)) => m,
        _ => bounded_string(err, MAX).unwrap_or_else(|| "unknown error".into()),
    };
    let cause = if err.is_object() {
        Reflect::get(err, &JsValue::from_str("cause")).ok()
    } else {
        None
    };
    if let Some(m) = cause.and_then(|c| text(&c, "message").or_else(|| text(&c, "code"))) {
        out.push_str(" (");
        out.push_str(&m);
        out.push(')');
    }
    redact(&out)
}
