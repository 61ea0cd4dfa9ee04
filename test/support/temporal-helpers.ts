/**
 * What the orchestration tests share: settings and workers for a test's own task queue, small synthetic
 * landing sets in the SBIT formats, Kafka topics, worker processes, and comparing two lakes table by
 * table.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { Kafka, logLevel } from 'kafkajs';
import { loadSettings, type Settings } from '../../config/settings.ts';
import { projectRoot } from '../../devstack/paths.ts';
import type { Lake } from '../../lakehouse/steps/lake.ts';
import { allTables } from '../../schema/tables.ts';
import type { TableDef } from '../../schema/types.ts';
import { createPipelineWorker } from '../../workers/pipeline-worker.ts';
import { type TestLake, tableLines } from './pipeline.ts';

export const FAULT_WORKER = fileURLToPath(new URL('../fixtures/fault-worker.ts', import.meta.url));
export const HISTORIES_DIR = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));
export const TOPICS = ['user_info', 'workout', 'bpm'] as const;

/** Settings for a worker of the test's own task queue over the test's lake and landing zone. */
export function testSettings(temporalAddress: string, taskQueue: string, where: Pick<TestLake, 'dir' | 'landingDir'>, kafkaBrokers: string[] = []): Settings {
  return loadSettings({}, { temporalAddress, taskQueue, lake: path.join(where.dir, 'lake'), landing: where.landingDir, kafka: kafkaBrokers.join(',') });
}

export async function connectTestClient(address: string): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection }), close: () => connection.close() };
}

/** A pipeline worker running in this process until stop(). */
export async function startWorker(settings: Settings): Promise<{ stop: () => Promise<void> }> {
  const { worker, close } = await createPipelineWorker(settings);
  const running = worker.run();
  return {
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      try {
        await running;
      } finally {
        await close();
      }
    },
  };
}

/** Poll until `probe` returns a value (not undefined/false), or fail with `what` after the timeout. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000, pollMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The p-th percentile (0..100) of the values, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Columns compared between two lakes: load_time is the wall clock of a run, so it differs by design. */
const comparable = (def: TableDef) => def.columns.map((c) => c.name).filter((c) => c !== 'load_time');

/** Assert every table (default: all of the lake) has the same rows in both lakes, count first for a readable failure. */
export async function assertSameTables(actual: Lake, expected: Lake, defs: readonly TableDef[] = allTables): Promise<void> {
  for (const def of defs) {
    const [a, e] = await Promise.all([tableLines(actual, def, comparable(def)), tableLines(expected, def, comparable(def))]);
    assert.equal(a.length, e.length, `${def.layer}/${def.name}: row count`);
    assert.deepEqual(a, e, `${def.layer}/${def.name}: content`);
  }
}

/** Write a file into the landing zone atomically (temporary name, then rename), as an export tool would. */
export async function landFile(landingDir: string, folder: string, name: string, content: string): Promise<void> {
  await mkdir(path.join(landingDir, folder), { recursive: true });
  const staging = path.join(landingDir, `.${folder}-${name}.partial`);
  await writeFile(staging, content);
  await rename(staging, path.join(landingDir, folder, name));
}

/** A user of a small synthetic set: ids derive from `n`, so sets of different n never collide. */
export function syntheticUser(n: number) {
  // One day per n within a year: ids stay unique, times stay realistic (microseconds must stay exact).
  const login = 1_678_521_600 + (n % 365) * 86_400;
  return {
    userId: 900_000 + n,
    deviceId: 9_000_000 + n,
    mac: `02:00:00:${[16, 8, 0].map((shift) => ((n >> shift) & 0xff).toString(16).padStart(2, '0')).join(':')}`,
    registered: 1_678_451_168 + n,
    login,
    logout: login + 3_600,
    start: login + 300,
    stop: login + 300 + 1_800,
  };
}

/** A Kafka dump line exactly as the SBIT files write them. */
export function dumpLine(topic: string, key: string, value: object, offset: number, timestamp: number): string {
  return JSON.stringify({ key, value: JSON.stringify(value), topic, partition: 0, offset, timestamp });
}

/** bpm payload of a synthetic reading. */
export const bpmValue = (deviceId: number, time: number, heartrate: number) => ({ device_id: deviceId, time, heartrate });

/**
 * Land a small set in the SBIT formats for users n…n+count-1: registrations, gym visits, profiles, one
 * completed workout each inside the visit, and a reading a minute around the workout, so every silver
 * and gold table gets rows.
 */
