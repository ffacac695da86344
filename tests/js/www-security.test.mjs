// The inspector page (www/) and its demo server, tried as a hostile visitor, server or blob
// would: nothing typed leaks, nothing secret is remembered, the page runs under its CSP, planted
// HTML stays text, and the demo server survives bad requests and answers only on loopback.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { connect } from "node:net";
import { mkdtempSync, cpSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { URL_, KEY, CONN, service, containerSas } from "./helpers.mjs";
import { root, launchChromium, serve } from "./runtime-tools.mjs";
import { startDemo, watchCsp } from "./www-stack.mjs";

const CONTAINER = `www-sec-${process.pid}`;
// Canaries: what a user might type. Never printed by these tests (the suite output is scanned).
const SAS_CANARY = "sv=2024-08-04&sr=c&sp=rl&sig=CanarySig0123456789abcdefCanary%3D";
const KEY_CANARY = "CanaryKey0123456789abcdefghijklmnopqrstuvwxyzCanaryKey0123456789==";
const CONN_CANARY = `DefaultEndpointsProtocol=https;AccountName=canary;AccountKey=${KEY_CANARY};EndpointSuffix=core.windows.net`;
const CANARY_PARTS = ["CanarySig0123456789", "CanaryKey0123456789"];

let demo;
let browser;

before(async () => {
  demo = await startDemo({ DEMO_CONTAINER: CONTAINER, DEMO_PROCESSORS: "0", WWW_ACCESS_LOG: "1" });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await demo?.stop();
  await service.getContainerClient(CONTAINER).deleteIfExists();
});

/** A raw HTTP request to the demo server: any path bytes and any Host header. */
function raw(path, headers = {}) {
  const { port } = new URL(demo.site);
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const leaked = (text) => CANARY_PARTS.some((c) => String(text).includes(c));

/**
 * Opens the page with `routes` applied, types the canaries into the secret fields, presses Enter
 * and reports where anything went: the page URL, the history, every request the page made, the
 * server's log.
 */
async function typeAndEnter(routes, { waitMs = 1500 } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests = [];
  page.on("request", (r) => requests.push(`${r.url()} ${r.postData() ?? ""}`));
  for (const [pattern, handler] of routes) await page.route(pattern, handler);
  const logBefore = demo.log().length;
  // Module scripts hold DOMContentLoaded back: wait for the form itself, as a user would.
  await page.goto(demo.site, { waitUntil: "commit" });
  await page.waitForSelector("#sas");
  const historyBefore = await page.evaluate(() => history.length);
  await page.fill("#account-url", "https://canary.blob.core.windows.net");
  await page.fill("#sas", SAS_CANARY);
  await page.fill("#connection-string", CONN_CANARY);
  await page.focus("#sas");
  await page.keyboard.press("Enter");
  await page.focus("#connection-string");
  await page.keyboard.press("Enter");
  await page.waitForTimeout(waitMs);
  const result = {
    page,
    context,
    url: page.url(),
    historyAdded: (await page.evaluate(() => history.length)) - historyBefore,
    requests,
    serverLog: demo.log().slice(logBefore),
    error: await page.evaluate(() => (document.querySelector("#error").hidden ? "" : document.querySelector("#error").textContent)),
  };
  return result;
}

function assertNothingLeaked(r, what) {
  assert.ok(!leaked(r.url) && r.url === demo.site, `${what}: the page URL changed or holds a secret`);
  assert.equal(r.historyAdded, 0, `${what}: a navigation was added to the history`);
  assert.ok(!r.requests.some(leaked), `${what}: a request carried a secret`);
  assert.ok(!leaked(r.serverLog), `${what}: the server's log holds a secret`);
  assert.ok(!r.requests.some((u) => u.startsWith(`${demo.site}?`)), `${what}: the form was submitted natively`);
}

test("Enter while the page's code is still loading: nothing is submitted, nothing leaks", async () => {
  let release;
  const gate = new Promise((r) => (release = r));
  const r = await typeAndEnter([["**/app.js", async (route) => { await gate; await route.continue(); }]]);
  try {
    assertNothingLeaked(r, "app.js delayed");
    assert.equal(await r.page.isDisabled("#connect-button"), true, "Connect is disabled until the page is ready");
    release();
    await r.page.waitForFunction(() => document.documentElement.dataset.ready === "true", null, { timeout: 20_000 });
    assert.equal(await r.page.isDisabled("#connect-button"), false, "Connect is enabled once ready");
    assert.equal(r.page.url(), demo.site);
  } finally {
    release();
    await r.context.close();
  }
});

for (const [what, routes, expect] of [
  ["app.js fails to download", [["**/app.js", (route) => route.abort()]], /app\.js could not be fetched/],
  ["the package entry fails to download", [["**/pkg/web.js", (route) => route.fulfill({ status: 500, body: "" })]], /did not load/],
  ["the wasm fails to download", [["**/*.wasm", (route) => route.fulfill({ status: 404, body: "" })]], /did not load/],
  ["every script fails to download", [["**/*.js", (route) => route.abort()]], null],
]) {
  test(`Enter when ${what}: nothing is submitted, nothing leaks, and the page says so`, async () => {
    const r = await typeAndEnter(routes);
    try {
      assertNothingLeaked(r, what);
      assert.equal(await r.page.isDisabled("#connect-button"), true, "Connect stays disabled");
      if (expect) assert.match(r.error, expect);
      if (expect) assert.match(r.error, /Nothing you typed was sent anywhere/);
    } finally {
      await r.context.close();
    }
  });
}

test("Remember with an AccountKey connection string persists no key; the label says what is kept", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    // What an earlier version of the page left behind: the whole form, connection string included.
    await page.goto(demo.site);
    await page.waitForFunction(() => document.documentElement.dataset.ready === "true");
    await page.evaluate((conn) => localStorage.setItem("consumer-group-inspector", JSON.stringify({ connectionString: conn, container: "old" })), CONN);
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset.ready === "true");
    assert.ok(!(await page.evaluate(() => localStorage.getItem("consumer-group-inspector") ?? "")).includes("AccountKey"), "an old entry is rewritten without its connection string");

    assert.match(await page.textContent("label:has(#remember)"), /never a key, SAS token or connection string/);
    // The demo connects by itself and then folds the form away: open it only after that.
    await page.waitForFunction(() => /^Refreshed/.test(document.querySelector("#status").textContent), null, { timeout: 20_000 });
    await page.evaluate(() => { document.querySelector("#connect-box").open = true; });
    await page.fill("#account-url", "");
    await page.fill("#sas", "");
    await page.fill("#connection-string", CONN);
    await page.fill("#container", CONTAINER);
    await page.check("#remember");
    await page.check("#remember-sas"); // even so: a connection string is never kept
    await page.click("#connect-button");
    await page.waitForFunction(() => /^Refreshed/.test(document.querySelector("#status").textContent), null, { timeout: 20_000 });
    const stored = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }));
    const cookies = JSON.stringify(await context.cookies());
    for (const text of [stored, cookies]) {
      assert.ok(!text.includes(KEY) && !text.includes(KEY.slice(0, 16)), "no account key in storage or cookies");
      assert.ok(!/AccountKey/i.test(text), "no connection string in storage or cookies");
    }
    const kept = JSON.parse(await page.evaluate(() => localStorage.getItem("consumer-group-inspector")));
    assert.equal(kept.accountUrl, URL_, "the account URL is remembered, as the label says");
    assert.equal(kept.container, CONTAINER);
    assert.equal(kept.sas, undefined);

    // A SAS is kept only when its own box is ticked, and then only the SAS.
    const sas = containerSas(CONTAINER, { permissions: "rl" });
    await page.evaluate(() => { document.querySelector("#connect-box").open = true; });
    await page.fill("#connection-string", "");
    await page.fill("#account-url", URL_);
    await page.fill("#sas", sas);
    await page.uncheck("#remember-sas");
    await page.click("#connect-button");
    await page.waitForFunction(() => /^Refreshed/.test(document.querySelector("#status").textContent), null, { timeout: 20_000 });
    assert.equal(JSON.parse(await page.evaluate(() => localStorage.getItem("consumer-group-inspector"))).sas, undefined, "no SAS unless asked");
    await page.evaluate(() => { document.querySelector("#connect-box").open = true; });
    await page.check("#remember-sas");
    await page.click("#connect-button");
    await page.waitForFunction(() => /^Refreshed/.test(document.querySelector("#status").textContent), null, { timeout: 20_000 });
    assert.equal(JSON.parse(await page.evaluate(() => localStorage.getItem("consumer-group-inspector"))).sas === sas, true, "the SAS, when its box is ticked");
    await page.evaluate(() => { document.querySelector("#connect-box").open = true; });
    await page.uncheck("#remember");
    await page.click("#connect-button");
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => localStorage.length), 0, "unticking Remember forgets everything");
  } finally {
    await context.close();
  }
});

