/**
 * A least-recently-used store of complete HTTP answers, bounded by bytes (keys and bodies counted), for
 * the GraphQL response cache (http-handler.ts). It knows nothing of GraphQL: what may be stored, and
 * under which key, is decided by its callers.
 */

/** One stored answer: what the HTTP layer writes back verbatim. */
export interface CachedResponse {
  readonly status: number;
  /** Header name/value pairs as the answer was first sent (content-type, content-length, …). */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

export interface ResponseCacheOptions {
  /** Memory bound of keys plus bodies (headers are a few dozen bytes and not counted). @default 64 MiB */
  maxBytes?: number;
}

export const DEFAULT_RESPONSE_CACHE_BYTES = 64 * 1024 * 1024;

export class ResponseCache {
  // A Map iterates in insertion order: re-inserting on every hit keeps the least recently used first.
  private readonly entries = new Map<string, CachedResponse>();
  private used = 0;
  readonly maxBytes: number;
  hits = 0;
  misses = 0;
  evictions = 0;

  constructor({ maxBytes = DEFAULT_RESPONSE_CACHE_BYTES }: ResponseCacheOptions = {}) {
    if (!(maxBytes >= 0) || !Number.isFinite(maxBytes)) throw new RangeError(`maxBytes must be a non-negative number, not ${maxBytes}`);
    this.maxBytes = maxBytes;
  }

  /** Bytes held (keys counted as 2 bytes a character, bodies by length). */
  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The answer stored under `key`, now the most recently used; undefined (a miss) otherwise. */
  get(key: string): CachedResponse | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.misses++;
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.hits++;
    return entry;
  }

  /** Store an answer, evicting the least recently used ones beyond the bound; one larger than the whole bound is not stored. */
  set(key: string, response: CachedResponse): void {
    const size = sizeOf(key, response);
    if (size > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.used -= sizeOf(key, old);
    }
    this.entries.set(key, response);
    this.used += size;
    for (const [oldest, entry] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.used -= sizeOf(oldest, entry);
      this.evictions++;
    }
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }
}

function sizeOf(key: string, response: CachedResponse): number {
  return key.length * 2 + response.body.length;
}
