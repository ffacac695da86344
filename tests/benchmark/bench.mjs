// The benchmark in Node or Deno: this package, the official @azure/eventhubs-checkpointstore-blob
// over @azure/storage-blob, and a bare fetch floor sending the same requests pre-signed with a SAS
// (worker/floor.js, the same code the workerd benchmark's floor runs), taking turns on the same
// Azurite. Every contender's results are checked. Prints a table; with `--json FILE` also writes
// the rows with their goals for tests/benchmark/report.mjs. Run through tests/bench (which starts
// Azurite); `--quick` runs small counts only.
import { BlobServiceClient, StorageSharedKeyCredential, generateAccountSASQueryParameters, AccountSASPermissions, AccountSASResourceTypes, AccountSASServices } from "@azure/storage-blob";
import { BlobCheckpointStore as OfficialStore } from "@azure/eventhubs-checkpointstore-blob";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startProxy } from "../js/proxy.mjs";
import { floorUpdate, floorUpdateBounded, floorList } from "./worker/floor.js";
import { cpuNs, median, spread, burn } from "./cpu.mjs";

const QUICK = process.argv.includes("--quick");
const JSON_OUT = process.argv.includes("--json") ? process.argv[process.argv.indexOf("--json") + 1] : null;
const IS_DENO = !!globalThis.Deno;
const RUNTIME = IS_DENO ? `Deno ${Deno.version.deno}` : `Node ${process.version.slice(1)}`;
const URL_ = process.env.AZURITE_BLOB_URL;
if (!URL_) throw new Error("AZURITE_BLOB_URL is not set: run tests/bench");
const ACCOUNT = "devstoreaccount1";
const KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const REPS = QUICK ? 1 : 5;
const here = fileURLToPath(new URL(".", import.meta.url));
const sharedKey = new StorageSharedKeyCredential(ACCOUNT, KEY);
const service = new BlobServiceClient(URL_, sharedKey);
const SAS = generateAccountSASQueryParameters({
  expiresOn: new Date(Date.now() + 3600_000), permissions: AccountSASPermissions.parse("rwlacu"),
  resourceTypes: AccountSASResourceTypes.parse("sco").toString(), services: AccountSASServices.parse("b").toString(),
}, sharedKey).toString();

const check = (ok, what) => { if (!ok) throw new Error(`check failed: ${what}`); };
const progress = (what) => console.error(`[bench] ${RUNTIME}: ${what}`);
let containerN = 0;
async function container() {
  const name = `bench-${IS_DENO ? "d" : "n"}-${Date.now().toString(36)}-${containerN++}`;
  await service.getContainerClient(name).create();
  return name;
}
const group = (ns) => [ns, "telemetry", "$default"];
const own = (ns, p, ownerId, etag) => ({ fullyQualifiedNamespace: ns, eventHubName: "telemetry", consumerGroup: "$default", partitionId: String(p), ownerId, ...(etag ? { etag } : {}) });
const cp = (ns, p, seq) => ({ fullyQualifiedNamespace: ns, eventHubName: "telemetry", consumerGroup: "$default", partitionId: String(p), sequenceNumber: seq, offset: String(seq * 100) });
const rotate = (xs, k) => xs.map((_, i) => xs[(i + k) % xs.length]);

/** The contenders behind one surface, for a given account URL (direct or via a proxy). */
function contenders(url, name) {
  const b = { url, container: name, sas: SAS };
  const blobUrl = (ns, p) => `${url}/${name}/${ns}/telemetry/%24default/ownership/${p}`;
  const fetchFloor = {
    async claimOwnership(list) {
      const out = await Promise.all(list.map(async (o) => {
        const headers = { "x-ms-version": "2019-07-07", "x-ms-meta-ownerid": o.ownerId };
        const u = blobUrl(o.fullyQualifiedNamespace, o.partitionId);
        const res = o.etag
          ? await fetch(`${u}?comp=metadata&${SAS}`, { method: "PUT", headers: { ...headers, "if-match": o.etag } })
          : await fetch(`${u}?${SAS}`, { method: "PUT", headers: { ...headers, "x-ms-blob-type": "BlockBlob", "if-none-match": "*" } });
        await res.arrayBuffer();
        return res.ok ? { ...o, etag: res.headers.get("etag") } : null;
      }));
      return out.filter(Boolean);
    },
    updateCheckpoint: (c) => floorUpdate(b, c),
    listCheckpoints: (ns) => floorList(b, ns),
  };
  return {
    ours: new BlobCheckpointStore(url, name, { credential: KEY }),
    oursSas: new BlobCheckpointStore(url, name, { credential: SAS }),
    official: new OfficialStore(new BlobServiceClient(url, sharedKey).getContainerClient(name)),
    fetch: fetchFloor,
  };
}

