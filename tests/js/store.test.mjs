// The store's behaviour against Azurite, through the packed and installed npm package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { CONN, URL_, KEY, NS, EH, CG, service, newContainer, ownership, checkpoint } from "./helpers.mjs";
import { startProxy } from "./proxy.mjs";

const keyCred = { credential: { name: "devstoreaccount1", key: KEY } };

async function blobsOf(container) {
  const out = [];
  for await (const b of service.getContainerClient(container).listBlobsFlat({ includeMetadata: true })) out.push(b);
  return out;
}

test("the README snippet: fromConnectionString, claim, checkpoint, list", async () => {
  const c = await newContainer("readme");
  const store = BlobCheckpointStore.fromConnectionString(CONN, c);
  const mine = await store.claimOwnership([{ fullyQualifiedNamespace: "ns.servicebus.windows.net",
    eventHubName: "telemetry", consumerGroup: "$Default", partitionId: "0", ownerId: "worker-1" }]);
  assert.equal(mine.length, 1);
  assert.equal(mine[0].ownerId, "worker-1");
  const r = await store.updateCheckpoint({ fullyQualifiedNamespace: "ns.servicebus.windows.net", eventHubName: "telemetry",
    consumerGroup: "$Default", partitionId: "0", sequenceNumber: 42, offset: "4096" });
  assert.equal(r, undefined);
  assert.deepEqual(await store.listCheckpoints(NS, EH, CG), [checkpoint(0, 42, "4096")]);
});

test("blobs are the official SDKs' blobs: lower-cased names, zero-length block blobs, same metadata keys", async () => {
  const c = await newContainer("layout");
  const store = new BlobCheckpointStore(URL_, c, keyCred);
  const o = { fullyQualifiedNamespace: "MyNs.servicebus.windows.net", eventHubName: "Telemetry", consumerGroup: "$Default", partitionId: "Part-7", ownerId: "w" };
  const [won] = await store.claimOwnership([o]);
  await store.updateCheckpoint({ ...o, sequenceNumber: 5, offset: 77 });
  const blobs = await blobsOf(c);
  assert.deepEqual(blobs.map((b) => b.name).sort(), [
    "myns.servicebus.windows.net/telemetry/$default/checkpoint/Part-7",
    "myns.servicebus.windows.net/telemetry/$default/ownership/Part-7",
  ]);
  for (const b of blobs) {
    assert.equal(b.properties.contentLength, 0);
    assert.equal(b.properties.blobType, "BlockBlob");
  }
  assert.deepEqual(blobs.find((b) => b.name.includes("/ownership/")).metadata, { ownerid: "w" });
  assert.deepEqual(blobs.find((b) => b.name.includes("/checkpoint/")).metadata, { sequencenumber: "5", offset: "77" });
  // Results echo the caller's spelling.
  assert.equal(won.fullyQualifiedNamespace, "MyNs.servicebus.windows.net");
  const listed = await store.listOwnership("MyNs.servicebus.windows.net", "Telemetry", "$Default");
  assert.equal(listed[0].eventHubName, "Telemetry");
  assert.equal(listed[0].partitionId, "Part-7");
  // Another spelling of the same names reads the same blobs.
  assert.equal((await store.listOwnership("myns.SERVICEBUS.windows.net", "TELEMETRY", "$default")).length, 1);
});

test("claimOwnership: new claims, renewals with etags, stale etags left out; etags match listOwnership", async () => {
  const c = await newContainer("claim");
  const store = new BlobCheckpointStore(URL_, c, keyCred);
  const first = await store.claimOwnership([0, 1, 2, 3].map((p) => ownership(p, "a")));
  assert.equal(first.length, 4);
  for (const o of first) {
    assert.match(o.etag, /^".+"$/);
    assert.equal(typeof o.lastModifiedTimeInMs, "number");
    assert.ok(Math.abs(o.lastModifiedTimeInMs - Date.now()) < 60_000);
  }
  const listed = await store.listOwnership(NS, EH, CG);
  assert.deepEqual(
    listed.map((o) => [o.partitionId, o.ownerId, o.etag, o.lastModifiedTimeInMs]).sort(),
    first.map((o) => [o.partitionId, o.ownerId, o.etag, o.lastModifiedTimeInMs]).sort(),
  );
  // A second claimer without etags loses every partition: they are held.
  assert.deepEqual(await store.claimOwnership([0, 1].map((p) => ownership(p, "b"))), []);
  // Renewal with the listed etag (quoted or bare) wins and changes the etag.
  const renewed = await store.claimOwnership([
    ownership(0, "a", { etag: first[0].etag }),
    ownership(1, "a", { etag: first[1].etag.replaceAll('"', "") }),
  ]);
  assert.equal(renewed.length, 2);
  assert.notEqual(renewed[0].etag, first[0].etag);
  // The old etag is stale now: that claim is left out, the fresh one wins.
  const mixed = await store.claimOwnership([
    ownership(0, "b", { etag: first[0].etag }),
    ownership(2, "b", { etag: first[2].etag }),
  ]);
  assert.deepEqual(mixed.map((o) => [o.partitionId, o.ownerId]), [["2", "b"]]);
  const byPid = Object.fromEntries((await store.listOwnership(NS, EH, CG)).map((o) => [o.partitionId, o.ownerId]));
  assert.deepEqual(byPid, { 0: "a", 1: "a", 2: "b", 3: "a" });
});

