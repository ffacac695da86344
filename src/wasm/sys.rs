//! Raw bindings to host globals. Bound to the global scope, not `window`, so they work in
//! Workers, Deno and Node as well as in browsers.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch(url, init)`.
    #[wasm_bindgen(js_name = fetch)]
    pub fn fetch_with_init(url: &str, init: &web_sys::RequestInit) -> js_sys::Promise;

    /// The global `setTimeout(handler, ms)`; the handle is a number or an object (Node).
    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout(handler: &js_sys::Function, ms: f64) -> JsValue;

    /// The global `clearTimeout(handle)`.
    #[wasm_bindgen(js_name = clearTimeout)]
    pub fn clear_timeout(handle: &JsValue);
}
