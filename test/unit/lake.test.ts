/** The lake's cache of open tables (lakehouse/steps/lake.ts), as a long-running worker keeps it between runs. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { gymSummary } from '../../schema/tables.ts';
import { Lake } from '../../lakehouse/steps/lake.ts';
import { LocalObjectStore } from '../../lakehouse/storage/index.ts';
import { batchFromRows } from '../../lakehouse/table/columns/index.ts';

const row = (gym: number) => ({ date: 19427, gym, mac_address: 'aa', workout_id: 1, session_id: 1, minutes_in_gym: 60, minutes_exercising: 50 });

test('a table kept open is opened anew when its lake was deleted meanwhile: no stale rows, no commit on a missing history', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-lake-cache-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'lake');
  const lake = new Lake(new LocalObjectStore(root));
  await (await lake.table(gymSummary)).append(batchFromRows(gymSummary.columns, [row(1), row(2)]));
  assert.equal(await (await lake.table(gymSummary)).count(), 2);

  // Someone starts over: the lake folder goes while the worker holding this Lake keeps running.
  await rm(root, { recursive: true, force: true });
  const table = await lake.table(gymSummary);
  assert.deepEqual([table.version, await table.count()], [0, 0], 'the table as created again, not the snapshot kept from before');
  await table.append(batchFromRows(gymSummary.columns, [row(3)]));

  // What another process reads from the store: a whole history, with the one new row.
  const fresh = await new Lake(new LocalObjectStore(root)).table(gymSummary);
  assert.deepEqual([fresh.version, (await fresh.rows()).map((r) => r.gym)], [1, [3]]);
});
