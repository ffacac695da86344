// Every credential form and connection string form, against Azurite.
import { test } from "node:test";
import assert from "node:assert/strict";
import { StorageSharedKeyCredential } from "@azure/storage-blob";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { ACCOUNT, KEY, URL_, NS, EH, CG, newContainer, ownership, checkpoint, accountSas, containerSas, assertNoSecret } from "./helpers.mjs";
import { startProxy } from "./proxy.mjs";

/** Proves a store can write and read: claim, checkpoint, list both. */
async function roundTrip(store, pid = "0") {
  const [o] = await store.claimOwnership([ownership(pid, "w")]);
  assert.ok(o?.etag, "claim won");
  await store.updateCheckpoint(checkpoint(pid, 1, "10"));
  assert.ok((await store.listOwnership(NS, EH, CG)).some((x) => x.partitionId === pid));
  assert.ok((await store.listCheckpoints(NS, EH, CG)).some((x) => x.partitionId === pid));
}

test("account key: as a string, { name, key }, { accountName, accountKey } and StorageSharedKeyCredential", async () => {
  const c = await newContainer("key");
  await roundTrip(new BlobCheckpointStore(URL_, c, { credential: KEY }), "0");
  await roundTrip(new BlobCheckpointStore(URL_, c, { credential: { name: ACCOUNT, key: KEY } }), "1");
  await roundTrip(new BlobCheckpointStore(URL_, c, { credential: { accountName: ACCOUNT, accountKey: KEY } }), "2");
  await roundTrip(new BlobCheckpointStore(URL_, c, { credential: new StorageSharedKeyCredential(ACCOUNT, KEY) }), "3");
});

test("SAS: account SAS and container SAS, with and without '?', as { signature }, and inside the URL", async () => {
  const c = await newContainer("sas");
  const acct = accountSas();
  const cont = containerSas(c);
  await roundTrip(new BlobCheckpointStore(URL_, c, { credential: acct }), "0");
  await roundTrip(new BlobCheckpointStore(URL_, c, { credential: "?" + cont }), "1");
  await roundTrip(new BlobCheckpointStore(URL_, c, { credential: { signature: cont } }), "2");
  await roundTrip(new BlobCheckpointStore(`${URL_}?${acct}`, c), "3");
  await roundTrip(new BlobCheckpointStore(`${URL_}/?${cont}`, c), "4");
});

test("connection strings: account key, BlobEndpoint + SAS, secondary endpoint; the options' credential wins", async () => {
  const c = await newContainer("conn");
  await roundTrip(BlobCheckpointStore.fromConnectionString(
    `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=${URL_};`, c), "0");
  await roundTrip(BlobCheckpointStore.fromConnectionString(
    `BlobEndpoint=${URL_};SharedAccessSignature=${containerSas(c)}`, c), "1");
  await roundTrip(BlobCheckpointStore.fromConnectionString(
    `AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=${URL_};BlobSecondaryEndpoint=http://127.0.0.1:1/${ACCOUNT}-secondary`, c), "2");
  const wrongKey = Buffer.alloc(64, 7).toString("base64");
  await roundTrip(BlobCheckpointStore.fromConnectionString(
    `AccountName=${ACCOUNT};AccountKey=${wrongKey};BlobEndpoint=${URL_}`, c, { credential: KEY }), "3");
  // The same connection string without the override fails with 403.
  const bad = BlobCheckpointStore.fromConnectionString(`AccountName=${ACCOUNT};AccountKey=${wrongKey};BlobEndpoint=${URL_}`, c);
  await assert.rejects(bad.listOwnership(NS, EH, CG), (e) => e.name === "RestError" && e.statusCode === 403);
});

test("UseDevelopmentStorage=true talks to 127.0.0.1:10000/devstoreaccount1", async () => {
  // A proxy on the emulator's well-known port forwards to this run's Azurite.
  let proxy;
  try {
    proxy = await startProxy(URL_, { port: 10000 });
  } catch (e) {
    assert.fail(`port 10000 must be free for this test (${e.code})`);
  }
  try {
    const c = await newContainer("devstorage");
    await roundTrip(BlobCheckpointStore.fromConnectionString("UseDevelopmentStorage=true", c));
    assert.ok(proxy.requests.length >= 4);
    assert.ok(proxy.requests.every((r) => r.url.startsWith(`/devstoreaccount1/${c}`)));
  } finally {
    await proxy.close();
  }
});

