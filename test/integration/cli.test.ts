/** The `fitlake` command as a user meets it: help, output and exit codes (0 ok, 1 failed, 2 usage, 3 unavailable). */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { projectRoot } from '../../devstack/paths.ts';
import { runCli } from '../support/cli.ts';
import { runningPipelineOn } from '../../cli/start-pipeline.ts';
import { Lake } from '../../lakehouse/steps/lake.ts';
import { runPipeline } from '../../lakehouse/steps/run-pipeline.ts';
import { LocalObjectStore } from '../../lakehouse/storage/index.ts';
import { generate, land } from '../support/generated-landing.ts';
import { lakeLines, makeTestLake } from '../support/pipeline.ts';
import { connectTestClient, waitFor } from '../support/temporal-helpers.ts';
import { temporalAddress, uniqueName } from '../support/stack.ts';

test('--help lists every command with a summary; no command is a usage error', async () => {
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  for (const name of ['services', 'run', 'worker', 'status', 'schedule', 'reprocess']) assert.match(help.stdout, new RegExp(`^  ${name}\\s+\\S`, 'm'));
  const none = await runCli([]);
  assert.equal(none.code, 2);
  const unknown = await runCli(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  const runHelp = await runCli(['run', '--help']);
  assert.equal(runHelp.code, 0);
  assert.match(runHelp.stdout, /Examples:/);
});

test('`npm run services` reaches the services command (its exit code and usage)', async () => {
  // npm passes the arguments after `--` on; the script must run the command, not just load its module.
  const child = spawnSync('npm', ['run', '--silent', 'services', '--', 'bogus-action'], { cwd: projectRoot, encoding: 'utf8' });
  assert.equal(child.status, 2, child.stdout + child.stderr);
  assert.match(child.stderr, /unknown action 'bogus-action'[\s\S]*Usage: fitlake services/);
});

test('simulate --day lands one day of a period, under names of its own, and refuses a day outside it', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const args = ['simulate', '--users', '3', '--days', '2', '--wear-hours', '2', '--seed', '5', '--landing', dir, '--json'];
  const days = [];
  for (const day of ['1', '2']) {
    const r = await runCli([...args, '--day', day]);
    assert.equal(r.code, 0, r.stderr);
    days.push(JSON.parse(r.stdout) as { records: number; settings: { onlyDay?: number }; output: { files: { key: string }[] } });
  }
  assert.deepEqual(days.map((d) => d.settings.onlyDay), [0, 1]);
  assert.ok(days[1]!.output.files.every((f) => f.key.includes('-sim-s5-d2-')), JSON.stringify(days[1]!.output.files));
  const whole = await runCli([...args, '--landing', path.join(dir, 'whole')]);
  assert.equal(whole.code, 0, whole.stderr);
  assert.equal(days[0]!.records + days[1]!.records, (JSON.parse(whole.stdout) as { records: number }).records);
  const outside = await runCli([...args, '--day', '3']);
  assert.equal(outside.code, 2);
  assert.match(outside.stderr, /--day: 3 is not a day of the period \(1 to 2/);
});

test('bad flags and bad configuration exit 2 with a message naming what is wrong', async () => {
  const badFlag = await runCli(['run', '--bogus']);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /bogus/);
  const badLake = await runCli(['run', '--lake', 'ftp://somewhere/lake']);
  assert.equal(badLake.code, 2);
  assert.match(badLake.stderr, /FITLAKE_LAKE.*ftp/);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-cli-'));
  await writeFile(path.join(dir, 'fitlake.config'), JSON.stringify({ lakke: '/x' }));
  const badFile = await runCli(['status'], { FITLAKE_CONFIG: path.join(dir, 'fitlake.config') });
  assert.equal(badFile.code, 2);
  assert.match(badFile.stderr, /unknown key "lakke"/);
  const bothWorkers = await runCli(['run', '--no-worker', '--own-worker']);
  assert.equal(bothWorkers.code, 2);
  assert.match(bothWorkers.stderr, /--no-worker or --own-worker/);
});

test('a run without a reachable Temporal server exits 3 and says how to start one', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-cli-'));
  const r = await runCli(['run', '--once', '--temporal-address', '127.0.0.1:1', '--lake', path.join(dir, 'lake'), '--landing', path.join(dir, 'landing')]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /not reachable/);
  assert.match(r.stderr, /fitlake services up/);
  // status still shows the tables when Temporal is down, and says why runs are missing.
  const s = await runCli(['status', '--json', '--temporal-address', '127.0.0.1:1', '--lake', path.join(dir, 'lake')]);
  assert.equal(s.code, 0);
  const status = JSON.parse(s.stdout) as { temporalError: string; tables: { table: string; version: number | null }[] };
  assert.match(status.temporalError, /not reachable/);
  assert.ok(status.tables.some((t) => t.table === 'gold/gym_summary' && t.version === null));
});

