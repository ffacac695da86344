// A hostile Blob "service" on loopback for the store to talk to: each test gives it a handler
// that answers as a broken or malicious server would (endless markers, redirects, huge pages,
// absurd Retry-After, errors that echo secrets). It records every request it receives.
import http from "node:http";

/**
 * Starts a server on 127.0.0.1 with `handler(req, res, n)` (`n`: 1 for the first request).
 * Returns { url (with the account path), origin, requests, close() }.
 */
export async function startHostile(handler = (req, res) => res.writeHead(500).end()) {
  const requests = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, headers: { ...req.headers }, at: performance.now() });
    req.resume();
    try {
      handler(req, res, requests.length);
    } catch (e) {
      res.writeHead(599).end(String(e));
    }
  });
  server.on("connection", (s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    url: `${origin}/devstoreaccount1`,
    requests,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}

/** A List Blobs page with `names` (zero-length blobs, an owner id each) and an optional marker. */
export function listPage(names = [], marker) {
  const blobs = names
    .map((n) => `<Blob><Name>${n}</Name><Properties><Last-Modified>Tue, 24 Nov 2026 05:44:55 GMT</Last-Modified><Etag>0x8DD1</Etag></Properties><Metadata><ownerid>w</ownerid></Metadata></Blob>`)
    .join("");
  const next = marker === undefined ? "<NextMarker/>" : `<NextMarker>${marker}</NextMarker>`;
  return `<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs>${blobs}</Blobs>${next}</EnumerationResults>`;
}

/** Answers a listing page. */
export function sendPage(res, names, marker) {
  res.writeHead(200, { "content-type": "application/xml", "x-ms-request-id": "hostile-page" });
  res.end(listPage(names, marker));
}

/** Every own property of an error (message, stack, code, requestId, claimedOwnerships...) as text. */
export function everyProperty(err) {
  return Object.getOwnPropertyNames(err).map((k) => {
    const v = err[k];
    return `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`;
  });
}
