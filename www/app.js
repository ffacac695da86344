// The consumer-group inspector: plain ES modules over the package's browser entry.
import { BlobCheckpointStore } from "/pkg/web.js";

const REFRESH_MS = 2000;
const HISTORY_MS = 3 * 60_000;
const REMEMBER_KEY = "consumer-group-inspector";
const COLORS = ["#0b5cad", "#b42318", "#067647", "#b54708", "#6941c6", "#c11574", "#026aa2", "#4e5ba6", "#3f621a", "#93370d", "#1570ef", "#dd2590", "#12b76a", "#f79009", "#7a5af8", "#475467"];

const $ = (sel) => document.querySelector(sel);
const form = $("#connect");
let session = null; // { store, group, expiryMs, timer, rows, history, seen }

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

/** A failure in words a person can act on. */
function describe(e, container) {
  if (e instanceof TypeError && !e.statusCode) return `Check the form: ${e.message}`;
  if (e.name === "AbortError") return "Cancelled.";
  if (e.statusCode === 403) return `Access denied (403 ${e.code ?? ""}): the SAS token or key is wrong, expired, or lacks read and list rights on the container.`;
  if (e.statusCode === 404 && e.code === "ContainerNotFound") return `The container '${container}' does not exist in this storage account.`;
  if (!e.statusCode) return `Could not reach the storage account: a network problem, a wrong URL, or CORS rules that do not allow this page. (${e.message})`;
  return `${e.message}`;
}

const ago = (ms) => (ms < 1000 ? "just now" : ms < 120_000 ? `${Math.round(ms / 1000)} s ago` : `${Math.round(ms / 60_000)} min ago`);

function settings() {
  const f = Object.fromEntries(new FormData(form));
  return { ...f, remember: form.remember.checked, expiry: Math.max(1, Number(f.expiry) || 30) };
}

function connect(s) {
  session?.timer && clearInterval(session.timer);
  showError("");
  let store;
  try {
    store = s.connectionString
      ? BlobCheckpointStore.fromConnectionString(s.connectionString.trim(), s.container.trim())
      : new BlobCheckpointStore(s.accountUrl.trim(), s.container.trim(), s.sas.trim() ? { credential: s.sas.trim() } : undefined);
  } catch (e) {
    showError(describe(e, s.container));
    return;
  }
  if (s.remember) localStorage.setItem(REMEMBER_KEY, JSON.stringify(s));
  else localStorage.removeItem(REMEMBER_KEY);
  session = { store, container: s.container.trim(), group: [s.namespace.trim(), s.eventHub.trim(), s.consumerGroup.trim()], expiryMs: s.expiry * 1000, history: new Map(), seen: new Map(), last: null };
  $("#view").hidden = false;
  $("#connect-box").open = false;
  refresh();
  session.timer = setInterval(refresh, REFRESH_MS);
}

async function refresh() {
  const s = session;
  try {
    const [owners, checkpoints] = await Promise.all([s.store.listOwnership(...s.group), s.store.listCheckpoints(...s.group)]);
    if (s !== session) return;
    s.last = { owners: new Map(owners.map((o) => [o.partitionId, o])), checkpoints: new Map(checkpoints.map((c) => [c.partitionId, c])) };
    const now = Date.now();
    for (const c of checkpoints) {
      const prev = s.seen.get(c.partitionId);
      if (!prev || prev.seq !== c.sequenceNumber) s.seen.set(c.partitionId, { seq: c.sequenceNumber, at: prev ? now : null });
      const h = s.history.get(c.partitionId) ?? [];
      h.push({ t: now, seq: c.sequenceNumber });
      while (h.length && h[0].t < now - HISTORY_MS) h.shift();
      s.history.set(c.partitionId, h);
    }
    render(now);
    showError("");
    status(`Refreshed ${new Date(now).toLocaleTimeString()} · ${owners.length} ownership and ${checkpoints.length} checkpoint blobs`);
  } catch (e) {
    if (s === session) showError(describe(e, s.container));
  }
}

function partitionIds() {
  const ids = new Set([...session.last.owners.keys(), ...session.last.checkpoints.keys()]);
  return [...ids].sort((a, b) => (Number(a) - Number(b)) || a.localeCompare(b));
}

function render(now) {
  const { owners, checkpoints } = session.last;
  const tbody = $("#partitions tbody");
  const perOwner = {};
  let expired = 0;
  tbody.replaceChildren(...partitionIds().map((pid) => {
    const o = owners.get(pid);
    const c = checkpoints.get(pid);
    const age = o ? now - o.lastModifiedTimeInMs : null;
    const isExpired = o && o.ownerId && age > session.expiryMs;
    if (isExpired) expired++;
    else if (o?.ownerId) perOwner[o.ownerId] = (perOwner[o.ownerId] ?? 0) + 1;
    const tr = document.createElement("tr");
    tr.dataset.partitionId = pid;
    if (isExpired) tr.classList.add("expired");
    const seen = session.seen.get(pid);
    const cells = [
      [pid],
      [o?.ownerId ? o.ownerId : o ? "released" : "never owned", "owner" + (o?.ownerId ? "" : " free")],
      [o ? `${ago(age)}${isExpired ? " · expired" : ""}` : "—", "renewed"],
      [c ? String(c.sequenceNumber) : "—", "num seq"],
      [c ? c.offset : "—", "num offset"],
      [seen?.at ? ago(now - seen.at) : c ? "not seen to move yet" : "—", "ckpt-age"],
    ];
    for (const [text, cls] of cells) {
      const td = document.createElement("td");
      td.textContent = text;
      if (cls) td.className = cls;
      tr.append(td);
    }
    const actions = document.createElement("td");
    if (o?.ownerId) actions.append(button("Release", () => release(pid)));
    actions.append(button("Set checkpoint", () => setCheckpoint(pid)));
    tr.append(actions);
    return tr;
  }));
  const pills = Object.entries(perOwner).sort().map(([owner, n]) => pill(`${owner}: ${n}`, "owner-count", owner));
  if (expired) pills.push(pill(`expired: ${expired}`, "expired-mark"));
  const free = partitionIds().filter((p) => !owners.get(p)?.ownerId).length;
  if (free) pills.push(pill(`free: ${free}`));
  $("#summary").replaceChildren(...pills);
  drawChart(now);
}

