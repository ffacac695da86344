// The benchmark: this package, the official @azure/eventhubs-checkpointstore-blob over
// @azure/storage-blob, and a bare fetch loop sending the same requests pre-signed with a SAS,
// taking turns on the same Azurite. Every contender's results are checked. Prints a table.
// Run through tests/bench (which starts Azurite); `--quick` runs small counts only.
import { BlobServiceClient, StorageSharedKeyCredential, generateAccountSASQueryParameters, AccountSASPermissions, AccountSASResourceTypes, AccountSASServices } from "@azure/storage-blob";
import { BlobCheckpointStore as OfficialStore } from "@azure/eventhubs-checkpointstore-blob";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { startProxy } from "../js/proxy.mjs";

const QUICK = process.argv.includes("--quick");
const RUNTIME = globalThis.Deno ? `Deno ${Deno.version.deno}` : `Node ${process.version}`;
const URL_ = process.env.AZURITE_BLOB_URL;
if (!URL_) throw new Error("AZURITE_BLOB_URL is not set: run tests/bench");
const ACCOUNT = "devstoreaccount1";
const KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const REPS = QUICK ? 1 : 5;
const sharedKey = new StorageSharedKeyCredential(ACCOUNT, KEY);
const service = new BlobServiceClient(URL_, sharedKey);
const SAS = generateAccountSASQueryParameters({
  expiresOn: new Date(Date.now() + 3600_000), permissions: AccountSASPermissions.parse("rwlacu"),
  resourceTypes: AccountSASResourceTypes.parse("sco").toString(), services: AccountSASServices.parse("b").toString(),
}, sharedKey).toString();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const check = (ok, what) => { if (!ok) throw new Error(`check failed: ${what}`); };
let containerN = 0;
async function container() {
  const name = `bench-${Date.now().toString(36)}-${containerN++}`;
  await service.getContainerClient(name).create();
  return name;
}
const group = (ns) => [ns, "telemetry", "$default"];
const own = (ns, p, ownerId, etag) => ({ fullyQualifiedNamespace: ns, eventHubName: "telemetry", consumerGroup: "$default", partitionId: String(p), ownerId, ...(etag ? { etag } : {}) });
const cp = (ns, p, seq) => ({ fullyQualifiedNamespace: ns, eventHubName: "telemetry", consumerGroup: "$default", partitionId: String(p), sequenceNumber: seq, offset: String(seq * 100) });

/** The three contenders behind one surface, for a given account URL (direct or via a proxy). */
function contenders(url, name) {
  const ours = new BlobCheckpointStore(url, name, { credential: KEY });
  const official = new OfficialStore(new BlobServiceClient(url, sharedKey).getContainerClient(name));
  const blobUrl = (ns, kind, p) => `${url}/${name}/${ns}/telemetry/%24default/${kind}/${p}`;
  // The floor: the same requests, pre-signed with a SAS, no store logic at all.
  const fetchFloor = {
    async claimOwnership(list) {
      const out = await Promise.all(list.map(async (o) => {
        const headers = { "x-ms-version": "2019-07-07", "x-ms-meta-ownerid": o.ownerId };
        const ns = o.fullyQualifiedNamespace;
        let res;
        if (o.etag) res = await fetch(`${blobUrl(ns, "ownership", o.partitionId)}?comp=metadata&${SAS}`, { method: "PUT", headers: { ...headers, "if-match": o.etag } });
        else res = await fetch(`${blobUrl(ns, "ownership", o.partitionId)}?${SAS}`, { method: "PUT", headers: { ...headers, "x-ms-blob-type": "BlockBlob", "if-none-match": "*" } });
        await res.arrayBuffer();
        return res.ok ? { ...o, etag: res.headers.get("etag") } : null;
      }));
      return out.filter(Boolean);
    },
    async updateCheckpoint(c) {
      const res = await fetch(`${blobUrl(c.fullyQualifiedNamespace, "checkpoint", c.partitionId)}?comp=metadata&${SAS}`, {
        method: "PUT", headers: { "x-ms-version": "2019-07-07", "x-ms-meta-sequencenumber": String(c.sequenceNumber), "x-ms-meta-offset": String(c.offset) },
      });
      await res.arrayBuffer();
      if (res.status === 404) {
        const put = await fetch(`${blobUrl(c.fullyQualifiedNamespace, "checkpoint", c.partitionId)}?${SAS}`, {
          method: "PUT", headers: { "x-ms-version": "2019-07-07", "x-ms-blob-type": "BlockBlob", "x-ms-meta-sequencenumber": String(c.sequenceNumber), "x-ms-meta-offset": String(c.offset) },
        });
        await put.arrayBuffer();
        check(put.ok, `fetch put ${put.status}`);
      } else check(res.ok, `fetch set metadata ${res.status}`);
    },
  };
  return { ours, official, fetch: fetchFloor };
}
const NAMES = ["ours", "official", "fetch"];

