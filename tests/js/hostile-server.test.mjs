// The packaged store against servers that misbehave on purpose (tests/js/hostile-server.mjs),
// plus the credential rules and bounded claims against Azurite. Each case asserts what a user
// would notice: the call ends, with a RestError carrying the status, and no secret anywhere.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { KEY, URL_, NS, EH, CG, newContainer, ownership, checkpoint } from "./helpers.mjs";
import { startProxy } from "./proxy.mjs";
import { startHostile, sendPage, everyProperty } from "./hostile-server.mjs";

const PREFIX = `${NS}/${EH}/${CG.toLowerCase()}`;
const fast = { maxRetries: 3, retryDelayInMs: 5, maxRetryDelayInMs: 50, timeoutInMs: 5000 };
// The limits the store documents (src/store.rs).
const MAX_LIST_PAGES = 1000;
const MAX_LISTED_BLOBS = 250_000;
const CLAIM_CONCURRENCY = 64;

async function withServer(handler, fn) {
  const server = await startHostile(handler);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

const keyStore = (url, extra = {}) =>
  new BlobCheckpointStore(url, "hostile", { credential: KEY, retryOptions: fast, ...extra });

async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail("the call resolved; a rejection was expected");
}

test("endless new markers end the listing at the page limit with a RestError", async () => {
  await withServer((req, res, n) => sendPage(res, [], `marker-${n}-${randomBytes(6).toString("hex")}`), async (server) => {
    const t0 = performance.now();
    const err = await rejection(keyStore(server.url).listCheckpoints(NS, EH, CG));
    assert.equal(err.name, "RestError");
    assert.equal(err.statusCode, 200);
    assert.equal(err.code, "ListingLimitExceeded");
    assert.equal(server.requests.length, MAX_LIST_PAGES);
    console.log(`# ${MAX_LIST_PAGES} pages of endless markers ended in ${(performance.now() - t0).toFixed(0)} ms`);
  });
});

test("a marker that repeats, alternating or at once, ends the listing", async () => {
  for (const [markers, pages] of [[["A", "B"], 3], [["A"], 2], [["A", "B", "C", "B"], 4]]) {
    await withServer((req, res, n) => sendPage(res, [`${PREFIX}/ownership/${n}`], markers[(n - 1) % markers.length]), async (server) => {
      const err = await rejection(keyStore(server.url).listOwnership(NS, EH, CG));
      assert.equal(err.name, "RestError");
      assert.equal(err.statusCode, 200);
      assert.equal(err.code, "RepeatedMarker", `${markers}: ${err.message}`);
      assert.equal(server.requests.length, pages, `${markers}`);
    });
  }
});

test("a huge page ends the call with a RestError", async () => {
  // More blobs on one page than a whole listing may hold (bare names keep it to ~7 MB).
  const blobs = Array.from({ length: MAX_LISTED_BLOBS + 1 }, (_, i) => `<Blob><Name>${i}</Name></Blob>`).join("");
  const body = `<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs>${blobs}</Blobs><NextMarker/></EnumerationResults>`;
  await withServer((req, res) => {
    res.writeHead(200, { "content-type": "application/xml" });
    res.end(body);
  }, async (server) => {
    const err = await rejection(keyStore(server.url).listCheckpoints(NS, EH, CG));
    assert.equal(err.name, "RestError", err.message);
    assert.equal(server.requests.length, 1, "not retried");
  });
});

test("redirects are never followed: a RestError with the status, and the target receives nothing", async () => {
  await withServer((req, res) => res.writeHead(200).end(), async (elsewhere) => {
    for (const status of [302, 307]) {
      await withServer((req, res) => {
        res.writeHead(status, { location: `${elsewhere.origin}${req.url}`, "x-ms-request-id": "redirect" });
        res.end();
      }, async (server) => {
        const store = keyStore(server.url);
        const calls = {
          listOwnership: () => store.listOwnership(NS, EH, CG),
          listCheckpoints: () => store.listCheckpoints(NS, EH, CG),
          claimOwnership: () => store.claimOwnership([ownership(0, "me")]),
          updateCheckpoint: () => store.updateCheckpoint(checkpoint(0, 1, "1")),
        };
        for (const [name, call] of Object.entries(calls)) {
          const before = server.requests.length;
          const err = await rejection(call());
          assert.equal(err.name, "RestError", name);
          assert.equal(err.statusCode, status, name);
          assert.equal(err.code, "UnexpectedRedirect", name);
          assert.equal(server.requests.length - before, 1, `${name}: a redirect is not retried`);
        }
      });
    }
    assert.equal(elsewhere.requests.length, 0, "the redirect target received a request");
  });
});

