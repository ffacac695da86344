// A loopback HTTP proxy in front of Azurite that records every request and can delay, fail or
// answer requests itself. It forwards to the real emulator: it never plays Blob Storage.
import http from "node:http";

/** A small seeded PRNG (mulberry32), so a fault schedule can be replayed from its seed. */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A fault schedule: each request is faulted with probability `rate`, the kind drawn evenly
 * from `kinds`. Kinds: "503", "500", "429" (with Retry-After: `retryAfter` seconds), "reset-before" (the
 * connection is dropped, nothing forwarded), "reset-after" (forwarded and applied, then the
 * connection is dropped before the answer), "stall" (held past the client's time-out, then
 * dropped without forwarding).
 */
export function faultSchedule({ seed = 1, rate = 0.25, kinds = ["503", "500", "429", "reset-before", "reset-after", "stall"], stallMs = 1500, retryAfter = "1", filter = () => true } = {}) {
  const random = seeded(seed);
  const counts = Object.fromEntries(kinds.map((k) => [k, 0]));
  const decide = (req) => {
    if (!filter(req) || random() >= rate) return null;
    const kind = kinds[Math.floor(random() * kinds.length)];
    counts[kind]++;
    switch (kind) {
      case "503": return { status: 503, headers: { "x-ms-error-code": "ServerBusy" } };
      case "500": return { status: 500, headers: { "x-ms-error-code": "InternalError" } };
      case "429": return { status: 429, headers: { "retry-after": retryAfter, "x-ms-error-code": "ServerBusy" } };
      case "reset-before": return { reset: "before" };
      case "reset-after": return { reset: "after" };
      case "stall": return { stallMs };
      default: throw new Error(kind);
    }
  };
  return { decide, counts, get total() { return Object.values(counts).reduce((a, b) => a + b, 0); } };
}

/**
 * Starts a proxy to `targetUrl` (e.g. http://127.0.0.1:PORT/devstoreaccount1). Options:
 *   delayMs: wait before handling each request;
 *   port: listen on this port (default: any free one);
 *   intercept(req): return null to forward, or an action:
 *     { status, headers?, body? }   answer without forwarding;
 *     { reset: "before" }           drop the connection, forward nothing;
 *     { reset: "after", then? }     forward, await `then()` if given, then drop the connection;
 *     { stallMs }                   hold the request, then drop it unforwarded.
 * Returns { url, port, requests, maxInFlight, reset(), close() }.
 */
export async function startProxy(targetUrl, { delayMs = 0, port = 0, intercept } = {}) {
  const target = new URL(targetUrl);
  const state = { requests: [], inFlight: 0, maxInFlight: 0 };
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    state.requests.push({ method: req.method, url: req.url, headers: { ...req.headers }, at: Date.now() });
    res.on("close", () => { state.inFlight--; });
    const forward = (onResponse) => {
      const upstream = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        onResponse,
      );
      upstream.on("error", () => res.destroy());
      req.pipe(upstream);
    };
    const handle = () => {
      const action = intercept?.(req);
      if (!action) {
        forward((up) => {
          res.writeHead(up.statusCode, up.headers);
          up.pipe(res);
        });
      } else if (action.status) {
        req.resume();
        res.writeHead(action.status, action.headers ?? {});
        res.end(action.body ?? "");
      } else if (action.reset === "before") {
        req.socket.destroy();
      } else if (action.reset === "after") {
        forward(async (up) => {
          up.resume();
          await new Promise((r) => up.on("end", r));
          await action.then?.();
          req.socket.destroy();
        });
      } else if (action.stallMs) {
        req.resume();
        setTimeout(() => req.socket.destroy(), action.stallMs);
      }
    };
    if (delayMs > 0) setTimeout(handle, delayMs);
    else handle();
  });
  server.on("connection", (s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
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
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}
