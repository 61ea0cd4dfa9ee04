/** Names of the files in a table's `_delta_log/`. */

export const LOG_DIR = '_delta_log';

/** The hint naming the newest checkpoint (see checkpoint.ts). */
export const LAST_CHECKPOINT_KEY = `${LOG_DIR}/_last_checkpoint`;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** `_delta_log/00000000000000000042.json` for version 42. */
export function commitKey(version: number): string {
  return `${LOG_DIR}/${pad(version, 20)}.json`;
}

/** The version of a commit file key, or undefined when the key is not a commit file. */
export function versionOfCommitKey(key: string): number | undefined {
  const match = /(?:^|\/)_delta_log\/(\d{20})\.json$/.exec(key);
  return match ? Number(match[1]) : undefined;
}

/**
 * The keys of the checkpoint of `version`: `_delta_log/<version>.checkpoint.parquet` for a single file
 * (what fitlake and delta-rs write), `<version>.checkpoint.<part>.<parts>.parquet` for each part of a
 * multi-part one (Spark, large tables).
 */
export function checkpointKeys(version: number, parts?: number): string[] {
  if (parts === undefined || parts <= 1) return [`${LOG_DIR}/${pad(version, 20)}.checkpoint.parquet`];
  return Array.from({ length: parts }, (_, i) => `${LOG_DIR}/${pad(version, 20)}.checkpoint.${pad(i + 1, 10)}.${pad(parts, 10)}.parquet`);
}

/** What a checkpoint file key names: its version and, for a multi-part checkpoint, part and part count. */
export interface CheckpointFileName {
  version: number;
  part: number;
  parts: number;
}

/**
 * The checkpoint file a key names, or undefined when it is not one of the classic checkpoint kinds
 * (single file or multi-part; V2 checkpoints need a newer reader version than fitlake reads).
 */
export function checkpointOfKey(key: string): CheckpointFileName | undefined {
  const match = /(?:^|\/)_delta_log\/(\d{20})\.checkpoint(?:\.(\d{10})\.(\d{10}))?\.parquet$/.exec(key);
  if (!match) return undefined;
  return { version: Number(match[1]), part: match[2] === undefined ? 1 : Number(match[2]), parts: match[3] === undefined ? 1 : Number(match[3]) };
}