test("claimOwnership: a conditional claim of a deleted blob is lost, not an error", async () => {
  const c = await newContainer("gone");
  const store = new BlobCheckpointStore(URL_, c, keyCred);
  const [o] = await store.claimOwnership([ownership(0, "a")]);
  await service.getContainerClient(c).deleteBlob(`${NS}/${EH}/$default/ownership/0`);
  assert.deepEqual(await store.claimOwnership([ownership(0, "b", { etag: o.etag })]), []);
});

test("claimOwnership: an empty ownerId releases a partition", async () => {
  const c = await newContainer("release");
  const store = new BlobCheckpointStore(URL_, c, keyCred);
  const [o] = await store.claimOwnership([ownership(3, "a")]);
  const [released] = await store.claimOwnership([ownership(3, "", { etag: o.etag })]);
  assert.equal(released.ownerId, "");
  const [listed] = await store.listOwnership(NS, EH, CG);
  assert.equal(listed.ownerId, "");
  assert.equal(listed.etag, released.etag);
});

test("claimOwnership sends all claims of one call concurrently", async () => {
  const c = await newContainer("concurrent");
  const proxy = await startProxy(URL_, { delayMs: 100 });
  try {
    const store = new BlobCheckpointStore(proxy.url, c, keyCred);
    const won = await store.claimOwnership([...Array(8).keys()].map((p) => ownership(p, "a")));
    assert.equal(won.length, 8);
    assert.equal(proxy.maxInFlight, 8, "all 8 claims should be in flight at once");
    const puts = proxy.requests.filter((r) => r.method === "PUT");
    assert.equal(puts.length, 8);
    for (const r of puts) {
      assert.equal(r.headers["if-none-match"], "*");
      assert.equal(r.headers["x-ms-version"], "2019-07-07");
    }
  } finally {
    await proxy.close();
  }
});

test("two stores racing for the same new partitions: exactly one wins each", async () => {
  const c = await newContainer("race");
  const a = new BlobCheckpointStore(URL_, c, keyCred);
  const b = BlobCheckpointStore.fromConnectionString(CONN, c);
  const parts = [...Array(16).keys()];
  const [wa, wb] = await Promise.all([
    a.claimOwnership(parts.map((p) => ownership(p, "a"))),
    b.claimOwnership(parts.map((p) => ownership(p, "b"))),
  ]);
  const winners = [...wa, ...wb].map((o) => o.partitionId).sort((x, y) => x - y);
  assert.deepEqual(winners, parts.map(String));
  const owners = Object.fromEntries((await a.listOwnership(NS, EH, CG)).map((o) => [o.partitionId, o.ownerId]));
  for (const o of wa) assert.equal(owners[o.partitionId], "a");
  for (const o of wb) assert.equal(owners[o.partitionId], "b");
});

test("updateCheckpoint: creates then updates; offsets as strings or integers; 0 is valid", async () => {
  const c = await newContainer("ckpt");
  const store = new BlobCheckpointStore(URL_, c, keyCred);
  await store.updateCheckpoint(checkpoint(0, 0, "0"));
  await store.updateCheckpoint(checkpoint(1, 2 ** 40, 2 ** 45));
  await store.updateCheckpoint(checkpoint(2, 7, "123"));
  await store.updateCheckpoint(checkpoint(2, 8, 456));
  const list = await store.listCheckpoints(NS, EH, CG);
  list.sort((x, y) => x.partitionId - y.partitionId);
  assert.deepEqual(list, [checkpoint(0, 0, "0"), checkpoint(1, 2 ** 40, String(2 ** 45)), checkpoint(2, 8, "456")]);
  assert.equal(typeof list[1].sequenceNumber, "number");
  assert.equal(typeof list[1].offset, "string");
});