const rows = [];
/** One result row: medians of each contender's samples, spreads kept for the report. */
function row(work, unit, samples, extra = {}) {
  progress(`${work} done`);
  const r = { runtime: RUNTIME, work, unit, ...extra, median: {}, spread: {} };
  for (const [k, v] of Object.entries(samples)) {
    if (!v.length) continue;
    r.median[k] = median(v);
    r.spread[k] = spread(v, unit === "µs" ? 0 : unit === "ms" ? 1 : 0);
  }
  rows.push(r);
  save();
  return r;
}
/** Rows are written as they come, so a run cut short still reports what it measured. */
function save() {
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(rows, null, 1));
}

/** Renewing n partitions in one claim, each contender on its own partitions. */
async function renew(url, n, label, goal) {
  const name = await container();
  const stores = contenders(url, name);
  const who3 = ["ours", "official", "fetch"];
  const times = { ours: [], official: [], fetch: [] };
  const held = {};
  for (const who of who3) {
    const first = await stores[who].claimOwnership([...Array(n).keys()].map((p) => own(`renew-${who}-${n}`, p, who)));
    check(first.length === n, `${who} first claim of ${n}: ${first.length}`);
    held[who] = first;
  }
  for (let rep = 0; rep < REPS; rep++) {
    for (const who of rotate(who3, rep)) {
      const t = performance.now();
      const renewed = await stores[who].claimOwnership(held[who].map((o) => ({ ...o })));
      times[who].push(performance.now() - t);
      check(renewed.length === n && renewed.every((o, i) => o.etag && o.etag !== held[who][i].etag), `${who} renewed ${renewed.length}/${n} with new etags`);
      held[who] = renewed;
    }
  }
  row(`renew ${n} partitions in one claimOwnership${label}`, "ms", times, goal ? { goal } : {});
}

/**
 * Checkpoint updates over 32 partitions (partitions in parallel, each in order), in batches taken
 * in turns by: this package with Shared Key, with SAS, the official store, the floor, and the
 * floor plus a known amount of busy work per update (the calibration: the CPU measurement must
 * see that work). Per batch: the process's CPU (schedstat, all threads) per update, and updates/s.
 */
async function updates() {
  const batch = QUICK ? 64 : Number(process.env.BENCH_BATCH ?? 500);
  const rounds = QUICK ? 1 : 9;
  const name = await container();
  const stores = contenders(URL_, name);
  const burnIters = calibrateBurn(200);
  stores.burn = { updateCheckpoint: (c) => { burn(burnIters.iters); return stores.fetch.updateCheckpoint(c); } };
  stores.bounded = { updateCheckpoint: (c) => floorUpdateBounded({ url: URL_, container: name, sas: SAS }, c) };
  const who6 = ["ours", "oursSas", "official", "fetch", "burn", "bounded"];
  const per = (p) => Math.floor(batch / 32) + (p < batch % 32 ? 1 : 0);
  const rate = Object.fromEntries(who6.map((w) => [w, []]));
  const cpu = Object.fromEntries(who6.map((w) => [w, []]));
  for (const who of who6) await Promise.all([...Array(32).keys()].map((p) => stores[who].updateCheckpoint(cp(`upd-${who}`, p, 0))));
  for (let rep = 0; rep < rounds; rep++) {
    for (const who of rotate(who6, rep)) {
      const ns = `upd-${who}`;
      const c0 = cpuNs();
      const t = performance.now();
      await Promise.all([...Array(32).keys()].map(async (p) => {
        for (let i = 0; i < per(p); i++) await stores[who].updateCheckpoint(cp(ns, p, rep * 1000 + i + 1));
      }));
      const ms = performance.now() - t;
      cpu[who].push((cpuNs() - c0) / 1000 / batch);
      rate[who].push(batch / (ms / 1000));
      const listed = await stores.ours.listCheckpoints(...group(ns));
      check(listed.length === 32 && listed.every((c) => c.sequenceNumber === rep * 1000 + per(Number(c.partitionId))), `${who}: last writes read back`);
    }
  }
  const seen = median(cpu.burn) - median(cpu.fetch);
  const calibration = `floor + ${burnIters.us.toFixed(0)} µs of busy work per update measured ${seen.toFixed(0)} µs above the floor (floor + work ${spread(cpu.burn)} µs)`;
  row(`updateCheckpoint x${batch} over 32 partitions, ${rounds} rounds`, "/s", { ours: rate.ours, official: rate.official, fetch: rate.fetch },
    { goal: { vs: "fetch", limit: 0.9, dir: "at least" } });
  const bounded = (ours) => `bare fetch with a per-try time-out (AbortController + timer, as the store's tries have) ${median(cpu.bounded).toFixed(0)} µs (${(median(cpu.bounded) / median(cpu.fetch)).toFixed(2)}x bare fetch; ours ${(median(ours) / median(cpu.bounded)).toFixed(2)}x it)`;
  row("client CPU per update, Shared Key", "µs", { ours: cpu.ours, official: cpu.official, fetch: cpu.fetch }, { goal: { vs: "fetch", limit: 1.1, dir: "at most" }, calibration, detail: bounded(cpu.ours) });
  row("client CPU per update, SAS", "µs", { ours: cpu.oursSas, fetch: cpu.fetch }, { goal: { vs: "fetch", limit: 1.1, dir: "at most" }, calibration, detail: bounded(cpu.oursSas) });
}

