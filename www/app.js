// The consumer-group inspector: plain ES modules over the package's browser entry. guard.js,
// loaded first, already cancels native submits of the form; this module does the work.
import { BlobCheckpointStore } from "./pkg/web.js";

const REFRESH_MS = 2000;
const HISTORY_MS = 3 * 60_000;
const REMEMBER_KEY = "consumer-group-inspector";
const CHART_MAX = 32; // lines in the chart; more are unreadable anyway
const FINDINGS_PER_CODE = 5; // the rest of a code's findings are counted, and marked in the table

const $ = (sel) => document.querySelector(sel);
const form = $("#connect");
const field = (id) => document.getElementById(id);
let session = null; // { store, container, group, timer, busy, last, history }

function showError(text) {
  const el = $("#error");
  el.textContent = text ?? "";
  el.hidden = !text;
}
/** The outcome of an action: stays until the next action, whatever the refreshes say. */
function notice(text, ok) {
  const el = $("#notice");
  el.textContent = text;
  el.className = ok ? "ok" : "bad";
  el.hidden = false;
}
function status(text) {
  $("#status").textContent = text;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;
const isLoopback = (host) => LOOPBACK.test(host);
// Plain http only to these: what the page's connect-src allows (a CSP host cannot be an IPv6 literal).
const HTTP_OK = /^(localhost|127(\.\d{1,3}){3})$/i;

/** A failure in words a person can act on. */
function describe(e, container) {
  // No answer at all: the package's REQUEST_SEND_ERROR, or a fetch TypeError.
  const unreached = !e?.statusCode && (e?.code === "REQUEST_SEND_ERROR" || /failed to fetch|fetch failed|network/i.test(e?.message ?? ""));
  const blocked = document.documentElement.dataset.cspBlocked;
  if (unreached && blocked) {
    return `This page does not connect to ${blocked}: its Content-Security-Policy allows storage only over https, or over plain http on this machine (the emulator), so that a SAS token or key never crosses a network in clear text.`;
  }
  if (unreached) return `Could not reach the storage account: a network problem, a wrong URL, or CORS rules that do not allow this page. (${e.message})`;
  if (e instanceof TypeError && !e.statusCode) return `Check the form: ${e.message}`;
  if (e?.name === "AbortError") return "Cancelled.";
  if (e.statusCode === 403) return `Access denied (403 ${e.code ?? ""}): the SAS token or key is wrong, expired, or lacks read and list rights on the container.`;
  if (e.statusCode === 404 && e.code === "ContainerNotFound") return `The container '${container}' does not exist in this storage account.`;
  return `${e.message}`;
}

function ago(ms) {
  if (!Number.isFinite(ms)) return "—";
  if (ms < 1000) return "just now";
  if (ms < 120_000) return `${Math.round(ms / 1000)} s ago`;
  if (ms < 2 * 3600_000) return `${Math.round(ms / 60_000)} min ago`;
  if (ms < 2 * 86400_000) return `${Math.round(ms / 3600_000)} h ago`;
  return `${Math.round(ms / 86400_000)} days ago`;
}

// ---- The form ----------------------------------------------------------------------------

const TEXT_FIELDS = { accountUrl: "account-url", sas: "sas", connectionString: "connection-string", container: "container", namespace: "namespace", eventHub: "event-hub", consumerGroup: "consumer-group", expiry: "expiry" };

function settings() {
  const s = {};
  for (const [k, id] of Object.entries(TEXT_FIELDS)) s[k] = field(id).value.trim();
  // A "Blob SAS URL" pasted whole: the SAS goes to its own field, never to be remembered with the URL.
  const q = s.accountUrl.indexOf("?");
  if (q >= 0) {
    if (!s.sas) s.sas = s.accountUrl.slice(q + 1);
    s.accountUrl = s.accountUrl.slice(0, q);
    field("account-url").value = s.accountUrl;
    field("sas").value = s.sas;
  }
  s.expiry = Math.max(1, Number(s.expiry) || 60);
  s.remember = field("remember").checked;
  s.rememberSas = s.remember && field("remember-sas").checked;
  return s;
}

function fill(values) {
  for (const [k, id] of Object.entries(TEXT_FIELDS)) {
    const v = values[k];
    if (typeof v === "string" || typeof v === "number") field(id).value = String(v);
  }
}

/** Key=value pairs of a connection string (values may hold '='). */
function parseConnectionString(cs) {
  const out = {};
  for (const part of cs.split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim().toLowerCase()] = part.slice(i + 1).trim();
  }
  return out;
}

