// Types of eventhubs-checkpointstore-blob-wasm. The shapes are those of @azure/event-hubs'
// CheckpointStore, PartitionOwnership and Checkpoint.

// The two symbols as TypeScript's lib.esnext.disposable (and @types/node) declare them, so the
// class below type-checks for projects whose `lib` is older.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
    readonly asyncDispose: unique symbol;
  }
}

/** What the store needs of an AbortSignal (the shape of @azure/abort-controller's AbortSignalLike). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: (this: AbortSignalLike, ev: any) => any, options?: any): void;
  removeEventListener(type: "abort", listener: (this: AbortSignalLike, ev: any) => any, options?: any): void;
}

/** Options of every call: aborting `abortSignal` rejects the call with an error named "AbortError". */
export interface OperationOptions {
  abortSignal?: AbortSignalLike;
}

/** Anything with getToken, such as the credentials of @azure/identity. */
export interface TokenCredentialLike {
  getToken(
    scopes: string | string[],
    options?: { abortSignal?: AbortSignalLike },
  ): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

/** What `credential` may be. */
export type StoreCredential =
  | string
  | { signature: string }
  | { name: string; key: string }
  | { accountName: string; accountKey: string | Uint8Array }
  | TokenCredentialLike;

/** How failed requests are retried (the names of @azure/event-hubs' RetryOptions); each optional. */
export interface StoreRetryOptions {
  /** Retries after the first try, a whole number from 0 to 100; default 3. */
  maxRetries?: number;
  /** First back-off, doubled each retry (±20% jitter); default 800. */
  retryDelayInMs?: number;
  /** Cap of every wait, Retry-After included; default 60000. */
  maxRetryDelayInMs?: number;
  /** Time-out of each try; default 60000. */
  timeoutInMs?: number;
}

export interface BlobCheckpointStoreOptions {
  credential?: StoreCredential;
  /** Sent as x-ms-version; default "2019-07-07". */
  apiVersion?: string;
  /** Host name (`host[:port]`) of the read-only secondary endpoint (RA-GRS accounts); list calls retry there. */
  secondaryHostname?: string;
  /** Retries of failed requests. */
  retryOptions?: StoreRetryOptions;
}

export interface PartitionOwnership {
  fullyQualifiedNamespace: string;
  eventHubName: string;
  consumerGroup: string;
  partitionId: string;
  ownerId: string;
  lastModifiedTimeInMs?: number;
  etag?: string;
}

export interface Checkpoint {
  fullyQualifiedNamespace: string;
  eventHubName: string;
  consumerGroup: string;
  partitionId: string;
  sequenceNumber: number;
  /** Returned as decimal text; may be given as a string or an integer. */
  offset: string;
}

/** The error of a call on a closed, freed or disposed store. */
export interface StoreClosedError extends Error {
  code: "StoreClosed";
}

/** The error of a failed request. */
export interface RestError extends Error {
  name: "RestError";
  statusCode?: number;
  code?: string;
  requestId?: string;
}

export class BlobCheckpointStore {
  constructor(blobAccountUrl: string, containerName: string, options?: BlobCheckpointStoreOptions);
  static fromConnectionString(
    connectionString: string,
    containerName: string,
    options?: BlobCheckpointStoreOptions,
  ): BlobCheckpointStore;
  listOwnership(
    fullyQualifiedNamespace: string,
    eventHubName: string,
    consumerGroup: string,
    options?: OperationOptions,
  ): Promise<PartitionOwnership[]>;
  claimOwnership(ownerships: PartitionOwnership[], options?: OperationOptions): Promise<PartitionOwnership[]>;
  updateCheckpoint(
    checkpoint: Omit<Checkpoint, "offset"> & { offset: string | number },
    options?: OperationOptions,
  ): Promise<void>;
  listCheckpoints(
    fullyQualifiedNamespace: string,
    eventHubName: string,
    consumerGroup: string,
    options?: OperationOptions,
  ): Promise<Checkpoint[]>;
  /** Every consumer group with blobs in the container, names as stored (List Blobs with the delimiter "/"). */
  listConsumerGroups(options?: OperationOptions): Promise<ConsumerGroupId[]>;
  /** The state of every partition of a consumer group and findings about it (see the README). */
  inspect(
    fullyQualifiedNamespace: string,
    eventHubName: string,
    consumerGroup: string,
    options?: InspectOptions,
  ): Promise<GroupInspection>;
  /** Later calls reject with `code: "StoreClosed"`; calls under way finish. Closing again resolves. */
  close(): Promise<void>;
  /**
   * Releases the wasm memory now (otherwise the garbage collector does). Later calls reject with
   * `code: "StoreClosed"`.
   */
  free(): void;
  /** `using store = ...`: free() at the end of the block. */
  [Symbol.dispose](): void;
  /** `await using store = ...`: close(), then free(), at the end of the block. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** A consumer group found in the container, its names as stored. */
export interface ConsumerGroupId {
  fullyQualifiedNamespace: string;
  eventHubName: string;
  consumerGroup: string;
}

export interface InspectOptions extends OperationOptions {
  /** An ownership not renewed for this long is expired; default 60000 (@azure/event-hubs' default). */
  ownershipExpiryMs?: number;
  /** A checkpoint older than this while its partition is owned is a StalledCheckpoint; default 300000 (5 minutes). */
  stallThresholdMs?: number;
  /** |this host's clock - the storage account's Date header| above this is a ClockSkew; default 5000. */
  clockSkewThresholdMs?: number;
}

/** The stable codes of findings. */
export type FindingCode =
  | "UnownedPartition"
  | "ExpiredOwnership"
  | "Imbalance"
  | "StalledCheckpoint"
  | "CheckpointWithoutOffset"
  | "UnreadableBlob"
  | "StrayBlob"
  | "CaseVariantPrefix"
  | "ClockSkew";

export interface Finding {
  code: FindingCode;
  /** The partition it concerns, if one. */
  partitionId?: string;
  /** The blob (or, for CaseVariantPrefix and a summary of stray blobs, the prefix) it concerns: its name in the container. */
  blob?: string;
  /** The owner it concerns, if one. */
  ownerId?: string;
  /** What was found, as a sentence. */
  message: string;
  /** What to do about it. */
  action: string;
}

export interface PartitionState {
  partitionId: string;
  /** Absent: no (readable) ownership blob; "": released. */
  ownerId?: string;
  /** The ownership blob's Last-Modified: the owner's last renewal. */
  ownershipLastModifiedTimeInMs?: number;
  /** The ownership blob's ETag, quoted. */
  ownershipEtag?: string;
  /** Has a non-empty owner whose last renewal is older than ownershipExpiryMs. */
  expired: boolean;
  /** The checkpoint; `offset` as stored (may be "" or "no offset"); `lastModifiedTimeInMs` is the blob's Last-Modified. */
  checkpoint?: { sequenceNumber: number; offset: string; lastModifiedTimeInMs: number };
}

export interface GroupInspection extends ConsumerGroupId {
  /** This host's clock when the listing arrived. */
  inspectedAtMs: number;
  /** The storage account's clock then (the listing's Date header), when visible. */
  serverTimeMs?: number;
  /** inspectedAtMs - serverTimeMs: positive when this host's clock is ahead. */
  clockSkewMs?: number;
  ownershipExpiryMs: number;
  stallThresholdMs: number;
  /** Live (non-expired, non-empty) owners and how many partitions each holds, by owner id. */
  owners: { ownerId: string; partitions: number }[];
  /** Every partition with a blob, numeric ids in numeric order first. */
  partitions: PartitionState[];
  /** Each with a stable code, a sentence and what to do. */
  findings: Finding[];
}
