/**
 * ObjectStore over one Azure Blob Storage container, optionally under a name prefix: key `a/b`
 * is the block blob `<prefix>/a/b`.
 *
 * Retries happen in two layers. The SDK pipeline (configured below) retries network errors and
 * 500/503 with exponential backoff; it does not retry 408, 429, 502 or 504, so `run` adds an outer
 * retry loop for exactly those. Whatever still fails becomes a StorageError naming the blob.
 * A missing container is a ConfigError: it is a deployment mistake, and creating containers
 * implicitly would hide a wrong name behind an empty table. `ensureContainer()` creates it on
 * purpose (tooling, tests).
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as AzureIdentity from '@azure/identity';
import type * as AzureStorageBlob from '@azure/storage-blob';
import type { BlobDownloadResponseParsed, BlobServiceClient, ContainerClient, StoragePipelineOptions, newPipeline } from '@azure/storage-blob';
import { ConfigError, NotFoundError, StorageError } from '../errors.ts';
import { azureStatus, isAlreadyExists, needsOwnRetry, toFitlakeError, type AzureErrorContext } from './azure-errors.ts';
import { assertValidKey, assertValidPrefix, compareKeys, joinKey, trimSlashes } from './keys.ts';
import type { ObjectInfo, ObjectStore } from './object-store.ts';
import { withRetries } from './retry.ts';

/** A credential the Blob SDK accepts: a TokenCredential (Entra ID), a shared key, or anonymous. */
export type AzureCredential = NonNullable<Parameters<typeof newPipeline>[0]>;

/** Retry tuning, for both the SDK pipeline and the outer loop. */
export interface AzureRetryOptions {
  /** Total tries per request, the first included. Default 4. */
  maxTries?: number;
  /** Delay before the first backoff step, in ms. Default 300. */
  retryDelayMs?: number;
  /** Upper bound of one delay, in ms. Default 5000. */
  maxRetryDelayMs?: number;
}

export interface AzureBlobStoreOptions {
  /** The container; it must exist (see ensureContainer). */
  container: string;
  /** Name prefix of every blob of this store, without leading or trailing '/'. */
  prefix?: string;
  /** A storage connection string (shared key or SAS); takes precedence over accountUrl. */
  connectionString?: string;
  /** e.g. `https://myaccount.blob.core.windows.net`, used with `credential`. */
  accountUrl?: string;
  credential?: AzureCredential;
  retry?: AzureRetryOptions;
}

/** Metadata name marking which putIfAbsent call wrote a blob (see putIfAbsent). */
const WRITE_TOKEN = 'fitlakewrite';
// The Azure SDK (about 0.3 s to load) is loaded by the first Azure store made: a lake on local disk never needs it.
const require = createRequire(import.meta.url);
const azureSdk = (): typeof AzureStorageBlob => require('@azure/storage-blob') as typeof AzureStorageBlob;
/**
 * Managed identity, workload identity, environment credentials or `az login`, whichever the machine has
 * (@azure/identity's DefaultAzureCredential): for an account URL without a SAS token. Loaded on first
 * use, as the storage SDK is.
 */
const defaultAzureCredential = (): AzureCredential => new (require('@azure/identity') as typeof AzureIdentity).DefaultAzureCredential();

/** Azure's container naming rule: 3-63 of [a-z0-9-], starting and ending alphanumeric, no '--'. */
const CONTAINER_NAME = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** An Azure Blob container (under an optional prefix) as an ObjectStore. */
export class AzureBlobObjectStore implements ObjectStore {
  readonly url: string;
  readonly container: string;
  /** Canonical prefix ('' for none). */
  readonly prefix: string;
  private readonly client: ContainerClient;
  private readonly outerRetry: { attempts: number; baseDelayMs: number; maxDelayMs: number };