/** The blob endpoint a connection string names, if it names one (so it can be checked and remembered). */
function accountUrlOf(s) {
  if (!s.connectionString) return s.accountUrl;
  const c = parseConnectionString(s.connectionString);
  if (c.usedevelopmentstorage === "true") return "http://127.0.0.1:10000/devstoreaccount1";
  if (c.blobendpoint) return c.blobendpoint;
  if (c.accountname) return `${c.defaultendpointsprotocol || "https"}://${c.accountname}.blob.${c.endpointsuffix || "core.windows.net"}`;
  return "";
}

/** Only the parts of a URL that are no secret: no user info, query or fragment. */
function bareUrl(text) {
  try {
    const u = new URL(text);
    return `${u.origin}${u.pathname}`.replace(/\/$/, "");
  } catch {
    return "";
  }
}

/** What "Remember" keeps: never an account key or a connection string; the SAS only when asked. */
function remember(s) {
  if (!s.remember) {
    localStorage.removeItem(REMEMBER_KEY);
    return;
  }
  const kept = { accountUrl: bareUrl(accountUrlOf(s)), container: s.container, namespace: s.namespace, eventHub: s.eventHub, consumerGroup: s.consumerGroup, expiry: String(s.expiry) };
  if (s.rememberSas && s.sas && !s.connectionString) kept.sas = s.sas;
  localStorage.setItem(REMEMBER_KEY, JSON.stringify(kept));
}

/** What an earlier visit remembered, cleaned of anything this page no longer keeps. */
function recall() {
  let saved;
  try {
    saved = JSON.parse(localStorage.getItem(REMEMBER_KEY) ?? "null");
  } catch {
    saved = null;
  }
  if (!saved || typeof saved !== "object") {
    localStorage.removeItem(REMEMBER_KEY);
    return null;
  }
  const clean = {};
  for (const k of ["container", "namespace", "eventHub", "consumerGroup", "expiry", "sas"]) if (typeof saved[k] === "string") clean[k] = saved[k];
  if (typeof saved.accountUrl === "string") clean.accountUrl = bareUrl(saved.accountUrl);
  // Earlier versions stored the whole form, connection string included: rewritten without it.
  if (JSON.stringify(clean) !== JSON.stringify(saved)) localStorage.setItem(REMEMBER_KEY, JSON.stringify(clean));
  return clean;
}

field("remember").addEventListener("change", () => {
  field("remember-sas").disabled = !field("remember").checked;
  if (!field("remember").checked) field("remember-sas").checked = false;
});

// ---- Connecting, the group picker --------------------------------------------------------

// Event Hubs names are case-insensitive (the stores lower-case them in blob names): "$Default"
// typed in the form is the listed "$default".
const sameGroup = (a, b) => [a.fullyQualifiedNamespace, a.eventHubName, a.consumerGroup].join("/").toLowerCase() === [b.fullyQualifiedNamespace, b.eventHubName, b.consumerGroup].join("/").toLowerCase();
const groupText = (g) => `${g.fullyQualifiedNamespace} / ${g.eventHubName} / ${g.consumerGroup}`;

