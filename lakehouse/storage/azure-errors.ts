/**
 * How Azure Blob failures are classified and turned into the project's error taxonomy.
 *
 * The SDK reports service errors as RestError with `statusCode` and, for most operations, `code`;
 * HEAD requests have no body, so their error code is only in `details.errorCode` (taken from the
 * x-ms-error-code header). Network failures are RestErrors without a status (code
 * REQUEST_SEND_ERROR, ECONNREFUSED, ...) or, once a download stream is under way, plain errors
 * carrying an errno code.
 */
import { ConfigError, FitlakeError, NotFoundError, StorageError } from '../errors.ts';

/** Statuses worth retrying: timeouts, throttling and server-side failures. */
const TRANSIENT_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
/** The transient statuses the SDK's own retry policy does not retry (it only retries 500 and 503). */
const STATUSES_THE_SDK_SKIPS = new Set([408, 429, 502, 504]);
const NETWORK_CODES = new Set([
  'REQUEST_SEND_ERROR',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

/** The HTTP status of an SDK error, if the request got that far. */
export function azureStatus(error: unknown): number | undefined {
  const status = field(error, 'statusCode');
  return typeof status === 'number' ? status : undefined;
}

/** The service's error code (BlobNotFound, ContainerNotFound, ...) or a network error code. */
export function azureErrorCode(error: unknown): string | undefined {
  const details = field(error, 'details');
  const fromDetails = field(details, 'errorCode');
  if (typeof fromDetails === 'string') return fromDetails;
  const code = field(error, 'code');
  return typeof code === 'string' ? code : undefined;
}

/** True for failures that may pass on a later attempt: network errors and 408/429/5xx. */
export function isTransientAzureError(error: unknown): boolean {
  const status = azureStatus(error);
  if (status !== undefined) return TRANSIENT_STATUSES.has(status);
  const code = azureErrorCode(error);
  // No status and no code: the request failed somewhere below HTTP; treat it as an I/O failure.
  // PARSE_ERROR is a response cut short (the SDK retries it only for one specific message).
  return code === undefined || NETWORK_CODES.has(code) || code === 'PARSE_ERROR';
}

/** True for transient statuses that the SDK pipeline gave up on at once, so we retry them ourselves. */
export function needsOwnRetry(error: unknown): boolean {
  const status = azureStatus(error);
  return status !== undefined && STATUSES_THE_SDK_SKIPS.has(status);
}

/** True when a conditional create failed because the blob exists (409 BlobAlreadyExists, 412). */
export function isAlreadyExists(error: unknown): boolean {
  const status = azureStatus(error);
  if (status === 412) return true;
  return status === 409 && (azureErrorCode(error) ?? 'BlobAlreadyExists') === 'BlobAlreadyExists';
}

/** Where a failing operation was, for messages. */
export interface AzureErrorContext {
  /** get, put, list, ... */
  readonly operation: string;
  /** The store-relative key (or list prefix). */
  readonly key: string;
  /** The full blob name (or list prefix) inside the container. */
  readonly blobName: string;
  readonly container: string;
  readonly account: string;
  /** The store's az:// URL. */
  readonly url: string;
}

/** Maps an SDK failure to NotFoundError, ConfigError or StorageError (FitlakeErrors pass through). */
export function toFitlakeError(error: unknown, context: AzureErrorContext): FitlakeError {
  if (error instanceof FitlakeError) return error;
  const status = azureStatus(error);
  const code = azureErrorCode(error);
  const what = `${context.operation} ${JSON.stringify(context.blobName)} in container ${JSON.stringify(context.container)} (account ${context.account})`;
  const detail = `${status ?? 'no response'}${code === undefined ? '' : ` ${code}`}: ${firstLine(error)}`;
  if (code === 'ContainerNotFound') {
    return new ConfigError(
      `Azure container ${JSON.stringify(context.container)} does not exist in account ${context.account} (${context.url}). ` +
        `Create it first, e.g. \`az storage container create --name ${context.container}\`, or call ensureContainer() from tooling; ` +
        'the store never creates containers implicitly.',
      { setting: 'container', value: context.container, cause: error },
    );
  }
  if (status === 404) return new NotFoundError(context.key, `not found: ${context.key} in ${context.url}`, { cause: error });
  if (status === 401 || status === 403) {
    return new ConfigError(`${what}: Azure rejected the credentials or their permissions (${detail})`, {
      setting: 'credential',
      cause: error,
    });
  }
  if (isTransientAzureError(error)) {
    return new StorageError(`${what} failed after retries (${detail})`, { key: context.key, retriable: true, cause: error });
  }
  return new StorageError(`${what} failed (${detail})`, { key: context.key, retriable: false, cause: error });
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // Service messages append "RequestId:...\nTime:..." lines; the first line says what went wrong.
  return (message.split('\n')[0] ?? '').trim() || (error instanceof Error ? error.name : 'error');
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && name in value ? (value as Record<string, unknown>)[name] : undefined;
}
