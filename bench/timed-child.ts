/**
 * Child processes timed whole, for whole-process.ts: wall time from spawn to exit (startup, module
 * loading and shutdown included, as a user waits for them) and the child's own peak RSS (peak-rss.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { PEAK_RSS_ENV, readPeakRssMiB } from './peak-rss.ts';

export interface ChildOutcome {
  /** Exit code, or the signal that ended it. */
  exit: number | NodeJS.Signals;
  /** Seconds from spawn to exit. */
  wallSeconds: number;
  /** Peak resident set size the child reported, MiB (undefined if it did not get to report it). */
  peakRssMiB: number | undefined;
  stdout: string;
  stderr: string;
}

export interface ChildOptions {
  cwd: string;
  /** The environment, without the peak-RSS variable (added here). */
  env: NodeJS.ProcessEnv;
  /** File the child writes its peak RSS into; removed first so a stale figure is never read. */
  peakRssFile: string;
}

/** The environment children get: this one without fitlake's settings and NODE_OPTIONS, so only the flags given count. */
export function cleanEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!k.startsWith('FITLAKE_') && k !== 'NODE_OPTIONS') env[k] = v;
  return env;
}

/** A started child with its output collected; `done` settles when it has exited and its output is read. */
export interface RunningChild {
  child: ChildProcess;
  /** Output so far (grows while it runs). */
  readonly stdout: string;
  readonly stderr: string;
  done: Promise<ChildOutcome>;
}

/** Spawn `command args` with the clock started just before the spawn. */
export async function startTimed(command: string, args: readonly string[], options: ChildOptions): Promise<RunningChild> {
  await rm(options.peakRssFile, { force: true });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const started = performance.now();
  const child = spawn(command, args, { cwd: options.cwd, env: { ...options.env, [PEAK_RSS_ENV]: options.peakRssFile }, stdio: ['ignore', 'pipe', 'pipe'] });
  let exitedAt = started;
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  // 'exit' is the moment the process ended; 'close' comes once its pipes are drained too.
  child.once('exit', () => (exitedAt = performance.now()));
  const done = new Promise<ChildOutcome>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      void readPeakRssMiB(options.peakRssFile).then((peakRssMiB) =>
        resolve({
          exit: code ?? signal ?? 'SIGKILL',
          wallSeconds: (exitedAt - started) / 1000,
          peakRssMiB,
          stdout: Buffer.concat(out).toString(),
          stderr: Buffer.concat(err).toString(),
        }),
      );
    });
  });
  return {
    child,
    get stdout() {
      return Buffer.concat(out).toString();
    },
    get stderr() {
      return Buffer.concat(err).toString();
    },
    done,
  };
}

/** Run a child to its end. */
export async function runTimed(command: string, args: readonly string[], options: ChildOptions): Promise<ChildOutcome> {
  return (await startTimed(command, args, options)).done;
}

/** Wait until `running` has printed `marker` on stdout; throws if it exits first or `timeoutMs` passes. */
export async function waitForOutput(running: RunningChild, marker: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!running.stdout.includes(marker)) {
    if (running.child.exitCode !== null || running.child.signalCode !== null) throw new Error(`exited before printing '${marker}':\n${tail(running.stderr || running.stdout)}`);
    if (Date.now() > deadline) throw new Error(`did not print '${marker}' within ${timeoutMs / 1000} s:\n${tail(running.stderr || running.stdout)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Stop a child we started, by its pid: SIGTERM, then SIGKILL after `graceMs`. Resolves with its outcome. */
export async function stopChild(running: RunningChild, graceMs = 60_000): Promise<ChildOutcome> {
  const { child } = running;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    try {
      return await running.done;
    } finally {
      clearTimeout(timer);
    }
  }
  return running.done;
}

/** The last lines of some output, for an error message. */
export function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** A command line for people (paths made relative to `cwd` where shorter). */
export function commandText(command: string, args: readonly string[], cwd: string): string {
  const show = (a: string) => {
    const rel = path.isAbsolute(a) ? path.relative(cwd, a) : a;
    const s = rel.length < a.length && !rel.startsWith('../..') ? rel : a;
    return /[\s'"]/.test(s) ? `'${s}'` : s;
  };
  return [command, ...args].map(show).join(' ');
}
