// Bad input, service errors, malformed blobs and long listings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { KEY, URL_, NS, EH, CG, service, newContainer, ownership, checkpoint, assertNoSecret } from "./helpers.mjs";
import { startProxy } from "./proxy.mjs";

const keyCred = { credential: { name: "devstoreaccount1", key: KEY } };

const badOwnerships = [
  ["not an array", { a: 1 }, /^ownerships: must be an array/],
  ["null", null, /^ownerships: must be an array/],
  ["null item", [null], /^ownerships\[0\]: must be an object/],
  ["array item", [[1]], /^ownerships\[0\]: must be an object/],
  ["missing partitionId", [{ ...ownership(0, "a"), partitionId: undefined }], /^ownerships\[0\]\.partitionId: must be a string/],
  ["number partitionId", [ownership(0, "a"), { ...ownership(0, "a"), partitionId: 1 }], /^ownerships\[1\]\.partitionId: must be a string/],
  ["slash", [ownership("a/b", "a")], /^ownerships\[0\]\.partitionId: must not contain '\/'/],
  ["backslash", [ownership("a\\b", "a")], /^ownerships\[0\]\.partitionId/],
  ["dotdot", [ownership("..", "a")], /^ownerships\[0\]\.partitionId/],
  ["dot", [ownership(".", "a")], /^ownerships\[0\]\.partitionId/],
  ["query", [ownership("1?comp=list", "a")], /^ownerships\[0\]\.partitionId/],
  ["fragment", [ownership("1#x", "a")], /^ownerships\[0\]\.partitionId/],
  ["percent", [ownership("%2F", "a")], /^ownerships\[0\]\.partitionId/],
  ["control", [ownership("1\n", "a")], /^ownerships\[0\]\.partitionId/],
  ["empty", [ownership("", "a")], /^ownerships\[0\]\.partitionId: must not be empty/],
  ["10,000 characters", [ownership("x".repeat(10_000), "a")], /^ownerships\[0\]\.partitionId: must be at most/],
  ["bad consumer group", [{ ...ownership(0, "a"), consumerGroup: "../x" }], /^ownerships\[0\]\.consumerGroup/],
  ["bad namespace", [{ ...ownership(0, "a"), fullyQualifiedNamespace: "" }], /^ownerships\[0\]\.fullyQualifiedNamespace/],
  ["bad event hub", [{ ...ownership(0, "a"), eventHubName: "a/b" }], /^ownerships\[0\]\.eventHubName/],
  ["owner not a string", [ownership(0, 7)], /^ownerships\[0\]\.ownerId: must be a string/],
  ["owner with newline", [ownership(0, "a\r\nx-ms-meta-evil: 1")], /^ownerships\[0\]\.ownerId/],
  ["etag not a string", [ownership(0, "a", { etag: 5 })], /^ownerships\[0\]\.etag: must be a string/],
  ["etag star", [ownership(0, "a", { etag: "*" })], /^ownerships\[0\]\.etag/],
];

const badCheckpoints = [
  ["undefined", undefined, /^checkpoint: must be an object/],
  ["array", [checkpoint(0, 1, "1")], /^checkpoint: must be an object/],
  ["string sequence", checkpoint(0, "1", "1"), /^checkpoint\.sequenceNumber: must be an integer/],
  ["NaN", checkpoint(0, NaN, "1"), /^checkpoint\.sequenceNumber: must be a safe integer/],
  ["fraction", checkpoint(0, 1.5, "1"), /^checkpoint\.sequenceNumber: must be a safe integer/],
  ["negative", checkpoint(0, -1, "1"), /^checkpoint\.sequenceNumber: must not be negative/],
  ["unsafe", checkpoint(0, 2 ** 53, "1"), /^checkpoint\.sequenceNumber: must be a safe integer/],
  ["missing offset", checkpoint(0, 1, undefined), /^checkpoint\.offset: must be a string or an integer/],
  ["object offset", checkpoint(0, 1, {}), /^checkpoint\.offset/],
  ["fraction offset", checkpoint(0, 1, 1.25), /^checkpoint\.offset: must be a safe integer/],
  ["empty offset", checkpoint(0, 1, ""), /^checkpoint\.offset: must not be empty/],
  ["control offset", checkpoint(0, 1, "1\u0000"), /^checkpoint\.offset/],
  ["bad partition", checkpoint("../../x", 1, "1"), /^checkpoint\.partitionId/],
];