/**
 * How many burn() iterations cost `us` µs of CPU here (measured, median of 3). A running thread's
 * schedstat advances in scheduler ticks (4 ms here), so a short probe often measures 0 (which
 * made the iteration count infinite and hung the benchmark) or a whole tick: the probe doubles
 * until it measures at least 100 ms, within a few percent.
 */
function calibrateBurn(us) {
  const cpuOf = (n) => {
    const c0 = cpuNs();
    burn(n);
    return cpuNs() - c0;
  };
  let probe = 200_000;
  while (cpuOf(probe) < 100e6) {
    probe *= 2;
    check(probe < 2 ** 36, "the busy-work probe never measured 100 ms of CPU");
  }
  const per = median([0, 1, 2].map(() => cpuOf(probe) / 1000 / probe));
  check(per > 0, "the busy-work probe measured no CPU");
  const iters = Math.round(us / per);
  return { iters, us: iters * per };
}

/** Seeds n checkpoints in a fixed container (kept for the Deno run and the memory probes). */
async function seedList(n) {
  const name = "bench-list";
  await service.getContainerClient(name).createIfNotExists();
  const b = { url: URL_, container: name, sas: SAS };
  const ns = `list-${n}`;
  const last = await fetch(`${URL_}/${name}/${ns}/telemetry/%24default/checkpoint/${n - 1}?${SAS}`, { method: "HEAD" });
  if (last.ok) return { name, ns };
  progress(`seeding ${n} checkpoints`);
  // One Put Blob each (the floor's update would first try Set Metadata and get a 404).
  // A connection Azurite resets under the seeding load is tried again (up to 5 times).
  const put = async (p, tries = 1) => {
    const res = await fetch(`${URL_}/${name}/${ns}/telemetry/%24default/checkpoint/${p}?${SAS}`, {
      method: "PUT", headers: { "x-ms-version": "2019-07-07", "x-ms-blob-type": "BlockBlob", "x-ms-meta-sequencenumber": String(p), "x-ms-meta-offset": String(p * 100) },
    }).catch((e) => (tries < 5 ? null : Promise.reject(e)));
    if (!res) return put(p, tries + 1);
    await res.arrayBuffer();
    check(res.ok, `seed put ${res.status}`);
  };
  // Eight in flight: Azurite takes about twice as many a second that way as with hundreds
  // (measured on an empty container: 750/s with 8, 330/s with 256).
  let next = 0;
  const t = performance.now();
  await Promise.all([...Array(8)].map(async () => {
    while (next < n) {
      const p = next++;
      await put(p);
      if (p % 10000 === 9999) progress(`seeded ${p + 1} of ${n} (${((p + 1) / ((performance.now() - t) / 1000)).toFixed(0)}/s)`);
    }
  }));
  return { name, ns };
}

