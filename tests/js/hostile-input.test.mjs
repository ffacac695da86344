// Hostile input through the JS API, table-driven: every case rejects with a TypeError naming
// the field (or a RestError), sends nothing, and the same store then completes a valid call.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { KEY, URL_, NS, EH, CG, newContainer, ownership, checkpoint, assertNoSecret } from "./helpers.mjs";
import { startProxy } from "./proxy.mjs";

const cases = [];
const add = (name, call, field) => cases.push({ name, call, field });

// claimOwnership(ownerships)
for (const v of [undefined, null, 5, "0", {}, true]) add(`ownerships = ${String(v)}`, (s) => s.claimOwnership(v), /^ownerships: /);
for (const v of [null, 5, "x", [], () => 1]) add(`ownerships[0] = ${String(v)}`, (s) => s.claimOwnership([v]), /^ownerships\[0\]: /);
const badStrings = [undefined, null, 7, {}, [], true];
for (const field of ["fullyQualifiedNamespace", "eventHubName", "consumerGroup", "partitionId", "ownerId"]) {
  for (const v of badStrings) add(`ownerships[1].${field} = ${JSON.stringify(v)}`, (s) => s.claimOwnership([ownership(0, "a"), { ...ownership(1, "a"), [field]: v }]), new RegExp(`^ownerships\\[1\\]\\.${field}: `));
}
const badNames = ["a/b", "..", ".", "%2F", "a\\b", "x?y", "x#y", "x".repeat(10_000), "a\u0000b", "a\nb", "a\u007fb", "", " 0"];
for (const v of badNames) add(`partitionId ${JSON.stringify(v.slice(0, 20))}`, (s) => s.claimOwnership([ownership(v, "a")]), /^ownerships\[0\]\.partitionId: /);
for (const v of ["a/b", "..", ""]) {
  add(`consumerGroup ${JSON.stringify(v)}`, (s) => s.claimOwnership([{ ...ownership(0, "a"), consumerGroup: v }]), /^ownerships\[0\]\.consumerGroup: /);
  add(`eventHubName ${JSON.stringify(v)}`, (s) => s.updateCheckpoint({ ...checkpoint(0, 1, "1"), eventHubName: v }), /^checkpoint\.eventHubName: /);
}
for (const v of ["a\r\nx-ms-meta-x: 1", "\u00e9", "x".repeat(2000), " padded "]) add(`ownerId ${JSON.stringify(v.slice(0, 12))}`, (s) => s.claimOwnership([ownership(0, v)]), /^ownerships\[0\]\.ownerId: /);
for (const v of [5, {}, "", "*", "\n"]) add(`etag ${JSON.stringify(v)}`, (s) => s.claimOwnership([ownership(0, "a", { etag: v })]), /^ownerships\[0\]\.etag: /);

// updateCheckpoint(checkpoint)
for (const v of [undefined, null, 5, "cp", [checkpoint(0, 1, "1")]]) add(`checkpoint = ${JSON.stringify(v)}`, (s) => s.updateCheckpoint(v), /^checkpoint: /);
for (const v of [NaN, Infinity, -Infinity, 1.5, -1, 2 ** 53, -(2 ** 60), "5", null, undefined, {}, [], true, 2n ** 60n, -1n]) {
  add(`sequenceNumber = ${String(v)}`, (s) => s.updateCheckpoint(checkpoint(0, v, "1")), /^checkpoint\.sequenceNumber: /);
}
for (const v of [NaN, 1.5, -1, 2 ** 53, null, undefined, {}, [], true, "", "\t1", "x".repeat(2000), "\u00ff"]) {
  add(`offset = ${JSON.stringify(typeof v === "bigint" ? String(v) : v)?.slice(0, 20)}`, (s) => s.updateCheckpoint(checkpoint(0, 1, v)), /^checkpoint\.offset: /);
}
for (const v of ["a/b", "..", "%2F"]) add(`checkpoint partitionId ${v}`, (s) => s.updateCheckpoint(checkpoint(v, 1, "1")), /^checkpoint\.partitionId: /);

// listOwnership / listCheckpoints
for (const [i, field] of ["fullyQualifiedNamespace", "eventHubName", "consumerGroup"].entries()) {
  for (const v of [undefined, 5, {}, "a/b", "", ".."]) {
    const args = [NS, EH, CG];
    args[i] = v;
    add(`listOwnership ${field} = ${JSON.stringify(v)}`, (s) => s.listOwnership(...args), new RegExp(`^${field}: `));
    add(`listCheckpoints ${field} = ${JSON.stringify(v)}`, (s) => s.listCheckpoints(...args), new RegExp(`^${field}: `));
  }
}
for (const v of [5, "opts", [], { abortSignal: 5 }, { abortSignal: {} }, { abortSignal: { aborted: "no" } }]) {
  add(`options = ${JSON.stringify(v)}`, (s) => s.listOwnership(NS, EH, CG, v), /^options(\.abortSignal)?: /);
}

