// Builds tests/bundlers/app with each bundler's defaults into target/bundlers/<name>/ and measures
// what its page downloads (JS + wasm, each file gzipped -9). Used by tests/js/bundlers.test.mjs
// (which also runs every page in Chromium against Azurite) and callable by the benchmark:
//   import { buildBundlers } from "./tests/bundlers/build.mjs";  const sizes = await buildBundlers();
// or `node tests/bundlers/build.mjs`, which prints the table. Either way the figures are written
// to target/bundlers/sizes.json. Needs pkg/ installed into tests/node_modules (tests/run does it).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, relative } from "node:path";

const here = new URL(".", import.meta.url).pathname;
const root = join(here, "../..");
const bin = (name) => join(root, "tests/node_modules/.bin", name);
export const outRoot = join(root, "target/bundlers");

// A page that loads the bundle, for the bundlers whose entry is the JS file.
const page = (script) => `<!doctype html>\n<meta charset="utf-8">\n<title>loading</title>\n${script}\n`;
const modulePage = page('<script type="module" src="./main.js"></script>');

/**
 * Each bundler: its command as its getting-started guide gives it (only the output folder pointed
 * at target/), the package entry it resolves and why.
 */
export const BUNDLERS = [
  {
    name: "esbuild",
    entry: "inline.js",
    why: "`browser` condition; esbuild copies no `new URL(..., import.meta.url)` asset",
    cmd: (out) => [bin("esbuild"), ["app/main.js", "--bundle", "--format=esm", `--outdir=${out}`, "--log-level=warning"]],
    html: modulePage,
  },
  {
    name: "rollup",
    entry: "inline.js",
    why: "`default` condition (node-resolve adds `browser` only with `browser: true`); Rollup copies no asset",
    cmd: (out) => [bin("rollup"), ["-c", "--dir", out, "--silent"]],
    html: modulePage,
  },
  {
    name: "webpack",
    entry: "inline.js",
    why: "`browser` condition; the same entry for every bundler, so nothing is emitted beside the JS",
    cmd: (out) => [bin("webpack"), ["--mode", "production", "--entry", "./app/main.js", "--output-path", out]],
    html: page('<script src="./main.js"></script>'),
  },
  {
    name: "vite",
    entry: "inline.js",
    why: "`browser` condition (also right for `vite dev`, whose esbuild pre-bundling would lose a separate .wasm)",
    cmd: (out) => [bin("vite"), ["build", "app", "--outDir", out, "--emptyOutDir", "--logLevel", "warn"]],
  },
  {
    name: "parcel",
    entry: "inline.js",
    why: "the `browser` field (Parcel ignores `exports` unless told otherwise)",
    // --no-cache: with its cache, Parcel 2.16 rebuilt into an emptied folder writes nothing; it
    // still writes a cache folder, so that goes to target/ too.
    cmd: (out) => [bin("parcel"), ["build", "app/index.html", "--dist-dir", out, "--no-cache", "--cache-dir", join(outRoot, ".parcel-cache"), "--no-source-maps", "--log-level", "warn"]],
  },
  {
    name: "bun",
    entry: "inline.js",
    why: "`browser` condition; Bun copies no `new URL(..., import.meta.url)` asset",
    cmd: (out) => [bin("bun"), ["build", "app/main.js", "--outdir", out, "--target=browser"]],
    html: modulePage,
    // The `bun` npm package carries its binary in a platform package; say so when it is not there.
    available: () => runCmd(bin("bun"), ["--version"]).then((v) => ({ ok: true, version: v.trim() }), (e) => ({ ok: false, reason: `bun's binary did not install from the registry on this machine (${String(e.message).split("\n")[0]})` })),
  },
];

function runCmd(cmd, args, { cwd = here, timeoutMs = 180_000 } = {}) {
  return new Promise((resolve, reject) => {
    if (!existsSync(cmd)) return reject(new Error(`${cmd} is not installed`));
    const child = spawn(cmd, args, { cwd, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      code === 0 ? resolve(out) : reject(new Error(`${relative(root, cmd)} ${args.join(" ")} exited ${code}\n${out}`));
    });
  });
}

/** Every file under `dir`, as paths relative to it. */
export function filesUnder(dir) {
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => statSync(join(dir, f)).isFile());
}