async function connect(s) {
  stop();
  showError("");
  $("#view").hidden = true; // nothing from the previous connection stays on screen as if current
  if (!s.container) return showError("Check the form: the container is empty.");
  if (!s.connectionString && !s.accountUrl) return showError("Check the form: give a blob account URL (with a SAS token) or a connection string.");
  const target = accountUrlOf(s);
  try {
    const u = new URL(target);
    if (u.protocol === "http:" && !HTTP_OK.test(u.hostname)) {
      return showError(`This page connects to ${u.origin} only over https: over plain http a SAS token or key could be read on the way. (Plain http is allowed to this machine only, as 127.0.0.1 or localhost, for the emulator.)`);
    }
  } catch {
    // the package says what is wrong with it
  }
  let store;
  try {
    store = s.connectionString
      ? BlobCheckpointStore.fromConnectionString(s.connectionString, s.container)
      : new BlobCheckpointStore(s.accountUrl, s.container, s.sas ? { credential: s.sas } : undefined);
  } catch (e) {
    return showError(describe(e, s.container));
  }
  remember(s);
  const me = { store, container: s.container, group: null, timer: null, busy: false, last: null, history: new Map(), groups: [] };
  session = me;
  const typed = s.namespace && s.eventHub && s.consumerGroup ? { fullyQualifiedNamespace: s.namespace, eventHubName: s.eventHub, consumerGroup: s.consumerGroup } : null;
  if (typeof store.listConsumerGroups === "function") {
    status("Listing the consumer groups in the container…");
    try {
      me.groups = await store.listConsumerGroups();
    } catch (e) {
      if (me === session) showError(describe(e, s.container));
      return;
    }
    if (me !== session) return;
    fillPicker(me.groups);
  }
  const pick = typed ?? (me.groups.length === 1 ? me.groups[0] : null);
  if (pick) watch(pick);
  else status(me.groups.length ? `${me.groups.length} consumer groups in '${s.container}': pick one.` : `No consumer group has blobs in '${s.container}' yet: type one to watch.`);
}

function fillPicker(groups) {
  const picker = field("group-picker");
  const head = document.createElement("option");
  head.value = "";
  head.textContent = groups.length ? `${groups.length} consumer group${groups.length === 1 ? "" : "s"} in this container: pick one` : "no consumer group has blobs in this container";
  picker.replaceChildren(head, ...groups.map((g, i) => {
    const o = document.createElement("option");
    o.value = String(i);
    o.textContent = groupText(g);
    return o;
  }));
  picker.disabled = groups.length === 0;
}

field("group-picker").addEventListener("change", (ev) => {
  const g = ev.target.value === "" ? undefined : session?.groups[Number(ev.target.value)];
  if (!g) return;
  fill({ namespace: g.fullyQualifiedNamespace, eventHub: g.eventHubName, consumerGroup: g.consumerGroup });
  if (field("remember").checked) remember(settings());
  watch(g);
});

function watch(group) {
  const s = session;
  clearInterval(s.timer);
  s.group = group;
  s.last = null;
  s.history = new Map();
  // The exact match if listed, else one that differs only in letter case.
  const listed = s.groups.indexOf(group) >= 0 ? s.groups.indexOf(group) : s.groups.findIndex((g) => sameGroup(g, group));
  field("group-picker").value = listed >= 0 ? String(listed) : "";
  $("#group-title").textContent = groupText(group);
  $("#view").hidden = false;
  $("#connect-box").open = false;
  $("#partitions tbody").replaceChildren();
  $("#findings").replaceChildren();
  refresh();
  s.timer = setInterval(refresh, REFRESH_MS);
}

function stop() {
  if (!session) return;
  clearInterval(session.timer);
  session = null;
}

// ---- Reading the group -------------------------------------------------------------------

const expiryMs = () => Math.max(1, Number(field("expiry").value) || 60) * 1000;

/**
 * The group's state from listOwnership and listCheckpoints, in the shape of `inspect`, for a
 * package without `inspect`: no findings beyond a list that failed, and no checkpoint times.
 */
