/**
 * The one place a configured location becomes an ObjectStore. Secrets come in through `options`,
 * never from process.env: the environment is read only at process entry, which passes them down.
 */
import { ConfigError } from '../errors.ts';
import { AzureBlobObjectStore, type AzureCredential, type AzureRetryOptions } from './azure-store.ts';
import { LocalObjectStore } from './local-store.ts';
import type { ObjectStore } from './object-store.ts';
import { parseStoreLocation } from './store-location.ts';

export interface OpenStoreOptions {
  /** Connection string for az:// and abfss:// locations; takes precedence over the account URL. */
  azureConnectionString?: string;
  /** Blob endpoint such as `https://account.blob.core.windows.net`; abfss:// locations imply it. */
  azureAccountUrl?: string;
  /** Credential used with the account URL (Entra ID token credential or shared key). */
  azureCredential?: AzureCredential;
  /** Retry tuning of Azure requests. */
  azureRetry?: AzureRetryOptions;
}

/** The store at `location` (a path, file://, az:// or abfss:// URL); ConfigError when it is not one. */
export function openObjectStore(location: string, options: OpenStoreOptions = {}): ObjectStore {
  const parsed = parseStoreLocation(location);
  if (parsed.kind === 'local') return new LocalObjectStore(parsed.root);

  const connectionString = options.azureConnectionString || undefined;
  if (connectionString !== undefined && parsed.account !== undefined) {
    // An abfss URL names its account; a connection string for another account would silently
    // send the lake somewhere else.
    const csAccount = /(?:^|;)\s*AccountName=([^;]+)/i.exec(connectionString)?.[1]?.trim();
    if (csAccount !== undefined && csAccount.toLowerCase() !== parsed.account) {
      throw new ConfigError(
        `store location ${JSON.stringify(location)} names account ${parsed.account} but the connection string is for account ${csAccount}`,
        { setting: 'location', value: location },
      );
    }
  }
  const accountUrl = options.azureAccountUrl || parsed.accountUrl;
  if (connectionString === undefined && accountUrl === undefined) {
    throw new ConfigError(`store location ${JSON.stringify(location)} is on Azure but neither a connection string nor an account URL was given`, {
      setting: 'location',
      value: location,
    });
  }
  return new AzureBlobObjectStore({
    container: parsed.container,
    prefix: parsed.prefix,
    connectionString,
    accountUrl,
    credential: options.azureCredential,
    retry: options.azureRetry,
  });
}