test("absurd Retry-After values wait at most maxRetryDelayInMs; the call ends", async () => {
  const retryOptions = { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 60, timeoutInMs: 5000 };
  for (const headers of [
    { "retry-after": "1000000000000" },
    { "retry-after": "99999999999999999999" },
    { "x-ms-retry-after-ms": "99999999999999999999" },
    { "retry-after": "Fri, 31 Dec 9999 23:59:59 GMT" },
  ]) {
    await withServer((req, res) => res.writeHead(503, { "x-ms-error-code": "ServerBusy", ...headers }).end(), async (server) => {
      const err = await rejection(keyStore(server.url, { retryOptions }).listCheckpoints(NS, EH, CG));
      assert.equal(err.name, "RestError");
      assert.equal(err.statusCode, 503);
      assert.equal(server.requests.length, 3, JSON.stringify(headers));
      const gaps = server.requests.slice(1).map((r, i) => r.at - server.requests[i].at);
      // A timer that wrapped would fire at once; a capped one waits maxRetryDelayInMs.
      for (const g of gaps) assert.ok(g >= 50 && g < 3000, `${JSON.stringify(headers)}: waited ${g} ms`);
    });
  }
});

test("retryOptions above the longest timer hosts accept are refused with a TypeError naming the option", () => {
  for (const [name, value] of [["timeoutInMs", 2 ** 31], ["maxRetryDelayInMs", 1e12], ["retryDelayInMs", 2 ** 32]]) {
    assert.throws(
      () => new BlobCheckpointStore(URL_, "hostile", { credential: KEY, retryOptions: { [name]: value } }),
      (e) => e instanceof TypeError && e.message.includes(`retryOptions.${name}`),
      name,
    );
  }
  new BlobCheckpointStore(URL_, "hostile", { credential: KEY, retryOptions: { timeoutInMs: 2 ** 31 - 1, maxRetryDelayInMs: 2 ** 31 - 1 } });
});

test("errors that echo secrets into the body, the code and the request id reach the caller scrubbed", async () => {
  const rawSig = randomBytes(32).toString("base64"); // has + / =
  const encSig = encodeURIComponent(rawSig);
  const sas = `sv=2020-08-04&ss=b&srt=sco&sp=rwdlac&se=2099-01-01T00:00:00Z&sig=${encSig}`;
  const key = randomBytes(64).toString("base64");
  const token = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"; // letters only: no heuristic sees it
  const secrets = [rawSig, encSig, key, token];
  const echo = secrets.join(" ");
  await withServer((req, res) => {
    res.writeHead(403, { "x-ms-error-code": `AuthenticationFailed ${echo}`, "x-ms-request-id": echo, "content-type": "application/xml" });
    res.end(`<?xml version="1.0"?><Error><Code>${echo}</Code><Message>Server failed to authenticate ${echo}\nString to sign ${echo}</Message></Error>`);
  }, async (server) => {
    const opts = { retryOptions: fast };
    // Each store knows its own secret; the server echoes all of them to every store.
    const stores = {
      "SAS credential": [new BlobCheckpointStore(server.url, "hostile", { credential: sas, ...opts }), [rawSig, encSig]],
      "SAS in the URL": [new BlobCheckpointStore(`${server.url}?${sas}`, "hostile", opts), [rawSig, encSig]],
      "account key": [new BlobCheckpointStore(server.url, "hostile", { credential: key, ...opts }), [key]],
      "bearer token over loopback http": [new BlobCheckpointStore(server.url, "hostile", {
        credential: { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) },
        ...opts,
      }), [token]],
    };
    for (const [kind, [store, known]] of Object.entries(stores)) {
      for (const [name, call] of Object.entries({
        listOwnership: () => store.listOwnership(NS, EH, CG),
        claimOwnership: () => store.claimOwnership([ownership(0, "me"), ownership(1, "me")]),
        updateCheckpoint: () => store.updateCheckpoint(checkpoint(0, 1, "1")),
      })) {
        const err = await rejection(call());
        assert.equal(err.name, "RestError", `${kind} ${name}`);
        assert.equal(err.statusCode, 403);
        for (const prop of everyProperty(err)) {
          for (const s of known) assert.ok(!prop.includes(s), `${kind} ${name}: a secret in ${prop}`);
        }
      }
    }
    const auth = server.requests.map((r) => r.headers.authorization).filter((a) => a?.startsWith("Bearer"));
    assert.ok(auth.length > 0 && auth.every((a) => a === `Bearer ${token}`), "the bearer store did send its token over loopback");
  });
});

