// The consumer-group inspector (www/) on the demo stack, driven in headless Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { URL_, KEY } from "./helpers.mjs";
import { root, launchChromium } from "./runtime-tools.mjs";
import { startDemo } from "./www-stack.mjs";

const GROUP = ["demo.servicebus.windows.net", "telemetry", "$Default"];
let stack;
let site;
let browser;
let page;
const store = new BlobCheckpointStore(URL_, "checkpoints", { credential: KEY });

before(async () => {
  stack = await startDemo();
  site = stack.site;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(site);
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

const rows = () => page.locator("#partitions tbody tr[data-partition-id]");
const seqs = () => page.$$eval("#partitions tbody tr", (trs) => trs.map((tr) => Number(tr.querySelector("td.seq").textContent)));
const ownersShown = () => page.$$eval("#partitions tbody td.owner", (tds) => [...new Set(tds.map((td) => td.textContent))].sort());
const waitForRefresh = async () => {
  const before = await page.textContent("#status");
  await page.waitForFunction((b) => document.querySelector("#status").textContent !== b && document.querySelector("#status").textContent.startsWith("Refreshed"), before, { timeout: 10_000 });
};
async function confirm(fields = {}, on = page) {
  await on.waitForSelector("#confirm[open]");
  for (const [name, value] of Object.entries(fields)) await on.fill(`#confirm [name=${name}]`, value);
  await on.click("#confirm-ok");
}

test("the live view: 16 partitions, the 3 processors as owners, growing sequence numbers", async () => {
  await page.waitForFunction(() => document.querySelectorAll("#partitions tbody tr[data-partition-id]").length === 16, null, { timeout: 20_000 });
  assert.equal(await rows().count(), 16);
  // Until the processors have balanced, some partitions show "never owned": wait for every
  // partition to have one of the three as its owner, not merely for three distinct cell texts.
  await page.waitForFunction(() => {
    const owners = [...document.querySelectorAll("#partitions td.owner")].map((td) => td.textContent);
    return owners.length === 16 && owners.every((o) => o.startsWith("processor-")) && new Set(owners).size === 3;
  }, null, { timeout: 45_000 });
  assert.deepEqual(await ownersShown(), ["processor-1", "processor-2", "processor-3"]);
  const first = await seqs();
  await waitForRefresh();
  await waitForRefresh();
  const second = await seqs();
  assert.ok(second.reduce((a, b) => a + b) > first.reduce((a, b) => a + b), `sequence numbers did not grow: ${first} -> ${second}`);
  assert.equal(await page.locator("#summary .owner-count").count(), 3);
  assert.ok(await page.locator("#chart polyline").count() >= 16);
  mkdirSync(join(root, "target"), { recursive: true });
  await page.screenshot({ path: join(root, "target/www-1280.png"), fullPage: true });
});

test("usable at 400 px wide: every column, the offset and the actions included, within the screen", async () => {
  await page.setViewportSize({ width: 400, height: 800 });
  try {
    await waitForRefresh();
    await page.screenshot({ path: join(root, "target/www-400.png"), fullPage: true });
    // "Usable": nothing cut off and no sideways scrolling, of the page or of the table.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 400, "the page does not scroll sideways");
    const wrap = await page.$eval(".table-wrap", (el) => [el.scrollWidth, el.clientWidth]);
    assert.ok(wrap[0] <= wrap[1], `the table does not scroll sideways (${wrap})`);
    const boxes = await page.$$eval("#partitions tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td.offset, td.seq, td.owner, button")].map((el) => {
      const r = el.getBoundingClientRect();
      return { what: el.className || el.textContent, left: r.left, right: r.right, width: r.width };
    })).flat());
    assert.ok(boxes.length >= 16 * 4, `the rows show their cells and buttons (${boxes.length})`);
    for (const b of boxes) assert.ok(b.width > 0 && b.left >= 0 && b.right <= 400, `${b.what} spans ${b.left}..${b.right}px`);
    // The labels say which value is which, since the header row is not shown.
    assert.equal(await page.$eval("#partitions tbody tr td.offset", (td) => getComputedStyle(td, "::before").content), '"Offset"');
    const last = page.locator("#partitions tbody tr:last-child button:text('Set checkpoint')");
    await last.click({ trial: true }); // visible, enabled, not covered: a tap would reach it
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
});

