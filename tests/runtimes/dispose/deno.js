// Deno 2: `await using` and `using` blocks around a store. Prints the report as JSON
// (tests/js/dispose.test.mjs checks it).
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { outcome, everyCall, facts, otherEnds, sent, countCloses } from "./checks.js";

const { url, container, credential } = JSON.parse(Deno.env.get("SCENARIO"));
const make = () => new BlobCheckpointStore(url, container, { credential });
const group = ["ns.servicebus.windows.net", "telemetry", "$Default"];

const count = countCloses(BlobCheckpointStore);
let kept, inside, underWay;
{
  await using store = make();
  inside = await outcome(() => store.listCheckpoints(...group));
  underWay = outcome(() => store.listOwnership(...group));
  await sent();
  kept = store;
}
const report = { runtime: `deno ${Deno.version.deno}`, ...facts(), inside, underWay: await underWay, closesAtEnd: count.closes, afterBlock: await everyCall(kept) };
let keptSync;
{
  using store = make();
  keptSync = store;
}
report.afterUsingBlock = await everyCall(keptSync);
Object.assign(report, await otherEnds(BlobCheckpointStore, make));
console.log(JSON.stringify(report));
