// The floor: the same requests as the store sends, pre-signed with a SAS, no store logic.

export async function floorUpdate(b, c) {
  const url = `${b.url}/${b.container}/${c.fullyQualifiedNamespace}/telemetry/%24default/checkpoint/${c.partitionId}`;
  const meta = { "x-ms-version": "2019-07-07", "x-ms-meta-sequencenumber": String(c.sequenceNumber), "x-ms-meta-offset": String(c.offset) };
  const res = await fetch(`${url}?comp=metadata&${b.sas}`, { method: "PUT", headers: meta });
  await res.arrayBuffer();
  if (res.status === 404) {
    const put = await fetch(`${url}?${b.sas}`, { method: "PUT", headers: { ...meta, "x-ms-blob-type": "BlockBlob" } });
    await put.arrayBuffer();
    if (!put.ok) throw new Error(`floor put ${put.status}`);
  } else if (!res.ok) throw new Error(`floor set metadata ${res.status}`);
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
