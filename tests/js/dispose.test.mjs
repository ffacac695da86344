// The end of a store's life: `await using` in Deno 2 and Chromium, Symbol.asyncDispose called
// directly in Node 20 and 22 (which do not parse `await using`), `using` (Symbol.dispose), free()
// and close(). After any of them every call rejects with the closed-store error, the very error
// close() leads to, never a synchronous throw; closing or disposing again resolves; a call under
// way when the block ends finishes. Also checks the README's table of which runtime parses what.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { URL_, newContainer, containerSas } from "./helpers.mjs";
import { root, bin, node22, run, serve, launchChromium } from "./runtime-tools.mjs";

let container;
before(async () => {
  container = await newContainer("dispose");
});
const scenarioEnv = () => ({ SCENARIO: JSON.stringify({ url: URL_, container, credential: containerSas(container) }) });

const KNOWN = ["listOwnership", "listCheckpoints", "claimOwnership", "updateCheckpoint"];

/**
 * Asserts every call after the end rejected with the closed-store error (close() and disposal
 * again resolve); returns that error. After close() only the methods called with valid arguments
 * count: a closed store still rejects bad arguments as such.
 */
function assertEnded(calls, where, { onlyKnown = false } = {}) {
  const closedError = calls.listCheckpoints?.rejected;
  assert.equal(closedError?.code, "StoreClosed", `${where}: ${JSON.stringify(calls)}`);
  for (const [name, out] of Object.entries(calls)) {
    if (name === "close" || name === "Symbol.asyncDispose") {
      assert.deepEqual(out, { resolved: "undefined" }, `${where}: ${name} again resolves`);
    } else if (!onlyKnown || KNOWN.includes(name)) {
      assert.deepEqual(out, { rejected: closedError }, `${where}: ${name} rejects with the closed-store error, never throws`);
    }
  }
  for (const name of [...KNOWN, "close"]) assert.ok(name in calls, `${where}: ${name} was called`);
  return closedError;
}

function assertReport(report, where, blocks) {
  assert.equal(report.closesAtEnd, 1, `${where}: the end of the block closed the store`);
  assert.deepEqual(report.inside, { resolved: "array of 0" }, `${where}: the store works inside the block`);
  assert.deepEqual(report.underWay, { resolved: "array of 0" }, `${where}: a call under way at the end of the block finishes`);
  const closed = assertEnded(report.afterClose, `${where} after close()`, { onlyKnown: true });
  assert.equal(closed.name, "Error");
  assert.equal(closed.message, "The BlobCheckpointStore is closed.");
  for (const b of ["afterFree", "afterDispose", ...blocks]) {
    assert.deepEqual(assertEnded(report[b], `${where} ${b}`), closed, `${where} ${b}: the same error as after close()`);
  }
}

test("Node 20: Symbol.asyncDispose exists (no `await using` syntax); disposal, free() and Symbol.dispose end the store", async () => {
  const report = JSON.parse(await run("node", ["runtimes/dispose/node.mjs"], { env: scenarioEnv() }));
  assert.match(report.runtime, /^node v20\./);
  assert.deepEqual([report.hasAsyncDispose, report.hasDispose, report.parsesAwaitUsing], [true, true, false], JSON.stringify(report));
  assertReport(report, "Node 20", ["afterBlock"]);
});

test("Node 22: Symbol.asyncDispose called directly closes the store (Node 22 does not parse `await using`)", async () => {
  const report = JSON.parse(await run(node22, ["runtimes/dispose/node.mjs"], { env: scenarioEnv() }));
  assert.match(report.runtime, /^node v22\./);
  assert.deepEqual([report.hasAsyncDispose, report.hasDispose, report.parsesAwaitUsing], [true, true, false], JSON.stringify(report));
  assertReport(report, "Node 22", ["afterBlock"]);
});

test("Deno 2: `await using` closes the store at the end of the block; `using` frees it", async () => {
  const out = await run(bin("deno"), ["run", "--allow-net", "--allow-read", "--allow-env", "runtimes/dispose/deno.js"], {
    env: { ...scenarioEnv(), DENO_NO_UPDATE_CHECK: "1" },
  });
  const report = JSON.parse(out);
  assert.match(report.runtime, /^deno 2\./);
  assert.equal(report.parsesAwaitUsing, true);
  assertReport(report, "Deno", ["afterBlock", "afterUsingBlock"]);
});

let browser;
after(async () => browser?.close());

test("Chromium: `await using` around the store from pkg/web.js", async () => {
  browser = await launchChromium();
  const site = await serve(root);
  const page = await browser.newPage();
  try {
    await page.goto(`${site.url}/tests/runtimes/browser/index.html`);
    // Passed as source text: this file is parsed by Node 20, which has no `await using`.
    const report = await page.evaluate(`(async () => {
      const { BlobCheckpointStore } = await import("/pkg/web.js");
      const { outcome, everyCall, facts, otherEnds, sent, countCloses } = await import("/tests/runtimes/dispose/checks.js");
      const cfg = ${JSON.stringify({ url: URL_, container, credential: containerSas(container) })};
      const make = () => new BlobCheckpointStore(cfg.url, cfg.container, { credential: cfg.credential });
      const group = ["ns.servicebus.windows.net", "telemetry", "$Default"];
      const count = countCloses(BlobCheckpointStore);
      let kept, inside, underWay;
      {
        await using store = make();
        inside = await outcome(() => store.listCheckpoints(...group));
        underWay = outcome(() => store.listOwnership(...group));
        await sent();
        kept = store;
      }
      return { runtime: navigator.userAgent, ...facts(), inside, underWay: await underWay, closesAtEnd: count.closes,
        afterBlock: await everyCall(kept), ...(await otherEnds(BlobCheckpointStore, make)) };
    })()`);
    assert.equal(report.parsesAwaitUsing, true);
    assertReport(report, "Chromium", ["afterBlock"]);
  } finally {
    await page.close();
    site.close();
  }
});