test("a release takes effect", async () => {
  let pid;
  let releasedAt;
  for (let attempt = 0; attempt < 3 && pid === undefined; attempt++) {
    await waitForRefresh();
    const candidate = await page.$eval("#partitions tbody tr:nth-child(3)", (tr) => tr.dataset.partitionId);
    await page.click(`tr[data-partition-id="${candidate}"] button:text("Release")`);
    await confirm();
    await page.waitForFunction((p) => document.querySelector("#notice").textContent.startsWith(`Partition ${p} `), candidate, { timeout: 10_000 });
    // A processor's own renewal may win the race now and then; then the page says so: try again.
    if ((await page.textContent("#notice")) === `Partition ${candidate} released.`) [pid, releasedAt] = [candidate, Date.now()];
  }
  assert.ok(pid !== undefined, "a release went through");
  const owner = (await store.listOwnership(...GROUP)).find((o) => o.partitionId === pid);
  // The live processors take a released partition back on their next balancing (every 10 s), which
  // may fall between the page's release and this read: then the claim must postdate the release.
  assert.ok(owner.ownerId === "" || owner.lastModifiedTimeInMs >= releasedAt - 2_000, `partition ${pid} released (now ${owner.ownerId}, modified ${releasedAt - owner.lastModifiedTimeInMs} ms before the release)`);
});

test("a checkpoint set from the page is what listCheckpoints returns", async () => {
  // In a group no processor writes: a live owner goes on checkpointing its own position until it
  // notices a release, and may overwrite the page's checkpoint, as the dialog warns.
  const quiet = [GROUP[0], GROUP[1], "inspector-quiet"];
  const [ns, eh, cg] = quiet;
  await store.updateCheckpoint({ fullyQualifiedNamespace: ns, eventHubName: eh, consumerGroup: cg, partitionId: "5", sequenceNumber: 10, offset: "5120" });
  const p = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await p.goto(site);
    await p.waitForFunction(() => document.querySelectorAll("#partitions tbody tr").length > 0, null, { timeout: 20_000 });
    await p.evaluate(() => { document.querySelector("#connect-box").open = true; });
    await p.fill("#consumer-group", cg);
    await p.click("button[type=submit]");
    await p.waitForFunction(() => document.querySelectorAll("#partitions tbody tr[data-partition-id]").length === 1, null, { timeout: 20_000 });
    await p.click('tr[data-partition-id="5"] button:text("Set checkpoint")');
    await confirm({ sequenceNumber: "123456", offset: "98765" }, p);
    await p.waitForFunction(() => document.querySelector("#notice").textContent.startsWith("Checkpoint of partition 5 set"), null, { timeout: 10_000 });
    const cp = (await store.listCheckpoints(...quiet)).find((c) => c.partitionId === "5");
    assert.deepEqual([cp.sequenceNumber, cp.offset], [123456, "98765"]);
  } finally {
    await p.close();
  }
});

test("a release that loses against a renewal says so, and changes nothing", async () => {
  await waitForRefresh();
  const pid = await page.$eval("#partitions tbody tr:nth-child(8)", (tr) => tr.dataset.partitionId);
  // The page takes the etag it will release with when Release is clicked; the owner renews while
  // the dialog is open, so that etag is stale whatever the page's refreshes do meanwhile.
  await page.click(`tr[data-partition-id="${pid}"] button:text("Release")`);
  await page.waitForSelector("#confirm[open]");
  let renewed;
  for (let attempt = 0; attempt < 3 && !renewed; attempt++) {
    // The owner's own renewal may fall between this list and claim: then list again.
    const o = (await store.listOwnership(...GROUP)).find((x) => x.partitionId === pid);
    [renewed] = await store.claimOwnership([{ ...o }]);
  }
  assert.ok(renewed, "renewed");
  await confirm();
  await page.waitForFunction((p) => document.querySelector("#notice").textContent.startsWith(`Partition ${p} was not released`), pid, { timeout: 10_000 });
  await waitForRefresh(); // the message stays through refreshes
  assert.match(await page.textContent("#notice"), new RegExp(`Partition ${pid} was not released: .*renewed`));
  assert.equal(await page.getAttribute("#notice", "class"), "bad");
  const after = (await store.listOwnership(...GROUP)).find((x) => x.partitionId === pid);
  assert.notEqual(after.ownerId, "");
});

test("a wrong SAS shows an error in words", async () => {
  const p = await browser.newPage();
  try {
    await p.goto(site);
    await p.waitForFunction(() => document.querySelectorAll("#partitions tbody tr").length > 0, null, { timeout: 20_000 });
    await p.evaluate(() => { document.querySelector("#connect-box").open = true; });
    const sas = await p.inputValue("#sas");
    await p.fill("#sas", sas.replace(/sig=[^&]+/, "sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D"));
    await p.click("button[type=submit]");
    await p.waitForSelector("#error:not([hidden])", { timeout: 10_000 });
    assert.match(await p.textContent("#error"), /^Access denied \(403 (AuthenticationFailed|AuthorizationFailure)\): the SAS token or key is wrong/);
    assert.ok(!p.url().includes("sig="), "no secret in the page URL");
    assert.equal(await p.evaluate(() => localStorage.length), 0, "nothing remembered unless asked");
  } finally {
    await p.close();
  }
});
