/** The two choices ../shared/sbit/README.md makes between competing records, as pure functions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gymRows } from '../../lakehouse/steps/gold/gym-summary.ts';
import { isValidHeartRate, replacesReading } from '../../lakehouse/rules/heart-rate-reading.ts';

/** The reading kept of several, arriving in this order. */
const kept = (readings: number[]) => readings.reduce((have, next) => (replacesReading(have, next) ? next : have));

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('readings of one instant', () => {
  it('valid is 0 < heartrate < 300', () => {
    assert.deepEqual([-1, 0, 0.5, 72, 299.9, 300, 350].map(isValidHeartRate), [false, false, true, true, true, false, false]);
  });

  it('a valid reading beats an invalid one, then the lower stays, in every arrival order', () => {
    const cases: [number[], number][] = [
      [[80, 0], 80],
      [[0, 80], 80],
      [[80, -1, 0], 80],
      [[95, 80, 0, 120], 80],
      [[0, -1], -1],
      [[310, 0], 0],
      [[301, 300], 300],
    ];
    for (const [readings, expected] of cases) {
      for (const order of permutations(readings)) assert.equal(kept(order), expected, JSON.stringify(order));
    }
  });
});

describe('gym visits holding a workout start', () => {
  const MIN = 60_000_000;
  const start = 1_678_521_600_000_000;
  const session = { user_id: 1, workout_id: 1, session_id: 1, start_time: start, end_time: start + 30 * MIN };
  const visit = (gym: number, loginMinutes: number, logoutMinutes: number) => ({ mac_address: 'm', gym, login: start + loginMinutes * MIN, logout: start + logoutMinutes * MIN });

  it('count the visit with the earliest login that date at that gym, in any order', () => {
    const visits = [visit(1, -5, 40), visit(1, -20, 35), visit(1, -2, 60)];
    for (const order of permutations(visits)) {
      const rows = gymRows('m', order, [session]);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.minutes_in_gym, 55, JSON.stringify(order.map((v) => v.login)));
    }
  });

  it('keep one row per gym', () => {
    const rows = gymRows('m', [visit(1, -5, 40), visit(2, -10, 45)], [session]);
    assert.deepEqual(rows.map((r) => [r.gym, r.minutes_in_gym]).sort(), [[1, 45], [2, 55]]);
  });
});