/** Renewing n partitions in one claim, each contender on its own partitions. */
async function renew(url, n, label) {
  const name = await container();
  const stores = contenders(url, name);
  const times = { ours: [], official: [], fetch: [] };
  const held = {};
  for (const who of NAMES) {
    const ns = `renew-${who}-${n}`;
    const first = await stores[who].claimOwnership([...Array(n).keys()].map((p) => own(ns, p, who)));
    check(first.length === n, `${who} first claim of ${n}: ${first.length}`);
    held[who] = first;
  }
  for (let rep = 0; rep < REPS; rep++) {
    for (const who of rotate(NAMES, rep)) {
      const t = performance.now();
      const renewed = await stores[who].claimOwnership(held[who].map((o) => ({ ...o })));
      times[who].push(performance.now() - t);
      check(renewed.length === n && renewed.every((o, i) => o.etag && o.etag !== held[who][i].etag), `${who} renewed ${renewed.length}/${n} with new etags`);
      held[who] = renewed;
    }
  }
  return row(`renew ${n} partitions in one claimOwnership${label}`, "ms", times, "lower");
}

const rotate = (xs, k) => xs.map((_, i) => xs[(i + k) % xs.length]);

/** 2,000 checkpoint updates over 32 partitions, partitions in parallel, each in order. */
async function updates() {
  const total = QUICK ? 64 : 2000;
  const name = await container();
  const stores = contenders(URL_, name);
  const perPartition = (p) => Math.floor(total / 32) + (p < total % 32 ? 1 : 0);
  const rate = { ours: [], official: [], fetch: [] };
  const cpu = { ours: [], official: [], fetch: [] };
  for (const who of NAMES) await Promise.all([...Array(32).keys()].map((p) => stores[who].updateCheckpoint(cp(`upd-${who}`, p, 0))));
  for (let rep = 0; rep < (QUICK ? 1 : 3); rep++) {
    for (const who of rotate(NAMES, rep)) {
      const ns = `upd-${who}`;
      const c0 = process.cpuUsage();
      const t = performance.now();
      await Promise.all([...Array(32).keys()].map(async (p) => {
        for (let i = 0; i < perPartition(p); i++) await stores[who].updateCheckpoint(cp(ns, p, rep * 1000 + i + 1));
      }));
      const ms = performance.now() - t;
      const used = process.cpuUsage(c0);
      rate[who].push(total / (ms / 1000));
      cpu[who].push((used.user + used.system) / 1000 / total);
      const listed = await stores.ours.listCheckpoints(...group(ns));
      check(listed.length === 32 && listed.every((c) => c.sequenceNumber === rep * 1000 + perPartition(Number(c.partitionId))), `${who}: last writes read back`);
    }
  }
  return [row(`updateCheckpoint x${total} over 32 partitions`, "/s", rate, "higher"), row("  client CPU per update", "ms", cpu, "lower")];
}

/** Listing n checkpoints; ours and the official store (a list is no single request to floor). */
async function list(n) {
  const name = await container();
  const ns = `list-${n}`;
  const stores = contenders(URL_, name);
  for (let i = 0; i < n; i += 256) await Promise.all([...Array(Math.min(256, n - i)).keys()].map((j) => stores.fetch.updateCheckpoint(cp(ns, i + j, i + j))));
  const times = { ours: [], official: [], fetch: [] };
  for (let rep = 0; rep < REPS; rep++) {
    for (const who of ["ours", "official"]) {
      const t = performance.now();
      const got = await stores[who].listCheckpoints(...group(ns));
      times[who].push(performance.now() - t);
      check(got.length === n, `${who} listed ${got.length}/${n}`);
    }
  }
  return row(`listCheckpoints of ${n}`, "ms", times, "lower");
}

