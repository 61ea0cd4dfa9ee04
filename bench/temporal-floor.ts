/**
 * The floor of a cold `fitlake run`: what a process pays before any lake work when it has to start its
 * own worker. Each timed child process starts node, loads @temporalio/worker and @temporalio/client,
 * connects, creates a worker from a prebuilt workflow bundle (as dist/ has it), runs one workflow with
 * one activity that does nothing, and exits. No tsx, no fitlake code: only the stack a run stands on.
 *
 *   npm run bench:floor [-- --runs 5]
 *
 * Prints each run's wall time, with the times at which the packages were loaded and the worker was
 * created, and the median: the least a cold whole-process run can take on this machine with Temporal
 * coordinating it (bench:whole --sbit measures the real thing and DuckDB's whole process beside it).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { projectRoot } from '../devstack/paths.ts';
import { stopStack } from '../devstack/services.ts';
import { numberArg } from './args.ts';
import { startTemporal } from './private-temporal.ts';

const log = (line: string) => console.log(`[floor] ${line}`);

const WORKFLOW = `
import { proxyActivities } from '@temporalio/workflow';
const { nothing } = proxyActivities({ startToCloseTimeout: '1 minute' });
export async function floor() { return nothing(); }
`;

/** The timed child: plain JavaScript, the packages resolved from the project's node_modules (it lies inside them). */
const child = (worker: string, client: string) => `
const at = (label) => console.log(label + ' ' + Math.round(performance.now()));
const [{ NativeConnection, Worker, Runtime, DefaultLogger }, { Connection, Client }] = await Promise.all([import(${JSON.stringify(worker)}), import(${JSON.stringify(client)})]);
at('loaded');
Runtime.install({ logger: new DefaultLogger('WARN') });
const [address, bundle] = process.argv.slice(2);
const native = await NativeConnection.connect({ address });
const taskQueue = 'floor-' + process.pid;
const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: { codePath: bundle }, activities: { nothing: async () => 'done' } });
at('worker');
const connection = await Connection.connect({ address });
const result = await worker.runUntil(new Client({ connection }).workflow.execute('floor', { taskQueue, workflowId: taskQueue }));
if (result !== 'done') throw new Error('the workflow returned ' + result);
await connection.close();
await native.close();
at('done');
`;

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const runs = numberArg('--runs', 5);
  // Inside the project's node_modules, so the workflow bundle and the child resolve the SDK's packages.
  const cache = path.join(projectRoot, 'node_modules', '.cache', 'fitlake');
  await mkdir(cache, { recursive: true });
  const work = await mkdtemp(path.join(cache, 'floor-'));
  let stackDir: string | undefined;
  try {
    await writeFile(path.join(work, 'workflow.mjs'), WORKFLOW);
    const { code } = await bundleWorkflowCode({ workflowsPath: path.join(work, 'workflow.mjs'), logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } });
    const bundle = path.join(work, 'workflow-bundle.js');
    await writeFile(bundle, code);
    const script = path.join(work, 'floor.mjs');
    await writeFile(script, child('@temporalio/worker', '@temporalio/client'));
    const temporal = await startTemporal(work, log);
    stackDir = temporal.dir;
    const walls: number[] = [];
    // One untimed run first: the server's namespace and the page cache warm, as for any later run.
    for (let i = 0; i <= runs; i++) {
      const started = performance.now();
      const run = spawnSync(process.execPath, [script, temporal.address, bundle], { encoding: 'utf8' });
      const wall = performance.now() - started;
      if (run.status !== 0) throw new Error(`the floor process failed (${run.status}): ${run.stderr}`);
      const marks = Object.fromEntries(run.stdout.trim().split('\n').map((line) => line.split(' ')).map(([k, v]) => [k, Number(v)]));
      if (i === 0) continue;
      walls.push(wall);
      console.log(`run ${i}: ${(wall / 1000).toFixed(2)} s wall; packages loaded at ${marks.loaded} ms, worker created at ${marks.worker} ms, workflow done at ${marks.done} ms`);
    }
    console.log(`floor of a cold run (node + Temporal worker and client + one empty workflow): median ${(median(walls) / 1000).toFixed(2)} s of ${runs} runs, on ${os.availableParallelism()} cores, Node ${process.version}`);
  } finally {
    if (stackDir) await stopStack(stackDir, log).catch((e: Error) => log(`stopping Temporal failed: ${e.message}`));
    await rm(work, { recursive: true, force: true });
  }
}

await main();
