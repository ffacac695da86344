// Deno 2, the package resolved from node_modules (tests/package.json makes Deno use it).
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { runScenario } from "../scenario.js";

const cfg = JSON.parse(Deno.env.get("SCENARIO"));
console.log(JSON.stringify(await runScenario(BlobCheckpointStore, { ...cfg, runtime: "deno-node-modules" })));
