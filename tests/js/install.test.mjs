// The package as a user meets it: the tarball from `npm pack ./pkg`, installed into an empty
// Node project, running the README's snippet verbatim against Azurite.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONN, NS, EH, CG, service, readmeExample } from "./helpers.mjs";

const root = new URL("../../", import.meta.url).pathname;

test("npm pack ./pkg installs into an empty project where the README snippet works", async () => {
  const tgzDir = join(root, "target/npm");
  const tgz = readdirSync(tgzDir).find((f) => f.endsWith(".tgz"));
  assert.ok(tgz, "tests/run packs pkg/ into target/npm");
  const dir = mkdtempSync(join(tmpdir(), "user-project-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "user-project", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", join(tgzDir, tgz)], { cwd: dir, stdio: "pipe" });

  const snippet = readmeExample("node");
  writeFileSync(join(dir, "snippet.mjs"), snippet + "\nconsole.log(JSON.stringify(mine));\n");
  const cc = service.getContainerClient("checkpoints");
  await cc.createIfNotExists();
  // The snippet claims partition 0 as new: make sure it is.
  await cc.deleteBlob(`${NS}/${EH}/$default/ownership/0`).catch(() => {});
  const out = execFileSync("node", ["snippet.mjs"], {
    cwd: dir,
    env: { ...process.env, STORAGE_CONNECTION_STRING: CONN },
    encoding: "utf8",
  });
  const mine = JSON.parse(out);
  assert.equal(mine.length, 1, "the snippet claims partition 0 in a fresh container");
  assert.equal(mine[0].ownerId, "worker-1");
  // The checkpoint it wrote is there for the official SDK to read.
  const blob = service.getContainerClient("checkpoints").getBlobClient(`${NS}/${EH}/$default/checkpoint/0`);
  const props = await blob.getProperties();
  assert.deepEqual(props.metadata, { sequencenumber: "42", offset: "4096" });
  assert.equal(CG, "$Default");
});
