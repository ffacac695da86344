// Retries, time-outs, secondary reads, exact claims under faults: through a fault-injecting
// proxy in front of Azurite.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { KEY, URL_, NS, EH, CG, service, newContainer, ownership, checkpoint, assertNoSecret } from "./helpers.mjs";
import { startProxy, faultSchedule } from "./proxy.mjs";

// Through the fault proxy: a stall (6 s) always outlasts a try's time-out, while a healthy answer
// on a loaded 2-core machine never does (500 ms made these tests fail when the machine was busy).
const faultyLink = { maxRetries: 8, retryDelayInMs: 10, maxRetryDelayInMs: 1500, timeoutInMs: 3000 };
const fast = { maxRetries: 3, retryDelayInMs: 10, maxRetryDelayInMs: 2000, timeoutInMs: 2000 };
const storeVia = (url, container, retryOptions = fast, extra = {}) =>
  new BlobCheckpointStore(url, container, { credential: KEY, retryOptions, ...extra });

/** An intercept that answers the first `n` matching requests with `action`, then forwards. */
function firstN(n, action, match = () => true) {
  let left = n;
  return (req) => (match(req) && left-- > 0 ? (typeof action === "function" ? action(req) : action) : null);
}

async function withProxy(opts, fn) {
  const proxy = await startProxy(URL_, opts);
  try {
    return await fn(proxy);
  } finally {
    await proxy.close();
  }
}

test("retriable statuses are retried until the service answers", async () => {
  const c = await newContainer("retry");
  await storeVia(URL_, c).updateCheckpoint(checkpoint(0, 1, "1"));
  for (const status of [408, 429, 500, 502, 503, 504]) {
    await withProxy({ intercept: firstN(2, { status, headers: { "retry-after": "0" } }) }, async (proxy) => {
      await storeVia(proxy.url, c).updateCheckpoint(checkpoint(0, status, String(status)));
      assert.equal(proxy.requests.length, 3, `status ${status}`);
    });
  }
  assert.deepEqual(await storeVia(URL_, c).listCheckpoints(NS, EH, CG), [checkpoint(0, 504, "504")]);
});

test("other 4xx are never retried", async () => {
  const c = await newContainer("noretry");
  for (const status of [400, 401, 403, 404, 409, 411, 412]) {
    await withProxy({ intercept: () => ({ status, headers: { "x-ms-error-code": `Code${status}` } }) }, async (proxy) => {
      const err = await storeVia(proxy.url, c).listOwnership(NS, EH, CG).then(() => null, (e) => e);
      assert.equal(err?.statusCode, status);
      assert.equal(proxy.requests.length, 1, `status ${status} was retried`);
      assert.doesNotMatch(err.message, /tries/);
    });
  }
});

test("Retry-After (seconds, HTTP date) and x-ms-retry-after-ms are honoured, capped by maxRetryDelayInMs", async () => {
  const c = await newContainer("retryafter");
  const timed = async (intercept, retryOptions = { ...fast, retryDelayInMs: 0 }) =>
    withProxy({ intercept }, async (proxy) => {
      const t = Date.now();
      await storeVia(proxy.url, c, retryOptions).listCheckpoints(NS, EH, CG);
      return Date.now() - t;
    });
  assert.ok((await timed(firstN(1, { status: 429, headers: { "retry-after": "1" } }))) >= 950);
  assert.ok((await timed(firstN(1, { status: 503, headers: { "x-ms-retry-after-ms": "400", "retry-after": "5" } }))) >= 380);
  const date = () => ({ status: 503, headers: { "retry-after": new Date(Date.now() + 2000).toUTCString() } });
  assert.ok((await timed(firstN(1, date))) >= 900);
  const capped = await timed(firstN(1, { status: 429, headers: { "retry-after": "30" } }), { ...fast, maxRetryDelayInMs: 300 });
  assert.ok(capped >= 280 && capped < 5000, `capped wait was ${capped} ms`);
});

