//! Raw bindings to host globals. Bound to the global scope, not `window`, so they work in
//! Workers, Deno and Node as well as in browsers.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch(request)`.
    #[wasm_bindgen(js_name = fetch)]
    pub fn fetch_with_request(input: &web_sys::Request) -> js_sys::Promise;
}
