/** The storage layer's public API: the ObjectStore contract, its implementations, and how to open one. */
export type { ObjectInfo, ObjectStore } from './object-store.ts';
export { LocalObjectStore } from './local-store.ts';
export { AzureBlobObjectStore } from './azure-store.ts';
export type { AzureBlobStoreOptions, AzureCredential, AzureRetryOptions } from './azure-store.ts';
export { openObjectStore } from './open-store.ts';
export type { OpenStoreOptions } from './open-store.ts';
export { parseStoreLocation } from './store-location.ts';
export type { StoreLocation } from './store-location.ts';
export { prefixedStore } from './prefixed-store.ts';
export { assertValidKey, assertValidPrefix } from './keys.ts';