test("a try that takes longer than timeoutInMs is abandoned and retried", async () => {
  const c = await newContainer("timeout");
  await withProxy({ intercept: firstN(1, { stallMs: 5000 }) }, async (proxy) => {
    const t = Date.now();
    await storeVia(proxy.url, c, { ...fast, timeoutInMs: 300 }).listCheckpoints(NS, EH, CG);
    assert.ok(Date.now() - t < 3000);
    assert.equal(proxy.requests.length, 2);
  });
  await withProxy({ intercept: () => ({ stallMs: 5000 }) }, async (proxy) => {
    const err = await storeVia(proxy.url, c, { ...fast, maxRetries: 1, timeoutInMs: 200 }).listOwnership(NS, EH, CG).then(() => null, (e) => e);
    assert.equal(err?.name, "RestError");
    assert.equal(err.code, "REQUEST_TIMEOUT");
    assert.match(err.message, /^listOwnership failed for '.*ownership\/': no response after 2 tries \(the last try timed out after 200 ms\)$/);
  });
});

test("every rejection after retries says how many tries were made and the last status", async () => {
  const c = await newContainer("giveup");
  await withProxy({ intercept: () => ({ status: 503, headers: { "x-ms-error-code": "ServerBusy" } }) }, async (proxy) => {
    const err = await storeVia(proxy.url, c, { ...fast, maxRetries: 2 }).updateCheckpoint(checkpoint(0, 1, "1")).then(() => null, (e) => e);
    assert.equal(err.statusCode, 503);
    assert.equal(err.code, "ServerBusy");
    assert.match(err.message, /\(gave up after 3 tries; last status 503\)$/);
    assert.equal(proxy.requests.length, 3);
  });
  await withProxy({ intercept: () => ({ reset: "before" }) }, async (proxy) => {
    const err = await storeVia(proxy.url, c, { ...fast, maxRetries: 2 }).listCheckpoints(NS, EH, CG).then(() => null, (e) => e);
    assert.equal(err.code, "REQUEST_SEND_ERROR");
    assert.equal(err.statusCode, undefined);
    assert.match(err.message, /no response after 3 tries/);
  });
});

test("an abort stops the back-off wait at once", async () => {
  const c = await newContainer("abortwait");
  await withProxy({ intercept: () => ({ status: 503, headers: { "retry-after": "30" } }) }, async (proxy) => {
    const ac = new AbortController();
    const t = Date.now();
    setTimeout(() => ac.abort(), 150);
    const err = await storeVia(proxy.url, c, { ...fast, maxRetryDelayInMs: 60_000 }).listOwnership(NS, EH, CG, { abortSignal: ac.signal }).then(() => null, (e) => e);
    assert.equal(err?.name, "AbortError");
    assert.ok(Date.now() - t < 1000);
    assert.equal(proxy.requests.length, 1, "no retry after the abort");
  });
});

test("an abort in the middle of claimOwnership rejects at once with the claims the service already accepted", async () => {
  const c = await newContainer("abortclaim");
  // Partitions 2 and 3 hang in the proxy; 0 and 1 go through.
  await withProxy({ intercept: (req) => (/\/ownership\/[23](\?|$)/.test(req.url) ? { stallMs: 4000 } : null) }, async (proxy) => {
    const ac = new AbortController();
    const store = storeVia(proxy.url, c, { ...fast, timeoutInMs: 30_000 });
    const call = store.claimOwnership([0, 1, 2, 3].map((p) => ownership(p, "me")), { abortSignal: ac.signal }).then(() => null, (e) => e);
    // Aborted once the two free claims have been answered and the other two are under way.
    while (proxy.requests.length < 4) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    const t = Date.now();
    ac.abort();
    const err = await call;
    assert.ok(Date.now() - t < 1000, "the call rejected at once");
    assert.equal(err?.name, "AbortError");
    assert.deepEqual(err.claimedOwnerships.map((o) => [o.partitionId, o.ownerId]), [["0", "me"], ["1", "me"]]);
    assert.ok(err.claimedOwnerships.every((o) => o.etag), "with their new etags");
    assert.match(err.message, /2 claim\(s\) won/);
  });
  // What the error says is what the service holds.
  const owned = await storeVia(URL_, c).listOwnership(NS, EH, CG);
  assert.deepEqual(owned.map((o) => o.partitionId).sort(), ["0", "1"]);
});

