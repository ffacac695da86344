// One processor of the race test (race.test.mjs): its own store instance in its own process,
// running a processor's claim cycle and logging every claim it won.
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { seeded } from "./proxy.mjs";

const { url, container, key, owner, rounds, partitions, seed, ns, expiryMs } = JSON.parse(process.env.RACE);
const random = seeded(seed);
const store = new BlobCheckpointStore(url, container, {
  credential: key,
  retryOptions: { maxRetries: 8, retryDelayInMs: 10, maxRetryDelayInMs: 1500, timeoutInMs: 5000 },
});
const group = [ns, "telemetry", "$Default"];
const own = (partitionId, etag) => ({ fullyQualifiedNamespace: ns, eventHubName: "telemetry", consumerGroup: "$Default", partitionId, ownerId: owner, ...(etag ? { etag } : {}) });
const won = [];
const rejected = [];

for (let round = 0; round < rounds; round++) {
  let listed;
  try {
    listed = await store.listOwnership(...group);
  } catch (e) {
    rejected.push({ round, op: "list", message: e.message });
    continue;
  }
  const byPid = new Map(listed.map((o) => [o.partitionId, o]));
  const wanted = [];
  for (let p = 0; p < partitions; p++) {
    const o = byPid.get(String(p));
    const mine = o?.ownerId === owner;
    const expired = o && Date.now() - o.lastModifiedTimeInMs > expiryMs;
    // Renew what is mine (now and then "forgetting" to), take what is free or expired, and
    // sometimes steal, which a balancing processor does.
    if ((mine && random() < 0.9) || !o || (!mine && expired && random() < 0.5) || (!mine && random() < 0.05)) {
      wanted.push(own(String(p), o?.etag));
    }
  }
  try {
    for (const o of await store.claimOwnership(wanted)) won.push({ round, partitionId: o.partitionId, etag: o.etag, owner });
  } catch (e) {
    rejected.push({ round, op: "claim", partitions: wanted.map((o) => o.partitionId), message: e.message });
  }
  await new Promise((r) => setTimeout(r, random() * 20));
}
await store.close();
console.log(JSON.stringify({ owner, won, rejected }));
