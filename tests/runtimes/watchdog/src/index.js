import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";

// Every 5 minutes: inspect one consumer group and POST its findings to a webhook when there are
// any. Secrets: `wrangler secret put STORAGE_SAS` (read and list rights on the container) and
// `wrangler secret put WEBHOOK_URL`.
export default {
  async scheduled(controller, env) {
    const group = [env.EVENTHUB_NAMESPACE, env.EVENTHUB_NAME, env.CONSUMER_GROUP];
    let report;
    try {
      const store = new BlobCheckpointStore(env.STORAGE_ACCOUNT_URL, env.CONTAINER, { credential: env.STORAGE_SAS });
      const { findings } = await store.inspect(...group);
      if (findings.length === 0) return;
      report = { group: group.join("/"), findings };
    } catch (e) {
      // A watchdog that cannot look is news too.
      report = { group: group.join("/"), error: `inspect failed: ${e.message}` };
    }
    const res = await fetch(env.WEBHOOK_URL, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ at: new Date(controller.scheduledTime).toISOString(), ...report }),
    });
    if (!res.ok) throw new Error(`webhook answered ${res.status}`);
  },
};
