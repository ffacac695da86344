// A consumer group of 1,024 partitions (the most an event hub can have): one claimOwnership of all
// of them completes with none lost, and the lists and inspect return every one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { URL_, KEY, NS, EH, CG, newContainer, ownership, checkpoint } from "./helpers.mjs";

const N = 1024;
const ids = [...Array(N).keys()].map(String);

test("1,024 partitions: one claim of all, both lists and inspect return every one", async () => {
  const c = await newContainer("p1024");
  const store = new BlobCheckpointStore(URL_, c, { credential: KEY });

  let started = Date.now();
  const won = await store.claimOwnership(ids.map((p) => ownership(p, "processor-1")));
  console.log(`# claimOwnership of ${N} new partitions: ${Date.now() - started} ms`);
  assert.equal(won.length, N, "none lost");
  assert.deepEqual(new Set(won.map((o) => o.partitionId)), new Set(ids));

  // Renewed in one call with the ETags just won: again none lost.
  started = Date.now();
  const renewed = await store.claimOwnership(won.map((o) => ({ ...o, ownerId: "processor-2" })));
  console.log(`# claimOwnership renewing ${N} partitions: ${Date.now() - started} ms`);
  assert.equal(renewed.length, N);

  for (let i = 0; i < N; i += 128) {
    await Promise.all(ids.slice(i, i + 128).map((p) => store.updateCheckpoint(checkpoint(p, Number(p) * 10, `${p}:-1:-1`))));
  }

  const owners = await store.listOwnership(NS, EH, CG);
  assert.equal(owners.length, N);
  assert.ok(owners.every((o) => o.ownerId === "processor-2"));
  const cps = await store.listCheckpoints(NS, EH, CG);
  assert.equal(cps.length, N);
  assert.ok(cps.every((x) => x.offset === `${x.partitionId}:-1:-1` && x.sequenceNumber === Number(x.partitionId) * 10));

  started = Date.now();
  const i = await store.inspect(NS, EH, CG);
  console.log(`# inspect of ${N} partitions: ${Date.now() - started} ms`);
  assert.deepEqual(i.partitions.map((p) => p.partitionId), ids, "all, in numeric order");
  assert.deepEqual(i.owners, [{ ownerId: "processor-2", partitions: N }]);
  assert.deepEqual(i.findings, []);
  assert.ok(i.partitions.every((p) => p.checkpoint.offset === `${p.partitionId}:-1:-1`));
});