/** Listing n checkpoints: ours, the official store, and the floor (every page read, not parsed). */
async function list(n, goal) {
  const { name, ns } = await seedList(n);
  const stores = contenders(URL_, name);
  const times = { ours: [], official: [], fetch: [] };
  for (let rep = 0; rep < REPS; rep++) {
    for (const who of rotate(["ours", "official", "fetch"], rep)) {
      const t = performance.now();
      const got = await stores[who].listCheckpoints(...group(ns));
      times[who].push(performance.now() - t);
      if (who !== "fetch") check(got.length === n, `${who} listed ${got.length}/${n}`);
    }
  }
  row(`listCheckpoints of ${n}`, "ms", times, goal ? { goal } : {});
}

const childCmd = (script) => IS_DENO ? [Deno.execPath(), ["eval", "--ext=js", script]] : [process.execPath, ["--input-type=module", "-e", script]];
const runChild = (script, env = {}) => {
  const [cmd, args] = childCmd(script);
  const r = spawnSync(cmd, args, { cwd: here, env: { ...process.env, U: URL_, K: KEY, ...env }, encoding: "utf8" });
  check(r.status === 0, `child failed: ${r.stderr}`);
  return r.stdout;
};

/**
 * A new process: import, then the first listCheckpoints of 32. Beside the two stores, a process
 * that only fetches the same page pre-signed (no package): the floor the runtime's own first
 * fetch puts under any store that uses it (Node loads undici on first use).
 */
async function coldStart(goal) {
  await seedList(32); // seeded by the list workloads already, unless run alone
  const times = { ours: [], official: [], fetch: [] };
  const scripts = {
    ours: `import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
      const s = new BlobCheckpointStore(process.env.U, "bench-list", { credential: process.env.K });
      const l = await s.listCheckpoints("list-32", "telemetry", "$default"); if (l.length !== 32) throw 1;`,
    official: `import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
      import { BlobCheckpointStore } from "@azure/eventhubs-checkpointstore-blob";
      const s = new BlobCheckpointStore(new BlobServiceClient(process.env.U, new StorageSharedKeyCredential("devstoreaccount1", process.env.K)).getContainerClient("bench-list"));
      const l = await s.listCheckpoints("list-32", "telemetry", "$default"); if (l.length !== 32) throw 1;`,
    fetch: `const r = await fetch(process.env.U + "/bench-list?restype=container&comp=list&include=metadata&prefix=list-32%2Ftelemetry%2F%24default%2Fcheckpoint%2F&" + process.env.S);
      const t = await r.text(); if (!r.ok || t.split("<Blob>").length !== 33) throw 1;`,
  };
  for (let rep = 0; rep < REPS; rep++) {
    for (const who of rotate(["ours", "official", "fetch"], rep)) {
      const t = performance.now();
      runChild(scripts[who], { S: SAS });
      times[who].push(performance.now() - t);
    }
  }
  row("cold start (new process, import, list 32)", "ms", times, goal ? { goal } : {});
}

/**
 * Wasm linear memory, each figure from a fresh process: after import, and after listing n. Read
 * through the wasm-bindgen glue the package loads: its initSync returns the instance's exports
 * (memory included) once the package has initialised it.
 */
function memory(sizes) {
  const probe = (n) => `import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
    const glue = await import(new URL("./wasm/checkpointstore.js", import.meta.resolve("eventhubs-checkpointstore-blob-wasm")));
    const mem = () => glue.initSync({ module: new Uint8Array(0) }).memory.buffer.byteLength;
    const out = { afterImport: mem() };
    if (${n} > 0) {
      const s = new BlobCheckpointStore(process.env.U, "bench-list", { credential: process.env.K });
      const l = await s.listCheckpoints("list-${n}", "telemetry", "$default");
      if (l.length !== ${n}) throw new Error("listed " + l.length);
      out.afterList = mem();
    }
    console.log(JSON.stringify(out));`;
  const out = {};
  for (const n of [0, ...sizes]) out[n] = JSON.parse(runChild(probe(n)).trim().split("\n").pop());
  const [small, big] = sizes;
  const mib = (b) => b / 1048576;
  const r = {
    runtime: RUNTIME, work: `wasm linear memory after listing ${big} vs after ${small} (fresh process each)`, unit: "MiB",
    median: { ours: mib(out[big].afterList), [`list ${small}`]: mib(out[small].afterList) },
    spread: {}, goal: { vs: `list ${small}`, limit: 1, dir: "at most" },
    detail: `after import ${mib(out[0].afterImport).toFixed(1)} MiB, after listing ${small} ${mib(out[small].afterList).toFixed(1)} MiB, after listing ${big} ${mib(out[big].afterList).toFixed(1)} MiB`,
  };
  progress(`${r.work} done`);
  rows.push(r);
  save();
}

