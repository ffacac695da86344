// Node 20 and 22 (neither parses `await using`): Symbol.asyncDispose called as `await using` would,
// at the end of the store's use. Prints the report as JSON (tests/js/dispose.test.mjs checks it).
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { outcome, everyCall, facts, otherEnds, sent, countCloses } from "./checks.js";

const { url, container, credential } = JSON.parse(process.env.SCENARIO);
const make = () => new BlobCheckpointStore(url, container, { credential });
const group = ["ns.servicebus.windows.net", "telemetry", "$Default"];

const count = countCloses(BlobCheckpointStore);
const store = make();
const inside = await outcome(() => store.listCheckpoints(...group));
const underWay = outcome(() => store.listOwnership(...group));
await sent();
await store[Symbol.asyncDispose]();
const report = { runtime: `node ${process.version}`, ...facts(), inside, underWay: await underWay, closesAtEnd: count.closes, afterBlock: await everyCall(store) };
Object.assign(report, await otherEnds(BlobCheckpointStore, make));
console.log(JSON.stringify(report));
