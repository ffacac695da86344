// Starts the demo stack behind www/run (www/demo/stack.mjs) for the page's suites, on a free port.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { URL_ } from "./helpers.mjs";
import { root } from "./runtime-tools.mjs";

/**
 * Resolves with { site, log(), stop() }. `env` adds to the stack's environment: DEMO_CONTAINER
 * gives a suite its own container, DEMO_PROCESSORS=0 leaves out the simulated processors,
 * WWW_ACCESS_LOG=1 logs every request (what a web server's log would hold).
 */
export async function startDemo(env = {}) {
  const child = spawn("node", [join(root, "www/demo/stack.mjs")], { env: { ...process.env, AZURITE_BLOB_URL: URL_, WWW_PORT: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const deadline = Date.now() + 30_000;
  while (!out.includes("Consumer-group inspector:")) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`demo stack did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const site = out.match(/Consumer-group inspector: (http:\/\/127\.0\.0\.1:\d+\/)/)[1];
  return {
    site,
    log: () => out,
    alive: () => child.exitCode === null,
    stop: () => new Promise((r) => {
      if (child.exitCode !== null) return r();
      child.once("close", r);
      child.kill("SIGTERM");
    }),
  };
}

/** Collects Content-Security-Policy violations of a page (events and console reports). */
export async function watchCsp(page) {
  const violations = [];
  await page.exposeFunction("__cspViolation", (v) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => window.__cspViolation(`${e.effectiveDirective} blocked ${e.blockedURI}`));
  });
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(`console: ${m.text()}`);
  });
  return violations;
}