/** A new process: import, then the first listCheckpoints of 32. */
function coldStart() {
  const times = { ours: [], official: [], fetch: [] };
  const scripts = {
    ours: `import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
      const s = new BlobCheckpointStore(process.env.U, "cold", { credential: process.env.K });
      const l = await s.listCheckpoints("cold", "telemetry", "$default"); if (l.length !== 32) throw 1;`,
    official: `import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
      import { BlobCheckpointStore } from "@azure/eventhubs-checkpointstore-blob";
      const s = new BlobCheckpointStore(new BlobServiceClient(process.env.U, new StorageSharedKeyCredential("devstoreaccount1", process.env.K)).getContainerClient("cold"));
      const l = await s.listCheckpoints("cold", "telemetry", "$default"); if (l.length !== 32) throw 1;`,
  };
  const here = fileURLToPath(new URL(".", import.meta.url));
  for (let rep = 0; rep < REPS; rep++) {
    for (const who of ["ours", "official"]) {
      const t = performance.now();
      const cmd = globalThis.Deno ? [Deno.execPath(), ["eval", "--ext=js", scripts[who]]] : [process.execPath, ["--input-type=module", "-e", scripts[who]]];
      const r = spawnSync(cmd[0], cmd[1], { cwd: here, env: { ...process.env, U: URL_, K: KEY }, encoding: "utf8" });
      times[who].push(performance.now() - t);
      check(r.status === 0, `${who} cold start: ${r.stderr}`);
    }
  }
  return row("cold start (new process, import, list 32)", "ms", times, "lower");
}

function row(work, unit, samples, better) {
  console.error(`[bench] ${RUNTIME}: ${work} done`);
  const m = Object.fromEntries(Object.entries(samples).filter(([, v]) => v.length).map(([k, v]) => [k, median(v)]));
  return { work, unit, better, ...m };
}

function size() {
  const pkg = new URL("../../pkg/wasm/", import.meta.url);
  const wasm = readFileSync(new URL("checkpointstore_bg.wasm", pkg));
  const glue = readFileSync(new URL("checkpointstore.js", pkg));
  return { wasm: wasm.length, glue: glue.length, gzip: gzipSync(wasm, { level: 9 }).length + gzipSync(glue, { level: 9 }).length };
}

const fmt = (v, unit) => (v === undefined ? "n/a" : unit === "/s" ? `${Math.round(v)} /s` : unit === "ms" && v < 10 ? `${v.toFixed(2)} ms` : `${Math.round(v)} ms`);
const ratio = (a, b) => (a === undefined || b === undefined ? "" : `${(a / b).toFixed(2)}x`);

// Goals from the issue, as (row match, compared with, limit, direction).
const GOALS = [
  [/renew 32 .*20 ms/, "official", 1 / 8, "at most"],
  [/renew 32 partitions in one claimOwnership$/, "fetch", 1.15, "at most"],
  [/^updateCheckpoint/, "fetch", 0.9, "at least"],
  [/client CPU/, "fetch", 1.15, "at most"],
  [/listCheckpoints of 10000/, "official", 0.5, "at most"],
  [/cold start/, "official", 0.75, "at most"],
];

const rows = [];
const proxy = await startProxy(URL_, { delayMs: 20 });
try {
  rows.push(await renew(URL_, 32, ""));
  rows.push(await renew(URL_, QUICK ? 64 : 256, ""));
  rows.push(await renew(proxy.url, 32, " (20 ms link)"));
  if (!QUICK) rows.push(await renew(proxy.url, 256, " (20 ms link)"));
  rows.push(...(await updates()));
  rows.push(await list(32));
  rows.push(await list(QUICK ? 300 : 10000));
  await service.getContainerClient("cold").createIfNotExists();
  const seed = contenders(URL_, "cold");
  await Promise.all([...Array(32).keys()].map((p) => seed.fetch.updateCheckpoint(cp("cold", p, p))));
  rows.push(coldStart());
} finally {
  await proxy.close();
}

const s = size();
console.log(`\n${RUNTIME}, ${QUICK ? "quick run (small counts)" : `medians of ${REPS} runs`}, Azurite on loopback, ${new Date().toISOString().slice(0, 10)}\n`);
console.log("| work | this package | official store | bare fetch | ours / official | ours / fetch | goal |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const r of rows) {
  const goal = GOALS.find(([re]) => re.test(r.work));
  let verdict = "";
  if (goal && !QUICK) {
    const [, other, limit, dir] = goal;
    const q = r.ours / r[other];
    const ok = dir === "at most" ? q <= limit : q >= limit;
    verdict = `${dir} ${limit.toFixed(2)}x ${other}: ${ok ? "met" : `MISSED by ${Math.abs(q - limit).toFixed(2)}x`}`;
  }
  console.log(`| ${r.work} | ${fmt(r.ours, r.unit)} | ${fmt(r.official, r.unit)} | ${fmt(r.fetch, r.unit)} | ${ratio(r.ours, r.official)} | ${ratio(r.ours, r.fetch)} | ${verdict} |`);
}
const sizeGoal = s.gzip <= 40_000 ? "met" : `MISSED by ${s.gzip - 40_000} bytes`;
console.log(`| wasm + JS glue, gzipped | ${s.gzip} B (${s.wasm} B wasm + ${s.glue} B glue, raw) | | | | | at most 40 KB: ${sizeGoal} |`);
console.log("\nbench: every contender completed every workload, results checked");
