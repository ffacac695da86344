// Compiled by `tsc --strict --noEmit` (tests/js/groups-inspect.test.mjs): the types of
// listConsumerGroups and inspect, as the inspector page and a watchdog use them.
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import type { ConsumerGroupId, Finding, FindingCode, GroupInspection, InspectOptions, PartitionState } from "eventhubs-checkpointstore-blob-wasm";

declare const store: BlobCheckpointStore;

export async function summary(): Promise<string[]> {
  const groups: ConsumerGroupId[] = await store.listConsumerGroups({ abortSignal: AbortSignal.timeout(5000) });
  const out: string[] = [];
  for (const g of groups) {
    const options: InspectOptions = { ownershipExpiryMs: 60_000, stallThresholdMs: 300_000, clockSkewThresholdMs: 5000 };
    const i: GroupInspection = await store.inspect(g.fullyQualifiedNamespace, g.eventHubName, g.consumerGroup, options);
    const skew: number | undefined = i.clockSkewMs;
    const stale: PartitionState[] = i.partitions.filter((p) => p.expired || p.ownerId === "");
    const behind: number[] = i.partitions.flatMap((p) => (p.checkpoint ? [(i.serverTimeMs ?? i.inspectedAtMs) - p.checkpoint.lastModifiedTimeInMs] : []));
    const codes: FindingCode[] = i.findings.map((f: Finding) => f.code);
    const first: string | undefined = i.findings[0]?.partitionId ?? i.findings[0]?.blob ?? i.findings[0]?.ownerId;
    out.push(`${i.consumerGroup}: ${codes.join(",")} ${stale.length} ${behind.length} ${skew} ${first} ${i.owners.map((o) => `${o.ownerId}=${o.partitions}`)}`);
  }
  return out;
}

// @ts-expect-error: codes are a closed set
const bad: FindingCode = "Unknown";
