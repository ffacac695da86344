// The README's runtime examples, run as they stand (only the account URL and the SAS filled in).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { readFileSync } from "node:fs";
import { URL_, CONN, KEY, NS, EH, CG, service, containerSas, checkpoint, readmeExample } from "./helpers.mjs";
import { tests, bin, run, wranglerDev, serve, launchChromium } from "./runtime-tools.mjs";

// The examples use the container "checkpoints"; one Azurite per tests/run keeps it private.
const container = "checkpoints";
let store;
before(async () => {
  await service.getContainerClient(container).createIfNotExists();
  store = new BlobCheckpointStore(URL_, container, { credential: KEY });
});

test("README Worker example: the cron trigger records a checkpoint (wrangler dev --test-scheduled)", async () => {
  const dir = join(tests, "runtimes/readme-worker");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "wrangler.toml"), readmeExample("wrangler.toml"));
  writeFileSync(join(dir, "src/index.js"), readmeExample("worker"));
  // Local values of the [vars] and the secret, as `wrangler dev` reads them.
  writeFileSync(join(dir, ".dev.vars"), `STORAGE_ACCOUNT_URL="${URL_}"\nSTORAGE_SAS="${containerSas(container)}"\n`);
  const dev = await wranglerDev(dir, ["--test-scheduled"]);
  try {
    const started = Date.now();
    const res = await fetch(`${dev.url}/__scheduled?cron=*/5+*+*+*+*`);
    assert.equal(res.status, 200, `${await res.text()}\n${dev.log()}`);
    const [cp] = (await store.listCheckpoints(NS, EH, CG)).filter((c) => c.partitionId === "0");
    assert.ok(cp, "the Worker wrote the checkpoint");
    assert.ok(Math.abs(cp.sequenceNumber - started / 1000) < 120, JSON.stringify(cp));
  } finally {
    await dev.stop();
  }
});

test("README Deno example lists the checkpoints", async () => {
  await store.updateCheckpoint(checkpoint(7, 70, "700"));
  const file = join(tests, ".readme-deno.js");
  writeFileSync(file, readmeExample("deno"));
  const out = await run(bin("deno"), ["run", "--allow-net", "--allow-env", "--allow-read", file], {
    env: { STORAGE_CONNECTION_STRING: CONN, DENO_NO_UPDATE_CHECK: "1" },
  });
  assert.ok(JSON.parse(out).some((c) => c.partitionId === "7" && c.sequenceNumber === 70 && c.offset === "700"), out);
});

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => browser?.close());

test("README browser example shows the checkpoints on a static page", async () => {
  await store.updateCheckpoint(checkpoint(8, 80, "800"));
  const html = readmeExample("browser")
    .replace(/const accountUrl = ".*?";/, `const accountUrl = ${JSON.stringify(URL_)};`)
    .replace(/const sas = ".*?";/, `const sas = ${JSON.stringify(containerSas(container, { permissions: "rl" }))};`);
  assert.ok(!html.includes("myaccount"), "placeholders replaced");
  writeFileSync(join(tests, ".readme-browser.html"), html);
  const site = await serve(tests);
  const page = await browser.newPage();
  try {
    await page.goto(`${site.url}/.readme-browser.html`);
    await page.waitForFunction(() => document.body?.textContent.startsWith("["), null, { timeout: 20_000 });
    const shown = JSON.parse(await page.evaluate(() => document.body.textContent));
    assert.ok(shown.some((c) => c.partitionId === "8" && c.sequenceNumber === 80 && c.offset === "800"), JSON.stringify(shown));
  } finally {
    await page.close();
    site.close();
  }
});

test("tsc --strict: BlobCheckpointStore is a CheckpointStore of @azure/event-hubs (tests/types/check.ts), and a disposable (dispose.ts)", async () => {
  await Promise.all(["tsconfig.json", "tsconfig.dispose.json"].map((c) => run(bin("tsc"), ["-p", join(tests, "types", c)])));
});

// Every JS example of the README (a page's module script included) and every option its API
// section documents, compiled against the package's index.d.ts: an option the README names but the
// types lack, or an example the types reject, fails here. The examples are JavaScript, so they are
// checked as a JS user's editor checks them (checkJs, not strict: `process.env.X` may be undefined
// there); the strict checks of the types are tests/types/*.ts.
const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