test("a token credential over plain http to a remote host is refused at construction, before any request", () => {
  let asked = 0;
  const credential = { getToken: async () => { asked++; return { token: "t".repeat(40), expiresOnTimestamp: Date.now() + 3600_000 }; } };
  for (const url of ["http://acct.blob.core.invalid", "http://acct.blob.core.invalid/devstoreaccount1", "HTTP://10.1.2.3:10000/devstoreaccount1"]) {
    assert.throws(
      () => new BlobCheckpointStore(url, "hostile", { credential }),
      (e) => e instanceof TypeError && /Bearer token authentication is not permitted for non-TLS protected \(non-https\) URLs/.test(e.message),
      url,
    );
  }
  // The secondary is reached over the primary's scheme: over http it must be loopback too.
  assert.throws(
    () => new BlobCheckpointStore(URL_, "hostile", { credential, secondaryHostname: "acct-secondary.blob.core.invalid" }),
    (e) => e instanceof TypeError && e.message.startsWith("options.secondaryHostname"),
  );
  new BlobCheckpointStore("https://acct.blob.core.invalid", "hostile", { credential, secondaryHostname: "acct-secondary.blob.core.invalid" });
  assert.equal(asked, 0, "getToken was called");
});

test("a token credential over loopback http (the emulator) still works", async () => {
  const token = "loopback-token-".padEnd(48, "x");
  await withServer((req, res) => sendPage(res, [`${PREFIX}/ownership/0`]), async (server) => {
    for (const url of [server.url, server.url.replace("127.0.0.1", "localhost")]) {
      const store = new BlobCheckpointStore(url, "hostile", {
        credential: { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) },
      });
      const list = await store.listOwnership(NS, EH, CG);
      assert.equal(list.length, 1);
    }
    assert.ok(server.requests.every((r) => r.headers.authorization === `Bearer ${token}`));
  });
});

test("2,000 claims against Azurite go out at most 64 at a time and all win", async () => {
  const c = await newContainer("claims2k");
  const proxy = await startProxy(URL_);
  try {
    const store = new BlobCheckpointStore(proxy.url, c, { credential: KEY });
    const t0 = performance.now();
    const won = await store.claimOwnership(Array.from({ length: 2000 }, (_, i) => ownership(i, "me")));
    console.log(`# 2,000 claims: ${(performance.now() - t0).toFixed(0)} ms, at most ${proxy.maxInFlight} in flight`);
    assert.equal(won.length, 2000);
    assert.ok(proxy.maxInFlight <= CLAIM_CONCURRENCY, `${proxy.maxInFlight} in flight`);
    assert.ok(proxy.maxInFlight > 1, "claims went out one by one");
    assert.deepEqual(won.map((o) => o.partitionId), Array.from({ length: 2000 }, (_, i) => String(i)));
  } finally {
    await proxy.close();
  }
});

test("a claim call that fails part-way names exactly the ownerships it won, with etags that work", async () => {
  const c = await newContainer("partial");
  const failing = new Set(["700", "701", "702"]);
  const proxy = await startProxy(URL_, {
    intercept: (req) => {
      const id = decodeURIComponent(req.url.split("?")[0].split("/").pop());
      return req.method === "PUT" && failing.has(id) ? { status: 500, headers: { "x-ms-error-code": "InternalError" } } : null;
    },
  });
  try {
    const store = new BlobCheckpointStore(proxy.url, c, { credential: KEY, retryOptions: { maxRetries: 0 } });
    const err = await rejection(store.claimOwnership(Array.from({ length: 1500 }, (_, i) => ownership(i, "me"))));
    assert.equal(err.name, "RestError");
    assert.equal(err.statusCode, 500);
    assert.ok(Array.isArray(err.claimedOwnerships), "claimedOwnerships is an array");
    assert.match(err.message, /not sent/);
    const claimed = err.claimedOwnerships;
    assert.ok(claimed.length > 0 && claimed.length < 1500, `${claimed.length} claimed`);
    // Exactly what the service holds for us: same partitions, same etags.
    const direct = new BlobCheckpointStore(URL_, c, { credential: KEY });
    const held = (await direct.listOwnership(NS, EH, CG)).filter((o) => o.ownerId === "me");
    const byId = (l) => Object.fromEntries(l.map((o) => [o.partitionId, o.etag]));
    assert.deepEqual(byId(claimed), byId(held));
    for (const id of failing) assert.ok(!(id in byId(claimed)));
    // No request for claims after the failure beyond those already in flight.
    assert.ok(proxy.requests.length < 1500, `${proxy.requests.length} requests`);
    // The etags work: the caller can hand the partitions on (or release them).
    const again = await direct.claimOwnership(claimed.map((o) => ({ ...o, ownerId: "next" })));
    assert.equal(again.length, claimed.length);
  } finally {
    await proxy.close();
  }
});
