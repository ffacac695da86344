//! Raw bindings to host globals. Bound to the global scope, not `window`, so they work in
//! Workers, Deno and Node as well as in browsers.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The global `setTimeout(handler, ms)`; the handle is a number or an object (Node).
    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout(handler: &js_sys::Function, ms: f64) -> JsValue;

    /// The global `clearTimeout(handle)`.
    #[wasm_bindgen(js_name = clearTimeout)]
    pub fn clear_timeout(handle: &JsValue);

    /// An `AbortController`, for the one caught method below.
    #[wasm_bindgen(js_name = AbortController)]
    type CaughtAbortController;

    /// `controller.abort()`, caught: it runs the abort listeners (a credential's among them)
    /// synchronously, and nothing they throw may unwind through wasm.
    #[wasm_bindgen(catch, method, js_name = abort)]
    fn abort(this: &CaughtAbortController) -> Result<(), JsValue>;
}

/// `controller.abort()`, with anything a listener throws caught (and returned).
pub fn abort_caught(controller: &web_sys::AbortController) -> Result<(), JsValue> {
    use wasm_bindgen::JsCast;
    controller.unchecked_ref::<CaughtAbortController>().abort()
}
