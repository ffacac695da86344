// A loopback HTTP proxy in front of Azurite that records every request and can delay or
// answer requests itself. It forwards to the real emulator: it never plays Blob Storage.
import http from "node:http";

/**
 * Starts a proxy to `target` (e.g. http://127.0.0.1:PORT). Options:
 *   delayMs: wait before forwarding each request;
 *   port: listen on this port (default: any free one);
 *   intercept(req): return { status, headers, body } to answer without forwarding.
 * Returns { url (with the target's path), requests, maxInFlight, close() }.
 */
export async function startProxy(targetUrl, { delayMs = 0, port = 0, intercept } = {}) {
  const target = new URL(targetUrl);
  const state = { requests: [], inFlight: 0, maxInFlight: 0 };
  const server = http.createServer((req, res) => {
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    state.requests.push({ method: req.method, url: req.url, headers: { ...req.headers }, at: Date.now() });
    const done = () => { state.inFlight--; };
    res.on("close", done);
    const forward = () => {
      const canned = intercept?.(req);
      if (canned) {
        res.writeHead(canned.status, canned.headers ?? {});
        res.end(canned.body ?? "");
        return;
      }
      const upstream = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode, up.headers);
          up.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      req.pipe(upstream);
    };
    if (delayMs > 0) setTimeout(forward, delayMs);
    else forward();
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const actualPort = server.address().port;
  return {
    url: `http://127.0.0.1:${actualPort}${target.pathname.replace(/\/$/, "")}`,
    port: actualPort,
    get requests() { return state.requests; },
    get maxInFlight() { return state.maxInFlight; },
    reset() { state.requests.length = 0; state.maxInFlight = 0; },
    close() {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}