test('services status of a stack folder with nothing running exits 3 and shows each service stopped', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-cli-stack-'));
  const r = await runCli(['services', 'status', '--dir', dir, '--json']);
  assert.equal(r.code, 3);
  const status = JSON.parse(r.stdout) as { services: Record<string, { state: string }> };
  assert.deepEqual(Object.values(status.services).map((s) => s.state), ['stopped', 'stopped', 'stopped']);
});

test('run --once completes a real run (exit 0, JSON summary) and a failing run exits 1 with its reason', async (t) => {
  const address = temporalAddress(t);
  if (!address) return;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-cli-run-'));
  const landing = path.join(dir, 'landing');
  await mkdir(path.join(landing, 'registered_users'), { recursive: true });
  await writeFile(path.join(landing, 'registered_users', 'users.csv'), 'user_id,device_id,mac_address,registration_timestamp\n1,100,aa:bb:cc:dd:ee:ff,1678451168\n2,oops,aa:bb:cc:dd:ee:00,1678451169\n');
  const env = { FITLAKE_TEMPORAL_ADDRESS: address, FITLAKE_TASK_QUEUE: uniqueName('cli') };
  const ok = await runCli(['run', '--once', '--json', '--lake', path.join(dir, 'lake'), '--landing', landing], env);
  assert.equal(ok.code, 0, ok.stderr);
  const result = JSON.parse(ok.stdout) as { status: string; steps: { step: string; state: string; rowsWritten: number; quarantined: number }[] };
  assert.equal(result.status, 'completed');
  const bronze = result.steps.find((s) => s.step === 'bronze_registered_users')!;
  assert.deepEqual([bronze.state, bronze.rowsWritten, bronze.quarantined], ['succeeded', 1, 1]);

  // A lake location that is a file, not a folder: the first step fails and the run reports it.
  const notADir = path.join(dir, 'a-file');
  await writeFile(notADir, 'not a lake');
  const failed = await runCli(['run', '--once', '--lake', notADir, '--landing', landing], env);
  assert.equal(failed.code, 1, failed.stdout + failed.stderr);
  assert.match(failed.stderr, /failed/);
});

test('run --once hands its run to a `fitlake worker` serving the task queue, and starts its own at once when that worker is gone', async (t) => {
  const address = temporalAddress(t);
  if (!address) return;
  const here = await makeTestLake('fitlake-cli-handover-');
  t.after(() => rm(here.dir, { recursive: true, force: true }));
  await land(here.landingDir, 'all', generate(5));
  const env = { FITLAKE_TEMPORAL_ADDRESS: address, FITLAKE_TASK_QUEUE: uniqueName('cli-handover') };
  const args = ['run', '--once', '--lake', path.join(here.dir, 'lake'), '--landing', here.landingDir];
  const { client, close } = await connectTestClient(address);
  t.after(close);
  /** The identities of the workers that ran the activities of the run a `fitlake run` printed. */
  const activityWorkers = async (stdout: string): Promise<Set<string>> => {
    const workflowId = /run (\S+) started/.exec(stdout)?.[1];
    assert.ok(workflowId, stdout);
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    return new Set((history.events ?? []).flatMap((e) => (e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.identity ?? ''] : [])));
  };

  const worker = spawn(process.execPath, [path.join(projectRoot, 'bin', 'fitlake.js'), 'worker'], { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => worker.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    worker.stdout.on('data', (d: Buffer) => d.toString().includes('worker on task queue') && resolve());
    worker.once('exit', (code) => reject(new Error(`fitlake worker exited with ${code}`)));
  });
  await waitFor('the worker polling', async () => ((await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: env.FITLAKE_TASK_QUEUE }, taskQueueType: 2 })).pollers ?? []).length > 0 || undefined, 30_000);
  const handed = await runCli(args, env);
  assert.equal(handed.code, 0, handed.stdout + handed.stderr);
  assert.match(handed.stdout, /on the workers serving task queue/);
  assert.deepEqual([...(await activityWorkers(handed.stdout))], [`${worker.pid}@${os.hostname()}`]);
  // With a worker of its own beside the serving one, which may take every step: the command still ends
  // (its worker threads, started early and never given a task, once kept it alive).
  const own = await runCli([...args, '--own-worker'], env, 60_000);
  assert.equal(own.code, 0, own.stdout + own.stderr);
  assert.doesNotMatch(own.stdout, /on the workers serving/);

  // Killed, the worker is still listed among the task queue's pollers for minutes; the run must not wait on it.
  worker.kill('SIGKILL');
  await new Promise((resolve) => worker.once('exit', resolve));
  const alone = await runCli(args, env);
  assert.equal(alone.code, 0, alone.stdout + alone.stderr);
  assert.doesNotMatch(alone.stdout, /on the workers serving|took the run up/);
  const ranBy = [...(await activityWorkers(alone.stdout))];
  assert.ok(ranBy.length === 1 && ranBy[0]!.startsWith('fitlake run '), ranBy.join(', '));
});

