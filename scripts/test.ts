/**
 * `npm test`: the one test command. It is the suite's global setup and teardown: installs missing tools,
 * starts one private stack (Temporal, Kafka, Azurite) on free loopback ports for the whole run, runs
 * every test file with node's test runner, and stops the stack even when tests fail or the run is
 * interrupted.
 *
 *   npm test                      everything
 *   npm test -- --unit            only test/unit (no services)
 *   npm test -- test/integration/kafka-smoke.test.ts   chosen files, stack included
 *
 * Tests find the stack through FITLAKE_TEST_* environment variables (see test/support/stack.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../devstack/paths.ts';
import { freePort } from '../devstack/ports.ts';
import { startStack, stopStack, type StackPorts } from '../devstack/services.ts';
import { ensureSpark } from '../devstack/spark.ts';
import { ensureTools } from '../devstack/tools.ts';

const log = (line: string) => console.error(`[test-stack] ${line}`);

async function testFiles(dirs: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const dir of dirs) {
    const entries = await readdir(path.join(projectRoot, dir), { recursive: true }).catch(() => [] as string[]);
    for (const entry of entries) if (entry.endsWith('.test.ts')) files.push(path.join(dir, entry));
  }
  return files.sort();
}

async function freePorts(): Promise<StackPorts> {
  const [temporal, temporalUi, temporalHttp, temporalMetrics, kafka, kafkaController, azurite] = await Promise.all(
    Array.from({ length: 7 }, () => freePort()),
  );
  return { temporal: temporal!, temporalUi: temporalUi!, temporalHttp: temporalHttp!, temporalMetrics: temporalMetrics!, kafka: kafka!, kafkaController: kafkaController!, azurite: azurite! };
}

function runNodeTests(files: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
      cwd: projectRoot,
      env,
      stdio: 'inherit',
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const unitOnly = args.includes('--unit');
  const chosen = args.filter((a) => !a.startsWith('--'));
  const files = chosen.length > 0 ? chosen : await testFiles(unitOnly ? ['test/unit'] : ['test']);
  if (files.length === 0) {
    console.error('no test files found');
    return 1;
  }
  const needsStack = !unitOnly && files.some((f) => !f.startsWith(`test${path.sep}unit`));
  const env: NodeJS.ProcessEnv = { ...process.env };
  let stackDir: string | undefined;

  const teardown = async () => {
    if (!stackDir) return;
    const dir = stackDir;
    stackDir = undefined;
    await stopStack(dir, log).catch((e: Error) => log(`stopping the stack failed: ${e.message}`));
    await rm(dir, { recursive: true, force: true });
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      log(`${sig}: stopping the stack`);
      void teardown().then(() => process.exit(130));
    });
  }

  try {
    const started = Date.now();
    // Spark (for test/integration/delta-spark.test.ts) installs beside the other tools, mostly a download.
    const [tools, sparkPython] = await Promise.all([ensureTools(log, { python: true, chromium: !unitOnly }), unitOnly ? undefined : ensureSpark(log)]);
    env.FITLAKE_TEMPORAL_BIN = tools.temporal;
    env.FITLAKE_PYTHON = tools.python;
    if (sparkPython) env.FITLAKE_SPARK_PYTHON = sparkPython;
    if (tools.chromium) env.FITLAKE_TEST_CHROMIUM = tools.chromium;
    if (needsStack) {
      // A port found free can be taken by another process before the service binds it; then the
      // whole stack starts again on new ports rather than failing the run.
      let stack;
      for (let attempt = 1; ; attempt++) {
        stackDir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-test-stack-'));
        try {
          stack = await startStack({ dir: stackDir, ports: await freePorts(), tools, log, headless: true });
          break;
        } catch (e) {
          await teardown();
          if (attempt >= 3) throw e;
          log(`the stack did not start (${(e as Error).message.split('\n')[0]}); trying again on other ports`);
        }
      }
      log(`stack healthy ${((Date.now() - started) / 1000).toFixed(1)} s after start (tools included)`);
      env.FITLAKE_TEST_STACK_DIR = stackDir;
      env.FITLAKE_TEST_TEMPORAL_ADDRESS = stack.endpoints.temporalAddress;
      env.FITLAKE_TEST_KAFKA_BROKERS = stack.endpoints.kafkaBrokers.join(',');
      env.FITLAKE_TEST_AZURE_CONNECTION_STRING = stack.endpoints.azureConnectionString;
    }
    return await runNodeTests(files, env);
  } finally {
    await teardown();
  }
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(`npm test: ${e.message}`);
    process.exit(1);
  },
);
