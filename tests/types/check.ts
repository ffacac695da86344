// Compiled by `tsc --strict --noEmit` in the tests: BlobCheckpointStore is a CheckpointStore of
// @azure/event-hubs, drops into EventHubConsumerClient, and returns the same shapes.
import { EventHubConsumerClient } from "@azure/event-hubs";
import type { Checkpoint, CheckpointStore, PartitionOwnership } from "@azure/event-hubs";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import type { RestError } from "eventhubs-checkpointstore-blob-wasm";

declare const url: string;
declare const container: string;
declare const credential: string;

const s: CheckpointStore = new BlobCheckpointStore(url, container, { credential });
const fromConn: CheckpointStore = BlobCheckpointStore.fromConnectionString("UseDevelopmentStorage=true", container);
const client = new EventHubConsumerClient("$Default", "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=v;EntityPath=eh", s);

const ownership: PartitionOwnership = {
  fullyQualifiedNamespace: "ns.servicebus.windows.net",
  eventHubName: "telemetry",
  consumerGroup: "$Default",
  partitionId: "0",
  ownerId: "worker-1",
};
const checkpoint: Checkpoint = { ...ownership, sequenceNumber: 42, offset: "4096" };

export async function everyMethod(signal: AbortSignal): Promise<void> {
  const claimed: PartitionOwnership[] = await s.claimOwnership([ownership], { abortSignal: signal });
  const owners: PartitionOwnership[] = await s.listOwnership("ns", "eh", "$Default");
  await s.updateCheckpoint(checkpoint);
  const checkpoints: Checkpoint[] = await s.listCheckpoints("ns", "eh", "$Default", { abortSignal: signal });

  // Our own class's results are those shapes too, and offsets may be integers on input.
  const store = new BlobCheckpointStore(url, container, {
    credential: { name: "acct", key: "a2V5" },
    retryOptions: { maxRetries: 2, timeoutInMs: 500 },
  });
  const mine: PartitionOwnership[] = await store.claimOwnership(claimed);
  const listed: Checkpoint[] = await store.listCheckpoints("ns", "eh", "$Default");
  await store.updateCheckpoint({ ...checkpoint, offset: 4096 });
  await store.close();
  // Disposal is typed even with a lib older than esnext.disposable (index.d.ts declares the symbols).
  await store[Symbol.asyncDispose]();
  store[Symbol.dispose]();
  store.free();
  try {
    await fromConn.listOwnership("ns", "eh", "$Default");
  } catch (e) {
    const err = e as RestError;
    const status: number | undefined = err.statusCode;
    void status;
  }
  void [owners, checkpoints, mine, listed];
  await client.close();
}