test('one run per lake: a second run --once follows the one going, and runs started together give a single run\'s tables', async (t) => {
  const address = temporalAddress(t);
  if (!address) return;
  const data = generate(21);
  const here = await makeTestLake('fitlake-cli-twice-');
  t.after(() => rm(here.dir, { recursive: true, force: true }));
  await land(here.landingDir, 'all', data);
  const lakeDir = path.join(here.dir, 'lake');
  const env = { FITLAKE_TEMPORAL_ADDRESS: address, FITLAKE_TASK_QUEUE: uniqueName('cli-twice') };
  const args = ['run', '--once', '--lake', lakeDir, '--landing', here.landingDir];
  const { client, close } = await connectTestClient(address);
  t.after(close);
  const first = runCli(args, env);
  const running = await waitFor('the first run', () => runningPipelineOn(client, lakeDir), 60_000);
  // Two more at once: each either follows the run going or (after it ended) starts its own.
  const [second, third] = await Promise.all([runCli(args, env), runCli(args, env)]);
  const firstRun = await first;
  for (const run of [firstRun, second, third]) assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.ok([second, third].some((r) => r.stdout.includes(`run ${running.workflowId} is already going on lake ${lakeDir}: following it`)), second.stdout + third.stdout);

  const once = await makeTestLake('fitlake-cli-once-');
  t.after(() => rm(once.dir, { recursive: true, force: true }));
  await land(once.landingDir, 'all', data);
  await runPipeline(once.ctx);
  assert.deepEqual(await lakeLines(new Lake(new LocalObjectStore(lakeDir))), await lakeLines(once.lake));
});

test('the counts run --once reports balance over a damaged landing zone: every record a step read was written, quarantined or a duplicate', async (t) => {
  const address = temporalAddress(t);
  if (!address) return;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-cli-counts-'));
  const landing = path.join(dir, 'landing');
  // Generated data with repeated records, conflicting readings and records for quarantine, landed twice
  // over (a second copy of each file under another name is the same content: not read again).
  const data = generate(31);
  await land(landing, 'all', data);
  await land(landing, 'again', data);
  // And damage of every kind the landing zone refuses: a link loop, a line not UTF-8, a quoted field
  // left open, an implausible visit, a line over the limit (FITLAKE_MAX_LINE_BYTES below).
  await symlink('loop.json', path.join(landing, 'kafka', 'loop.json'));
  await writeFile(path.join(landing, 'kafka', 'bad-bytes.json'), Buffer.concat([Buffer.from('{"key":"'), Buffer.from([0xff]), Buffer.from('"}\n'), Buffer.from(`{"key":"${'x'.repeat(5000)}"}\n`)]));
  await writeFile(path.join(landing, 'gym_logins', 'damaged.csv'), 'mac_address,gym,login,logout\n02:00:00:00:00:10,1,1678410000,1678406400\n02:00:00:00:00:11,1,"1678406400,1678410000\n');
  const env = { FITLAKE_TEMPORAL_ADDRESS: address, FITLAKE_TASK_QUEUE: uniqueName('cli'), FITLAKE_MAX_LINE_BYTES: '4096' };
  const run = await runCli(['run', '--once', '--json', '--lake', path.join(dir, 'lake'), '--landing', landing], env);
  assert.equal(run.code, 0, run.stderr);
  const steps = (JSON.parse(run.stdout) as { steps: { step: string; state: string; recordsIn: number; rowsWritten: number; quarantined: number; duplicates?: number }[] }).steps;
  // Steps that read records one for one (the sources and the silver steps over bronze) account for each.
  const overBronze = ['bronze_registered_users', 'bronze_gym_logins', 'bronze_kafka_files', 'silver_users', 'silver_gym_logs', 'silver_user_profile', 'silver_workouts', 'silver_heart_rate'];
  for (const name of overBronze) {
    const s = steps.find((x) => x.step === name)!;
    assert.ok(s.recordsIn > 0, `${name} read nothing`);
    assert.equal(s.recordsIn, s.rowsWritten + s.quarantined + (s.duplicates ?? 0), `${name}: ${JSON.stringify(s)}`);
  }
  // The generated records, the refused link, the line that is not UTF-8 and the one over the limit.
  assert.equal(steps.find((s) => s.step === 'bronze_kafka_files')!.recordsIn, data.kafka.length + 3, 'the copy was not read again');
  assert.equal(steps.find((s) => s.step === 'bronze_gym_logins')!.quarantined, 2, 'the implausible visit and the open quote');
  for (const s of steps) assert.equal(s.state, 'succeeded', s.step);
  // fitlake status shows the same counts for the last completed run.
  const status = await runCli(['status', '--json', '--lake', path.join(dir, 'lake')], env);
  assert.equal(status.code, 0, status.stderr);
  const lastRun = (JSON.parse(status.stdout) as { lastRun: { steps: typeof steps } | null }).lastRun;
  const counts = (list: typeof steps) => list.map((s) => [s.step, s.recordsIn, s.rowsWritten, s.quarantined, s.duplicates ?? 0]);
  assert.deepEqual(counts(lastRun?.steps ?? []), counts(steps));
});