  constructor(options: AzureBlobStoreOptions) {
    const { container } = options;
    if (!CONTAINER_NAME.test(container)) {
      throw new ConfigError(
        `invalid Azure container name ${JSON.stringify(container)}: use 3-63 lowercase letters, digits and single hyphens`,
        { setting: 'container', value: container },
      );
    }
    this.container = container;
    this.prefix = trimSlashes(options.prefix ?? '');
    if (this.prefix !== '') assertValidKey(this.prefix);
    this.url = `az://${container}${this.prefix === '' ? '' : `/${this.prefix}`}`;

    const maxTries = options.retry?.maxTries ?? 4;
    const retryDelayInMs = options.retry?.retryDelayMs ?? 300;
    const maxRetryDelayInMs = options.retry?.maxRetryDelayMs ?? 5000;
    const pipeline: StoragePipelineOptions = {
      // Exponential: waits 0, 1, 3, 7... times retryDelayInMs between tries (the SDK's formula).
      retryOptions: { retryPolicyType: azureSdk().StorageRetryPolicyType.EXPONENTIAL, maxTries, retryDelayInMs, maxRetryDelayInMs },
    };
    this.outerRetry = { attempts: maxTries, baseDelayMs: retryDelayInMs, maxDelayMs: maxRetryDelayInMs };
    this.client = serviceClient(options, pipeline).getContainerClient(container);
  }

  /** Creates the container if it does not exist; true when this call created it. For tooling and tests. */
  async ensureContainer(): Promise<boolean> {
    const context = this.context('create container', '', '');
    return this.run(context, async () => (await this.client.createIfNotExists()).succeeded);
  }

  async get(key: string): Promise<Uint8Array> {
    const { name, context } = this.resolve('get', key);
    return this.run(context, async () => readBody(await this.client.getBlockBlobClient(name).download(0, undefined, { maxRetryRequests: 3 })));
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new RangeError(`invalid byte range: offset ${offset}, length ${length}`);
    }
    const { name, context } = this.resolve('get range of', key);
    // download(offset, 0) would mean "to the end", so an empty range only checks existence.
    if (length === 0) {
      if ((await this.head(key)) === undefined) throw new NotFoundError(key, `not found: ${key} in ${this.url}`);
      return new Uint8Array(0);
    }
    return this.run(context, async () => {
      try {
        return await readBody(await this.client.getBlockBlobClient(name).download(offset, length, { maxRetryRequests: 3 }));
      } catch (error) {
        // 416: the range starts at or past the end of an existing blob; like a file read, that is empty.
        if (azureStatus(error) === 416) return new Uint8Array(0);
        throw error;
      }
    });
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const { name, context } = this.resolve('head', key);
    try {
      const props = await this.run(context, () => this.client.getBlockBlobClient(name).getProperties());
      return { key, size: props.contentLength ?? 0, modified: props.lastModified?.getTime() ?? 0 };
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const { name, context } = this.resolve('put', key);
    // A blob upload replaces the whole blob in one step: readers see the old or the new content.
    await this.run(context, () => this.client.getBlockBlobClient(name).uploadData(data));
  }

