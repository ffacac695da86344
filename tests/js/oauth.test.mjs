// TokenCredential against the real protocol: a second Azurite over HTTPS with `--oauth basic`
// (tests/run starts it and makes Node trust its self-signed certificate).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { BlobCheckpointStore } from "eventhubs-checkpointstore-blob-wasm";
import { ACCOUNT, KEY, NS, EH, CG, ownership, checkpoint, assertNoSecret } from "./helpers.mjs";

const URL_OAUTH = process.env.AZURITE_OAUTH_URL;
if (!URL_OAUTH) throw new Error("AZURITE_OAUTH_URL is not set: run the suites through tests/run");

const b64url = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
/** A token of the shape Azure AD issues for storage; Azurite's basic OAuth checks its claims. */
function jwt({ aud = "https://storage.azure.com", iss = "https://sts.windows.net/ab1f708d-50f6-404c-a006-d71b2ac7a606/", lifetimeS = 3600 } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return `${b64url({ alg: "RS256", typ: "JWT" })}.${b64url({ aud, iss, iat: now - 60, nbf: now - 60, exp: now + lifetimeS, oid: "test" })}.c2lnbmF0dXJl`;
}

/** A TokenCredential that counts its calls. */
function credential(make) {
  const calls = [];
  return {
    calls,
    async getToken(scopes, options) {
      calls.push(scopes);
      return make(calls.length, options);
    },
  };
}

let container;
before(async () => {
  container = `oauth-${Date.now().toString(36)}`;
  await new BlobServiceClient(URL_OAUTH, new StorageSharedKeyCredential(ACCOUNT, KEY)).getContainerClient(container).create();
});

test("a token Azurite accepts: claims and checkpoints work; the token is fetched once and reused", async () => {
  const cred = credential(() => ({ token: jwt(), expiresOnTimestamp: Date.now() + 3600_000 }));
  const store = new BlobCheckpointStore(URL_OAUTH, container, { credential: cred });
  const [o] = await store.claimOwnership([ownership(0, "oauth")]);
  assert.equal(o.ownerId, "oauth");
  await store.updateCheckpoint(checkpoint(0, 5, "50"));
  assert.deepEqual(await store.listCheckpoints(NS, EH, CG), [checkpoint(0, 5, "50")]);
  assert.equal((await store.listOwnership(NS, EH, CG))[0].etag, o.etag);
  assert.equal(cred.calls.length, 1, "one token for four calls");
  assert.deepEqual(cred.calls[0], ["https://storage.azure.com/.default"]);
});

test("a token about to expire is requested again", async () => {
  // Valid for Azurite, but the credential says it expires within the refresh margin.
  const cred = credential(() => ({ token: jwt(), expiresOnTimestamp: Date.now() + 30_000 }));
  const store = new BlobCheckpointStore(URL_OAUTH, container, { credential: cred });
  await store.listOwnership(NS, EH, CG);
  await store.listCheckpoints(NS, EH, CG);
  assert.equal(cred.calls.length, 2);
  // Once the credential hands out a long-lived token, it is reused again.
  const later = credential((n) => ({ token: jwt(), expiresOnTimestamp: Date.now() + (n === 1 ? 30_000 : 3600_000) }));
  const store2 = new BlobCheckpointStore(URL_OAUTH, container, { credential: later });
  for (let i = 0; i < 4; i++) await store2.listOwnership(NS, EH, CG);
  assert.equal(later.calls.length, 2);
});

test("tokens Azurite rejects give 403 RestErrors with the Azure code and without the token", async () => {
  for (const token of [jwt({ aud: "https://vault.azure.net" }), jwt({ iss: "https://evil.example/" }), jwt({ lifetimeS: -600 })]) {
    const store = new BlobCheckpointStore(URL_OAUTH, container, { credential: { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) } });
    const err = await store.updateCheckpoint(checkpoint(1, 1, "1")).then(() => null, (e) => e);
    assert.equal(err?.name, "RestError");
    assert.equal(err.statusCode, 403);
    assert.equal(err.code, "AuthenticationFailed");
    assert.match(err.message, /^updateCheckpoint failed for '.*checkpoint\/1': 403 AuthenticationFailed/);
    assertNoSecret(assert, `${err.message} ${err.stack} ${JSON.stringify(err)}`, [token, token.split(".")[1]]);
  }
});
