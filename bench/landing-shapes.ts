/**
 * The benchmarks' landing zones: generated (simulator/landing-generator.ts), kept by size and seed in the temp
 * folder with --reuse, and reshaped (reshape-landing.ts, run as a child process so its memory never
 * counts for what is measured after it) into the shapes the command line asks for.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateLanding, type GeneratedLanding, type GeneratorOptions } from '../simulator/landing-generator.ts';

export interface LandingShape {
  order: 'random' | 'time';
  layout: 'python' | 'canonical';
  files: 'one' | 'many';
  /** Exact copies and conflicting readings for ~1% of the readings (conflicts.ts). */
  conflicts: boolean;
}

/** A shape for people: "random, python, one file, conflicts". */
export function shapeLabel(shape: LandingShape | undefined): string {
  if (!shape) return 'as generated';
  return `${shape.order}, ${shape.layout}, ${shape.files === 'one' ? 'one file' : 'many files'}${shape.conflicts ? ', conflicts' : ''}`;
}

/** Where --reuse keeps a generated landing zone: one folder per size and seed. */
export function cachedLandingDir(options: GeneratorOptions): string {
  return path.join(os.tmpdir(), `fitlake-bench-landing-${options.readings}-${options.users}-${options.seed}-${options.linesPerFile}`);
}

/**
 * A generated landing zone in `dir`: generated now, or with `reuse` read back from a previous run's plan
 * (plan.json beside the landing folders, where the pipeline never looks).
 */
export async function generatedLanding(dir: string, options: GeneratorOptions, reuse: boolean): Promise<{ landing: GeneratedLanding; reused: boolean }> {
  const planFile = path.join(dir, 'plan.json');
  if (reuse && existsSync(planFile)) return { landing: JSON.parse(await readFile(planFile, 'utf8')) as GeneratedLanding, reused: true };
  await rm(dir, { recursive: true, force: true });
  const landing = await generateLanding(dir, options);
  if (reuse) await writeFile(planFile, JSON.stringify(landing));
  return { landing, reused: false };
}

/**
 * The generated zone `landingDir` reshaped into `shape`, in a folder beside it named after the shape
 * (kept and used again with `reuse`). Returns the folder and the seconds reshaping took (0 when reused).
 */
export function reshapedLanding(landingDir: string, shape: LandingShape, reuse: boolean): { dir: string; seconds: number } {
  const dir = `${landingDir}-${shape.order}-${shape.layout}-${shape.files}${shape.conflicts ? '-conflicts' : ''}`;
  if (reuse && existsSync(path.join(dir, 'kafka'))) return { dir, seconds: 0 };
  const started = performance.now();
  const script = fileURLToPath(new URL('./reshape-landing.ts', import.meta.url));
  const args = [script, landingDir, dir, '--order', shape.order, '--layout', shape.layout, '--files', shape.files, ...(shape.conflicts ? ['--conflicts'] : [])];
  const run = spawnSync(process.execPath, ['--import', 'tsx', ...args], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`reshaping the landing zone into ${shapeLabel(shape)} failed (exit ${run.status ?? run.signal})`);
  return { dir, seconds: (performance.now() - started) / 1000 };
}

/** The values of `--name a,b` (or `both`: every option) from the command line, each one of `options`; undefined when absent. */
function listArg<T extends string>(argv: readonly string[], name: string, options: readonly T[]): T[] | undefined {
  const at = argv.indexOf(name);
  if (at < 0) return undefined;
  const raw = argv[at + 1] ?? '';
  const values = raw === 'both' ? [...options] : raw.split(',');
  for (const v of values) if (!options.includes(v as T)) throw new Error(`${name} is one of ${options.join(', ')}, a list of them, or both`);
  return values as T[];
}

/**
 * The shapes the command line asks for (--order, --layout, --files, each one value, a comma list or
 * `both`, and --conflicts): every combination, or undefined for the generator's own shape when none of
 * these flags is given. A flag left out takes time, canonical, many.
 */
export function shapesFromArgs(argv: readonly string[] = process.argv): LandingShape[] | undefined {
  const orders = listArg(argv, '--order', ['random', 'time'] as const);
  const layouts = listArg(argv, '--layout', ['python', 'canonical'] as const);
  const files = listArg(argv, '--files', ['one', 'many'] as const);
  const conflicts = argv.includes('--conflicts');
  if (!orders && !layouts && !files && !conflicts) return undefined;
  const shapes: LandingShape[] = [];
  for (const layout of layouts ?? ['canonical']) for (const f of files ?? ['many']) for (const order of orders ?? ['time']) shapes.push({ order, layout, files: f, conflicts });
  return shapes;
}
