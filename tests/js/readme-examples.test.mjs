// The README's runtime examples, run as they stand (only the account URL and the SAS filled in).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
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

test("README EventHubConsumerClient example type-checks with tsc --strict", async () => {
  const dir = join(tests, "types/.readme");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "consumer-client.mjs"), readmeExample("consumer-client"));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, allowJs: true, checkJs: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext", lib: ["es2022", "dom"], types: ["node"] },
    files: ["consumer-client.mjs"],
  }));
  await run(bin("tsc"), ["-p", join(dir, "tsconfig.json")]);
});

test("tsc --strict: BlobCheckpointStore is a CheckpointStore of @azure/event-hubs (tests/types/check.ts)", async () => {
  await run(bin("tsc"), ["-p", join(tests, "types/tsconfig.json")]);
});
