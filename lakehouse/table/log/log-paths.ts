/** Names of the files in a table's `_delta_log/`. */

export const LOG_DIR = '_delta_log';

/** `_delta_log/00000000000000000042.json` for version 42. */
export function commitKey(version: number): string {
  return `${LOG_DIR}/${String(version).padStart(20, '0')}.json`;
}

/** The version of a commit file key, or undefined when the key is not a commit file. */
export function versionOfCommitKey(key: string): number | undefined {
  const match = /(?:^|\/)_delta_log\/(\d{20})\.json$/.exec(key);
  return match ? Number(match[1]) : undefined;
}