test("TokenCredential: asks for the storage scope, sends a bearer token, reuses it until shortly before expiry", async () => {
  const c = await newContainer("token");
  const proxy = await startProxy(URL_, { intercept: () => ({ status: 200, headers: { "content-type": "application/xml" }, body: "<EnumerationResults><Blobs/></EnumerationResults>" }) });
  try {
    const calls = [];
    let expires = Date.now() + 3600_000;
    const credential = {
      async getToken(scopes, options) {
        calls.push({ scopes, options });
        return { token: `tok-${calls.length}`, expiresOnTimestamp: expires };
      },
    };
    const store = new BlobCheckpointStore(proxy.url, c, { credential });
    await store.listOwnership(NS, EH, CG);
    await store.listCheckpoints(NS, EH, CG);
    assert.equal(calls.length, 1, "the token is reused while valid");
    assert.deepEqual(calls[0].scopes, ["https://storage.azure.com/.default"]);
    assert.equal(proxy.requests[0].headers.authorization, "Bearer tok-1");
    assert.equal(proxy.requests[1].headers.authorization, "Bearer tok-1");
    assert.ok(!proxy.requests[0].url.includes("sig="));
    expires = Date.now() + 30_000; // the next token is about to expire: not reused
    store.close();
    const store2 = new BlobCheckpointStore(proxy.url, c, { credential });
    await store2.listOwnership(NS, EH, CG);
    await store2.listOwnership(NS, EH, CG);
    assert.equal(calls.length, 3);
    assert.equal(proxy.requests.at(-1).headers.authorization, "Bearer tok-3");
  } finally {
    await proxy.close();
  }
});

test("TokenCredential failures reject clearly and leak no token", async () => {
  const c = await newContainer("tokenbad");
  const throwing = new BlobCheckpointStore(URL_, c, { credential: { getToken: async () => { throw new Error("no identity available"); } } });
  await assert.rejects(throwing.listOwnership(NS, EH, CG), (e) => e.name === "RestError" && /getToken failed: Error: no identity available/.test(e.message));
  for (const garbage of [null, 42, {}, { token: 5, expiresOnTimestamp: 1 }, { token: "t" }, { token: "", expiresOnTimestamp: Date.now() + 1e6 }]) {
    const store = new BlobCheckpointStore(URL_, c, { credential: { getToken: async () => garbage } });
    await assert.rejects(store.listOwnership(NS, EH, CG), (e) => e instanceof TypeError && /credential\.getToken/.test(e.message), JSON.stringify(garbage));
  }
});

test("a wrong key, an expired SAS and a SAS without rights give 403 RestErrors without the secret", async () => {
  const c = await newContainer("denied");
  const wrongKey = Buffer.alloc(64, 9).toString("base64");
  const expired = containerSas(c, { expiresInMs: -120_000 });
  const readOnly = containerSas(c, { permissions: "rl" });
  const sig = (sas) => decodeURIComponent(new URLSearchParams(sas).get("sig"));
  const cases = [
    [new BlobCheckpointStore(URL_, c, { credential: wrongKey }), [wrongKey]],
    [new BlobCheckpointStore(URL_, c, { credential: expired }), [sig(expired), new URLSearchParams(expired).get("sig")]],
    [new BlobCheckpointStore(`${URL_}?${expired}`, c), [sig(expired)]],
    [new BlobCheckpointStore(URL_, c, { credential: readOnly }), [sig(readOnly)]],
  ];
  for (const [store, secrets] of cases) {
    const err = await store.updateCheckpoint(checkpoint(0, 1, "1")).then(() => null, (e) => e);
    assert.ok(err, "rejected");
    assert.equal(err.name, "RestError");
    assert.equal(err.statusCode, 403);
    assert.match(err.code, /^Authentication|^Authorization/);
    assert.match(err.message, /updateCheckpoint failed for '.*\/checkpoint\/0'/);
    assertNoSecret(assert, err.message + err.stack + JSON.stringify(err), secrets);
  }
});

test("no credential needs a SAS in the URL; credential values are checked up front", () => {
  assert.throws(() => new BlobCheckpointStore(URL_, "c-1"), (e) => e instanceof TypeError && /options\.credential/.test(e.message));
  for (const bad of [42, true, [], { foo: 1 }, { name: ACCOUNT }, { name: ACCOUNT, key: 5 }, { signature: "nosig" }, "not a key!", { accountName: ACCOUNT, accountKey: "%%%" }]) {
    assert.throws(() => new BlobCheckpointStore(URL_, "c-1", { credential: bad }), (e) => e instanceof TypeError && /options\.credential/.test(e.message), JSON.stringify(bad));
  }
  assert.throws(() => new BlobCheckpointStore(URL_, "c-1", { credential: "not base64 SECRETVALUE" }), (e) => !e.message.includes("SECRETVALUE"));
});

test("an abort while getToken never settles rejects at once, and getToken was handed a signal that fired", async () => {
  let given;
  const credential = { getToken: (_scopes, options) => { given = options?.abortSignal; return new Promise(() => {}); } };
  const store = new BlobCheckpointStore(URL_, "never", { credential });
  for (const call of [(o) => store.listOwnership(NS, EH, CG, o), (o) => store.claimOwnership([ownership(0, "w")], o)]) {
    const ac = new AbortController();
    const t = Date.now();
    setTimeout(() => ac.abort(), 100);
    const err = await call({ abortSignal: ac.signal }).then(() => null, (e) => e);
    assert.equal(err?.name, "AbortError");
    assert.ok(Date.now() - t < 1000, "rejected at once");
    assert.equal(given?.aborted, true, "getToken's signal fired");
  }
});
