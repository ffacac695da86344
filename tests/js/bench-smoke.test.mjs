// The cheap form of the benchmark: small counts, asserting only that every contender completes
// every workload with checked results and that the report prints every figure (no timing asserts;
// tests/bench gives the figures and the verdicts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, root } from "./runtime-tools.mjs";

test("benchmark, quick: this package, the official store and bare fetch all complete every workload, and the report prints", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bench-smoke-"));
  try {
    const out = await run("node", [`${root}/tests/benchmark/bench.mjs`, "--quick", "--json", join(dir, "node.json")], { timeoutMs: 120_000 });
    assert.match(out, /bench: every contender completed every workload, results checked/);
    for (const work of ["renew 32 partitions", "(20 ms link)", "updateCheckpoint x64", "client CPU per update, Shared Key", "client CPU per update, SAS", "calibration", "listCheckpoints of 300", "cold start", "wasm linear memory"]) {
      assert.ok(out.includes(work), `${work} missing:\n${out}`);
    }
    const report = await run("node", [`${root}/tests/benchmark/report.mjs`, dir, "--quick"]);
    for (const work of ["client CPU per update, Shared Key", "client CPU per update, SAS", "size: wasm + JS glue gzipped", "listCheckpoints of 300", "wasm linear memory", "cold start"]) {
      assert.ok(report.includes(work), `report: ${work} missing:\n${report}`);
    }
    assert.match(report, /bare fetch with a per-try time-out \(AbortController \+ timer, as the store's tries have\) \d+ µs/);
    assert.doesNotMatch(report, /NaN|undefined/, report);
    console.log(report.split("\n").filter((l) => l.startsWith("|")).map((l) => `# ${l}`).join("\n"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
