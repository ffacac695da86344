// Where the client CPU of one update goes, in Node: N checkpoint updates (this package with
// Shared Key or SAS, or the bare-fetch floor) over 32 partitions, profiled in-process with the
// inspector's Profiler after a warm-up (so module loading is left out), then summarised by area
// (wasm, the package's glue, undici, GC, ...) and top functions; the shares are scaled to the
// main thread's measured CPU per update (schedstat).
//   AZURITE_BLOB_URL=... node tests/benchmark/profile.mjs [ours-key|ours-sas|floor ...]
import { Session } from "node:inspector/promises";
import { readFileSync } from "node:fs";
import { BlobServiceClient, StorageSharedKeyCredential, generateAccountSASQueryParameters, AccountSASPermissions } from "@azure/storage-blob";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { floorUpdate } from "./worker/floor.js";
import { summarise } from "./profile-summary.mjs";

const N = 4000;
const URL_ = process.env.AZURITE_BLOB_URL;
if (!URL_) throw new Error("AZURITE_BLOB_URL is not set");
const KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const sk = new StorageSharedKeyCredential("devstoreaccount1", KEY);
const SAS = generateAccountSASQueryParameters({ expiresOn: new Date(Date.now() + 3600_000), permissions: AccountSASPermissions.parse("rwlacu"), resourceTypes: "sco", services: "b" }, sk).toString();
const name = `prof-${Date.now().toString(36)}`;
await new BlobServiceClient(URL_, sk).getContainerClient(name).create();
const mainThreadNs = () => Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]);
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 100 });
for (const mode of process.argv.slice(2).length ? process.argv.slice(2) : ["ours-key", "ours-sas", "floor"]) {
  const store = new BlobCheckpointStore(URL_, name, { credential: mode === "ours-sas" ? SAS : KEY });
  const update = mode === "floor" ? (c) => floorUpdate({ url: URL_, container: name, sas: SAS }, c) : (c) => store.updateCheckpoint(c);
  const cp = (p, seq) => ({ fullyQualifiedNamespace: `p-${mode}`, eventHubName: "telemetry", consumerGroup: "$default", partitionId: String(p), sequenceNumber: seq, offset: String(seq) });
  const batch = (n, from) => Promise.all([...Array(32).keys()].map(async (p) => { for (let i = 0; i < n / 32; i++) await update(cp(p, from + i)); }));
  await batch(640, 0); // creates the blobs, warms up the JIT
  await session.post("Profiler.start");
  const t0 = mainThreadNs();
  await batch(N, 1000);
  const cpuUs = (mainThreadNs() - t0) / 1000 / N;
  const { profile } = await session.post("Profiler.stop");
  summarise(profile, N, `${mode}, Node ${process.version}`, cpuUs);
}
session.disconnect();