test(`hostile input: ${cases.length} cases, each a TypeError naming the field; the store keeps working`, async () => {
  assert.ok(cases.length >= 60, `${cases.length} cases`);
  const c = await newContainer("hostile");
  const proxy = await startProxy(URL_);
  try {
    const store = new BlobCheckpointStore(proxy.url, c, { credential: KEY });
    await store.updateCheckpoint(checkpoint(0, 0, "0"));
    proxy.reset();
    let n = 0;
    for (const { name, call, field } of cases) {
      let err;
      try {
        await call(store);
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof TypeError, `${name}: expected a TypeError, got ${err}`);
      assert.match(err.message, field, name);
      assertNoSecret(assert, err.message);
      assert.equal(proxy.requests.length, n, `${name}: bad input must not reach the network`);
      // The same store still completes a valid call.
      await store.updateCheckpoint(checkpoint(0, n, String(n)));
      n++;
      assert.equal(proxy.requests.length, n, name);
    }
    assert.deepEqual(await store.listCheckpoints(NS, EH, CG), [checkpoint(0, n - 1, String(n - 1))]);
  } finally {
    await proxy.close();
  }
});

// ---- Every class of hostile caller value, each case isolated in a child process ---------------

const CHILD = fileURLToPath(new URL("./hostile-child.mjs", import.meta.url));

/** Runs hostile-child.mjs with `args`; `onMessage` sees its reports. Resolves when it exits. */
function runChild(args, onMessage, env = {}) {
  return new Promise((resolve) => {
    const child = fork(CHILD, args, { stdio: ["ignore", "ignore", "pipe", "ipc"], env: { ...process.env, ...env } });
    let stderr = "";
    child.stderr.on("data", (d) => { stderr = (stderr + d).slice(-2000); });
    child.on("message", onMessage);
    child.on("exit", (code, signal) => resolve({ code, signal, stderr }));
  });
}

/** Runs the whole table, starting a new child after the case that killed the last one. */
async function runTable(env = {}) {
  const failures = [];
  let count = null;
  let first = 0;
  let done = 0;
  for (let children = 0; children < 30; children++) {
    let current = null;
    let ended = false;
    let crash = "";
    const exit = await runChild(["table", String(first)], (m) => {
      if (m.type === "count") count = m.n;
      else if (m.type === "start") current = m;
      else if (m.type === "result") {
        done++;
        if (m.failure) failures.push(`case ${m.i} "${current.name}": ${m.failure}`);
        first = m.i + 1;
        current = null;
      } else if (m.type === "crash") crash = m.detail;
      else if (m.type === "end") ended = true;
    }, env);
    if (ended) break;
    assert.ok(count !== null, `the child did not start: ${exit.stderr}`);
    const why = crash || `exit code ${exit.code}, signal ${exit.signal}: ${exit.stderr.trim().split("\n").slice(-3).join(" | ")}`;
    if (current) {
      failures.push(`case ${current.i} "${current.name}" killed its process: ${why}`);
      first = current.i + 1;
    } else {
      failures.push(`the process died between cases (after case ${first - 1}): ${why}`);
    }
    if (first >= count) break;
  }
  return { count, done, failures };
}

test("hostile caller values at every level the API reads (Proxies, throwing getters and coercions, huge and sparse arrays, signals, credentials, token results): each rejects as it should, sends nothing, and the store keeps working; a crash fails only its case", async (t) => {
  const { count, done, failures } = await runTable();
  t.diagnostic(`hostile table: ${count} cases, ${done} ran to a result, ${failures.length} failures`);
  assert.ok(count >= 250, `${count} cases`);
  assert.deepEqual(failures, []);
});

test("the hostile table's harness records a case that kills its process, and goes on with the next", async () => {
  // HOSTILE_CRASH_AT makes the child die in that case: by an uncaught exception, then by exit.
  for (const how of ["throw", "exit"]) {
    const { count, done, failures } = await runTable({ HOSTILE_CRASH_AT: "5", HOSTILE_CRASH_HOW: how });
    const crashes = failures.filter((f) => / killed its process: | died between cases/.test(f));
    assert.equal(crashes.length, 1, failures.join("\n"));
    assert.match(crashes[0], new RegExp(`^case 5 ".*" killed its process: ${how === "throw" ? "uncaught exception: Error: deliberate crash" : "exit code 3"}`));
    assert.equal(done, count - 1, "every other case ran");
  }
});

test("randomized hostile values (seeded) in every argument position: every call settles, nothing escapes or traps, the store keeps working", async (t) => {
  const seed = Number(process.env.HOSTILE_SEED) || Math.floor(Math.random() * 2 ** 31);
  const calls = Number(process.env.HOSTILE_CALLS) || 2000;
  console.log(`# hostile fuzz: seed ${seed} (replay with HOSTILE_SEED=${seed}), ${calls} calls`);
  const failures = [];
  let current = null;
  let tally = null;
  let crash = "";
  const started = Date.now();
  const exit = await runChild(["fuzz", String(seed), String(calls)], (m) => {
    if (m.type === "start") current = m;
    else if (m.type === "result") {
      if (m.failure) failures.push(`${current.name}: ${m.failure}`);
      current = null;
    } else if (m.type === "crash") crash = m.detail;
    else if (m.type === "end") tally = m.tally;
  });
  if (!tally) {
    failures.push(`${current ? current.name : "between calls"} killed its process: ${crash || `exit code ${exit.code}, signal ${exit.signal}: ${exit.stderr.slice(-500)}`}`);
  }
  t.diagnostic(`hostile fuzz: seed ${seed}, ${calls} calls in ${Date.now() - started} ms: ${JSON.stringify(tally)}`);
  assert.deepEqual(failures, [], `seed ${seed}`);
});
