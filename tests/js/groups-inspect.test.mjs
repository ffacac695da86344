// listConsumerGroups and inspect against Azurite: one planted consumer group per finding code, a
// healthy group without findings, clock skew through a proxy whose storage clock runs apart, paging
// of the folder walk, and bad options.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { URL_, KEY, NS, EH, service, newContainer, containerSas, assertNoSecret } from "./helpers.mjs";
import { startProxy } from "./proxy.mjs";
import { join } from "node:path";
import { tests, bin, run } from "./runtime-tools.mjs";

const cred = { credential: KEY };
const prefixOf = (cg) => `${NS}/${EH}/${cg.toLowerCase()}/`;
const own = (cg, partitionId, ownerId, extra = {}) => ({ fullyQualifiedNamespace: NS, eventHubName: EH, consumerGroup: cg, partitionId: String(partitionId), ownerId, ...extra });
const cp = (cg, partitionId, sequenceNumber, offset) => ({ fullyQualifiedNamespace: NS, eventHubName: EH, consumerGroup: cg, partitionId: String(partitionId), sequenceNumber, offset });
const codes = (inspection) => inspection.findings.map((f) => [f.code, f.partitionId ?? null]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const RUST_PREFIX = "NS.ServiceBus.Windows.Net/Telemetry/CaseVariant/";

/**
 * A proxy to Azurite whose storage account's clock is `shiftMs` off: the `Date` and
 * `Last-Modified` headers and the `<Last-Modified>` of listings are shifted alike, as they would
 * be on a server with that clock.
 */
async function startShiftedClock(targetUrl, shiftMs) {
  const target = new URL(targetUrl);
  const shift = (d) => new Date(Date.parse(d) + shiftMs).toUTCString();
  const server = http.createServer((req, res) => {
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      const chunks = [];
      r.on("data", (c) => chunks.push(c));
      r.on("end", () => {
        const headers = { ...r.headers };
        for (const h of ["date", "last-modified"]) if (headers[h]) headers[h] = shift(headers[h]);
        const body = Buffer.from(Buffer.concat(chunks).toString("utf8").replace(/<Last-Modified>([^<]*)<\/Last-Modified>/g, (_, d) => `<Last-Modified>${shift(d)}</Last-Modified>`));
        delete headers["transfer-encoding"];
        if (req.method !== "HEAD") headers["content-length"] = String(body.length);
        res.writeHead(r.statusCode, headers);
        res.end(body);
      });
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}${target.pathname}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}

let container;
let store;
const results = {};
before(async () => {
  container = await newContainer("inspect");
  store = new BlobCheckpointStore(URL_, container, cred);
  const cc = service.getContainerClient(container);
  const plant = (name, metadata) => cc.getBlockBlobClient(name).upload("", 0, { metadata });

  // Written first, then left to age past the short thresholds these groups are inspected with.
  await store.updateCheckpoint(cp("stalled", 0, 10, "100"));
  await store.claimOwnership([own("expired", 0, "gone")]);
  await store.updateCheckpoint(cp("unowned", 0, 10, "100"));
  const [held] = await store.claimOwnership([own("unowned", 1, "leaver")]);
  await store.claimOwnership([{ ...held, ownerId: "" }]); // released, as JS and Python do
  await sleep(2500); // Last-Modified has a resolution of one second

  await store.claimOwnership([own("stalled", 0, "busy")]); // renewed, checkpoint not moving
  // A healthy demo group: 16 partitions shared 6/5/5 by three processors, fresh checkpoints.
  const owners = ["processor-1", "processor-2", "processor-3"];
  await store.claimOwnership([...Array(16).keys()].map((p) => own("healthy", p, owners[p % 3])));
  await Promise.all([...Array(16).keys()].map((p) => store.updateCheckpoint(cp("healthy", p, 1000 + p, String(4096 * p)))));
  await store.claimOwnership([0, 1, 2, 3].map((p) => own("imbalance", p, "a")).concat([own("imbalance", 4, "b")]));
  await store.claimOwnership([own("nooffset", 0, "a"), own("nooffset", 1, "a")]);
  await plant(`${prefixOf("nooffset")}checkpoint/0`, { sequencenumber: "5", offset: "" }); // .NET 5.11
  await plant(`${prefixOf("nooffset")}checkpoint/1`, { sequencenumber: "6", offset: "no offset" }); // later .NET
  await plant(`${prefixOf("unreadable")}ownership/0`, { owner: "x" });
  await store.updateCheckpoint(cp("unreadable", 0, 3, "30"));
  await store.claimOwnership([own("unreadable", 1, "a")]);
  await store.claimOwnership([own("stray", 0, "a")]);
  await plant(`${prefixOf("stray")}notes.txt`, {});
  await store.claimOwnership([own("CaseVariant", 0, "a")]);
  await plant(`${RUST_PREFIX}ownership/0`, { ownerid: "rust-1" }); // the Rust SDK keeps the case

  const short = { ownershipExpiryMs: 1000 };
  results.healthy = await store.inspect(NS, EH, "healthy");
  results.unowned = await store.inspect(NS, EH, "unowned", short);
  results.expired = await store.inspect(NS, EH, "expired", short);
  results.imbalance = await store.inspect(NS, EH, "imbalance");
  results.stalled = await store.inspect(NS, EH, "stalled", { stallThresholdMs: 1000 });
  results.nooffset = await store.inspect(NS, EH, "nooffset");
  results.unreadable = await store.inspect(NS, EH, "unreadable");
  results.stray = await store.inspect(NS, EH, "stray");
  results.casevariant = await store.inspect(NS, EH, "CaseVariant");
});

test("a healthy group has no findings, and every partition shows", () => {
  const h = results.healthy;
  assert.deepEqual(h.findings, []);
  assert.equal(h.partitions.length, 16);
  assert.deepEqual(h.partitions.map((p) => p.partitionId), [...Array(16).keys()].map(String), "numeric order");
  assert.deepEqual(h.owners, [{ ownerId: "processor-1", partitions: 6 }, { ownerId: "processor-2", partitions: 5 }, { ownerId: "processor-3", partitions: 5 }]);
  const p = h.partitions[5];
  assert.equal(p.ownerId, "processor-3");
  assert.equal(p.expired, false);
  assert.match(p.ownershipEtag, /^"0x[0-9A-F]+"$/);
  assert.deepEqual(Object.keys(p.checkpoint).sort(), ["lastModifiedTimeInMs", "offset", "sequenceNumber"]);
  assert.equal(p.checkpoint.sequenceNumber, 1005);
  assert.equal(p.checkpoint.offset, "20480");
  assert.ok(Math.abs(p.checkpoint.lastModifiedTimeInMs - Date.now()) < 60_000);
  assert.equal(h.consumerGroup, "healthy");
  assert.equal(h.ownershipExpiryMs, 60_000);
  assert.equal(h.stallThresholdMs, 300_000);
  assert.equal(typeof h.serverTimeMs, "number", "the Date header reaches the core");
  assert.ok(Math.abs(h.clockSkewMs) < 5_000, String(h.clockSkewMs));
  assert.ok(Math.abs(h.inspectedAtMs - Date.now()) < 60_000);
});

test("UnownedPartition: a checkpoint without an owner, and a partition released long ago", () => {
  assert.deepEqual(codes(results.unowned), [["UnownedPartition", "0"], ["UnownedPartition", "1"]]);
  const [p0, p1] = results.unowned.partitions;
  assert.equal("ownerId" in p0, false, "no ownership blob: ownerId absent");
  assert.equal(p1.ownerId, "", "released");
  assert.equal(p1.expired, false);
  for (const f of results.unowned.findings) assert.ok(f.message.length > 20 && f.action.length > 20);
});

test("ExpiredOwnership: an owner that stopped renewing, nobody took over", () => {
  assert.deepEqual(codes(results.expired), [["ExpiredOwnership", "0"]]);
  assert.equal(results.expired.findings[0].ownerId, "gone");
  assert.equal(results.expired.partitions[0].expired, true);
  assert.deepEqual(results.expired.owners, [], "only live owners are listed");
  assert.equal(results.expired.ownershipExpiryMs, 1000);
});

test("Imbalance: owners more than one partition apart", () => {
  assert.deepEqual(codes(results.imbalance), [["Imbalance", null]]);
  assert.equal(results.imbalance.findings[0].ownerId, "a");
  assert.match(results.imbalance.findings[0].message, /'a' holds 4, 'b' 1/);
});

test("StalledCheckpoint: owned and renewed, checkpoint not moving", () => {
  assert.deepEqual(codes(results.stalled), [["StalledCheckpoint", "0"]]);
  assert.equal(results.stalled.findings[0].ownerId, "busy");
});

test("CheckpointWithoutOffset: .NET 5.11's empty offset and the 'no offset' placeholder", () => {
  assert.deepEqual(codes(results.nooffset), [["CheckpointWithoutOffset", "0"], ["CheckpointWithoutOffset", "1"]]);
  assert.deepEqual(results.nooffset.partitions.map((p) => [p.checkpoint.sequenceNumber, p.checkpoint.offset]), [[5, ""], [6, "no offset"]]);
  assert.match(results.nooffset.findings[0].action, /sequence number/);
});

test("UnreadableBlob: a finding that names the blob, and the rest of the group shows", async () => {
  assert.deepEqual(codes(results.unreadable), [["UnreadableBlob", "0"]]);
  const f = results.unreadable.findings[0];
  assert.equal(f.blob, `${prefixOf("unreadable")}ownership/0`);
  assert.match(f.message, /ownerid/);
  const [p0, p1] = results.unreadable.partitions;
  assert.equal(p0.checkpoint.sequenceNumber, 3);
  assert.equal(p1.ownerId, "a");
  // The list itself still rejects, naming the blob.
  await assert.rejects(store.listOwnership(NS, EH, "unreadable"), (e) => e.code === "InvalidBlobMetadata" && e.message.includes(f.blob));
});

test("StrayBlob: a blob under the group that is not a partition blob", () => {
  assert.deepEqual(codes(results.stray), [["StrayBlob", null]]);
  assert.equal(results.stray.findings[0].blob, `${prefixOf("stray")}notes.txt`);
});

test("CaseVariantPrefix: the same group under a mixed-case prefix", () => {
  assert.deepEqual(codes(results.casevariant), [["CaseVariantPrefix", null]]);
  assert.equal(results.casevariant.findings[0].blob, RUST_PREFIX);
  assert.equal(results.casevariant.consumerGroup, "CaseVariant", "the caller's spelling");
});

test("ClockSkew: a storage account whose clock runs 10 minutes apart; ages are still judged by its clock", async () => {
  for (const [shiftMs, word] of [[-600_000, "ahead of"], [600_000, "behind"]]) {
    const proxy = await startShiftedClock(URL_, shiftMs);
    try {
      const skewed = new BlobCheckpointStore(proxy.url, container, cred);
      const i = await skewed.inspect(NS, EH, "healthy");
      assert.deepEqual(codes(i), [["ClockSkew", null]], JSON.stringify(i.findings));
      assert.ok(Math.abs(i.clockSkewMs + shiftMs) < 5_000, String(i.clockSkewMs));
      assert.match(i.findings[0].message, new RegExp(`10 min ${word}`));
      assert.ok(i.partitions.every((p) => !p.expired), "renewals judged by the storage account's clock");
      // A threshold above the skew finds nothing.
      const strict = await skewed.inspect(NS, EH, "healthy", { clockSkewThresholdMs: 1_000_000 });
      assert.deepEqual(strict.findings, []);
    } finally {
      await proxy.close();
    }
  }
});

test("listConsumerGroups: every group with blobs, names as stored", async () => {
  const groups = await store.listConsumerGroups();
  const names = groups.map((g) => `${g.fullyQualifiedNamespace}/${g.eventHubName}/${g.consumerGroup}`);
  assert.deepEqual(names, [
    "NS.ServiceBus.Windows.Net/Telemetry/CaseVariant",
    ...["casevariant", "expired", "healthy", "imbalance", "nooffset", "stalled", "stray", "unowned", "unreadable"].map((cg) => `${NS}/${EH}/${cg}`),
  ]);
  assert.deepEqual(Object.keys(groups[0]).sort(), ["consumerGroup", "eventHubName", "fullyQualifiedNamespace"]);
});

test("listConsumerGroups follows every page of every folder", async () => {
  const c = await newContainer("many-groups");
  const s = new BlobCheckpointStore(URL_, c, cred);
  const planted = [];
  for (const ns of ["a.servicebus.windows.net", "b.servicebus.windows.net", "c.servicebus.windows.net"]) {
    for (const eh of ["eh1", "eh2", "eh3"]) {
      for (const cg of ["$default", "cg1", "cg2"]) planted.push(`${ns}/${eh}/${cg}`);
    }
  }
  await Promise.all(planted.map((g) => {
    const [fullyQualifiedNamespace, eventHubName, consumerGroup] = g.split("/");
    return s.updateCheckpoint({ fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId: "0", sequenceNumber: 1, offset: "1" });
  }));
  // Pages of two entries: a SAS does not sign the query, so the proxy may add maxresults.
  const proxy = await startProxy(URL_, {
    intercept: (req) => {
      req.url += "&maxresults=2";
      return null;
    },
  });
  try {
    const viaProxy = new BlobCheckpointStore(proxy.url, c, { credential: containerSas(c) });
    const groups = await viaProxy.listConsumerGroups();
    assert.deepEqual(groups.map((g) => `${g.fullyQualifiedNamespace}/${g.eventHubName}/${g.consumerGroup}`), planted.sort());
    // 1 + 3 + 9 folders listed, each in two pages.
    assert.equal(proxy.requests.length, 26);
    assert.ok(proxy.requests.every((r) => /delimiter=%2F/.test(r.url)));
  } finally {
    await proxy.close();
  }
});

test("bad arguments and options reject with a TypeError naming them, before any request", async () => {
  const proxy = await startProxy(URL_);
  try {
    const s = new BlobCheckpointStore(proxy.url, container, cred);
    for (const [i, [args, pattern]] of [
      [[NS, EH, "a/b"], /^consumerGroup: /],
      [[NS, 5, "cg"], /^eventHubName: must be a string/],
      [[NS, EH, "cg", { ownershipExpiryMs: -1 }], /^options\.ownershipExpiryMs: /],
      [[NS, EH, "cg", { stallThresholdMs: "5" }], /^options\.stallThresholdMs: must be a number/],
      [[NS, EH, "cg", { clockSkewThresholdMs: Infinity }], /^options\.clockSkewThresholdMs: /],
      [[NS, EH, "cg", 7], /^options: must be an object/],
    ].entries()) {
      await assert.rejects(s.inspect(...args), (e) => e instanceof TypeError && pattern.test(e.message), `case ${i}`);
    }
    // A getter that throws rejects the call with the caller's own error, unchanged.
    const boom = new Error("boom");
    await assert.rejects(s.inspect(NS, EH, "cg", { get ownershipExpiryMs() { throw boom; } }), (e) => e === boom);
    await assert.rejects(s.listConsumerGroups(5), TypeError);
    assert.equal(proxy.requests.length, 0);
  } finally {
    await proxy.close();
  }
});

test("inspect and listConsumerGroups errors name the operation and carry no secret", async () => {
  const s = new BlobCheckpointStore(URL_, "no-such-container", cred);
  for (const call of [() => s.inspect(NS, EH, "cg"), () => s.listConsumerGroups()]) {
    await assert.rejects(call(), (e) => {
      assert.equal(e.statusCode, 404);
      assert.equal(e.code, "ContainerNotFound");
      assert.match(e.message, /^(inspect|listConsumerGroups) failed for 'no-such-container\//);
      assertNoSecret(assert, e.message);
      return true;
    });
  }
  const aborted = AbortSignal.abort();
  await assert.rejects(store.inspect(NS, EH, "healthy", { abortSignal: aborted }), { name: "AbortError" });
  await assert.rejects(store.listConsumerGroups({ abortSignal: aborted }), { name: "AbortError" });
});

test("tsc --strict: the types of listConsumerGroups and inspect (tests/types/groups.ts)", async () => {
  await run(bin("tsc"), ["-p", join(tests, "types/groups.tsconfig.json")]);
});