test("the page runs under its Content-Security-Policy: no violation, no inline style; the demo server sends the policy", async () => {
  const res = await raw("/", { host: new URL(demo.site).host });
  const csp = res.headers["content-security-policy"];
  for (const d of ["default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'", "form-action 'none'", "frame-ancestors 'none'"]) assert.ok(csp.includes(d), `header CSP has ${d}`);
  assert.match(res.body, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self';[^"]*connect-src [^"]*form-action 'none'/);
  assert.ok(!/\sname=/.test(res.body.slice(res.body.indexOf('<form id="connect"'), res.body.indexOf("</form>"))), "no input of the connect form has a name");

  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    const violations = await watchCsp(page);
    await page.goto(demo.site);
    await page.waitForFunction(() => document.querySelectorAll("#partitions tbody tr").length === 16, null, { timeout: 20_000 });
    await page.waitForFunction(() => document.querySelectorAll("#legend .swatch").length > 0, null, { timeout: 10_000 });
    await page.click('#partitions tbody tr:first-child button:text("Set checkpoint")');
    await page.waitForSelector("#confirm[open]");
    await page.click("#confirm button[value=cancel]");
    assert.deepEqual(violations, []);
    assert.equal(await page.evaluate(() => document.querySelectorAll("[style]").length), 0, "no element has a style attribute");
    // A plain-http account off this machine is refused before any request (a SAS would travel in clear).
    const requests = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.evaluate(() => { document.querySelector("#connect-box").open = true; });
    await page.fill("#account-url", "http://canary.blob.core.windows.invalid");
    await page.fill("#sas", "sv=1&sig=x");
    await page.click("#connect-button");
    await page.waitForSelector("#error:not([hidden])");
    assert.match(await page.textContent("#error"), /only over https/);
    assert.ok(!requests.some((u) => u.includes(".invalid")), "nothing was sent to the http host");
  } finally {
    await context.close();
  }
});

