// The transport's own bounds, against small loopback servers that misbehave: response bodies
// are capped before they are copied into wasm, and redirects are never followed.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { gzipSync } from "node:zlib";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { KEY, NS, EH, CG, checkpoint } from "./helpers.mjs";

/** A loopback server answering every request with `handler`; counts requests. */
async function serve(handler) {
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method, url: req.url });
    res.on("error", () => {});
    req.socket.on("error", () => {});
    handler(req, res);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/devstoreaccount1`,
    requests,
    close: () => { server.closeAllConnections(); return new Promise((r) => server.close(r)); },
  };
}

const fast = { retryOptions: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 20, timeoutInMs: 10_000 } };
const MIB = 1024 * 1024;

test("a response body over 32 MiB is refused, not copied nor tried again: by its stated length, as it streams without one, endless, or compressed", async () => {
  const declared = await serve((req, res) => {
    res.writeHead(200, { "content-type": "application/xml", "content-length": String(40 * MIB) });
    res.write("<EnumerationResults>");
    // Never finished: the client must stop reading on the stated length alone.
  });
  const streamed = await serve((req, res) => {
    res.writeHead(200, { "content-type": "application/xml" }); // chunked, no length
    const chunk = "x".repeat(MIB);
    let sent = 0;
    const more = () => {
      while (sent < 33) {
        sent++;
        if (!res.write(chunk)) return res.once("drain", more);
      }
      res.end();
    };
    more();
  });
  // Never ends: the client must stop at the limit, not at the try's 10 s time-out.
  let endlessWritten = 0;
  const endless = await serve((req, res) => {
    res.writeHead(200, { "content-type": "application/xml" });
    const chunk = "x".repeat(MIB);
    const more = () => {
      while (!res.destroyed) {
        endlessWritten += MIB;
        if (!res.write(chunk)) return res.once("drain", more);
      }
    };
    res.on("close", () => { res.destroyed = true; });
    more();
  });
  // 40 MiB of zeros gzipped to about 40 KB, with a stated length that small: counted as decoded.
  const bomb = gzipSync(Buffer.alloc(40 * MIB));
  const compressed = await serve((req, res) => {
    res.writeHead(200, { "content-type": "application/xml", "content-encoding": "gzip", "content-length": String(bomb.length) });
    res.end(bomb);
  });
  try {
    for (const server of [declared, streamed, endless, compressed]) {
      const store = new BlobCheckpointStore(server.url, "ctr", { credential: KEY, ...fast });
      const t = performance.now();
      const err = await store.listOwnership(NS, EH, CG).then(() => null, (e) => e);
      assert.equal(err?.name, "RestError", String(err));
      assert.equal(err.code, "ResponseTooLarge", err.message);
      assert.equal(err.statusCode, 200);
      assert.match(err.message, /^listOwnership failed for 'ctr\/.*': the response body is larger than 33554432 bytes \(status 200\); not read further, and not tried again$/);
      assert.equal(server.requests.length, 1, "tried again");
      assert.ok(performance.now() - t < 8000, `took ${performance.now() - t} ms`);
    }
    // What the endless server got out before the client stopped: the limit and what the
    // sockets buffer, not an ever-growing stream.
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(endlessWritten < 48 * MIB, `the endless server wrote ${endlessWritten / MIB} MiB`);
  } finally {
    for (const s of [declared, streamed, endless, compressed]) await s.close();
  }
});

test("redirects are never followed: a 3xx rejects the call with its status, and the target receives nothing", async () => {
  const target = await serve((req, res) => { res.writeHead(201); res.end(); });
  const redirecting = await serve((req, res) => {
    const status = Number(new URL(req.url, "http://x").searchParams.get("s") ?? 0) || [301, 302, 303, 307, 308][redirecting.requests.length % 5];
    res.writeHead(status, { location: `${target.url}${req.url}` });
    res.end();
  });
  try {
    const store = new BlobCheckpointStore(redirecting.url, "ctr", { credential: KEY, ...fast });
    const seen = new Set();
    for (let i = 0; i < 5; i++) {
      const err = await store.updateCheckpoint(checkpoint(0, i, String(i))).then(() => null, (e) => e);
      assert.equal(err?.name, "RestError", String(err));
      assert.ok(err.statusCode >= 300 && err.statusCode < 400, `status ${err.statusCode}`);
      seen.add(err.statusCode);
    }
    assert.equal(seen.size, 5, `every 3xx status: ${[...seen]}`);
    assert.equal(target.requests.length, 0, "nothing was sent to the redirect target");
  } finally {
    await redirecting.close();
    await target.close();
  }
});
