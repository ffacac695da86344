import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";

// Every 5 minutes: inspect one consumer group and POST its findings to a webhook when there are
// any. Secrets: `wrangler secret put STORAGE_SAS` (read and list rights on the container) and
// `wrangler secret put WEBHOOK_URL`.
export default {
  async scheduled(controller, env) {
    const { EVENTHUB_NAMESPACE: namespace, EVENTHUB_NAME: eventHub, CONSUMER_GROUP: consumerGroup } = env;
    const group = `${namespace}/${eventHub}/${consumerGroup}`;
    let report;
    try {
      const store = new BlobCheckpointStore(env.STORAGE_ACCOUNT_URL, env.CONTAINER, { credential: env.STORAGE_SAS });
      const { findings } = await store.inspect(namespace, eventHub, consumerGroup);
      if (findings.length === 0) return;
      report = { group, findings };
    } catch (e) {
      // A watchdog that cannot look is news too.
      report = { group, error: `inspect failed: ${e.message}` };
    }
    const res = await fetch(env.WEBHOOK_URL, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ at: new Date(controller.scheduledTime).toISOString(), ...report }),
    });
    if (!res.ok) throw new Error(`webhook answered ${res.status}`);
  },
};
