/**
 * Optimistic concurrency on local disk. First, lost races staged deterministically: another writer's
 * commit (made with the real commit function) lands right before this writer's commit point, and the
 * outcome depends on what this writer read (blind append, merge, txn). Then two writers for real, as two
 * processes and as two tables in one process, racing for the same versions.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { heartRate } from '../../schema/tables.ts';
import { LocalObjectStore, type ObjectStore } from '../../lakehouse/storage/index.ts';
import { type Action, CommitConflictError, loadSnapshot, commit, type CommitResult } from '../../lakehouse/table/log/index.ts';
import { DeltaTable } from '../../lakehouse/table/index.ts';
import { removeOf } from '../../lakehouse/table/operations/index.ts';
import { writeDataFiles } from '../../lakehouse/table/files/index.ts';
import {
  APPEND_ROWS_PER_COMMIT,
  assertTwoWriterAppends,
  batch,
  commitActions,
  heartRows,
  logVersions,
  MICROS_PER_SECOND,
  RacingStore,
  scratchStore,
  sortRows,
  spawnWriter,
  T0,
  type Row,
} from '../support/delta-helpers.ts';

const HR_KEY = ['device_id', 'time'];
const hr = (rows: readonly Row[]) => batch(heartRate.columns, rows);

/** The other writer: a blind append (and/or txn) committed through the plain store, the real way. */
async function interloperAppend(store: ObjectStore, rows: readonly Row[], txn?: { appId: string; version: number }): Promise<CommitResult> {
  const snapshot = await loadSnapshot(store);
  const adds = await writeDataFiles(store, 'heart_rate', snapshot.columns, snapshot.partitionColumns, hr(rows));
  return commit(store, {
    readSnapshot: snapshot,
    actions: adds.map((add) => ({ add })),
    operation: 'WRITE',
    operationParameters: { mode: 'Append' },
    readSet: { readsAdded: false },
    ...(txn ? { txn } : {}),
  });
}

/** A table with `rows` committed at version 1, and a handle on it whose first commit attempt loses to `interloper`. */
async function racedTable(t: Parameters<typeof scratchStore>[0], rows: readonly Row[], interloper: (store: ObjectStore) => Promise<unknown>) {
  const { store } = await scratchStore(t);
  const setup = await DeltaTable.createIfAbsent(store, heartRate);
  await setup.append(hr(rows));
  const racing = new RacingStore(store, () => interloper(store).then(() => undefined));
  return { store, racing, table: await DeltaTable.open(racing) };
}

