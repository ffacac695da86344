// Blobs as every writer leaves them (the official SDKs across versions, tools and people), next to
// ours in one consumer group: what the lists return, and that our writes over them work and leave
// blobs the official JavaScript store reads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BlobCheckpointStore as OfficialJsStore } from "@azure/eventhubs-checkpointstore-blob";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { URL_, KEY, NS, EH, CG, service, newContainer, ownership, checkpoint } from "./helpers.mjs";

const PFX = `${NS}/${EH}/$default/`;
const byPartition = (a, b) => Number(a.partitionId) - Number(b.partitionId);

/** Plants `blobs` ({ name: metadata }) with the official storage client, as other writers do. */
async function plant(container, blobs) {
  const cc = service.getContainerClient(container);
  await Promise.all(Object.entries(blobs).map(([name, metadata]) => cc.getBlockBlobClient(name).upload("", 0, { metadata })));
}

/** The metadata of a blob exactly as stored (names in their stored case). */
async function storedMetadata(container, name) {
  return (await service.getContainerClient(container).getBlockBlobClient(name).getProperties()).metadata;
}

const WRITERS = {
  // .NET (Azure.Messaging.EventHubs.Processor) adds clientidentifier (azure-sdk-for-net#39454).
  [`${PFX}checkpoint/0`]: { sequencenumber: "100", offset: "1000", clientidentifier: "dotnet-host-1" },
  [`${PFX}ownership/0`]: { ownerid: "dotnet-host-1" },
  // .NET 5.11.0: checkpoints by sequence number with an empty offset (azure-sdk-for-net#42409).
  [`${PFX}checkpoint/1`]: { sequencenumber: "101", offset: "", clientidentifier: "dotnet-host-1" },
  // Later .NET: the placeholder, in any case.
  [`${PFX}checkpoint/2`]: { sequencenumber: "102", offset: "no offset" },
  [`${PFX}checkpoint/3`]: { sequencenumber: "103", offset: "No Offset" },
  // Geo-replication: opaque offsets.
  [`${PFX}checkpoint/4`]: { sequencenumber: "104", offset: "2:-1:-1" },
  [`${PFX}checkpoint/5`]: { sequencenumber: "105", offset: "15:1000" },
  // Older Java: capitalized keys.
  [`${PFX}checkpoint/6`]: { SequenceNumber: "106", Offset: "1060" },
  [`${PFX}ownership/6`]: { OwnerId: "java-1" },
  // JS and Python release a partition with an empty owner.
  [`${PFX}ownership/7`]: { ownerid: "" },
};
// The Rust SDK keeps the caller's case (azure-sdk-for-rust#5099): another prefix altogether.
const RUST = {
  [`NS.ServiceBus.Windows.Net/Telemetry/$Default/checkpoint/8`]: { sequencenumber: "108", offset: "1080" },
  [`NS.ServiceBus.Windows.Net/Telemetry/$Default/ownership/8`]: { ownerid: "rust-1" },
};
// Tools and people: folder markers (hierarchical-namespace directories), notes, deeper paths.
const JUNK = {
  [`${NS}/`]: { hdi_isfolder: "true" },
  [`${PFX}`]: { hdi_isfolder: "true" },
  [`${PFX}checkpoint/`]: { hdi_isfolder: "true" },
  [`${PFX}ownership/`]: { hdi_isfolder: "true" },
  [`${PFX}checkpoint/9`]: { hdi_isfolder: "true" },
  [`${PFX}checkpoint/9/old`]: { sequencenumber: "1", offset: "1" },
  [`${PFX}ownership/0/backup`]: { ownerid: "someone" },
  [`${PFX}README.txt`]: {},
  [`${PFX}checkpoint/notes/readme.md`]: {},
};

test("every writer's blobs are listed by the reading rules; stray blobs are ignored", async () => {
  const c = await newContainer("writers");
  await plant(c, { ...WRITERS, ...RUST, ...JUNK });
  const store = new BlobCheckpointStore(URL_, c, { credential: KEY });
  await store.updateCheckpoint(checkpoint(10, 110, "1100"));
  const [ours] = await store.claimOwnership([ownership(10, "wasm-1")]);
  assert.ok(ours, "our claim next to the others' blobs");

  const cps = (await store.listCheckpoints(NS, EH, CG)).sort(byPartition);
  assert.deepEqual(cps, [
    checkpoint(0, 100, "1000"),
    checkpoint(1, 101, ""),
    checkpoint(2, 102, "no offset"),
    checkpoint(3, 103, "No Offset"),
    checkpoint(4, 104, "2:-1:-1"),
    checkpoint(5, 105, "15:1000"),
    checkpoint(6, 106, "1060"),
    checkpoint(10, 110, "1100"),
  ]);
  const owners = (await store.listOwnership(NS, EH, CG)).sort(byPartition);
  assert.deepEqual(owners.map((o) => [o.partitionId, o.ownerId]), [["0", "dotnet-host-1"], ["6", "java-1"], ["7", ""], ["10", "wasm-1"]]);
  for (const o of owners) assert.match(o.etag, /^"0x[0-9A-F]+"$/);

  // The Rust SDK's mixed-case prefix is another folder: not in the lists (names are lower-cased,
  // as every other SDK does), but listConsumerGroups shows both as stored.
  assert.deepEqual(await store.listConsumerGroups(), [
    { fullyQualifiedNamespace: "NS.ServiceBus.Windows.Net", eventHubName: "Telemetry", consumerGroup: "$Default" },
    { fullyQualifiedNamespace: NS, eventHubName: EH, consumerGroup: "$default" },
  ]);
});

