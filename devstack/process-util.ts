import { spawn, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Run a command to completion; resolves with its output, rejects with the tail of stderr on failure. */
export function run(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${(err || out).slice(-4000)}`));
    });
  });
}

/** True when a process with this id exists (and we may signal it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The command line of a live process, or undefined. Used to make sure a recorded pid still belongs to
 * the process we started before we signal it: pids are reused by the kernel.
 */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Poll `probe` until it resolves true or the deadline passes; returns the elapsed milliseconds. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number, isDead?: () => string | undefined): Promise<number> {
  const start = Date.now();
  for (;;) {
    const dead = isDead?.();
    if (dead) throw new Error(`${what} stopped while starting: ${dead}`);
    if (await probe().catch(() => false)) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`${what} did not become healthy within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}
