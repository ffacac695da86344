// Ready to publish: `npm publish --dry-run` in pkg/ lists exactly the files the entries need (the
// closure of package.json's entry points over their imports, plus README, LICENSE and
// package.json), and the package carries the MIT licence its manifests name. npm asks the registry
// during a dry run: it is pointed at a loopback stub that knows no package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { root, run } from "./runtime-tools.mjs";

const pkgDir = join(root, "pkg");

/** Every file reachable from package.json's entry points through relative imports. */
function neededFiles() {
  const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const entries = [];
  const collect = (v) => {
    if (typeof v === "string") entries.push(v);
    else if (v && typeof v === "object") Object.values(v).forEach(collect);
  };
  collect([manifest.main, manifest.browser, manifest.types, manifest.module, manifest.exports]);
  const seen = new Set(["package.json", "README.md", "LICENSE"]);
  const todo = entries.filter((e) => e.startsWith("./")).map((e) => normalize(e));
  while (todo.length) {
    const file = todo.pop();
    if (seen.has(file)) continue;
    assert.ok(existsSync(join(pkgDir, file)), `an entry names ${file}, which pkg/ lacks`);
    seen.add(file);
    if (!/\.(m?js|d\.ts)$/.test(file)) continue;
    const text = readFileSync(join(pkgDir, file), "utf8");
    const specs = [
      ...text.matchAll(/(?:from|import)\s*["'](\.\.?\/[^"']+)["']/g),
      ...text.matchAll(/new URL\(\s*["'](\.\.?\/[^"']+)["']\s*,\s*import\.meta\.url\s*\)/g),
      ...text.matchAll(/@ts-self-types="(\.\.?\/[^"]+)"/g),
    ].map((m) => m[1]);
    for (const spec of specs) {
      let target = normalize(join(dirname(file), spec));
      // A declaration file's "./x.js" is "./x.d.ts".
      if (file.endsWith(".d.ts") && target.endsWith(".js")) target = target.replace(/\.js$/, ".d.ts");
      todo.push(target);
    }
  }
  return [...seen].sort();
}

test("npm publish --dry-run in pkg/ lists exactly the files the entries need", async () => {
  const asked = [];
  const registry = createServer((req, res) => {
    asked.push(`${req.method} ${req.url}`);
    res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
  });
  await new Promise((r) => registry.listen(0, "127.0.0.1", r));
  try {
    const out = await run("npm", ["publish", "--dry-run", "--json", `--registry=http://127.0.0.1:${registry.address().port}/`, "--fetch-retries=0"], { cwd: pkgDir });
    const report = Object.values(JSON.parse(out))[0];
    const listed = report.files.map((f) => f.path).sort();
    assert.deepEqual(listed, neededFiles());
    console.log(`# size: npm package ${report.size} B packed, ${report.unpackedSize} B unpacked, ${listed.length} files: ${listed.join(" ")}`);
  } finally {
    registry.close();
  }
});

test("LICENSE: MIT, as pkg/package.json and Cargo.toml say", () => {
  const license = readFileSync(join(root, "LICENSE"), "utf8");
  assert.match(license, /^MIT License\n\nCopyright \(c\) \d{4} the eventhubs-checkpointstore-blob-wasm authors\n/);
  assert.equal(JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")).license, "MIT");
  assert.match(readFileSync(join(root, "Cargo.toml"), "utf8"), /^license = "MIT"$/m);
  assert.equal(readFileSync(join(pkgDir, "LICENSE"), "utf8"), license, "build_pkg copies LICENSE into pkg/");
});

test("CHANGELOG.md has an entry for the version in pkg/package.json", () => {
  const { version } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const changelog = readFileSync(join(root, "CHANGELOG.md"), "utf8");
  assert.match(changelog, new RegExp(`^## \\[${version.replace(/\./g, "\\.")}\\]`, "m"), `CHANGELOG.md has a "## [${version}]" section`);
});
