// Runs hostile cases in a child process, for hostile-input.test.mjs, and reports each over IPC
// before and after it runs: when this process dies (exit, uncaught exception, wasm trap), the
// parent knows which case killed it and starts another child after it.
//   node hostile-child.mjs table FIRST     cases FIRST.. of buildCases()
//   node hostile-child.mjs fuzz SEED COUNT  COUNT random calls from SEED
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { KEY, URL_, NS, EH, CG, newContainer, checkpoint, assertNoSecret } from "./helpers.mjs";
import { startProxy, seeded } from "./proxy.mjs";
import { buildCases, randomCall, Sentinel, validToken } from "./hostile-cases.mjs";
import assert from "node:assert/strict";

const send = (msg) => new Promise((resolve) => process.send(msg, resolve));
const fatal = async (kind, e) => {
  await send({ type: "crash", detail: `${kind}: ${e?.stack ?? e}` });
  process.exit(70);
};
process.on("uncaughtException", (e) => fatal("uncaught exception", e));
process.on("unhandledRejection", (e) => fatal("unhandled rejection", e));

const LISTING = { status: 200, headers: { "content-type": "application/xml" }, body: "<EnumerationResults><Blobs/></EnumerationResults>" };

/** Settles `p` or fails after `ms`: every call must settle. */
function within(p, ms, what) {
  let timer;
  return Promise.race([
    Promise.resolve(p).finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: did not settle within ${ms} ms`)), ms); }),
  ]);
}

async function setUp() {
  const container = await newContainer("hostile");
  const proxy = await startProxy(URL_);
  const tokenProxy = await startProxy(URL_, { intercept: () => LISTING });
  const ctx = {
    container,
    proxy,
    tokenProxy,
    url: proxy.url,
    store: new BlobCheckpointStore(proxy.url, container, { credential: KEY }),
    hits: { n: 0 },
    tokenResult: validToken(),
    getToken: null,
    valid: 0,
  };
  ctx.freshTokenStore = () => {
    ctx.getToken = null;
    ctx.tokenStore = new BlobCheckpointStore(tokenProxy.url, container, {
      credential: { getToken: (...args) => (ctx.getToken ? ctx.getToken(...args) : ctx.tokenResult) },
    });
    return ctx.tokenStore;
  };
  await ctx.store.updateCheckpoint(checkpoint(0, 0, "0"));
  return ctx;
}

/** The same stores still complete valid calls. `exact`: exactly one request is sent (in the
 * generator, a call aborted by a random signal may leave its request arriving late). */
async function stillWorks(ctx, exact = true) {
  const before = ctx.proxy.requests.length;
  ctx.valid++;
  await within(ctx.store.updateCheckpoint(checkpoint(0, ctx.valid, String(ctx.valid))), 10_000, "valid updateCheckpoint");
  if (exact) assert.equal(ctx.proxy.requests.length, before + 1, "the valid call after it was sent");
  if (ctx.tokenStore) {
    ctx.getToken = null;
    ctx.tokenResult = validToken();
    assert.deepEqual(await within(ctx.tokenStore.listOwnership(NS, EH, CG), 10_000, "valid token call"), []);
  }
}

function check(c, ctx, outcome) {
  const { ok, value, error } = outcome;
  const got = ok ? `resolved (${typeof value})` : `rejected with ${error?.name}: ${error?.message}`;
  switch (c.expect) {
    case "ok":
      assert.ok(ok, `expected success, ${got}`);
      assert.equal(ctx.hits.n, 0, "a trap this package must not trigger ran");
      return;
    case "settles":
      assert.ok(ok || error instanceof TypeError, `expected success or a TypeError, ${got}`);
      return;
    case "own":
      assert.ok(!ok && error === ctx.s, `expected the caller's own error, ${got}`);
      break;
    case "abort":
      assert.ok(!ok && error?.name === "AbortError", `expected an AbortError, ${got}`);
      break;
    case "rest":
      assert.ok(!ok && error?.name === "RestError", `expected a RestError, ${got}`);
      assertNoSecret(assert, error.message);
      break;
    case "TypeError":
      assert.ok(!ok && error instanceof TypeError, `expected a TypeError, ${got}`);
      break;
    default:
      assert.ok(!ok && error instanceof TypeError, `expected a TypeError, ${got}`);
      assert.match(error.message, c.expect, got);
      assertNoSecret(assert, error.message);
  }
}

async function table(first) {
  const ctx = await setUp();
  const cases = buildCases();
  await send({ type: "count", n: cases.length });
  for (let i = first; i < cases.length; i++) {
    const c = cases[i];
    await send({ type: "start", i, name: c.name });
    let failure = null;
    try {
      ctx.s = new Sentinel(`case ${i}`);
      ctx.hits.n = 0;
      if (c.kind === "token") ctx.freshTokenStore();
      else ctx.tokenStore = null;
      if (String(i) === process.env.HOSTILE_CRASH_AT) {
        // The harness's own check: this case dies, the parent must record it and go on.
        if (process.env.HOSTILE_CRASH_HOW === "exit") process.exit(3);
        setTimeout(() => { throw new Error("deliberate crash"); });
        await new Promise(() => {});
      }
      const before = ctx.proxy.requests.length + ctx.tokenProxy.requests.length;
      let outcome;
      try {
        const r = c.run(ctx);
        if (c.kind !== "construct") assert.ok(r && typeof r.then === "function", "the call returns a promise");
        outcome = { ok: true, value: await within(r, 10_000, c.name) };
      } catch (error) {
        if (error?.message?.endsWith("did not settle within 10000 ms")) throw error;
        outcome = { ok: false, error };
      }
      check(c, ctx, outcome);
      if (c.expect !== "ok" && c.expect !== "settles") {
        assert.equal(ctx.proxy.requests.length + ctx.tokenProxy.requests.length, before, "nothing may reach the network");
      }
      if (c.kind === "construct") new BlobCheckpointStore(ctx.url, ctx.container, { credential: KEY });
      await stillWorks(ctx);
    } catch (e) {
      failure = String(e?.message ?? e);
    }
    await send({ type: "result", i, failure });
  }
  await send({ type: "end" });
  await ctx.proxy.close();
  await ctx.tokenProxy.close();
}

async function fuzz(seed, count) {
  const ctx = await setUp();
  ctx.freshTokenStore();
  const rand = seeded(seed);
  const tally = { resolved: 0, rejected: 0, threw: 0, own: 0 };
  for (let i = 0; i < count; i++) {
    const [op, call] = randomCall(rand, ctx);
    await send({ type: "start", i, name: `call ${i} (${op})` });
    let failure = null;
    try {
      let r;
      try {
        r = call();
      } catch (e) {
        if (op !== "constructor") throw new Error(`${op} threw synchronously: ${e}`);
        tally.threw++;
      }
      if (op !== "constructor") {
        assert.ok(r && typeof r.then === "function", `${op} returns a promise`);
        await within(r, 10_000, op).then(
          () => tally.resolved++,
          (e) => {
            tally.rejected++;
            if (e instanceof Sentinel) tally.own++;
            else assert.ok(e instanceof Error, `${op} rejected with a non-Error: ${String(e)}`);
          },
        );
      }
      if (i % 100 === 99) await stillWorks(ctx, false);
    } catch (e) {
      failure = String(e?.message ?? e);
    }
    await send({ type: "result", i, failure });
  }
  await stillWorks(ctx, false);
  await send({ type: "end", tally });
  await ctx.proxy.close();
  await ctx.tokenProxy.close();
}

const [mode, a, b] = process.argv.slice(2);
if (mode === "table") await table(Number(a));
else if (mode === "fuzz") await fuzz(Number(a), Number(b));
else throw new Error(`unknown mode ${mode}`);
process.exit(0);
