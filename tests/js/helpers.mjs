// Shared by the JS suites: Azurite's address, the dev account, and an independent client
// (the official @azure/storage-blob) for set-up and for writing blobs behind our back.
import { readFileSync } from "node:fs";
import {
  BlobServiceClient,
  StorageSharedKeyCredential,
  generateAccountSASQueryParameters,
  generateBlobSASQueryParameters,
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  ContainerSASPermissions,
  SASProtocol,
} from "@azure/storage-blob";

export const ACCOUNT = "devstoreaccount1";
// The emulator's well-known, documented key: not a secret.
export const KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
export const URL_ = process.env.AZURITE_BLOB_URL;
if (!URL_) throw new Error("AZURITE_BLOB_URL is not set: run the suites through tests/run");
export const CONN = `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=${URL_};`;

export const sharedKey = new StorageSharedKeyCredential(ACCOUNT, KEY);
export const service = new BlobServiceClient(URL_, sharedKey);

let counter = 0;
/** A new, empty container with a unique name. */
export async function newContainer(tag = "t") {
  const name = `${tag}-${process.pid}-${Date.now().toString(36)}-${counter++}`.toLowerCase().slice(0, 63);
  await service.getContainerClient(name).create();
  return name;
}

export function accountSas({ expiresInMs = 3600_000, permissions = "rwdlacup" } = {}) {
  return generateAccountSASQueryParameters(
    {
      expiresOn: new Date(Date.now() + expiresInMs),
      startsOn: new Date(Date.now() - 60_000),
      permissions: AccountSASPermissions.parse(permissions),
      resourceTypes: AccountSASResourceTypes.parse("sco").toString(),
      services: AccountSASServices.parse("b").toString(),
      protocol: SASProtocol.HttpsAndHttp,
    },
    sharedKey,
  ).toString();
}

export function containerSas(containerName, { expiresInMs = 3600_000, permissions = "racwdl" } = {}) {
  return generateBlobSASQueryParameters(
    {
      containerName,
      expiresOn: new Date(Date.now() + expiresInMs),
      startsOn: new Date(Date.now() - 60_000),
      permissions: ContainerSASPermissions.parse(permissions),
      protocol: SASProtocol.HttpsAndHttp,
    },
    sharedKey,
  ).toString();
}

export const NS = "ns.servicebus.windows.net";
export const EH = "telemetry";
export const CG = "$Default";

export function ownership(partitionId, ownerId, extra = {}) {
  return { fullyQualifiedNamespace: NS, eventHubName: EH, consumerGroup: CG, partitionId: String(partitionId), ownerId, ...extra };
}

export function checkpoint(partitionId, sequenceNumber, offset, extra = {}) {
  return { fullyQualifiedNamespace: NS, eventHubName: EH, consumerGroup: CG, partitionId: String(partitionId), sequenceNumber, offset, ...extra };
}

/** Asserts that no secret of the dev account or of `extra` is in `text`. */
export function assertNoSecret(assert, text, extra = []) {
  for (const s of [KEY, KEY.slice(0, 20), ...extra]) {
    assert.ok(!String(text).includes(s), `secret leaked into: ${text}`);
  }
}

/** The code block that follows `<!-- example: NAME ... -->` in the README. */
export function readmeExample(name) {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const at = readme.indexOf(`<!-- example: ${name}`);
  if (at < 0) throw new Error(`README has no example '${name}'`);
  const block = readme.slice(at).match(/```[a-z]*\n([\s\S]*?)```/);
  return block[1];
}
