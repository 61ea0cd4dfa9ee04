/**
 * A new user's first start, timed: a fresh clone of this repository's HEAD, `npm ci`, then `npm start`
 * until it prints its first gold answer (the example query's `"data"`), then Ctrl-C (SIGINT to its process
 * group) and the time it takes to stop what it started.
 *
 *   node --import tsx bench/first-start.ts [--home DIR]
 *
 * Fresh as a new machine is: HOME is a new empty folder (npm's cache, pip's and fitlake's tool cache in
 * ~/.cache start empty) and Maven gets a new empty local repository (MAVEN_OPTS=-Dmaven.repo.local=…,
 * as Java takes ~ from the passwd entry, not from HOME). Downloads still come from the registries this
 * machine reaches. The services get free loopback ports, so a stack already running here is left alone.
 * `--home DIR` reuses a home (and its caches) for a warm second start.
 *
 * Prints each phase's seconds and the total from clone to first gold; issue 21's target is 60 s.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../devstack/paths.ts';
import { stringArg } from './args.ts';

const TARGET_SECONDS = 60;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const seconds = (from: number) => (performance.now() - from) / 1000;

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'fitlake-first-start-'));
  const givenHome = stringArg('--home');
  const home = givenHome ?? path.join(work, 'home');
  await mkdir(home, { recursive: true });
  const repo = path.join(work, 'fitlake');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    LANG: process.env.LANG ?? 'C.UTF-8',
    MAVEN_OPTS: `-Dmaven.repo.local=${path.join(home, '.m2', 'repository')}`,
    FITLAKE_TEMPORAL_PORT: String(await freePort()),
    FITLAKE_TEMPORAL_UI_PORT: String(await freePort()),
    FITLAKE_KAFKA_PORT: String(await freePort()),
    FITLAKE_KAFKA_CONTROLLER_PORT: String(await freePort()),
    FITLAKE_AZURITE_PORT: String(await freePort()),
    FITLAKE_API_PORT: String(await freePort()),
  };
  try {
    const started = performance.now();
    const clone = spawnSync('git', ['clone', '-q', projectRoot, repo], { stdio: 'inherit' });
    if (clone.status !== 0) throw new Error('git clone failed');
    const cloned = seconds(started);
    const ci = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: repo, env, encoding: 'utf8' });
    if (ci.status !== 0) throw new Error(`npm ci failed:\n${ci.stderr}`);
    const installed = seconds(started);
    console.log(`first-start: ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}, HOME ${givenHome ? 'reused' : 'new'}`);
    console.log(`  git clone            ${cloned.toFixed(1)} s`);
    console.log(`  npm ci               ${(installed - cloned).toFixed(1)} s`);

    const startAt = performance.now();
    // Its own process group, so that Ctrl-C can be sent as a terminal sends it (to npm and node alike).
    const child = spawn('npm', ['start'], { cwd: repo, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const marks = new Map<string, number>();
    /** The tool installs and service starts as npm start reported them, with their times. */
    const steps: string[] = [];
    const mark = (name: string, pattern: RegExp) => {
      if (!marks.has(name) && pattern.test(output)) marks.set(name, seconds(startAt));
    };
    const gold = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        for (const line of chunk.toString().split('\n')) if (/installed |healthy after|did not start/.test(line)) steps.push(`    ${seconds(startAt).toFixed(1).padStart(5)} s ${line.trim()}`);
        mark('tools', /services ready|healthy after/);
        mark('services', /services ready/);
        mark('pipeline', /Running the pipeline once/);
        mark('gold', /Answer:\s*\{\s*"data"/);
        if (marks.has('gold')) resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before its first gold answer:\n${output.slice(-3000)}`)));
    });
    const timeout = setTimeout(() => process.kill(-child.pid!, 'SIGINT'), 300_000);
    await gold;
    clearTimeout(timeout);
    const firstGold = seconds(started);
    const stopAt = performance.now();
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    process.kill(-child.pid!, 'SIGINT');
    const code = await exited;
    // npm itself exits on the signal; the start script goes on stopping the services: wait for them.
    const leftOver = () => spawnSync('pgrep', ['-f', repo], { encoding: 'utf8' }).stdout.trim();
    for (let i = 0; i < 600 && leftOver(); i++) await new Promise((r) => setTimeout(r, 100));
    console.log(`  npm start: services  ${marks.get('services')!.toFixed(1)} s (tools installed and started)`);
    for (const step of steps) console.log(step);
    console.log(`  npm start: pipeline  ${(marks.get('gold')! - marks.get('pipeline')!).toFixed(1)} s (demo data to the first gold answer)`);
    console.log(`  npm start: gold      ${marks.get('gold')!.toFixed(1)} s`);
    console.log(`clone to first gold: ${firstGold.toFixed(1)} s (target ${TARGET_SECONDS} s: ${firstGold <= TARGET_SECONDS ? 'met' : 'missed'}); Ctrl-C stopped it and its services in ${seconds(stopAt).toFixed(1)} s (npm: ${code ?? 'signal'})`);
    const left = leftOver();
    if (left) {
      console.log(`processes left running from the clone:\n${left}`);
      process.exitCode = 1;
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
