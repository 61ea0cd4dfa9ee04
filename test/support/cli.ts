/** Running the real `fitlake` command in a child process, for tests of its output and exit codes. */
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestContext } from 'node:test';
import path from 'node:path';
import { projectRoot } from '../../devstack/paths.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'fitlake.js'), ...args], {
      cwd: projectRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fitlake ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** A running `fitlake serve --port 0 --json` (killed when the test ends): its URL and what it wrote to stderr. */
export interface RunningServe {
  url: string;
  child: ChildProcess;
  stderr(): string;
}

export async function startServe(t: TestContext, args: string[], env: NodeJS.ProcessEnv = {}, nodeFlags: readonly string[] = []): Promise<RunningServe> {
  const child = spawn(process.execPath, [...nodeFlags, path.join(projectRoot, 'bin', 'fitlake.js'), 'serve', '--port', '0', '--json', ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill());
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`fitlake serve exited with ${code}: ${stderr}`)));
  });
  return { url, child, stderr: () => stderr };
}
