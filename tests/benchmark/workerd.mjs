// The benchmark in workerd (run with the Node 22 that wrangler needs, by tests/bench):
//  - client CPU per update: a Worker (worker/index.js) started through wrangler's API with the
//    inspector off runs one batch of updates per request, by this package (Shared Key, SAS) or by
//    bare pre-signed fetches (the floor); the CPU of the Worker's own workerd process across the
//    batch (schedstat of all its threads, ns) divided by the batch size. Batches taken in turns,
//    medians. Calibrated: the floor plus known busy work per update must measure that much more.
//  - list 10,000 checkpoints, ours vs a bare fetch of the same pages (wall time, in the Worker).
//  - cold start: `wrangler dev` from spawn to the first answered request (list 32), ours vs a
//    Worker with no package (worker/bare.js) answering the same request with bare fetches.
// Writes rows for report.mjs with `--json FILE`; `--quick` runs small counts.
import { unstable_startWorker } from "wrangler";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BlobServiceClient, StorageSharedKeyCredential, generateAccountSASQueryParameters, AccountSASPermissions, AccountSASResourceTypes, AccountSASServices } from "@azure/storage-blob";
import { cpuNs, median, spread } from "./cpu.mjs";
import { floorUpdate } from "./worker/floor.js";

const QUICK = process.argv.includes("--quick");
const JSON_OUT = process.argv.includes("--json") ? process.argv[process.argv.indexOf("--json") + 1] : null;
const URL_ = process.env.AZURITE_BLOB_URL;
if (!URL_) throw new Error("AZURITE_BLOB_URL is not set: run tests/bench");
const KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const here = fileURLToPath(new URL(".", import.meta.url));
const tests = join(here, "..");
const sharedKey = new StorageSharedKeyCredential("devstoreaccount1", KEY);
const service = new BlobServiceClient(URL_, sharedKey);
const SAS = generateAccountSASQueryParameters({
  expiresOn: new Date(Date.now() + 3600_000), permissions: AccountSASPermissions.parse("rwlacu"),
  resourceTypes: AccountSASResourceTypes.parse("sco").toString(), services: AccountSASServices.parse("b").toString(),
}, sharedKey).toString();
const COMPAT = "2025-06-01";
const BURN_US = 200; // the calibration's known busy work per update
const progress = (what) => console.error(`[bench] workerd: ${what}`);
const rows = [];
// No fetch of Request.cf from the internet (no internet here; it only adds a failed lookup).
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";

/** Pids of this process's descendants named workerd, with their command lines. */
function workerdDescendants() {
  const parent = new Map();
  const comm = new Map();
  for (const p of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      comm.set(p, stat.slice(stat.indexOf("(") + 1, close));
      parent.set(p, stat.slice(close + 2).split(" ")[1]);
    } catch {
      // Gone meanwhile.
    }
  }
  const mine = (p) => { for (let q = p; q && q !== "0" && q !== "1"; q = parent.get(q)) if (q === String(process.pid)) return true; return false; };
  return [...comm].filter(([p, c]) => c === "workerd" && mine(p)).map(([p]) => p);
}

async function startBenchWorker() {
  const worker = await unstable_startWorker({
    name: "checkpointstore-bench",
    entrypoint: join(here, "worker/index.js"),
    compatibilityDate: COMPAT,
    dev: { inspector: false, server: { hostname: "127.0.0.1", port: 0 }, watch: false, logLevel: "warn" },
  });
  await worker.ready;
  return worker;
}

async function call(worker, body) {
  const res = await worker.fetch("http://bench/", { method: "POST", body: JSON.stringify({ url: URL_, key: KEY, sas: SAS, ...body }) });
  const out = await res.json();
  if (!out.ok) throw new Error(`Worker failed: ${out.error}`);
  return out;
}

/** CPU (ns) each candidate process spends while `f` runs. */
async function measure(pids, f) {
  const before = pids.map((p) => cpuNs(p));
  await f();
  return pids.map((p, i) => cpuNs(p) - before[i]);
}

