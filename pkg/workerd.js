// Cloudflare Workers entry: wrangler imports a .wasm file as a compiled WebAssembly.Module
// (Workers refuse to compile wasm from bytes at run time).
import wasmModule from "./wasm/checkpointstore_bg.wasm";
import { initSync } from "./wasm/checkpointstore.js";

initSync({ module: wasmModule });

export { BlobCheckpointStore } from "./lifecycle.js";