/** Names and fence languages of the README's `<!-- example: NAME -->` blocks. */
function readmeExamples() {
  return [...README.matchAll(/<!-- example: (\S+)[^>]*-->\s*```([a-z]*)\n/g)].map((m) => ({ name: m[1], lang: m[2] }));
}

/** A TypeScript file asserting that index.d.ts declares what the README's API section documents. */
function documentedOptionsTs() {
  const opts = README.match(/new BlobCheckpointStore\(blobAccountUrl, containerName, options\?\)`, options\s+`\{([^}`]*)\}`/);
  assert.ok(opts, "README's API section lists the constructor's options as `{ a?, b? }`");
  const names = opts[1].split(",").map((n) => n.trim().replace(/\?$/, "")).filter(Boolean);
  const retry = README.match(/`retryOptions`[\s\S]{0,120}?defaults\s+`(\{[^`]*\})`/);
  assert.ok(retry, "README documents retryOptions' defaults as an object literal");
  const credentialBullet = README.match(/\n- `credential`:([\s\S]*?)\n- /);
  assert.ok(credentialBullet, "README's API section has a `credential` bullet");
  // The object forms, each followed by the SDK class it stands for: `{ signature }` (AzureSasCredential).
  const forms = [...credentialBullet[1].matchAll(/`\{ ([\w, ]+) \}`\s+\(\w+/g)].map((m) => m[1].split(",").map((k) => k.trim()));
  assert.ok(forms.length >= 3, `credential forms found: ${JSON.stringify(forms)}`);
  const lines = [
    `import type { BlobCheckpointStoreOptions, StoreCredential } from "eventhubs-checkpointstore-blob-wasm";`,
    `// The options README.md documents: ${names.join(", ")}`,
    `type Documented = ${names.map((n) => JSON.stringify(n)).join(" | ")};`,
    `type Undeclared = Exclude<Documented, keyof BlobCheckpointStoreOptions>;`,
    `export const everyOptionDeclared: [Undeclared] extends [never] ? true : { undeclared: Undeclared } = true;`,
    `// retryOptions with the README's defaults, as written there (an undeclared name is an excess property)`,
    `export const retryOptions: NonNullable<BlobCheckpointStoreOptions["retryOptions"]> = ${retry[1]};`,
    ...forms.map((keys, i) => `export const credential${i}: StoreCredential = { ${keys.map((k) => `${k}: "x"`).join(", ")} };`),
    `export const options: BlobCheckpointStoreOptions = { credential: credential0, retryOptions };`,
  ];
  return lines.join("\n") + "\n";
}

test("every README example and documented option type-checks against index.d.ts (tsc, checkJs)", async () => {
  const dir = join(tests, "types/.readme");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = [];
  const examples = readmeExamples();
  assert.ok(examples.length >= 5, `README examples found: ${examples.map((e) => e.name)}`);
  for (const { name, lang } of examples) {
    let code = readmeExample(name);
    if (lang === "html") {
      const scripts = [...code.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)].map((m) => m[1]);
      assert.ok(scripts.length > 0, `the ${name} example has a module script`);
      code = scripts.join("\n");
      // Its import is relative to a page beside node_modules: the file goes where that holds.
      const file = join(tests, `.readme-${name}.mjs`);
      writeFileSync(file, code);
      files.push(file);
      continue;
    }
    if (lang !== "js") continue;
    const file = join(dir, `${name}.mjs`);
    writeFileSync(file, code + "\nexport {};\n");
    files.push(file);
  }
  const optionsFile = join(dir, "options.ts");
  writeFileSync(optionsFile, documentedOptionsTs());
  files.push(optionsFile, join(tests, "types/readme-globals.d.ts"));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: { noEmit: true, allowJs: true, checkJs: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext", lib: ["es2022", "dom"], types: ["node"] },
    files,
  }));
  await run(bin("tsc"), ["-p", join(dir, "tsconfig.json")]).catch((e) => {
    throw new Error(`README examples or options do not type-check against index.d.ts:\n${e.message}`);
  });
});
