// Deno 2, the package imported by a relative path to pkg/.
import { BlobCheckpointStore } from "../../../pkg/web.js";
import { runScenario } from "../scenario.js";

const cfg = JSON.parse(Deno.env.get("SCENARIO"));
console.log(JSON.stringify(await runScenario(BlobCheckpointStore, { ...cfg, runtime: "deno-relative" })));
