// The demo stack behind www/run: prepares Azurite (CORS, container, a SAS), starts the three
// simulated processors, and serves www/ and pkg/ on loopback. Stops on SIGINT/SIGTERM.
// Env: AZURITE_BLOB_URL (required), WWW_PORT (default 8080).
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { join, extname, normalize } from "node:path";
import { createRequire } from "node:module";
import { startProcessors } from "./processors.mjs";
import { BlobCheckpointStore } from "../../pkg/node.js";

const root = new URL("../../", import.meta.url).pathname;
// The official storage SDK (a test dependency) only prepares the emulator: CORS, container, SAS.
const require = createRequire(join(root, "tests/package.json"));
const { BlobServiceClient, StorageSharedKeyCredential, generateBlobSASQueryParameters, ContainerSASPermissions } = require("@azure/storage-blob");

const url = process.env.AZURITE_BLOB_URL;
const port = Number(process.env.WWW_PORT ?? 8080);
if (!url) throw new Error("AZURITE_BLOB_URL is not set (www/run sets it)");
const ACCOUNT = "devstoreaccount1";
// The emulator's well-known, documented key: not a secret.
const KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const container = "checkpoints";
const group = ["demo.servicebus.windows.net", "telemetry", "$Default"];

const cred = new StorageSharedKeyCredential(ACCOUNT, KEY);
const service = new BlobServiceClient(url, cred);
await service.setProperties({
  cors: [{
    allowedOrigins: "*", allowedMethods: "GET,HEAD,PUT,OPTIONS", allowedHeaders: "*", maxAgeInSeconds: 3600,
    exposedHeaders: "etag,last-modified,x-ms-error-code,x-ms-request-id,retry-after,x-ms-retry-after-ms,x-ms-meta-ownerid",
  }],
});
await service.getContainerClient(container).createIfNotExists();
const sas = generateBlobSASQueryParameters({
  containerName: container, permissions: ContainerSASPermissions.parse("racwl"),
  startsOn: new Date(Date.now() - 60_000), expiresOn: new Date(Date.now() + 7 * 86400_000),
}, cred).toString();

// Seed the consumer group: a checkpoint for each of the 16 partitions (kept if already there),
// so the page shows every partition from the first refresh.
const seeder = new BlobCheckpointStore(url, container, { credential: sas });
const existing = new Set((await seeder.listCheckpoints(...group)).map((c) => c.partitionId));
await Promise.all([...Array(16).keys()].filter((p) => !existing.has(String(p))).map((p) =>
  seeder.updateCheckpoint({ fullyQualifiedNamespace: group[0], eventHubName: group[1], consumerGroup: group[2], partitionId: String(p), sequenceNumber: 1000 * p, offset: String(512_000 * p) })));

const processors = startProcessors({ url, container, credential: sas, group, partitions: 16, log: (m) => console.log(`[processors] ${m}`) });

// What the page is prefilled with; served only to this loopback page, never put in its URL.
const demoConfig = JSON.stringify({ accountUrl: url, sas, container, namespace: group[0], eventHub: group[1], consumerGroup: group[2] });
const MIME = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json", ".png": "image/png" };
const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
  if (path === "/demo-config.json") {
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    return res.end(demoConfig);
  }
  const base = path.startsWith("/pkg/") ? root : join(root, "www");
  const file = join(base, path.endsWith("/") ? `${path}index.html` : path);
  if (!file.startsWith(base) || file.includes("/demo/") || file.endsWith("/run")) {
    res.writeHead(404);
    return res.end();
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
// WWW_PORT=0 picks a free port (the tests do); the line below names the one in use.
server.listen(port, "127.0.0.1", () => {
  console.log(`\n  Consumer-group inspector: http://127.0.0.1:${server.address().port}/   (Ctrl-C stops everything)\n`);
});
const stop = () => {
  processors.stop();
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