async function cpuPerUpdate() {
  const name = `bench-w-${Date.now().toString(36)}`;
  await service.getContainerClient(name).create();
  const worker = await startBenchWorker();
  try {
    await call(worker, { mode: "burn", n: 1, burn: 1 });
    const pids = workerdDescendants();
    if (!pids.length) throw new Error("no workerd process found under this process");
    // Which workerd runs the Worker: the one whose CPU grows with busy work done in the Worker
    // (the other is the proxy in front of it).
    const probeIters = 2_000_000;
    const seen = await measure(pids, () => call(worker, { mode: "burn", n: 10, burn: probeIters }));
    const w = seen.indexOf(Math.max(...seen));
    const pid = pids[w];
    progress(`workerd processes ${pids.join(", ")}; the Worker runs in ${pid} (busy-work probe: ${seen.map((s) => `${(s / 1e6).toFixed(1)} ms`).join(" vs ")})`);
    // CPU per burn iteration in the Worker, from batches with no I/O (median of 5).
    const perIter = [];
    for (let i = 0; i < 5; i++) perIter.push((await measure([pid], () => call(worker, { mode: "burn", n: 10, burn: probeIters })))[0] / 1000 / (10 * probeIters));
    const burnIters = Math.round(BURN_US / median(perIter));
    const burnUs = burnIters * median(perIter);

    const batch = QUICK ? 64 : 500;
    const rounds = QUICK ? 1 : 9;
    const modes = ["ours-key", "ours-sas", "floor", "burn-floor", "floor-bounded"];
    const body = (mode, seq) => mode === "burn-floor"
      ? { mode: "floor", ns: "upd-burn", container: name, n: batch, partitions: 32, seq, burn: burnIters }
      : { mode, ns: `upd-${mode}`, container: name, n: batch, partitions: 32, seq, burn: 0 };
    for (const m of modes) await call(worker, { ...body(m, 0), n: 32 }); // creates the blobs, warms up
    const cpu = Object.fromEntries(modes.map((m) => [m, []]));
    const proxyCpu = [];
    for (let rep = 0; rep < rounds; rep++) {
      for (const m of modes.map((_, i) => modes[(i + rep) % modes.length])) {
        const d = await measure(pids, () => call(worker, body(m, 1 + rep * 1000)));
        cpu[m].push(d[w] / 1000 / batch);
        if (m === "floor") proxyCpu.push(d.reduce((a, x, i) => (i === w ? a : a + x), 0) / 1000 / batch);
      }
    }
    const seenBurn = median(cpu["burn-floor"]) - median(cpu.floor);
    const calibration = `calibration: floor + ${burnUs.toFixed(0)} µs of busy work per update measured ${seenBurn.toFixed(0)} µs above the floor (${spread(cpu["burn-floor"])} µs); the proxy workerd ${median(proxyCpu).toFixed(0)} µs/update, not counted`;
    progress(calibration);
    const goal = { vs: "fetch", limit: 1.1, dir: "at most" };
    const b = median(cpu["floor-bounded"]);
    const bounded = (ours) => `bare fetch with a per-try time-out (AbortController + timer, as the store's tries have) ${b.toFixed(0)} µs (${(b / median(cpu.floor)).toFixed(2)}x bare fetch; ours ${(median(ours) / b).toFixed(2)}x it)`;
    const r = (work, ours) => rows.push({ runtime: "workerd", work, unit: "µs", goal, calibration, detail: bounded(ours), median: { ours: median(ours), fetch: median(cpu.floor) }, spread: { ours: spread(ours), fetch: spread(cpu.floor) } });
    r("client CPU per update, Shared Key", cpu["ours-key"]);
    r("client CPU per update, SAS", cpu["ours-sas"]);

    // list n: wall time of the request, ours vs the floor reading the same pages.
    const n = QUICK ? 300 : 10000;
    const ns = `list-${n}`;
    // The container bench.mjs seeded (same Azurite under tests/bench); seeded here if missing.
    const listContainer = "bench-list";
    await service.getContainerClient(listContainer).createIfNotExists();
    const blob = (p) => `${URL_}/${listContainer}/${ns}/telemetry/%24default/checkpoint/${p}?${SAS}`;
    if (!(await fetch(blob(n - 1), { method: "HEAD" })).ok) {
      progress(`seeding ${n} checkpoints`);
      const put = async (p) => {
        const res = await fetch(blob(p), { method: "PUT", headers: { "x-ms-version": "2019-07-07", "x-ms-blob-type": "BlockBlob", "x-ms-meta-sequencenumber": String(p), "x-ms-meta-offset": String(p) } });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`seed put ${res.status}`);
      };
      for (let i = 0; i < n; i += 256) await Promise.all([...Array(Math.min(256, n - i)).keys()].map((j) => put(i + j)));
    }
    const times = { ours: [], fetch: [] };
    for (let rep = 0; rep < (QUICK ? 1 : 5); rep++) {
      for (const m of rep % 2 ? ["list-floor", "list-ours"] : ["list-ours", "list-floor"]) {
        const t = performance.now();
        const out = await call(worker, { mode: m, ns, container: listContainer });
        times[m === "list-ours" ? "ours" : "fetch"].push(performance.now() - t);
        if (m === "list-ours" && out.got !== n) throw new Error(`listed ${out.got}/${n}`);
      }
    }
    rows.push({ runtime: "workerd", work: `listCheckpoints of ${n}`, unit: "ms", goal: { vs: "fetch", limit: 1.2, dir: "at most" }, median: { ours: median(times.ours), fetch: median(times.fetch) }, spread: { ours: spread(times.ours, 1), fetch: spread(times.fetch, 1) } });
    progress(`listCheckpoints of ${n} done`);
  } finally {
    await worker.dispose();
  }
}