function button(label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "small";
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}
function pill(text, cls, owner) {
  const span = document.createElement("span");
  span.className = `pill ${cls ?? ""}`;
  if (owner) span.dataset.owner = owner;
  span.textContent = text;
  return span;
}

function drawChart(now) {
  const svg = $("#chart");
  const ns = "http://www.w3.org/2000/svg";
  const all = [...session.history.values()].flat();
  svg.replaceChildren();
  const legend = [];
  if (all.length) {
    // Progress since each line's first point, so partitions far apart in numbers share a scale.
    const gains = [...session.history.values()].map((h) => (h.length ? h[h.length - 1].seq - h[0].seq : 0));
    const max = Math.max(1, ...gains);
    const x = (t) => ((t - (now - HISTORY_MS)) / HISTORY_MS) * 800;
    const y = (v) => 230 - (v / max) * 220;
    for (const [i, pid] of partitionIds().entries()) {
      const h = session.history.get(pid);
      if (!h?.length) continue;
      const line = document.createElementNS(ns, "polyline");
      line.setAttribute("points", h.map((p) => `${x(p.t).toFixed(1)},${y(p.seq - h[0].seq).toFixed(1)}`).join(" "));
      line.setAttribute("fill", "none");
      line.setAttribute("stroke", COLORS[i % COLORS.length]);
      line.setAttribute("stroke-width", "1.5");
      line.setAttribute("vector-effect", "non-scaling-stroke");
      line.dataset.partitionId = pid;
      svg.append(line);
      const item = document.createElement("span");
      item.innerHTML = `<span class="swatch" style="background:${COLORS[i % COLORS.length]}"></span>`;
      item.append(`partition ${pid}`);
      legend.push(item);
    }
  }
  $("#legend").replaceChildren(...legend);
}

/** Asks for confirmation in a dialog; resolves with the dialog's form values, or null. */
function confirmDialog(text, fields = []) {
  const dialog = $("#confirm");
  $("#confirm-text").textContent = text;
  $("#confirm-fields").replaceChildren(...fields.map(([name, label, value]) => {
    const l = document.createElement("label");
    l.append(label);
    const input = document.createElement("input");
    input.name = name;
    input.value = value;
    l.append(input);
    return l;
  }));
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "ok" ? Object.fromEntries(fields.map(([name]) => [name, dialog.querySelector(`[name=${name}]`).value])) : null);
    }, { once: true });
  });
}

async function release(pid) {
  const o = session.last.owners.get(pid);
  if (!(await confirmDialog(`Release partition ${pid} from ${o.ownerId}? It only succeeds if ${o.ownerId} has not renewed it since this page's last refresh.`))) return;
  const [ns, eh, cg] = session.group;
  try {
    const won = await session.store.claimOwnership([{ fullyQualifiedNamespace: ns, eventHubName: eh, consumerGroup: cg, partitionId: pid, ownerId: "", etag: o.etag }]);
    if (won.length) notice(`Partition ${pid} released.`, true);
    else notice(`Partition ${pid} was not released: ${o.ownerId} renewed or another processor claimed it after the last refresh. Nothing was changed; look again and retry.`, false);
  } catch (e) {
    notice(describe(e, session.container), false);
  }
  refresh();
}

async function setCheckpoint(pid) {
  const c = session.last.checkpoints.get(pid);
  const values = await confirmDialog(`Set the checkpoint of partition ${pid}? Processors that (re)start reading this partition begin after it.`, [
    ["sequenceNumber", "Sequence number", c ? String(c.sequenceNumber) : "0"],
    ["offset", "Offset", c ? c.offset : "0"],
  ]);
  if (!values) return;
  const [ns, eh, cg] = session.group;
  try {
    const sequenceNumber = Number(values.sequenceNumber);
    await session.store.updateCheckpoint({ fullyQualifiedNamespace: ns, eventHubName: eh, consumerGroup: cg, partitionId: pid, sequenceNumber, offset: values.offset.trim() });
    notice(`Checkpoint of partition ${pid} set to sequence number ${sequenceNumber}, offset ${values.offset.trim()}.`, true);
  } catch (e) {
    notice(describe(e, session.container), false);
  }
  refresh();
}

form.addEventListener("submit", (ev) => {
  ev.preventDefault(); // nothing typed goes into the page URL
  connect(settings());
});

function fill(values) {
  for (const [k, v] of Object.entries(values)) if (form.elements[k] && typeof v === "string") form.elements[k].value = v;
}

// Served by www/run: prefilled for the demo, and connected at once. Otherwise what the user
// asked to remember, if anything.
const demo = await fetch("demo-config.json").then((r) => (r.ok ? r.json() : null)).catch(() => null);
if (demo) {
  fill(demo);
  connect(settings());
} else {
  const saved = JSON.parse(localStorage.getItem(REMEMBER_KEY) ?? "null");
  if (saved) {
    fill(saved);
    form.remember.checked = true;
  }
}
