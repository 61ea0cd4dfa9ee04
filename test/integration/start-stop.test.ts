/**
 * `npm start` stops what it started however it is stopped: Ctrl-C (SIGINT), SIGTERM, its terminal
 * closing (SIGHUP) and its output pipe closing (as `npm start | tee log` does when tee goes), during
 * start-up and once it is up. Each case runs the real command on a stack of its own (FITLAKE_STACK_DIR,
 * free FITLAKE_*_PORT ports) and a data folder of its own (FITLAKE_DATA_DIR), and checks afterwards that
 * none of its services runs or listens.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { projectRoot } from '../../devstack/paths.ts';
import { freePort, isListening } from '../../devstack/ports.ts';
import { SERVICE_NAMES, stackStatus, stopStack } from '../../devstack/services.ts';

interface Demo {
  /** Resolves when a line of output matches. */
  waitFor(pattern: RegExp): Promise<void>;
  signal(name: NodeJS.Signals): void;
  /** Close the pipes the command writes its output to. */
  closeOutput(): void;
  exited: Promise<number | null>;
  output(): string;
  stackDir: string;
  ports: number[];
}

/** Ports that are free now, the Temporal HTTP and metrics ports (gRPC + 10, + 20) too. */
async function demoPorts(): Promise<Record<string, number>> {
  for (;;) {
    const [temporal, ui, kafka, controller, azurite] = await Promise.all(Array.from({ length: 5 }, () => freePort()));
    if (temporal! + 20 > 65535 || (await isListening(temporal! + 10)) || (await isListening(temporal! + 20))) continue;
    return { FITLAKE_TEMPORAL_PORT: temporal!, FITLAKE_TEMPORAL_UI_PORT: ui!, FITLAKE_KAFKA_PORT: kafka!, FITLAKE_KAFKA_CONTROLLER_PORT: controller!, FITLAKE_AZURITE_PORT: azurite! };
  }
}

async function startDemo(t: TestContext): Promise<Demo> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-start-'));
  const stackDir = path.join(dir, 'stack');
  const ports = await demoPorts();
  t.after(async () => {
    // Whatever the test saw, nothing of this stack may outlive it.
    await stopStack(stackDir).catch(() => []);
    await rm(dir, { recursive: true, force: true });
  });
  const env: NodeJS.ProcessEnv = { ...process.env, FITLAKE_STACK_DIR: stackDir, FITLAKE_DATA_DIR: path.join(dir, 'data'), FITLAKE_API_PORT: '0', ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
  delete env.FITLAKE_JWT_SECRET;
  const child = spawn(process.execPath, ['--single-threaded-gc', path.join(projectRoot, 'bin', 'start.js')], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const take = (d: Buffer) => {
    text += d.toString();
    for (const w of [...waiters]) {
      if (!w.pattern.test(text)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(text)) return resolve();
        waiters.push({ pattern, resolve });
        void exited.then(() => reject(new Error(`npm start exited before ${pattern}:\n${text}`)));
      }),
    signal: (name) => child.kill(name),
    closeOutput: () => {
      child.stdout.destroy();
      child.stderr.destroy();
    },
    exited,
    output: () => text,
    stackDir,
    ports: Object.values(ports),
  };
}

/** The command exits within the minute, and none of its services runs or listens any more. */
async function assertStoppedEverything(demo: Demo, expectedCode: number | null = 0): Promise<void> {
  const code = await Promise.race([demo.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000))]);
  assert.notEqual(code, 'timeout', `npm start did not exit:\n${demo.output()}`);
  assert.equal(code, expectedCode, demo.output());
  const status = await stackStatus(demo.stackDir);
  for (const name of SERVICE_NAMES) assert.equal(status.services[name].state, 'stopped', `${name} still runs:\n${demo.output()}`);
  for (const port of demo.ports) assert.equal(await isListening(port), false, `port ${port} still listens`);
}

describe('npm start stops what it started', { concurrency: false, timeout: 600_000 }, () => {
  test('SIGHUP (its terminal closed) while it starts the services', async (t) => {
    const demo = await startDemo(t);
    await demo.waitFor(/temporal healthy|kafka healthy|azurite healthy/);
    demo.signal('SIGHUP');
    await assertStoppedEverything(demo);
    assert.match(demo.output(), /Stopping \(SIGHUP\)/);
  });

  test('SIGTERM during its first pipeline run', async (t) => {
    const demo = await startDemo(t);
    await demo.waitFor(/Running the pipeline once/);
    demo.signal('SIGTERM');
    await assertStoppedEverything(demo);
    assert.match(demo.output(), /Stopping \(SIGTERM\)/);
  });

  test('its output pipe closed (npm start | tee, and tee gone) once the services run', async (t) => {
    const demo = await startDemo(t);
    await demo.waitFor(/services ready/);
    // Nothing more can be read of it; the next line it writes finds the pipe closed.
    demo.closeOutput();
    await assertStoppedEverything(demo);
  });

  test('Ctrl-C (SIGINT) once it is up, with its continuous run going', async (t) => {
    const demo = await startDemo(t);
    await demo.waitFor(/Continuous run \S+: a new day/);
    // It says where the dashboard is, and the address answers.
    const dashboard = /dashboard\s+(http:\/\/127\.0\.0\.1:\d+\/dashboard)/.exec(demo.output())?.[1];
    assert.ok(dashboard, demo.output());
    assert.equal((await fetch(dashboard)).status, 200);
    demo.signal('SIGINT');
    await assertStoppedEverything(demo);
    // Each service is tracked on its own (the first run waits for Temporal only) and undone newest first.
    assert.match(demo.output(), /Stopping \(SIGINT\)[\s\S]*the continuous run ends[\s\S]*started \(azurite\)[\s\S]*started \(kafka\)[\s\S]*started \(temporal\)/);
  });
});
