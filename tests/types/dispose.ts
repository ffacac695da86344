// Compiled by `tsc --strict --noEmit` (tsconfig.dispose.json, with lib esnext.disposable): the
// store in `await using` and `using` declarations, and its disposal methods.
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";

declare const url: string;

export async function scoped(): Promise<number> {
  await using store = new BlobCheckpointStore(url, "checkpoints", {
    retryOptions: { maxRetries: 5, retryDelayInMs: 100, maxRetryDelayInMs: 5000, timeoutInMs: 10000 },
  });
  const n = (await store.listCheckpoints("ns", "eh", "$Default")).length;
  {
    using freedAtEnd = BlobCheckpointStore.fromConnectionString("UseDevelopmentStorage=true", "checkpoints");
    void freedAtEnd;
  }
  const disposable: AsyncDisposable & Disposable = store;
  void disposable;
  return n;
}
