// Interoperability with the official stores on one Azurite container, both directions:
// the Python azure-eventhub-checkpointstoreblob-aio and the JavaScript
// @azure/eventhubs-checkpointstore-blob. Each assertion fails when one side disagrees.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { BlobCheckpointStore as OfficialJsStore } from "@azure/eventhubs-checkpointstore-blob";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { CONN, service, newContainer } from "./helpers.mjs";
import { tests } from "./runtime-tools.mjs";

const GROUP = ["MyNs.servicebus.windows.net", "Telemetry", "$Default"];
const LOWER_PREFIX = "myns.servicebus.windows.net/telemetry/$default/";

/** Our store, with the common adapter surface. */
function ours(container) {
  const s = BlobCheckpointStore.fromConnectionString(CONN, container);
  return {
    name: "ours",
    claim: (list) => s.claimOwnership(list),
    listOwnership: (g) => s.listOwnership(...g),
    updateCheckpoints: async (list) => { await Promise.all(list.map((c) => s.updateCheckpoint(c))); },
    listCheckpoints: (g) => s.listCheckpoints(...g),
  };
}

function officialJs(container) {
  const s = new OfficialJsStore(service.getContainerClient(container));
  return {
    name: "@azure/eventhubs-checkpointstore-blob",
    claim: (list) => s.claimOwnership(list),
    listOwnership: (g) => s.listOwnership(...g),
    updateCheckpoints: async (list) => { for (const c of list) await s.updateCheckpoint(c); },
    listCheckpoints: (g) => s.listCheckpoints(...g),
  };
}

/** The Python store, one process per call (tests/interop/py_store.py). */
function python(container) {
  const call = (ops) => JSON.parse(execFileSync("python3", [join(tests, "interop/py_store.py"), JSON.stringify({ conn: CONN, container, ops })], {
    env: { ...process.env, PYTHONPATH: join(tests, ".pydeps") },
    encoding: "utf8",
  }));
  const toPy = (o) => ({
    fully_qualified_namespace: o.fullyQualifiedNamespace, eventhub_name: o.eventHubName, consumer_group: o.consumerGroup,
    partition_id: o.partitionId,
    ...("ownerId" in o ? { owner_id: o.ownerId } : {}),
    ...(o.etag ? { etag: o.etag } : {}),
    ...("sequenceNumber" in o ? { sequence_number: o.sequenceNumber, offset: o.offset } : {}),
  });
  const fromPy = (p) => ({
    fullyQualifiedNamespace: p.fully_qualified_namespace, eventHubName: p.eventhub_name, consumerGroup: p.consumer_group,
    partitionId: p.partition_id,
    ...("owner_id" in p ? { ownerId: p.owner_id, etag: p.etag, lastModifiedTimeInMs: p.last_modified_time * 1000 } : {}),
    ...("sequence_number" in p ? { sequenceNumber: p.sequence_number, offset: p.offset } : {}),
  });
  return {
    name: "azure-eventhub-checkpointstoreblob-aio",
    claim: async (list) => call([{ op: "claim", ownerships: list.map(toPy) }])[0].map(fromPy),
    listOwnership: async (g) => call([{ op: "list_ownership", group: g }])[0].map(fromPy),
    updateCheckpoints: async (list) => { call(list.map((c) => ({ op: "update_checkpoint", checkpoint: toPy(c) }))); },
    listCheckpoints: async (g) => call([{ op: "list_checkpoints", group: g }])[0].map(fromPy),
  };
}

const own = (pid, ownerId, etag) => ({
  fullyQualifiedNamespace: GROUP[0], eventHubName: GROUP[1], consumerGroup: GROUP[2], partitionId: String(pid), ownerId,
  ...(etag ? { etag } : {}),
});
// Sequence numbers beyond 2^32; offsets given as integers for even partitions, strings for odd.
const cp = (pid, round = 0) => ({
  fullyQualifiedNamespace: GROUP[0], eventHubName: GROUP[1], consumerGroup: GROUP[2], partitionId: String(pid),
  sequenceNumber: 2 ** 33 + pid * 1000 + round, offset: pid % 2 ? String(2 ** 40 + pid) : 2 ** 40 + pid,
});
const bare = (etag) => String(etag).replaceAll('"', "");
const byPid = (a, b) => Number(a.partitionId) - Number(b.partitionId);
/** What must agree between stores: owner, etag (quoting aside), last-modified to the second. */
const ownershipKey = (o) => ({
  fullyQualifiedNamespace: o.fullyQualifiedNamespace, eventHubName: o.eventHubName, consumerGroup: o.consumerGroup,
  partitionId: o.partitionId, ownerId: o.ownerId, etag: bare(o.etag), second: Math.floor(o.lastModifiedTimeInMs / 1000),
});
const checkpointKey = (c) => ({
  fullyQualifiedNamespace: c.fullyQualifiedNamespace, eventHubName: c.eventHubName, consumerGroup: c.consumerGroup,
  partitionId: c.partitionId, sequenceNumber: c.sequenceNumber, offset: String(c.offset),
});
const PARTITIONS = [...Array(64).keys()];

async function blobNames(container) {
  const names = [];
  for await (const b of service.getContainerClient(container).listBlobsFlat()) names.push(b.name);
  return names;
}

