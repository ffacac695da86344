// Cloudflare Worker running the scenario for each POST; the body is the scenario's configuration.
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { runScenario } from "../../scenario.js";

export default {
  async fetch(request) {
    try {
      const report = await runScenario(BlobCheckpointStore, { ...(await request.json()), runtime: "workerd" });
      return Response.json(report);
    } catch (e) {
      return Response.json({ ok: false, error: String(e?.stack ?? e) }, { status: 500 });
    }
  },
};