test("secondary host: list calls retry there after a retriable failure; writes never go there", async () => {
  const c = await newContainer("secondary");
  await storeVia(URL_, c).updateCheckpoint(checkpoint(3, 30, "300"));
  const primary = await startProxy(URL_, { intercept: () => ({ status: 503 }) });
  const secondary = await startProxy(URL_);
  try {
    const store = storeVia(primary.url, c, fast, { secondaryHostname: `127.0.0.1:${secondary.port}` });
    assert.deepEqual(await store.listCheckpoints(NS, EH, CG), [checkpoint(3, 30, "300")]);
    assert.equal(primary.requests.length, 1);
    assert.equal(secondary.requests.length, 1);
    await assert.rejects(store.updateCheckpoint(checkpoint(3, 31, "310")), (e) => e.statusCode === 503);
    await assert.rejects(store.claimOwnership([ownership(3, "a")]), (e) => e.statusCode === 503);
    assert.equal(secondary.requests.length, 1, "no write reached the secondary");
    // The same through a connection string's BlobSecondaryEndpoint.
    const fromConn = BlobCheckpointStore.fromConnectionString(
      `AccountName=devstoreaccount1;AccountKey=${KEY};BlobEndpoint=${primary.url};BlobSecondaryEndpoint=${secondary.url}`, c, { retryOptions: fast });
    assert.equal((await fromConn.listCheckpoints(NS, EH, CG)).length, 1);
    assert.equal(secondary.requests.length, 2);
  } finally {
    await primary.close();
    await secondary.close();
  }
});

const isOwnershipPut = (req) => req.method === "PUT" && req.url.includes("/ownership/");

