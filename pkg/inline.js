// Bundler entry (`browser` and `default` conditions, and the `browser` field for Parcel): the wasm
// travels inside the JS, gzipped and base64-encoded, so every bundler works with its default
// configuration (esbuild, Rollup and Bun copy no asset named by `new URL(..., import.meta.url)`)
// and none emits a .wasm file the page would not load. Gzip + base64, gzipped again by the server,
// downloads about 1% more than a separate .wasm (tests/bundlers/build.mjs measures it); plain
// base64 would cost about a third more.
import init from "./wasm/checkpointstore.js";
import { wasmGzipBase64 } from "./wasm/checkpointstore_inline.js";

function fromBase64(b64) {
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(b64);
  const text = atob(b64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
const gzipped = fromBase64(wasmGzipBase64);
// Compiled while it is unpacked: a Response with the wasm type takes the streaming path.
const wasm = new Response(new Response(gzipped).body.pipeThrough(new DecompressionStream("gzip")), {
  headers: { "content-type": "application/wasm" },
});
await init({ module_or_path: wasm });

export { BlobCheckpointStore } from "./lifecycle.js";
