// The end-to-end scenario every runtime runs against Azurite (plain ESM, no host APIs beyond
// AbortController): claim 4 new partitions, renew them with their etags, see a stale-etag claim
// left out, record and list checkpoints, abort a call before and during it.
// Returns a report; throws an Error naming the step that went wrong.

export async function runScenario(BlobCheckpointStore, { url, container, credential, runtime }) {
  const store = new BlobCheckpointStore(url, container, { credential });
  const ns = `${runtime}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9)}.servicebus.windows.net`;
  const group = [ns, "telemetry", "$Default"];
  const own = (partitionId, ownerId, etag) => ({
    fullyQualifiedNamespace: ns, eventHubName: "telemetry", consumerGroup: "$Default", partitionId, ownerId,
    ...(etag ? { etag } : {}),
  });
  const check = (ok, step, detail) => {
    if (!ok) throw new Error(`${runtime}: ${step} failed${detail === undefined ? "" : `: ${JSON.stringify(detail)}`}`);
  };
  const steps = [];

  const claimed = await store.claimOwnership(["0", "1", "2", "3"].map((p) => own(p, "proc-a")));
  check(claimed.length === 4 && claimed.every((o) => typeof o.etag === "string" && o.lastModifiedTimeInMs > 0), "claim 4 new partitions", claimed);
  steps.push("claimed 4");

  const renewed = await store.claimOwnership(claimed.map((o) => own(o.partitionId, "proc-a", o.etag)));
  check(renewed.length === 4 && renewed.every((o, i) => o.etag !== claimed[i].etag), "renew with etags", renewed);
  steps.push("renewed 4");

  const stale = await store.claimOwnership([own("0", "proc-b", claimed[0].etag)]);
  check(stale.length === 0, "stale-etag claim left out", stale);
  steps.push("stale claim left out");

  await Promise.all(renewed.map((o, i) => store.updateCheckpoint({
    fullyQualifiedNamespace: ns, eventHubName: "telemetry", consumerGroup: "$Default",
    partitionId: o.partitionId, sequenceNumber: 100 + i, offset: i % 2 ? String(4096 * i) : 4096 * i,
  })));
  const checkpoints = (await store.listCheckpoints(...group)).sort((a, b) => a.partitionId - b.partitionId);
  check(checkpoints.length === 4 && checkpoints.every((c, i) => c.sequenceNumber === 100 + i && c.offset === String(4096 * i)),
    "record and list checkpoints", checkpoints);
  steps.push("checkpointed 4");

  const owners = await store.listOwnership(...group);
  check(owners.length === 4 && owners.every((o) => o.ownerId === "proc-a" && renewed.some((r) => r.etag === o.etag)), "list ownership", owners);
  steps.push("listed owners");

  const before = new AbortController();
  before.abort();
  const e1 = await store.listOwnership(...group, { abortSignal: before.signal }).then(() => null, (e) => e);
  check(e1?.name === "AbortError", "abort before a call", e1?.name);
  const during = new AbortController();
  const pending = store.listCheckpoints(...group, { abortSignal: during.signal });
  during.abort();
  const e2 = await pending.then(() => null, (e) => e);
  check(e2?.name === "AbortError", "abort during a call", e2?.name);
  steps.push("aborted 2");

  // Still usable after the aborts.
  check((await store.listCheckpoints(...group)).length === 4, "list after abort");
  await store.close();
  return { runtime, ok: true, steps };
}