test("bad input rejects with a TypeError naming the field, before any request, and the store keeps working", async () => {
  const c = await newContainer("badinput");
  const proxy = await startProxy(URL_);
  try {
    const store = new BlobCheckpointStore(proxy.url, c, keyCred);
    for (const [name, value, pattern] of badOwnerships) {
      await assert.rejects(store.claimOwnership(value), (e) => e instanceof TypeError && pattern.test(e.message), name);
    }
    for (const [name, value, pattern] of badCheckpoints) {
      await assert.rejects(store.updateCheckpoint(value), (e) => e instanceof TypeError && pattern.test(e.message), name);
    }
    for (const [args, pattern] of [
      [[undefined, EH, CG], /^fullyQualifiedNamespace: must be a string/],
      [[NS, 5, CG], /^eventHubName: must be a string/],
      [[NS, EH, "a/b"], /^consumerGroup: must not contain/],
      [[NS, EH, CG, 5], /^options: must be an object/],
      [[NS, EH, CG, { abortSignal: {} }], /^options\.abortSignal: must be an AbortSignal/],
    ]) {
      await assert.rejects(store.listOwnership(...args), (e) => e instanceof TypeError && pattern.test(e.message));
      await assert.rejects(store.listCheckpoints(...args), (e) => e instanceof TypeError && pattern.test(e.message));
    }
    assert.equal(proxy.requests.length, 0, "no request was sent for bad input");
    await store.updateCheckpoint(checkpoint(0, 1, "1"));
    assert.equal((await store.claimOwnership([ownership(0, "a")])).length, 1);
  } finally {
    await proxy.close();
  }
});

test("bad constructor arguments throw TypeErrors naming the argument", () => {
  for (const [args, pattern] of [
    [[5, "c-1"], /^blobAccountUrl: must be a string/],
    [["not a url", "c-1", keyCred], /^blobAccountUrl/],
    [["ftp://host/acct", "c-1", keyCred], /^blobAccountUrl: must use http or https/],
    [[URL_, 5, keyCred], /^containerName: must be a string/],
    [[URL_, "Bad_Name", keyCred], /^containerName: must be a container name/],
    [[URL_, "c-1", "options?"], /^options: must be an object/],
    [[URL_, "c-1", { ...keyCred, apiVersion: "latest" }], /^options\.apiVersion/],
    [[URL_, "c-1", { ...keyCred, secondaryHostname: "http://x/y" }], /^options\.secondaryHostname/],
  ]) {
    assert.throws(() => new BlobCheckpointStore(...args), (e) => e instanceof TypeError && pattern.test(e.message), String(args));
  }
  for (const cs of [5, "", "nonsense", "AccountKey=abc", "UseDevelopmentStorage=false"]) {
    assert.throws(() => BlobCheckpointStore.fromConnectionString(cs, "c-1"), (e) => e instanceof TypeError && /^connectionString/.test(e.message), String(cs));
  }
  assert.ok(new BlobCheckpointStore(URL_, "c-1", { ...keyCred, secondaryHostname: "acct-secondary.blob.core.windows.net" }));
});

test("a missing container: claimOwnership, updateCheckpoint and the lists reject with 404 ContainerNotFound", async () => {
  const store = new BlobCheckpointStore(URL_, "no-such-container", keyCred);
  const check = (op, blob) => (e) => {
    assert.equal(e.name, "RestError");
    assert.equal(e.statusCode, 404);
    assert.equal(e.code, "ContainerNotFound");
    assert.equal(typeof e.requestId, "string");
    assert.ok(e.message.startsWith(`${op} failed for 'no-such-container/${blob}`), e.message);
    assertNoSecret(assert, e.message);
    return true;
  };
  await assert.rejects(store.claimOwnership([ownership(0, "a")]), check("claimOwnership", `${NS}/${EH}/$default/ownership/0`));
  await assert.rejects(store.claimOwnership([ownership(0, "a", { etag: '"0x1"' })]), check("claimOwnership", `${NS}/${EH}/$default/ownership/0`));
  await assert.rejects(store.updateCheckpoint(checkpoint(0, 1, "1")), check("updateCheckpoint", `${NS}/${EH}/$default/checkpoint/0`));
  await assert.rejects(store.listOwnership(NS, EH, CG), check("listOwnership", `${NS}/${EH}/$default/ownership/`));
  await assert.rejects(store.listCheckpoints(NS, EH, CG), check("listCheckpoints", `${NS}/${EH}/$default/checkpoint/`));
});

