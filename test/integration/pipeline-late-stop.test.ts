/**
 * A late stop re-pairs a workout: the earlier stop of a session arrives after a later one was paired.
 * workout_bpm must then hold only the readings of the new, shorter window, and the gold summary must
 * follow, down to no summary at all when the new window holds no reading. No services needed.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { completedWorkouts, workoutBpm, workoutBpmSummary } from '../../schema/tables.ts';
import { runPipeline } from '../../lakehouse/steps/run-pipeline.ts';
import { makeTestLake } from '../support/pipeline.ts';

const START = 1_678_521_600; // 2023-03-11T08:00:00Z
const dump = (topic: string, key: number, value: object, offset: number, seconds: number) =>
  JSON.stringify({ key: String(key), value: JSON.stringify(value), topic, partition: 0, offset, timestamp: seconds });

async function land(landing: string, name: string, files: { registrations?: string[]; kafka: string[] }): Promise<void> {
  if (files.registrations) {
    await mkdir(path.join(landing, 'registered_users'), { recursive: true });
    await writeFile(path.join(landing, 'registered_users', `${name}.csv`), ['user_id,device_id,mac_address,registration_timestamp', ...files.registrations].join('\n') + '\n');
  }
  await mkdir(path.join(landing, 'kafka'), { recursive: true });
  await writeFile(path.join(landing, 'kafka', `${name}.json`), files.kafka.join('\n') + '\n');
}

test('an earlier stop arriving late shortens the workout: readings outside the new window leave workout_bpm and the gold summary', async () => {
  const { lake, ctx, landingDir } = await makeTestLake('fitlake-late-stop-');
  let offset = 0;
  const workout = (user: number, session: number, action: string, at: number) =>
    dump('workout', user, { user_id: user, workout_id: 1, timestamp: at, action, session_id: session }, offset++, at);
  const kafka: string[] = [];
  for (const [user, device] of [
    [1, 101],
    [2, 102],
  ] as const) {
    kafka.push(dump('user_info', user, { user_id: user, update_type: 'new', timestamp: START - 86_400, dob: '01/15/1980', sex: 'F', gender: 'F', first_name: 'A', last_name: 'B', address: { city: 'Pasadena', state: 'CA' } }, offset++, START - 86_400));
    kafka.push(workout(user, 1, 'start', START), workout(user, 1, 'stop', START + 1800));
    // User 1's device reads all through the workout; user 2's only in its second half.
    for (let t = user === 1 ? START + 10 : START + 1000; t <= START + 1800; t += 10) kafka.push(dump('bpm', device, { device_id: device, time: t, heartrate: 100 + (t % 7) }, offset++, t));
  }
  await land(landingDir, 'first', { registrations: ['1,101,02:00:00:00:00:01,1678400000', '2,102,02:00:00:00:00:02,1678400000'], kafka });
  await runPipeline(ctx);

  const summaries = async () => new Map((await (await lake.table(workoutBpmSummary)).rows()).map((r) => [r.user_id as number, r.num_recordings as number]));
  assert.deepEqual(await summaries(), new Map([[1, 180], [2, 81]]));

  // The earlier stops, 10 minutes in: both workouts now end there.
  await land(landingDir, 'late', { kafka: [workout(1, 1, 'stop', START + 600), workout(2, 1, 'stop', START + 600)] });
  await runPipeline(ctx);

  const windows = await (await lake.table(completedWorkouts)).rows();
  assert.deepEqual(windows.map((w) => ((w.end_time as number) / 1e6 - START)).sort(), [600, 600]);
  const readings = await (await lake.table(workoutBpm)).rows();
  assert.ok(readings.every((r) => (r.time as number) <= (START + 600) * 1e6), 'no reading after the new end');
  assert.equal(readings.filter((r) => r.user_id === 1).length, 60);
  assert.equal(readings.filter((r) => r.user_id === 2).length, 0);
  // User 1's summary counts the 60 readings left; user 2's workout has none, so it has no summary.
  assert.deepEqual(await summaries(), new Map([[1, 60]]));
});
