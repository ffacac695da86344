// The page's first module, and it imports nothing, so it runs even when app.js, the package or
// its wasm is slow, blocked or broken. It makes sure the connect form never submits natively (a
// native submit would put what was typed into the URL, the history and the web server's log),
// and says so when the page's code cannot load, instead of leaving a form that does nothing.
const form = document.getElementById("connect");
form.addEventListener("submit", (ev) => ev.preventDefault());

const ready = () => document.documentElement.dataset.ready === "true";
function fail(text) {
  if (ready()) return;
  document.documentElement.dataset.ready = "failed";
  const el = document.getElementById("error");
  el.textContent = `The page's code did not load (${text}). Nothing you typed was sent anywhere. Reload the page to try again.`;
  el.hidden = false;
  const button = document.getElementById("connect-button");
  button.disabled = true;
  button.textContent = "Not loaded";
}

// A module (or stylesheet) that fails to download: an error event at its element, seen here in
// the capture phase. A module that fails to run (the wasm fails to fetch or to compile): an
// error event at the window.
addEventListener("error", (ev) => {
  const el = ev.target;
  if (el instanceof HTMLScriptElement) fail(`${new URL(el.src, location.href).pathname} could not be fetched or parsed`);
  else if (ev instanceof ErrorEvent) fail(ev.message || "a script failed");
}, true);
addEventListener("unhandledrejection", (ev) => {
  if (!ready()) fail(ev.reason?.message ?? String(ev.reason));
});
setTimeout(() => {
  if (!ready() && document.documentElement.dataset.ready !== "failed") document.getElementById("status").textContent = "Still loading the page's code…";
}, 3000);

// A connection the page's Content-Security-Policy blocks fails like a network error; say why.
document.addEventListener("securitypolicyviolation", (ev) => {
  if (ev.effectiveDirective !== "connect-src") return;
  let origin = ev.blockedURI;
  try {
    origin = new URL(ev.blockedURI).origin;
  } catch {
    // not a URL: shown as the browser gave it
  }
  document.documentElement.dataset.cspBlocked = origin; // app.js words its connection errors with it
  const el = document.getElementById("error");
  el.textContent = cspMessage(origin);
  el.hidden = false;
});

function cspMessage(origin) {
  return `This page does not connect to ${origin}: its Content-Security-Policy allows storage only over https, or over plain http on this machine (the emulator), so that a SAS token or key never crosses a network in clear text.`;
}