test("a claim that fails for another reason than a lost race rejects the call", async () => {
  const c = await newContainer("claimfail");
  const proxy = await startProxy(URL_, {
    intercept: (req) => (req.url.includes("/ownership/1") ? { status: 500, headers: { "x-ms-error-code": "InternalError" } } : null),
  });
  try {
    const store = new BlobCheckpointStore(proxy.url, c, keyCred);
    await assert.rejects(store.claimOwnership([ownership(0, "a"), ownership(1, "a")]), (e) => e.statusCode === 500 && e.code === "InternalError" && /ownership\/1/.test(e.message));
  } finally {
    await proxy.close();
  }
});

test("malformed metadata written by another client makes the list reject, naming the blob and the property", async () => {
  const c = await newContainer("malformed");
  const cc = service.getContainerClient(c);
  const put = (name, metadata) => cc.getBlockBlobClient(name).upload("", 0, { metadata });
  const store = new BlobCheckpointStore(URL_, c, keyCred);
  const ck = `${NS}/${EH}/$default/checkpoint`;
  const ow = `${NS}/${EH}/$default/ownership`;
  for (const [metadata, pattern] of [
    [{ offset: "1" }, /sequencenumber/],
    [{ sequencenumber: "12abc", offset: "1" }, /sequencenumber/],
    [{ sequencenumber: "99999999999999999999", offset: "1" }, /sequencenumber/],
    [{ sequencenumber: "1" }, /offset/],
  ]) {
    await put(`${ck}/5`, metadata);
    await assert.rejects(store.listCheckpoints(NS, EH, CG), (e) => e.message.includes(`'${c}/${ck}/5'`) && pattern.test(e.message), JSON.stringify(metadata));
  }
  await put(`${ow}/5`, { owner: "x" });
  await assert.rejects(store.listOwnership(NS, EH, CG), (e) => e.message.includes(`'${c}/${ow}/5'`) && /ownerid/.test(e.message));
  // Once fixed, the same store lists them.
  await put(`${ck}/5`, { sequencenumber: "3", offset: "30" });
  await put(`${ow}/5`, { ownerid: "x" });
  assert.deepEqual(await store.listCheckpoints(NS, EH, CG), [checkpoint(5, 3, "30")]);
  assert.equal((await store.listOwnership(NS, EH, CG))[0].ownerId, "x");
});

test("blobs outside the layout (deeper paths, other groups) are not listed", async () => {
  const c = await newContainer("foreign");
  const cc = service.getContainerClient(c);
  await cc.getBlockBlobClient(`${NS}/${EH}/$default/checkpoint/1/extra`).upload("", 0, { metadata: { sequencenumber: "1", offset: "1" } });
  await cc.getBlockBlobClient(`${NS}/${EH}/other/checkpoint/1`).upload("", 0, { metadata: { sequencenumber: "1", offset: "1" } });
  const store = new BlobCheckpointStore(URL_, c, keyCred);
  assert.deepEqual(await store.listCheckpoints(NS, EH, CG), []);
});

test("listCheckpoints follows NextMarker through more than 5,000 checkpoints", async () => {
  const c = await newContainer("many");
  const store = new BlobCheckpointStore(URL_, c, keyCred);
  const n = 5123;
  for (let i = 0; i < n; i += 64) {
    await Promise.all([...Array(Math.min(64, n - i)).keys()].map((j) => store.updateCheckpoint(checkpoint(i + j, i + j, String(10 * (i + j))))));
  }
  const proxy = await startProxy(URL_);
  try {
    const viaProxy = new BlobCheckpointStore(proxy.url, c, keyCred);
    const list = await viaProxy.listCheckpoints(NS, EH, CG);
    assert.equal(list.length, n);
    assert.equal(new Set(list.map((x) => x.partitionId)).size, n);
    for (const x of list) assert.equal(x.offset, String(10 * Number(x.partitionId)));
    assert.equal(proxy.requests.length, 2, "two pages");
    assert.match(proxy.requests[1].url, /&marker=/);
  } finally {
    await proxy.close();
  }
});
