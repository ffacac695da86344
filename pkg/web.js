/* @ts-self-types="./web.d.ts" */
// Deno and native-ESM entry: the wasm file is fetched next to this module (top-level await),
// compiled while it downloads.
import init from "./wasm/checkpointstore.js";

await init({ module_or_path: new URL("./wasm/checkpointstore_bg.wasm", import.meta.url) });

export { BlobCheckpointStore } from "./lifecycle.js";
