// Prints the goals of issue 13 as one table from the rows the benchmark parts wrote
// (target/bench/*.json: bench.mjs in Node and Deno, workerd.mjs), plus the download size.
// Usage: node report.mjs DIR [--quick]
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

const dir = process.argv[2];
const QUICK = process.argv.includes("--quick");
const root = new URL("../../", import.meta.url).pathname;
const rows = [];
for (const f of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) rows.push(...JSON.parse(readFileSync(join(dir, f), "utf8")));

const fmt = (v, unit) => v === undefined ? "n/a" : unit === "µs" ? `${Math.round(v)} µs` : unit === "MiB" ? `${v.toFixed(1)} MiB` : unit === "/s" ? `${Math.round(v).toLocaleString("en")} /s` : unit === "B" ? `${(v / 1000).toFixed(1)} KB` : v < 10 ? `${v.toFixed(2)} ms` : `${Math.round(v).toLocaleString("en")} ms`;
const NAMES = { fetch: "bare fetch", official: "official store", "no package": "Worker with no package" };

function verdict(q, goal) {
  if (QUICK) return "(quick run: no verdict)";
  const ok = goal.dir === "at most" ? q <= goal.limit : q >= goal.limit;
  return ok ? `met (margin ${Math.abs(goal.limit - q).toFixed(2)}x)` : `**missed** by ${Math.abs(q - goal.limit).toFixed(2)}x`;
}
const limitText = (g) => `${g.dir === "at most" ? "≤" : "≥"} ${g.limit === 1 / 8 ? "1/8" : g.limit.toFixed(2)}x ${NAMES[g.vs] ?? g.vs}`;

// Goal order as in the issue.
const ORDER = [/client CPU.*Shared Key/, /client CPU.*SAS/, /^size/, /listCheckpoints of/, /linear memory/, /cold start/, /20 ms link/, /renew 32 .*claimOwnership$/, /^updateCheckpoint/];
const rank = (r) => { const i = ORDER.findIndex((re) => re.test(r.work)); return i < 0 ? 99 : i; };
const RT = (r) => (r.runtime.startsWith("Node") ? 0 : r.runtime.startsWith("Deno") ? 1 : 2);
const shown = rows.filter((r) => r.goal || /cold start/.test(r.work)).sort((a, b) => rank(a) - rank(b) || RT(a) - RT(b));

console.log("| goal | runtime | this package | compared with | ratio | verdict | spread, calibration, notes |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const r of shown) {
  const vs = r.goal?.vs ?? Object.keys(r.median).find((k) => k !== "ours");
  const ours = r.median.ours;
  const other = r.median[vs];
  const q = ours / other;
  // Compared with the official store, the bare fetch (when measured) shows what the runtime's own
  // fetch costs under any store: a goal below it cannot be met through that fetch.
  const floor = vs !== "fetch" && r.median.fetch !== undefined && `bare fetch ${fmt(r.median.fetch, r.unit)} (${(r.median.fetch / other).toFixed(2)}x ${NAMES[vs] ?? vs}; ours ${(ours / r.median.fetch).toFixed(2)}x it)`;
  const notes = [r.spread?.ours && `ours ${r.spread.ours} ${r.unit}`, r.spread?.[vs] && `${NAMES[vs] ?? vs} ${r.spread[vs]} ${r.unit}`, floor, r.work.endsWith("SAS") ? "calibration: see its Shared Key row" : r.calibration, r.detail].filter(Boolean).join("; ");
  const work = r.goal ? `${r.work}, ${limitText(r.goal)}` : `${r.work} (reported)`;
  console.log(`| ${work} | ${r.runtime} | ${fmt(ours, r.unit)} | ${fmt(other, r.unit)} (${NAMES[vs] ?? vs}) | ${q.toFixed(2)}x | ${r.goal ? verdict(q, r.goal) : ""} | ${notes} |`);
}

// Size: what a page downloads. The bundler builds (tests/bundlers/) write target/bundlers/sizes.json;
// without it, the package's browser entry as served: entry + glue + wasm, each gzipped.
const sizesFile = join(root, "target/bundlers/sizes.json");
const sizeRows = [];
if (existsSync(sizesFile)) {
  // Written by tests/bundlers/build.mjs: { package: { separateWasm, inline }, bundlers: { name: { entry, totalGzip } } }.
  const s = JSON.parse(readFileSync(sizesFile, "utf8"));
  for (const [name, e] of Object.entries(s.bundlers ?? {})) {
    if (typeof e.totalGzip === "number") sizeRows.push([`${name} (page of a bundled app, ${e.entry})`, e.totalGzip]);
    else sizeRows.push([`${name}: ${e.skipped ? `skipped (${e.skipped})` : `build failed (${e.error})`}`, NaN]);
  }
  const p = s.package ?? {};
  if (p.separateWasm) sizeRows.push([`package alone: web.js + glue + separate wasm (wasm ${p.separateWasm.wasmGzip} B)`, p.separateWasm.totalGzip]);
  if (p.inline) sizeRows.push(["package alone: inline.js (glue + wasm inside, gzip + base64)", p.inline.totalGzip]);
} else {
  const gz = (f) => gzipSync(readFileSync(join(root, "pkg", f)), { level: 9 }).length;
  const glue = gz("wasm/checkpointstore.js");
  const wasm = gz("wasm/checkpointstore_bg.wasm");
  sizeRows.push([`pkg/ browser entry (web.js + glue ${glue} B + wasm ${wasm} B, each gzip -9; no sizes.json from the bundler builds)`, gz("web.js") + glue + wasm]);
}
for (const [what, bytes] of sizeRows) {
  const ok = bytes <= 40_000;
  if (Number.isNaN(bytes)) {
    console.log(`| size: wasm + JS glue gzipped, ≤ 40 KB | ${what} | n/a | 40.0 KB | | not measured | |`);
    continue;
  }
  console.log(`| size: wasm + JS glue gzipped, ≤ 40 KB | ${what} | ${fmt(bytes, "B")} | 40.0 KB | ${(bytes / 40_000).toFixed(2)}x | ${ok ? `met (margin ${((40_000 - bytes) / 1000).toFixed(1)} KB)` : `**missed** by ${((bytes - 40_000) / 1000).toFixed(1)} KB`} | |`);
}
