// The cheap form of the benchmark: small counts, asserting only that every contender completes
// every workload with checked results (no timing asserts; tests/bench gives the figures).
import { test } from "node:test";
import assert from "node:assert/strict";
import { run, root } from "./runtime-tools.mjs";

test("benchmark, quick: this package, the official store and bare fetch all complete every workload", async () => {
  const out = await run("node", [`${root}/tests/benchmark/bench.mjs`, "--quick"], { timeoutMs: 180_000 });
  assert.match(out, /bench: every contender completed every workload, results checked/);
  for (const work of ["renew 32 partitions", "(20 ms link)", "updateCheckpoint x64", "listCheckpoints of 300", "cold start"]) {
    assert.ok(out.includes(work), `${work} missing:\n${out}`);
  }
  console.log(out.split("\n").filter((l) => l.startsWith("|")).map((l) => `# ${l}`).join("\n"));
});