// `--memory-only` runs just the memory probes: tests/bench runs them last, because seeding the
// large listing slows Azurite (every later request pays for the blob count) and would skew the
// timed workloads of the runtimes measured after it.
const MEMORY_ONLY = process.argv.includes("--memory-only");
const big = QUICK ? 300 : 10000;
// 100,000 is the goal's figure; BENCH_HUGE_LIST picks another: Azurite's in-memory store slows
// down as a container fills (measured: 470 puts/s for the first 4,000 blobs, 134/s at 16,000), so
// seeding 100,000 takes it about 45 minutes.
const huge = QUICK ? 1000 : Number(process.env.BENCH_HUGE_LIST ?? 100000);
// BENCH_ONLY=renew (or link, updates, list, cold) runs one group of workloads, for trying a
// change quickly (BENCH_BATCH sets the updates per batch, 500 by default).
const ONLY = process.env.BENCH_ONLY;
const GROUPS = ["renew", "link", "updates", "list", "cold"];
if (ONLY && !GROUPS.includes(ONLY)) throw new Error(`BENCH_ONLY=${ONLY}: one of ${GROUPS.join(", ")}`);
const runs = (group) => !MEMORY_ONLY && (!ONLY || ONLY === group);
if (runs("renew")) {
  await renew(URL_, 32, "", { vs: "fetch", limit: 1.15, dir: "at most" });
  await renew(URL_, QUICK ? 64 : 256, "");
}
if (runs("link")) {
  const proxy = await startProxy(URL_, { delayMs: 20 });
  try {
    await renew(proxy.url, 32, " (20 ms link)", { vs: "official", limit: 1 / 8, dir: "at most" });
    if (!QUICK) await renew(proxy.url, 256, " (20 ms link)");
  } finally {
    await proxy.close();
  }
}
if (runs("updates")) await updates();
if (runs("list")) {
  await list(32);
  await list(big, { vs: "fetch", limit: 1.2, dir: "at most" });
}
if (runs("cold")) await coldStart(IS_DENO ? null : { vs: "official", limit: 0.5, dir: "at most" });
if (!ONLY && (MEMORY_ONLY || !process.env.BENCH_SKIP_MEMORY)) {
  await seedList(big);
  await seedList(huge);
  memory([big, huge]);
}

const fmt = (v, unit) => v === undefined ? "n/a" : unit === "µs" ? `${Math.round(v)} µs` : unit === "MiB" ? `${v.toFixed(1)} MiB` : unit === "/s" ? `${Math.round(v)} /s` : v < 10 ? `${v.toFixed(2)} ms` : `${Math.round(v)} ms`;
const ratio = (a, b) => (a === undefined || b === undefined ? "" : `${(a / b).toFixed(2)}x`);
console.log(`\n${RUNTIME}, ${QUICK ? "quick run (small counts)" : `medians of ${REPS} runs (9 rounds for updates)`}, Azurite on loopback, ${new Date().toISOString().slice(0, 10)}\n`);
console.log("| work | this package | official store | bare fetch | ours / official | ours / fetch | spread (ours; fetch) |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const r of rows) {
  const m = r.median;
  if (r.unit === "MiB") {
    console.log(`| ${r.work} | ${fmt(m.ours, "MiB")} | | | | | ${r.detail} |`);
    continue;
  }
  const sp = [r.spread.ours, r.spread.fetch].filter(Boolean).join("; ");
  console.log(`| ${r.work} | ${fmt(m.ours, r.unit)} | ${fmt(m.official, r.unit)} | ${fmt(m.fetch, r.unit)} | ${ratio(m.ours, m.official)} | ${ratio(m.ours, m.fetch)} | ${sp} |`);
  if (r.calibration && r.work.endsWith("Shared Key")) console.log(`| calibration: ${r.calibration} | | | | | | |`);
}
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(rows, null, 1));
console.log("\nbench: every contender completed every workload, results checked");
