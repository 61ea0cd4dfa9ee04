/**
 * SeriesKeyIndex (lakehouse/table/series-key-index.ts) deduplicates heart-rate readings by (device, time)
 * with a shortcut for keys that come in time order: it must give exactly what NumberPairIndex gives (the
 * same answer to every add, the same rows in the same order), in order, out of order and in between.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NumberPairIndex, SeriesKeyIndex } from '../../lakehouse/table/keys/index.ts';
import { Prng } from '../../simulator/prng.ts';

/** Readings of `devices` devices at 1 Hz, round the devices in order, then disturbed as `disturb` says. */
function readings(prng: Prng, count: number, devices: number, disorder: number): [number, number][] {
  const special = [0, -0, NaN, Infinity, -Infinity, 2 ** 53 - 1, -(2 ** 53), 4294967296, -1, 0.5];
  const pairs: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    const r = prng.float();
    const device = 100_000 + (i % devices);
    const second = 1_678_406_400_000_000 + Math.floor(i / devices) * 1_000_000;
    if (r < disorder && pairs.length > 0) {
      // A repeat of a recent or an old reading, or a late one never seen (a time in the past).
      const kind = prng.int(0, 2);
      if (kind === 0) pairs.push(pairs[pairs.length - 1 - prng.int(0, Math.min(pairs.length - 1, 50))]!);
      else if (kind === 1) pairs.push(pairs[prng.int(0, pairs.length - 1)]!);
      else pairs.push([device, second - prng.int(1, 500) * 1_000_000 + prng.int(0, 1) * 500_000]);
    } else if (r < disorder + 0.01) {
      pairs.push([prng.pick(special), prng.pick(special)]);
    } else if (r < disorder + 0.02) {
      pairs.push([prng.pick([device, NaN, -0, 0]), second]);
    } else {
      pairs.push([device, second]);
    }
  }
  return pairs;
}

test('SeriesKeyIndex answers every add as NumberPairIndex does, and holds the same rows in the same order', () => {
  const prng = Prng.fromSeed(23);
  for (const [count, devices, disorder] of [[20_000, 7, 0], [20_000, 7, 0.05], [30_000, 300, 0.3], [5_000, 1, 0.5], [2_000, 2_000, 0.1], [3_000, 13, 0.95]] as const) {
    const pairs = readings(prng, count, devices, disorder);
    const index = new SeriesKeyIndex(4); // small, so that every array grows
    const reference = new NumberPairIndex(4);
    for (const [a, b] of pairs) assert.equal(index.addOrFind(a, b), reference.addOrFind(a, b), `(${a}, ${b}) with ${devices} devices, disorder ${disorder}`);
    assert.equal(index.size, reference.size);
    // Object.is: -0 is stored as 0 and NaN as NaN in both.
    for (let row = 0; row < index.size; row++) {
      assert.ok(Object.is(index.first[row], reference.first[row]) && Object.is(index.second[row], reference.second[row]), `row ${row}`);
    }
    if (disorder > 0) assert.ok(index.size < pairs.length, 'some adds found their key');
  }
});
