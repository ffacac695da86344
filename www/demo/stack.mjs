// The demo stack behind www/run: prepares Azurite (CORS, container, a SAS), starts the three
// simulated processors, and serves www/ and pkg/ on loopback. Stops on SIGINT/SIGTERM.
// Env: AZURITE_BLOB_URL (required), WWW_PORT (default 8080), WWW_ACCESS_LOG=1 (log each request),
// DEMO_CONTAINER (default checkpoints), DEMO_PROCESSORS=0 (no simulated processors).
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { join, extname, normalize, sep } from "node:path";
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
// DEMO_CONTAINER and DEMO_PROCESSORS=0 let each test file have its own quiet demo.
const container = process.env.DEMO_CONTAINER || "checkpoints";
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

const EXPIRY_S = 30; // the simulated processors' ownership expiry
const processors = process.env.DEMO_PROCESSORS === "0"
  ? { stop() {} }
  : startProcessors({ url, container, credential: sas, group, partitions: 16, expiryMs: EXPIRY_S * 1000, log: (m) => console.log(`[processors] ${m}`) });

// What the page is prefilled with; served only to this loopback page, never put in its URL.
const demoConfig = JSON.stringify({ accountUrl: url, sas, container, namespace: group[0], eventHub: group[1], consumerGroup: group[2], expiry: String(EXPIRY_S) });
const MIME = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json", ".png": "image/png" };
// The page's policy (as in its meta tag) narrowed to this emulator, plus what only a header can
// say: no framing.
const CSP = [
  "default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'", "img-src data:",
  `connect-src 'self' ${new URL(url).origin}`, "form-action 'none'", "base-uri 'none'", "frame-ancestors 'none'",
].join("; ");
const HEADERS = { "content-security-policy": CSP, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "cache-control": "no-store" };
// Only a loopback Host: a page elsewhere that points its own name at 127.0.0.1 (DNS rebinding)
// must not read the demo SAS from here.
const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/i;
const wwwRoot = join(root, "www");
const accessLog = process.env.WWW_ACCESS_LOG === "1";

function answer(req, res) {
  const send = (status, body = "", type = "text/plain; charset=utf-8", extra = {}) => {
    res.writeHead(status, { ...HEADERS, "content-type": type, ...extra });
    res.end(req.method === "HEAD" ? undefined : body);
    return status;
  };
  if (!LOOPBACK_HOST.test(req.headers.host ?? "")) return send(403, "This demo server answers only to a loopback host name (127.0.0.1, localhost, [::1]).\n");
  if (req.method !== "GET" && req.method !== "HEAD") return send(405, "", undefined, { allow: "GET, HEAD" });
  let path;
  try {
    path = decodeURIComponent(new URL(req.url, "http://127.0.0.1").pathname);
  } catch {
    return send(400, "Malformed URL.\n");
  }
  if (path.includes("\0") || path.includes("\\")) return send(400, "Malformed URL.\n");
  path = normalize(path);
  if (path === "/demo-config.json") return send(200, demoConfig, "application/json", { "x-inspector-demo": "www/run" });
  // The page and the package's browser entry; nothing else (not the demo's own files or scripts).
  const file = path.startsWith("/pkg/") ? join(root, path) : join(wwwRoot, path.endsWith("/") ? `${path}index.html` : path);
  const allowed = path.startsWith("/pkg/") ? /^\/pkg\/[\w./-]+\.(js|wasm)$/.test(path) && file.startsWith(join(root, "pkg") + sep) : file.startsWith(wwwRoot + sep) && !file.startsWith(join(wwwRoot, "demo") + sep) && !file.endsWith(`${sep}run`);
  if (!allowed) return send(404);
  return readFile(file).then((body) => send(200, body, MIME[extname(file)] ?? "application/octet-stream"), () => send(404));
}

const server = createServer(async (req, res) => {
  let status;
  try {
    status = await answer(req, res);
  } catch {
    // Whatever a request does, the server keeps serving the next one.
    if (!res.headersSent) res.writeHead(400);
    res.end();
    status = 400;
  }
  if (accessLog) console.log(`[www] ${req.method} ${req.url} ${status}`);
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
