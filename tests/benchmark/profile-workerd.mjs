// Where the CPU of one update goes in workerd: the benchmark Worker started through wrangler's API
// with the inspector on, a V8 CPU profile (Profiler domain over the inspector's WebSocket) taken
// around one batch of updates per mode, summarised like profile.mjs. The inspector adds its own
// cost (network events), so read the split between areas, not the totals.
//   AZURITE_BLOB_URL=... tests/node_modules/.bin/node tests/benchmark/profile-workerd.mjs [modes...]
import { unstable_startWorker } from "wrangler";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BlobServiceClient, StorageSharedKeyCredential, generateAccountSASQueryParameters, AccountSASPermissions } from "@azure/storage-blob";
import { summarise } from "./profile-summary.mjs";
import WebSocket from "ws";

process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
const N = 2000;
const URL_ = process.env.AZURITE_BLOB_URL;
if (!URL_) throw new Error("AZURITE_BLOB_URL is not set");
const KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const sk = new StorageSharedKeyCredential("devstoreaccount1", KEY);
const SAS = generateAccountSASQueryParameters({ expiresOn: new Date(Date.now() + 3600_000), permissions: AccountSASPermissions.parse("rwlacu"), resourceTypes: "sco", services: "b" }, sk).toString();
const name = `profw-${Date.now().toString(36)}`;
await new BlobServiceClient(URL_, sk).getContainerClient(name).create();
const here = fileURLToPath(new URL(".", import.meta.url));
const worker = await unstable_startWorker({
  name: "checkpointstore-bench",
  entrypoint: join(here, "worker/index.js"),
  compatibilityDate: "2025-06-01",
  dev: { inspector: { hostname: "127.0.0.1", port: 0 }, server: { hostname: "127.0.0.1", port: 0 }, watch: false, logLevel: "warn" },
});
await worker.ready;
const call = async (body) => {
  const out = await (await worker.fetch("http://bench/", { method: "POST", body: JSON.stringify({ url: URL_, key: KEY, sas: SAS, container: name, partitions: 32, burn: 0, ...body }) })).json();
  if (!out.ok) throw new Error(out.error);
};
try {
  const inspector = await worker.inspectorUrl;
  const list = await (await fetch(`http://${inspector.host}/json`)).json();
  const target = list.find((t) => t.webSocketDebuggerUrl) ?? list[0];
  const ws = new WebSocket(target.webSocketDebuggerUrl ?? `ws://${inspector.host}/core:user:checkpointstore-bench`);
  await new Promise((r, j) => { ws.once("open", r); ws.once("error", j); });
  let id = 0;
  const pending = new Map();
  ws.on("message", (m) => { const d = JSON.parse(String(m)); if (d.id && pending.has(d.id)) { pending.get(d.id)(d); pending.delete(d.id); } });
  const send = (method, params = {}) => new Promise((r) => { pending.set(++id, r); ws.send(JSON.stringify({ id, method, params })); });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 100 });
  for (const mode of process.argv.slice(2).length ? process.argv.slice(2) : ["ours-key", "ours-sas", "floor"]) {
    await call({ mode, ns: `p-${mode}`, n: 64, seq: 0 }); // creates the blobs, warms up
    await send("Profiler.start");
    await call({ mode, ns: `p-${mode}`, n: N, seq: 1 });
    const { result } = await send("Profiler.stop");
    summarise(result.profile, N, `${mode}, workerd (inspector on)`);
  }
  ws.close();
} finally {
  await worker.dispose();
}
