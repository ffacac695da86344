// Where the client CPU of one update goes, in Node: runs N checkpoint updates (this package with
// Shared Key or SAS, or the bare-fetch floor) under `node --cpu-prof`, then prints the self time
// per update of the top functions, and by area (wasm, the package's glue, undici/fetch, GC, ...).
//   AZURITE_BLOB_URL=... node tests/benchmark/profile.mjs [ours-key|ours-sas|floor ...]
// (tests/bench prints the same; run alone to compare with a change).
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const N = 4000;
const URL_ = process.env.AZURITE_BLOB_URL;
if (!URL_) throw new Error("AZURITE_BLOB_URL is not set");

if (process.argv[2] === "--child") {
  const mode = process.argv[3];
  const { BlobServiceClient, StorageSharedKeyCredential, generateAccountSASQueryParameters, AccountSASPermissions, AccountSASResourceTypes, AccountSASServices } = await import("@azure/storage-blob");
  const { BlobCheckpointStore } = await import("eventhubs-checkpointstore-blob-wasm");
  const { floorUpdate } = await import("./worker/floor.js");
  const KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
  const sharedKey = new StorageSharedKeyCredential("devstoreaccount1", KEY);
  const SAS = generateAccountSASQueryParameters({ expiresOn: new Date(Date.now() + 3600_000), permissions: AccountSASPermissions.parse("rwlacu"), resourceTypes: "sco", services: "b" }, sharedKey).toString();
  const name = `prof-${mode}-${Date.now().toString(36)}`;
  await new BlobServiceClient(URL_, sharedKey).getContainerClient(name).create();
  const store = new BlobCheckpointStore(URL_, name, { credential: mode === "ours-sas" ? SAS : KEY });
  const update = mode === "floor" ? (c) => floorUpdate({ url: URL_, container: name, sas: SAS }, c) : (c) => store.updateCheckpoint(c);
  const cp = (p, seq) => ({ fullyQualifiedNamespace: "prof", eventHubName: "telemetry", consumerGroup: "$default", partitionId: String(p), sequenceNumber: seq, offset: String(seq) });
  await Promise.all([...Array(32).keys()].map(async (p) => { for (let i = 0; i < N / 32; i++) await update(cp(p, i)); }));
  process.exit(0);
}

const here = fileURLToPath(new URL(".", import.meta.url));
const area = (f) => {
  const u = f.url ?? "";
  if (/wasm:\/\/|\.wasm/.test(u) || /^\$?[a-z_].*::|wasm-function/.test(f.functionName)) return "wasm";
  if (u.includes("checkpointstore.js")) return "package JS glue";
  if (u.includes("floor.js") || u.includes("profile.mjs")) return "benchmark loop";
  if (/undici|fetch|internal\/deps/.test(u)) return "fetch (undici)";
  if (u.startsWith("node:")) return "node internals";
  if (f.functionName === "(garbage collector)") return "GC";
  if (f.functionName === "(idle)") return "idle";
  if (f.functionName === "(program)") return "program (native, unattributed)";
  return u ? "other JS" : f.functionName || "(anonymous native)";
};
for (const mode of process.argv.slice(2).length ? process.argv.slice(2) : ["ours-key", "ours-sas", "floor"]) {
  const dir = mkdtempSync(join(tmpdir(), "prof-"));
  try {
    const r = spawnSync(process.execPath, ["--cpu-prof", "--cpu-prof-dir", dir, "--cpu-prof-interval", "100", fileURLToPath(import.meta.url), "--child", mode], { cwd: here, encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    const prof = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]), "utf8"));
    const dt = new Map();
    for (let i = 0; i < prof.samples.length; i++) dt.set(prof.samples[i], (dt.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i + 1] ?? 0));
    const byFn = new Map();
    const byArea = new Map();
    for (const n of prof.nodes) {
      const us = dt.get(n.id) ?? 0;
      if (!us) continue;
      const f = n.callFrame;
      const key = `${f.functionName || "(anonymous)"} ${f.url ? f.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\//, "") : ""}${f.lineNumber >= 0 ? `:${f.lineNumber + 1}` : ""}`;
      byFn.set(key, (byFn.get(key) ?? 0) + us);
      byArea.set(area(f), (byArea.get(area(f)) ?? 0) + us);
    }
    const busy = [...byArea].filter(([a]) => a !== "idle").reduce((s, [, v]) => s + v, 0);
    console.log(`\nprofile of ${N} updates, ${mode}: ${(busy / N).toFixed(0)} µs of sampled CPU per update (main thread), by area:`);
    for (const [a, us] of [...byArea].sort((x, y) => y[1] - x[1]).filter(([x]) => x !== "idle")) console.log(`  ${(us / N).toFixed(1).padStart(7)} µs  ${a}`);
    console.log("  top functions (self time per update):");
    for (const [k, us] of [...byFn].sort((x, y) => y[1] - x[1]).filter(([k]) => !k.startsWith("(idle)")).slice(0, 25)) console.log(`  ${(us / N).toFixed(1).padStart(7)} µs  ${k}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