async function inspectWithLists(store, ns, eh, cg, ownershipExpiryMs) {
  const [owners, checkpoints] = await Promise.allSettled([store.listOwnership(ns, eh, cg), store.listCheckpoints(ns, eh, cg)]);
  if (owners.status === "rejected" && checkpoints.status === "rejected") throw owners.reason;
  const now = Date.now();
  const findings = [];
  const parts = new Map();
  const part = (pid) => parts.get(pid) ?? parts.set(pid, { partitionId: pid, expired: false }).get(pid);
  for (const [r, what] of [[owners, "ownership"], [checkpoints, "checkpoint"]]) {
    if (r.status === "rejected") findings.push({ code: "UnreadableBlob", message: `The ${what} list failed: ${r.reason?.message ?? r.reason}`, action: "Fix or delete the blob it names." });
  }
  for (const o of owners.value ?? []) {
    const p = part(o.partitionId);
    Object.assign(p, { ownerId: o.ownerId, ownershipLastModifiedTimeInMs: o.lastModifiedTimeInMs, ownershipEtag: o.etag });
    p.expired = Boolean(o.ownerId) && now - o.lastModifiedTimeInMs > ownershipExpiryMs;
  }
  for (const c of checkpoints.value ?? []) part(c.partitionId).checkpoint = { sequenceNumber: c.sequenceNumber, offset: c.offset, lastModifiedTimeInMs: c.lastModifiedTimeInMs };
  const counts = new Map();
  for (const p of parts.values()) if (p.ownerId && !p.expired) counts.set(p.ownerId, (counts.get(p.ownerId) ?? 0) + 1);
  const partitions = [...parts.values()].sort((a, b) => (Number(a.partitionId) - Number(b.partitionId)) || a.partitionId.localeCompare(b.partitionId));
  return { inspectedAtMs: now, ownershipExpiryMs, owners: [...counts].map(([ownerId, n]) => ({ ownerId, partitions: n })), partitions, findings };
}

async function refresh() {
  const s = session;
  if (!s?.group || s.busy) return;
  s.busy = true;
  const { fullyQualifiedNamespace: ns, eventHubName: eh, consumerGroup: cg } = s.group;
  try {
    const r = typeof s.store.inspect === "function"
      ? await s.store.inspect(ns, eh, cg, { ownershipExpiryMs: expiryMs() })
      : await inspectWithLists(s.store, ns, eh, cg, expiryMs());
    if (s !== session) return;
    s.last = r;
    const now = Date.now();
    for (const p of r.partitions) {
      if (!p.checkpoint) continue;
      const h = s.history.get(p.partitionId) ?? [];
      h.push({ t: now, seq: p.checkpoint.sequenceNumber });
      while (h.length && h[0].t < now - HISTORY_MS) h.shift();
      s.history.set(p.partitionId, h);
    }
    render(r, now);
    showError("");
    status(`Refreshed ${new Date(now).toLocaleTimeString()} · ${r.partitions.length} partitions · ${r.findings.length ? `${r.findings.length} finding${r.findings.length === 1 ? "" : "s"}` : "no findings"}`);
  } catch (e) {
    if (s === session) showError(describe(e, s.container));
  } finally {
    s.busy = false;
  }
}

// ---- Rendering (text only: every value from storage goes in through textContent) -----------

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function render(r, now) {
  // Ages by the storage account's clock when it told us (this host's may be off).
  const serverNow = r.serverTimeMs ?? r.inspectedAtMs ?? now;
  const flagged = new Map();
  for (const f of r.findings) if (f.partitionId !== undefined) flagged.set(f.partitionId, [...(flagged.get(f.partitionId) ?? []), f.code]);

  $("#partitions tbody").replaceChildren(...r.partitions.map((p) => {
    const tr = document.createElement("tr");
    tr.dataset.partitionId = p.partitionId;
    if (p.expired) tr.classList.add("expired");
    const codes = flagged.get(p.partitionId);
    if (codes) {
      tr.classList.add("flagged");
      tr.title = codes.join(", ");
    }
    const owned = Boolean(p.ownerId);
    const c = p.checkpoint;
    const cells = [
      ["Partition", p.partitionId, "pid"],
      ["Owner", owned ? p.ownerId : p.ownerId === "" ? "released" : "never owned", owned ? "owner" : "owner free"],
      ["Renewed", p.ownershipLastModifiedTimeInMs !== undefined ? `${ago(serverNow - p.ownershipLastModifiedTimeInMs)}${p.expired ? " · expired" : ""}` : "—", "renewed"],
      ["Sequence number", c ? String(c.sequenceNumber) : "—", "num seq"],
      ["Offset", c ? (c.offset === "" ? "(empty)" : c.offset) : "—", "num offset"],
      ["Checkpointed", c ? (c.lastModifiedTimeInMs !== undefined ? ago(serverNow - c.lastModifiedTimeInMs) : "—") : "never", "ckpt-age"],
    ];
    for (const [label, text, cls] of cells) {
      const td = el("td", text, cls);
      td.dataset.label = label;
      tr.append(td);
    }
    const actions = el("td", undefined, "actions");
    actions.dataset.label = "Actions";
    if (owned) actions.append(button("Release", () => release(p.partitionId)));
    actions.append(button("Set checkpoint", () => setCheckpoint(p.partitionId)));
    tr.append(actions);
    return tr;
  }));

  const pills = r.owners.map((o) => pill(`${o.ownerId}: ${o.partitions}`, "owner-count", o.ownerId));
  const expired = r.partitions.filter((p) => p.expired).length;
  if (expired) pills.push(pill(`expired: ${expired}`, "expired-mark"));
  const free = r.partitions.filter((p) => !p.ownerId).length;
  if (free) pills.push(pill(`free: ${free}`));
  if (r.clockSkewMs !== undefined && Math.abs(r.clockSkewMs) >= 1000) pills.push(pill(`clock skew: ${(r.clockSkewMs / 1000).toFixed(0)} s`));
  $("#summary").replaceChildren(...pills);
  renderFindings(r.findings);
  drawChart(now);
}

