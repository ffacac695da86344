// The package in a browser app built by each common bundler with only its getting-started
// configuration (tests/bundlers/build.mjs): served as static files, run in Chromium against this
// run's Azurite. A failed build, a page error, a missing asset, or an emitted .js/.wasm file the
// page never loads fails the bundler's test, by name. Bun skips (and says why) only when its
// binary did not install from the registry. Prints what each page downloads, gzipped.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { URL_, newContainer, containerSas } from "./helpers.mjs";
import { serve, launchChromium } from "./runtime-tools.mjs";
import { BUNDLERS, buildBundlers, filesUnder, sizeLines, packageSizes } from "../bundlers/build.mjs";

const EXPECTED_STEPS = ["claimed 4", "renewed 4", "stale claim left out", "checkpointed 4", "listed owners", "aborted 2"];

let container;
let browser;
let built;
before(async () => {
  [container, browser, built] = await Promise.all([newContainer("bundlers"), launchChromium(), buildBundlers()]);
});
after(async () => {
  await browser?.close();
  if (!built) return;
  for (const line of sizeLines(built)) console.log(`# size: ${line}`);
  const p = packageSizes();
  console.log(`# size: for comparison, web.js with the separate .wasm: ${p.separateWasm.totalGzip} B gzipped (written to target/bundlers/sizes.json)`);
});

for (const { name } of BUNDLERS) {
  test(`${name}: the bundled app works in Chromium, loading every file it emitted and nothing missing`, async (t) => {
    const r = built.find((b) => b.name === name);
    if (r.skipped) {
      t.skip(`${name}: ${r.skipped}`);
      console.log(`# ${name} SKIPPED: ${r.skipped}`);
      return;
    }
    if (r.error) throw r.error;
    const site = await serve(r.dir);
    const page = await browser.newPage();
    const problems = [];
    const loaded = new Set();
    page.on("pageerror", (e) => problems.push(`page error: ${e}`));
    // Failed loads are judged by their responses below (Azurite's 412 and 404 answers are by design).
    page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && problems.push(`console error: ${m.text()}`));
    page.on("requestfailed", (q) => q.url().startsWith(site.url) && problems.push(`request failed: ${q.url()}`));
    page.on("response", (res) => {
      if (!res.url().startsWith(site.url) || res.url().endsWith("/favicon.ico")) return;
      if (res.status() >= 400) problems.push(`missing asset: ${res.status()} ${res.url()}`);
      else loaded.add(decodeURIComponent(new URL(res.url()).pathname.slice(1)) || "index.html");
    });
    try {
      await page.goto(`${site.url}/`);
      // Ready, or failed: a page error ends the wait at once.
      const failed = new Promise((resolve) => page.once("pageerror", resolve));
      const ready = page.waitForFunction(() => document.title === "ready", null, { timeout: 30_000 }).then(() => true, () => false);
      if (!(await Promise.race([ready, failed.then(() => false)]))) {
        await new Promise((r) => setTimeout(r, 200)); // the failed request's own events
        throw new Error(`${name}: the page did not load: ${problems.join("; ") || "no error reported"}`);
      }
      const cfg = { url: URL_, container, credential: containerSas(container), runtime: `browser-${name}` };
      const report = await page.evaluate((c) => window.runScenario(c).catch((e) => ({ ok: false, error: String(e) })), cfg);
      assert.equal(report.ok, true, `${name}: ${JSON.stringify(report)}`);
      assert.deepEqual(report.steps, EXPECTED_STEPS, name);
      assert.deepEqual(problems, [], `${name}: ${problems.join("; ")}`);
      const unused = filesUnder(r.dir).filter((f) => /\.(m?js|wasm)$/.test(f) && !loaded.has(f));
      assert.deepEqual(unused, [], `${name} emitted files the page never loads: ${unused.join(", ")}`);
      assert.ok(r.totalGzip > 0, `${name}: measured ${r.totalGzip} B`);
    } finally {
      await page.close();
      site.close();
    }
  });
}