test("the documented Python field names are accepted", async () => {
  const c = await newContainer("python");
  const store = new BlobCheckpointStore(URL_, c, keyCred);
  const [o] = await store.claimOwnership([{ fully_qualified_namespace: NS, eventhub_name: EH, consumer_group: CG, partition_id: "0", owner_id: "py" }]);
  assert.equal(o.ownerId, "py");
  assert.equal(o.partitionId, "0");
  const [again] = await store.claimOwnership([{ fully_qualified_namespace: NS, eventhub_name: EH, consumer_group: CG, partition_id: "0", owner_id: "py2", etag: o.etag }]);
  assert.equal(again.ownerId, "py2");
  await store.updateCheckpoint({ fully_qualified_namespace: NS, eventhub_name: EH, consumer_group: CG, partition_id: "0", sequence_number: 9, offset: "90" });
  assert.deepEqual(await store.listCheckpoints(NS, EH, CG), [checkpoint(0, 9, "90")]);
});

test("apiVersion is sent as x-ms-version", async () => {
  const c = await newContainer("apiver");
  const proxy = await startProxy(URL_);
  try {
    const store = new BlobCheckpointStore(proxy.url, c, { ...keyCred, apiVersion: "2021-08-06" });
    await store.listOwnership(NS, EH, CG);
    assert.equal(proxy.requests[0].headers["x-ms-version"], "2021-08-06");
  } finally {
    await proxy.close();
  }
});

test("abortSignal fired by a getter while the arguments are read: the call rejects with AbortError and sends nothing", async () => {
  const c = await newContainer("abortgetter");
  const proxy = await startProxy(URL_);
  try {
    const store = new BlobCheckpointStore(proxy.url, c, keyCred);
    const ac = new AbortController();
    const cp = checkpoint(0, 1, "1");
    Object.defineProperty(cp, "partitionId", { get: () => { ac.abort(); return "0"; }, enumerable: true });
    await assert.rejects(store.updateCheckpoint(cp, { abortSignal: ac.signal }), { name: "AbortError" });
    assert.equal(proxy.requests.length, 0, "nothing is sent after the abort");
  } finally {
    await proxy.close();
  }
});

test("abortSignal: aborted before the call, and during it, rejects with AbortError", async () => {
  const c = await newContainer("abort");
  const proxy = await startProxy(URL_, { delayMs: 2000 });
  try {
    const store = new BlobCheckpointStore(proxy.url, c, keyCred);
    const before = new AbortController();
    before.abort();
    await assert.rejects(store.listCheckpoints(NS, EH, CG, { abortSignal: before.signal }), { name: "AbortError" });
    await assert.rejects(store.claimOwnership([ownership(0, "a")], { abortSignal: before.signal }), { name: "AbortError" });
    assert.equal(proxy.requests.length, 0, "nothing is sent after an abort");
    const during = new AbortController();
    const started = Date.now();
    setTimeout(() => during.abort(), 100);
    await assert.rejects(store.updateCheckpoint(checkpoint(0, 1, "1"), { abortSignal: during.signal }), { name: "AbortError" });
    assert.ok(Date.now() - started < 1500, "the abort ends the wait at once");
    // A custom abort reason still gives an AbortError.
    const custom = new AbortController();
    setTimeout(() => custom.abort(new Error("mine")), 50);
    await assert.rejects(store.listOwnership(NS, EH, CG, { abortSignal: custom.signal }), { name: "AbortError" });
  } finally {
    await proxy.close();
  }
  // The store still works after aborts.
  const store = new BlobCheckpointStore(URL_, c, keyCred);
  assert.deepEqual(await store.listOwnership(NS, EH, CG), []);
});

test("close(): later calls reject with a clear error", async () => {
  const c = await newContainer("close");
  const store = new BlobCheckpointStore(URL_, c, keyCred);
  await store.updateCheckpoint(checkpoint(0, 1, "1"));
  assert.equal(await store.close(), undefined);
  for (const call of [
    () => store.listOwnership(NS, EH, CG),
    () => store.listCheckpoints(NS, EH, CG),
    () => store.claimOwnership([ownership(0, "a")]),
    () => store.updateCheckpoint(checkpoint(0, 2, "2")),
  ]) {
    await assert.rejects(call(), (e) => /closed/i.test(e.message) && e.code === "StoreClosed");
  }
});

test("close(): a call made before it in the same tick finishes; one made after it rejects", async () => {
  const c = await newContainer("closetick");
  const store = new BlobCheckpointStore(URL_, c, keyCred);
  const before = store.updateCheckpoint(checkpoint(0, 7, "70"));
  const closed = store.close();
  // Settled into a value at once: it rejects while `before` is still on the network.
  const after = store.listCheckpoints(NS, EH, CG).then(() => null, (e) => e);
  await before;
  await closed;
  assert.equal((await after)?.code, "StoreClosed");
  assert.deepEqual(await new BlobCheckpointStore(URL_, c, keyCred).listCheckpoints(NS, EH, CG), [checkpoint(0, 7, "70")]);
});
