//! Store errors as the JS errors a user expects: `TypeError` for bad input, `RestError` (with
//! `statusCode`, `code`, `requestId`) for what the service or the network did, `AbortError`,
//! and a plain `Error` with code `StoreClosed`. A `claimOwnership` that failed part-way also
//! carries `claimedOwnerships`: the ownerships it won, as plain objects like its result.
//! The core has already scrubbed every text of known secrets.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use crate::error::StoreError;

use super::convert::ownerships_to_js;

fn set(o: &JsValue, k: &str, v: JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(k), &v);
}

/// The JS error for a store error: `TypeError`, `RestError`, `AbortError` or `Error`.
pub fn error_to_js(e: &StoreError) -> JsValue {
    match e {
        StoreError::InvalidInput { .. } => js_sys::TypeError::new(&e.message()).into(),
        StoreError::Rest {
            status,
            code,
            request_id,
            ..
        } => {
            let err: JsValue = js_sys::Error::new(&e.message()).into();
            set(&err, "name", "RestError".into());
            if let Some(s) = status {
                set(&err, "statusCode", JsValue::from(*s));
            }
            if let Some(c) = code {
                set(&err, "code", c.as_str().into());
            }
            if let Some(r) = request_id {
                set(&err, "requestId", r.as_str().into());
            }
            err
        }
        StoreError::Aborted => {
            let err: JsValue = js_sys::Error::new(&e.message()).into();
            set(&err, "name", "AbortError".into());
            err
        }
        StoreError::Closed => {
            let err: JsValue = js_sys::Error::new(&e.message()).into();
            set(&err, "code", "StoreClosed".into());
            err
        }
        StoreError::PartialClaim { error, claimed, .. } => {
            // The first failure's kind and properties, with the whole story in the message.
            let err = error_to_js(error);
            set(&err, "message", e.message().into());
            let list = ownerships_to_js(claimed).unwrap_or_else(|_| js_sys::Array::new().into());
            set(&err, "claimedOwnerships", list);
            err
        }
    }
}