describe('a lost race for the next version', () => {
  test('blind appends both succeed, at consecutive versions', async (t) => {
    const mine = heartRows(2, 3);
    const theirs = heartRows(3, 3);
    let winner: CommitResult | undefined;
    const { store, racing, table } = await racedTable(t, heartRows(1, 3), async (s) => (winner = await interloperAppend(s, theirs)));

    const result = await table.append(hr(mine));
    assert.equal(winner?.version, 2);
    assert.deepEqual([result.version, result.committed, result.attempts], [3, true, 2]);
    assert.deepEqual(racing.commitAttempts, ['_delta_log/00000000000000000002.json', '_delta_log/00000000000000000003.json']);
    assert.deepEqual(await logVersions(store), [0, 1, 2, 3]);
    assert.deepEqual(sortRows(await (await DeltaTable.open(store)).rows(), HR_KEY), sortRows([...heartRows(1, 3), ...mine, ...theirs], HR_KEY));
    const info = (await commitActions(store, 3)).find((a) => 'commitInfo' in a);
    assert.ok(info && 'commitInfo' in info);
    assert.equal(info.commitInfo.readVersion, 1, 'the retried commit still records the version it read');
    assert.equal(info.commitInfo.isBlindAppend, true);
    assert.equal(table.version, 3);
  });

  test('a merge whose key range overlaps the winner’s added file gets CommitConflictError', async (t) => {
    const target = heartRows(1, 10); // device 1, T0 .. T0+9s
    // The winner appends a reading of device 1 inside the merge's time range: it could hold a merge key.
    const { store, table } = await racedTable(t, target, (s) => interloperAppend(s, heartRows(1, 1, T0 + 50 * MICROS_PER_SECOND)));
    const source = [{ ...target[0]!, heartrate: 140 }, heartRows(1, 1, T0 + 100 * MICROS_PER_SECOND)[0]!];
    await assert.rejects(table.merge(hr(source), { key: HR_KEY, whenMatched: (_t, s) => s }), (e: unknown) => {
      assert.ok(e instanceof CommitConflictError, String(e));
      assert.equal(e.version, 2);
      assert.equal(e.retriable, true);
      assert.match(e.message, /concurrent append/);
      return true;
    });
    assert.deepEqual(await logVersions(store), [0, 1, 2], 'the merge committed nothing');
    const rows = await (await DeltaTable.open(store)).rows();
    assert.equal(rows.length, 11);
    assert.ok(rows.every((r) => r['heartrate'] !== 140));

    // Redone on the new state (what a retry does), the merge goes through.
    const retried = await table.merge(hr(source), { key: HR_KEY, whenMatched: (_t, s) => s });
    assert.deepEqual([retried.committed, retried.version], [true, 3]);
  });

  test('a merge is not disturbed by a concurrent append outside its key range', async (t) => {
    const target = heartRows(1, 10);
    const { store, table } = await racedTable(t, target, (s) => interloperAppend(s, heartRows(9, 5)));
    const result = await table.merge(hr([{ ...target[3]!, heartrate: 33 }]), { key: HR_KEY, whenMatched: (_t, s) => s });
    assert.deepEqual([result.committed, result.version, result.attempts], [true, 3, 2]);
    assert.equal((await (await DeltaTable.open(store)).rows()).length, 15);
  });

  test('a merge whose read file was removed by the winner gets CommitConflictError', async (t) => {
    const target = heartRows(1, 10);
    const { store, table } = await racedTable(t, target, async (s) => {
      // The winner rewrites the file the merge reads (as a compaction or another merge would).
      const snapshot = await loadSnapshot(s);
      const [file] = [...snapshot.files.values()];
      const adds = await writeDataFiles(s, 'heart_rate', snapshot.columns, [], hr(target), { dataChange: false });
      const actions: Action[] = [{ remove: removeOf(file!, Date.now(), false) }, ...adds.map((add) => ({ add }))];
      await commit(s, { readSnapshot: snapshot, actions, operation: 'OPTIMIZE', readSet: { readsAdded: false, readFiles: new Set([file!.path]) } });
    });
    await assert.rejects(table.merge(hr([{ ...target[0]!, heartrate: 1 }]), { key: HR_KEY, whenMatched: (_t, s) => s }), (e: unknown) => {
      assert.ok(e instanceof CommitConflictError, String(e));
      assert.match(e.message, /removed/);
      return true;
    });
    assert.deepEqual(await logVersions(store), [0, 1, 2]);
  });

  test('a commit whose txn the winner already committed (same or later version) becomes a no-op', async (t) => {
    for (const winnerVersion of [3, 5]) {
      const theirs = heartRows(3, 2);
      const { store, table } = await racedTable(t, heartRows(1, 2), (s) => interloperAppend(s, theirs, { appId: 'silver', version: winnerVersion }));
      const result = await table.append(hr(heartRows(2, 2)), { txn: { appId: 'silver', version: 3 } });
      assert.deepEqual([result.committed, result.version], [false, 2], `winner at txn version ${winnerVersion}`);
      assert.equal(table.txnVersion('silver'), winnerVersion);
      assert.deepEqual(await logVersions(store), [0, 1, 2]);
      assert.deepEqual(sortRows(await (await DeltaTable.open(store)).rows(), HR_KEY), sortRows([...heartRows(1, 2), ...theirs], HR_KEY));
    }
  });

  test('a winner of the same application at an older txn version is a conflict, not a no-op', async (t) => {
    const { store, table } = await racedTable(t, heartRows(1, 2), (s) => interloperAppend(s, heartRows(3, 2), { appId: 'silver', version: 2 }));
    await assert.rejects(table.append(hr(heartRows(2, 2)), { txn: { appId: 'silver', version: 3 } }), CommitConflictError);
    assert.deepEqual(await logVersions(store), [0, 1, 2]);
  });
});

describe('two writers for real', () => {
  test('two processes appending 25 commits each lose no commit', { timeout: 180_000 }, async (t) => {
    const { dir, store } = await scratchStore(t);
    await DeltaTable.createIfAbsent(store, heartRate);
    const commits = 25;
    const writers = [1, 2].map((w) => spawnWriter(t, ['append', dir, String(w), String(commits)]));
    await Promise.all(writers.map((w) => w.waitForLine(/^ready$/)));
    for (const w of writers) w.child.stdin.write('go\n');
    const reports = await Promise.all(writers.map((w) => w.waitForLine(/^\{/, 150_000)));
    for (const w of writers) assert.deepEqual(await w.exited, { code: 0, signal: null }, w.stderr());

    const parsed = reports.map((r) => JSON.parse(r) as { writer: number; results: { version: number; attempts: number }[] });
    const committed = parsed.flatMap((p) => p.results.map((r) => r.version)).sort((a, b) => a - b);
    assert.deepEqual(committed, Array.from({ length: 2 * commits }, (_, i) => i + 1), 'each version taken by exactly one writer');
    const retries = parsed.flatMap((p) => p.results).filter((r) => r.attempts > 1).length;
    t.diagnostic(`commits that lost a race and were retried: ${retries} of ${2 * commits}`);
    await assertTwoWriterAppends(store, commits);
  });

  test('two DeltaTable objects on one directory, interleaved in one process, lose no commit', async (t) => {
    const { store, dir } = await scratchStore(t);
    await DeltaTable.createIfAbsent(store, heartRate);
    const tables = await Promise.all([1, 2].map(() => DeltaTable.open(new LocalObjectStore(dir))));
    const commits = 25;
    const attempts = await Promise.all(
      tables.map(async (table, i) => {
        const out: number[] = [];
        for (let c = 0; c < commits; c++) out.push((await table.append(hr(heartRows((i + 1) * 1000 + c, APPEND_ROWS_PER_COMMIT)))).attempts);
        return out;
      }),
    );
    t.diagnostic(`commits retried after a lost race: ${attempts.flat().filter((a) => a > 1).length}`);
    await assertTwoWriterAppends(store, commits);
  });
});
