// The app every bundler builds (tests/bundlers/build.mjs): the package imported by name, with no
// plug-in, no init call and no file copied by hand; it runs the runtimes' scenario on demand.
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { runScenario } from "../../runtimes/scenario.js";

window.runScenario = (cfg) => runScenario(BlobCheckpointStore, cfg);
document.title = "ready";
