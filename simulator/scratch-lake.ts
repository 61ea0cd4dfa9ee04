/** A lake and a landing zone in a new temporary folder, with a step context over them: for tests and benchmarks. */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Lake } from '../lakehouse/steps/lake.ts';
import type { StepContext } from '../lakehouse/steps/step.ts';
import { LocalObjectStore } from '../lakehouse/storage/index.ts';
import type { WorkerPool } from '../lakehouse/threads/pool.ts';

export interface ScratchLake {
  dir: string;
  landingDir: string;
  lake: Lake;
  ctx: StepContext;
}

/** `<tmp>/<prefix>XXXXXX/{lake,landing}`; its steps run with `threads` (none: in-thread). */
export async function scratchLake(prefix: string, threads?: WorkerPool): Promise<ScratchLake> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const landingDir = path.join(dir, 'landing');
  const lake = new Lake(new LocalObjectStore(path.join(dir, 'lake')));
  return { dir, landingDir, lake, ctx: { lake, landing: new LocalObjectStore(landingDir), now: Date.now, ...(threads ? { threads } : {}) } };
}
