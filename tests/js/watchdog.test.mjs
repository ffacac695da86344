// The README's watchdog: a Cloudflare Worker on a cron trigger that inspects a consumer group and
// POSTs the findings to a webhook. Run as written (tests/runtimes/watchdog is the README's text)
// under `wrangler dev --test-scheduled`, with a local webhook receiver.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFileSync, writeFileSync, rmSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { URL_, KEY, NS, EH, service, newContainer, containerSas, readmeExample } from "./helpers.mjs";
import { root, tests, wranglerDev } from "./runtime-tools.mjs";

const dir = join(tests, "runtimes/watchdog");

test("the README's watchdog is the Worker in tests/runtimes/watchdog", () => {
  assert.equal(readFileSync(join(dir, "src/index.js"), "utf8"), readmeExample("watchdog"));
  assert.equal(readFileSync(join(dir, "wrangler.toml"), "utf8"), readmeExample("watchdog-config"));
});

/** A webhook receiver on a free loopback port that keeps what is posted to it. */
async function webhook() {
  const posts = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      posts.push({ method: req.method, path: req.url, contentType: req.headers["content-type"], body: JSON.parse(body) });
      res.end("ok");
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}/hook`, posts, close: () => new Promise((r) => server.close(r)) };
}

test("under wrangler dev, the cron posts nothing for a healthy group and the findings once there are some", async () => {
  const c = await newContainer("watchdog");
  const store = new BlobCheckpointStore(URL_, c, { credential: KEY });
  const cg = "$Default"; // the group in the example's wrangler.toml, with its namespace and event hub
  const own = (p, ownerId) => ({ fullyQualifiedNamespace: NS, eventHubName: EH, consumerGroup: cg, partitionId: String(p), ownerId });
  await store.claimOwnership([own(0, "a"), own(1, "b"), own(2, "a"), own(3, "b")]);
  for (const p of [0, 1, 2, 3]) {
    await store.updateCheckpoint({ ...own(p, ""), sequenceNumber: 10 + p, offset: String(100 * p) });
  }

  const hook = await webhook();
  // The [vars] that point at this run's Azurite, and the two secrets, as `wrangler dev` reads them.
  mkdirSync(join(root, "target"), { recursive: true });
  const envFile = join(root, "target/watchdog.env");
  writeFileSync(envFile, [
    `STORAGE_ACCOUNT_URL="${URL_}"`,
    `CONTAINER="${c}"`,
    `STORAGE_SAS="${containerSas(c, { permissions: "rl" })}"`,
    `WEBHOOK_URL="${hook.url}"`,
  ].join("\n") + "\n");
  const dev = await wranglerDev(dir, ["--test-scheduled", "--env-file", envFile]);
  try {
    const cron = async () => {
      const res = await fetch(`${dev.url}/__scheduled?cron=*/5+*+*+*+*`);
      assert.equal(res.status, 200, `${await res.text()}\n${dev.log()}`);
    };
    await cron();
    assert.deepEqual(hook.posts, [], "a healthy group: nothing posted");

    // Findings appear: an unreadable ownership, a .NET 5.11 checkpoint, a stray note.
    const cc = service.getContainerClient(c);
    const pfx = `${NS}/${EH}/$default/`;
    await cc.getBlockBlobClient(`${pfx}ownership/4`).upload("", 0, { metadata: { owner: "x" } });
    await store.claimOwnership([own(5, "b")]);
    await cc.getBlockBlobClient(`${pfx}checkpoint/5`).upload("", 0, { metadata: { sequencenumber: "7", offset: "" } });
    await cc.getBlockBlobClient(`${pfx}notes.txt`).upload("", 0);
    await cron();
    assert.equal(hook.posts.length, 1, dev.log());
    const [post] = hook.posts;
    assert.equal(post.method, "POST");
    assert.equal(post.contentType, "application/json");
    assert.equal(post.body.group, `${NS}/${EH}/${cg}`);
    assert.ok(!Number.isNaN(Date.parse(post.body.at)));
    assert.deepEqual(post.body.findings.map((f) => [f.code, f.partitionId ?? f.blob]), [
      ["UnreadableBlob", "4"],
      ["CheckpointWithoutOffset", "5"],
      ["StrayBlob", `${pfx}notes.txt`],
    ]);
    for (const f of post.body.findings) assert.ok(f.message && f.action, JSON.stringify(f));
  } finally {
    await dev.stop();
    await hook.close();
    rmSync(envFile, { force: true });
  }
});
