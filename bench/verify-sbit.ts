/**
 * The check after a benchmark run on the SBIT reference set (../shared/sbit, both sets landed): the
 * gold rows and table counts its README gives. Shared by pipeline-sbit.ts (in-process, after each set)
 * and whole-process.ts --sbit (the `fitlake` command, both sets in one run).
 */
import assert from 'node:assert/strict';
import { gymSummary, heartRate, quarantineRecords, workoutBpm, workoutBpmSummary } from '../schema/tables.ts';
import type { Lake } from '../lakehouse/steps/lake.ts';
import { formatDate } from '../lakehouse/time.ts';
import { GYM_SUMMARY_LINES } from '../simulator/sbit-expected.ts';

/** Throws (AssertionError) at the first difference from the README's results after `set` (1, or 1 and 2). */
export async function verifySbit(lake: Lake, set: 1 | 2): Promise<string> {
  const rows = await (await lake.table(gymSummary)).rows();
  const lines = rows
    .map((r) => `${formatDate(r.date as number)} ${r.gym} ${r.mac_address} ${r.workout_id} ${r.session_id} ${(r.minutes_in_gym as number).toFixed(1)} ${(r.minutes_exercising as number).toFixed(1)}`)
    .sort();
  // The README's gold gym_summary after set 2; its first 8 rows are the result after set 1.
  assert.deepEqual(lines, set === 1 ? GYM_SUMMARY_LINES.slice(0, 8) : GYM_SUMMARY_LINES, `gym_summary after set ${set}`);

  const summary = await (await lake.table(workoutBpmSummary)).rows();
  assert.equal(summary.length, 1, `workout_bpm_summary rows after set ${set}`);
  const row = summary[0]!;
  assert.deepEqual(
    { user_id: row.user_id, workout_id: row.workout_id, session_id: row.session_id, age: row.age, gender: row.gender, city: row.city, state: row.state, num_recordings: row.num_recordings },
    { user_id: 12474, workout_id: 1, session_id: 1, age: '75-85', gender: 'M', city: 'San Fernando', state: 'CA', num_recordings: 3900 },
    `workout_bpm_summary after set ${set}`,
  );
  assert.equal(row.min_bpm, 35.003105735835994, 'min_bpm');
  assert.equal(row.max_bpm, 94.98191173214704, 'max_bpm');
  assert.ok(Math.abs((row.avg_bpm as number) - 64.64236486026886) < 1e-9, `avg_bpm ${row.avg_bpm}`);
  assert.equal(await (await lake.table(heartRate)).count(), 253_801, 'heart_rate rows');
  assert.equal(await (await lake.table(workoutBpm)).count(), 3_900, 'workout_bpm rows');
  assert.equal(await (await lake.table(quarantineRecords)).count(), 0, 'quarantined records');
  return `gym_summary (${lines.length} rows), workout_bpm_summary, heart_rate and workout_bpm counts as the SBIT README gives them after set ${set}`;
}