/** `wrangler dev` of `entry`, from spawn to the first answered request (ms). */
async function coldStart(entry, name) {
  const dir = mkdtempSync(join(tmpdir(), "bench-cold-"));
  const { freePort } = await import("../js/runtime-tools.mjs");
  const port = await freePort();
  const t = performance.now();
  const child = spawn(process.execPath, [join(tests, "node_modules/wrangler/bin/wrangler.js"), "dev", entry, "--name", "cold", "--compatibility-date", COMPAT, "--ip", "127.0.0.1", "--port", String(port), "--persist-to", dir],
    { cwd: here, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" }, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  try {
    for (;;) {
      if (performance.now() - t > 90_000 || child.exitCode !== null) throw new Error(`wrangler dev did not answer:\n${log}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: JSON.stringify({ mode: "list-ours", url: URL_, key: KEY, sas: SAS, container: name, ns: "list-32" }) });
        const out = await res.json();
        if (out.ok) return performance.now() - t;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await new Promise((r) => { child.once("close", r); child.kill("SIGTERM"); });
  }
}

async function coldStarts() {
  const name = `bench-wc-${Date.now().toString(36)}`;
  await service.getContainerClient(name).create();
  const b = { url: URL_, container: name, sas: SAS };
  await Promise.all([...Array(32).keys()].map((p) => floorUpdate(b, { fullyQualifiedNamespace: "list-32", partitionId: String(p), sequenceNumber: p, offset: String(p) })));
  const times = { ours: [], "no package": [] };
  for (let rep = 0; rep < (QUICK ? 1 : 3); rep++) {
    for (const who of rep % 2 ? ["no package", "ours"] : ["ours", "no package"]) {
      times[who].push(await coldStart(join(here, who === "ours" ? "worker/index.js" : "worker/bare.js"), name));
    }
  }
  rows.push({ runtime: "workerd", work: "cold start (wrangler dev: spawn to first answered request, list 32)", unit: "ms", median: { ours: median(times.ours), "no package": median(times["no package"]) }, spread: { ours: spread(times.ours), "no package": spread(times["no package"]) } });
  progress("cold start done");
}

await cpuPerUpdate();
await coldStarts();
for (const r of rows) console.log(`workerd: ${r.work}: ours ${r.median.ours.toFixed(1)} ${r.unit} vs ${Object.entries(r.median).filter(([k]) => k !== "ours").map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")} ${r.unit} (${(r.median.ours / Object.values(r.median)[1]).toFixed(2)}x)${r.calibration ? `; ${r.calibration}` : ""}${r.detail ? `; ${r.detail}` : ""}`);
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(rows, null, 1));