function renderFindings(findings) {
  const box = $("#findings");
  if (!findings.length) {
    box.replaceChildren(el("p", "No findings: every partition is owned, balanced and checkpointing, and nothing else is in the group's folders.", "no-findings"));
    return;
  }
  const byCode = new Map();
  for (const f of findings) byCode.set(f.code, [...(byCode.get(f.code) ?? []), f]);
  const list = el("ul", undefined, "findings");
  for (const [code, fs] of byCode) {
    for (const f of fs.slice(0, FINDINGS_PER_CODE)) {
      const li = el("li", undefined, "finding");
      li.dataset.code = code;
      if (f.partitionId !== undefined) li.dataset.partitionId = f.partitionId;
      if (f.blob !== undefined) li.dataset.blob = f.blob;
      li.append(el("code", code), " ", el("span", f.message, "message"));
      li.append(el("span", f.action, "action"));
      list.append(li);
    }
    if (fs.length > FINDINGS_PER_CODE) {
      const li = el("li", `… and ${fs.length - FINDINGS_PER_CODE} more ${code} findings (the partitions concerned are marked in the table).`, "finding more");
      li.dataset.code = code;
      list.append(li);
    }
  }
  box.replaceChildren(el("h3", `${findings.length} finding${findings.length === 1 ? "" : "s"}`), list);
}

function button(label, onClick) {
  const b = el("button", label, "small");
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}
function pill(text, cls, owner) {
  const span = el("span", text, `pill ${cls ?? ""}`);
  if (owner !== undefined) span.dataset.owner = owner;
  return span;
}

function drawChart(now) {
  const svg = $("#chart");
  const ns = "http://www.w3.org/2000/svg";
  const ids = (session.last?.partitions ?? []).map((p) => p.partitionId).filter((pid) => session.history.get(pid)?.length).slice(0, CHART_MAX);
  svg.replaceChildren();
  const legend = [];
  // Progress since each line's first point, so partitions far apart in numbers share a scale.
  const gains = ids.map((pid) => {
    const h = session.history.get(pid);
    return h[h.length - 1].seq - h[0].seq;
  });
  const max = Math.max(1, ...gains);
  const x = (t) => ((t - (now - HISTORY_MS)) / HISTORY_MS) * 800;
  const y = (v) => 230 - (v / max) * 220;
  for (const [i, pid] of ids.entries()) {
    const h = session.history.get(pid);
    const line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", h.map((p) => `${x(p.t).toFixed(1)},${y(p.seq - h[0].seq).toFixed(1)}`).join(" "));
    // Colours come from style.css (classes s0..s15): the page allows no inline styles.
    line.setAttribute("class", `series s${i % 16}`);
    line.setAttribute("vector-effect", "non-scaling-stroke");
    line.dataset.partitionId = pid;
    svg.append(line);
    const item = el("span", undefined, "legend-item");
    item.append(el("span", undefined, `swatch s${i % 16}`), `partition ${pid}`);
    legend.push(item);
  }
  $("#legend").replaceChildren(...legend);
}

