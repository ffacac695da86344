// The package as an app bundled by Vite imports it: by name, no plug-in, no init call.
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { runScenario } from "../scenario.js";

window.runScenario = (cfg) => runScenario(BlobCheckpointStore, { ...cfg, runtime: "browser-vite" });
document.title = "ready";
