// Types of web.js (the entry a page imports by path, or `eventhubs-checkpointstore-blob-wasm/web.js`):
// the same as the package's.
export * from "./index.js";