export async function landSyntheticSet(landingDir: string, n: number, count = 1): Promise<void> {
  const registrations = ['user_id,device_id,mac_address,registration_timestamp'];
  const logins = ['mac_address,gym,login,logout'];
  const kafka: string[] = [];
  for (let i = n; i < n + count; i++) {
    const u = syntheticUser(i);
    registrations.push(`${u.userId},${u.deviceId},${u.mac},${u.registered}`);
    logins.push(`${u.mac},${1 + (i % 3)},${u.login},${u.logout}`);
    let offset = i * 1_000;
    kafka.push(
      dumpLine('user_info', String(u.userId), {
        user_id: u.userId,
        update_type: 'new',
        timestamp: u.registered,
        dob: '07/25/1961',
        sex: i % 2 ? 'F' : 'M',
        gender: i % 2 ? 'F' : 'M',
        first_name: 'Test',
        last_name: `User${i}`,
        address: { street_address: `${i} Main St`, city: 'Testville', state: 'CA', zip: 90001 },
      }, offset++, u.registered),
    );
    kafka.push(dumpLine('workout', String(u.userId), { user_id: u.userId, workout_id: 1, timestamp: u.start, action: 'start', session_id: 1 }, offset++, u.start));
    kafka.push(dumpLine('workout', String(u.userId), { user_id: u.userId, workout_id: 1, timestamp: u.stop, action: 'stop', session_id: 1 }, offset++, u.stop));
    for (let t = u.start - 120; t <= u.stop + 120; t += 60) kafka.push(dumpLine('bpm', String(u.deviceId), bpmValue(u.deviceId, t, 60 + ((t / 60) % 50)), offset++, t));
  }
  await landFile(landingDir, 'registered_users', `synthetic-${n}.csv`, `${registrations.join('\n')}\n`);
  await landFile(landingDir, 'gym_logins', `synthetic-${n}.csv`, `${logins.join('\n')}\n`);
  await landFile(landingDir, 'kafka', `synthetic-${n}.json`, `${kafka.join('\n')}\n`);
}

/**
 * Create the three topics the bronze_kafka step reads when absent. They are fixed names shared with
 * other tests (pipeline-sbit), so a test never deletes them and only looks for its own records.
 */
export async function ensureTopics(brokers: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'fitlake-test-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    const missing = TOPICS.filter((t) => !existing.includes(t));
    // Another test creating the same topic at the same moment is fine: createTopics then reports false.
    // No time retention: records with old record times (replayed history) would otherwise be deleted by
    // the broker's retention check before the pipeline reads them.
    if (missing.length > 0) await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: topic === 'bpm' ? 2 : 1, configEntries: [{ name: 'retention.ms', value: '-1' }] })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves when the process ends, with its exit code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it wrote, for failure messages. */
  output: () => string;
}

/** Spawn test/fixtures/fault-worker.ts; FITLAKE_FAULT in `env` makes it kill itself at that fault point. */
export function spawnWorker(settings: Settings, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', FAULT_WORKER], {
    cwd: projectRoot,
    env: {
      ...process.env,
      FITLAKE_TEMPORAL_ADDRESS: settings.temporal.address,
      FITLAKE_TASK_QUEUE: settings.temporal.taskQueue,
      FITLAKE_LAKE: settings.lake,
      FITLAKE_LANDING: settings.landing,
      FITLAKE_KAFKA_BROKERS: settings.kafkaBrokers.join(','),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, output: () => output };
}

/*
 * History JSON (the format the Temporal UI and CLI download). @temporalio/common's historyToJSON and
 * historyFromJSON run protobufjs' protojson of the protobufjs copy nested under @temporalio/common,
 * while the History type comes from the copy nested under @temporalio/proto; with this lock file's
 * layout (a protobufjs 7 at the top for grpc) those are two copies and protojson rejects the type
 * ("type must be a Type"). The protojson of @temporalio/proto's own copy reads and writes the same JSON.
 */
type ProtoJson = {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
};
type History = temporal.api.history.v1.History;
type HistoryType = { fromObject(object: unknown): History };
const requireHere = createRequire(import.meta.url);
// @temporalio/proto's module is its (patched) reflection root: types are looked up by full name.
const protoRoot = requireHere('@temporalio/proto') as { lookupType(name: string): HistoryType };
const historyType = protoRoot.lookupType('temporal.api.history.v1.History');
const protojson = createRequire(requireHere.resolve('@temporalio/proto'))('protobufjs/ext/protojson') as ProtoJson;

/** A fetched history as history JSON text. */
export function historyToJson(history: temporal.api.history.v1.IHistory): string {
  return JSON.stringify(protojson.toJson(historyType, historyType.fromObject(history)), null, 1);
}

/** History JSON back to a History the replayer takes as it is. */
export function historyFromJson(json: string): History {
  const history = protojson.fromJson(historyType, JSON.parse(json), { ignoreUnknownFields: true }) as History | null;
  if (!history) throw new TypeError('not a history');
  return history;
}
