// Summarises a V8 .cpuprofile (Node's --cpu-prof, or the inspector's Profiler.stop): self time
// per update by area (wasm, the package's JS glue, fetch, GC, ...) and the top functions.

export const area = (f) => {
  const u = f.url ?? "";
  const fn = f.functionName;
  // Each wasm module by its URL: in Node, undici's HTTP parser (llhttp) is wasm too; the module
  // that also shows in the floor's profile is llhttp.
  if (/^wasm:\/\//.test(u)) return `wasm module ${u}`;
  if (/^js-to-wasm|^wasm-to-js|JSToWasm|WasmToJS/.test(fn)) return "JS<->wasm wrappers";
  if (u.includes("checkpointstore")) return "package JS glue (wasm-bindgen)";
  if (u.includes("floor.js") || u.includes("profile") || u.includes("worker/index.js")) return "benchmark loop";
  if (u.includes("undici")) return "fetch (undici)";
  if (u.includes("webstreams")) return "web streams (fetch bodies)";
  if (u.includes("internal/url")) return "URL parsing";
  if (/timers/.test(u)) return "timers";
  if (/abort_controller|event_target|events/.test(u)) return "AbortController, events";
  if (/task_queues/.test(u) || fn === "runMicrotasks") return "microtasks";
  if (/net|stream|http|socket|buffer/.test(u)) return "sockets, streams, buffers";
  if (u.startsWith("node:")) return "other node internals";
  if (fn === "(garbage collector)") return "GC";
  if (fn === "(idle)") return "idle";
  if (fn === "(program)") return "(program): native, unattributed";
  if (!u) return "native builtins (strings, headers, ...)";
  return "other JS";
};
/**
 * Prints the profile `prof` of `n` updates, labelled `label`; with `cpuUs` (the measured CPU
 * per update of the profiled thread) the shares are also shown as µs per update.
 */
export function summarise(prof, n, label, cpuUs) {
  const N = n;
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
  const show = (us) => `${((100 * us) / busy).toFixed(1).padStart(5)}%${cpuUs ? ` ${((cpuUs * us) / busy).toFixed(0).padStart(4)} µs` : ""}`;
  console.log(`\nprofile of ${N} updates, ${label}${cpuUs ? `: ${cpuUs.toFixed(0)} µs of CPU per update (schedstat of the thread)` : ""}; share of the samples, by area:`);
  for (const [a, us] of [...byArea].sort((x, y) => y[1] - x[1]).filter(([x]) => x !== "idle").slice(0, 16)) console.log(`  ${show(us)}  ${a}`);
  console.log("  top functions (self time):");
  for (const [k, us] of [...byFn].sort((x, y) => y[1] - x[1]).filter(([k]) => !k.startsWith("(idle)")).slice(0, 22)) console.log(`  ${show(us)}  ${k}`);
  // Inside wasm (function names show when the module keeps its name section, e.g. a build
  // through wasm-opt -g put in place of the package's .wasm).
  if (process.env.PROFILE_WASM) {
    console.log("  top wasm functions (self time):");
    for (const [k, us] of [...byFn].filter(([k]) => k.includes("wasm://")).sort((x, y) => y[1] - x[1]).slice(0, Number(process.env.PROFILE_WASM) || 25)) console.log(`  ${show(us)}  ${k.slice(0, 140)}`);
  }
}