for (const [label, official] of [["Python", python], ["JavaScript", officialJs]]) {
  test(`${label} official store writes 64 partitions, ours reads exactly the same`, async () => {
    const c = await newContainer(`interop-${label}`);
    const them = official(c);
    const me = ours(c);
    const claimed = await them.claim(PARTITIONS.map((p) => own(p, `${label}-owner`)));
    assert.equal(claimed.length, 64);
    await them.updateCheckpoints(PARTITIONS.map((p) => cp(p)));
    const theirOwners = (await them.listOwnership(GROUP)).sort(byPid);
    const myOwners = (await me.listOwnership(GROUP)).sort(byPid);
    assert.equal(myOwners.length, 64);
    assert.deepEqual(myOwners.map(ownershipKey), theirOwners.map(ownershipKey));
    assert.deepEqual(myOwners.map(ownershipKey), claimed.sort(byPid).map(ownershipKey));
    const myCheckpoints = (await me.listCheckpoints(GROUP)).sort(byPid);
    assert.deepEqual(myCheckpoints.map(checkpointKey), (await them.listCheckpoints(GROUP)).sort(byPid).map(checkpointKey));
    assert.deepEqual(myCheckpoints.map(checkpointKey), PARTITIONS.map((p) => checkpointKey(cp(p))));
    assert.ok((await blobNames(c)).every((n) => n.startsWith(LOWER_PREFIX)), "lower-cased blob names");
  });

  test(`ours writes 64 partitions, the ${label} official store reads exactly the same`, async () => {
    const c = await newContainer(`interop-rev-${label}`);
    const them = official(c);
    const me = ours(c);
    const claimed = await me.claim(PARTITIONS.map((p) => own(p, "wasm-owner")));
    assert.equal(claimed.length, 64);
    await me.updateCheckpoints(PARTITIONS.map((p) => cp(p)));
    const theirOwners = (await them.listOwnership(GROUP)).sort(byPid);
    assert.deepEqual(theirOwners.map(ownershipKey), claimed.sort(byPid).map(ownershipKey));
    const theirCheckpoints = (await them.listCheckpoints(GROUP)).sort(byPid);
    assert.deepEqual(theirCheckpoints.map(checkpointKey), PARTITIONS.map((p) => checkpointKey(cp(p))));
  });

  test(`hand-over between ours and the ${label} official store: exactly one side holds each partition`, async () => {
    const c = await newContainer(`handover-${label}`);
    const them = official(c);
    const me = ours(c);
    // They claim; we take over with the etag we listed; their stale etag loses.
    const [theirs] = await them.claim([own(0, "them")]);
    const listed = (await me.listOwnership(GROUP)).find((o) => o.partitionId === "0");
    const [taken] = await me.claim([own(0, "us", listed.etag)]);
    assert.equal(taken?.ownerId, "us");
    assert.deepEqual(await them.claim([own(0, "them", theirs.etag)]), []);
    // We claim; they take over with the etag they listed; our stale etag loses.
    const [mine] = await me.claim([own(1, "us")]);
    const theirView = (await them.listOwnership(GROUP)).find((o) => o.partitionId === "1");
    assert.equal(theirView.ownerId, "us");
    const [takenBack] = await them.claim([own(1, "them", theirView.etag)]);
    assert.equal(takenBack?.ownerId, "them");
    assert.deepEqual(await me.claim([own(1, "us", mine.etag)]), []);
    // Every view agrees on one owner per partition.
    for (const view of [await me.listOwnership(GROUP), await them.listOwnership(GROUP)]) {
      const owners = Object.fromEntries(view.map((o) => [o.partitionId, o.ownerId]));
      assert.deepEqual(owners, { 0: "us", 1: "them" });
    }
    // A checkpoint written by one side after the hand-over is the one the other reads.
    await them.updateCheckpoints([cp(1, 7)]);
    assert.deepEqual((await me.listCheckpoints(GROUP)).map(checkpointKey), [checkpointKey(cp(1, 7))]);
    await me.updateCheckpoints([cp(1, 8)]);
    assert.deepEqual((await them.listCheckpoints(GROUP)).map(checkpointKey), [checkpointKey(cp(1, 8))]);
  });
}

test("mixed-case names land in the same lower-cased blobs for all three stores", async () => {
  const c = await newContainer("mixedcase");
  const stores = [ours(c), officialJs(c), python(c)];
  const spellings = [
    ["MyNs.servicebus.windows.net", "Telemetry", "$Default"],
    ["myns.SERVICEBUS.windows.net", "TELEMETRY", "$default"],
    ["MYNS.servicebus.windows.net", "telemetry", "$DEFAULT"],
  ];
  for (const [i, s] of stores.entries()) {
    const [ns, eh, cg] = spellings[i];
    await s.updateCheckpoints([{ fullyQualifiedNamespace: ns, eventHubName: eh, consumerGroup: cg, partitionId: String(i), sequenceNumber: i, offset: String(i) }]);
  }
  assert.deepEqual((await blobNames(c)).sort(), [0, 1, 2].map((i) => `${LOWER_PREFIX}checkpoint/${i}`));
  for (const [i, s] of stores.entries()) {
    const list = (await s.listCheckpoints(spellings[(i + 1) % 3])).sort(byPid);
    assert.deepEqual(list.map((x) => [x.partitionId, x.sequenceNumber, String(x.offset)]), [["0", 0, "0"], ["1", 1, "1"], ["2", 2, "2"]], s.name);
    assert.equal(list[0].eventHubName, spellings[(i + 1) % 3][1], "results echo the caller's spelling");
  }
});