test("a claim whose answer was lost, and whose retry then loses, is resolved by reading the blob", async () => {
  const c = await newContainer("uncertain");
  // Create: applied, answer lost; the retry gets 409; the blob names us: we hold it.
  await withProxy({ intercept: firstN(1, { reset: "after" }, isOwnershipPut) }, async (proxy) => {
    const [won] = await storeVia(proxy.url, c).claimOwnership([ownership(0, "me")]);
    assert.equal(won?.ownerId, "me");
    const [listed] = await storeVia(URL_, c).listOwnership(NS, EH, CG);
    assert.equal(won.etag, listed.etag);
    assert.equal(won.lastModifiedTimeInMs, listed.lastModifiedTimeInMs);
    assert.deepEqual(proxy.requests.map((r) => r.method), ["PUT", "PUT", "HEAD"]);
  });
  // Renewal with an etag: applied, answer lost; the retry gets 412; still ours.
  const [current] = await storeVia(URL_, c).listOwnership(NS, EH, CG);
  await withProxy({ intercept: firstN(1, { reset: "after" }, isOwnershipPut) }, async (proxy) => {
    const [renewed] = await storeVia(proxy.url, c).claimOwnership([ownership(0, "me", { etag: current.etag })]);
    assert.ok(renewed && renewed.etag !== current.etag);
    assert.equal((await storeVia(URL_, c).listOwnership(NS, EH, CG))[0].etag, renewed.etag);
  });
  // Applied, answer lost, and someone else takes the partition before our retry: lost.
  const [mine] = await storeVia(URL_, c).listOwnership(NS, EH, CG);
  const thief = storeVia(URL_, c);
  const steal = async () => {
    const [seen] = await thief.listOwnership(NS, EH, CG);
    assert.equal((await thief.claimOwnership([ownership(0, "thief", { etag: seen.etag })])).length, 1);
  };
  await withProxy({ intercept: firstN(1, { reset: "after", then: steal }, isOwnershipPut) }, async (proxy) => {
    assert.deepEqual(await storeVia(proxy.url, c).claimOwnership([ownership(0, "me", { etag: mine.etag })]), []);
  });
  assert.equal((await thief.listOwnership(NS, EH, CG))[0].ownerId, "thief");
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test("2,000 checkpoint updates over 32 partitions through faults: all resolve, nothing lost", async () => {
  const c = await newContainer("faults");
  const faults = faultSchedule({ seed: 20261124, rate: 0.25, stallMs: 6000 });
  await withProxy({ intercept: faults.decide }, async (proxy) => {
    const store = storeVia(proxy.url, c, faultyLink);
    const last = {};
    const errors = [];
    let updates = 0;
    const started = Date.now();
    // Like a processor: partitions in parallel, each partition's checkpoints in order.
    await Promise.all([...Array(32).keys()].map(async (p) => {
      for (let i = 0; i < Math.floor(2000 / 32) + (p < 2000 % 32 ? 1 : 0); i++) {
        const cp = checkpoint(p, i * 10 + p, String(i * 100 + p));
        await store.updateCheckpoint(cp).catch((e) => errors.push(e));
        last[p] = cp;
        updates++;
      }
    }));
    const seconds = (Date.now() - started) / 1000;
    assert.deepEqual(errors.map((e) => e.message), [], "every update resolved");
    assert.equal(updates, 2000);
    const faulted = faults.total / proxy.requests.length;
    assert.ok(faulted >= 0.2, `only ${(faulted * 100).toFixed(1)}% of requests were faulted`);
    const listed = Object.fromEntries((await storeVia(URL_, c).listCheckpoints(NS, EH, CG)).map((x) => [x.partitionId, x]));
    for (const [p, cp] of Object.entries(last)) assert.deepEqual(listed[p], cp, `partition ${p}`);
    console.log(`# reliability: 2000 updates over 32 partitions, ${proxy.requests.length} requests, ${faults.total} faulted (${(faulted * 100).toFixed(1)}%: ${JSON.stringify(faults.counts)}), 0 lost, ${seconds.toFixed(1)} s`);
  });
});

test("claims through faults never give a partition to two claimants", async () => {
  const c = await newContainer("claimfaults");
  const faults = faultSchedule({ seed: 7, rate: 0.25, stallMs: 6000 });
  await withProxy({ intercept: faults.decide }, async (proxy) => {
    const claimants = ["a", "b", "c", "d"].map((owner) => ({ owner, store: storeVia(proxy.url, c, faultyLink) }));
    const observer = storeVia(URL_, c);
    const wonBy = new Map(); // etag -> owner
    let claims = 0;
    let failedCalls = 0;
    for (let round = 0; round < 12; round++) {
      const listed = await observer.listOwnership(NS, EH, CG);
      const etagOf = Object.fromEntries(listed.map((o) => [o.partitionId, o.etag]));
      // Everyone goes for every partition with what it last saw: at most one may win each.
      const results = await Promise.all(claimants.map(({ owner, store }) =>
        store.claimOwnership([...Array(32).keys()].map((p) => ownership(p, owner, etagOf[p] ? { etag: etagOf[p] } : {})))
          // A claim that fails after every retry rejects the call; what was won is on the error.
          .catch((e) => {
            assert.ok(Array.isArray(e.claimedOwnerships), `a rejection without claimedOwnerships: ${e.message}`);
            failedCalls++;
            return e.claimedOwnerships;
          })));
      const winners = {};
      results.forEach((won, i) => won.forEach((o) => {
        claims++;
        assert.ok(!winners[o.partitionId], `partition ${o.partitionId} won by ${winners[o.partitionId]} and ${claimants[i].owner} in round ${round}`);
        winners[o.partitionId] = claimants[i].owner;
        assert.ok(!wonBy.has(o.etag) || wonBy.get(o.etag) === claimants[i].owner, `etag ${o.etag} returned to two owners`);
        wonBy.set(o.etag, claimants[i].owner);
      }));
      const after = Object.fromEntries((await observer.listOwnership(NS, EH, CG)).map((o) => [o.partitionId, o]));
      for (const [p, owner] of Object.entries(winners)) {
        assert.equal(after[p].ownerId, owner, `round ${round}: partition ${p} is held by ${after[p].ownerId}, the claim went to ${owner}`);
      }
    }
    console.log(`# reliability: 4 claimants x 12 rounds x 32 partitions through ${faults.total} faults: ${claims} claims won, none twice, ${failedCalls} calls rejected after retries`);
  });
});
