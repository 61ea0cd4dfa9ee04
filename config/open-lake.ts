/**
 * The one way an entry point (worker, run, serve, status, `npm start`, benchmarks) opens the lake and
 * the landing zone from its settings, so every one of them takes the same Azure options: a connection
 * string, or an account URL that carries a SAS token, or an account URL alone with credentials from
 * DefaultAzureCredential (managed identity, environment credentials, `az login`).
 */
import { Lake } from '../lakehouse/steps/lake.ts';
import { openObjectStore, type ObjectStore, type OpenStoreOptions } from '../lakehouse/storage/index.ts';

/** What opens az:// and abfss:// locations (AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_ACCOUNT_URL). */
export interface AzureSettings {
  azureConnectionString?: string;
  azureAccountUrl?: string;
}

/** The Azure settings of the environment; nothing below the entry points reads them from there. */
export function loadAzureSettings(env: NodeJS.ProcessEnv): AzureSettings {
  return {
    ...(env.AZURE_STORAGE_CONNECTION_STRING ? { azureConnectionString: env.AZURE_STORAGE_CONNECTION_STRING } : {}),
    ...(env.AZURE_STORAGE_ACCOUNT_URL ? { azureAccountUrl: env.AZURE_STORAGE_ACCOUNT_URL } : {}),
  };
}

function storeOptions(azure: AzureSettings): OpenStoreOptions {
  return {
    ...(azure.azureConnectionString ? { azureConnectionString: azure.azureConnectionString } : {}),
    ...(azure.azureAccountUrl ? { azureAccountUrl: azure.azureAccountUrl } : {}),
  };
}

/** The store at a configured location (the lake, the landing zone), opened with the settings' Azure options. */
export function openStore(settings: AzureSettings, location: string): ObjectStore {
  return openObjectStore(location, storeOptions(settings));
}

/** The settings' lake. */
export function openLake(settings: AzureSettings & { lake: string }): Lake {
  return new Lake(openStore(settings, settings.lake));
}
