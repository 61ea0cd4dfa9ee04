/**
 * Recognising a landing file by its content, not its name: a renamed or copied export is the same
 * file and must not be ingested twice, and a file replaced in place by other content is a new file
 * whatever its modification time says.
 *
 * The fingerprint is a SHA-256 of the size and the bytes of a small file, or of the size and the first
 * and last IDENTITY_BLOCK bytes of a big one: two ranged reads, whatever the size. (Two big files that
 * differ only in the middle, at the same size, would look the same; exports that change rewrite their
 * ends.) Computing it costs reads, so a file seen before under the same name, size and modification
 * time is recognised by those alone (fileTxnIds.seen).
 */
import { createHash } from 'node:crypto';
import type { ObjectStore } from '../../storage/index.ts';

export const IDENTITY_BLOCK = 64 * 1024;

/** The content fingerprint of a stored object of `size` bytes (hex). */
export async function contentFingerprint(store: ObjectStore, key: string, size: number): Promise<string> {
  const hash = createHash('sha256').update(`${size}\n`);
  if (size <= 2 * IDENTITY_BLOCK) {
    if (size > 0) hash.update(await store.getRange(key, 0, size));
  } else {
    hash.update(await store.getRange(key, 0, IDENTITY_BLOCK));
    hash.update(await store.getRange(key, size - IDENTITY_BLOCK, IDENTITY_BLOCK));
  }
  return hash.digest('hex').slice(0, 40);
}

/** The txn ids a landing step keeps for a file (see the module comment). */
export function fileTxnIds(step: string, key: string, size: number, mtime: number) {
  return {
    /** This name, size and modification time were ingested: no need to read the file again. */
    seen: `${step}:file:${key}:${size}@${mtime}`,
    /** Written by fitlake before content identity: id `…:<size>` with the mtime as its version. */
    legacy: `${step}:file:${key}:${size}`,
    /** Refused (unreadable) at this modification time: quarantined once. */
    refused: `${step}:refused:${key}@${mtime}`,
  };
}

/** The txn id saying this content was ingested, under whatever name. */
export const contentTxnId = (step: string, fingerprint: string) => `${step}:content:${fingerprint}`;
