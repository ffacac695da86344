// Bundler entry (`browser` and `default` conditions, and the `browser` field for Parcel): the wasm
// travels inside the JS, gzipped and base64-encoded, so every bundler works with its default
// configuration (esbuild, Rollup and Bun copy no asset named by `new URL(..., import.meta.url)`)
// and none emits a .wasm file the page would not load. Gzip + base64 then gzip by the server costs
// about 3% over a separate .wasm download; plain base64 would cost about a third.
import init from "./wasm/checkpointstore.js";
import { wasmGzipBase64 } from "./wasm/checkpointstore_inline.js";

const text = atob(wasmGzipBase64);
const gzipped = new Uint8Array(text.length);
for (let i = 0; i < text.length; i++) gzipped[i] = text.charCodeAt(i);
// Compiled while it is unpacked: a Response with the wasm type takes the streaming path.
const wasm = new Response(new Response(gzipped).body.pipeThrough(new DecompressionStream("gzip")), {
  headers: { "content-type": "application/wasm" },
});
await init({ module_or_path: wasm });

export { BlobCheckpointStore } from "./lifecycle.js";
