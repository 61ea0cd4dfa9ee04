/**
 * The SBIT reference data set (../shared/sbit, never copied into the repository) and landing it the
 * way exports arrive: CSVs under `registered_users/` and `gym_logins/`, Kafka dumps under `kafka/`.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { projectRoot } from '../../devstack/paths.ts';

export const SBIT_DIR = path.resolve(projectRoot, '..', 'shared', 'sbit');

/** The SBIT folder, or undefined after marking the test skipped with a message. */
export function sbitDir(t: TestContext): string | undefined {
  if (existsSync(path.join(SBIT_DIR, 'README.md'))) return SBIT_DIR;
  t.skip(`the SBIT reference set is not at ${SBIT_DIR}; place ../shared/sbit beside the repository to run this test`);
  return undefined;
}

/** The files of one SBIT set and the landing folder each goes to. */
export function sbitSetFiles(set: 1 | 2): { file: string; folder: string }[] {
  const files = [
    { file: `1-registered_users_${set}.csv`, folder: 'registered_users' },
    { file: `5-gym_logins_${set}.csv`, folder: 'gym_logins' },
    { file: `2-user_info_${set}.json`, folder: 'kafka' },
    { file: `4-workout_${set}.json`, folder: 'kafka' },
  ];
  if (set === 1) files.push({ file: '3-bpm_1.json', folder: 'kafka' });
  return files;
}

/** Copy one set into a landing folder (the test's own temporary folder). */
export async function landSbitSet(sbit: string, landing: string, set: 1 | 2): Promise<void> {
  for (const { file, folder } of sbitSetFiles(set)) {
    await mkdir(path.join(landing, folder), { recursive: true });
    const to = path.join(landing, folder, file);
    await copyFile(path.join(sbit, file), to);
    // Finished exports (several end without a line break): keep their times, as `cp -p` does.
    const source = await stat(path.join(sbit, file));
    await utimes(to, source.atime, source.mtime);
  }
}
