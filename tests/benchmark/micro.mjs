// Our own work per update with the network taken out: globalThis.fetch answers at once with a
// ready Response (as Blob Storage answers Set Blob Metadata), for this package (Shared Key, SAS)
// and for the floor's code. What is left is the client's own work around fetch.
//   node tests/benchmark/micro.mjs [N]            CPU per update, medians of 5 rounds
//   node tests/benchmark/micro.mjs --profile sas  where it goes (key or sas; the inspector's
//                                                 profiler; PROFILE_WASM=1 lists wasm functions)
import { Session } from "node:inspector/promises";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { floorUpdate } from "./worker/floor.js";
import { cpuNs } from "./cpu.mjs";
import { summarise } from "./profile-summary.mjs";

const KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const URL_ = "http://127.0.0.1:1/devstoreaccount1";
const SAS = "sv=2021-08-06&ss=b&srt=sco&sp=rwlacu&se=2030-01-01T00%3A00%3A00Z&sig=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG%3D";
globalThis.fetch = async () => new Response(null, { status: 200, headers: { etag: '"0x8D"', "last-modified": "Thu, 26 Nov 2026 01:00:00 GMT", "x-ms-request-id": "r" } });
const cp = (p, seq) => ({ fullyQualifiedNamespace: "ns.servicebus.windows.net", eventHubName: "telemetry", consumerGroup: "$default", partitionId: String(p), sequenceNumber: seq, offset: String(seq) });
const contenders = {
  key: new BlobCheckpointStore(URL_, "cont", { credential: KEY }),
  sas: new BlobCheckpointStore(URL_, "cont", { credential: SAS }),
  floor: { updateCheckpoint: (c) => floorUpdate({ url: URL_, container: "cont", sas: SAS }, c) },
};
const run = async (who, n) => {
  const s = contenders[who];
  await Promise.all([...Array(32).keys()].map(async (p) => { for (let i = 0; i < n / 32; i++) await s.updateCheckpoint(cp(p, i)); }));
};

if (process.argv[2] === "--profile") {
  const who = process.argv[3] ?? "sas";
  const N = 40000;
  await run(who, 6400);
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 50 });
  await session.post("Profiler.start");
  const c0 = cpuNs();
  await run(who, N);
  const us = (cpuNs() - c0) / 1000 / N;
  const { profile } = await session.post("Profiler.stop");
  summarise(profile, N, `${who}, fetch stubbed`, us);
} else {
  const N = Number(process.argv[2] ?? 20000);
  const res = { key: [], sas: [], floor: [] };
  for (const w of Object.keys(res)) await run(w, 3200);
  for (let r = 0; r < 5; r++) {
    for (const w of Object.keys(res)) {
      const c0 = cpuNs();
      await run(w, N);
      res[w].push((cpuNs() - c0) / 1000 / N);
    }
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[2];
  for (const w of Object.keys(res)) console.log(`${w.padEnd(6)} ${med(res[w]).toFixed(1)} µs/update  (${res[w].map((x) => x.toFixed(0)).join(" ")})`);
  console.log(`key - floor ${(med(res.key) - med(res.floor)).toFixed(1)} µs, sas - floor ${(med(res.sas) - med(res.floor)).toFixed(1)} µs`);
}
