// One try of a request, in one crossing of the wasm boundary (src/wasm/fetch.rs calls it).
// Doing the try here rather than step by step from Rust saves about a dozen crossings and two
// wasm closures per request: the AbortController, the init, fetch, the status, the headers the
// core reads and the body all stay on this side, and one string goes back.
//
// Resolves with one string:
//   "T"                        the try's own time-out ended it;
//   "L<status>"                the body is larger than `maxBody` (stated, or counted while it
//                              streamed: reading stopped there);
//   "<status>\n<h1>\n<h2>...\n<body>"  a response: for each name in `wanted` (comma-separated),
//                              "" when absent, ":" + value when present (values have no newline).
// Rejects with what fetch or the body threw (a network error, or the call's abort).

/**
 * @param {string} url
 * @param {string} init JSON of { method, redirect, headers }
 * @param {number} timeoutMs 1..2^31-1
 * @param {AbortSignal | undefined} callSignal the call's own signal (only when the caller gave one)
 * @param {string} wantedOk header names to copy from a 2xx answer
 * @param {string} wantedFailed header names to copy from any other answer
 * @param {number} maxBody the largest body read, in bytes (as sent, and as decoded when the
 *   response was compressed)
 */
export async function sendTry(url, init, timeoutMs, callSignal, wantedOk, wantedFailed, maxBody) {
  const controller = new AbortController();
  const options = JSON.parse(init);
  options.signal = controller.signal;
  let timedOut = false;
  // Checked against the clock when it fires: Node counts a timer from the start of the
  // event-loop turn that set it, so after a long turn it fires early.
  const due = Date.now() + timeoutMs;
  let timer;
  const tick = () => {
    const left = due - Date.now();
    if (left > 1) {
      timer = setTimeout(tick, left);
    } else {
      timedOut = true;
      controller.abort();
    }
  };
  timer = setTimeout(tick, timeoutMs);
  const onAbort = () => controller.abort();
  callSignal?.addEventListener("abort", onAbort);
  try {
    const resp = await fetch(url, options);
    if (!(resp instanceof Response)) throw new TypeError("fetch did not return a Response");
    const status = resp.status;
    // redirect: "manual" in a browser: an opaque-redirect response, status 0, nothing to read.
    if (status === 0) return "0";
    const headers = resp.headers;
    let out = String(status);
    for (const name of (status >= 200 && status < 300 ? wantedOk : wantedFailed).split(",")) {
      const v = headers.get(name);
      out += v === null ? "\n" : `\n:${v}`;
    }
    const stated = headers.get("content-length");
    if (stated !== null && Number(stated.trim()) > maxBody) {
      controller.abort(); // ends the download: nothing of the body is read
      return `L${status}`;
    }
    // Always read the body otherwise: Node keeps the connection busy until it is consumed.
    // An empty one (every write's answer) the quick way; any other counted as it streams, so
    // a server that sends without a length, or a small compressed body that decodes to a huge
    // one, is cut off at maxBody rather than held in memory whole.
    const body = stated !== null && stated.trim() === "0" ? await resp.text() : await readCapped(resp, maxBody);
    if (body === null) {
      controller.abort();
      return `L${status}`;
    }
    if (typeof body !== "string") throw new TypeError("the response body is not text");
    return `${out}\n${body}`;
  } catch (e) {
    if (timedOut) return "T";
    throw e;
  } finally {
    clearTimeout(timer);
    callSignal?.removeEventListener("abort", onAbort);
  }
}

const decoder = new TextDecoder();

/** The body as text (UTF-8, as `text()` decodes it), or null once it passes `maxBody` bytes. */
async function readCapped(resp, maxBody) {
  if (resp.body === null) return "";
  const reader = resp.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBody) {
      reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return decoder.decode(chunks[0]);
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return decoder.decode(all);
}