test("demo server: a malformed URL gets 400 and the server keeps serving", async () => {
  const host = new URL(demo.site).host;
  for (const path of ["/%E0%A4%A", "/%", "/..%2f..%2fetc%2fpasswd%", "/%00"]) {
    const r = await raw(path, { host });
    assert.equal(r.status, 400, `${path} -> ${r.status}`);
  }
  assert.equal((await raw("/", { host })).status, 200);
  assert.ok(demo.alive(), "the demo server is still running");
  for (const path of ["/../tests/js/helpers.mjs", "/demo/stack.mjs", "/run", "/pkg/package.json", "/..%2fREADME.md"]) {
    assert.equal((await raw(path, { host })).status, 404, path);
  }
});

test("demo server: only a loopback Host is served (no demo SAS for a rebound name)", async () => {
  const { port } = new URL(demo.site);
  for (const host of [`attacker.invalid:${port}`, `127.0.0.1.attacker.invalid:${port}`, "localhost.invalid", `127.0.0.1@attacker.invalid:${port}`]) {
    const r = await raw("/demo-config.json", { host });
    assert.equal(r.status, 403, `Host '${host}' -> ${r.status}`);
    assert.ok(!r.body.includes("sig="), "no SAS in the refusal");
  }
  // No Host header at all (HTTP/1.0): refused too.
  const noHost = await new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1", () => socket.end("GET /demo-config.json HTTP/1.0\r\n\r\n"));
    let text = "";
    socket.on("data", (d) => (text += d));
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
  });
  assert.match(noHost, /^HTTP\/1\.[01] 403 /);
  assert.ok(!noHost.includes("sig="));
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
    const r = await raw("/demo-config.json", { host });
    assert.equal(r.status, 200, `Host '${host}' -> ${r.status}`);
    assert.equal(r.headers["x-inspector-demo"], "www/run");
  }
});

test("a demo-config.json served by any other server is ignored", async () => {
  const dir = mkdtempSync(join(tmpdir(), "www-static-"));
  const context = await browser.newContext();
  let server;
  try {
    for (const f of ["index.html", "app.js", "guard.js", "style.css"]) cpSync(join(root, "www", f), join(dir, f));
    cpSync(join(root, "pkg"), join(dir, "pkg"), { recursive: true });
    writeFileSync(join(dir, "demo-config.json"), JSON.stringify({ accountUrl: URL_, sas: containerSas(CONTAINER, { permissions: "rl" }), container: CONTAINER, namespace: "demo.servicebus.windows.net", eventHub: "telemetry", consumerGroup: "$Default" }));
    server = await serve(dir);
    const page = await context.newPage();
    const requests = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(server.url + "/");
    await page.waitForFunction(() => document.documentElement.dataset.ready === "true", null, { timeout: 20_000 });
    await page.waitForTimeout(500);
    assert.equal(await page.inputValue("#sas"), "", "the form is not filled from it");
    assert.equal(await page.inputValue("#account-url"), "");
    assert.equal(await page.isHidden("#view"), true, "the page does not connect");
    assert.ok(!requests.some((u) => u.startsWith(URL_)), "nothing is sent to the account it names");
  } finally {
    await context.close();
    await server?.close?.();
    rmSync(dir, { recursive: true, force: true });
  }
});