// ---- Actions -----------------------------------------------------------------------------

/** Asks for confirmation in a dialog; resolves with the dialog's form values, or null. */
function confirmDialog(text, fields = []) {
  const dialog = $("#confirm");
  $("#confirm-text").textContent = text;
  $("#confirm-fields").replaceChildren(...fields.map(([name, label, value]) => {
    const l = el("label", label);
    const input = document.createElement("input");
    input.name = name;
    input.value = value;
    l.append(input);
    return l;
  }));
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "ok" ? Object.fromEntries(fields.map(([name]) => [name, dialog.querySelector(`[name=${name}]`).value])) : null);
    }, { once: true });
  });
}

const partitionNow = (pid) => session.last?.partitions.find((p) => p.partitionId === pid);

async function release(pid) {
  const s = session;
  const p = partitionNow(pid);
  if (!p?.ownerId) return;
  if (!(await confirmDialog(`Release partition ${pid} from ${p.ownerId}? It only succeeds if ${p.ownerId} has not renewed it since this page's last refresh.`))) return;
  const { fullyQualifiedNamespace, eventHubName, consumerGroup } = s.group;
  try {
    const won = await s.store.claimOwnership([{ fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId: pid, ownerId: "", etag: p.ownershipEtag }]);
    if (won.length) notice(`Partition ${pid} released.`, true);
    else notice(`Partition ${pid} was not released: ${p.ownerId} renewed or another processor claimed it after the last refresh. Nothing was changed; look again and retry.`, false);
  } catch (e) {
    notice(describe(e, s.container), false);
  }
  refresh();
}

async function setCheckpoint(pid) {
  const s = session;
  const c = partitionNow(pid)?.checkpoint;
  const values = await confirmDialog(`Set the checkpoint of partition ${pid}? Processors that (re)start reading this partition begin after it.`, [
    ["sequenceNumber", "Sequence number", c ? String(c.sequenceNumber) : "0"],
    ["offset", "Offset", c ? c.offset : "0"],
  ]);
  if (!values) return;
  const { fullyQualifiedNamespace, eventHubName, consumerGroup } = s.group;
  const sequenceNumber = Number(values.sequenceNumber);
  const offset = values.offset.trim();
  try {
    await s.store.updateCheckpoint({ fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId: pid, sequenceNumber, offset });
    notice(`Checkpoint of partition ${pid} set to sequence number ${sequenceNumber}, offset ${offset}.`, true);
  } catch (e) {
    notice(describe(e, s.container), false);
  }
  refresh();
}

// ---- Start -------------------------------------------------------------------------------

form.addEventListener("submit", (ev) => {
  ev.preventDefault(); // guard.js does too; nothing typed goes into the page URL
  connect(settings());
});

/**
 * The demo configuration, only from the server www/run starts: the page must be on loopback,
 * the answer must carry the marker header only that server sends, and the account must be on
 * loopback too. A demo-config.json anywhere else is ignored (never fetched off loopback).
 */
async function demoConfig() {
  if (!isLoopback(location.hostname)) return null;
  try {
    const r = await fetch("demo-config.json", { cache: "no-store", credentials: "omit", redirect: "error" });
    if (!r.ok || r.headers.get("x-inspector-demo") !== "www/run") return null;
    const c = await r.json();
    return c && typeof c === "object" && isLoopback(new URL(c.accountUrl).hostname) ? c : null;
  } catch {
    return null;
  }
}

const saved = recall();
if (saved) {
  fill(saved);
  field("remember").checked = true;
  field("remember-sas").disabled = false;
  field("remember-sas").checked = typeof saved.sas === "string";
}
const demo = await demoConfig();
document.documentElement.dataset.ready = "true";
const connectButton = field("connect-button");
connectButton.textContent = "Connect";
connectButton.disabled = false;
if (demo) {
  fill(demo);
  connect(settings());
}