  async putIfAbsent(key: string, data: Uint8Array): Promise<boolean> {
    const { name, context } = this.resolve('put-if-absent', key);
    const blob = this.client.getBlockBlobClient(name);
    // One token per call, reused by every retry. A retry can follow a request that did create the
    // blob but whose response was lost (connection reset, 504 from a gateway); that retry then
    // meets its own blob and gets 409. The token tells "someone else won" from "we already won".
    const token = randomUUID();
    try {
      // ATOMICITY POINT: If-None-Match: * makes the service create the blob only if no blob has
      // the name, checked and applied atomically; the content is committed all at once with it.
      await this.retrying(() => blob.uploadData(data, { conditions: { ifNoneMatch: '*' }, metadata: { [WRITE_TOKEN]: token } }));
      return true;
    } catch (error) {
      if (!isAlreadyExists(error)) throw toFitlakeError(error, context);
    }
    try {
      const props = await this.run(this.resolve('head', key).context, () => blob.getProperties());
      return props.metadata?.[WRITE_TOKEN] === token;
    } catch (error) {
      // Deleted since our conflict: it was someone else's blob, and at that moment it existed.
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    assertValidPrefix(prefix);
    const root = this.prefix === '' ? '' : `${this.prefix}/`;
    const full = root + prefix;
    const context = this.context('list', prefix, full);
    // The whole listing is one retriable unit: a page failing midway restarts it from the top.
    const out = await this.run(context, async () => {
      const found: ObjectInfo[] = [];
      for await (const item of this.client.listBlobsFlat({ prefix: full === '' ? undefined : full, includeMetadata: true })) {
        // On accounts with a hierarchical namespace (abfss://), directories are listed as empty
        // marker blobs; they are not objects.
        if (item.metadata?.['hdi_isfolder'] === 'true' || !item.name.startsWith(root)) continue;
        found.push({
          key: item.name.slice(root.length),
          size: item.properties.contentLength ?? 0,
          modified: item.properties.lastModified.getTime(),
        });
      }
      return found;
    });
    return out.sort((a, b) => compareKeys(a.key, b.key));
  }

  async delete(key: string): Promise<void> {
    const { name, context } = this.resolve('delete', key);
    try {
      await this.run(context, () => this.client.getBlockBlobClient(name).delete({ deleteSnapshots: 'include' }));
    } catch (error) {
      if (error instanceof NotFoundError) return;
      throw error;
    }
  }

  async move(from: string, to: string): Promise<void> {
    const source = this.resolve('move', from);
    const target = this.resolve('move', to);
    // Copy Blob within the account: the service copies, authorized by this client's own credential.
    await this.run(source.context, async () => {
      const poller = await this.client.getBlockBlobClient(target.name).beginCopyFromURL(this.client.getBlockBlobClient(source.name).url);
      await poller.pollUntilDone();
    });
    await this.delete(from);
  }

  private resolve(operation: string, key: string): { name: string; context: AzureErrorContext } {
    assertValidKey(key);
    const name = joinKey(this.prefix, key);
    return { name, context: this.context(operation, key, name) };
  }

  private context(operation: string, key: string, blobName: string): AzureErrorContext {
    return { operation, key, blobName, container: this.container, account: this.client.accountName, url: this.url };
  }

  /** Runs one SDK call with the outer retry loop, mapping the final failure to a FitlakeError. */
  private async run<T>(context: AzureErrorContext, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.retrying(fn);
    } catch (error) {
      throw toFitlakeError(error, context);
    }
  }

  /** Runs one SDK call with the outer retry loop; the final failure is the SDK's own error. */
  private retrying<T>(fn: () => Promise<T>): Promise<T> {
    return withRetries(fn, needsOwnRetry, this.outerRetry);
  }
}

function serviceClient(options: AzureBlobStoreOptions, pipeline: StoragePipelineOptions): BlobServiceClient {
  const { BlobServiceClient } = azureSdk();
  if (options.connectionString !== undefined && options.connectionString !== '') {
    try {
      return BlobServiceClient.fromConnectionString(options.connectionString, pipeline);
    } catch (error) {
      // The connection string holds the account key: name the problem, never echo the value.
      throw new ConfigError(`invalid Azure storage connection string: ${error instanceof Error ? error.message : String(error)}`, {
        setting: 'connectionString',
        cause: error,
      });
    }
  }
  if (options.accountUrl !== undefined && options.accountUrl !== '') {
    let url: URL;
    try {
      url = new URL(options.accountUrl);
    } catch (error) {
      throw new ConfigError(`invalid Azure account URL ${JSON.stringify(options.accountUrl)}`, { setting: 'accountUrl', cause: error });
    }
    // A SAS token in the URL authorizes requests by itself; without one (and without a credential
    // given), the machine's Azure identity does.
    const credential = options.credential ?? (url.search === '' ? defaultAzureCredential() : undefined);
    return new BlobServiceClient(options.accountUrl, credential, pipeline);
  }
  throw new ConfigError(`Azure container ${JSON.stringify(options.container)}: give a connection string or an account URL`, {
    setting: 'connectionString',
  });
}

async function readBody(response: BlobDownloadResponseParsed): Promise<Uint8Array> {
  const body = response.readableStreamBody;
  if (body === undefined) throw new StorageError('Azure download returned no body stream', { retriable: false });
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}
