// Node (ESM import, and require) running the scenario; prints the report as JSON.
import { createRequire } from "node:module";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { runScenario } from "./scenario.js";

const cfg = JSON.parse(process.env.SCENARIO);
const viaImport = await runScenario(BlobCheckpointStore, { ...cfg, runtime: "node-import" });
const required = createRequire(import.meta.url)("eventhubs-checkpointstore-blob-wasm");
const viaRequire = await runScenario(required.BlobCheckpointStore, { ...cfg, runtime: "node-require" });
console.log(JSON.stringify([viaImport, viaRequire]));
