// Hostile caller values for every position the API reads, and a seeded generator of nested
// ones. Used by hostile-child.mjs, which hostile-input.test.mjs runs in child processes so that
// a crash (exit, uncaught exception, wasm trap) is one case's failure, not the suite's end.
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { ACCOUNT, KEY, NS, EH, CG, ownership, checkpoint } from "./helpers.mjs";

/** The value a case's own code throws; a call must reject with exactly this object. */
export class Sentinel extends Error {}

// ---- Building blocks ---------------------------------------------------------------------

export function revoked(target) {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/** A Proxy of `target` whose `trap` throws `s` (counting in `hits`). */
export function trapped(target, trap, s, hits = { n: 0 }) {
  return new Proxy(target, {
    [trap]() {
      hits.n++;
      throw s;
    },
  });
}

/** An object every coercion of which throws `s`: refusing it must not coerce it. */
export function coercionBomb(s) {
  return { toString() { throw s; }, valueOf() { throw s; }, [Symbol.toPrimitive]() { throw s; } };
}

/** A copy of `obj` whose `field` getter throws `s`. */
export function throwingGetter(obj, field, s) {
  const copy = Array.isArray(obj) ? [...obj] : { ...obj };
  Object.defineProperty(copy, field, { get() { throw s; }, enumerable: true, configurable: true });
  return copy;
}

/** An object that passes for an AbortSignal; `hooks` override its members. */
export function fakeSignal(hooks = {}) {
  return { aborted: false, addEventListener() {}, removeEventListener() {}, ...hooks };
}

const detached = () => {
  const u = new Uint8Array(64);
  structuredClone(u.buffer, { transfer: [u.buffer] });
  return u;
};

const validToken = () => ({ token: "tok", expiresOnTimestamp: Date.now() + 3600_000 });

// The traps this package must never trigger: it only reads with [[Get]], so a Proxy whose other
// traps throw behaves as its target (the call goes through, the trap never runs).
const UNUSED_TRAPS = ["has", "ownKeys", "getOwnPropertyDescriptor", "getPrototypeOf", "set", "defineProperty", "deleteProperty", "isExtensible", "preventExtensions", "setPrototypeOf"];

// ---- The table -------------------------------------------------------------------------------
// Each case: { name, kind, run(ctx), expect }.
//   kind "call": run(ctx) calls ctx.store (through the counting proxy); it must return a promise.
//   kind "construct": run(ctx) constructs a store; it may throw synchronously.
//   kind "token": run(ctx) sets ctx.tokenResult / ctx.getToken and calls ctx.tokenStore.
//   expect: "own" (rejects with ctx.s itself), a RegExp (a TypeError whose message matches),
//   "abort" (an AbortError), "rest" (a RestError), "TypeError" (any TypeError), "ok", or
//   "settles" (resolves, or rejects with a TypeError).
// Unless the expectation is "ok", nothing may reach the network.

export function buildCases() {
  const cases = [];
  const add = (name, kind, run, expect) => cases.push({ name, kind, run, expect });
  const own0 = () => ownership(0, "a");
  const cp0 = () => checkpoint(0, 1, "1");
  const claim = (ctx, list, options) => ctx.store.claimOwnership(list, options);
  const update = (ctx, cp, options) => ctx.store.updateCheckpoint(cp, options);
  const list = (ctx, options) => ctx.store.listOwnership(NS, EH, CG, options);

  // Object levels: how to put a hostile value at each level the API reads, and the field
  // name a TypeError must start with.
  const levels = [
    { level: "ownerships", base: () => [own0()], at: (ctx, v) => claim(ctx, v), field: "ownerships" },
    { level: "ownerships[0]", base: own0, at: (ctx, v) => claim(ctx, [v]), field: "ownerships\\[0\\]" },
    { level: "ownerships[1]", base: own0, at: (ctx, v) => claim(ctx, [ownership(1, "a"), v]), field: "ownerships\\[1\\]" },
    { level: "checkpoint", base: cp0, at: (ctx, v) => update(ctx, v), field: "checkpoint" },
    { level: "options (listOwnership)", base: () => ({}), at: (ctx, v) => list(ctx, v), field: "options" },
    { level: "options (claimOwnership)", base: () => ({}), at: (ctx, v) => claim(ctx, [own0()], v), field: "options" },
    { level: "options (updateCheckpoint)", base: () => ({}), at: (ctx, v) => update(ctx, cp0(), v), field: "options" },
    { level: "options.abortSignal", base: () => fakeSignal(), at: (ctx, v) => list(ctx, { abortSignal: v }), field: "options\\.abortSignal" },
  ];
  for (const { level, base, at, field } of levels) {
    add(`${level}: revoked Proxy`, "call", (ctx) => at(ctx, revoked(base())), new RegExp(`^${field}(\\.\\w+)?: `));
    add(`${level}: Proxy whose get trap throws`, "call", (ctx) => at(ctx, trapped(base(), "get", ctx.s)), "own");
    for (const trap of UNUSED_TRAPS) {
      add(`${level}: Proxy whose ${trap} trap throws (never triggered)`, "call", (ctx) => at(ctx, trapped(base(), trap, ctx.s, ctx.hits)), "ok");
    }
  }

  // Every field of an ownership, a checkpoint and a signal: a throwing getter, and values that
  // must be refused without being coerced or read.
  const fieldValues = (s) => [
    ["a coercion bomb", coercionBomb(s)],
    ["a String object", new String("0")],
    ["a revoked Proxy", revoked({})],
    ["a Proxy whose get trap throws", trapped({}, "get", s)],
    ["a symbol", Symbol("x")],
    ["a string of 70,000 characters", "x".repeat(70_000)],
  ];
  for (const f of ["fullyQualifiedNamespace", "eventHubName", "consumerGroup", "partitionId", "ownerId", "etag"]) {
    add(`ownerships[0].${f}: getter throws`, "call", (ctx) => claim(ctx, [throwingGetter(own0(), f, ctx.s)]), "own");
    add(`ownerships[1].${f}: getter throws`, "call", (ctx) => claim(ctx, [own0(), throwingGetter(ownership(1, "a"), f, ctx.s)]), "own");
    for (const [what, make] of fieldValues(null).map(([w], i) => [w, (s) => fieldValues(s)[i][1]])) {
      add(`ownerships[0].${f}: ${what}`, "call", (ctx) => claim(ctx, [{ ...own0(), [f]: make(ctx.s) }]), new RegExp(`^ownerships\\[0\\]\\.${f}: `));
    }
  }
  for (const f of ["fullyQualifiedNamespace", "eventHubName", "consumerGroup", "partitionId", "sequenceNumber", "offset"]) {
    add(`checkpoint.${f}: getter throws`, "call", (ctx) => update(ctx, throwingGetter(cp0(), f, ctx.s)), "own");
    for (const [what, make] of fieldValues(null).map(([w], i) => [w, (s) => fieldValues(s)[i][1]])) {
      add(`checkpoint.${f}: ${what}`, "call", (ctx) => update(ctx, { ...cp0(), [f]: make(ctx.s) }), new RegExp(`^checkpoint\\.${f}: `));
    }
  }
  add("checkpoint.sequenceNumber: a Number object", "call", (ctx) => update(ctx, { ...cp0(), sequenceNumber: new Number(5) }), /^checkpoint\.sequenceNumber: /);
  add("checkpoint.sequenceNumber: a BigInt object", "call", (ctx) => update(ctx, { ...cp0(), sequenceNumber: Object(5n) }), /^checkpoint\.sequenceNumber: /);
  for (const [i, f] of ["fullyQualifiedNamespace", "eventHubName", "consumerGroup"].entries()) {
    for (const [what, make] of fieldValues(null).map(([w], j) => [w, (s) => fieldValues(s)[j][1]])) {
      add(`listCheckpoints ${f}: ${what}`, "call", (ctx) => {
        const args = [NS, EH, CG];
        args[i] = make(ctx.s);
        return ctx.store.listCheckpoints(...args);
      }, new RegExp(`^${f}: `));
    }
  }

  // Arrays: huge, lying lengths, holes.
  add("ownerships = new Array(2 ** 32 - 1)", "call", (ctx) => claim(ctx, new Array(2 ** 32 - 1)), /^ownerships: must have at most 4096 elements/);
  add("ownerships: 4,097 valid elements", "call", (ctx) => claim(ctx, Array.from({ length: 4097 }, (_, i) => ownership(i, "a"))), /^ownerships: must have at most 4096 elements/);
  for (const len of [2 ** 32 - 1, 1e10, -1, NaN, Infinity, 1.5, "1", null, 1n]) {
    add(`ownerships: a Proxy whose length says ${String(len)}`, "call", (ctx) => claim(ctx, new Proxy([own0()], { get: (t, k) => (k === "length" ? len : t[k]) })), /^ownerships: /);
  }
  add("ownerships: a length getter that throws", "call", (ctx) => claim(ctx, new Proxy([own0()], { get(t, k) { if (k === "length") throw ctx.s; return t[k]; } })), "own");
  add("ownerships: length says 3, one element", "call", (ctx) => claim(ctx, new Proxy([own0()], { get: (t, k) => (k === "length" ? 3 : t[k]) })), /^ownerships\[1\]: /);
  add("ownerships: an index getter that throws", "call", (ctx) => claim(ctx, throwingGetter([own0(), ownership(1, "a")], 1, ctx.s)), "own");
  // eslint-disable-next-line no-sparse-arrays
  add("ownerships: sparse [, o]", "call", (ctx) => claim(ctx, [, own0()]), /^ownerships\[0\]: /);
  // eslint-disable-next-line no-sparse-arrays
  add("ownerships: sparse [o, , o]", "call", (ctx) => claim(ctx, [own0(), , ownership(2, "a")]), /^ownerships\[1\]: /);
  add("ownerships: new Array(3)", "call", (ctx) => claim(ctx, new Array(3)), /^ownerships\[0\]: /);
  add("ownerships: an array-like object", "call", (ctx) => claim(ctx, { length: 1, 0: own0() }), /^ownerships: must be an array/);
  add("ownerships: a typed array", "call", (ctx) => claim(ctx, new Uint8Array(4)), /^ownerships: must be an array/);

  // The abort signal: read once at the door; its methods are the caller's code.
  const sig = (ctx, hooks) => list(ctx, { abortSignal: fakeSignal(hooks) });
  add("options.abortSignal: getter throws", "call", (ctx) => list(ctx, throwingGetter({}, "abortSignal", ctx.s)), "own");
  add("abortSignal.aborted: getter throws", "call", (ctx) => list(ctx, { abortSignal: throwingGetter(fakeSignal(), "aborted", ctx.s) }), "own");
  add("abortSignal.addEventListener: getter throws", "call", (ctx) => list(ctx, { abortSignal: throwingGetter(fakeSignal(), "addEventListener", ctx.s) }), "own");
  add("abortSignal.removeEventListener: getter throws", "call", (ctx) => list(ctx, { abortSignal: throwingGetter(fakeSignal(), "removeEventListener", ctx.s) }), "own");
  add("abortSignal.addEventListener throws when called", "call", (ctx) => sig(ctx, { addEventListener() { throw ctx.s; } }), "own");
  add("abortSignal.addEventListener calls the listener at once", "call", (ctx) => sig(ctx, { addEventListener(_t, l) { l(); } }), "abort");
  add("abortSignal.aborted is true", "call", (ctx) => sig(ctx, { aborted: true }), "abort");
  add("abortSignal.aborted is 'yes'", "call", (ctx) => sig(ctx, { aborted: "yes" }), /^options\.abortSignal: must be an AbortSignal/);
  add("abortSignal.addEventListener is a revoked Proxy", "call", (ctx) => sig(ctx, { addEventListener: revoked(() => {}) }), "TypeError");
  add("abortSignal.removeEventListener throws when called (the call still completes)", "call", (ctx) => sig(ctx, { removeEventListener() { throw ctx.s; } }), "ok");
  add("abortSignal keeps the listener and calls it after the call (twice)", "call", async (ctx) => {
    let listener;
    await sig(ctx, { addEventListener(_t, l) { listener = l; } });
    await new Promise((r) => setTimeout(r, 5));
    listener();
    listener();
  }, "ok");
  // Whether the host's getters accept a Proxy as receiver differs between hosts: either way,
  // the call settles (and with a TypeError if the host refuses).
  add("abortSignal: a real AbortSignal behind a Proxy", "call", (ctx) => list(ctx, { abortSignal: new Proxy(new AbortController().signal, {}) }), "settles");

  // The credential, read at construction.
  const build = (ctx, options) => new BlobCheckpointStore(ctx.url, ctx.container, options);
  const keyCred = () => ({ credential: { name: ACCOUNT, key: KEY } });
  add("constructor options: revoked Proxy", "construct", (ctx) => build(ctx, revoked(keyCred())), /^options: /);
  add("constructor options: Proxy whose get trap throws", "construct", (ctx) => build(ctx, trapped(keyCred(), "get", ctx.s)), "own");
  for (const trap of UNUSED_TRAPS) {
    add(`constructor options: Proxy whose ${trap} trap throws (never triggered)`, "construct", (ctx) => build(ctx, trapped(keyCred(), trap, ctx.s, ctx.hits)), "ok");
  }
  for (const f of ["credential", "apiVersion", "secondaryHostname", "retryOptions"]) {
    add(`options.${f}: getter throws`, "construct", (ctx) => build(ctx, throwingGetter(keyCred(), f, ctx.s)), "own");
  }
  add("options.credential: revoked Proxy", "construct", (ctx) => build(ctx, { credential: revoked({ name: ACCOUNT, key: KEY }) }), /^options\.credential: /);
  add("options.credential: Proxy whose get trap throws", "construct", (ctx) => build(ctx, { credential: trapped({ name: ACCOUNT, key: KEY }, "get", ctx.s) }), "own");
  add("options.credential: a coercion bomb", "construct", (ctx) => build(ctx, { credential: coercionBomb(ctx.s) }), /^options\.credential: /);
  add("options.credential: a string of 70,000 characters", "construct", (ctx) => build(ctx, { credential: "x".repeat(70_000) }), /^options\.credential: /);
  for (const f of ["getToken", "signature", "name", "key"]) {
    add(`options.credential.${f}: getter throws`, "construct", (ctx) => build(ctx, { credential: throwingGetter({ name: ACCOUNT, key: KEY }, f, ctx.s) }), "own");
  }
  for (const f of ["accountName", "accountKey"]) {
    add(`options.credential.${f}: getter throws`, "construct", (ctx) => build(ctx, { credential: throwingGetter({ accountName: ACCOUNT, accountKey: KEY }, f, ctx.s) }), "own");
  }
  add("options.credential.key: revoked Proxy", "construct", (ctx) => build(ctx, { credential: { name: ACCOUNT, key: revoked({}) } }), /^options\.credential\.key: /);
  add("options.credential.key: a detached Uint8Array", "construct", (ctx) => build(ctx, { credential: { name: ACCOUNT, key: detached() } }), /^options\.credential\.key: /);
  add("options.credential.key: 2,000 bytes", "construct", (ctx) => build(ctx, { credential: { name: ACCOUNT, key: new Uint8Array(2000) } }), /^options\.credential\.key: /);
  add("options.credential.key: a Uint8Array whose length getter lies", "construct", (ctx) => {
    const key = new Uint8Array(Buffer.from(KEY, "base64"));
    Object.defineProperty(key, "length", { get() { throw ctx.s; } });
    Object.defineProperty(key, "byteLength", { get() { throw ctx.s; } });
    return build(ctx, { credential: { name: ACCOUNT, key } });
  }, "ok");
  add("options.credential.name: a coercion bomb", "construct", (ctx) => build(ctx, { credential: { name: coercionBomb(ctx.s), key: KEY } }), /^options\.credential\.name: /);
  add("options.retryOptions: revoked Proxy", "construct", (ctx) => build(ctx, { ...keyCred(), retryOptions: revoked({}) }), /^options\.retryOptions: /);
  for (const f of ["maxRetries", "retryDelayInMs", "maxRetryDelayInMs", "timeoutInMs"]) {
    add(`options.retryOptions.${f}: getter throws`, "construct", (ctx) => build(ctx, { ...keyCred(), retryOptions: throwingGetter({}, f, ctx.s) }), "own");
    add(`options.retryOptions.${f}: a coercion bomb`, "construct", (ctx) => build(ctx, { ...keyCred(), retryOptions: { [f]: coercionBomb(ctx.s) } }), new RegExp(`^options\\.retryOptions\\.${f}: `));
  }
  add("blobAccountUrl: a coercion bomb", "construct", (ctx) => new BlobCheckpointStore(coercionBomb(ctx.s), ctx.container, keyCred()), /^blobAccountUrl: /);
  add("blobAccountUrl: a URL object", "construct", (ctx) => new BlobCheckpointStore(new URL(ctx.url), ctx.container, keyCred()), /^blobAccountUrl: /);
  add("containerName: revoked Proxy", "construct", (ctx) => new BlobCheckpointStore(ctx.url, revoked({}), keyCred()), /^containerName: /);
  add("connectionString: a coercion bomb", "construct", (ctx) => BlobCheckpointStore.fromConnectionString(coercionBomb(ctx.s), ctx.container), /^connectionString: /);
  add("connectionString: a string of 70,000 characters", "construct", (ctx) => BlobCheckpointStore.fromConnectionString("x".repeat(70_000), ctx.container), /^connectionString: /);

  // What getToken returns (the store asks when a call needs a token).
  const token = (name, result, expect) => add(`getToken result: ${name}`, "token", (ctx) => {
    ctx.tokenResult = result(ctx);
    return ctx.tokenStore.listOwnership(NS, EH, CG);
  }, expect);
  token("revoked Proxy", () => revoked(validToken()), /^credential\.getToken\(\)\.then: /);
  token("Proxy whose get trap throws", (ctx) => trapped(validToken(), "get", ctx.s), "own");
  for (const trap of UNUSED_TRAPS) token(`Proxy whose ${trap} trap throws (never triggered)`, (ctx) => trapped(validToken(), trap, ctx.s, ctx.hits), "ok");
  token("token getter throws", (ctx) => throwingGetter(validToken(), "token", ctx.s), "own");
  token("expiresOnTimestamp getter throws", (ctx) => throwingGetter(validToken(), "expiresOnTimestamp", ctx.s), "own");
  token("token is a coercion bomb", (ctx) => ({ ...validToken(), token: coercionBomb(ctx.s) }), /^credential\.getToken\(\)\.token: /);
  token("token is a String object", () => ({ ...validToken(), token: new String("tok") }), /^credential\.getToken\(\)\.token: /);
  token("token of 70,000 characters", () => ({ ...validToken(), token: "x".repeat(70_000) }), /^credential\.getToken\(\)\.token: /);
  token("expiresOnTimestamp is a coercion bomb", (ctx) => ({ ...validToken(), expiresOnTimestamp: coercionBomb(ctx.s) }), /^credential\.getToken\(\)\.expiresOnTimestamp: /);
  token("a promise whose constructor getter throws", (ctx) => {
    const p = Promise.resolve(validToken());
    Object.defineProperty(p, "constructor", { get() { throw ctx.s; } });
    return p;
  }, "own");
  token("a thenable whose then getter throws", (ctx) => throwingGetter({}, "then", ctx.s), "own");
  token("a thenable that throws", (ctx) => ({ then() { throw ctx.s; } }), "rest");
  token("a Proxy that revokes itself once its then is read", () => {
    const r = Proxy.revocable(validToken(), { get(t, k) { if (k === "then") r.revoke(); return t[k]; } });
    return r.proxy;
  }, /^credential\.getToken\(\)\.token: /);
  token("a promise that rejects", (ctx) => Promise.reject(ctx.s), "rest");
  add("getToken throws synchronously", "token", (ctx) => {
    ctx.getToken = () => { throw ctx.s; };
    return ctx.tokenStore.listOwnership(NS, EH, CG);
  }, "rest");
  return cases;
}

// ---- The generator ---------------------------------------------------------------------------

/** Garbage of every type, for any position. */
function garbage(rand, s) {
  const all = [
    () => undefined, () => null, () => 0, () => -1, () => NaN, () => 2 ** 53, () => -0, () => 1n, () => 2n ** 64n,
    () => "", () => "x".repeat(Math.floor(rand() * 100_000)), () => "\u0000\n\u00ff", () => Symbol("g"), () => true,
    () => () => 1, () => coercionBomb(s), () => new String("x"), () => new Number(1), () => revoked({}),
    () => revoked(() => {}), () => trapped({}, "get", s), () => [], () => new Array(2 ** 32 - 1), () => new Uint8Array(3),
    () => new Date(), () => new Map(), () => Object.create(null), () => new Proxy(function () {}, {}),
  ];
  return all[Math.floor(rand() * all.length)]();
}

/** `base` made hostile at a random depth: replaced, wrapped in a Proxy, or changed inside. */
export function hostile(rand, base, s, depth = 0) {
  const r = rand();
  if (depth > 0 && r < 0.35) return base;
  if (r < 0.5 || base === null || typeof base !== "object") return garbage(rand, s);
  const traps = ["get", "has", "ownKeys", "getOwnPropertyDescriptor", "getPrototypeOf"];
  if (r < 0.6) return revoked(base);
  if (r < 0.75) {
    const handler = {};
    for (const t of traps) if (rand() < 0.4) handler[t] = () => { throw s; };
    if (rand() < 0.3) handler.get = (t, k) => (rand() < 0.5 ? garbage(rand, s) : t[k]);
    return new Proxy(base, handler);
  }
  const copy = Array.isArray(base) ? [...base] : { ...base };
  const keys = Object.keys(copy);
  if (Array.isArray(copy) && rand() < 0.2) {
    copy.length += Math.floor(rand() * 3); // holes at the end
  }
  if (keys.length === 0) return copy;
  const k = keys[Math.floor(rand() * keys.length)];
  const how = rand();
  if (how < 0.3) Object.defineProperty(copy, k, { get() { throw s; }, enumerable: true });
  else if (how < 0.4) delete copy[k];
  else copy[k] = hostile(rand, copy[k], s, depth + 1);
  return copy;
}

/** One random call: [description, () => the call's result (a promise, or a store)]. */
export function randomCall(rand, ctx) {
  const s = new Sentinel("fuzz");
  const signal = () => (rand() < 0.5 ? fakeSignal({
    addEventListener: (_t, l) => { if (rand() < 0.2) l(); else if (rand() < 0.2) setTimeout(l, Math.floor(rand() * 5)); else if (rand() < 0.1) throw s; },
    removeEventListener: () => { if (rand() < 0.2) throw s; },
  }) : new AbortController().signal);
  const options = () => (rand() < 0.3 ? undefined : hostile(rand, { abortSignal: signal() }, s));
  const pid = () => String(Math.floor(rand() * 8));
  const ops = [
    ["claimOwnership", () => ctx.store.claimOwnership(hostile(rand, [ownership(pid(), "f"), ownership(pid(), "f", { etag: '"0x1"' })], s), options())],
    ["updateCheckpoint", () => ctx.store.updateCheckpoint(hostile(rand, checkpoint(pid(), 1, "1"), s), options())],
    ["listOwnership", () => ctx.store.listOwnership(...[NS, EH, CG].map((v) => hostile(rand, v, s, 1)), options())],
    ["listCheckpoints", () => ctx.store.listCheckpoints(hostile(rand, NS, s), EH, CG, options())],
    ["constructor", () => new BlobCheckpointStore(ctx.url, ctx.container, hostile(rand, { credential: { name: ACCOUNT, key: KEY }, retryOptions: { maxRetries: 1 } }, s))],
    ["getToken result", () => {
      ctx.tokenResult = hostile(rand, validToken(), s);
      return ctx.freshTokenStore().listOwnership(NS, EH, CG, options());
    }],
  ];
  return ops[Math.floor(rand() * ops.length)];
}

export { validToken };
