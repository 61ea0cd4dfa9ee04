/**
 * How far a landing file has been read, so that a file that grows (an exporter appending, a dump read
 * while it was written) is read on from where the last read stopped instead of again from the start.
 *
 * Each ingestion of a file records its extent: the bytes read (whole lines) and the lines they held,
 * under an id naming the file and a check of the last EXTENT_CHECK_BYTES bytes read. A later version of
 * the file under the same name that is longer, and holds the same bytes just before that extent, is the
 * same file grown: it is read from there, its lines numbered on. (A file replaced by other content fails
 * the check and is read from its start.)
 *
 * A file still being written may end in half a line. While the file changed within the last
 * landingTuning.holdFinalLineMs, a last line without its line break is held back (not read, not
 * quarantined) and read with the rest once the file grows or has stayed unchanged that long (10 s: a writer pausing longer mid-line is taken as done).
 */
import { createHash } from 'node:crypto';
import type { ObjectStore } from '../../storage/index.ts';

export const EXTENT_CHECK_BYTES = 4096;

/** Settings of reading files that may still change; tests shorten them. */
export const landingTuning = {
  /** A last line without a line break is held back while the file changed within this long. */
  holdFinalLineMs: 10_000,
  /**
   * Longer lines are not read whole: each is quarantined with its first kilobyte (memory stays bounded
   * by this and the read size, whatever a file holds). Kafka records are at most ~1 MB by default.
   */
  maxLineBytes: 16 * 1024 * 1024,
};

const LF = 10;
const SCAN_BYTES = 64 * 1024;

/** A check of the bytes of `key` just before `end` (hex). */
export async function extentCheck(store: ObjectStore, key: string, end: number): Promise<string> {
  const from = Math.max(0, end - EXTENT_CHECK_BYTES);
  const bytes = end > from ? await store.getRange(key, from, end - from) : new Uint8Array(0);
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

/** The txn ids of an extent of a file (see the module comment). */
export function extentTxnIds(step: string, key: string, check: string) {
  return { bytes: `${step}:extent:${key}:${check}`, lines: `${step}:extent-lines:${key}:${check}` };
}

/**
 * Where to read a file on from: the longest recorded extent of this name that is shorter than the file
 * and whose check the file's bytes pass, with its line count; none when the file is new (or replaced).
 */
export async function grownFrom(txns: ReadonlyMap<string, number>, step: string, key: string, size: number, store: ObjectStore): Promise<{ offset: number; lines: number } | undefined> {
  const prefix = `${step}:extent:${key}:`;
  const candidates: { check: string; bytes: number }[] = [];
  for (const [appId, bytes] of txns) {
    if (appId.startsWith(prefix) && bytes < size && bytes > 0) candidates.push({ check: appId.slice(prefix.length), bytes });
  }
  candidates.sort((a, b) => b.bytes - a.bytes);
  for (const c of candidates) {
    if ((await extentCheck(store, key, c.bytes)) === c.check) return { offset: c.bytes, lines: txns.get(extentTxnIds(step, key, c.check).lines) ?? 0 };
  }
  return undefined;
}

/**
 * The end of what can be read of the file now: its size, or, while it changed within holdFinalLineMs
 * and does not end with a line break, the byte after its last line break (0: nothing yet).
 */
export async function readableEnd(store: ObjectStore, key: string, size: number, modified: number, now: number): Promise<number> {
  if (size === 0 || now - modified >= landingTuning.holdFinalLineMs) return size;
  for (let end = size; end > 0; ) {
    const from = Math.max(0, end - SCAN_BYTES);
    const bytes = await store.getRange(key, from, end - from);
    const lf = bytes.lastIndexOf(LF);
    if (lf >= 0) return from + lf + 1;
    end = from;
  }
  return 0;
}