test("our updateCheckpoint and claimOwnership over every writer's blobs work, and the official JavaScript store reads the result", async () => {
  const c = await newContainer("writers-rw");
  await plant(c, { ...WRITERS, ...JUNK });
  const store = new BlobCheckpointStore(URL_, c, { credential: KEY });

  // Take over every listed ownership with the ETag just listed (the released one included).
  const listed = await store.listOwnership(NS, EH, CG);
  const won = await store.claimOwnership(listed.map((o) => ({ ...o, ownerId: "wasm-1" })));
  assert.deepEqual(won.map((o) => o.partitionId).sort(), ["0", "6", "7"]);
  // Checkpoint every planted partition, geo-replication offsets verbatim.
  const next = [
    checkpoint(0, 200, "2000"),
    checkpoint(1, 201, "2010"),
    checkpoint(2, 202, "2:-1:-1"),
    checkpoint(3, 203, "3:4096:17"),
    checkpoint(4, 204, "2:100:-1"),
    checkpoint(5, 205, "2050"),
    checkpoint(6, 206, "2060"),
  ];
  for (const cp of next) await store.updateCheckpoint(cp);

  // Set Blob Metadata replaces all metadata: our lower-case keys only, capitals and extras gone.
  assert.deepEqual(await storedMetadata(c, `${PFX}checkpoint/0`), { sequencenumber: "200", offset: "2000" });
  assert.deepEqual(await storedMetadata(c, `${PFX}checkpoint/6`), { sequencenumber: "206", offset: "2060" });
  assert.deepEqual(await storedMetadata(c, `${PFX}checkpoint/2`), { sequencenumber: "202", offset: "2:-1:-1" });
  assert.deepEqual(await storedMetadata(c, `${PFX}ownership/6`), { ownerid: "wasm-1" });
  assert.deepEqual((await store.listCheckpoints(NS, EH, CG)).sort(byPartition), next);

  // The official store takes the last path segment of every blob under a folder for a partition
  // and requires lower-case keys, so it reads these folders once the strays are gone.
  const cc = service.getContainerClient(c);
  await Promise.all(Object.keys(JUNK).map((name) => cc.deleteBlob(name)));
  const official = new OfficialJsStore(cc);
  const theirs = (await official.listCheckpoints(NS, EH, CG)).sort(byPartition);
  assert.deepEqual(theirs.map((x) => [x.partitionId, x.sequenceNumber, String(x.offset)]), next.map((x) => [x.partitionId, x.sequenceNumber, x.offset]));
  const theirOwners = (await official.listOwnership(NS, EH, CG)).sort(byPartition);
  assert.deepEqual(theirOwners.map((o) => [o.partitionId, o.ownerId]), [["0", "wasm-1"], ["6", "wasm-1"], ["7", "wasm-1"]]);
  // And the official store renews with the ETags we returned: the blobs are the same.
  const renewed = await official.claimOwnership(won.map((o) => ({ ...o, ownerId: "official-1" })));
  assert.equal(renewed.length, 3);
  assert.deepEqual((await store.listOwnership(NS, EH, CG)).map((o) => o.ownerId), ["official-1", "official-1", "official-1"]);
});

test("a blob at a partition's own path whose metadata cannot be read still rejects the list, naming it", async () => {
  const c = await newContainer("writers-bad");
  await plant(c, { ...WRITERS, [`${PFX}checkpoint/11`]: { sequencenumber: "", offset: "no offset" }, [`${PFX}ownership/11`]: { owner: "x" } });
  const store = new BlobCheckpointStore(URL_, c, { credential: KEY });
  await assert.rejects(store.listCheckpoints(NS, EH, CG), (e) => e.code === "InvalidBlobMetadata" && e.message.includes(`'${c}/${PFX}checkpoint/11'`) && /sequencenumber/.test(e.message));
  await assert.rejects(store.listOwnership(NS, EH, CG), (e) => e.code === "InvalidBlobMetadata" && e.message.includes(`'${c}/${PFX}ownership/11'`) && /ownerid/.test(e.message));
});
