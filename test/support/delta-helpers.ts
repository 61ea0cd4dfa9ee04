/**
 * Shared pieces of the Delta table tests: scratch tables on local disk, heart-rate rows, stores that
 * count or interfere with what a table does, and readers of the raw log. Nothing here knows about the
 * table core's internals beyond its public files and the Delta log format itself.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Cell, ColumnDef } from '../../schema/types.ts';
import { LocalObjectStore, type ObjectInfo, type ObjectStore } from '../../lakehouse/storage/index.ts';
import { decodeCommit, type Action, commitKey, LOG_DIR, versionOfCommitKey } from '../../lakehouse/table/log/index.ts';
import assert from 'node:assert/strict';
import { batchFromRows, type ColumnBatch } from '../../lakehouse/table/columns/index.ts';
import { DeltaTable } from '../../lakehouse/table/index.ts';

export type Row = Record<string, Cell>;

/** 2023-10-02T00:00:00Z in microseconds: heart-rate times of the tests start here. */
export const T0 = Date.UTC(2023, 9, 2) * 1000;
export const MICROS_PER_SECOND = 1_000_000;

/** What test/fixtures/torn-writer.ts writes before it hangs: several files, so the crash leaves several orphans. */
export const TORN_WRITE = { device: 777, rows: 30, fileRows: 10 } as const;
/** Rows per commit of torn-writer.ts's append mode (device_id = writer * 1000 + commit number). */
export const APPEND_ROWS_PER_COMMIT = 4;

