// One package, every runtime: the same scenario in Node (import and require), Deno (from
// node_modules and by a relative path), Cloudflare Workers (wrangler dev, local workerd) and
// Chromium (native ESM and a Vite bundle), each against this run's Azurite. No skipping: a
// runtime that cannot run the scenario fails.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { readFileSync, readdirSync, statSync, rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, extname, normalize } from "node:path";
import { chromium } from "playwright-core";
import { URL_, newContainer, containerSas, KEY } from "./helpers.mjs";

const root = new URL("../../", import.meta.url).pathname;
const tests = join(root, "tests");
const bin = (name) => join(tests, "node_modules/.bin", name);
// wrangler 4 needs Node 22; the tests install it from npm (the `node` package).
const node22 = bin("node");
const EXPECTED_STEPS = ["claimed 4", "renewed 4", "stale claim left out", "checkpointed 4", "listed owners", "aborted 2"];

let container;
before(async () => {
  container = await newContainer("runtimes");
});

function run(cmd, args, { env = {}, cwd = tests, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(" ")} exited ${code}\n${out}\n${err}`));
    });
  });
}

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

/** Starts `wrangler dev` in `dir` and resolves with its URL and a stop function. */
async function wranglerDev(dir, extraArgs = []) {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(node22, [join(tests, "node_modules/wrangler/bin/wrangler.js"), "dev", "--ip", "127.0.0.1", "--port", String(port), ...extraArgs], {
    cwd: dir,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const deadline = Date.now() + 60_000;
  while (!/Ready on/.test(log)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`wrangler dev did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    log: () => log,
    stop: () => new Promise((r) => { child.once("close", r); child.kill("SIGTERM"); }),
  };
}

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
  await run(node22, [join(tests, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", out], {
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

const MIME = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };
function serve(dir) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(dir, path.endsWith("/") ? path + "index.html" : path);
    try {
      if (!file.startsWith(dir) || !statSync(file).isFile()) throw new Error("no");
      res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" });
      res.end(readFileSync(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((r) => server.listen(0, "127.0.0.1", () => r({ url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() })));
}

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
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

test("Chromium: an app bundled by Vite", async () => {
  const outDir = join(root, "target/vite-dist");
  execFileSync("node", [bin("vite"), "build", "--logLevel", "error", "--outDir", outDir, "--emptyOutDir"], { cwd: join(tests, "runtimes/vite"), stdio: "pipe" });
  assert.ok(readdirSync(join(outDir, "assets")).some((f) => f.endsWith(".wasm")), "Vite emitted the wasm as an asset");
  const site = await serve(outDir);
  try {
    await inPage(`${site.url}/`, "browser-vite");
  } finally {
    site.close();
  }
});
