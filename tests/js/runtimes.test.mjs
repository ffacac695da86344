// One package, every runtime: the same scenario in Node (import and require), Deno (from
// node_modules and by a relative path), Cloudflare Workers (wrangler dev, local workerd) and
// Chromium (native ESM; the bundlers are in bundlers.test.mjs), each against this run's Azurite.
// No skipping: a runtime that cannot run the scenario fails.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { URL_, newContainer, containerSas, KEY } from "./helpers.mjs";
import { root, tests, bin, node22, wranglerJs, run, wranglerDev, serve, launchChromium } from "./runtime-tools.mjs";
const EXPECTED_STEPS = ["claimed 4", "renewed 4", "stale claim left out", "checkpointed 4", "listed owners", "aborted 2"];

let container;
before(async () => {
  container = await newContainer("runtimes");
});

function assertReport(report, runtime) {
  assert.equal(report.ok, true, JSON.stringify(report));
  assert.equal(report.runtime, runtime);
  assert.deepEqual(report.steps, EXPECTED_STEPS);
}

const scenarioEnv = (credential) => ({ SCENARIO: JSON.stringify({ url: URL_, container, credential }) });

test("Node 20: import and require", async () => {
  const [viaImport, viaRequire] = JSON.parse(await run("node", ["runtimes/node-esm.mjs"], { env: scenarioEnv(KEY) }));
  assertReport(viaImport, "node-import");
  assertReport(viaRequire, "node-require");
});

test("Deno 2: the package from node_modules, and pkg/ by a relative path", async () => {
  const deno = (script) => run(bin("deno"), ["run", "--allow-net", "--allow-read", "--allow-env", script], { env: { ...scenarioEnv(containerSas(container)), DENO_NO_UPDATE_CHECK: "1" } });
  assertReport(JSON.parse(await deno("runtimes/deno/from-node-modules.js")), "deno-node-modules");
  assertReport(JSON.parse(await deno("runtimes/deno/from-relative-path.js")), "deno-relative");
});

test("Cloudflare Workers: a plain Worker bundled by wrangler, run by wrangler dev (workerd)", async () => {
  const dev = await wranglerDev(join(tests, "runtimes/worker"));
  try {
    const res = await fetch(dev.url, { method: "POST", body: JSON.stringify({ url: URL_, container, credential: containerSas(container) }) });
    const report = await res.json();
    assertReport(report, "workerd");
  } finally {
    await dev.stop();
  }
});

test("what a Worker uploads: wrangler's bundle, gzipped", async () => {
  const out = join(root, "target/worker-bundle");
  rmSync(out, { recursive: true, force: true });
  await run(node22, [wranglerJs, "deploy", "--dry-run", "--outdir", out], {
    cwd: join(tests, "runtimes/worker"),
    env: { WRANGLER_SEND_METRICS: "false", CI: "true" },
  });
  const files = readdirSync(out).filter((f) => /\.(js|mjs|wasm)$/.test(f));
  assert.ok(files.some((f) => f.endsWith(".wasm")), `the wasm is uploaded as a module: ${files}`);
  let raw = 0;
  let gz = 0;
  for (const f of files) {
    const bytes = readFileSync(join(out, f));
    raw += bytes.length;
    gz += gzipSync(bytes, { level: 9 }).length;
  }
  const pkgGz = ["checkpointstore_bg.wasm", "checkpointstore.js"]
    .map((f) => gzipSync(readFileSync(join(root, "pkg/wasm", f)), { level: 9 }).length)
    .reduce((a, b) => a + b);
  console.log(`# size: package wasm + JS glue ${pkgGz} bytes gzipped; Worker upload (scenario worker included) ${raw} bytes, ${gz} gzipped`);
});

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => browser?.close());

async function inPage(pageUrl, runtime) {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  try {
    await page.goto(pageUrl);
    await page.waitForFunction(() => document.title === "ready", null, { timeout: 20_000 }).catch(() => {
      throw new Error(`page did not load: ${errors.join("; ")}`);
    });
    const cfg = { url: URL_, container, credential: containerSas(container) };
    const report = await page.evaluate((c) => window.runScenario(c).catch((e) => ({ ok: false, error: String(e) })), cfg);
    assertReport(report, runtime);
  } finally {
    await page.close();
  }
}

test("Chromium: native ESM from a static page", async () => {
  const site = await serve(root);
  try {
    await inPage(`${site.url}/tests/runtimes/browser/index.html`, "browser-native-esm");
  } finally {
    site.close();
  }
});
