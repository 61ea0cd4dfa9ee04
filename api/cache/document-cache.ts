/**
 * yoga's parser and validation caches, bounded by memory rather than by entries, and filled only with
 * documents that are asked for twice.
 *
 * Bounded by memory: yoga's own default keeps 1,024 documents whatever their size; a document of tens of
 * thousands of aliases held 35-45 MB, so a thousand distinct ones exhausted the heap (issue 15). Each
 * entry is weighed by its query text (a parsed document and what hangs off it, validation results and
 * graphql-jit's compiled query, which live as long as the document does, take up to about
 * `BYTES_PER_CHARACTER` bytes per character of text), and the least recently used go first once the
 * estimate passes the bound.
 *
 * Asked for twice: a document seen once is not kept, only a 32-bit hash of its text. Clients repeat their
 * queries, so a real query is parsed and validated twice and then served from the cache; a flood of
 * distinct documents (each made unique by a comment) never enters it. That matters beyond the bound:
 * every document the cache holds outlives the young generation, so a cache that admits everything turns
 * each one-off document into old-space garbage, and 500 such requests grew the heap from 50 to 210 MB
 * between major collections (RSS +140 MB) although the cache itself held 16 MiB.
 */
import type { DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';

/**
 * Heap per character of query text held by a cached document with its validation result and compiled
 * query, rounded up from the worst shape within the limits (about 175 bytes a character: 2,000 unknown
 * fields, each with its validation error kept; measured with process.memoryUsage after gc()).
 */
export const BYTES_PER_CHARACTER = 200;
/** Overhead of a small document beyond its text (AST roots, the jit closure): a 93-character query held 12 KB. */
const BYTES_PER_ENTRY = 8192;
/** Texts remembered as seen once (a number each). */
const SEEN_TEXTS = 20_000;

export interface DocumentCacheOptions {
  /** Estimated bytes of the cached documents together; 0 turns the caches off. @default 16 MiB */
  maxBytes?: number;
  /** An unused document leaves after this long, ms. @default 1 h */
  ttlMs?: number;
}

export const DEFAULT_DOCUMENT_CACHE_BYTES = 16 * 1024 * 1024;

/** Estimated heap held by one cached entry of this query text. */
export const entryBytes = (text: string) => BYTES_PER_ENTRY + text.length * BYTES_PER_CHARACTER;

/** FNV-1a over the UTF-16 code units: a collision only admits a document one use early. */
function textHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A cache in yoga's get/set shape that stores a value only when its key is set the second time. */
export class SecondUseCache<V extends object> {
  private readonly seen = new LRUCache<number, true>({ max: SEEN_TEXTS });

  constructor(readonly store: LRUCache<string, V>) {}

  get(key: string): V | undefined {
    return this.store.get(key);
  }

  set(key: string, value: V): void {
    const hash = textHash(key);
    if (this.seen.has(hash)) this.store.set(key, value);
    else this.seen.set(hash, true);
  }
}

/** The caches to hand to yoga's `parserAndValidationCache` option; false (no caches) for a bound of 0. */
export function boundedDocumentCaches({ maxBytes = DEFAULT_DOCUMENT_CACHE_BYTES, ttlMs = 3_600_000 }: DocumentCacheOptions = {}) {
  if (!(maxBytes >= 1)) return false;
  const options = { maxSize: maxBytes, ttl: ttlMs, sizeCalculation: (_: unknown, text: string) => entryBytes(text) };
  return {
    documentCache: new SecondUseCache(new LRUCache<string, DocumentNode>(options)),
    // Parse errors by text: small values, but keyed by texts a client chooses.
    errorCache: new SecondUseCache(new LRUCache<string, object>({ ...options, maxSize: Math.max(1, Math.floor(maxBytes / 8)), sizeCalculation: (_: unknown, text: string) => 256 + text.length * 2 })),
    validationCache: true,
  };
}
