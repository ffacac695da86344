// Node entry: the wasm file is read and instantiated synchronously at import, so no init call,
// and no top-level await, so require() of this module works too (Node 20.19+).
import { readFileSync } from "node:fs";
import { initSync } from "./wasm/checkpointstore.js";

initSync({ module: readFileSync(new URL("./wasm/checkpointstore_bg.wasm", import.meta.url)) });

export { BlobCheckpointStore } from "./lifecycle.js";