/** Sizes of what a page of `dir` can download: every .js/.mjs/.wasm file, raw and gzip -9. */
export function measure(dir) {
  const files = {};
  let js = 0;
  let wasm = 0;
  for (const f of filesUnder(dir).filter((f) => /\.(m?js|wasm)$/.test(f)).sort()) {
    const bytes = readFileSync(join(dir, f));
    const gzip = gzipSync(bytes, { level: 9 }).length;
    files[f] = { raw: bytes.length, gzip };
    if (f.endsWith(".wasm")) wasm += gzip;
    else js += gzip;
  }
  return { files, jsGzip: js, wasmGzip: wasm, totalGzip: js + wasm };
}

/** Builds one bundler's app; resolves with { name, dir, sizes } or { name, skipped } (Bun only). */
export async function buildOne(b) {
  const started = Date.now();
  if (b.available) {
    const a = await b.available();
    if (!a.ok) return { name: b.name, entry: b.entry, skipped: a.reason };
  }
  const dir = join(outRoot, b.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const [cmd, args] = b.cmd(dir);
  await runCmd(cmd, args).catch((e) => {
    throw new Error(`${b.name}: the build failed: ${e.message}`);
  });
  if (b.html) writeFileSync(join(dir, "index.html"), b.html);
  const files = filesUnder(dir);
  if (!files.includes("index.html") || !files.some((f) => /\.m?js$/.test(f))) {
    throw new Error(`${b.name}: the build wrote no page or no JS (${files.join(", ") || "nothing"})`);
  }
  return { name: b.name, entry: b.entry, why: b.why, dir, buildMs: Date.now() - started, ...measure(dir) };
}

/** The package's own files, for comparison: the separate wasm and the inline entry. */
export function packageSizes() {
  const pkg = join(root, "tests/node_modules/eventhubs-checkpointstore-blob-wasm");
  const gz = (f) => gzipSync(readFileSync(join(pkg, f)), { level: 9 }).length;
  const glue = gz("wasm/checkpointstore.js") + gz("lifecycle.js");
  return {
    separateWasm: { entry: "web.js", totalGzip: gz("web.js") + glue + gz("wasm/checkpointstore_bg.wasm"), wasmGzip: gz("wasm/checkpointstore_bg.wasm") },
    inline: { entry: "inline.js", totalGzip: gz("inline.js") + glue + gz("wasm/checkpointstore_inline.js") },
  };
}

/** Builds every bundler (two at a time), writes target/bundlers/sizes.json, returns the results. */
export async function buildBundlers({ only } = {}) {
  mkdirSync(outRoot, { recursive: true });
  const todo = BUNDLERS.filter((b) => !only || only.includes(b.name));
  const results = new Array(todo.length);
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const i = next++;
      results[i] = await buildOne(todo[i]).catch((error) => ({ name: todo[i].name, error }));
    }
  };
  await Promise.all([worker(), worker()]);
  const sizes = { measured: new Date().toISOString(), package: packageSizes(), bundlers: {} };
  for (const r of results) {
    sizes.bundlers[r.name] = r.error
      ? { error: String(r.error.message).split("\n")[0] }
      : r.skipped
        ? { entry: r.entry, skipped: r.skipped }
        : { entry: r.entry, why: r.why, jsGzip: r.jsGzip, wasmGzip: r.wasmGzip, totalGzip: r.totalGzip, files: r.files };
  }
  writeFileSync(join(outRoot, "sizes.json"), JSON.stringify(sizes, null, 2) + "\n");
  return results;
}

/** One line per bundler, as the tests and the benchmark print them. */
export function sizeLines(results) {
  return results.map((r) =>
    r.error ? `${r.name}: build failed`
    : r.skipped ? `${r.name}: skipped (${r.skipped})`
    : `${r.name}: ${r.entry}, page downloads ${r.totalGzip} B gzipped (JS ${r.jsGzip} + wasm ${r.wasmGzip}) in ${Object.keys(r.files).length} file(s)`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await buildBundlers();
  for (const line of sizeLines(results)) console.log(line);
  const p = packageSizes();
  console.log(`package alone: web.js + separate wasm ${p.separateWasm.totalGzip} B gzipped; inline.js ${p.inline.totalGzip} B gzipped`);
  if (results.some((r) => r.error)) process.exitCode = 1;
}
