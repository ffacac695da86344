// The benchmark's Worker (tests/benchmark/workerd.mjs drives it): one request runs one batch of
// checkpoint updates, by this package (Shared Key or SAS) or by bare pre-signed fetches (the floor;
// `floor-bounded` gives each fetch a time-out, as the store's tries have), so the CPU the Worker's
// workerd process spends on a batch, divided by the batch size, is the client cost per update.
// `burn` adds a fixed amount of busy work per update, to calibrate.
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { floorUpdate, floorUpdateBounded, floorList } from "./floor.js";

const stores = new Map();
function store(mode, b) {
  const k = `${mode} ${b.url} ${b.container}`;
  if (!stores.has(k)) stores.set(k, new BlobCheckpointStore(b.url, b.container, { credential: mode === "ours-sas" ? b.sas : b.key }));
  return stores.get(k);
}

let sink = 0;
/** Busy work: `iterations` rounds of integer mixing (Date.now() does not advance in workerd). */
function burn(iterations) {
  let x = sink | 1;
  for (let i = 0; i < iterations; i++) x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + i;
  sink = x;
}

const cp = (ns, p, seq) => ({ fullyQualifiedNamespace: ns, eventHubName: "telemetry", consumerGroup: "$default", partitionId: String(p), sequenceNumber: seq, offset: String(seq * 100) });

export default {
  async fetch(request) {
    try {
      const b = await request.json();
      if (b.mode === "burn") {
        for (let i = 0; i < b.n; i++) burn(b.burn);
        return Response.json({ ok: true });
      }
      if (b.mode === "list-ours" || b.mode === "list-floor") {
        const got = b.mode === "list-ours" ? (await store("ours-key", b).listCheckpoints(b.ns, "telemetry", "$default")).length : await floorList(b, b.ns);
        return Response.json({ ok: true, got });
      }
      const update = b.mode === "floor" ? (c) => floorUpdate(b, c)
        : b.mode === "floor-bounded" ? (c) => floorUpdateBounded(b, c)
        : (c) => store(b.mode, b).updateCheckpoint(c);
      const per = (p) => Math.floor(b.n / b.partitions) + (p < b.n % b.partitions ? 1 : 0);
      await Promise.all([...Array(b.partitions).keys()].map(async (p) => {
        for (let i = 0; i < per(p); i++) {
          if (b.burn) burn(b.burn);
          await update(cp(b.ns, p, b.seq + i));
        }
      }));
      return Response.json({ ok: true });
    } catch (e) {
      return Response.json({ ok: false, error: String(e?.stack ?? e) }, { status: 500 });
    }
  },
};
