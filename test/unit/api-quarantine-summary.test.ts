/**
 * The quarantine summary behind Query.quarantine: groups by (target table, step, reason), largest first,
 * a few examples each with long payloads cut, and bounded memory however many distinct reasons there are.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { MAX_QUARANTINE_EXAMPLES, MAX_RAW_CHARS, MAX_TRACKED_GROUPS, OTHER_REASONS, summarizeQuarantine } from '../../api/data/quarantine-summary.ts';
import { quarantineRecords } from '../../schema/tables.ts';
import { appendRows } from '../support/api-helpers.ts';

const row = (i: number, reason: string, raw: string | null = `line ${i}`) => ({ step: 'bronze_landing', target_table: 'gym_logins_bz', source: `landing/gym/${i}.csv:1`, raw, reason, load_time: 1_700_000_000_000_000 + i });

test('counts by reason, largest first, with at most five examples and payloads cut to 500 characters', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-quarantine-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const rows = [...Array.from({ length: 8 }, (_, i) => row(i, 'bad date')), row(8, 'too long', 'y'.repeat(MAX_RAW_CHARS + 1)), row(9, 'no payload', null)];
  const table = await appendRows(dir, quarantineRecords, rows);
  const summary = await summarizeQuarantine(table, table.snapshot);
  assert.equal(summary.total, 10);
  assert.deepEqual(summary.groups.map((g) => [g.reason, g.count, g.examples.length]), [['bad date', 8, MAX_QUARANTINE_EXAMPLES], ['no payload', 1, 1], ['too long', 1, 1]]);
  const long = summary.groups[2]!.examples[0]!;
  assert.deepEqual([long.raw!.length, long.rawTruncated], [MAX_RAW_CHARS, true]);
  assert.equal(summary.groups[1]!.examples[0]!.raw, null);
});

test('past the tracked groups, further reasons are counted as one group', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-quarantine-many-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const table = await appendRows(dir, quarantineRecords, Array.from({ length: MAX_TRACKED_GROUPS + 5 }, (_, i) => row(i, `bad value at column ${i}`)));
  const summary = await summarizeQuarantine(table, table.snapshot);
  assert.equal(summary.total, MAX_TRACKED_GROUPS + 5);
  assert.equal(summary.groupCount, MAX_TRACKED_GROUPS + 1);
  assert.deepEqual(summary.groups.map((g) => [g.reason, g.count])[0], [OTHER_REASONS, 5]);
  assert.equal(summary.groups.length, 100);
});
