/**
 * The SBIT reference data set (../shared/sbit, never copied into the repository) and landing it the
 * way exports arrive: CSVs under `registered_users/` and `gym_logins/`, Kafka dumps under `kafka/`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { sbitReferenceDir } from '../../devstack/paths.ts';
import { replaySbitToLanding } from '../../simulator/sbit-replay.ts';

export const SBIT_DIR = sbitReferenceDir;

/** The SBIT folder, or undefined after marking the test skipped with a message. */
export function sbitDir(t: TestContext): string | undefined {
  if (existsSync(path.join(SBIT_DIR, 'README.md'))) return SBIT_DIR;
  t.skip(`the SBIT reference set is not at ${SBIT_DIR}; place ../shared/sbit beside the repository to run this test`);
  return undefined;
}

/** Copy one set into a landing folder (the test's own temporary folder), keeping the files' times as `cp -p` does. */
export async function landSbitSet(sbit: string, landing: string, set: 1 | 2): Promise<void> {
  await replaySbitToLanding(sbit, set, landing);
}
