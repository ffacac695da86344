// Three simulated Event Hubs processors for the demo, using the package exactly as a real
// processor does: list ownership, claim free or expired partitions (and, when below their fair
// share, one from the busiest owner), renew their own, and advance their checkpoints.
import { BlobCheckpointStore } from "../../pkg/node.js";

const EXPIRY_MS = 30_000; // default; the demo passes its own
const RENEW_MS = 10_000;
const CHECKPOINT_MS = 1_000;

export function startProcessors({ url, container, credential, group, partitions, expiryMs = EXPIRY_MS, log = console.log, stallAfterMs = 60_000, stallForMs = 60_000 }) {
  const [ns, eh, cg] = group;
  const ids = ["processor-1", "processor-2", "processor-3"];
  const timers = [];
  const started = Date.now();
  const seq = new Map(); // partitionId -> last sequence number written

  for (const [i, ownerId] of ids.entries()) {
    const store = new BlobCheckpointStore(url, container, { credential });
    const owned = new Map(); // partitionId -> etag
    // processor-3 stops renewing (and checkpointing) after a minute, and recovers a minute later.
    const stalled = () => i === 2 && Date.now() - started > stallAfterMs && Date.now() - started < stallAfterMs + stallForMs;
    const own = (partitionId, etag) => ({ fullyQualifiedNamespace: ns, eventHubName: eh, consumerGroup: cg, partitionId, ownerId, ...(etag ? { etag } : {}) });

    const balance = async () => {
      if (stalled()) return;
      try {
        const list = await store.listOwnership(ns, eh, cg);
        const byPid = new Map(list.map((o) => [o.partitionId, o]));
        const now = Date.now();
        const live = (o) => o && o.ownerId && now - o.lastModifiedTimeInMs < expiryMs;
        const mine = list.filter((o) => o.ownerId === ownerId && live(o));
        // A fair share among the processors alive now: when one stops renewing, the others
        // take over its partitions once they expire.
        const alive = new Set(list.filter(live).map((o) => o.ownerId)).add(ownerId);
        const fair = Math.ceil(partitions / alive.size);
        const claims = mine.map((o) => own(o.partitionId, o.etag));
        // In random order, as the official load balancer picks, so processors rarely collide.
        const free = [...Array(partitions).keys()].map(String).filter((p) => !live(byPid.get(p))).sort(() => Math.random() - 0.5);
        // At most 4 new partitions a cycle, so that processors starting together share them.
        for (const p of free.slice(0, Math.max(0, Math.min(4, fair - mine.length)))) claims.push(own(p, byPid.get(p)?.etag));
        if (claims.length < fair - 1) {
          // Take one partition from the busiest owner, as the official load balancer does.
          const counts = {};
          for (const o of list.filter(live)) counts[o.ownerId] = (counts[o.ownerId] ?? 0) + 1;
          const [busiest, n] = Object.entries(counts).sort((a, b) => b[1] - a[1])[0] ?? [];
          if (busiest && busiest !== ownerId && n > fair - 1) {
            const victim = list.find((o) => o.ownerId === busiest && live(o));
            claims.push(own(victim.partitionId, victim.etag));
          }
        }
        const won = await store.claimOwnership(claims);
        // Like a real processor, continue each newly won partition from its checkpoint.
        if (won.some((o) => !owned.has(o.partitionId))) {
          for (const c of await store.listCheckpoints(ns, eh, cg)) seq.set(c.partitionId, Math.max(seq.get(c.partitionId) ?? 0, c.sequenceNumber));
        }
        const before = new Set(owned.keys());
        owned.clear();
        for (const o of won) owned.set(o.partitionId, o.etag);
        const gained = [...owned.keys()].filter((p) => !before.has(p));
        const lost = [...before].filter((p) => !owned.has(p));
        if (gained.length || lost.length) log(`${ownerId}: owns ${[...owned.keys()].join(",") || "nothing"}${gained.length ? ` (+${gained})` : ""}${lost.length ? ` (-${lost})` : ""}`);
      } catch (e) {
        log(`${ownerId}: ${e.message}`);
      }
    };

    const checkpoint = async () => {
      if (stalled()) return;
      await Promise.all([...owned.keys()].map(async (partitionId) => {
        const next = (seq.get(partitionId) ?? 1000 * Number(partitionId)) + 1 + Math.floor(Math.random() * 20);
        seq.set(partitionId, next);
        await store.updateCheckpoint({ fullyQualifiedNamespace: ns, eventHubName: eh, consumerGroup: cg, partitionId, sequenceNumber: next, offset: String(next * 512) })
          .catch((e) => log(`${ownerId}: ${e.message}`));
      }));
    };

    // All three start at once: their first claims race for every partition, and each partition
    // goes to exactly one of them (create-only claims).
    timers.push(setTimeout(balance, 0));
    timers.push(setInterval(balance, RENEW_MS));
    timers.push(setInterval(checkpoint, CHECKPOINT_MS));
  }
  return { stop: () => timers.forEach((t) => clearInterval(t)) };
}
