// The wasm's linear memory is bounded by a page of a listing, not by the listing: it never
// shrinks, so a peak paid once is kept for the life of the Worker or page. Each figure comes from
// a fresh process; the pages are made small (a proxy adds `maxresults` to each list request, which
// a SAS leaves valid) so that a few thousand blobs make many pages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startProxy } from "./proxy.mjs";
import { URL_, KEY, EH, CG, accountSas, newContainer } from "./helpers.mjs";
import { run } from "./runtime-tools.mjs";

const PAGE = 50;

/** Puts n checkpoints of namespace `ns` (eight in flight). */
async function seed(container, ns, n) {
  const sas = accountSas();
  let next = 0;
  await Promise.all([...Array(8)].map(async () => {
    while (next < n) {
      const p = next++;
      const res = await fetch(`${URL_}/${container}/${ns}/${EH}/${encodeURIComponent(CG.toLowerCase())}/checkpoint/${p}?${sas}`, {
        method: "PUT",
        headers: { "x-ms-version": "2019-07-07", "x-ms-blob-type": "BlockBlob", "x-ms-meta-sequencenumber": String(p), "x-ms-meta-offset": String(p * 1000) },
      });
      await res.arrayBuffer();
      assert.ok(res.ok, `seed put ${res.status}`);
    }
  }));
}

/** In a new Node process: the wasm memory after listing `ns`'s checkpoints through `url`. */
async function memoryAfterListing(url, container, ns, sas, n) {
  const script = `import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
    const glue = await import(new URL("./wasm/checkpointstore.js", import.meta.resolve("eventhubs-checkpointstore-blob-wasm")));
    const s = new BlobCheckpointStore(process.env.U, process.env.C, { credential: process.env.S });
    const l = await s.listCheckpoints(process.env.NS, ${JSON.stringify(EH)}, ${JSON.stringify(CG)});
    if (l.length !== ${n}) throw new Error("listed " + l.length);
    console.log(glue.initSync({ module: new Uint8Array(0) }).memory.buffer.byteLength);`;
  // Not spawnSync: the proxy the child talks to runs in this process's event loop.
  const out = await run(process.execPath, ["--input-type=module", "-e", script], { env: { U: url, C: container, S: sas, NS: ns } });
  return Number(out.trim());
}

test("wasm memory after listing 3,000 checkpoints in 60 pages is no larger than after 100 in 2", async () => {
  const container = await newContainer("mem");
  await seed(container, "small.servicebus.windows.net", 100);
  await seed(container, "big.servicebus.windows.net", 3000);
  const lists = [];
  const proxy = await startProxy(URL_, {
    intercept(req) {
      // Forwarded with smaller pages: the proxy's request object is what it forwards.
      if (req.url.includes("comp=list")) {
        req.url += `&maxresults=${PAGE}`;
        lists.push(req.url);
      }
      return null;
    },
  });
  try {
    const sas = accountSas();
    const small = await memoryAfterListing(proxy.url, container, "small.servicebus.windows.net", sas, 100);
    const smallPages = lists.length;
    const big = await memoryAfterListing(proxy.url, container, "big.servicebus.windows.net", sas, 3000);
    assert.equal(smallPages, 100 / PAGE, "pages of the small listing");
    assert.equal(lists.length - smallPages, 3000 / PAGE, "pages of the big listing");
    // A listing that kept its blobs in wasm memory would hold hundreds of KB more; one 64 KiB
    // page of growth is allowed for where the allocator happens to stand.
    assert.ok(big <= small + 65536, `wasm memory ${big} bytes after 3,000 vs ${small} after 100`);
  } finally {
    await proxy.close();
  }
});