/** A fresh directory and a LocalObjectStore over it, removed when the test ends. */
export async function scratchStore(t: TestContext, name = 'table'): Promise<{ dir: string; store: LocalObjectStore }> {
  const base = await mkdtemp(path.join(tmpdir(), 'fitlake-delta-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  const dir = path.join(base, name);
  return { dir, store: new LocalObjectStore(dir) };
}

/** Heart-rate rows: `count` readings of one device, one per second from `start`. */
export function heartRows(device: number, count: number, start = T0, bpm = (i: number) => 60 + (i % 40)): Row[] {
  return Array.from({ length: count }, (_, i) => {
    const heartrate = bpm(i);
    return { device_id: device, time: start + i * MICROS_PER_SECOND, heartrate, valid: heartrate > 0 && heartrate < 300 };
  });
}

export function batch(columns: readonly ColumnDef[], rows: readonly Row[]): ColumnBatch {
  return batchFromRows(columns, rows);
}

/** Rows sorted by the given columns, so that order-free results can be compared with deepEqual. */
export function sortRows<R extends Record<string, unknown>>(rows: readonly R[], keys: readonly string[]): R[] {
  const cmp = (a: unknown, b: unknown): number => {
    if (a === b) return 0;
    if (a === null || a === undefined) return -1;
    if (b === null || b === undefined) return 1;
    return (a as number | string) < (b as number | string) ? -1 : 1;
  };
  return [...rows].sort((x, y) => {
    for (const k of keys) {
      const c = cmp(x[k], y[k]);
      if (c !== 0) return c;
    }
    return 0;
  });
}

/** The parsed lines of one commit file, exactly as stored (no decoding beyond JSON). */
export async function rawCommit(store: ObjectStore, version: number): Promise<Record<string, Record<string, unknown>>[]> {
  const text = new TextDecoder().decode(await store.get(commitKey(version)));
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, Record<string, unknown>>);
}

export async function commitActions(store: ObjectStore, version: number): Promise<Action[]> {
  return decodeCommit(await store.get(commitKey(version)));
}

/** Versions of the commit files in the log, ascending. */
export async function logVersions(store: ObjectStore): Promise<number[]> {
  const versions: number[] = [];
  for (const info of await store.list(`${LOG_DIR}/`)) {
    const v = versionOfCommitKey(info.key);
    if (v !== undefined) versions.push(v);
  }
  return versions.sort((a, b) => a - b);
}

/** Keys of the data files under the table root (everything outside `_delta_log/`). */
export async function dataFileKeys(store: ObjectStore): Promise<string[]> {
  return (await store.list('')).map((i) => i.key).filter((k) => !k.startsWith(`${LOG_DIR}/`));
}

/** Every key of the store under `_delta_log/` that is not a JSON commit (checkpoints, _last_checkpoint). */
export async function nonCommitLogKeys(store: ObjectStore): Promise<string[]> {
  return (await store.list(`${LOG_DIR}/`)).map((i) => i.key).filter((k) => versionOfCommitKey(k) === undefined);
}

/** A view of a store that delegates everything, for wrappers that change one method. */
export abstract class StoreWrapper implements ObjectStore {
  constructor(readonly inner: ObjectStore) {}
  get url(): string {
    return this.inner.url;
  }
  get(key: string): Promise<Uint8Array> {
    return this.inner.get(key);
  }
  getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    return this.inner.getRange(key, offset, length);
  }
  head(key: string): Promise<ObjectInfo | undefined> {
    return this.inner.head(key);
  }
  put(key: string, data: Uint8Array): Promise<void> {
    return this.inner.put(key, data);
  }
  putIfAbsent(key: string, data: Uint8Array): Promise<boolean> {
    return this.inner.putIfAbsent(key, data);
  }
  list(prefix: string): Promise<ObjectInfo[]> {
    return this.inner.list(prefix);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  move(from: string, to: string): Promise<void> {
    return this.inner.move(from, to);
  }
}

/** Records which data files get read, to check what a scan or merge actually touched. */
export class CountingStore extends StoreWrapper {
  readonly dataReads: string[] = [];
  override get(key: string): Promise<Uint8Array> {
    if (!key.startsWith(`${LOG_DIR}/`)) this.dataReads.push(key);
    return this.inner.get(key);
  }
}

/**
 * A store on which the first attempt to create a commit file is preceded by `interloper`: another
 * writer's commit lands between this writer's read of the table and its commit point, which is exactly
 * the window a real race hits. The interloper must write through the inner store.
 */
export class RacingStore extends StoreWrapper {
  private fired = false;
  commitAttempts: string[] = [];
  constructor(
    inner: ObjectStore,
    private readonly interloper: () => Promise<void>,
  ) {
    super(inner);
  }
  override async putIfAbsent(key: string, data: Uint8Array): Promise<boolean> {
    if (versionOfCommitKey(key) !== undefined) {
      this.commitAttempts.push(key);
      if (!this.fired) {
        this.fired = true;
        await this.interloper();
      }
    }
    return this.inner.putIfAbsent(key, data);
  }
}

/**
 * The end state of a table (created at version 0) that writers 1 and 2 each appended `commits` commits
 * to, commit c of writer w holding APPEND_ROWS_PER_COMMIT rows of device w * 1000 + c: versions 0..N
 * without a gap, one WRITE per append, every row exactly once.
 */
export async function assertTwoWriterAppends(store: ObjectStore, commits: number): Promise<void> {
  assert.deepEqual(await logVersions(store), Array.from({ length: 2 * commits + 1 }, (_, v) => v), 'versions 0..N, contiguous');
  const table = await DeltaTable.open(store);
  const history = await table.history();
  assert.equal(history.filter((h) => h.operation === 'WRITE' && h.dataChange).length, 2 * commits, 'one appended commit per append');
  const expected: Row[] = [];
  for (const writer of [1, 2]) for (let c = 0; c < commits; c++) expected.push(...heartRows(writer * 1000 + c, APPEND_ROWS_PER_COMMIT));
  const rows = await table.rows();
  assert.equal(rows.length, expected.length, 'no row lost, none duplicated');
  const key = ['device_id', 'time'];
  assert.deepEqual(sortRows(rows, key), sortRows(expected, key));
}

/** Microseconds → the ISO text Delta statistics use. */
export function isoMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const sub = String(micros - ms * 1000).padStart(3, '0');
  return new Date(ms).toISOString().replace('Z', `${sub}Z`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TORN_WRITER = fileURLToPath(new URL('../fixtures/torn-writer.ts', import.meta.url));

/** A running test/fixtures/torn-writer.ts process, read line by line. */
export interface FixtureProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves with the first stdout line (from now on or already seen) matching, rejects on exit or timeout. */
  waitForLine(match: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves when the process has ended, with how. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything written to stderr so far, for failure messages. */
  stderr(): string;
}

/** Start the writer fixture with tsx, as a separate process of its own (killed when the test ends). */
export function spawnWriter(t: TestContext, args: readonly string[]): FixtureProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', TORN_WRITER, ...args], { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { match: RegExp; resolve: (line: string) => void }[] = [];
  let errText = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errText += chunk));
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.match.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    exited,
    stderr: () => errText,
    waitForLine(match, timeoutMs = 60_000) {
      const seen = lines.find((l) => match.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${match} from the writer within ${timeoutMs} ms; stderr: ${errText}`)), timeoutMs);
        const done = (line: string) => {
          clearTimeout(timer);
          resolve(line);
        };
        waiters.push({ match, resolve: done });
        void exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`the writer ended (code ${code}, signal ${signal}) before printing a line matching ${match}; stderr: ${errText}`));
        });
      });
    },
  };
}

