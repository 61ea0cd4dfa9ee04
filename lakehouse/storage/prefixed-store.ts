/**
 * A view of a store under a key prefix, so a table can be handed `bronze/heart_rate` as its root
 * and address its files as `_delta_log/...` without knowing where it lives.
 */
import { NotFoundError } from '../errors.ts';
import { assertValidKey, assertValidPrefix, trimSlashes } from './keys.ts';
import type { ObjectInfo, ObjectStore } from './object-store.ts';

/** The objects of `store` whose keys start with `prefix/`, addressed without it; '' returns `store`. */
export function prefixedStore(store: ObjectStore, prefix: string): ObjectStore {
  const trimmed = trimSlashes(prefix);
  if (trimmed === '') return store;
  assertValidKey(trimmed);
  // Views of views collapse into one view, so each call costs one string join, not one per level.
  if (store instanceof PrefixedObjectStore) return new PrefixedObjectStore(store.inner, `${store.prefix}/${trimmed}`);
  return new PrefixedObjectStore(store, trimmed);
}

class PrefixedObjectStore implements ObjectStore {
  readonly url: string;

  constructor(
    readonly inner: ObjectStore,
    readonly prefix: string,
  ) {
    this.url = `${inner.url.replace(/\/+$/, '')}/${prefix}`;
  }

  async get(key: string): Promise<Uint8Array> {
    // Methods are async so a bad key rejects like every other failure instead of throwing.
    return this.renamingNotFound(key, () => this.inner.get(this.full(key)));
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    return this.renamingNotFound(key, () => this.inner.getRange(this.full(key), offset, length));
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const info = await this.inner.head(this.full(key));
    return info === undefined ? undefined : { ...info, key };
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    return this.inner.put(this.full(key), data);
  }

  async putIfAbsent(key: string, data: Uint8Array): Promise<boolean> {
    return this.inner.putIfAbsent(this.full(key), data);
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    assertValidPrefix(prefix);
    const root = `${this.prefix}/`;
    const items = await this.inner.list(root + prefix);
    // Stripping a common prefix keeps the inner store's ascending order.
    return items.map((item) => ({ ...item, key: item.key.slice(root.length) }));
  }

  async move(from: string, to: string): Promise<void> {
    return this.renamingNotFound(from, () => this.inner.move(this.full(from), this.full(to)));
  }

  async delete(key: string): Promise<void> {
    return this.inner.delete(this.full(key));
  }

  private full(key: string): string {
    assertValidKey(key);
    return `${this.prefix}/${key}`;
  }

  /** Reports absence with the key the caller used, not the inner store's full key. */
  private async renamingNotFound<T>(key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof NotFoundError) throw new NotFoundError(key, `not found: ${key} in ${this.url}`, { cause: error });
      throw error;
    }
  }
}
