// Cloudflare Workers entry: wrangler imports a .wasm file as a compiled WebAssembly.Module
// (workerd refuses to compile wasm from bytes at run time: "Wasm code generation disallowed by
// embedder", which is why the bundler entry inline.js cannot serve Workers).
import wasmModule from "./wasm/checkpointstore_bg.wasm";
import { initSync } from "./wasm/checkpointstore.js";

initSync({ module: wasmModule });

export { BlobCheckpointStore } from "./lifecycle.js";
