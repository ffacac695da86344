// Prepares the test Azurite: CORS for the browser suites (the page runs on another origin and
// must read ETag and the error headers), and the containers the wasm suites use.
import { service } from "./helpers.mjs";

await service.setProperties({
  cors: [
    {
      allowedOrigins: "*",
      allowedMethods: "GET,HEAD,PUT,POST,DELETE,OPTIONS",
      allowedHeaders: "*",
      exposedHeaders: "etag,last-modified,x-ms-error-code,x-ms-request-id,retry-after,x-ms-retry-after-ms",
      maxAgeInSeconds: 3600,
    },
  ],
});
for (const name of ["wasm-node", "wasm-chrome"]) {
  await service.getContainerClient(name).createIfNotExists();
}
console.log("[azurite] CORS set; containers wasm-node, wasm-chrome ready");
