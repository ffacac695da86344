// Shared by the dispose scripts (Node, Deno, Chromium): how each call on a store ends, without
// letting a synchronous throw escape, so a report shows exactly what a user would meet.

/** How `call()` ended: threw synchronously, resolved, or rejected (with name, code, message). */
export async function outcome(call) {
  let p;
  try {
    p = call();
  } catch (e) {
    return { threwSynchronously: String(e) };
  }
  if (!(p instanceof Promise)) return { returnedNonPromise: String(p) };
  return p.then(
    (v) => ({ resolved: Array.isArray(v) ? `array of ${v.length}` : String(v) }),
    (e) => ({ rejected: { name: e?.name, code: e?.code, message: e?.message } }),
  );
}

const ns = "ns.servicebus.windows.net";
const own = { fullyQualifiedNamespace: ns, eventHubName: "telemetry", consumerGroup: "$Default", partitionId: "0", ownerId: "a" };
/** Valid arguments of the methods whose arguments these scripts know. */
const ARGS = {
  listOwnership: [ns, "telemetry", "$Default"],
  listCheckpoints: [ns, "telemetry", "$Default"],
  claimOwnership: [[own]],
  updateCheckpoint: [{ ...own, sequenceNumber: 1, offset: "0" }],
};

/**
 * Every method of the class called on `store` (with valid arguments where known, else none),
 * then Symbol.asyncDispose; free() and the glue's own `__` helpers aside.
 */
export async function everyCall(store) {
  const proto = Object.getPrototypeOf(store);
  const names = Object.getOwnPropertyNames(proto).filter((n) => !["constructor", "free"].includes(n) && !n.startsWith("__") && typeof proto[n] === "function");
  const out = {};
  for (const n of names) out[n] = await outcome(() => store[n](...(ARGS[n] ?? [])));
  out["Symbol.asyncDispose"] = await outcome(() => store[Symbol.asyncDispose]());
  return out;
}

/** Whether this runtime parses `src` as the body of an async function. */
export function parses(src) {
  try {
    new (Object.getPrototypeOf(async function () {}).constructor)(src);
    return true;
  } catch {
    return false;
  }
}

/** The facts each script reports besides its own block. */
export function facts() {
  return {
    hasAsyncDispose: typeof Symbol.asyncDispose === "symbol",
    hasDispose: typeof Symbol.dispose === "symbol",
    parsesAwaitUsing: parses("await using x = null;"),
  };
}

/** free(), Symbol.dispose and close() on fresh stores: what every later call does. */
export async function otherEnds(BlobCheckpointStore, make) {
  const freed = make();
  freed.free();
  const disposed = make();
  disposed[Symbol.dispose]();
  const closed = make();
  await closed.close();
  return { afterFree: await everyCall(freed), afterDispose: await everyCall(disposed), afterClose: await everyCall(closed) };
}

/**
 * Lets a call just made start (its request sent): a call not yet started when the store closes
 * rejects as closed, like any later call.
 */
export const sent = () => new Promise((r) => setTimeout(r, 0));

/** Counts calls of close() (disposal must close the store, not only free it). */
export function countCloses(BlobCheckpointStore) {
  const proto = BlobCheckpointStore.prototype;
  const close = proto.close;
  const count = { closes: 0 };
  proto.close = function (...args) {
    count.closes++;
    return close.apply(this, args);
  };
  return count;
}
