// The floor: the same requests as the store sends, pre-signed with a SAS, no store logic.

export async function floorUpdate(b, c, signal) {
  const url = `${b.url}/${b.container}/${c.fullyQualifiedNamespace}/telemetry/%24default/checkpoint/${c.partitionId}`;
  const meta = { "x-ms-version": "2019-07-07", "x-ms-meta-sequencenumber": String(c.sequenceNumber), "x-ms-meta-offset": String(c.offset) };
  const res = await fetch(`${url}?comp=metadata&${b.sas}`, { method: "PUT", headers: meta, signal });
  await res.arrayBuffer();
  if (res.status === 404) {
    const put = await fetch(`${url}?${b.sas}`, { method: "PUT", headers: { ...meta, "x-ms-blob-type": "BlockBlob" }, signal });
    await put.arrayBuffer();
    if (!put.ok) throw new Error(`floor put ${put.status}`);
  } else if (!res.ok) throw new Error(`floor set metadata ${res.status}`);
}

/**
 * The floor's update with a time-out, as every try of a store must have one (work against a
 * server is bounded): an AbortController on the fetch and a timer, as src/wasm/transport.js sets
 * per try. Not the goal's floor: it shows what bounding a try costs in each runtime.
 */
export async function floorUpdateBounded(b, c) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 30_000);
  try {
    await floorUpdate(b, c, controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

/** The floor of a list: every page read, the next marker found, nothing parsed. */
export async function floorList(b, ns) {
  const base = `${b.url}/${b.container}?restype=container&comp=list&prefix=${encodeURIComponent(`${ns}/telemetry/$default/checkpoint/`)}&include=metadata&${b.sas}`;
  let marker = "";
  let bytes = 0;
  do {
    const text = await (await fetch(marker ? `${base}&marker=${encodeURIComponent(marker)}` : base)).text();
    bytes += text.length;
    const i = text.indexOf("<NextMarker>");
    marker = i < 0 ? "" : text.slice(i + 12, text.indexOf("</NextMarker>", i));
  } while (marker);
  return bytes;
}
